#pragma once
// SimMetrics: what the simulator exports (prefix tg4_sim_): sessions, frames sent by channel, client
// requests by method, REST requests by endpoint, faults injected by kind, market events.
#include <map>
#include <string>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

namespace tg4::sim {

class SimMetrics {
 public:
  explicit SimMetrics(prometheus::Registry& registry);

  void session_opened();
  void session_closed();
  void sent(const std::string& channel);   // status, heartbeat, book, ticker, trade, ohlc, instrument, method
  void request(const std::string& method);  // subscribe, unsubscribe, ping, invalid
  void rest(const std::string& endpoint);   // AssetPairs, OHLC, Trades, Depth, Time, SystemStatus, unknown
  void fault(const std::string& kind);      // drop, stall, corrupt_checksum, malformed, rate_limit
  void market_event(const std::string& symbol, std::size_t trades);

 private:
  prometheus::Counter& counter(prometheus::Family<prometheus::Counter>& family, std::map<std::string, prometheus::Counter*>& cache,
                               const std::string& label, const std::string& value);
  prometheus::Gauge& sessions_;
  prometheus::Counter& sessions_opened_;
  prometheus::Family<prometheus::Counter>& sent_;
  prometheus::Family<prometheus::Counter>& requests_;
  prometheus::Family<prometheus::Counter>& rest_;
  prometheus::Family<prometheus::Counter>& faults_;
  prometheus::Family<prometheus::Counter>& events_;
  prometheus::Family<prometheus::Counter>& trades_;
  std::map<std::string, prometheus::Counter*> sent_cache_, request_cache_, rest_cache_, fault_cache_, event_cache_,
      trade_cache_;
};

}  // namespace tg4::sim
