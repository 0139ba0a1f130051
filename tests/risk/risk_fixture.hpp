#pragma once
// Shared test setup: a 10,000 USDT account on 2024-03-13 (a Wednesday) 12:00 UTC and an intent that
// passes every rule with the SPEC limits (BTC/USDT buy 1000 at 100, stop 98 = 2 %, target 104 =
// 2:1, leverage 1, confidence 0.9, bull regime).
#include <gtest/gtest.h>

#include "core/time.hpp"
#include "risk/engine.hpp"

namespace tg4::risk::testing {

using namespace core::literals;

inline Timestamp t0() {
  return core::parse_rfc3339("2024-03-13T12:00:00Z").value();
}

inline RiskIntent base_intent() {
  RiskIntent in;
  in.intent_id = "i1";
  in.symbol = "BTC/USDT";
  in.side = Side::kBuy;
  in.size_usd = 1000_d;
  in.entry = 100_d;
  in.stop_loss = 98_d;
  in.take_profit = 104_d;
  in.leverage = 1_d;
  in.confidence = 0.9_d;
  in.regime = Regime::kBull;
  in.strictness = Strictness::kNormal;
  return in;
}

inline RiskState base_state(const Engine& engine) {
  return engine.initial_state(10000_d, t0());
}

inline OpenPosition position(std::string symbol, Decimal exposure, Decimal leverage = 1_d) {
  return OpenPosition{std::move(symbol), Side::kBuy, exposure, leverage};
}

// "APPROVED 5:size" style summary for readable failures.
inline std::string summary(const Verdict& v) {
  return std::string(to_string(v.status)) + " " + rule_label(v.rule) +
         " size=" + v.size_usd.to_string() + " lev=" + v.leverage.to_string() + " (" + v.reason +
         ")";
}

}  // namespace tg4::risk::testing
