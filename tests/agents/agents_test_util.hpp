#pragma once
// Helpers for the agents tests: answers from JSON text, votes, and a symbol's market fed with
// crafted bars.
#include <boost/json/parse.hpp>
#include <cmath>
#include <string>
#include <string_view>
#include <vector>

#include "agents/consensus.hpp"
#include "agents/model_decision.hpp"
#include "market/indicators/market_state.hpp"

namespace tg4::agents::testing {

inline core::Result<ModelDecision> parse(std::string_view json_text) {
  return parse_model_decision(boost::json::parse(json_text).as_object());
}

inline ModelVote vote(std::string_view json_text, std::string model = "m") {
  return ModelVote{"test", std::move(model), parse(json_text)};
}

inline ModelVote failed_vote(std::string model = "down") {
  return ModelVote{"test", std::move(model), core::Error::of("timed out after 30 s")};
}

inline const core::Timestamp kStart = core::Timestamp::from_seconds(1'700'000'000);

// One closed bar of `minutes` opening `index` intervals after kStart, closing at `close`, with a
// high and low 0.3 % around it and the previous close as its open.
inline core::Bar bar(int minutes, int index, double close, double previous, double volume = 10) {
  core::Bar b;
  b.symbol = "BTC/USDT";
  b.interval_minutes = minutes;
  b.open_time = kStart + std::chrono::minutes(static_cast<std::int64_t>(minutes) * index);
  b.open = core::Decimal::from_double(previous, 2);
  b.close = core::Decimal::from_double(close, 2);
  b.high = core::Decimal::from_double(std::max(close, previous) * 1.003, 2);
  b.low = core::Decimal::from_double(std::min(close, previous) * 0.997, 2);
  b.volume = core::Decimal::from_double(volume + index % 7, 4);
  return b;
}

// `count` bars of `minutes` whose close grows by `rate` a bar (negative: falls), from 30,000.
inline void feed_trend(market::SymbolMarket& market, int minutes, int count, double rate) {
  double previous = 30'000;
  for (int i = 0; i < count; ++i) {
    const double close = 30'000 * std::pow(1 + rate, i + 1);
    const core::Bar b = bar(minutes, i, close, previous);
    market.on_bar(b, b.open_time + std::chrono::minutes(minutes));
    previous = close;
  }
}

}  // namespace tg4::agents::testing
