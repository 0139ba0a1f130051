#pragma once
// VenueMetrics: the live Kraken venue's own families (SPEC §11 "Execution"), beside what the
// kernel's ExecutionMetrics already counts from the events (orders by status, fills, fees,
// slippage, order round trip as the kernel sees it). These measure the private session itself:
// request round trips by method, errors by Kraken error code, rate-limit answers, reconnects,
// reconciliations and whether the session is up.
#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <string>

#include "kraken/trading_orders.hpp"

namespace tg4::kraken {

class VenueMetrics {
 public:
  explicit VenueMetrics(prometheus::Registry& registry);

  // `method`: add_order, amend_order, cancel_order, cancel_all, cancel_all_orders_after, subscribe.
  void round_trip(const std::string& method, double seconds);
  // `code`: error_code() of Kraken's text, or "timeout", "parse", "connection".
  void error(const std::string& code);
  void rate_limited() { rate_limited_.Increment(); }
  void reconnect() { reconnects_.Increment(); }
  void set_up(bool up) { up_.Set(up ? 1.0 : 0.0); }
  // `reason`: timeout, reconnect, duplicate, unknown_order, snapshot.
  void reconcile(const std::string& reason);
  void parse_error() { parse_errors_.Increment(); }
  // What the tracker repaired since `before` (fills from Kraken's totals after a disconnect, and
  // write-offs to check by hand), by kind: catch_up, covered, trimmed, verified_close,
  // unverified_close.
  void fill_repairs(const TrackerStats& before, const TrackerStats& now);

 private:
  prometheus::Family<prometheus::Histogram>& round_trip_;
  prometheus::Family<prometheus::Counter>& errors_;
  prometheus::Family<prometheus::Counter>& reconciles_;
  prometheus::Family<prometheus::Counter>& fill_repairs_;
  prometheus::Counter& rate_limited_;
  prometheus::Counter& reconnects_;
  prometheus::Counter& parse_errors_;
  prometheus::Gauge& up_;
};

}  // namespace tg4::kraken
