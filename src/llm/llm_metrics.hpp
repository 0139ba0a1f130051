#pragma once
// LlmMetrics: the LLM family of SPEC §11 (requests, errors, latency, tokens and cost by provider
// and model), fed by ProviderClient. Label sets are bounded: providers and models come from the
// config, outcomes from the fixed list below.
#include <prometheus/counter.h>
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
  kRateLimited,     // the provider said 429 on every attempt
  kLocalLimit,      // refused before sending: requests_per_minute reached beyond the timeout
  kTimeout,         // an attempt took longer than the timeout
  kTransportError,  // unreachable, refused, TLS failed, connection dropped
  kBadAnswer,       // a body that is not the wire format, or an empty answer
};
const char* to_string(LlmOutcome outcome);

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

   private:
    friend class LlmMetrics;
    std::map<LlmOutcome, prometheus::Counter*> requests_;
    prometheus::Histogram* duration_ = nullptr;
    prometheus::Counter* tokens_in_ = nullptr;
    prometheus::Counter* tokens_out_ = nullptr;
    prometheus::Counter* cost_ = nullptr;
    prometheus::Counter* retries_ = nullptr;
  };
  Series& series(const std::string& provider, const std::string& model);

 private:
  prometheus::Family<prometheus::Counter>& requests_;
  prometheus::Family<prometheus::Histogram>& duration_;
  prometheus::Family<prometheus::Counter>& tokens_;
  prometheus::Family<prometheus::Counter>& cost_;
  prometheus::Family<prometheus::Counter>& retries_;
  std::mutex mutex_;
  std::map<std::pair<std::string, std::string>, Series>
      series_;  // node-based: references stay valid
};

}  // namespace tg4::llm
