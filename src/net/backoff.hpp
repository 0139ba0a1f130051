#pragma once
// Backoff: how long to wait before the next attempt after a failure (reconnects, rate-limit
// errors). Exponential from `base` up to `cap`, with "equal jitter": the delay is drawn uniformly
// from [d/2, d] where d = min(cap, base * 2^attempt), so many clients that fail together do not
// retry together, yet no retry comes sooner than half the nominal delay. The RNG is seeded by the
// owner, so tests see a reproducible sequence.
#include <chrono>
#include <cstdint>
#include <random>

namespace tg4::net {

struct BackoffOptions {
  std::chrono::milliseconds base{1000};
  std::chrono::milliseconds cap{60'000};
  double multiplier = 2.0;
};

class Backoff {
 public:
  explicit Backoff(BackoffOptions options = {}, std::uint64_t seed = std::random_device{}());

  // The delay before the next attempt; each call counts one more failure.
  std::chrono::milliseconds next();
  // After a success: the next failure starts again from `base`.
  void reset() { attempts_ = 0; }
  int attempts() const { return attempts_; }
  // The delay before jitter for the current attempt count (what next() would draw from).
  std::chrono::milliseconds nominal() const;
  const BackoffOptions& options() const { return options_; }

 private:
  BackoffOptions options_;
  std::mt19937_64 rng_;
  int attempts_ = 0;
};

}  // namespace tg4::net
