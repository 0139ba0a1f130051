#pragma once
// SignalStrategy: the shared machinery of the built-in bar strategies. It filters bars by timeframe
// and symbol, sizes entries from the portfolio's equity, and shapes every entry so the SPEC §7 risk
// rules can approve it: a stop 0.5-5 % from the entry, a target at reward:risk >= 1.5, and the
// configured confidence. Built-ins are long-only (spot); exits are reduce-only market orders. On a
// margin venue (StrategyContext::margin_enabled) a strategy may also go short: the mirror image, a
// sell entry with its stop above and its target below.
#include <optional>
#include <string>
#include <vector>

#include "strategy/strategy.hpp"

namespace tg4::strategy {

// The `timeframe` parameter (minutes): only the intervals bars exist for (1 minute and
// market::kRollupMinutes), since a strategy on any other would wait for bars forever.
ParamSpec timeframe_param(std::string default_minutes, std::string description);
// Parameters every built-in accepts (docs/STRATEGIES.md): timeframe, symbols, size_pct, risk_pct,
// rr, confidence.
std::vector<ParamSpec> common_params();
// common_params() followed by `own`.
std::vector<ParamSpec> with_common(std::vector<ParamSpec> own);

// The risk band of SPEC §7 rule 3 (stop distance / entry), and the narrower band stops are clamped
// into, so that rounding prices to 8 decimals cannot push them out.
inline constexpr double kRiskMinStopFraction = 0.005;
inline constexpr double kRiskMaxStopFraction = 0.05;
inline constexpr double kMinStopFraction = 0.0051;
inline constexpr double kMaxStopFraction = 0.0495;

class SignalStrategy : public Strategy {
 public:
  // Closed bars of its own timeframe only: no indicators from the market state, no trades.
  StrategyNeeds needs() const override { return {false, false, {timeframe_}}; }

 protected:
  explicit SignalStrategy(Params params);

  // Bars of the configured timeframe and symbols.
  bool accepts(const core::Bar& bar) const;
  // Base quantity of the open position (zero when flat).
  static core::Decimal position_qty(const StrategyContext& ctx, const std::string& symbol);
  // A long entry at the bar's close with its stop `stop_distance` (price units) below, clamped into
  // the risk band, and the target at rr x that distance. Does nothing without equity. `confidence`:
  // what the risk engine is told, when not the `confidence` parameter (an advisor's own).
  void enter_long(StrategyContext& ctx, const core::Bar& bar, double stop_distance,
                  std::optional<double> confidence = std::nullopt, double size_factor = 1.0);
  // A long entry with explicit stop and target prices (the grid); false when they leave the band.
  bool enter_long_at(StrategyContext& ctx, const core::Bar& bar, core::Decimal stop,
                     core::Decimal target);
  // Sells the whole open position (reduce-only); does nothing when flat.
  void exit_long(StrategyContext& ctx, const core::Bar& bar);
  // A short entry at the bar's close (margin): the stop `stop_distance` above, clamped into the risk
  // band, the target rr x that distance below.
  void enter_short(StrategyContext& ctx, const core::Bar& bar, double stop_distance,
                   std::optional<double> confidence = std::nullopt, double size_factor = 1.0);
  // Buys back the whole open short (reduce-only); does nothing unless short.
  void exit_short(StrategyContext& ctx, const core::Bar& bar);

  // Sizes and submits an entry whose stop is `stop` (below a buy, above a sell); false when the
  // stop leaves the risk band or there is no equity. `size_factor` scales the size (an advisor's
  // degraded state).
  bool enter_at(StrategyContext& ctx, const core::Bar& bar, core::Side side, core::Decimal stop,
                core::Decimal target, std::optional<double> confidence = std::nullopt,
                double size_factor = 1.0);

  double rr() const { return rr_; }

 private:
  core::OrderIntent base_intent(const StrategyContext& ctx, const core::Bar& bar) const;
  // A reduce-only market order for the whole open position on `side` of it.
  void exit_position(StrategyContext& ctx, const core::Bar& bar, core::Decimal qty);
  int timeframe_;
  std::vector<std::string> symbols_;  // empty: all
  double size_fraction_, risk_fraction_, rr_, confidence_;
};

}  // namespace tg4::strategy
