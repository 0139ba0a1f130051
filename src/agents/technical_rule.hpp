#pragma once
// The technical analysis agent's deterministic fallback (SPEC §6), used when no model may be asked:
// LLMs disabled, over budget with no local model, degraded to EMERGENCY. On the request's
// timeframe:
//   bias        RSI-14 > 60 and MACD histogram > 0 -> long; RSI-14 < 40 and histogram < 0 -> short;
//               otherwise neutral. Confidence: long or short 0.6 + (|RSI - 50| - 10) / 100, at most
//               0.95; neutral 0.5.
//   trend       ADX-14 > 25 -> up when +DI > -DI, down when -DI > +DI; otherwise sideways.
//               Strength ADX / 50, at most 1.
//   momentum    (RSI - 50) / 50.
//   RSI signal  above 70 overbought, below 30 oversold, else neutral.
//   MACD signal histogram above 0 bullish, below 0 bearish, else neutral.
//   support and resistance: the Donchian-20 channel (the last 20 bars' lowest low and highest
//   high).
// While RSI, MACD or ADX warm up: not known, bias neutral at confidence 0.
#include <string>

#include "agents/last_reading.hpp"
#include "agents/technical.hpp"

namespace tg4::agents {

TechnicalReading technical_rule(const TechnicalRequest& request,
                                const market::SymbolMarket& market);

// technical_rule as a TechnicalAgent: answers inside the call. The indicators change only when a
// bar of the timeframe closes: until then the last reading is given again, with the new time.
class RuleTechnicalAgent final : public TechnicalAgent {
 public:
  // `source` is said in each reading: "rules (llm.enabled is false)".
  explicit RuleTechnicalAgent(std::string source = "rules") : source_(std::move(source)) {}
  void analyse(const TechnicalRequest& request, const market::SymbolMarket& market,
               TechnicalCallback answer) override;

 private:
  std::string source_;
  LastReadings<TechnicalReading> last_;
};

}  // namespace tg4::agents
