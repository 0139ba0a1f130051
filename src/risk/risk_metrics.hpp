#pragma once
// RiskMetrics: the risk families of SPEC §11 (verdicts by status and rule, breaker state, trading
// state, check latency, active cool-downs). Label sets are bounded by the engine's enums.
#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <array>

#include "risk/types.hpp"

namespace tg4::risk {

class RiskMetrics {
 public:
  explicit RiskMetrics(prometheus::Registry& registry);

  // One verdict and how long check() took.
  void on_verdict(const Verdict& verdict, double check_seconds);
  // The state after a change: breakers, trading state and cool-downs active at `now`.
  void on_state(const RiskState& state, Timestamp now);

 private:
  prometheus::Family<prometheus::Counter>& verdicts_;
  prometheus::Family<prometheus::Gauge>& breakers_;
  prometheus::Gauge& trading_state_;
  prometheus::Histogram& check_seconds_;
  prometheus::Family<prometheus::Gauge>& cooldowns_;
  std::array<prometheus::Gauge*, kBreakerCount> breaker_gauges_{};
  std::array<prometheus::Gauge*, kCooldownCount> cooldown_gauges_{};
};

}  // namespace tg4::risk
