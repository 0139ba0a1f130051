#pragma once
// ProviderClient: one configured LLM provider (SPEC §6). Speaks either OpenAI-compatible chat
// completions (OpenAI, DeepSeek, xAI, Ollama, vLLM, llama.cpp server: POST
// {base_url}/chat/completions) or Anthropic Messages (POST {base_url}/v1/messages), over the
// project's HttpClient. A call, retries and waits included, ends within the timeout (SPEC §6: 30 s
// a model); it is retried with doubling backoff on 429 and 5xx only (529, Anthropic's
// "overloaded", included) while the wait fits in the time left. A Retry-After header is honoured
// in full: nothing is sent to the provider before it, and a call that cannot wait that long ends
// at once saying so. The call waits for the provider's requests-per-minute limit. Calls are
// blocking and may come from several threads at once (each on its own connection; idle kept-alive
// connections are reused).
//
// Choices: a timeout is not retried (a model that did not answer within the timeout is unlikely to
// on the next attempt, and the caller's own deadline, e.g. the decision agent's 30 s, would pass);
// nor is any other transport failure, except a request that failed at once on a reused idle
// connection the server had closed, which goes again, once, on a new connection. An answer cut at
// max_tokens is returned (ChatAnswer::truncated) so that its cost is counted; its JSON will not
// parse. A priced (not local) provider whose answer has no usable token counts is charged the
// request's worst case (worst_case_cost), with a warning and tg4_llm_usage_estimated_total.
#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "core/config.hpp"
#include "core/result.hpp"
#include "llm/chat.hpp"
#include "net/http_client.hpp"

namespace tg4::llm {

class LlmMetrics;

struct ClientSettings {
  std::chrono::milliseconds timeout{30'000};       // each call, retries and waits included
  int max_retries = 2;                             // on 429 and 5xx only
  std::chrono::milliseconds retry_backoff{1'000};  // first retry delay, doubling
  // The rolling window requests_per_minute counts over: a minute (tests shorten it).
  std::chrono::milliseconds rate_window{60'000};
  net::ClientTlsOptions tls;
};

// From the llm section of the config.
ClientSettings client_settings(const core::LlmSection& section);

// A request's most tokens: its prompt at 4 characters a token, and max_tokens answered.
struct Estimate {
  std::int64_t tokens_in = 0;
  std::int64_t tokens_out = 0;
};
Estimate worst_case(const ChatRequest& request);

// The caller's judgement of an answer's text: false when it cannot use it (then counted as
// bad_answer in tg4_llm_requests_total, not ok). The answer is returned either way.
using AnswerCheck = std::function<bool(const std::string& text)>;

class ProviderClient {
 public:
  // `metrics` may be null (then nothing is counted); it must outlive the client.
  ProviderClient(core::LlmProvider provider, ClientSettings settings,
                 LlmMetrics* metrics = nullptr);
  ~ProviderClient();
  ProviderClient(const ProviderClient&) = delete;
  ProviderClient& operator=(const ProviderClient&) = delete;

  // What an answer cost, usable or not: a model that used its tokens and then wrote nothing usable
  // (an empty or refused answer) is paid for all the same.
  struct Usage {
    std::int64_t tokens_in = 0;
    std::int64_t tokens_out = 0;
    core::Decimal cost_usd;
  };

  // The model's answer, or an Error that names the provider, the model and what went wrong (HTTP
  // status and the provider's own error message, a timeout, a body that is not the wire format, an
  // empty answer). Never logs or returns the API key.
  // `paid`, when given, receives the usage the provider reported (or its estimate, see above), also
  // when the call fails after it. `check`, when given, judges the text of an answer for the
  // metrics.
  core::Result<ChatAnswer> complete(const ChatRequest& request, Usage* paid = nullptr,
                                    const AnswerCheck& check = {});

  // Ends waits for a rate-limit slot or a retry, now and from now on (the call fails saying TG4 is
  // stopping); an attempt already sent still runs to its answer or its timeout. Thread-safe.
  void stop();

  const core::LlmProvider& provider() const { return provider_; }
  // The most `request` can cost at this provider's prices (prompt estimated at 4 characters a
  // token, plus max_tokens answered), for the per-decision budget.
  core::Decimal worst_case_cost(const ChatRequest& request) const;

 private:
  class Impl;
  core::LlmProvider provider_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tg4::llm
