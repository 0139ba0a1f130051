#include "risk/rules_detail.hpp"

#include <chrono>

namespace tg4::risk::detail {

std::string text(Decimal value) {
  return value.round(6).to_string();
}

Decimal min_confidence(const RiskLimits& limits, int consecutive_losses, Regime regime,
                       Strictness strictness) {
  Decimal needed = limits.min_confidence[static_cast<std::size_t>(regime)];
  if (consecutive_losses >= limits.losses_tier2) {
    needed += limits.confidence_add_5_losses;
  } else if (consecutive_losses >= limits.losses_tier1) {
    needed += limits.confidence_add_3_losses;
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
  for (const auto& [drawdown, dd_cap] : limits.drawdown_leverage_caps) {
    if (state.drawdown_pct >= drawdown) cap = min(cap, dd_cap);
  }
  if (state.consecutive_losses >= limits.losses_tier2) {
    cap = min(cap, limits.leverage_cap_5_losses);
  } else if (state.consecutive_losses >= limits.losses_tier1) {
    cap = min(cap, limits.leverage_cap_3_losses);
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
  if (consecutive_losses >= limits.losses_tier2) return limits.loss_cooldown_5;
  if (consecutive_losses >= limits.losses_tier1) return limits.loss_cooldown_3;
  return limits.loss_cooldown;
}

}  // namespace tg4::risk::detail
