#pragma once
// PrivateMetrics: what the simulator's private side exports (prefix tg4_sim_private_): orders
// accepted by type, fills by liquidity (maker/taker), refusals by Kraken error, WS requests by
// method, and the account's open orders.
#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include <map>
#include <string>

namespace tg4::sim {

class PrivateMetrics {
 public:
  explicit PrivateMetrics(prometheus::Registry& registry);

  void order(const std::string& type);  // market, limit, stop-loss, ...
  void fill(bool maker);
  void reject(const std::string& kraken_error);  // labelled by the error up to its detail
  void request(const std::string& method);       // add_order, cancel_order, subscribe, ..., invalid
  void open_orders(std::size_t n);

 private:
  prometheus::Counter& counter(prometheus::Family<prometheus::Counter>& family,
                               std::map<std::string, prometheus::Counter*>& cache,
                               const std::string& label, const std::string& value);
  prometheus::Family<prometheus::Counter>& orders_;
  prometheus::Family<prometheus::Counter>& fills_;
  prometheus::Family<prometheus::Counter>& rejects_;
  prometheus::Family<prometheus::Counter>& requests_;
  prometheus::Gauge& open_orders_;
  std::map<std::string, prometheus::Counter*> order_cache_, fill_cache_, reject_cache_,
      request_cache_;
};

}  // namespace tg4::sim
