#pragma once
// ProviderClient: one configured LLM provider (SPEC §6). Speaks either OpenAI-compatible chat
// completions (OpenAI, DeepSeek, xAI, Ollama, vLLM, llama.cpp server: POST
// {base_url}/chat/completions) or Anthropic Messages (POST {base_url}/v1/messages), over the
// project's HttpClient. A call has one timeout per attempt, is retried with doubling backoff on 429
// and 5xx only (529, Anthropic's "overloaded", included; a Retry-After header is honoured up to the
// timeout), and waits for the provider's requests-per-minute limit. Calls are blocking and may come
// from several threads at once (each on its own connection; idle kept-alive connections are
// reused).
//
// Choices: a timeout is not retried (a model that did not answer within the timeout is unlikely to
// on the next attempt, and the caller's own deadline, e.g. the decision agent's 30 s, would pass);
// nor is any other transport failure, except a request that failed at once on a reused idle
// connection the server had closed, which goes again, once, on a new connection. An answer cut at
// max_tokens is returned (ChatAnswer::truncated) so that its cost is counted; its JSON will not
// parse.
#include <chrono>
#include <memory>
#include <string>

#include "core/config.hpp"
#include "core/result.hpp"
#include "llm/chat.hpp"
#include "net/http_client.hpp"

namespace tg4::llm {

class LlmMetrics;

struct ClientSettings {
  std::chrono::milliseconds timeout{30'000};       // each attempt
  int max_retries = 2;                             // on 429 and 5xx only
  std::chrono::milliseconds retry_backoff{1'000};  // first retry delay, doubling
  // The rolling window requests_per_minute counts over: a minute (tests shorten it).
  std::chrono::milliseconds rate_window{60'000};
  net::ClientTlsOptions tls;
};

// From the llm section of the config.
ClientSettings client_settings(const core::LlmSection& section);

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
  // `paid`, when given, receives the usage the provider reported, also when the call fails after it.
  core::Result<ChatAnswer> complete(const ChatRequest& request, Usage* paid = nullptr);

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
