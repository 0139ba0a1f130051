#include "strategy/builtins.hpp"

namespace tg4::strategy {

StrategyRegistry builtin_registry() {
  StrategyRegistry registry;
  registry.add(ema_cross_info());
  registry.add(rsi_reversion_info());
  registry.add(bollinger_breakout_info());
  registry.add(supertrend_follow_info());
  registry.add(grid_info());
  registry.add(llm_consensus_info());
  return registry;
}

}  // namespace tg4::strategy
