#pragma once
// Random: the simulator's only source of randomness. A seeded std::mt19937_64 with the draws written
// here (not std::*_distribution, whose algorithms differ between standard libraries), so one seed gives
// one stream of market events on every build. derive_seed() splits independent streams, e.g. one per
// symbol and per minute of history, so a minute can be regenerated on its own.
#include <cmath>
#include <cstdint>
#include <random>
#include <string_view>

namespace tg4::sim {

// splitmix64 finaliser: a cheap, well-mixed 64-bit hash.
constexpr std::uint64_t mix64(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

constexpr std::uint64_t derive_seed(std::uint64_t seed, std::uint64_t a, std::uint64_t b = 0) {
  return mix64(mix64(seed ^ mix64(a)) ^ mix64(b + 0x51ED270B27ULL));
}

// FNV-1a, for stable per-symbol stream ids ("BTC/USDT" keeps its stream when symbols are added).
constexpr std::uint64_t hash_text(std::string_view text) {
  std::uint64_t h = 0xCBF29CE484222325ULL;
  for (const char c : text) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001B3ULL;
  }
  return h;
}

class Random {
 public:
  explicit Random(std::uint64_t seed) : engine_(seed) {}

  std::uint64_t next() { return engine_(); }
  // Uniform in [0, 1).
  double uniform() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }
  // Uniform in (0, 1]: safe under log().
  double uniform_open() { return 1.0 - uniform(); }
  std::uint64_t below(std::uint64_t n) { return n == 0 ? 0 : engine_() % n; }
  bool chance(double p) { return uniform() < p; }

  double normal() {  // Box-Muller, one value per call so the stream has no hidden cache
    const double u1 = uniform_open();
    const double u2 = uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
  }
  double exponential(double rate) { return -std::log(uniform_open()) / rate; }
  double lognormal(double mu, double sigma) { return std::exp(mu + sigma * normal()); }
  // Number of failures before the first success with mean `mean` (>= 0).
  std::int64_t geometric(double mean) {
    if (mean <= 0) return 0;
    const double p = 1.0 / (1.0 + mean);
    return static_cast<std::int64_t>(std::floor(std::log(uniform_open()) / std::log1p(-p)));
  }
  std::int64_t poisson(double lambda) {
    if (lambda <= 0) return 0;
    if (lambda > 60) {  // normal approximation is plenty for arrival counts this large
      const double x = std::round(lambda + std::sqrt(lambda) * normal());
      return x < 0 ? 0 : static_cast<std::int64_t>(x);
    }
    const double limit = std::exp(-lambda);
    std::int64_t k = 0;
    double p = uniform_open();
    while (p > limit) {
      ++k;
      p *= uniform_open();
    }
    return k;
  }

 private:
  std::mt19937_64 engine_;
};

}  // namespace tg4::sim
