#pragma once
// The trading-decision question (SPEC §6) for one symbol: what the models are told (their role, the
// answer's JSON schema) and asked (the market: price, the indicators of each tracked timeframe,
// recent bars, book features, the position). Built on the kernel thread from the market as it
// stands, so the LLM threads never read trading state. Its hash is stored with every answer.
#include <string>

#include "core/decimal.hpp"
#include "llm/chat.hpp"
#include "market/indicators/market_state.hpp"
#include "strategy/advice.hpp"

namespace tg4::agents {

struct DecisionPrompt {
  llm::ChatRequest chat;
  std::string hash;  // SHA-256 of system and user text, hex
};

DecisionPrompt decision_prompt(const strategy::AdviceRequest& request,
                               const market::SymbolMarket& market);

}  // namespace tg4::agents
