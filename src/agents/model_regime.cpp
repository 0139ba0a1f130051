#include "agents/model_regime.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <cctype>
#include <string_view>
#include <tuple>

#include "agents/answer_fields.hpp"

namespace tg4::agents {
namespace {

namespace json = boost::json;
using core::Error;
using core::Result;

Result<MarketRegime> parse_regime_field(const json::object& answer) {
  const json::value* value = answer_fields::present(answer, "regime");
  if (value == nullptr) {
    return Error::of(
        "regime: missing (expected one of trending_bull, trending_bear, ranging, volatile_bull, "
        "volatile_bear, choppy, breakout_potential)");
  }
  if (!value->is_string()) return answer_fields::field_error("regime", *value, "is not a string");
  auto regime = parse_market_regime(answer_fields::trimmed(value->get_string()));
  if (!regime || *regime == MarketRegime::kUnknown) {
    return answer_fields::field_error(
        "regime", *value,
        "is not one of trending_bull, trending_bear, ranging, volatile_bull, volatile_bear, "
        "choppy, breakout_potential");
  }
  return regime;
}

Result<double> parse_multiplier(const json::object& answer, std::string_view field, double low,
                                double high) {
  const json::value* value = answer_fields::present(answer, field);
  if (value == nullptr) return 1.0;
  auto number = answer_fields::decimal_of(field, *value);
  if (!number) return number.error();
  const double m = number->to_double();
  if (m < low || m > high) {
    return answer_fields::field_error(field, *value, fmt::format("is outside {}..{}", low, high));
  }
  return m;
}

Result<risk::Strictness> parse_strictness_field(const json::object& answer) {
  const json::value* value = answer_fields::present(answer, "strictness");
  if (value == nullptr) return risk::Strictness::kNormal;
  if (!value->is_string()) {
    return answer_fields::field_error("strictness", *value, "is not a string");
  }
  std::string text(answer_fields::trimmed(value->get_string()));
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  const auto strictness = risk::parse_strictness(text);
  if (!strictness) {
    return answer_fields::field_error("strictness", *value,
                                      "is not relaxed, normal, strict or very_strict");
  }
  return *strictness;
}

}  // namespace

core::Result<ModelRegime> parse_model_regime(const boost::json::object& answer) {
  ModelRegime r;
  auto regime = parse_regime_field(answer);
  if (!regime) return regime.error();
  r.regime = *regime;
  auto confidence = answer_fields::parse_confidence(answer);
  if (!confidence) return confidence.error();
  r.confidence = *confidence;
  for (auto [field, slot, low, high] :
       {std::tuple{"size_multiplier", &r.size_multiplier, 0.0, 2.0},
        std::tuple{"stop_multiplier", &r.stop_multiplier, 0.5, 3.0},
        std::tuple{"target_multiplier", &r.target_multiplier, 0.5, 3.0}}) {
    auto multiplier = parse_multiplier(answer, field, low, high);
    if (!multiplier) return multiplier.error();
    *slot = *multiplier;
  }
  auto strictness = parse_strictness_field(answer);
  if (!strictness) return strictness.error();
  r.strictness = *strictness;
  auto reasoning = answer_fields::parse_reasoning(answer);
  if (!reasoning) return reasoning.error();
  r.reasoning = std::move(reasoning).value();
  return r;
}

std::string model_regime_json(const ModelRegime& r) {
  json::object out;
  out["regime"] = to_string(r.regime);
  out["confidence"] = r.confidence;
  out["size_multiplier"] = r.size_multiplier;
  out["stop_multiplier"] = r.stop_multiplier;
  out["target_multiplier"] = r.target_multiplier;
  out["strictness"] = risk::to_string(r.strictness);
  out["reasoning"] = r.reasoning;
  return json::serialize(out);
}

}  // namespace tg4::agents
