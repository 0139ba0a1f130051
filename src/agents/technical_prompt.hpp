#pragma once
// The technical analysis question (SPEC §6) for one symbol on the request's timeframe: what the
// models are told (each field of the reading, that it is advice and places no order, the answer's
// JSON schema) and asked (the timeframe's indicators and latest closed bars, the trend alignment
// over all timeframes). Built on the kernel thread from the market as it stands, like
// regime_prompt, whose text it shares (prompt_text); its hash is stored with every answer.
#include "agents/prompt_text.hpp"
#include "agents/technical.hpp"

namespace tg4::agents {

using TechnicalPrompt = Prompt;

TechnicalPrompt technical_prompt(const TechnicalRequest& request,
                                 const market::SymbolMarket& market);

}  // namespace tg4::agents
