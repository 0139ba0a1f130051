#pragma once
// Clock: where the kernel reads "now". Live trading uses the wall clock; backtests use a simulated
// clock that advances with event time, so timers, cool-downs and daily resets behave identically.
#include <atomic>

#include "core/time.hpp"

namespace tg4::core {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual Timestamp now() const = 0;
};

class LiveClock final : public Clock {
 public:
  Timestamp now() const override {
    return {std::chrono::duration_cast<Duration>(std::chrono::system_clock::now().time_since_epoch()).count()};
  }
};

// Monotonic: advance_to() with an earlier time is ignored, so out-of-order events cannot rewind time.
class SimulatedClock final : public Clock {
 public:
  explicit SimulatedClock(Timestamp start = {}) : now_(start.ns) {}
  Timestamp now() const override { return {now_.load(std::memory_order_relaxed)}; }
  void advance_to(Timestamp t) {
    if (t.ns > now_.load(std::memory_order_relaxed)) now_.store(t.ns, std::memory_order_relaxed);
  }
  void advance_by(Duration d) { now_.fetch_add(d.count(), std::memory_order_relaxed); }

 private:
  std::atomic<std::int64_t> now_;
};

}  // namespace tg4::core
