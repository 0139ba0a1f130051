#pragma once
// The sentiment question (SPEC §6) for one symbol, put to search-capable models: what to search
// (recent news and social media about the symbol's assets), what the score and bias mean, and the
// answer's JSON schema. Built on the kernel thread; its hash is stored with every answer.
#include "agents/prompt_text.hpp"
#include "agents/sentiment.hpp"

namespace tg4::agents {

using SentimentPrompt = Prompt;

// `market` may be null (no market data yet): the last price is then "unknown".
SentimentPrompt sentiment_prompt(const SentimentRequest& request,
                                 const market::SymbolMarket* market);

}  // namespace tg4::agents
