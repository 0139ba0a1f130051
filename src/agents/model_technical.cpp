#include "agents/model_technical.hpp"

#include <fmt/format.h>

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <optional>
#include <string_view>
#include <tuple>
#include <utility>

#include "agents/answer_fields.hpp"

namespace tg4::agents {
namespace {

namespace json = boost::json;
using core::Error;
using core::Result;

Result<std::optional<double>> price_in(const json::object& answer, std::string_view field) {
  const json::value* value = answer_fields::present(answer, field);
  if (value == nullptr) return std::optional<double>{};
  auto number = answer_fields::decimal_of(field, *value);
  if (!number) return number.error();
  if (!number->is_positive()) {
    return answer_fields::field_error(field, *value, "is not a positive price");
  }
  return std::optional<double>(number->to_double());
}

Result<std::pair<TrendDirection, double>> trend_in(const json::object& answer) {
  const json::value* value = answer_fields::present(answer, "trend");
  if (value == nullptr) {
    return Error::of(
        "trend: missing (expected {\"direction\": up | down | sideways, \"strength\": 0..1})");
  }
  if (!value->is_object()) return answer_fields::field_error("trend", *value, "is not an object");
  const json::object& trend = value->get_object();
  auto direction = answer_fields::name_in<TrendDirection>(
      answer_fields::present(trend, "direction"), "trend.direction", parse_trend_direction,
      std::nullopt, "up, down, sideways");
  if (!direction) return direction.error();
  auto strength =
      answer_fields::number_in(answer_fields::present(trend, "strength"), "trend.strength", 0, 1);
  if (!strength) return strength.error();
  return std::pair{*direction, *strength};
}

}  // namespace

core::Result<ModelTechnical> parse_model_technical(const boost::json::object& answer) {
  ModelTechnical t;
  auto bias = answer_fields::name_in<Bias>(answer_fields::present(answer, "bias"), "bias",
                                           parse_bias, std::nullopt, "long, short, neutral");
  if (!bias) return bias.error();
  t.bias = *bias;
  auto confidence = answer_fields::parse_confidence(answer);
  if (!confidence) return confidence.error();
  t.confidence = *confidence;
  auto trend = trend_in(answer);
  if (!trend) return trend.error();
  std::tie(t.trend, t.trend_strength) = *trend;
  auto momentum =
      answer_fields::number_in(answer_fields::present(answer, "momentum"), "momentum", -1, 1);
  if (!momentum) return momentum.error();
  t.momentum = *momentum;
  auto rsi = answer_fields::name_in<RsiSignal>(answer_fields::present(answer, "rsi_signal"),
                                               "rsi_signal", parse_rsi_signal, RsiSignal::kNeutral,
                                               "overbought, oversold, neutral");
  if (!rsi) return rsi.error();
  t.rsi_signal = *rsi;
  auto macd = answer_fields::name_in<MacdSignal>(answer_fields::present(answer, "macd_signal"),
                                                 "macd_signal", parse_macd_signal,
                                                 MacdSignal::kNeutral, "bullish, bearish, neutral");
  if (!macd) return macd.error();
  t.macd_signal = *macd;
  auto support = price_in(answer, "support");
  if (!support) return support.error();
  auto resistance = price_in(answer, "resistance");
  if (!resistance) return resistance.error();
  if (*support && *resistance && **support >= **resistance) {
    return Error::of(
        fmt::format("support: {} is not below resistance {}", **support, **resistance));
  }
  t.support = *support;
  t.resistance = *resistance;
  auto reasoning = answer_fields::parse_reasoning(answer);
  if (!reasoning) return reasoning.error();
  t.reasoning = std::move(reasoning).value();
  return t;
}

std::string model_technical_json(const ModelTechnical& t) {
  json::object out;
  out["bias"] = to_string(t.bias);
  out["confidence"] = t.confidence;
  out["trend"] = {{"direction", to_string(t.trend)}, {"strength", t.trend_strength}};
  out["momentum"] = t.momentum;
  out["rsi_signal"] = to_string(t.rsi_signal);
  out["macd_signal"] = to_string(t.macd_signal);
  out["support"] = t.support ? json::value(*t.support) : json::value(nullptr);
  out["resistance"] = t.resistance ? json::value(*t.resistance) : json::value(nullptr);
  out["reasoning"] = t.reasoning;
  return json::serialize(out);
}

}  // namespace tg4::agents
