#pragma once
// The trading-decision question (SPEC §6) for one symbol: what the models are told (their role, the
// answer's JSON schema) and asked (the market: price, the indicators of each tracked timeframe,
// recent bars, book features, the position). Built on the kernel thread from the market as it
// stands, so the LLM threads never read trading state. Its hash is stored with every answer.
#include <string>

#include "agents/prompt_text.hpp"
#include "core/decimal.hpp"
#include "market/indicators/market_state.hpp"
#include "strategy/advice.hpp"

namespace tg4::agents {

using DecisionPrompt = Prompt;

DecisionPrompt decision_prompt(const strategy::AdviceRequest& request,
                               const market::SymbolMarket& market);

}  // namespace tg4::agents
