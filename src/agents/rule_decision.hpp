#pragma once
// The deterministic fallback of the decision agent (SPEC §6), used when no model can be asked: LLMs
// disabled, over budget with no local model, or degraded to EMERGENCY. On the decision timeframe
// (the first tracked when absent): RSI-14 > 60 and MACD histogram > 0 -> BUY with a stop 2 ATR
// below and a target 3 ATR above the close; RSI-14 < 40 and MACD histogram < 0 -> SELL (the
// mirror); otherwise, or while an indicator is still warming up, HOLD. The entry is the last close;
// stop and target keep the close's scale, or 8 significant digits when finer. Confidence is 0.6 at
// the RSI threshold, rising to 0.8 twenty points beyond it; size_pct is 0 (no advice on size). The
// reasoning names the rule and its values.
#include "agents/model_decision.hpp"
#include "market/indicators/market_state.hpp"

namespace tg4::agents {

ModelDecision rule_decision(const market::SymbolMarket& market, int timeframe_minutes);

}  // namespace tg4::agents
