#pragma once
// One model's answer to the regime question (SPEC §6), validated like a decision (model_decision):
// a malformed or out-of-bounds answer is an Error naming the field, and counts as no answer.
#include <boost/json/object.hpp>
#include <string>

#include "agents/regime.hpp"
#include "core/result.hpp"
#include "risk/types.hpp"

namespace tg4::agents {

struct ModelRegime {
  MarketRegime regime = MarketRegime::kUnknown;  // never kUnknown once parsed
  double confidence = 0.0;                       // 0..1
  double size_multiplier = 1.0;                  // 0..2
  double stop_multiplier = 1.0;                  // 0.5..3
  double target_multiplier = 1.0;                // 0.5..3
  risk::Strictness strictness = risk::Strictness::kNormal;
  std::string reasoning;
};

// Fields: regime (one of the seven regimes SPEC §6 names, any case; "unknown" is refused: a model
// that cannot tell says so with a low confidence; required), confidence (0..1, or a percentage as
// parse_model_decision reads it; required), size_multiplier (0..2), stop_multiplier and
// target_multiplier (0.5..3; each optional, 1), strictness (relaxed, normal, strict, very_strict,
// any case; optional, normal), reasoning (string; optional). Numbers may be JSON numbers or numeric
// strings; null is the same as absent. An Error names the first field that is wrong and what it
// held: `size_multiplier: 2.5 is outside 0..2`.
core::Result<ModelRegime> parse_model_regime(const boost::json::object& answer);

// The answer as JSON with every field (the record's parsed_json).
std::string model_regime_json(const ModelRegime& regime);

}  // namespace tg4::agents
