#include "risk/risk_metrics.hpp"

namespace tg4::risk {
namespace {

// Risk checks take microseconds; the top buckets catch a pathological case.
prometheus::Histogram::BucketBoundaries check_buckets() {
  return {1e-7, 2.5e-7, 5e-7, 1e-6, 2e-6, 5e-6, 1e-5, 2.5e-5, 1e-4, 1e-3, 1e-2};
}

constexpr std::array<VerdictStatus, 4> kStatuses{VerdictStatus::kApproved, VerdictStatus::kModified,
                                                 VerdictStatus::kRejected, VerdictStatus::kHalted};

}  // namespace

RiskMetrics::RiskMetrics(prometheus::Registry& registry)
    : verdicts_(prometheus::BuildCounter()
                    .Name("tg4_risk_verdicts_total")
                    .Help("Risk verdicts by status and deciding rule")
                    .Register(registry)),
      breakers_(prometheus::BuildGauge()
                    .Name("tg4_risk_breaker_state")
                    .Help("Circuit breaker tripped (1) or not (0)")
                    .Register(registry)),
      trading_state_(prometheus::BuildGauge()
                         .Name("tg4_risk_trading_state")
                         .Help("Trading state: 0 active, 1 reducing, 2 halted")
                         .Register(registry)
                         .Add({})),
      check_seconds_(prometheus::BuildHistogram()
                         .Name("tg4_risk_check_seconds")
                         .Help("Time of one risk check")
                         .Register(registry)
                         .Add({}, check_buckets())),
      cooldowns_(prometheus::BuildGauge()
                     .Name("tg4_risk_cooldown_active")
                     .Help("Cool-down active (1) or not (0) by reason")
                     .Register(registry)) {
  for (std::size_t i = 0; i < kBreakerCount; ++i) {
    breaker_gauges_[i] = &breakers_.Add({{"breaker", to_string(static_cast<Breaker>(i))}});
  }
  for (std::size_t i = 0; i < kCooldownCount; ++i) {
    cooldown_gauges_[i] = &cooldowns_.Add({{"reason", to_string(static_cast<CooldownReason>(i))}});
  }
  // The common series exist from the start, so rates are defined before the first verdict.
  for (VerdictStatus status : kStatuses) {
    verdicts_.Add({{"status", to_string(status)}, {"rule", rule_label(Rule::kNone)}});
  }
}

void RiskMetrics::on_verdict(const Verdict& verdict, double check_seconds) {
  verdicts_.Add({{"status", to_string(verdict.status)}, {"rule", rule_label(verdict.rule)}})
      .Increment();
  check_seconds_.Observe(check_seconds);
}

void RiskMetrics::on_state(const RiskState& state, Timestamp now) {
  for (std::size_t i = 0; i < kBreakerCount; ++i) {
    breaker_gauges_[i]->Set(state.breakers[i].tripped ? 1.0 : 0.0);
  }
  for (std::size_t i = 0; i < kCooldownCount; ++i) {
    cooldown_gauges_[i]->Set(state.cooldowns[i].active(now) ? 1.0 : 0.0);
  }
  trading_state_.Set(static_cast<double>(static_cast<int>(state.trading_state)));
}

}  // namespace tg4::risk
