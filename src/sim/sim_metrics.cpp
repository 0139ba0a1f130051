#include "sim/sim_metrics.hpp"

namespace tg4::sim {

SimMetrics::SimMetrics(prometheus::Registry& registry)
    : sessions_(prometheus::BuildGauge()
                    .Name("tg4_sim_sessions")
                    .Help("Open simulator WebSocket sessions")
                    .Register(registry)
                    .Add({})),
      sessions_opened_(prometheus::BuildCounter()
                           .Name("tg4_sim_sessions_opened_total")
                           .Help("Simulator WebSocket sessions opened")
                           .Register(registry)
                           .Add({})),
      sent_(prometheus::BuildCounter()
                .Name("tg4_sim_messages_sent_total")
                .Help("Frames sent to simulator clients, by channel")
                .Register(registry)),
      requests_(prometheus::BuildCounter()
                    .Name("tg4_sim_requests_total")
                    .Help("WebSocket requests received by the simulator, by method")
                    .Register(registry)),
      rest_(prometheus::BuildCounter()
                .Name("tg4_sim_rest_requests_total")
                .Help("REST requests served by the simulator, by endpoint")
                .Register(registry)),
      faults_(prometheus::BuildCounter()
                  .Name("tg4_sim_faults_injected_total")
                  .Help("Faults the simulator injected on purpose, by kind")
                  .Register(registry)),
      events_(prometheus::BuildCounter()
                  .Name("tg4_sim_market_events_total")
                  .Help("Simulated market events, by symbol")
                  .Register(registry)),
      trades_(prometheus::BuildCounter()
                  .Name("tg4_sim_trades_total")
                  .Help("Simulated trades, by symbol")
                  .Register(registry)) {}

prometheus::Counter& SimMetrics::counter(prometheus::Family<prometheus::Counter>& family,
                                         std::map<std::string, prometheus::Counter*>& cache, const std::string& label,
                                         const std::string& value) {
  const auto it = cache.find(value);
  if (it != cache.end()) return *it->second;
  auto& c = family.Add({{label, value}});
  cache.emplace(value, &c);
  return c;
}

void SimMetrics::session_opened() {
  sessions_.Increment();
  sessions_opened_.Increment();
}

void SimMetrics::session_closed() { sessions_.Decrement(); }

void SimMetrics::sent(const std::string& channel) { counter(sent_, sent_cache_, "channel", channel).Increment(); }

void SimMetrics::request(const std::string& method) { counter(requests_, request_cache_, "method", method).Increment(); }

void SimMetrics::rest(const std::string& endpoint) { counter(rest_, rest_cache_, "endpoint", endpoint).Increment(); }

void SimMetrics::fault(const std::string& kind) { counter(faults_, fault_cache_, "fault", kind).Increment(); }

void SimMetrics::market_event(const std::string& symbol, std::size_t trades) {
  counter(events_, event_cache_, "symbol", symbol).Increment();
  if (trades > 0) counter(trades_, trade_cache_, "symbol", symbol).Increment(static_cast<double>(trades));
}

}  // namespace tg4::sim
