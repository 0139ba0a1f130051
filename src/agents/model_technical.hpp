#pragma once
// One model's answer to the technical analysis question (SPEC §6), validated like a regime answer
// (model_regime): a malformed or out-of-bounds answer is an Error naming the field, and counts as
// no answer.
#include <boost/json/object.hpp>
#include <optional>
#include <string>

#include "agents/technical.hpp"
#include "core/result.hpp"

namespace tg4::agents {

struct ModelTechnical {
  TrendDirection trend = TrendDirection::kSideways;
  double trend_strength = 0.0;  // 0..1
  double momentum = 0.0;        // -1..1
  RsiSignal rsi_signal = RsiSignal::kNeutral;
  MacdSignal macd_signal = MacdSignal::kNeutral;
  std::optional<double> support, resistance;  // positive prices; support below resistance
  Bias bias = Bias::kNeutral;
  double confidence = 0.0;  // 0..1
  std::string reasoning;
};

// Fields: bias (long, short, neutral, any case; required), confidence (0..1, or a percentage as
// parse_model_decision reads it; required), trend (an object {"direction": up | down | sideways,
// "strength": 0..1}; required), momentum (-1..1; required), rsi_signal (overbought, oversold,
// neutral) and macd_signal (bullish, bearish, neutral; each optional, neutral), support and
// resistance (positive prices; optional; when both are given support must be below resistance),
// reasoning (string; optional). Numbers may be JSON numbers or numeric strings; null is the same as
// absent. An Error names the first field that is wrong and what it held:
// `trend.strength: 1.5 is outside 0..1`.
core::Result<ModelTechnical> parse_model_technical(const boost::json::object& answer);

// The answer as JSON with every field (the record's parsed_json); support and resistance null when
// absent.
std::string model_technical_json(const ModelTechnical& technical);

}  // namespace tg4::agents
