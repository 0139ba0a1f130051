#include "agents/model_sentiment.hpp"

#include <fmt/format.h>

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "agents/answer_fields.hpp"

namespace tg4::agents {
namespace {

namespace json = boost::json;
using core::Error;
using core::Result;

constexpr std::size_t kEventChars = 200;

Result<std::vector<std::string>> key_events_in(const json::object& answer) {
  const json::value* value = answer_fields::present(answer, "key_events");
  if (value == nullptr) return std::vector<std::string>{};
  if (!value->is_array())
    return answer_fields::field_error("key_events", *value, "is not an array of strings");
  std::vector<std::string> events;
  for (const json::value& event : value->get_array()) {
    if (!event.is_string())
      return answer_fields::field_error("key_events", event, "is not a string");
    if (events.size() == kMaxKeyEvents) break;
    std::string text(answer_fields::trimmed(event.get_string()).substr(0, kEventChars));
    if (!text.empty()) events.push_back(std::move(text));
  }
  return events;
}

}  // namespace

core::Result<ModelSentiment> parse_model_sentiment(const boost::json::object& answer) {
  ModelSentiment m;
  auto bias = answer_fields::name_in<Bias>(answer_fields::present(answer, "bias"), "bias",
                                           parse_bias, std::nullopt, "long, short, neutral");
  if (!bias) return bias.error();
  m.bias = *bias;
  auto score = answer_fields::number_in(answer_fields::present(answer, "score"), "score", -1, 1);
  if (!score) return score.error();
  m.score = *score;
  if ((m.bias == Bias::kLong && m.score < 0) || (m.bias == Bias::kShort && m.score > 0)) {
    return Error::of(fmt::format("bias: \"{}\" contradicts score {}", to_string(m.bias), m.score));
  }
  auto confidence = answer_fields::parse_confidence(answer);
  if (!confidence) return confidence.error();
  m.confidence = *confidence;
  auto events = key_events_in(answer);
  if (!events) return events.error();
  m.key_events = std::move(events).value();
  auto reasoning = answer_fields::parse_reasoning(answer);
  if (!reasoning) return reasoning.error();
  m.reasoning = std::move(reasoning).value();
  return m;
}

std::string model_sentiment_json(const ModelSentiment& m) {
  json::object out;
  out["bias"] = to_string(m.bias);
  out["score"] = m.score;
  out["confidence"] = m.confidence;
  json::array events;
  for (const std::string& event : m.key_events) events.emplace_back(event);
  out["key_events"] = std::move(events);
  out["reasoning"] = m.reasoning;
  return json::serialize(out);
}

}  // namespace tg4::agents
