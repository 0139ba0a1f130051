#pragma once
// One exchange with a language model, independent of the provider's wire format: the prompt in, the
// model's text and what it cost out. ProviderClient speaks OpenAI's chat completions or Anthropic's
// Messages API to produce it.
#include <chrono>
#include <cstdint>
#include <string>

#include "core/decimal.hpp"

namespace tg4::llm {

struct ChatRequest {
  std::string system;    // the instructions
  std::string user;      // the question, with the market data
  int max_tokens = 800;  // the most the model may answer (bounds the cost)
  bool json = true;      // ask for a JSON object (OpenAI: response_format; Anthropic: instructions)
};

struct ChatAnswer {
  std::string text;      // the model's message content, as it came
  std::string raw_body;  // the HTTP response body of the last attempt (kept with the decision)
  // As the provider reported them; a priced provider's answer without usable counts (no usage, or
  // values that are not integers) gets the request's worst case instead (usage_estimated).
  std::int64_t tokens_in = 0;
  std::int64_t tokens_out = 0;
  bool usage_estimated = false;
  core::Decimal cost_usd;                // tokens at the provider's configured prices
  std::chrono::microseconds latency{0};  // from the first attempt to the answer, retries included
  int attempts = 1;
  // The model stopped at max_tokens (OpenAI finish_reason "length", Anthropic stop_reason
  // "max_tokens"): the text is returned as far as it came, and its cost counted, but a JSON answer
  // is then incomplete and will not parse.
  bool truncated = false;
};

}  // namespace tg4::llm
