// grid: buy levels at fixed spacing below a center price. When a close crosses down through a free
// level, it buys with the target one spacing above the entry and the stop spacing/rr below (so
// reward:risk = rr); the level is busy until the close reaches that target or stop.
#include <fmt/format.h>

#include <map>
#include <utility>
#include <vector>

#include "strategy/builtins.hpp"
#include "strategy/signal_strategy.hpp"

namespace tg4::strategy {
namespace {

class Grid final : public SignalStrategy {
 public:
  explicit Grid(Params p)
      : SignalStrategy(std::move(p)),
        center_(params().get_decimal("center")),
        spacing_(params().get_double("spacing_pct") / 100.0),
        levels_(static_cast<int>(params().get_int("levels"))) {}

  std::string_view name() const override { return "grid"; }

  void on_bar(StrategyContext& ctx, const core::Bar& bar) override {
    if (!accepts(bar)) return;
    auto it = state_.find(bar.symbol);
    if (it == state_.end()) it = state_.emplace(bar.symbol, start(bar)).first;
    State& s = it->second;
    const double close = bar.close.to_double();
    release_levels(s, close);
    const double prev = std::exchange(s.prev_close, close);
    // The deepest free level crossed by this bar's close, one entry per bar.
    for (int i = levels_; i >= 1; --i) {
      Level& level = s.levels[static_cast<std::size_t>(i - 1)];
      if (level.busy || !(prev > level.price && close <= level.price)) continue;
      const double target = close * (1.0 + spacing_);
      const double stop = close * (1.0 - spacing_ / rr());
      if (enter_long_at(ctx, bar, core::Decimal::from_double(stop, 8),
                        core::Decimal::from_double(target, 8))) {
        level.busy = true;
        level.target = target;
        level.stop = stop;
      }
      break;
    }
  }

 private:
  struct Level {
    double price = 0;
    bool busy = false;
    double target = 0, stop = 0;
  };
  struct State {
    std::vector<Level> levels;  // level i (1-based) at center * (1 - i * spacing)
    double prev_close = 0;
  };

  State start(const core::Bar& bar) const {
    const double center = center_.is_positive() ? center_.to_double() : bar.close.to_double();
    State s;
    for (int i = 1; i <= levels_; ++i) s.levels.push_back({center * (1.0 - i * spacing_)});
    s.prev_close = bar.close.to_double();
    return s;
  }

  // Mirrors the OCO exits the order manager attaches: a level is free again once its target or its
  // stop has traded.
  static void release_levels(State& s, double close) {
    for (Level& level : s.levels) {
      if (level.busy && (close >= level.target || close <= level.stop)) level.busy = false;
    }
  }

  core::Decimal center_;
  double spacing_;
  int levels_;
  std::map<std::string, State> state_;
};

}  // namespace

StrategyInfo grid_info() {
  return {
      "grid", "Grid of buy levels below a center at fixed spacing; each sells one spacing higher",
      with_common({
          {"center", ParamKind::kDecimal, "0", 0, {}, "grid center price; 0 = first close seen"},
          {"spacing_pct", ParamKind::kDouble, "1.5", 0.1, 20, "distance between levels, %"},
          {"levels", ParamKind::kInt, "5", 1, 50, "buy levels below the center"},
      }),
      [](Params p) -> core::Result<StrategyPtr> {
        const double stop_pct = p.get_double("spacing_pct") / p.get_double("rr");
        if (stop_pct < kMinStopFraction * 100 || stop_pct > kMaxStopFraction * 100) {
          return core::Error::of(fmt::format(
              "strategy 'grid': stop distance spacing_pct / rr = {:.3f} % is outside the risk "
              "band [{}, {}] %; change 'spacing_pct' or 'rr'",
              stop_pct, kMinStopFraction * 100, kMaxStopFraction * 100));
        }
        return StrategyPtr(std::make_unique<Grid>(std::move(p)));
      }};
}

}  // namespace tg4::strategy
