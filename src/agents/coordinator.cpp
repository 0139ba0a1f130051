#include "agents/coordinator.hpp"

#include <fmt/format.h>

#include <array>
#include <utility>

#include "agents/answer_fields.hpp"
#include "core/text.hpp"

namespace tg4::agents {
namespace {

constexpr std::array<std::pair<std::string_view, CoordinatorVerdict>, 4> kVerdicts{{
    {"proceed", CoordinatorVerdict::kProceed},
    {"wait", CoordinatorVerdict::kWait},
    {"abort", CoordinatorVerdict::kAbort},
    {"modify", CoordinatorVerdict::kModify},
}};

Bias opposite(Bias side) {
  if (side == Bias::kLong) return Bias::kShort;
  if (side == Bias::kShort) return Bias::kLong;
  return Bias::kNeutral;
}

}  // namespace

const char* to_string(CoordinatorVerdict verdict) {
  for (const auto& [name, value] : kVerdicts) {
    if (value == verdict) return name.data();
  }
  return "wait";
}

core::Result<CoordinatorVerdict> parse_coordinator_verdict(std::string_view text) {
  for (const auto& [name, value] : kVerdicts) {
    if (core::equals_ignoring_case(name, answer_fields::trimmed(text))) return value;
  }
  return core::Error::of(
      fmt::format("'{}' is not a verdict (one of proceed, wait, abort, modify)", text));
}

bool opens_position(strategy::AdviceAction action, core::Decimal position_qty, bool shorts) {
  using strategy::AdviceAction;
  if (action == AdviceAction::kBuy) return !position_qty.is_negative();
  if (action == AdviceAction::kSell) return shorts && !position_qty.is_positive();
  return false;
}

Bias advice_side(strategy::AdviceAction action) {
  if (action == strategy::AdviceAction::kBuy) return Bias::kLong;
  if (action == strategy::AdviceAction::kSell) return Bias::kShort;
  return Bias::kNeutral;
}

Bias regime_side(MarketRegime regime) {
  switch (regime) {
    case MarketRegime::kTrendingBull:
    case MarketRegime::kVolatileBull:
      return Bias::kLong;
    case MarketRegime::kTrendingBear:
    case MarketRegime::kVolatileBear:
      return Bias::kShort;
    default:
      return Bias::kNeutral;
  }
}

Conflict find_conflict(Bias side, const std::vector<CoordinationView>& views) {
  Conflict conflict;
  if (side == Bias::kNeutral) return conflict;
  for (const CoordinationView& view : views) {
    const char* stance = nullptr;
    if (view.side == opposite(side)) {
      ++conflict.opposing;
      stance = "opposes";
    } else if (view.side == side) {
      ++conflict.supporting;
      stance = "supports";
    }
    if (stance == nullptr) continue;  // a neutral view takes no side
    if (!conflict.why.empty()) conflict.why += "; ";
    conflict.why += fmt::format("{} {}", view.label, stance);
  }
  return conflict;
}

Coordination coordinator_rule(const CoordinationRequest& request) {
  Coordination c;
  c.symbol = request.symbol;
  c.time = request.time;
  c.source = "rules";
  const Conflict& conflict = request.conflict;
  if (conflict.opposing >= 2) {
    c.verdict = CoordinatorVerdict::kAbort;
    c.reasoning = fmt::format("rules: {} views oppose the {}", conflict.opposing,
                              strategy::to_string(request.advice.action));
  } else if (conflict.opposing == 1 && conflict.supporting >= 1) {
    c.verdict = CoordinatorVerdict::kModify;
    c.size_factor = 0.5;
    c.reasoning = fmt::format("rules: one view opposes the {} and {} support it: half the size",
                              strategy::to_string(request.advice.action), conflict.supporting);
  } else if (conflict.opposing == 1) {
    c.verdict = CoordinatorVerdict::kWait;
    c.reasoning = fmt::format("rules: one view opposes the {} and none supports it",
                              strategy::to_string(request.advice.action));
  } else {
    c.verdict = CoordinatorVerdict::kProceed;
    c.reasoning = "rules: no view opposes it";
  }
  if (!conflict.why.empty()) c.reasoning += " (" + conflict.why + ")";
  return c;
}

strategy::Advice coordinated(strategy::Advice advice, const Coordination& coordination,
                             const Conflict& conflict) {
  const std::string proposed = strategy::to_string(advice.action);
  std::string verdict = to_string(coordination.verdict);
  switch (coordination.verdict) {
    case CoordinatorVerdict::kProceed:
      break;
    case CoordinatorVerdict::kWait:
    case CoordinatorVerdict::kAbort:
      advice.action = strategy::AdviceAction::kHold;
      break;
    case CoordinatorVerdict::kModify:
      advice.size_factor *= coordination.size_factor;
      verdict += fmt::format(" x{}", coordination.size_factor);
      break;
  }
  advice.source = fmt::format("{}; coordinator ({}): {} ({})", advice.source, coordination.source,
                              verdict, conflict.why.empty() ? "no view opposes it" : conflict.why);
  advice.reasoning =
      fmt::format("{} judged by the coordinator: {}: {}{}", proposed, verdict,
                  coordination.reasoning, advice.reasoning.empty() ? "" : "; " + advice.reasoning);
  return advice;
}

}  // namespace tg4::agents
