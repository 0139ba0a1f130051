// llm_consensus: trades what the decision agents advise (SPEC §6). On each closed bar of its
// timeframe it asks the advisor about the bar's symbol (one question at a time per symbol) and acts
// on the answer when it comes: BUY enters long when flat (or closes a short), SELL closes a long
// (or, on margin, enters short when flat), CLOSE closes either, HOLD does nothing. An entry takes
// the advised stop when it lies in the risk band (else 2 ATR, clamped into it) and the advised
// target when it pays at least `rr` times the risk (else `rr` x the stop distance); its size
// follows the common parameters. The risk engine is told the models' consensus confidence; when the
// rules decided (no model could be asked, every backtest) the `confidence` parameter, as for any
// rule.
#include <map>
#include <set>

#include "strategy/builtins.hpp"
#include "strategy/signal_strategy.hpp"

namespace tg4::strategy {
namespace {

constexpr double kAtrStops = 2.0;               // stop distance when the advice names none
constexpr double kFallbackStopFraction = 0.02;  // ... and no ATR is ready yet

class LlmConsensus final : public SignalStrategy {
 public:
  explicit LlmConsensus(Params p) : SignalStrategy(std::move(p)) {}
  std::string_view name() const override { return "llm_consensus"; }
  // The advisor's question shows every tracked timeframe's indicators.
  StrategyNeeds needs() const override { return {true, false, {}}; }

  void on_bar(StrategyContext& ctx, const core::Bar& bar) override {
    if (!accepts(bar)) return;
    last_bars_[bar.symbol] = bar;
    if (asking_.contains(bar.symbol)) return;  // the last question is still being answered
    if (ctx.ask_advice(bar.symbol, bar.interval_minutes)) asking_.insert(bar.symbol);
  }

  void on_advice(StrategyContext& ctx, const Advice& advice) override {
    asking_.erase(advice.symbol);
    const auto last = last_bars_.find(advice.symbol);
    if (last == last_bars_.end()) return;
    const core::Bar& bar = last->second;
    const core::Decimal qty = position_qty(ctx, bar.symbol);
    switch (advice.action) {
      case AdviceAction::kBuy:
        if (qty.is_negative()) return exit_short(ctx, bar);
        if (qty.is_zero()) enter(ctx, bar, core::Side::kBuy, advice);
        return;
      case AdviceAction::kSell:
        if (qty.is_positive()) return exit_long(ctx, bar);
        if (qty.is_zero() && ctx.margin_enabled()) enter(ctx, bar, core::Side::kSell, advice);
        return;
      case AdviceAction::kClose:
        exit_long(ctx, bar);
        exit_short(ctx, bar);
        return;
      case AdviceAction::kHold:
        return;
    }
  }

 private:
  void enter(StrategyContext& ctx, const core::Bar& bar, core::Side side, const Advice& advice) {
    if (!advice.may_open) return;  // the advisor's LIMITED state: closing only
    const std::optional<double> confidence =
        advice.by_models ? std::optional<double>(advice.confidence) : std::nullopt;
    const double close = bar.close.to_double();
    if (advice.stop && advice.target &&
        advised_levels_fit(close, side, *advice.stop, *advice.target) &&
        enter_at(ctx, bar, side, *advice.stop, *advice.target, confidence, advice.size_factor)) {
      return;
    }
    const double distance =
        advice.stop ? std::abs(close - advice.stop->to_double()) : atr_distance(ctx, bar);
    if (side == core::Side::kBuy) {
      enter_long(ctx, bar, distance, confidence, advice.size_factor);
    } else {
      enter_short(ctx, bar, distance, confidence, advice.size_factor);
    }
  }

  bool advised_levels_fit(double close, core::Side side, core::Decimal stop,
                          core::Decimal target) const {
    const double sign = side == core::Side::kBuy ? 1.0 : -1.0;
    const double risk = sign * (close - stop.to_double());
    const double reward = sign * (target.to_double() - close);
    return risk > 0 && reward >= rr() * risk;
  }

  static double atr_distance(const StrategyContext& ctx, const core::Bar& bar) {
    if (const market::SymbolMarket* market = ctx.market(bar.symbol)) {
      if (const market::TimeframeState* frame = market->timeframe(bar.interval_minutes)) {
        if (const auto atr = frame->indicators().atr_14) return kAtrStops * *atr;
      }
    }
    return kFallbackStopFraction * bar.close.to_double();
  }

  std::map<std::string, core::Bar> last_bars_;
  std::set<std::string> asking_;
};

}  // namespace

StrategyInfo llm_consensus_info() {
  std::vector<ParamSpec> params = with_common({});
  params.front() =
      timeframe_param("60", "bar interval in minutes; the models are asked on each closed bar");
  return {"llm_consensus",
          "trades the decision agents' advice (LLM consensus, or their rules when no model can be "
          "asked)",
          std::move(params), [](Params p) -> core::Result<StrategyPtr> {
            return StrategyPtr(std::make_unique<LlmConsensus>(std::move(p)));
          }};
}

}  // namespace tg4::strategy
