#include "kernel/kernel_metrics.hpp"

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

namespace tg4::kernel {

const std::vector<double>& KernelMetrics::bucket_bounds() {
  static const std::vector<double> bounds = {100e-9, 250e-9, 500e-9, 1e-6,   2.5e-6, 5e-6,
                                             10e-6,  25e-6,  50e-6,  100e-6, 250e-6, 500e-6,
                                             1e-3,   2.5e-3, 5e-3,   10e-3};
  return bounds;
}

KernelMetrics::KernelMetrics(prometheus::Registry& registry)
    : queue_depth_(prometheus::BuildGauge()
                       .Name("tg4_kernel_queue_depth")
                       .Help("Events queued for the kernel thread and not yet dispatched")
                       .Register(registry)
                       .Add({})),
      event_seconds_(prometheus::BuildHistogram()
                         .Name("tg4_kernel_event_seconds")
                         .Help("Time the kernel thread spent handling one event")
                         .Register(registry)
                         .Add({}, bucket_bounds())) {
  static_assert(kBuckets > 0);
  const auto& bounds = bucket_bounds();
  for (std::size_t i = 0; i < kBuckets; ++i)
    bound_ns_[i] = static_cast<std::int64_t>(bounds[i] * 1e9 + 0.5);
  auto& family = prometheus::BuildCounter()
                     .Name("tg4_kernel_events_total")
                     .Help("Events dispatched by the kernel, by type")
                     .Register(registry);
  for (std::size_t i = 0; i < kEventTypes; ++i)
    events_total_[i] = &family.Add({{"type", event_type_name(i)}});
  increments_.resize(kBuckets + 1);
}

void KernelMetrics::flush(std::size_t queue_depth) {
  queue_depth_.Set(static_cast<double>(queue_depth));
  if (pending_ == 0) return;
  for (std::size_t i = 0; i <= kBuckets; ++i) {
    increments_[i] = static_cast<double>(bucket_counts_[i]);
    bucket_counts_[i] = 0;
  }
  event_seconds_.ObserveMultiple(increments_, static_cast<double>(sum_ns_) * 1e-9);
  for (std::size_t i = 0; i < kEventTypes; ++i) {
    if (type_counts_[i] != 0) events_total_[i]->Increment(static_cast<double>(type_counts_[i]));
    type_counts_[i] = 0;
  }
  sum_ns_ = 0;
  pending_ = 0;
}

}  // namespace tg4::kernel
