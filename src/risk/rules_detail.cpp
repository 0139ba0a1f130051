#include "risk/rules_detail.hpp"

#include <fmt/format.h>

#include <chrono>
#include <cmath>

namespace tg4::risk::detail {

namespace {

using Raw = Decimal::Raw;

bool mul_raw(Raw a, Raw b, Raw& out) {
  return !__builtin_mul_overflow(a, b, &out);
}

}  // namespace

Ratio Ratio::of(Decimal value) {
  Ratio r;
  r.value = value;
  r.num = value.raw();
  r.den = Decimal::kOne;
  while (r.den > 1 && r.num % 10 == 0) {
    r.num /= 10;
    r.den /= 10;
  }
  return r;
}

Ratio Ratio::percent(Decimal pct) {
  return of(pct / Decimal::from_int(100));
}

std::strong_ordering compare(Decimal a, Decimal b, const Ratio& r) {
  Raw lhs = 0;
  Raw rhs = 0;
  if (mul_raw(a.raw(), r.den, lhs) && mul_raw(b.raw(), r.num, rhs)) return lhs <=> rhs;
  return a <=> b * r.value;  // huge values: Decimal arithmetic (throws when truly out of range)
}

Decimal scaled(Decimal b, const Ratio& r) {
  Raw product = 0;
  if (mul_raw(b.raw(), r.num, product)) return Decimal::from_raw(product / r.den);
  return Decimal::mul(b, r.value, core::Rounding::kDown);
}

Decimal floor_to(Decimal value, Decimal increment) {
  return Decimal::from_raw(value.raw() / increment.raw() * increment.raw());
}

Ratios Ratios::of(const RiskLimits& l) {
  return Ratios{Ratio::percent(l.min_stop_pct),
                Ratio::percent(l.max_stop_pct),
                Ratio::of(l.min_reward_risk),
                Ratio::percent(l.max_position_pct),
                Ratio::percent(l.max_risk_pct),
                Ratio::percent(l.max_total_exposure_pct),
                Ratio::percent(l.max_correlated_exposure_pct)};
}

double num(double value) {
  const double rounded = std::nearbyint(value * 1e6) / 1e6;
  return rounded == 0.0 ? 0.0 : rounded;  // no "-0"
}

double num(Decimal value) {
  return num(value.to_double());
}

std::string text(double value) {
  return fmt::format("{}", num(value));
}

std::string text(Decimal value) {
  return fmt::format("{}", num(value));
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
