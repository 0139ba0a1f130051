#pragma once
// The regime detection agent of SPEC §6: every agents.regime_interval it reads each symbol's market
// on one timeframe and names its regime, which the risk engine's tables then use for every intent
// on the symbol (SPEC §7 rules 4-6: minimum confidence, size multiplier, leverage cap). A reading
// becomes the symbol's regime only after RegimeTracker's hysteresis (agents.regime_change_*), so one
// noisy run changes nothing. A RegimeAgent is asked on the kernel thread, like an Advisor; the
// rules answer inside the call, the models later, through the kernel's queue.
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "core/time.hpp"
#include "market/indicators/market_state.hpp"
#include "risk/types.hpp"
#include "strategy/advice.hpp"

namespace tg4::agents {

// The regimes SPEC §6 names, plus kUnknown (not yet known, or the indicators are warming up).
enum class MarketRegime {
  kTrendingBull,
  kTrendingBear,
  kRanging,
  kVolatileBull,
  kVolatileBear,
  kChoppy,
  kBreakoutPotential,
  kUnknown
};
const char* to_string(MarketRegime regime);  // "trending_bull", ..., "breakout_potential", "unknown"
// The names above, any case; an Error lists them.
core::Result<MarketRegime> parse_market_regime(std::string_view text);
// The risk engine's row for a regime (SPEC §7 tables): trending_bull -> bull, trending_bear -> bear,
// volatile_* -> volatile, breakout_potential -> breakout, the others by the same name.
risk::Regime risk_regime(MarketRegime regime);

// One run's view of a symbol's regime.
struct RegimeReading {
  std::string symbol;
  MarketRegime regime = MarketRegime::kUnknown;
  double confidence = 0.0;  // 0..1
  // Advice for strategies sizing their own orders (ctx.regime): the risk engine applies its own
  // regime size multiplier (SPEC §7 rule 5) whatever these say.
  double size_multiplier = 1.0;
  double stop_multiplier = 1.0;
  double target_multiplier = 1.0;
  risk::Strictness strictness = risk::Strictness::kNormal;
  std::string reasoning;
  std::string source;      // who judged, for people: "rules", "llm 2 of 3"
  bool by_models = false;  // the models judged (else the rules did)
  core::Timestamp time;
  std::vector<strategy::AdviceVote> votes;  // each model asked (agent "regime"); empty for rules
};

struct RegimeRequest {
  std::string symbol;
  int timeframe_minutes = 15;
  core::Timestamp time;
};

using RegimeCallback = std::function<void(RegimeReading)>;

class RegimeAgent {
 public:
  virtual ~RegimeAgent() = default;
  // Kernel thread, with the symbol's market as it stands. `answer` is called once, from any thread
  // (possibly inside this call); the caller hands the reading back to the kernel. An agent being
  // stopped or destroyed drops what it has not answered.
  virtual void assess(const RegimeRequest& request, const market::SymbolMarket& market,
                      RegimeCallback answer) = 0;
  virtual void stop() {}
};

}  // namespace tg4::agents
