#pragma once
// The sentiment agent's circuit breaker (SPEC §6): after agents.sentiment_breaker_failures (3)
// cycles in a row without a valid answer it opens, and no model is asked for
// agents.sentiment_breaker_cooldown (300 s); then one cycle may ask again: a valid answer closes
// it, another failure opens it for a new cool-down. Times are the cycles' own (simulated in tests).
#include <optional>

#include "core/time.hpp"

namespace tg4::agents {

class SentimentBreaker {
 public:
  SentimentBreaker(int failures_to_open, core::Duration cooldown);

  // Closed, or open with its cool-down over.
  bool allows(core::Timestamp now) const { return !open_until_ || now >= *open_until_; }
  void on_success();
  // True when this failure opens the breaker (or opens it again after a cool-down).
  bool on_failure(core::Timestamp now);
  // While open: when the cool-down ends.
  const std::optional<core::Timestamp>& open_until() const { return open_until_; }
  int consecutive_failures() const { return failures_; }

 private:
  int failures_to_open_;
  core::Duration cooldown_;
  int failures_ = 0;
  std::optional<core::Timestamp> open_until_;
};

}  // namespace tg4::agents
