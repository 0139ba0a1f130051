#include "net/backoff.hpp"

#include <algorithm>
#include <cmath>

namespace tg4::net {

Backoff::Backoff(BackoffOptions options, std::uint64_t seed) : options_(options), rng_(seed) {
  options_.base = std::max(options_.base, std::chrono::milliseconds(1));
  options_.cap = std::max(options_.cap, options_.base);
  options_.multiplier = std::max(options_.multiplier, 1.0);
}

std::chrono::milliseconds Backoff::nominal() const {
  // Computed in double so a long outage cannot overflow the integer before the cap applies.
  const double grown = static_cast<double>(options_.base.count()) *
                       std::pow(options_.multiplier, static_cast<double>(attempts_));
  const double capped = std::min(grown, static_cast<double>(options_.cap.count()));
  return std::chrono::milliseconds(static_cast<std::int64_t>(capped));
}

std::chrono::milliseconds Backoff::next() {
  const std::int64_t d = nominal().count();
  std::uniform_int_distribution<std::int64_t> jitter(d / 2, d);
  if (attempts_ < 1000) ++attempts_;  // far past the cap: stop counting
  return std::chrono::milliseconds(jitter(rng_));
}

}  // namespace tg4::net
