// libFuzzer target: arbitrary lines as Kraken's private WebSocket frames (executions, balances,
// request answers) through TradingParser into the OrderTracker, with three orders of ours sent
// first, as the Kraken venue does on its connection thread. Garbage must be refused or ignored,
// never crash; whatever Kraken says, what reaches the kernel must stay sound:
// - a fill has a positive quantity and a price that is not negative;
// - an order never reports less filled than before, nor a negative quantity filled.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <string>
#include <string_view>
#include <variant>

#include "kraken/trading_codec.hpp"
#include "kraken/trading_orders.hpp"

namespace {

using tg4::core::Decimal;

constexpr const char* kOurs[] = {"a", "b", "c"};

// Routes the parsed frames to the tracker as KrakenVenue does.
struct TrackerSink final : tg4::kraken::TradingSink {
  tg4::kraken::OrderTracker tracker{64, 256};  // small bounds: pruning is reached too
  tg4::kraken::OrderTracker::Events out;
  std::uint64_t seq = 10;
  bool had_baseline = false;

  void on_response(const tg4::kraken::TradingResponse& r) override {
    if (r.method != "add_order" || r.cl_ord_id.empty()) return;
    if (r.success) {
      tracker.on_accepted(r.cl_ord_id, r.order_id, now(), out);
    } else {
      tracker.on_rejected(r.cl_ord_id, "Kraken: " + r.error, now(), out);
    }
  }
  void on_executions(const tg4::kraken::ExecutionsMessage& m) override {
    if (!m.snapshot) {
      for (const auto& report : m.reports) tracker.on_report(report, now(), out);
      return;
    }
    tracker.on_snapshot(m.reports, ++seq, !had_baseline, now(), out);
    had_baseline = true;
  }
  static tg4::core::Timestamp now() { return tg4::core::Timestamp::from_seconds(1'700'000'000); }
};

void send_ours(tg4::kraken::OrderTracker& tracker) {
  std::uint64_t seq = 1;
  for (const char* id : kOurs) {
    tg4::kraken::SentOrder order;
    order.client_order_id = id;
    order.symbol = "BTC/USD";
    order.type = tg4::core::OrderType::kLimit;
    order.qty = Decimal::must("0.5");
    order.limit_price = Decimal::must("100");
    order.seq = seq++;
    tracker.on_sent(order, TrackerSink::now());
  }
}

// The events since the last check against what the kernel may assume; `filled` is each order's
// last reported filled quantity.
void check(const tg4::kraken::OrderTracker::Events& events,
           std::map<std::string, Decimal>& filled) {
  for (const auto& event : events) {
    if (const auto* fill = std::get_if<tg4::core::Fill>(&event)) {
      if (!fill->qty.is_positive() || fill->price.is_negative()) std::abort();
    } else if (const auto* update = std::get_if<tg4::core::OrderUpdate>(&event)) {
      if (update->filled_qty.is_negative()) std::abort();
      // Others' orders may have no client id: Kraken's id names them.
      const std::string& key =
          update->client_order_id.empty() ? update->venue_order_id : update->client_order_id;
      const auto it = filled.find(key);
      if (it != filled.end() && update->filled_qty < it->second) std::abort();
      filled[key] = update->filled_qty;
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static tg4::kraken::TradingParser parser;
  TrackerSink sink;
  send_ours(sink.tracker);
  std::map<std::string, Decimal> filled;
  std::string_view rest(reinterpret_cast<const char*>(data), size);
  while (!rest.empty()) {
    const auto nl = rest.find('\n');
    (void)parser.parse(rest.substr(0, nl), sink);
    check(sink.out, filled);
    sink.out.clear();
    if (nl == std::string_view::npos) break;
    rest.remove_prefix(nl + 1);
  }
  (void)sink.tracker.take_to_verify();
  (void)sink.tracker.take_warnings();
  return 0;
}
