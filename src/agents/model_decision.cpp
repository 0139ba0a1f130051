#include "agents/model_decision.hpp"

#include <fmt/format.h>

#include <boost/json/value.hpp>
#include <string_view>

#include "agents/answer_fields.hpp"

namespace tg4::agents {
namespace {

namespace json = boost::json;
using answer_fields::decimal_of;
using answer_fields::field_error;
using answer_fields::present;
using core::Decimal;
using core::Error;
using core::Result;

Result<strategy::AdviceAction> parse_action(const json::object& answer) {
  const json::value* value = present(answer, "action");
  if (value == nullptr) return Error::of("action: missing (expected BUY, SELL, HOLD or CLOSE)");
  if (!value->is_string()) return field_error("action", *value, "is not a string");
  auto action = strategy::parse_advice_action(value->get_string());
  if (!action) return field_error("action", *value, "is not BUY, SELL, HOLD or CLOSE");
  return action;
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
  auto confidence = answer_fields::parse_confidence(answer);
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
  auto reasoning = answer_fields::parse_reasoning(answer);
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
