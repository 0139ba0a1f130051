#pragma once
// Kernel: the one thread that owns all trading state (DESIGN principle 1). Other threads post typed
// events to its queue; the kernel takes them in order (FIFO per producer), advances a simulated
// clock to each event's time (firing due timers first, in deadline order), and publishes each event
// on its Bus under the event's own type, where the pipeline (books, bars, strategies, risk,
// execution, storage hand-off) subscribes. Tasks run on the kernel thread; Stop ends run().
// The kernel does not know where events come from: backtest = paper = live (principle 2).
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "core/clock.hpp"
#include "core/events.hpp"
#include "kernel/bus.hpp"
#include "kernel/event.hpp"
#include "kernel/kernel_metrics.hpp"
#include "kernel/mpsc_queue.hpp"
#include "kernel/timers.hpp"

namespace prometheus {
class Registry;
}

namespace tg4::kernel {

struct KernelOptions {
  // 0: unbounded. Otherwise post() waits for room (backpressure on the producer; never a drop).
  std::size_t queue_capacity = 0;
  // Longest sleep of an idle run() without due timers; bounds how late a live timer can be noticed
  // if the wall clock jumps.
  std::chrono::milliseconds max_idle_wait{250};
  // Time every event on the wall clock and publish tg4_kernel_* metrics. A backtest turns it off:
  // its kernel's registry is private, and two clock reads per event were a fifth of its time.
  bool measure_events = true;
};

class Kernel {
 public:
  // Metrics go to a private registry (tests, tools).
  explicit Kernel(core::Clock& clock, KernelOptions options = {});
  // Metrics (tg4_kernel_*) registered on `registry`, which must outlive the Kernel.
  Kernel(core::Clock& clock, prometheus::Registry& registry, KernelOptions options = {});
  ~Kernel();
  Kernel(const Kernel&) = delete;
  Kernel& operator=(const Kernel&) = delete;

  // ---- any thread ----

  // Queues an event for the kernel thread. Events from one thread are dispatched in the order that
  // thread posted them.
  void post(Event event);
  // A feed's or venue's nested variant (core::MarketEvent, core::ExecutionEvent), flattened.
  template <typename V>
  requires(std::is_same_v<std::decay_t<V>, core::MarketEvent> ||
           std::is_same_v<std::decay_t<V>, core::ExecutionEvent>) void post(V&& event) {
    post(to_event(std::forward<V>(event)));
  }
  // Work for the kernel thread: kernel.post([&] { ... }).
  void post(Task task) { post(Event{std::move(task)}); }
  // Queues all of `events` (left empty) under one lock.
  void post_batch(std::vector<Event>& events);
  // Like post(), but fails instead of waiting when a bounded queue is full.
  bool try_post(Event event);
  // Graceful stop: run() returns after dispatching everything queued before this call.
  void stop() { post(Event{Stop{}}); }

  // Events queued and not yet dispatched.
  std::size_t queue_depth() const;

  // ---- kernel thread ----

  // Dispatches events on the calling thread (which becomes the kernel thread) until a Stop is
  // dispatched. With a live clock, fires timers when their deadline passes even without events.
  // An exception thrown by a handler propagates out of run(); the rest of the queue is kept.
  void run();
  // Dispatches everything queued, including what handlers post meanwhile, until the queue is empty
  // or a Stop is reached; then fires timers due by the clock's now. Returns the events dispatched
  // (Stop included). For backtests and tests: never sleeps.
  std::size_t run_until_empty();
  // Simulated clock only: fires every timer due up to `t` in deadline order, then sets the clock to
  // `t` (e.g. the end of a backtest, so the last daily reset happens). With a live clock it only
  // fires the timers already due. Returns how many fired.
  std::size_t advance_clock_to(core::Timestamp t);

  Bus& bus() { return bus_; }
  Timers& timers() { return timers_; }
  core::Clock& clock() const { return clock_; }
  bool simulated_clock() const { return simulated_ != nullptr; }
  // True on the thread inside run()/run_until_empty().
  bool on_kernel_thread() const {
    return std::this_thread::get_id() == kernel_thread_.load(std::memory_order_relaxed);
  }
  // Events dispatched since construction (Stop and Task included).
  std::uint64_t events_dispatched() const { return dispatched_; }

 private:
  Kernel(core::Clock& clock, std::unique_ptr<prometheus::Registry> own_registry,
         prometheus::Registry* registry, KernelOptions options);
  // Dispatches batch_[batch_pos_...] until the batch ends (true) or a Stop was dispatched (false).
  bool dispatch_batch();
  void dispatch(Event& event);
  void before_event(const Event& event);
  std::chrono::steady_clock::time_point idle_deadline();

  core::Clock& clock_;
  core::SimulatedClock* simulated_;
  KernelOptions options_;
  std::unique_ptr<prometheus::Registry> own_registry_;
  KernelMetrics metrics_;
  MpscQueue<Event> queue_;
  Bus bus_;
  Timers timers_;
  std::vector<Event> batch_;  // drained from queue_, dispatched from batch_pos_ on
  std::size_t batch_pos_ = 0;
  std::uint64_t dispatched_ = 0;
  std::atomic<std::thread::id> kernel_thread_{};  // read by any thread in on_kernel_thread()
};

}  // namespace tg4::kernel
