#include "strategy/signal_strategy.hpp"

#include <algorithm>

#include "core/instrument.hpp"
#include "market/bar_aggregator.hpp"

namespace tg4::strategy {
namespace {

core::Decimal price_of(double value) {
  return core::Decimal::from_double(value, 8);
}

// `reporting` (an amount in the reporting currency) in the quote currency of `symbol`, to 8
// decimals; nullopt while the quote has no price path to the reporting currency.
std::optional<core::Decimal> in_quote_currency(const execution::Portfolio& portfolio,
                                               const std::string& symbol, core::Decimal reporting) {
  const auto assets = core::split_symbol(symbol);
  if (!assets) return std::nullopt;
  const std::optional<core::Decimal> one_quote =
      portfolio.value_in_reporting(assets->second, core::Decimal::one());
  if (!one_quote || !one_quote->is_positive()) return std::nullopt;
  return core::Decimal::div(reporting, *one_quote, core::Rounding::kDown)
      .round(8, core::Rounding::kDown);
}

}  // namespace

ParamSpec timeframe_param(std::string default_minutes, std::string description) {
  std::vector<double> minutes{1};
  minutes.insert(minutes.end(), market::kRollupMinutes.begin(), market::kRollupMinutes.end());
  return {.name = "timeframe",
          .kind = ParamKind::kInt,
          .default_value = std::move(default_minutes),
          .min = minutes.front(),
          .max = minutes.back(),
          .description = std::move(description),
          .allowed = minutes};
}

std::vector<ParamSpec> common_params() {
  return {
      timeframe_param("1", "bar interval in minutes the strategy trades on"),
      {"symbols", ParamKind::kString, "", {}, {}, "comma-separated symbols; empty = every symbol"},
      {"size_pct", ParamKind::kDouble, "10", 0.01, 20, "entry notional, % of equity"},
      {"risk_pct", ParamKind::kDouble, "1", 0.01, 2, "max loss at the stop, % of equity"},
      {"rr", ParamKind::kDouble, "2", 1.5, 20, "target distance / stop distance"},
      // 0.9: at least the highest minimum SPEC §7 rule 4 sets without a regime (0.70 + 0.20 after
      // five losses in a row). A rule-based signal has no confidence of its own, so anything lower
      // stops the strategy for good after a streak: only a win resets the streak, and no entry can
      // pass to win. The streak still lengthens the cool-downs (rule 2) and halves sizes (rule 5).
      {"confidence", ParamKind::kDouble, "0.9", 0, 1, "confidence given to the risk engine"},
  };
}

std::vector<ParamSpec> with_common(std::vector<ParamSpec> own) {
  std::vector<ParamSpec> all = common_params();
  all.insert(all.end(), std::make_move_iterator(own.begin()), std::make_move_iterator(own.end()));
  return all;
}

SignalStrategy::SignalStrategy(Params params)
    : Strategy(std::move(params)),
      timeframe_(static_cast<int>(this->params().get_int("timeframe"))),
      symbols_(core::split_symbol_list(this->params().get_string("symbols"))),
      size_fraction_(this->params().get_double("size_pct") / 100.0),
      risk_fraction_(this->params().get_double("risk_pct") / 100.0),
      rr_(this->params().get_double("rr")),
      confidence_(this->params().get_double("confidence")) {}

bool SignalStrategy::accepts(const core::Bar& bar) const {
  if (bar.interval_minutes != timeframe_) return false;
  return symbols_.empty() ||
         std::find(symbols_.begin(), symbols_.end(), bar.symbol) != symbols_.end();
}

core::Decimal SignalStrategy::position_qty(const StrategyContext& ctx, const std::string& symbol) {
  return ctx.portfolio().position_qty(symbol);
}

core::OrderIntent SignalStrategy::base_intent(const StrategyContext& ctx,
                                              const core::Bar& bar) const {
  core::OrderIntent intent;
  intent.source = std::string(name());
  intent.symbol = bar.symbol;
  intent.type = core::OrderType::kMarket;
  intent.entry = bar.close;
  intent.confidence = confidence_;
  intent.created = ctx.now();
  return intent;
}

void SignalStrategy::enter_long(StrategyContext& ctx, const core::Bar& bar, double stop_distance,
                                std::optional<double> confidence, double size_factor) {
  const double close = bar.close.to_double();
  if (close <= 0) return;
  const double fraction = std::clamp(stop_distance / close, kMinStopFraction, kMaxStopFraction);
  const core::Decimal stop = price_of(close * (1.0 - fraction));
  const core::Decimal target = price_of(close + rr_ * (close - stop.to_double()));
  enter_at(ctx, bar, core::Side::kBuy, stop, target, confidence, size_factor);
}

bool SignalStrategy::enter_long_at(StrategyContext& ctx, const core::Bar& bar, core::Decimal stop,
                                   core::Decimal target) {
  return enter_at(ctx, bar, core::Side::kBuy, stop, target);
}

void SignalStrategy::enter_short(StrategyContext& ctx, const core::Bar& bar, double stop_distance,
                                 std::optional<double> confidence, double size_factor) {
  const double close = bar.close.to_double();
  if (close <= 0) return;
  const double fraction = std::clamp(stop_distance / close, kMinStopFraction, kMaxStopFraction);
  const core::Decimal stop = price_of(close * (1.0 + fraction));
  const core::Decimal target = price_of(close - rr_ * (stop.to_double() - close));
  if (target.is_positive()) enter_at(ctx, bar, core::Side::kSell, stop, target, confidence, size_factor);
}

bool SignalStrategy::enter_at(StrategyContext& ctx, const core::Bar& bar, core::Side side,
                              core::Decimal stop, core::Decimal target,
                              std::optional<double> confidence, double size_factor) {
  if (ctx.warming_up()) return false;  // history: no entry to remember (a grid's level stays free)
  const double close = bar.close.to_double();
  const double distance = side == core::Side::kBuy ? close - stop.to_double() : stop.to_double() - close;
  const double fraction = distance / close;
  if (close <= 0 || fraction < kRiskMinStopFraction || fraction > kRiskMaxStopFraction)
    return false;
  const core::Decimal equity = ctx.portfolio().equity();
  if (!equity.is_positive()) return false;
  // Size: the smaller of size_pct of equity and the notional whose stop-out loses risk_pct.
  const double notional_fraction = size_factor * std::min(size_fraction_, risk_fraction_ / fraction);
  const core::Decimal size =
      (equity * core::Decimal::from_double(notional_fraction, 8)).round(2, core::Rounding::kDown);
  // Equity is counted in the reporting currency, an intent's size in its pair's quote (BTC for
  // XRP/BTC): taken as it was, it was the BTC price times too large.
  const std::optional<core::Decimal> size_quote =
      in_quote_currency(ctx.portfolio(), bar.symbol, size);
  if (!size_quote || !size_quote->is_positive()) return false;
  core::OrderIntent intent = base_intent(ctx, bar);
  intent.side = side;
  intent.size_quote = *size_quote;
  intent.stop_loss = stop;
  intent.take_profit = target;
  if (confidence) intent.confidence = *confidence;
  ctx.submit(std::move(intent));
  return true;
}

void SignalStrategy::exit_long(StrategyContext& ctx, const core::Bar& bar) {
  const core::Decimal qty = position_qty(ctx, bar.symbol);
  if (qty.is_positive()) exit_position(ctx, bar, qty);
}

void SignalStrategy::exit_short(StrategyContext& ctx, const core::Bar& bar) {
  const core::Decimal qty = position_qty(ctx, bar.symbol);
  if (qty.is_negative()) exit_position(ctx, bar, qty);
}

void SignalStrategy::exit_position(StrategyContext& ctx, const core::Bar& bar, core::Decimal qty) {
  core::OrderIntent intent = base_intent(ctx, bar);
  intent.side = qty.is_positive() ? core::Side::kSell : core::Side::kBuy;
  intent.qty = qty.abs();
  intent.reduce_only = true;
  ctx.submit(std::move(intent));
}

}  // namespace tg4::strategy
