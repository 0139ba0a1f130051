#pragma once
// The deterministic fallback of the decision agent (SPEC §6), used when no model can be asked: LLMs
// disabled, over budget with no local model, or degraded to EMERGENCY. On the decision timeframe (the first tracked when absent): RSI-14 > 60 and MACD histogram > 0 -> BUY with
// a stop 2 ATR below and a target 3 ATR above the close; RSI-14 < 40 and MACD histogram < 0 -> SELL
// (the mirror); otherwise, or while an indicator is still warming up, HOLD.
#include "agents/model_decision.hpp"
#include "market/indicators/market_state.hpp"

namespace tg4::agents {

ModelDecision rule_decision(const market::SymbolMarket& market, int timeframe_minutes);

}  // namespace tg4::agents
