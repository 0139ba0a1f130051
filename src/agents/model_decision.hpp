#pragma once
// One model's answer to the trading-decision question (SPEC §6), validated: a malformed or
// out-of-bounds answer is an Error naming the field, and counts as no answer (never as an order).
#include <boost/json/object.hpp>
#include <optional>
#include <string>

#include "core/decimal.hpp"
#include "core/result.hpp"
#include "strategy/advice.hpp"

namespace tg4::agents {

struct ModelDecision {
  strategy::AdviceAction action = strategy::AdviceAction::kHold;
  double confidence = 0.0;                           // 0..1
  std::optional<core::Decimal> entry, stop, target;  // prices, positive when present
  double size_pct = 0.0;                             // 0..100
  std::string reasoning;
};

// Fields: action (BUY/SELL/HOLD/CLOSE, any case; required), confidence (0..1; a number above 1 up
// to 100, or a string ending in '%', is read as a percentage; required), entry, stop, target
// (positive prices; optional), size_pct (0..100; optional, 0), reasoning (string; optional).
// Numbers may be JSON numbers or numeric strings; prices become exact Decimals (a JSON double
// through its shortest round-trip text, which is the text the model wrote); null is the same as
// absent. HOLD and CLOSE ignore any prices. For BUY the stop must be below and the target above the
// entry; for SELL the reverse. An Error names the first field that is wrong and what it held:
// `confidence: 150 is outside 0..1 (or 1..100 as a percentage)`.
core::Result<ModelDecision> parse_model_decision(const boost::json::object& answer);

// The advice a decision gives in answer to `request`, said to come from `source`.
strategy::Advice advice_from(const ModelDecision& decision, const strategy::AdviceRequest& request,
                             std::string source);

// The order of the prices given: for BUY stop < entry < target, for SELL target < entry < stop
// (stop < target, or the reverse, when the entry is absent); HOLD and CLOSE have none to check. The
// Error names the price that is out of place.
core::Status check_price_order(const ModelDecision& decision);

}  // namespace tg4::agents
