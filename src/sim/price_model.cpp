#include "sim/price_model.hpp"

#include <algorithm>
#include <cmath>

namespace tg4::sim {

const char* to_string(Regime r) {
  switch (r) {
    case Regime::kRanging: return "ranging";
    case Regime::kTrending: return "trending";
    case Regime::kVolatile: return "volatile";
  }
  return "unknown";
}

double PriceState::price() const { return std::exp(log_price); }

PriceModel::PriceModel(PriceModelParams params)
    : params_(params),
      base_variance_(params.annual_volatility * params.annual_volatility / (365.0 * 86400.0)) {}

double PriceModel::target_variance(Regime r) const {
  switch (r) {
    case Regime::kRanging: return base_variance_ * 0.5;
    case Regime::kTrending: return base_variance_;
    case Regime::kVolatile: return base_variance_ * 4.0;
  }
  return base_variance_;
}

PriceState PriceModel::initial(double price, Random& rng) const {
  PriceState s;
  s.log_price = std::log(price);
  s.anchor = s.log_price;
  s.regime = Regime::kRanging;
  s.variance = target_variance(s.regime);
  s.regime_left = rng.exponential(1.0 / params_.mean_regime_seconds);
  return s;
}

void PriceModel::switch_regime(PriceState& s, Random& rng) const {
  const double u = rng.uniform();
  s.regime = u < 0.5 ? Regime::kRanging : (u < 0.85 ? Regime::kTrending : Regime::kVolatile);
  double mean = params_.mean_regime_seconds;
  if (s.regime == Regime::kVolatile) mean *= 0.4;  // turbulence is short-lived
  s.regime_left = rng.exponential(1.0 / mean);
  s.anchor = s.log_price;
  // A trend covers roughly one to three daily standard deviations over its life.
  const double daily_sd = std::sqrt(base_variance_ * 86400.0);
  s.trend = s.regime == Regime::kTrending ? (rng.chance(0.5) ? 1.0 : -1.0) * daily_sd * (0.5 + 1.5 * rng.uniform()) /
                                                (mean * 4.0)
                                          : 0.0;
}

void PriceModel::advance(PriceState& s, Random& rng, double dt) const {
  if (dt <= 0) dt = 1e-6;
  s.regime_left -= dt;
  if (s.regime_left <= 0) switch_regime(s, rng);
  double drift = 0.0;
  if (s.regime == Regime::kTrending) drift = s.trend;
  if (s.regime == Regime::kRanging) drift = -(s.log_price - s.anchor) / 300.0;
  const double z = rng.normal();
  s.log_price += drift * dt + std::sqrt(s.variance * dt) * z;
  // GARCH-like: a fraction of the variance renews toward the regime level; large shocks push it up.
  const double target = target_variance(s.regime);
  const double renew = 1.0 - std::exp(-dt / params_.memory_seconds);
  s.variance += renew * (target - s.variance) + renew * params_.shock_weight * 8.0 * s.variance * (z * z - 1.0);
  s.variance = std::clamp(s.variance, target * 0.2, target * 25.0);
}

}  // namespace tg4::sim
