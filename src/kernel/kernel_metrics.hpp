#pragma once
// The kernel's own metrics: tg4_kernel_queue_depth (gauge), tg4_kernel_event_seconds (histogram of
// the time to handle one event, 100 ns .. 10 ms) and tg4_kernel_events_total{type} (one label value
// per kernel::Event alternative: bounded). Observations are accumulated in plain counters on the
// kernel thread and handed to prometheus-cpp in one call per flush(), so measuring costs the hot
// path no lock.
#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "kernel/event.hpp"

namespace prometheus {
class Registry;
class Gauge;
class Counter;
class Histogram;
}  // namespace prometheus

namespace tg4::kernel {

class KernelMetrics {
 public:
  // Upper bounds of the histogram buckets, in seconds.
  static const std::vector<double>& bucket_bounds();

  explicit KernelMetrics(prometheus::Registry& registry);

  // Kernel thread only. One event of alternative `type_index` handled in `nanos`.
  void observe(std::size_t type_index, std::int64_t nanos) {
    ++type_counts_[type_index];
    std::size_t b = 0;
    while (b < kBuckets && nanos > bound_ns_[b]) ++b;
    ++bucket_counts_[b];
    sum_ns_ += nanos;
    ++pending_;
  }
  std::uint64_t pending() const { return pending_; }
  // Publishes what observe() accumulated, and the queue depth.
  void flush(std::size_t queue_depth);

 private:
  static constexpr std::size_t kBuckets = 16;

  std::array<std::int64_t, kBuckets> bound_ns_{};
  std::array<std::uint64_t, kBuckets + 1> bucket_counts_{};  // last: +Inf
  std::array<std::uint64_t, kEventTypes> type_counts_{};
  std::int64_t sum_ns_ = 0;
  std::uint64_t pending_ = 0;
  std::vector<double> increments_;  // reused by flush()

  prometheus::Gauge& queue_depth_;
  prometheus::Histogram& event_seconds_;
  std::array<prometheus::Counter*, kEventTypes> events_total_{};
};

}  // namespace tg4::kernel
