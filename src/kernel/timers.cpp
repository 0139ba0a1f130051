#include "kernel/timers.hpp"

#include <stdexcept>
#include <utility>

namespace tg4::kernel {

Timers::Timers(core::Clock& clock)
    : clock_(clock), simulated_(dynamic_cast<core::SimulatedClock*>(&clock)) {}

TimerId Timers::at(core::Timestamp deadline, Callback callback) {
  return schedule(deadline, core::Duration::zero(), std::move(callback));
}

TimerId Timers::after(core::Duration delay, Callback callback) {
  return schedule(clock_.now() + delay, core::Duration::zero(), std::move(callback));
}

TimerId Timers::every(core::Duration period, core::Timestamp first, Callback callback) {
  if (period <= core::Duration::zero()) {
    throw std::invalid_argument("kernel::Timers::every: period must be positive, got " +
                                std::to_string(period.count()) + " ns");
  }
  return schedule(first, period, std::move(callback));
}

TimerId Timers::every(core::Duration period, Callback callback) {
  return every(period, clock_.now() + period, std::move(callback));
}

TimerId Timers::daily_utc(core::Duration offset, Callback callback) {
  constexpr core::Duration kDay = std::chrono::hours(24);
  const core::Timestamp now = clock_.now();
  core::Timestamp first = core::utc_day_start(now) + offset;
  while (first <= now) first += kDay;
  return every(kDay, first, std::move(callback));
}

TimerId Timers::schedule(core::Timestamp deadline, core::Duration period, Callback callback) {
  const TimerId id = next_id_++;
  entries_.emplace(id, Entry{deadline, period, std::move(callback)});
  push(deadline, id);
  return id;
}

void Timers::push(core::Timestamp deadline, TimerId id) {
  heap_.push(HeapItem{deadline, next_seq_++, id});
}

bool Timers::cancel(TimerId id) {
  if (entries_.erase(id) == 0) return false;
  ++stale_;  // its heap item stays until it surfaces
  return true;
}

void Timers::drop_stale_top() {
  // Every live timer has exactly one heap item; only a cancel leaves one behind. Without any, the
  // top is live: no lookup (this runs before every event of a simulated run).
  while (stale_ > 0 && !heap_.empty()) {
    const HeapItem& top = heap_.top();
    const auto it = entries_.find(top.id);
    if (it != entries_.end() && it->second.deadline == top.deadline) return;
    heap_.pop();
    --stale_;
  }
}

std::optional<core::Timestamp> Timers::next_deadline() {
  drop_stale_top();
  if (heap_.empty()) return std::nullopt;
  return heap_.top().deadline;
}

std::size_t Timers::fire_due(core::Timestamp limit) {
  std::size_t fired = 0;
  for (;;) {
    drop_stale_top();
    if (heap_.empty() || heap_.top().deadline > limit) return fired;
    const HeapItem item = heap_.top();
    heap_.pop();
    auto it = entries_.find(item.id);
    if (simulated_ != nullptr) simulated_->advance_to(item.deadline);
    // The callback is moved out while it runs: it may cancel its own timer (erasing the entry).
    Callback callback = std::move(it->second.callback);
    const core::Duration period = it->second.period;
    if (period == core::Duration::zero()) {
      entries_.erase(it);
    } else {
      it->second.deadline = item.deadline + period;
      push(it->second.deadline, item.id);
    }
    ++fired;
    callback();
    if (period != core::Duration::zero()) {
      it = entries_.find(item.id);
      if (it != entries_.end()) it->second.callback = std::move(callback);
    }
  }
}

}  // namespace tg4::kernel
