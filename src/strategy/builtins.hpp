#pragma once
// The built-in strategies (docs/STRATEGIES.md), one StrategyInfo each for the registry.
#include "strategy/registry.hpp"

namespace tg4::strategy {

StrategyInfo ema_cross_info();
StrategyInfo rsi_reversion_info();
StrategyInfo bollinger_breakout_info();
StrategyInfo supertrend_follow_info();
StrategyInfo grid_info();
StrategyInfo llm_consensus_info();

}  // namespace tg4::strategy
