#include "risk/rules_detail.hpp"

#include <chrono>

namespace tg4::risk::detail {

std::string text(Decimal value) {
  return value.round(6).to_string();
}

Decimal min_confidence(const RiskLimits& limits, int consecutive_losses, Regime regime,
                       Strictness strictness) {
  Decimal needed = limits.min_confidence[static_cast<std::size_t>(regime)];
  if (const auto* step = streak_step(limits.confidence_streak_add, consecutive_losses)) {
    needed += step->value;
  }
  switch (strictness) {
    case Strictness::kRelaxed:
      needed += limits.strictness_relaxed;
      break;
    case Strictness::kNormal:
      break;
    case Strictness::kStrict:
      needed += limits.strictness_strict;
      break;
    case Strictness::kVeryStrict:
      needed += limits.strictness_very_strict;
      break;
  }
  return needed;
}

Decimal leverage_cap(const RiskLimits& limits, const RiskState& state, Regime regime) {
  Decimal cap =
      min(limits.max_leverage, limits.regime_leverage_cap[static_cast<std::size_t>(regime)]);
  for (const auto& step : limits.drawdown_leverage_caps) {
    if (state.drawdown_pct >= step.drawdown_pct) cap = min(cap, step.cap);
  }
  if (const auto* step = streak_step(limits.leverage_streak_caps, state.consecutive_losses)) {
    cap = min(cap, step->value);
  }
  return cap;
}

int orders_last_minute(const RiskState& state, Timestamp now) {
  const Timestamp from = now - std::chrono::minutes(1);
  int count = 0;
  for (const Timestamp t : state.order_times) count += (t > from && t <= now) ? 1 : 0;
  return count;
}

Duration loss_cooldown(const RiskLimits& limits, int consecutive_losses) {
  const auto* step = streak_step(limits.loss_cooldowns, consecutive_losses);
  return step != nullptr ? step->value : Duration::zero();
}

}  // namespace tg4::risk::detail
