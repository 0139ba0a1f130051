// ema_cross: long when the fast EMA crosses above the slow one, stop k x ATR below the entry,
// target at rr; the position is closed when the fast EMA crosses back below. With allow_short on a
// margin venue it is the mirror image too: a cross down opens a short (stop k x ATR above, target
// at rr below) and a cross up closes it.
#include <fmt/format.h>

#include <map>
#include <utility>

#include "market/indicators/indicators.hpp"
#include "strategy/builtins.hpp"
#include "strategy/signal_strategy.hpp"

namespace tg4::strategy {
namespace {

class EmaCross final : public SignalStrategy {
 public:
  explicit EmaCross(Params p)
      : SignalStrategy(std::move(p)),
        fast_(static_cast<int>(params().get_int("fast"))),
        slow_(static_cast<int>(params().get_int("slow"))),
        atr_period_(static_cast<int>(params().get_int("atr_period"))),
        atr_mult_(params().get_double("atr_mult")),
        allow_short_(params().get_bool("allow_short")) {}

  std::string_view name() const override { return "ema_cross"; }

  void on_bar(StrategyContext& ctx, const core::Bar& bar) override {
    if (!accepts(bar)) return;
    auto it = state_.find(bar.symbol);
    if (it == state_.end()) it = state_.emplace(bar.symbol, State(fast_, slow_, atr_period_)).first;
    State& s = it->second;
    const market::Ohlcv b = market::to_ohlcv(bar);
    s.fast.update(b.close);
    s.slow.update(b.close);
    s.atr.update(b);
    if (!s.slow.ready() || !s.fast.ready()) return;
    const double diff = s.fast.current() - s.slow.current();
    const std::optional<double> prev = std::exchange(s.prev_diff, diff);
    if (!prev) return;
    if (*prev <= 0 && diff > 0) {
      exit_short(ctx, bar);
      if (s.atr.ready() && !position_qty(ctx, bar.symbol).is_positive()) {
        enter_long(ctx, bar, atr_mult_ * s.atr.current());
      }
    } else if (*prev >= 0 && diff < 0) {
      exit_long(ctx, bar);
      if (allow_short_ && ctx.margin_enabled() && s.atr.ready() && !position_qty(ctx, bar.symbol).is_negative()) {
        enter_short(ctx, bar, atr_mult_ * s.atr.current());
      }
    }
  }

 private:
  struct State {
    State(int fast, int slow, int atr) : fast(fast), slow(slow), atr(atr) {}
    market::Ema fast, slow;
    market::Atr atr;
    std::optional<double> prev_diff;  // fast - slow on the previous bar
  };
  int fast_, slow_, atr_period_;
  double atr_mult_;
  bool allow_short_;
  std::map<std::string, State> state_;
};

}  // namespace

StrategyInfo ema_cross_info() {
  return {"ema_cross", "EMA fast/slow crossover; ATR stop, target at reward:risk",
          with_common({
              {"fast", ParamKind::kInt, "9", 2, 500, "fast EMA period"},
              {"slow", ParamKind::kInt, "21", 3, 1000, "slow EMA period (> fast)"},
              {"atr_period", ParamKind::kInt, "14", 2, 500, "ATR period (Wilder)"},
              {"atr_mult", ParamKind::kDouble, "2", 0.1, 20, "stop distance in ATRs"},
              {"allow_short", ParamKind::kBool, "false", {}, {},
               "with paper.margin: a cross down opens a short, a cross up closes it"},
          }),
          [](Params p) -> core::Result<StrategyPtr> {
            if (p.get_int("fast") >= p.get_int("slow")) {
              return core::Error::of(fmt::format(
                  "strategy 'ema_cross': parameter 'fast' ({}) must be smaller than 'slow' ({})",
                  p.get_int("fast"), p.get_int("slow")));
            }
            return StrategyPtr(std::make_unique<EmaCross>(std::move(p)));
          }};
}

}  // namespace tg4::strategy
