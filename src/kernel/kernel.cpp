#include "kernel/kernel.hpp"

#include <prometheus/registry.h>

#include <algorithm>
#include <utility>

namespace tg4::kernel {
namespace {

using SteadyClock = std::chrono::steady_clock;

// Live timers are checked at least this often while a long batch is dispatched.
constexpr std::size_t kLiveTimerCheckEvery = 1024;
// Metrics are handed to prometheus at the end of each batch and at least this often within one.
constexpr std::uint64_t kMetricsFlushEvery = 4096;

std::int64_t elapsed_ns(SteadyClock::time_point from, SteadyClock::time_point to) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(to - from).count();
}

}  // namespace

Kernel::Kernel(core::Clock& clock, KernelOptions options)
    : Kernel(clock, std::make_unique<prometheus::Registry>(), nullptr, options) {}

Kernel::Kernel(core::Clock& clock, prometheus::Registry& registry, KernelOptions options)
    : Kernel(clock, nullptr, &registry, options) {}

Kernel::Kernel(core::Clock& clock, std::unique_ptr<prometheus::Registry> own_registry,
               prometheus::Registry* registry, KernelOptions options)
    : clock_(clock),
      simulated_(dynamic_cast<core::SimulatedClock*>(&clock)),
      options_(options),
      own_registry_(std::move(own_registry)),
      metrics_(registry != nullptr ? *registry : *own_registry_),
      queue_(options.queue_capacity),
      timers_(clock) {}

Kernel::~Kernel() = default;

void Kernel::post(Event event) {
  queue_.push(std::move(event));
}

void Kernel::post_batch(std::vector<Event>& events) {
  queue_.push_batch(events);
}

bool Kernel::try_post(Event event) {
  return queue_.try_push(std::move(event));
}

std::size_t Kernel::queue_depth() const {
  // batch_ is the kernel thread's; other threads see only what is still in the queue.
  const std::size_t in_batch = on_kernel_thread() ? batch_.size() - batch_pos_ : 0;
  return queue_.size() + in_batch;
}

void Kernel::run() {
  kernel_thread_.store(std::this_thread::get_id(), std::memory_order_relaxed);
  for (;;) {
    if (!dispatch_batch()) break;
    metrics_.flush(queue_.size());
    if (simulated_ == nullptr) timers_.fire_due();
    queue_.wait_drain(batch_, idle_deadline());
    batch_pos_ = 0;
    if (simulated_ == nullptr) timers_.fire_due();
  }
  metrics_.flush(queue_.size() + batch_.size() - batch_pos_);
}

std::size_t Kernel::run_until_empty() {
  kernel_thread_.store(std::this_thread::get_id(), std::memory_order_relaxed);
  const std::uint64_t before = dispatched_;
  bool stopped = false;
  for (;;) {
    if (!dispatch_batch()) {
      stopped = true;
      break;
    }
    const std::size_t drained = queue_.drain(batch_);
    batch_pos_ = 0;
    if (drained == 0) break;
  }
  if (!stopped) timers_.fire_due();
  if (options_.measure_events) metrics_.flush(queue_.size() + batch_.size() - batch_pos_);
  return static_cast<std::size_t>(dispatched_ - before);
}

std::size_t Kernel::advance_clock_to(core::Timestamp t) {
  kernel_thread_.store(std::this_thread::get_id(), std::memory_order_relaxed);
  if (simulated_ == nullptr) return timers_.fire_due();
  const std::size_t fired = timers_.fire_due(t);
  simulated_->advance_to(t);
  return fired;
}

std::chrono::steady_clock::time_point Kernel::idle_deadline() {
  const auto now = SteadyClock::now();
  auto wait = std::chrono::duration_cast<SteadyClock::duration>(options_.max_idle_wait);
  if (simulated_ == nullptr) {
    if (const auto next = timers_.next_deadline()) {
      const auto until_timer = std::max(core::Duration::zero(), *next - clock_.now());
      wait = std::min(wait, std::chrono::duration_cast<SteadyClock::duration>(until_timer));
    }
  }
  return now + wait;
}

bool Kernel::dispatch_batch() {
  const bool measure = options_.measure_events;
  auto start = measure ? SteadyClock::now() : SteadyClock::time_point{};
  while (batch_pos_ < batch_.size()) {
    Event& event = batch_[batch_pos_++];
    const std::size_t type = event.index();
    if (type == event_index<Stop>()) {
      ++dispatched_;
      if (measure) metrics_.observe(type, 0);
      return false;
    }
    before_event(event);
    dispatch(event);
    ++dispatched_;
    if (measure) {
      const auto end = SteadyClock::now();
      metrics_.observe(type, elapsed_ns(start, end));
      start = end;
      if (metrics_.pending() >= kMetricsFlushEvery) metrics_.flush(queue_depth());
    }
    if (simulated_ == nullptr && dispatched_ % kLiveTimerCheckEvery == 0) timers_.fire_due();
  }
  return true;
}

void Kernel::before_event(const Event& event) {
  if (simulated_ == nullptr) return;
  // Event time drives a simulated clock: timers due by then fire first, in deadline order, each
  // seeing its own deadline as now; then the clock moves to the event (never backwards).
  const core::Timestamp t = std::max(event_time(event), simulated_->now());
  timers_.fire_due(t);
  simulated_->advance_to(t);
}

void Kernel::dispatch(Event& event) {
  std::visit(
      [this](auto& e) {
        using T = std::decay_t<decltype(e)>;
        if constexpr (std::is_same_v<T, Task>) {
          if (e) {
            Task task = std::move(e);
            task();
          }
        } else if constexpr (!std::is_same_v<T, Stop>) {
          bus_.publish<T>(e);
        }
      },
      event);
}

}  // namespace tg4::kernel
