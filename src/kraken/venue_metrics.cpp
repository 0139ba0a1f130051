#include "kraken/venue_metrics.hpp"

namespace tg4::kraken {
namespace {

using CounterFamily = prometheus::Family<prometheus::Counter>;

CounterFamily& family(prometheus::Registry& registry, const char* name, const char* help) {
  return prometheus::BuildCounter().Name(name).Help(help).Register(registry);
}

prometheus::Counter& single(prometheus::Registry& registry, const char* name, const char* help) {
  return family(registry, name, help).Add({});
}

}  // namespace

VenueMetrics::VenueMetrics(prometheus::Registry& registry)
    : round_trip_(prometheus::BuildHistogram()
                      .Name("tg4_venue_request_seconds")
                      .Help("Kraken private WebSocket request to its response, by method")
                      .Register(registry)),
      errors_(family(registry, "tg4_venue_errors_total",
                     "Kraken venue errors by code (Kraken's error, timeout, parse, connection)")),
      reconciles_(family(registry, "tg4_venue_reconciles_total",
                         "Executions snapshots taken to learn the true state, by reason")),
      fill_repairs_(
          family(registry, "tg4_venue_fill_repairs_total",
                 "Fills repaired from Kraken's order totals after a disconnect (catch_up, "
                 "covered, trimmed), orders closed while away settled by REST QueryOrders "
                 "(verified_close) and those it could not settle (unverified_close: check "
                 "them on Kraken)")),
      rate_limited_(single(registry, "tg4_venue_rate_limited_total",
                           "Requests Kraken refused for its rate limit (retried after a backoff)")),
      reconnects_(single(registry, "tg4_venue_reconnects_total",
                         "Reconnect attempts of the private WebSocket session")),
      parse_errors_(single(registry, "tg4_venue_parse_errors_total",
                           "Malformed frames on the private WebSocket session")),
      up_(prometheus::BuildGauge()
              .Name("tg4_venue_up")
              .Help("1 while the private session is connected and subscribed")
              .Register(registry)
              .Add({})) {}

void VenueMetrics::round_trip(const std::string& method, double seconds) {
  static const prometheus::Histogram::BucketBoundaries kBuckets{0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                                                0.5,   1,    2.5,   5,    10};
  round_trip_.Add({{"method", method}}, kBuckets).Observe(seconds);
}

void VenueMetrics::error(const std::string& code) {
  errors_.Add({{"code", code}}).Increment();
}

void VenueMetrics::reconcile(const std::string& reason) {
  reconciles_.Add({{"reason", reason}}).Increment();
}

void VenueMetrics::fill_repairs(const TrackerStats& before, const TrackerStats& now) {
  const auto add = [this](const char* kind, std::uint64_t from, std::uint64_t to) {
    if (to > from) fill_repairs_.Add({{"kind", kind}}).Increment(static_cast<double>(to - from));
  };
  add("catch_up", before.catch_up_fills, now.catch_up_fills);
  add("covered", before.covered_trades, now.covered_trades);
  add("trimmed", before.trimmed_trades, now.trimmed_trades);
  add("unverified_close", before.unverified_closes, now.unverified_closes);
  add("verified_close", before.verified_closes, now.verified_closes);
}

}  // namespace tg4::kraken
