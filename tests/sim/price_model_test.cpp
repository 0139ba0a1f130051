#include "sim/price_model.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <numeric>
#include <vector>

namespace tg4::sim {
namespace {

// A day of one-second returns from the model.
std::vector<double> returns(std::uint64_t seed, std::map<Regime, double>* time_in_regime = nullptr) {
  PriceModel model(PriceModelParams{0.6, 1200.0});
  Random rng(seed);
  PriceState s = model.initial(60000.0, rng);
  std::vector<double> out;
  for (int i = 0; i < 86400; ++i) {
    const double before = s.log_price;
    model.advance(s, rng, 1.0);
    out.push_back(s.log_price - before);
    if (time_in_regime != nullptr) (*time_in_regime)[s.regime] += 1.0;
  }
  return out;
}

TEST(PriceModel, SameSeedSamePath) {
  EXPECT_EQ(returns(3), returns(3));
  EXPECT_NE(returns(3), returns(4));
}

TEST(PriceModel, VisitsEveryRegime) {
  std::map<Regime, double> time;
  returns(5, &time);
  EXPECT_GT(time[Regime::kRanging], 3600.0);
  EXPECT_GT(time[Regime::kTrending], 3600.0);
  EXPECT_GT(time[Regime::kVolatile], 600.0);
}

TEST(PriceModel, DailyVolatilityIsPlausible) {
  const auto r = returns(6);
  double var = 0;
  for (const double x : r) var += x * x;
  const double daily = std::sqrt(var);
  // 60 % a year is ~3 % a day; regimes make it wander, not explode.
  EXPECT_GT(daily, 0.01);
  EXPECT_LT(daily, 0.12);
}

TEST(PriceModel, VolatilityClusters) {
  // Squared returns are positively autocorrelated (calm follows calm, turbulence follows turbulence),
  // unlike the independent shocks of a plain random walk.
  const auto r = returns(8);
  std::vector<double> sq(r.size());
  for (std::size_t i = 0; i < r.size(); ++i) sq[i] = r[i] * r[i];
  const double mean = std::accumulate(sq.begin(), sq.end(), 0.0) / static_cast<double>(sq.size());
  double num = 0, den = 0;
  for (std::size_t i = 0; i + 1 < sq.size(); ++i) num += (sq[i] - mean) * (sq[i + 1] - mean);
  for (const double x : sq) den += (x - mean) * (x - mean);
  EXPECT_GT(num / den, 0.05);
}

}  // namespace
}  // namespace tg4::sim
