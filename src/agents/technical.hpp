#pragma once
// The technical analysis agent of SPEC §6: every agents.technical_interval it reads each symbol's
// indicators on one timeframe and says which way they point: the trend (direction and strength),
// a momentum score, the RSI and MACD signals, support and resistance, and a bias (long, short or
// neutral) with its confidence. Its reading is advice for people and for the decision agent's
// question; it places no order and the risk engine never reads it. A TechnicalAgent is asked on the
// kernel thread, like a RegimeAgent; the rules answer inside the call, the models later, through
// the kernel's queue.
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "core/time.hpp"
#include "market/indicators/market_state.hpp"
#include "strategy/advice.hpp"

namespace tg4::agents {

enum class TrendDirection { kUp, kDown, kSideways };
enum class Bias { kLong, kShort, kNeutral };
enum class RsiSignal { kOverbought, kOversold, kNeutral };
enum class MacdSignal { kBullish, kBearish, kNeutral };

const char* to_string(TrendDirection direction);  // "up", "down", "sideways"
const char* to_string(Bias bias);                 // "long", "short", "neutral"
const char* to_string(RsiSignal signal);          // "overbought", "oversold", "neutral"
const char* to_string(MacdSignal signal);         // "bullish", "bearish", "neutral"
// The names above, any case, surrounding blanks ignored; an Error lists them.
core::Result<TrendDirection> parse_trend_direction(std::string_view text);
core::Result<Bias> parse_bias(std::string_view text);
core::Result<RsiSignal> parse_rsi_signal(std::string_view text);
core::Result<MacdSignal> parse_macd_signal(std::string_view text);
// -1 short, 0 neutral, +1 long: the value of the tg4_technical_bias gauge.
int bias_sign(Bias bias);

// One run's technical view of a symbol.
struct TechnicalReading {
  std::string symbol;
  bool known = false;  // false: nothing was read (indicators warming up, no consensus)
  TrendDirection trend = TrendDirection::kSideways;
  double trend_strength = 0.0;  // 0..1
  double momentum = 0.0;        // -1 (falling hard) .. +1 (rising hard)
  RsiSignal rsi_signal = RsiSignal::kNeutral;
  MacdSignal macd_signal = MacdSignal::kNeutral;
  std::optional<double> support, resistance;  // prices, when the reader named them
  Bias bias = Bias::kNeutral;
  double confidence = 0.0;  // 0..1
  std::string reasoning;
  std::string source;      // who read it, for people: "rules", "llm 2 of 3"
  bool by_models = false;  // the models read it (else the rules did)
  core::Timestamp time;
  std::vector<strategy::AdviceVote> votes;  // each model asked (agent "technical"); empty for rules
};

struct TechnicalRequest {
  std::string symbol;
  int timeframe_minutes = 5;
  core::Timestamp time;
};

using TechnicalCallback = std::function<void(TechnicalReading)>;

class TechnicalAgent {
 public:
  virtual ~TechnicalAgent() = default;
  // Kernel thread, with the symbol's market as it stands. `answer` is called once, from any thread
  // (possibly inside this call); the caller hands the reading back to the kernel. An agent being
  // stopped or destroyed drops what it has not answered.
  virtual void analyse(const TechnicalRequest& request, const market::SymbolMarket& market,
                       TechnicalCallback answer) = 0;
  virtual void stop() {}
};

}  // namespace tg4::agents
