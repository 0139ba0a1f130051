#include "risk/limits_config.hpp"

namespace tg4::risk {
namespace {

// Indexed by Regime: bull, bear and undirected trending share the config's "trending" value.
std::array<Decimal, kRegimeCount> by_regime(const core::RegimeDecimals& r) {
  return {r.trending, r.trending,  r.trending, r.breakout,
          r.ranging,  r.volatile_, r.choppy,   r.unknown};
}

template <typename From, typename To, typename Convert>
std::vector<StreakStep<To>> steps(const std::vector<From>& from, Convert convert) {
  std::vector<StreakStep<To>> out;
  out.reserve(from.size());
  for (const auto& step : from) out.push_back({step.losses, convert(step)});
  return out;
}

}  // namespace

RiskLimits limits_from_config(const core::RiskSection& c) {
  RiskLimits l;
  l.loss_cooldowns = steps<core::LossStreakDuration, Duration>(
      c.cooldown.after_loss, [](const auto& s) { return Duration(s.duration); });
  l.trade_cooldown = c.cooldown.after_trade;
  l.volatility_cooldown = c.cooldown.volatility_spike;
  l.volatility_spike_factor = c.volatility_spike_atr_multiple.to_double();
  l.require_stop_loss = c.require_stop_loss;
  l.min_stop_pct = c.min_stop_distance_pct;
  l.max_stop_pct = c.max_stop_distance_pct;
  l.min_reward_risk = c.min_reward_risk;
  l.min_confidence = by_regime(c.min_confidence);
  l.confidence_streak_add = steps<core::LossStreakDecimal, Decimal>(
      c.confidence_loss_streak_add, [](const auto& s) { return s.value; });
  l.strictness_relaxed = c.strictness_relaxed;
  l.strictness_strict = c.strictness_strict;
  l.strictness_very_strict = c.strictness_very_strict;
  l.max_position_pct = c.max_position_pct;
  l.max_risk_pct = c.max_risk_pct;
  l.size_streak_factor = steps<core::LossStreakDecimal, Decimal>(
      c.size_loss_streak_factor, [](const auto& s) { return s.value; });
  l.volatility_size_factor = c.volatility_spike_size_factor;
  l.size_multiplier = by_regime(c.size_multiplier);
  l.max_leverage = Decimal::from_int(c.max_leverage);
  const core::RegimeLeverage& r = c.regime_leverage;
  // Undirected "trending" takes the lower (bear) cap.
  for (const auto& [regime, cap] :
       {std::pair{Regime::kBull, r.trending_bull}, std::pair{Regime::kBear, r.trending_bear},
        std::pair{Regime::kTrending, std::min(r.trending_bull, r.trending_bear)},
        std::pair{Regime::kBreakout, r.breakout}, std::pair{Regime::kRanging, r.ranging},
        std::pair{Regime::kVolatile, r.volatile_}, std::pair{Regime::kChoppy, r.choppy},
        std::pair{Regime::kUnknown, r.unknown}}) {
    l.regime_leverage_cap[static_cast<std::size_t>(regime)] = Decimal::from_int(cap);
  }
  l.drawdown_leverage_caps.clear();
  for (const auto& step : c.drawdown_leverage_caps) {
    l.drawdown_leverage_caps.push_back({step.drawdown_pct, Decimal::from_int(step.cap)});
  }
  l.leverage_streak_caps = steps<core::LossStreakCap, Decimal>(
      c.loss_streak_leverage_caps, [](const auto& s) { return Decimal::from_int(s.cap); });
  l.max_total_exposure_pct = c.max_total_exposure_pct;
  l.max_correlated_exposure_pct = c.max_correlated_exposure_pct;
  l.correlation_threshold = c.correlation_threshold;
  l.correlations.clear();
  for (const auto& pair : c.correlations) l.correlations.push_back({pair.a, pair.b, pair.rho});
  l.max_positions_per_symbol = c.max_positions_per_symbol;
  l.max_positions_total = c.max_positions_total;
  l.max_orders_per_minute = c.max_orders_per_minute;
  l.daily_loss_limit_pct = c.daily_loss_limit_pct;
  l.weekly_loss_limit_pct = c.weekly_loss_limit_pct;
  l.weekly_reduce_positions_pct = c.weekly_reduce_positions_pct;
  l.max_drawdown_pct = c.max_drawdown_pct;
  return l;
}

}  // namespace tg4::risk
