// bollinger_breakout: long when the close breaks above the upper band (optionally on above-average
// volume), closed when it falls back below the middle band; ATR stop, target at rr.
#include <map>
#include <utility>

#include "market/indicators/indicators.hpp"
#include "strategy/builtins.hpp"
#include "strategy/signal_strategy.hpp"

namespace tg4::strategy {
namespace {

class BollingerBreakout final : public SignalStrategy {
 public:
  explicit BollingerBreakout(Params p)
      : SignalStrategy(std::move(p)),
        period_(static_cast<int>(params().get_int("period"))),
        atr_period_(static_cast<int>(params().get_int("atr_period"))),
        stddev_(params().get_double("stddev")),
        min_volume_ratio_(params().get_double("min_volume_ratio")),
        atr_mult_(params().get_double("atr_mult")) {}

  std::string_view name() const override { return "bollinger_breakout"; }

  void on_bar(StrategyContext& ctx, const core::Bar& bar) override {
    if (!accepts(bar)) return;
    auto it = state_.find(bar.symbol);
    if (it == state_.end()) {
      it = state_.emplace(bar.symbol, State(period_, stddev_, atr_period_)).first;
    }
    State& s = it->second;
    const market::Ohlcv b = market::to_ohlcv(bar);
    s.bands.update(b.close);
    s.atr.update(b);
    s.volume.update(b.volume);
    const market::BollingerValue bb = s.bands.value();
    if (!bb.upper) return;
    const bool above = b.close > *bb.upper;
    const bool below_middle = b.close < *bb.middle;
    const std::optional<bool> was_above = std::exchange(s.was_above, above);
    const std::optional<bool> was_below_middle = std::exchange(s.was_below_middle, below_middle);
    if (!was_above) return;
    const bool volume_ok =
        min_volume_ratio_ <= 0 || (s.volume.ready() && s.volume.current() > 0 &&
                                   b.volume / s.volume.current() >= min_volume_ratio_);
    if (!*was_above && above && volume_ok && s.atr.ready() &&
        !position_qty(ctx, bar.symbol).is_positive()) {
      enter_long(ctx, bar, atr_mult_ * s.atr.current());
    } else if (!*was_below_middle && below_middle) {
      exit_long(ctx, bar);
    }
  }

 private:
  struct State {
    State(int period, double k, int atr) : bands(period, k), atr(atr), volume(period) {}
    market::Bollinger bands;
    market::Atr atr;
    market::Sma volume;
    std::optional<bool> was_above, was_below_middle;
  };
  int period_, atr_period_;
  double stddev_, min_volume_ratio_, atr_mult_;
  std::map<std::string, State> state_;
};

}  // namespace

StrategyInfo bollinger_breakout_info() {
  return {"bollinger_breakout",
          "Bollinger band breakout: buy a close above the upper band, exit below the middle",
          with_common({
              {"period", ParamKind::kInt, "20", 2, 500, "Bollinger period"},
              {"stddev", ParamKind::kDouble, "2", 0.1, 10, "band width in standard deviations"},
              {"min_volume_ratio", ParamKind::kDouble, "0", 0, 100,
               "volume / its SMA(period) needed to enter; 0 = no volume filter"},
              {"atr_period", ParamKind::kInt, "14", 2, 500, "ATR period (Wilder)"},
              {"atr_mult", ParamKind::kDouble, "2", 0.1, 20, "stop distance in ATRs"},
          }),
          [](Params p) -> core::Result<StrategyPtr> {
            return StrategyPtr(std::make_unique<BollingerBreakout>(std::move(p)));
          }};
}

}  // namespace tg4::strategy
