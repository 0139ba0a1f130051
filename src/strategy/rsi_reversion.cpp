// rsi_reversion: long when RSI crosses back up through the oversold level (the dip is turning),
// closed when RSI crosses above the overbought level; ATR stop, target at rr.
#include <fmt/format.h>

#include <map>
#include <utility>

#include "market/indicators/indicators.hpp"
#include "strategy/builtins.hpp"
#include "strategy/signal_strategy.hpp"

namespace tg4::strategy {
namespace {

class RsiReversion final : public SignalStrategy {
 public:
  explicit RsiReversion(Params p)
      : SignalStrategy(std::move(p)),
        period_(static_cast<int>(params().get_int("rsi_period"))),
        atr_period_(static_cast<int>(params().get_int("atr_period"))),
        oversold_(params().get_double("oversold")),
        overbought_(params().get_double("overbought")),
        atr_mult_(params().get_double("atr_mult")) {}

  std::string_view name() const override { return "rsi_reversion"; }

  void on_bar(StrategyContext& ctx, const core::Bar& bar) override {
    if (!accepts(bar)) return;
    auto it = state_.find(bar.symbol);
    if (it == state_.end()) it = state_.emplace(bar.symbol, State(period_, atr_period_)).first;
    State& s = it->second;
    const market::Ohlcv b = market::to_ohlcv(bar);
    s.rsi.update(b.close);
    s.atr.update(b);
    if (!s.rsi.ready()) return;
    const double rsi = s.rsi.current();
    const std::optional<double> prev = std::exchange(s.prev_rsi, rsi);
    if (!prev) return;
    if (*prev < oversold_ && rsi >= oversold_ && s.atr.ready() &&
        !position_qty(ctx, bar.symbol).is_positive()) {
      enter_long(ctx, bar, atr_mult_ * s.atr.current());
    } else if (*prev <= overbought_ && rsi > overbought_) {
      exit_long(ctx, bar);
    }
  }

 private:
  struct State {
    State(int rsi, int atr) : rsi(rsi), atr(atr) {}
    market::Rsi rsi;
    market::Atr atr;
    std::optional<double> prev_rsi;
  };
  int period_, atr_period_;
  double oversold_, overbought_, atr_mult_;
  std::map<std::string, State> state_;
};

}  // namespace

StrategyInfo rsi_reversion_info() {
  return {
      "rsi_reversion", "RSI mean reversion: buy the turn up from oversold, sell into overbought",
      with_common({
          {"rsi_period", ParamKind::kInt, "14", 2, 500, "RSI period (Wilder)"},
          {"oversold", ParamKind::kDouble, "30", 1, 99, "entry when RSI crosses up through it"},
          {"overbought", ParamKind::kDouble, "70", 1, 99, "exit when RSI crosses above it"},
          {"atr_period", ParamKind::kInt, "14", 2, 500, "ATR period (Wilder)"},
          {"atr_mult", ParamKind::kDouble, "2", 0.1, 20, "stop distance in ATRs"},
      }),
      [](Params p) -> core::Result<StrategyPtr> {
        if (p.get_double("oversold") >= p.get_double("overbought")) {
          return core::Error::of(fmt::format(
              "strategy 'rsi_reversion': parameter 'oversold' ({}) must be below 'overbought' ({})",
              p.get_double("oversold"), p.get_double("overbought")));
        }
        return StrategyPtr(std::make_unique<RsiReversion>(std::move(p)));
      }};
}

}  // namespace tg4::strategy
