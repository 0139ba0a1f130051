#include "risk/types.hpp"

#include <fmt/format.h>

namespace tg4::risk {
namespace {

template <typename E, std::size_t N>
std::optional<E> find_name(const std::array<std::pair<std::string_view, E>, N>& names,
                           std::string_view text) {
  for (const auto& [name, value] : names) {
    if (name == text) return value;
  }
  return std::nullopt;
}

// Also the regime agent's names (SPEC §6), so an intent may carry either.
constexpr std::array<std::pair<std::string_view, Regime>, 15> kRegimeNames{{
    {"bull", Regime::kBull},
    {"trending_up", Regime::kBull},
    {"trending_bull", Regime::kBull},
    {"bear", Regime::kBear},
    {"trending_down", Regime::kBear},
    {"trending_bear", Regime::kBear},
    {"trending", Regime::kTrending},
    {"breakout", Regime::kBreakout},
    {"breakout_potential", Regime::kBreakout},
    {"ranging", Regime::kRanging},
    {"volatile", Regime::kVolatile},
    {"volatile_bull", Regime::kVolatile},
    {"volatile_bear", Regime::kVolatile},
    {"choppy", Regime::kChoppy},
    {"unknown", Regime::kUnknown},
}};

constexpr std::array<std::pair<std::string_view, Strictness>, 6> kStrictnessNames{{
    {"relaxed", Strictness::kRelaxed},
    {"normal", Strictness::kNormal},
    {"strict", Strictness::kStrict},
    {"very_strict", Strictness::kVeryStrict},
    {"very strict", Strictness::kVeryStrict},
    {"very-strict", Strictness::kVeryStrict},
}};

constexpr std::array<std::pair<std::string_view, TradingState>, 3> kTradingStateNames{{
    {"ACTIVE", TradingState::kActive},
    {"REDUCING", TradingState::kReducing},
    {"HALTED", TradingState::kHalted},
}};

constexpr std::array<std::pair<std::string_view, CooldownReason>, 3> kCooldownNames{{
    {"loss", CooldownReason::kLoss},
    {"trade", CooldownReason::kTrade},
    {"volatility", CooldownReason::kVolatility},
}};

}  // namespace

const char* to_string(Regime r) {
  switch (r) {
    case Regime::kBull:
      return "bull";
    case Regime::kBear:
      return "bear";
    case Regime::kTrending:
      return "trending";
    case Regime::kBreakout:
      return "breakout";
    case Regime::kRanging:
      return "ranging";
    case Regime::kVolatile:
      return "volatile";
    case Regime::kChoppy:
      return "choppy";
    case Regime::kUnknown:
      return "unknown";
  }
  return "unknown";
}

std::optional<Regime> parse_regime(std::string_view text) {
  return find_name(kRegimeNames, text);
}

const char* to_string(Strictness s) {
  switch (s) {
    case Strictness::kRelaxed:
      return "relaxed";
    case Strictness::kNormal:
      return "normal";
    case Strictness::kStrict:
      return "strict";
    case Strictness::kVeryStrict:
      return "very_strict";
  }
  return "normal";
}

std::optional<Strictness> parse_strictness(std::string_view text) {
  return find_name(kStrictnessNames, text);
}

const char* to_string(TradingState s) {
  switch (s) {
    case TradingState::kActive:
      return "ACTIVE";
    case TradingState::kReducing:
      return "REDUCING";
    case TradingState::kHalted:
      return "HALTED";
  }
  return "HALTED";
}

std::optional<TradingState> parse_trading_state(std::string_view text) {
  return find_name(kTradingStateNames, text);
}

const char* to_string(CooldownReason r) {
  switch (r) {
    case CooldownReason::kLoss:
      return "loss";
    case CooldownReason::kTrade:
      return "trade";
    case CooldownReason::kVolatility:
      return "volatility";
  }
  return "loss";
}

std::optional<CooldownReason> parse_cooldown_reason(std::string_view text) {
  return find_name(kCooldownNames, text);
}

const char* to_string(Breaker b) {
  switch (b) {
    case Breaker::kDailyLoss:
      return "daily_loss";
    case Breaker::kWeeklyLoss:
      return "weekly_loss";
    case Breaker::kDrawdown:
      return "drawdown";
  }
  return "drawdown";
}

const char* to_string(BreakerAction a) {
  switch (a) {
    case BreakerAction::kNone:
      return "none";
    case BreakerAction::kReducePositions:
      return "reduce_positions";
    case BreakerAction::kFlatten:
      return "flatten";
  }
  return "none";
}

const char* to_string(VerdictStatus s) {
  switch (s) {
    case VerdictStatus::kApproved:
      return "APPROVED";
    case VerdictStatus::kModified:
      return "MODIFIED";
    case VerdictStatus::kRejected:
      return "REJECTED";
    case VerdictStatus::kHalted:
      return "HALTED";
  }
  return "REJECTED";
}

const char* rule_name(Rule r) {
  switch (r) {
    case Rule::kNone:
      return "none";
    case Rule::kTradingState:
      return "trading_state";
    case Rule::kCooldown:
      return "cooldown";
    case Rule::kStopLoss:
      return "stop_loss";
    case Rule::kConfidence:
      return "confidence";
    case Rule::kSize:
      return "size";
    case Rule::kLeverage:
      return "leverage";
    case Rule::kTotalExposure:
      return "total_exposure";
    case Rule::kCorrelatedExposure:
      return "correlated_exposure";
    case Rule::kMarginAndLimits:
      return "margin_and_limits";
    case Rule::kInternal:
      return "internal";
  }
  return "internal";
}

std::string rule_label(Rule r) {
  if (r == Rule::kNone) return "none";
  return fmt::format("{}:{}", static_cast<int>(r), rule_name(r));
}

const char* to_string(RiskEvent::Kind k) {
  switch (k) {
    case RiskEvent::Kind::kVerdict:
      return "verdict";
    case RiskEvent::Kind::kBreaker:
      return "breaker";
    case RiskEvent::Kind::kCooldown:
      return "cooldown";
    case RiskEvent::Kind::kState:
      return "state";
    case RiskEvent::Kind::kOrderRefused:
      return "order_refused";
  }
  return "state";
}

Decimal RiskLimits::correlation(std::string_view a, std::string_view b) const {
  if (a == b) return Decimal::one();
  for (const auto& pair : correlations) {
    if ((pair.a == a && pair.b == b) || (pair.a == b && pair.b == a)) return pair.rho;
  }
  return Decimal::zero();
}

RiskIntent intent_from_order(const core::OrderIntent& order) {
  RiskIntent intent;
  intent.intent_id = order.intent_id;
  intent.symbol = order.symbol;
  intent.side = order.side;
  intent.size_usd = order.size_quote;
  if (!order.qty.is_zero()) {
    // The base quantity takes precedence (core::OrderIntent); value it at the reference price.
    const Decimal price = order.entry.is_zero() ? order.limit_price : order.entry;
    intent.size_usd = order.qty * price;
  }
  intent.entry = order.entry;
  intent.stop_loss = order.stop_loss;
  if (!order.take_profit.is_zero()) intent.take_profit = order.take_profit;
  intent.leverage = order.leverage;
  // Confidence arrives as a double from the agents; 4 decimals keep the thresholds exact.
  intent.confidence = Decimal::from_double(order.confidence, 4);
  intent.regime = parse_regime(order.regime).value_or(Regime::kUnknown);
  intent.strictness = parse_strictness(order.strictness).value_or(Strictness::kNormal);
  intent.reduces_exposure = order.reduce_only;
  return intent;
}

}  // namespace tg4::risk
