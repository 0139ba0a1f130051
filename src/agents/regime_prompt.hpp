#pragma once
// The regime question (SPEC §6) for one symbol on the request's timeframe: what the models are told
// (the regimes, what the multipliers and strictness do, the answer's JSON schema) and asked (the
// timeframe's indicators and latest closed bars, the trend alignment over all timeframes). Built on
// the kernel thread from the market as it stands, like decision_prompt, whose text it shares
// (prompt_text); its hash is stored with every answer.
#include "agents/prompt_text.hpp"
#include "agents/regime.hpp"

namespace tg4::agents {

using RegimePrompt = Prompt;

RegimePrompt regime_prompt(const RegimeRequest& request, const market::SymbolMarket& market);

}  // namespace tg4::agents
