#pragma once
// LlmMetrics: the LLM family of SPEC §11 (requests, errors, latency, tokens and cost by provider
// and model), fed by ProviderClient, and the state of the decision agents (the day's spend against
// the budget, the degradation level, decision cycles by outcome), set by agents::LlmAdvisor. Label
// sets are bounded: providers and models come from the config, outcomes from the fixed lists below.
#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <utility>

namespace tg4::llm {

// How one call to complete() ended (the `outcome` label of tg4_llm_requests_total).
enum class LlmOutcome {
  kOk,
  kTruncated,       // answered, but stopped at max_tokens
  kHttpError,       // a 4xx other than 429, or a 5xx after the retries
  kRateLimited,     // the provider said 429 on every attempt, or asked (Retry-After) for a wait
                    // longer than the call may still take
  kLocalLimit,      // refused before sending: requests_per_minute reached beyond the timeout
  kTimeout,         // an attempt took longer than the timeout
  kTransportError,  // unreachable, refused, TLS failed, connection dropped
  kBadAnswer,       // a body that is not the wire format, an empty answer, or one the caller
                    // cannot use (not the JSON asked for: ProviderClient::AnswerCheck)
};
const char* to_string(LlmOutcome outcome);

// How one decision cycle of the agents ended (the `outcome` label of tg4_agents_cycles_total).
enum class CycleOutcome {
  kConsensus,    // enough valid answers for the consensus (a success for Degradation)
  kNoConsensus,  // models asked, too few valid answers (a failure)
  kRules,        // no model could be asked (budget, per-decision cap, none configured)
};
const char* to_string(CycleOutcome outcome);

class LlmMetrics {
 public:
  explicit LlmMetrics(prometheus::Registry& registry);

  // The series of one provider and model, made once (ProviderClient asks at construction) so every
  // series exists from the start and a call does not build label maps. Thread-safe.
  class Series {
   public:
    void on_call(LlmOutcome outcome, double seconds, bool attempted);
    void on_tokens(std::int64_t in, std::int64_t out, double cost_usd);
    void on_retry() { retries_->Increment(); }
    // A priced answer without usable token counts, charged an estimate instead.
    void on_usage_estimated() { usage_estimated_->Increment(); }

   private:
    friend class LlmMetrics;
    std::map<LlmOutcome, prometheus::Counter*> requests_;
    prometheus::Histogram* duration_ = nullptr;
    prometheus::Counter* tokens_in_ = nullptr;
    prometheus::Counter* tokens_out_ = nullptr;
    prometheus::Counter* cost_ = nullptr;
    prometheus::Counter* retries_ = nullptr;
    prometheus::Counter* usage_estimated_ = nullptr;
  };
  Series& series(const std::string& provider, const std::string& model);

  // The agents' state, from their one worker thread (Prometheus values are atomic). USD as doubles:
  // these are for display and alerting; the exact spend is in the decisions table.
  void set_budget(double daily_usd, double warn_usd);
  void set_spent_today(double usd) { budget_spent_.Set(usd); }
  // 0 NORMAL, 1 REDUCED, 2 LIMITED, 3 EMERGENCY (agents::DegradationLevel).
  void set_degradation_level(int level) { degradation_level_.Set(level); }
  void on_cycle(CycleOutcome outcome);
  // The regime agent's cycles, by the same outcomes (tg4_agents_regime_cycles_total).
  void on_regime_cycle(CycleOutcome outcome);
  // The technical analysis agent's cycles, likewise (tg4_agents_technical_cycles_total).
  void on_technical_cycle(CycleOutcome outcome);
  // The coordinator's cycles, likewise (tg4_agents_coordinator_cycles_total).
  void on_coordinator_cycle(CycleOutcome outcome);
  // The sentiment agent's cycles (tg4_agents_sentiment_cycles_total): consensus when some answer
  // was valid, no_consensus when none was, rules when no model was asked (none eligible, breaker
  // open).
  void on_sentiment_cycle(CycleOutcome outcome);

 private:
  prometheus::Family<prometheus::Counter>& requests_;
  prometheus::Family<prometheus::Histogram>& duration_;
  prometheus::Family<prometheus::Counter>& tokens_;
  prometheus::Family<prometheus::Counter>& cost_;
  prometheus::Family<prometheus::Counter>& retries_;
  prometheus::Family<prometheus::Counter>& usage_estimated_;
  prometheus::Gauge& budget_spent_;
  prometheus::Gauge& budget_daily_;
  prometheus::Gauge& budget_warn_;
  prometheus::Gauge& degradation_level_;
  std::map<CycleOutcome, prometheus::Counter*> cycles_;
  std::map<CycleOutcome, prometheus::Counter*> regime_cycles_;
  std::map<CycleOutcome, prometheus::Counter*> technical_cycles_;
  std::map<CycleOutcome, prometheus::Counter*> coordinator_cycles_;
  std::map<CycleOutcome, prometheus::Counter*> sentiment_cycles_;
  std::mutex mutex_;
  std::map<std::pair<std::string, std::string>, Series>
      series_;  // node-based: references stay valid
};

}  // namespace tg4::llm
