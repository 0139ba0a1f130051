// supertrend_follow: long when the Supertrend turns up, stop at the Supertrend line (clamped into
// the risk band), target at rr; closed when it turns down.
#include <map>
#include <utility>

#include "market/indicators/indicators.hpp"
#include "strategy/builtins.hpp"
#include "strategy/signal_strategy.hpp"

namespace tg4::strategy {
namespace {

class SupertrendFollow final : public SignalStrategy {
 public:
  explicit SupertrendFollow(Params p)
      : SignalStrategy(std::move(p)),
        period_(static_cast<int>(params().get_int("period"))),
        mult_(params().get_double("multiplier")) {}

  std::string_view name() const override { return "supertrend_follow"; }

  void on_bar(StrategyContext& ctx, const core::Bar& bar) override {
    if (!accepts(bar)) return;
    auto it = state_.find(bar.symbol);
    if (it == state_.end())
      it = state_.emplace(bar.symbol, market::Supertrend(period_, mult_)).first;
    State& s = it->second;
    const market::Ohlcv b = market::to_ohlcv(bar);
    s.trend.update(b);
    const market::SupertrendValue v = s.trend.value();
    if (!v.direction) return;
    const std::optional<int> prev = std::exchange(s.prev_direction, *v.direction);
    if (!prev || *prev == *v.direction) return;
    if (*v.direction > 0 && !position_qty(ctx, bar.symbol).is_positive()) {
      enter_long(ctx, bar, b.close - *v.line);
    } else if (*v.direction < 0) {
      exit_long(ctx, bar);
    }
  }

 private:
  struct State {
    explicit State(market::Supertrend t) : trend(std::move(t)) {}
    market::Supertrend trend;
    std::optional<int> prev_direction;
  };
  int period_;
  double mult_;
  std::map<std::string, State> state_;
};

}  // namespace

StrategyInfo supertrend_follow_info() {
  return {"supertrend_follow", "Supertrend trend following: buy the turn up, exit on the turn down",
          with_common({
              {"period", ParamKind::kInt, "10", 2, 500, "ATR period (Wilder)"},
              {"multiplier", ParamKind::kDouble, "3", 0.1, 20, "band distance in ATRs from hl2"},
          }),
          [](Params p) -> core::Result<StrategyPtr> {
            return StrategyPtr(std::make_unique<SupertrendFollow>(std::move(p)));
          }};
}

}  // namespace tg4::strategy
