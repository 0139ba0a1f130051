#pragma once
// ExecutionMetrics: the execution and portfolio families of SPEC §11, fed by the kernel from order
// changes, fills and periodic portfolio marks. Label sets are bounded: symbols and assets come from
// the configured instruments, statuses from the order state machine.
#include <map>
#include <string>

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include "execution/order_manager.hpp"
#include "execution/portfolio.hpp"

namespace tg4::execution {

class ExecutionMetrics {
 public:
  explicit ExecutionMetrics(prometheus::Registry& registry);

  void on_order(const ManagedOrder& order);
  // The order manager's open orders, restored ones included: a count of what is, not of the
  // transitions seen (orders restored from the store at start-up never pass through on_order).
  void set_open_orders(std::size_t open) { open_orders_.Set(static_cast<double>(open)); }
  // slippage_bps: signed cost versus the reference price when the order was sent (positive = worse).
  void on_fill(const core::Fill& fill, double fee_reporting, std::optional<double> slippage_bps);
  void on_round_trip(double seconds);  // order sent -> first venue acknowledgement
  void on_problem() { problems_.Increment(); }
  // `equity` is portfolio.equity(), which the caller has already computed for the same tick.
  void on_portfolio(const Portfolio& portfolio, core::Decimal equity, core::Decimal peak_equity);

 private:
  using GaugeCache = std::map<std::string, prometheus::Gauge*, std::less<>>;
  // The series of `family` labelled label=value, looked up in prometheus-cpp once per value:
  // Family::Add builds and hashes a label map on every call, which the per-tick gauges would pay.
  static prometheus::Gauge& cached(prometheus::Family<prometheus::Gauge>& family, GaugeCache& cache,
                                   const char* label, const std::string& value);

  prometheus::Family<prometheus::Counter>& orders_;
  prometheus::Family<prometheus::Counter>& fills_;
  prometheus::Counter& fees_;
  prometheus::Histogram& slippage_;
  prometheus::Histogram& round_trip_;
  prometheus::Gauge& open_orders_;
  prometheus::Gauge& equity_;
  prometheus::Gauge& peak_equity_;
  prometheus::Gauge& drawdown_;
  prometheus::Gauge& realised_;
  prometheus::Gauge& unrealised_;
  prometheus::Gauge& fees_paid_;
  prometheus::Family<prometheus::Gauge>& balances_;
  prometheus::Family<prometheus::Gauge>& exposure_;
  prometheus::Gauge& total_exposure_;
  prometheus::Gauge& open_positions_;
  prometheus::Counter& problems_;
  GaugeCache balance_gauges_;
  GaugeCache exposure_gauges_;
  std::map<std::string, core::OrderStatus> last_status_;
};

}  // namespace tg4::execution
