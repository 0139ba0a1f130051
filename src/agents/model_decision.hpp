#pragma once
// One model's answer to the trading-decision question (SPEC §6), validated: a malformed or
// out-of-bounds answer is an Error naming the field, and counts as no answer (never as an order).
#include <optional>
#include <string>

#include <boost/json/object.hpp>

#include "core/decimal.hpp"
#include "core/result.hpp"
#include "strategy/advice.hpp"

namespace tg4::agents {

struct ModelDecision {
  strategy::AdviceAction action = strategy::AdviceAction::kHold;
  double confidence = 0.0;                         // 0..1
  std::optional<core::Decimal> entry, stop, target;  // prices, positive when present
  double size_pct = 0.0;                            // 0..100
  std::string reasoning;
};

// Fields: action (BUY/SELL/HOLD/CLOSE, any case), confidence (0..1; a number 1..100 is read as a
// percentage), entry, stop, target (positive numbers or numeric strings; optional), size_pct (0..100;
// optional, 0), reasoning (string; optional). For BUY the stop must be below and the target above
// the entry; for SELL the reverse. An Error names the first field that is wrong and what it held.
core::Result<ModelDecision> parse_model_decision(const boost::json::object& answer);

}  // namespace tg4::agents
