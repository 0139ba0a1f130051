#pragma once
// Timers on the kernel's clock (core::Clock): one-shot and periodic, cancelable, fired on the
// kernel thread in deadline order (equal deadlines: in the order they were scheduled). With a
// core::SimulatedClock the clock is advanced to each timer's deadline just before it fires, so a
// callback reading clock.now() sees exactly its deadline, in a backtest as live (principle 2).
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <queue>
#include <unordered_map>
#include <vector>

#include "core/clock.hpp"
#include "core/time.hpp"

namespace tg4::kernel {

using TimerId = std::uint64_t;  // never 0

class Timers {
 public:
  using Callback = std::function<void()>;

  // `clock` must outlive the Timers. When it is a SimulatedClock, fire_due() advances it.
  explicit Timers(core::Clock& clock);
  Timers(const Timers&) = delete;
  Timers& operator=(const Timers&) = delete;

  // One-shot at `deadline` (a deadline already passed fires on the next fire_due()).
  TimerId at(core::Timestamp deadline, Callback callback);
  // One-shot `delay` after clock.now().
  TimerId after(core::Duration delay, Callback callback);
  // Periodic: first at `first`, then every `period` after the previous deadline (no drift). When
  // the clock jumps over several periods, each missed occurrence fires, in order, as it would have
  // live. `period` must be positive.
  TimerId every(core::Duration period, core::Timestamp first, Callback callback);
  // Periodic with the first firing one period from now.
  TimerId every(core::Duration period, Callback callback);
  // Every day at `offset` after 00:00 UTC (e.g. the daily loss reset), starting with the next one.
  TimerId daily_utc(core::Duration offset, Callback callback);

  // Cancels a pending timer; also from inside any callback, including its own. False when `id` is
  // unknown, already fired (one-shot) or already canceled.
  bool cancel(TimerId id);

  // Fires, in deadline order, every timer whose deadline is <= `limit`, including timers scheduled
  // by callbacks within the limit. Returns how many fired.
  std::size_t fire_due(core::Timestamp limit);
  // fire_due(clock.now()).
  std::size_t fire_due() { return fire_due(clock_.now()); }

  // Earliest pending deadline.
  std::optional<core::Timestamp> next_deadline();
  std::size_t pending() const { return entries_.size(); }
  core::Clock& clock() const { return clock_; }

 private:
  struct Entry {
    core::Timestamp deadline;
    core::Duration period;  // zero: one-shot
    Callback callback;
  };
  struct HeapItem {
    core::Timestamp deadline;
    std::uint64_t seq;
    TimerId id;
    bool operator>(const HeapItem& o) const {
      return deadline != o.deadline ? deadline > o.deadline : seq > o.seq;
    }
  };

  TimerId schedule(core::Timestamp deadline, core::Duration period, Callback callback);
  void push(core::Timestamp deadline, TimerId id);
  void drop_stale_top();

  core::Clock& clock_;
  core::SimulatedClock* simulated_;  // non-null when clock_ is simulated
  std::unordered_map<TimerId, Entry> entries_;
  // Lazy deletion: canceled or rescheduled timers leave stale items, skipped when they surface.
  std::priority_queue<HeapItem, std::vector<HeapItem>, std::greater<>> heap_;
  std::size_t stale_ = 0;  // heap items of canceled timers not yet dropped
  TimerId next_id_ = 1;
  std::uint64_t next_seq_ = 0;
};

}  // namespace tg4::kernel
