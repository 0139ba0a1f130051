#include "agents/sentiment_breaker.hpp"

namespace tg4::agents {

SentimentBreaker::SentimentBreaker(int failures_to_open, core::Duration cooldown)
    : failures_to_open_(failures_to_open), cooldown_(cooldown) {}

void SentimentBreaker::on_success() {
  failures_ = 0;
  open_until_.reset();
}

bool SentimentBreaker::on_failure(core::Timestamp now) {
  ++failures_;
  // Open, or half-open after its cool-down: one more failure (re)opens it at once.
  if (failures_ < failures_to_open_ && !open_until_) return false;
  open_until_ = now + cooldown_;
  return true;
}

}  // namespace tg4::agents
