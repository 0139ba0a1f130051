#pragma once
// PriceModel: the fair price behind a simulated market. Log price with regime switches (ranging:
// mean-reverting and calm; trending: drift; volatile: large variance) and volatility clustering (a
// GARCH-like variance that jumps after large shocks and decays back to the regime's level). State is
// a plain value so the history generator can store it per minute and regenerate any minute alone.
#include <cstdint>

#include "sim/random.hpp"

namespace tg4::sim {

enum class Regime : std::uint8_t { kRanging, kTrending, kVolatile };
const char* to_string(Regime r);

struct PriceState {
  double log_price = 0.0;
  double anchor = 0.0;    // ranging regimes revert toward this log price
  double variance = 0.0;  // per second, of log returns
  double trend = 0.0;     // log drift per second while trending
  double regime_left = 0.0;  // seconds until the next regime draw
  Regime regime = Regime::kRanging;

  double price() const;
};

struct PriceModelParams {
  double annual_volatility = 0.6;
  double mean_regime_seconds = 1200.0;
  double memory_seconds = 120.0;  // how long a volatility shock lingers
  double shock_weight = 0.35;     // how much a squared shock moves the variance
};

class PriceModel {
 public:
  explicit PriceModel(PriceModelParams params);

  PriceState initial(double price, Random& rng) const;
  // Moves the state forward by dt seconds (dt >= 0) with one shock.
  void advance(PriceState& state, Random& rng, double dt) const;
  // The variance the current regime pulls toward (per second).
  double target_variance(Regime r) const;

 private:
  void switch_regime(PriceState& state, Random& rng) const;
  PriceModelParams params_;
  double base_variance_;  // per second
};

}  // namespace tg4::sim
