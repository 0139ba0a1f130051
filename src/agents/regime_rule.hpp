#pragma once
// The regime agent's deterministic fallback (SPEC §6), used when no model may be asked: LLMs
// disabled, over budget with no local model, degraded to EMERGENCY, and in every backtest. On the
// request's timeframe, in this order:
//   ADX-14 > 25                      -> trending, bull when RSI-14 >= 50 else bear;
//                                       confidence 0.7 + (ADX - 25) / 100, at most 0.95
//   Choppiness-14 > 60               -> choppy; confidence 0.7 + (CHOP - 60) / 100, at most 0.95
//   Bollinger inside Keltner (squeeze) -> breakout_potential; confidence 0.7
//   otherwise                        -> ranging; confidence 0.7
// While ADX, RSI or Choppiness warm up: unknown at confidence 0, which changes nothing. The rules
// never say volatile_* (the risk engine's volatility spike cool-down covers sudden moves), keep
// strictness normal and every multiplier at 1: they have no view beyond the risk engine's tables.
#include <string>

#include "agents/last_reading.hpp"
#include "agents/regime.hpp"

namespace tg4::agents {

RegimeReading regime_rule(const RegimeRequest& request, const market::SymbolMarket& market);

// regime_rule as a RegimeAgent: answers inside the call. The indicators change only when a bar of
// the timeframe closes (every 15 min; runs are every 5): until then the last reading is given
// again, with the new time, instead of being worked out and worded anew.
class RuleRegimeAgent final : public RegimeAgent {
 public:
  // `source` is said in each reading: "rules (llm.enabled is false)".
  explicit RuleRegimeAgent(std::string source = "rules") : source_(std::move(source)) {}
  void assess(const RegimeRequest& request, const market::SymbolMarket& market,
              RegimeCallback answer) override;

 private:
  std::string source_;
  LastReadings<RegimeReading> last_;
};

}  // namespace tg4::agents
