#include "sim/private_metrics.hpp"

namespace tg4::sim {
namespace {

prometheus::Family<prometheus::Counter>& family(prometheus::Registry& registry, const char* name,
                                                const char* help) {
  return prometheus::BuildCounter().Name(name).Help(help).Register(registry);
}

// "EGeneral:Invalid arguments:order_qty must be positive" -> "EGeneral:Invalid arguments": the
// label stays one of a few values whatever detail follows.
std::string reason_label(const std::string& error) {
  const auto first = error.find(':');
  if (first == std::string::npos) return error.substr(0, 64);
  const auto second = error.find(':', first + 1);
  return error.substr(0, std::min<std::size_t>(second, 64));
}

}  // namespace

PrivateMetrics::PrivateMetrics(prometheus::Registry& registry)
    : orders_(family(registry, "tg4_sim_private_orders_total",
                     "Orders the simulated account placed, by order type")),
      fills_(family(registry, "tg4_sim_private_fills_total",
                    "Fills of the simulated account's orders, by liquidity")),
      rejects_(family(registry, "tg4_sim_private_rejects_total",
                      "Private requests the simulator refused, by Kraken error")),
      requests_(family(registry, "tg4_sim_private_requests_total",
                       "Authenticated WebSocket requests received by the simulator, by method")),
      open_orders_(prometheus::BuildGauge()
                       .Name("tg4_sim_private_open_orders")
                       .Help("Open orders of the simulated account")
                       .Register(registry)
                       .Add({})) {}

prometheus::Counter& PrivateMetrics::counter(prometheus::Family<prometheus::Counter>& family,
                                             std::map<std::string, prometheus::Counter*>& cache,
                                             const std::string& label, const std::string& value) {
  const auto it = cache.find(value);
  if (it != cache.end()) return *it->second;
  auto& c = family.Add({{label, value}});
  cache.emplace(value, &c);
  return c;
}

void PrivateMetrics::order(const std::string& type) {
  counter(orders_, order_cache_, "type", type).Increment();
}

void PrivateMetrics::fill(bool maker) {
  counter(fills_, fill_cache_, "liquidity", maker ? "maker" : "taker").Increment();
}

void PrivateMetrics::reject(const std::string& kraken_error) {
  counter(rejects_, reject_cache_, "reason", reason_label(kraken_error)).Increment();
}

void PrivateMetrics::request(const std::string& method) {
  counter(requests_, request_cache_, "method", method).Increment();
}

void PrivateMetrics::open_orders(std::size_t n) {
  open_orders_.Set(static_cast<double>(n));
}

}  // namespace tg4::sim
