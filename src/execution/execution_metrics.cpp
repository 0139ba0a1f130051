#include "execution/execution_metrics.hpp"

namespace tg4::execution {

namespace {

prometheus::Histogram::BucketBoundaries slippage_buckets() { return {-20, -10, -5, -2, -1, 0, 1, 2, 5, 10, 20, 50, 100}; }
prometheus::Histogram::BucketBoundaries latency_buckets() {
  return {0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.2, 0.5, 1, 2, 5};
}

}  // namespace

ExecutionMetrics::ExecutionMetrics(prometheus::Registry& registry)
    : orders_(prometheus::BuildCounter()
                  .Name("tg4_orders_total")
                  .Help("Order state changes by status")
                  .Register(registry)),
      fills_(prometheus::BuildCounter()
                 .Name("tg4_fills_total")
                 .Help("Fills by symbol and side")
                 .Register(registry)),
      fees_(prometheus::BuildCounter()
                .Name("tg4_fees_paid_total")
                .Help("Fees paid, in the reporting currency")
                .Register(registry)
                .Add({})),
      slippage_(prometheus::BuildHistogram()
                    .Name("tg4_fill_slippage_bps")
                    .Help("Fill price versus the reference price when sent, basis points (positive "
                          "= worse)")
                    .Register(registry)
                    .Add({}, slippage_buckets())),
      round_trip_(prometheus::BuildHistogram()
                      .Name("tg4_order_round_trip_seconds")
                      .Help("Order sent to first venue acknowledgement")
                      .Register(registry)
                      .Add({}, latency_buckets())),
      open_orders_(prometheus::BuildGauge()
                       .Name("tg4_orders_open")
                       .Help("Open orders")
                       .Register(registry)
                       .Add({})),
      equity_(prometheus::BuildGauge()
                  .Name("tg4_portfolio_equity")
                  .Help("Equity in the reporting currency")
                  .Register(registry)
                  .Add({})),
      peak_equity_(prometheus::BuildGauge()
                       .Name("tg4_portfolio_peak_equity")
                       .Help("Highest equity seen")
                       .Register(registry)
                       .Add({})),
      drawdown_(prometheus::BuildGauge()
                    .Name("tg4_portfolio_drawdown_ratio")
                    .Help("Drawdown from the equity peak, 0..1")
                    .Register(registry)
                    .Add({})),
      realised_(prometheus::BuildGauge()
                    .Name("tg4_portfolio_realised_pnl")
                    .Help("Realised PnL after fees")
                    .Register(registry)
                    .Add({})),
      unrealised_(prometheus::BuildGauge()
                      .Name("tg4_portfolio_unrealised_pnl")
                      .Help("Unrealised PnL at marks")
                      .Register(registry)
                      .Add({})),
      fees_paid_(prometheus::BuildGauge()
                     .Name("tg4_portfolio_fees")
                     .Help("Fees paid so far")
                     .Register(registry)
                     .Add({})),
      balances_(prometheus::BuildGauge()
                    .Name("tg4_portfolio_balance")
                    .Help("Balance per asset")
                    .Register(registry)),
      exposure_(prometheus::BuildGauge()
                    .Name("tg4_portfolio_exposure")
                    .Help("Open position notional per symbol, reporting currency")
                    .Register(registry)),
      // A gauge: no _total suffix, which Prometheus keeps for counters (it was
      // tg4_portfolio_exposure_total, and rate() of it made sense to no one).
      total_exposure_(prometheus::BuildGauge()
                          .Name("tg4_portfolio_total_exposure")
                          .Help("Sum of open position notionals, reporting currency")
                          .Register(registry)
                          .Add({})),
      open_positions_(prometheus::BuildGauge()
                          .Name("tg4_positions_open")
                          .Help("Open positions")
                          .Register(registry)
                          .Add({})),
      problems_(prometheus::BuildCounter()
                    .Name("tg4_order_problems_total")
                    .Help("Problems of the order manager (stop placed again, exit dropped, "
                          "position without a stop); "
                          "the text is in the log and tg4 ctl status")
                    .Register(registry)
                    .Add({})) {
  for (const char* status : {"pending_new", "new", "partially_filled", "filled", "canceled", "rejected", "expired"}) {
    orders_.Add({{"status", status}});  // every series exists from the start, so rates are defined
  }
}

void ExecutionMetrics::on_order(const ManagedOrder& order) {
  const std::string& id = order.request.client_order_id;
  const auto previous = last_status_.find(id);
  if (previous != last_status_.end() && previous->second == order.status) return;
  orders_.Add({{"status", core::to_string(order.status)}}).Increment();
  if (!core::is_terminal(order.status)) {
    last_status_[id] = order.status;
  } else {
    last_status_.erase(id);
  }
}

void ExecutionMetrics::on_fill(const core::Fill& fill, double fee_reporting, std::optional<double> slippage_bps) {
  fills_.Add({{"symbol", fill.symbol}, {"side", core::to_string(fill.side)}}).Increment();
  if (fee_reporting > 0) fees_.Increment(fee_reporting);
  if (slippage_bps) slippage_.Observe(*slippage_bps);
}

void ExecutionMetrics::on_round_trip(double seconds) { round_trip_.Observe(seconds); }

prometheus::Gauge& ExecutionMetrics::cached(prometheus::Family<prometheus::Gauge>& family, GaugeCache& cache,
                                            const char* label, const std::string& value) {
  const auto it = cache.find(value);
  if (it != cache.end()) return *it->second;
  prometheus::Gauge& gauge = family.Add({{label, value}});
  cache.emplace(value, &gauge);
  return gauge;
}

void ExecutionMetrics::on_portfolio(const Portfolio& portfolio, core::Decimal equity, core::Decimal peak_equity) {
  equity_.Set(equity.to_double());
  peak_equity_.Set(peak_equity.to_double());
  drawdown_.Set(peak_equity.is_positive() && equity < peak_equity ? ((peak_equity - equity) / peak_equity).to_double() : 0.0);
  realised_.Set(portfolio.realised_pnl().to_double());
  unrealised_.Set(portfolio.unrealised_pnl().to_double());
  fees_paid_.Set(portfolio.fees_paid().to_double());
  for (const auto& [asset, amount] : portfolio.balances()) {
    cached(balances_, balance_gauges_, "asset", asset).Set(amount.to_double());
  }
  double total = 0;
  int open = 0;
  for (const auto& [symbol, position] : portfolio.positions()) {
    const double e = portfolio.exposure(symbol).to_double();
    cached(exposure_, exposure_gauges_, "symbol", symbol).Set(e);
    total += e;
    open += position.is_open();
  }
  total_exposure_.Set(total);
  open_positions_.Set(open);
}

}  // namespace tg4::execution
