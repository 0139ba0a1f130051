#include "llm/llm_metrics.hpp"

namespace tg4::llm {

namespace {

constexpr LlmOutcome kAllOutcomes[] = {LlmOutcome::kOk,
                                       LlmOutcome::kTruncated,
                                       LlmOutcome::kHttpError,
                                       LlmOutcome::kRateLimited,
                                       LlmOutcome::kLocalLimit,
                                       LlmOutcome::kTimeout,
                                       LlmOutcome::kTransportError,
                                       LlmOutcome::kBadAnswer};

constexpr CycleOutcome kAllCycleOutcomes[] = {CycleOutcome::kConsensus, CycleOutcome::kNoConsensus,
                                              CycleOutcome::kRules};

prometheus::Gauge& plain_gauge(prometheus::Registry& registry, const char* name, const char* help) {
  return prometheus::BuildGauge().Name(name).Help(help).Register(registry).Add({});
}

// Models answer in a fraction of a second (local, small) to a minute (large, long answers).
prometheus::Histogram::BucketBoundaries llm_latency_buckets() {
  return {0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 30, 60, 120};
}

}  // namespace

const char* to_string(LlmOutcome outcome) {
  switch (outcome) {
    case LlmOutcome::kOk:
      return "ok";
    case LlmOutcome::kTruncated:
      return "truncated";
    case LlmOutcome::kHttpError:
      return "http_error";
    case LlmOutcome::kRateLimited:
      return "rate_limited";
    case LlmOutcome::kLocalLimit:
      return "local_limit";
    case LlmOutcome::kTimeout:
      return "timeout";
    case LlmOutcome::kTransportError:
      return "transport_error";
    case LlmOutcome::kBadAnswer:
      return "bad_answer";
  }
  return "unknown";
}

const char* to_string(CycleOutcome outcome) {
  switch (outcome) {
    case CycleOutcome::kConsensus:
      return "consensus";
    case CycleOutcome::kNoConsensus:
      return "no_consensus";
    case CycleOutcome::kRules:
      return "rules";
  }
  return "unknown";
}

LlmMetrics::LlmMetrics(prometheus::Registry& registry)
    : requests_(prometheus::BuildCounter()
                    .Name("tg4_llm_requests_total")
                    .Help("LLM calls by provider, model and outcome (ok, truncated, http_error, "
                          "rate_limited, local_limit, timeout, transport_error, bad_answer)")
                    .Register(registry)),
      duration_(prometheus::BuildHistogram()
                    .Name("tg4_llm_request_duration_seconds")
                    .Help("LLM call latency from the first attempt to the answer or the failure, "
                          "retries included")
                    .Register(registry)),
      tokens_(
          prometheus::BuildCounter()
              .Name("tg4_llm_tokens_total")
              .Help(
                  "Tokens as the provider reported them (estimated when it did not), direction in "
                  "(prompt) or out (answer)")
              .Register(registry)),
      cost_(prometheus::BuildCounter()
                .Name("tg4_llm_cost_usd_total")
                .Help("LLM spend in USD at the configured prices")
                .Register(registry)),
      retries_(prometheus::BuildCounter()
                   .Name("tg4_llm_retries_total")
                   .Help("LLM attempts repeated after a 429 or 5xx")
                   .Register(registry)),
      usage_estimated_(prometheus::BuildCounter()
                           .Name("tg4_llm_usage_estimated_total")
                           .Help("Answers of priced providers without usable token counts, "
                                 "charged the call's worst case instead")
                           .Register(registry)),
      budget_spent_(plain_gauge(registry, "tg4_llm_budget_spent_usd",
                                "LLM spend in USD on the current UTC day, as of the last decision "
                                "cycle (llm.daily_budget_usd limits it)")),
      budget_daily_(
          plain_gauge(registry, "tg4_llm_budget_daily_usd",
                      "The daily LLM budget in USD (llm.daily_budget_usd); beyond it only "
                      "local models are asked")),
      budget_warn_(
          plain_gauge(registry, "tg4_llm_budget_warn_usd",
                      "The day's LLM spend in USD that is warned of (llm.budget_warn_usd)")),
      degradation_level_(plain_gauge(
          registry, "tg4_agents_degradation_level",
          "Degradation of the LLM decision path: 0 NORMAL, 1 REDUCED, 2 LIMITED, 3 EMERGENCY")) {
  auto& cycles = prometheus::BuildCounter()
                     .Name("tg4_agents_cycles_total")
                     .Help(
                         "Decision cycles by outcome: consensus (enough valid answers), "
                         "no_consensus (too few valid answers), rules (no model could be asked)")
                     .Register(registry);
  auto& regime_cycles = prometheus::BuildCounter()
                            .Name("tg4_agents_regime_cycles_total")
                            .Help("Regime detection cycles by outcome: consensus (enough valid answers), "
                                  "no_consensus (too few valid answers), rules (no model could be asked)")
                            .Register(registry);
  auto& technical_cycles =
      prometheus::BuildCounter()
          .Name("tg4_agents_technical_cycles_total")
          .Help(
              "Technical analysis cycles by outcome: consensus (enough valid answers), "
              "no_consensus (too few valid answers), rules (no model could be asked)")
          .Register(registry);
  auto& coordinator_cycles =
      prometheus::BuildCounter()
          .Name("tg4_agents_coordinator_cycles_total")
          .Help(
              "Coordinator cycles by outcome: consensus (enough valid answers), no_consensus (too "
              "few valid answers), rules (no model could be asked)")
          .Register(registry);
  auto& sentiment_cycles =
      prometheus::BuildCounter()
          .Name("tg4_agents_sentiment_cycles_total")
          .Help(
              "Sentiment cycles by outcome: consensus (a valid answer), no_consensus (none "
              "valid), rules (no model asked: none eligible, or the breaker open)")
          .Register(registry);
  for (const CycleOutcome outcome : kAllCycleOutcomes) {
    sentiment_cycles_[outcome] = &sentiment_cycles.Add({{"outcome", to_string(outcome)}});
    cycles_[outcome] = &cycles.Add({{"outcome", to_string(outcome)}});
    regime_cycles_[outcome] = &regime_cycles.Add({{"outcome", to_string(outcome)}});
    technical_cycles_[outcome] = &technical_cycles.Add({{"outcome", to_string(outcome)}});
    coordinator_cycles_[outcome] = &coordinator_cycles.Add({{"outcome", to_string(outcome)}});
  }
}

LlmMetrics::Series& LlmMetrics::series(const std::string& provider, const std::string& model) {
  const std::lock_guard lock(mutex_);
  const auto key = std::make_pair(provider, model);
  if (const auto it = series_.find(key); it != series_.end()) return it->second;
  Series& s = series_[key];
  for (const LlmOutcome outcome : kAllOutcomes) {
    s.requests_[outcome] =
        &requests_.Add({{"provider", provider}, {"model", model}, {"outcome", to_string(outcome)}});
  }
  s.duration_ = &duration_.Add({{"provider", provider}, {"model", model}}, llm_latency_buckets());
  s.tokens_in_ = &tokens_.Add({{"provider", provider}, {"model", model}, {"direction", "in"}});
  s.tokens_out_ = &tokens_.Add({{"provider", provider}, {"model", model}, {"direction", "out"}});
  s.cost_ = &cost_.Add({{"provider", provider}, {"model", model}});
  s.retries_ = &retries_.Add({{"provider", provider}, {"model", model}});
  s.usage_estimated_ = &usage_estimated_.Add({{"provider", provider}, {"model", model}});
  return s;
}

void LlmMetrics::set_budget(double daily_usd, double warn_usd) {
  budget_daily_.Set(daily_usd);
  budget_warn_.Set(warn_usd);
}

void LlmMetrics::on_cycle(CycleOutcome outcome) {
  cycles_.at(outcome)->Increment();
}

void LlmMetrics::on_regime_cycle(CycleOutcome outcome) {
  regime_cycles_.at(outcome)->Increment();
}

void LlmMetrics::on_sentiment_cycle(CycleOutcome outcome) {
  sentiment_cycles_.at(outcome)->Increment();
}

void LlmMetrics::on_coordinator_cycle(CycleOutcome outcome) {
  coordinator_cycles_.at(outcome)->Increment();
}

void LlmMetrics::on_technical_cycle(CycleOutcome outcome) {
  technical_cycles_.at(outcome)->Increment();
}

void LlmMetrics::Series::on_call(LlmOutcome outcome, double seconds, bool attempted) {
  requests_.at(outcome)->Increment();
  if (attempted) duration_->Observe(seconds);
}

void LlmMetrics::Series::on_tokens(std::int64_t in, std::int64_t out, double cost_usd) {
  if (in > 0) tokens_in_->Increment(static_cast<double>(in));
  if (out > 0) tokens_out_->Increment(static_cast<double>(out));
  if (cost_usd > 0) cost_->Increment(cost_usd);
}

}  // namespace tg4::llm
