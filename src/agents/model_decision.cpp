#include "agents/model_decision.hpp"

#include <fmt/format.h>

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <cctype>
#include <cmath>
#include <string_view>

namespace tg4::agents {
namespace {

namespace json = boost::json;
using core::Decimal;
using core::Error;
using core::Result;

constexpr std::size_t kShownChars = 60;

std::string_view trimmed(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front())))
    text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())))
    text.remove_suffix(1);
  return text;
}

// A JSON value as a person reads it in an error: strings quoted, numbers as written, long values
// cut.
std::string shown(const json::value& value) {
  std::string text;
  switch (value.kind()) {
    case json::kind::double_:
      text = fmt::format("{}", value.get_double());
      break;
    case json::kind::int64:
      text = std::to_string(value.get_int64());
      break;
    case json::kind::uint64:
      text = std::to_string(value.get_uint64());
      break;
    default:
      text = json::serialize(value);
  }
  if (text.size() > kShownChars) text = text.substr(0, kShownChars) + "...";
  return text;
}

Error field_error(std::string_view field, const json::value& value, std::string_view problem) {
  return Error::of(fmt::format("{}: {} {}", field, shown(value), problem));
}

// The exact decimal of a JSON number or numeric string. A double becomes its shortest round-trip
// text, which is the text the model wrote whenever that had 15 significant digits or fewer.
// `percent` receives whether a string ended in '%' (allowed only when it is not null).
Result<Decimal> decimal_of(std::string_view field, const json::value& value,
                           bool* percent = nullptr) {
  switch (value.kind()) {
    case json::kind::int64:
      return Decimal::from_int(value.get_int64());
    case json::kind::uint64: {
      auto parsed = Decimal::parse(std::to_string(value.get_uint64()));
      if (!parsed) return field_error(field, value, "is out of range");
      return parsed;
    }
    case json::kind::double_: {
      const double d = value.get_double();
      if (!std::isfinite(d)) return field_error(field, value, "is not a finite number");
      auto parsed = Decimal::parse(fmt::format("{}", d));
      if (!parsed) return field_error(field, value, "is out of range");
      return parsed;
    }
    case json::kind::string: {
      std::string_view text = trimmed(value.get_string());
      if (percent != nullptr && !text.empty() && text.back() == '%') {
        *percent = true;
        text = trimmed(text.substr(0, text.size() - 1));
      }
      auto parsed = Decimal::parse(text);
      if (!parsed) return field_error(field, value, "is not a number");
      return parsed;
    }
    default:
      return field_error(field, value, "is not a number");
  }
}

const json::value* present(const json::object& answer, std::string_view field) {
  const json::value* value = answer.if_contains(field);
  return value == nullptr || value->is_null() ? nullptr : value;
}

Result<strategy::AdviceAction> parse_action(const json::object& answer) {
  const json::value* value = present(answer, "action");
  if (value == nullptr) return Error::of("action: missing (expected BUY, SELL, HOLD or CLOSE)");
  if (!value->is_string()) return field_error("action", *value, "is not a string");
  auto action = strategy::parse_advice_action(value->get_string());
  if (!action) return field_error("action", *value, "is not BUY, SELL, HOLD or CLOSE");
  return action;
}

Result<double> parse_confidence(const json::object& answer) {
  const json::value* value = present(answer, "confidence");
  if (value == nullptr) return Error::of("confidence: missing (expected a number in 0..1)");
  bool percent = false;
  auto number = decimal_of("confidence", *value, &percent);
  if (!number) return number.error();
  const double c = number->to_double();
  if (c >= 0 && c <= 1 && !percent) return c;
  if (c >= 0 && c <= 100 && (percent || c > 1)) return c / 100;
  return field_error(
      "confidence", *value,
      percent ? "is outside 0..100 %" : "is outside 0..1 (or 1..100 as a percentage)");
}

Result<double> parse_size_pct(const json::object& answer) {
  const json::value* value = present(answer, "size_pct");
  if (value == nullptr) return 0.0;
  bool percent = false;
  auto number = decimal_of("size_pct", *value, &percent);
  if (!number) return number.error();
  const double s = number->to_double();
  if (s < 0 || s > 100) return field_error("size_pct", *value, "is outside 0..100");
  return s;
}

Result<std::optional<Decimal>> parse_price(const json::object& answer, std::string_view field) {
  const json::value* value = present(answer, field);
  if (value == nullptr) return std::optional<Decimal>{};
  auto price = decimal_of(field, *value);
  if (!price) return price.error();
  if (!price->is_positive()) return field_error(field, *value, "is not a positive price");
  return std::optional<Decimal>{*price};
}

Result<std::string> parse_reasoning(const json::object& answer) {
  const json::value* value = present(answer, "reasoning");
  if (value == nullptr) return std::string{};
  if (!value->is_string()) return field_error("reasoning", *value, "is not a string");
  return std::string(value->get_string());
}

}  // namespace

core::Status check_price_order(const ModelDecision& d) {
  if (d.action != strategy::AdviceAction::kBuy && d.action != strategy::AdviceAction::kSell)
    return {};
  const bool buy = d.action == strategy::AdviceAction::kBuy;
  const char* side = buy ? "BUY" : "SELL";
  const char* below = buy ? "below" : "above";
  const char* above = buy ? "above" : "below";
  // Whether two prices that a BUY has low then high stand the right way round for this side.
  const auto ordered = [buy](Decimal low_for_buy, Decimal high_for_buy) {
    return buy ? low_for_buy < high_for_buy : high_for_buy < low_for_buy;
  };
  if (d.entry && d.stop && !ordered(*d.stop, *d.entry)) {
    return Error::of(
        fmt::format("stop: {} is not {} the entry {} ({})", *d.stop, below, *d.entry, side));
  }
  if (d.entry && d.target && !ordered(*d.entry, *d.target)) {
    return Error::of(
        fmt::format("target: {} is not {} the entry {} ({})", *d.target, above, *d.entry, side));
  }
  if (!d.entry && d.stop && d.target && !ordered(*d.stop, *d.target)) {
    return Error::of(
        fmt::format("target: {} is not {} the stop {} ({})", *d.target, above, *d.stop, side));
  }
  return {};
}

core::Result<ModelDecision> parse_model_decision(const boost::json::object& answer) {
  ModelDecision d;
  auto action = parse_action(answer);
  if (!action) return action.error();
  d.action = *action;
  auto confidence = parse_confidence(answer);
  if (!confidence) return confidence.error();
  d.confidence = *confidence;
  // HOLD and CLOSE act at the market or not at all: what prices they mention is ignored, so a
  // placeholder such as 0 does not cost a valid answer.
  if (d.action == strategy::AdviceAction::kBuy || d.action == strategy::AdviceAction::kSell) {
    for (auto [field, slot] : {std::pair{"entry", &d.entry}, std::pair{"stop", &d.stop},
                               std::pair{"target", &d.target}}) {
      auto price = parse_price(answer, field);
      if (!price) return price.error();
      *slot = *price;
    }
  }
  auto size = parse_size_pct(answer);
  if (!size) return size.error();
  d.size_pct = *size;
  auto reasoning = parse_reasoning(answer);
  if (!reasoning) return reasoning.error();
  d.reasoning = std::move(reasoning).value();
  if (auto order = check_price_order(d); !order) return order.error();
  return d;
}

strategy::Advice advice_from(const ModelDecision& decision, const strategy::AdviceRequest& request,
                             std::string source) {
  strategy::Advice advice;
  advice.symbol = request.symbol;
  advice.action = decision.action;
  advice.confidence = decision.confidence;
  advice.entry = decision.entry;
  advice.stop = decision.stop;
  advice.target = decision.target;
  advice.size_pct = decision.size_pct;
  advice.reasoning = decision.reasoning;
  advice.source = std::move(source);
  advice.asked = request.time;
  return advice;
}

}  // namespace tg4::agents
