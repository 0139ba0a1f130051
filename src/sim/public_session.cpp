#include "sim/public_session.hpp"

#include <algorithm>
#include <climits>

#include <spdlog/spdlog.h>

namespace tg4::sim {
namespace {

constexpr int kBookDepths[] = {10, 25, 100, 500, 1000};
constexpr int kOhlcIntervals[] = {1, 5, 15, 30, 60, 240, 1440, 10080, 21600};

template <typename C, typename V>
bool contains(const C& c, V v) {
  return std::find(std::begin(c), std::end(c), v) != std::end(c);
}

}  // namespace

struct PublicSession::Request {
  std::string method;
  std::optional<std::int64_t> req_id;
  bool has_params = false;
  simdjson::dom::object params;
  wire::MethodTimes times;
  // Parsed subscription parameters.
  std::string channel;
  std::vector<std::string> symbols;
  int depth = 10;
  int interval = 1;
  std::optional<bool> snapshot;
  std::optional<std::string> event_trigger;
};

PublicSession::PublicSession(Exchange& exchange, std::shared_ptr<net::WsConnection> connection,
                             boost::asio::any_io_executor strand, std::uint64_t ordinal)
    : exchange_(exchange),
      connection_(std::move(connection)),
      connection_id_(derive_seed(exchange.options.seed, ordinal, 0x5354A7)),
      fault_rng_(derive_seed(exchange.options.seed, ordinal, 0xFA17)),
      faults_(strand, exchange, connection_) {}

void PublicSession::on_open() {
  exchange_.metrics.session_opened();
  send(make_frame(wire::status(connection_id_)), "status");
  faults_.start(weak_from_this());
}

void PublicSession::on_close() {
  if (closed_) return;
  closed_ = true;
  faults_.stop();
  for (const auto& [symbol, depth] : book_) {
    if (auto* state = exchange_.find(symbol)) {
      if (--state->book_depths[depth] <= 0) state->book_depths.erase(depth);
    }
  }
  book_.clear();
  exchange_.metrics.session_closed();
}

void PublicSession::send(const Frame& frame, const char* channel) {
  if (!frame || faults_.stalled() || closed_) return;
  const auto& faults = exchange_.options.faults;
  if (faults.malformed > 0 && fault_rng_.chance(faults.malformed)) {
    // A frame cut short, as a broken proxy might deliver it; the real frame still follows.
    connection_->send(frame->substr(0, frame->size() / 2));
    exchange_.metrics.fault("malformed");
    exchange_.metrics.sent("malformed");
  }
  connection_->send(frame);
  exchange_.metrics.sent(channel);
}

void PublicSession::fail(const Request& r, std::string_view message, std::optional<std::string> symbol) {
  reply(wire::error(r.method, message, r.req_id, symbol, {r.times.in, exchange_.now()}));
}

void PublicSession::on_message(std::string_view text) {
  if (closed_ || faults_.stalled()) return;
  Request r;
  r.times.in = exchange_.now();
  simdjson::dom::element doc;
  simdjson::dom::object obj;
  if (exchange_.parser.parse(text.data(), text.size()).get(doc) != simdjson::SUCCESS ||
      doc.get_object().get(obj) != simdjson::SUCCESS) {
    exchange_.metrics.request("invalid");
    fail(r, "Malformed request");
    return;
  }
  if (auto id = obj["req_id"]; id.error() == simdjson::SUCCESS) {
    std::int64_t value = 0;
    if (id.value_unsafe().get_int64().get(value) != simdjson::SUCCESS) {
      exchange_.metrics.request("invalid");
      fail(r, "Invalid field: 'req_id' must be an integer");
      return;
    }
    r.req_id = value;
  }
  std::string_view method;
  if (obj["method"].get_string().get(method) != simdjson::SUCCESS) {
    exchange_.metrics.request("invalid");
    fail(r, "Malformed request: 'method' must be a string");
    return;
  }
  r.method = std::string(method);
  if (auto p = obj["params"]; p.error() == simdjson::SUCCESS) {
    r.has_params = true;
    if (p.value_unsafe().get_object().get(r.params) != simdjson::SUCCESS) {
      fail(r, "Invalid field: 'params' must be an object");
      return;
    }
  }
  const bool known = method == "subscribe" || method == "unsubscribe" || method == "ping";
  exchange_.metrics.request(known ? r.method : "other");
  if (exchange_.on_request) exchange_.on_request();
  const double rate_limit = exchange_.options.faults.rate_limit;
  if (rate_limit > 0 && fault_rng_.chance(rate_limit)) {
    exchange_.metrics.fault("rate_limit");
    fail(r, "Exceeded msg rate");
    return;
  }
  handle(r);
}

void PublicSession::handle(const Request& r) {
  if (r.method == "ping") {
    if (r.has_params) {
      fail(r, "Unsupported field: 'params' for the given msg type: ping");
      return;
    }
    reply(wire::pong(r.req_id, {r.times.in, exchange_.now()}));
  } else if (r.method == "subscribe" || r.method == "unsubscribe") {
    subscribe(r, r.method == "unsubscribe");
  } else {
    fail(r, "Method(s) not found");
  }
}

void PublicSession::subscribe(const Request& request, bool unsubscribe) {
  Request r = request;
  if (!r.has_params) {
    fail(r, "Missing field: 'params'");
    return;
  }
  std::string_view channel;
  if (r.params["channel"].get_string().get(channel) != simdjson::SUCCESS) {
    fail(r, "Missing field: 'channel'");
    return;
  }
  r.channel = std::string(channel);
  static const std::set<std::string, std::less<>> kChannels = {"book",       "ticker", "trade",    "ohlc",
                                                               "instrument", "status", "heartbeat"};
  if (kChannels.count(channel) == 0) {
    fail(r, "Channel " + r.channel + " not found");
    return;
  }
  for (const auto [key, value] : r.params) {
    const bool allowed = key == "channel" || key == "symbol" || key == "snapshot" || key == "token" ||
                         (key == "depth" && channel == "book") || (key == "interval" && channel == "ohlc") ||
                         (key == "event_trigger" && channel == "ticker");
    if (!allowed) {
      fail(r, "Unsupported field: '" + std::string(key) + "' for the given msg type: " + r.method);
      return;
    }
  }
  if (auto v = r.params["snapshot"]; v.error() == simdjson::SUCCESS) {
    bool b = false;
    if (v.value_unsafe().get_bool().get(b) != simdjson::SUCCESS) {
      fail(r, "Invalid field: 'snapshot' must be true or false");
      return;
    }
    r.snapshot = b;
  }
  if (auto v = r.params["depth"]; v.error() == simdjson::SUCCESS) {
    std::int64_t d = 0;
    if (v.value_unsafe().get_int64().get(d) != simdjson::SUCCESS || !contains(kBookDepths, d)) {
      fail(r, "Subscription depth not supported");
      return;
    }
    r.depth = static_cast<int>(d);
  }
  if (auto v = r.params["interval"]; v.error() == simdjson::SUCCESS) {
    std::int64_t i = 0;
    if (v.value_unsafe().get_int64().get(i) != simdjson::SUCCESS || !contains(kOhlcIntervals, i)) {
      fail(r, "Subscription ohlc interval not supported");
      return;
    }
    r.interval = static_cast<int>(i);
  }
  if (auto v = r.params["event_trigger"]; v.error() == simdjson::SUCCESS) {
    std::string_view t;
    if (v.value_unsafe().get_string().get(t) != simdjson::SUCCESS || (t != "bbo" && t != "trades")) {
      fail(r, "Invalid field: 'event_trigger' must be \"bbo\" or \"trades\"");
      return;
    }
    r.event_trigger = std::string(t);
  }

  if (channel == "instrument" || channel == "status" || channel == "heartbeat") {
    wire::AckResult ack;
  ack.channel = r.channel;
    if (channel == "instrument") {
      if (!unsubscribe) {
        ack.snapshot = r.snapshot.value_or(true);
        ack.warnings = {"tick_size is deprecated, use price_increment"};
      }
      instrument_ = !unsubscribe;
    }
    reply(wire::ack(r.method, r.req_id, ack, {r.times.in, exchange_.now()}));
    if (channel == "instrument" && !unsubscribe && r.snapshot.value_or(true)) {
      send(exchange_.instrument_snapshot, "instrument");
    }
    if (channel == "status" && !unsubscribe) send(make_frame(wire::status(connection_id_)), "status");
    return;
  }

  simdjson::dom::array symbols;
  if (auto v = r.params["symbol"]; v.error() != simdjson::SUCCESS) {
    fail(r, "Missing field: 'symbol'");
    return;
  } else if (v.value_unsafe().get_array().get(symbols) != simdjson::SUCCESS || symbols.size() == 0) {
    fail(r, "Invalid field: 'symbol' must be a non-empty array of strings");
    return;
  }
  for (const auto item : symbols) {
    std::string_view s;
    if (item.get_string().get(s) != simdjson::SUCCESS) {
      fail(r, "Invalid field: 'symbol' must be a non-empty array of strings");
      return;
    }
    r.symbols.emplace_back(s);
  }
  for (const auto& symbol : r.symbols) {
    SymbolState* state = exchange_.find(symbol);
    if (state == nullptr) {
      fail(r, "Currency pair not supported " + symbol, symbol);
      continue;
    }
    subscribe_symbol(r, unsubscribe, *state);
  }
}

bool PublicSession::subscribe_symbol(const Request& r, bool unsubscribe, SymbolState& state) {
  const std::string& symbol = state.symbol.instrument.symbol;
  wire::AckResult ack;
  ack.channel = r.channel;
  ack.symbol = symbol;
  const auto not_found = [&] {
    fail(r, "Subscription Not Found", symbol);
    return false;
  };
  const auto already = [&] {
    fail(r, "Already subscribed", symbol);
    return false;
  };
  bool snapshot = false;
  if (r.channel == "book") {
    const auto it = book_.find(symbol);
    if (unsubscribe) {
      if (it == book_.end()) return not_found();
      ack.depth = static_cast<int>(it->second);
      if (--state.book_depths[it->second] <= 0) state.book_depths.erase(it->second);
      book_.erase(it);
    } else {
      if (it != book_.end()) return already();
      book_[symbol] = static_cast<std::size_t>(r.depth);
      ++state.book_depths[static_cast<std::size_t>(r.depth)];
      ack.depth = r.depth;
      snapshot = r.snapshot.value_or(true);
      ack.snapshot = snapshot;
    }
  } else if (r.channel == "ticker") {
    const auto it = ticker_.find(symbol);
    if (unsubscribe) {
      if (it == ticker_.end()) return not_found();
      ticker_.erase(it);
    } else {
      if (it != ticker_.end()) return already();
      ticker_[symbol] = TickerSub{r.event_trigger.value_or("trades") == "bbo"};
      ack.event_trigger = r.event_trigger;
      snapshot = r.snapshot.value_or(true);
      ack.snapshot = snapshot;
    }
  } else if (r.channel == "trade") {
    if (unsubscribe) {
      if (trade_.erase(symbol) == 0) return not_found();
    } else {
      if (!trade_.insert(symbol).second) return already();
      snapshot = r.snapshot.value_or(false);
      ack.snapshot = snapshot;
    }
  } else {  // ohlc
    const auto key = std::make_pair(symbol, r.interval);
    ack.interval = r.interval;
    if (unsubscribe) {
      if (ohlc_.erase(key) == 0) return not_found();
    } else {
      if (!ohlc_.insert(key).second) return already();
      snapshot = r.snapshot.value_or(true);
      ack.snapshot = snapshot;
      ack.warnings = {"timestamp is deprecated, use interval_begin"};
    }
  }
  reply(wire::ack(r.method, r.req_id, ack, {r.times.in, exchange_.now()}));
  if (snapshot) send_snapshot(r, state);
  return true;
}

void PublicSession::send_snapshot(const Request& r, SymbolState& state) {
  const auto& inst = state.symbol.instrument;
  const auto now = exchange_.now();
  if (r.channel == "book") {
    const auto& book = state.market->book();
    const auto depth = static_cast<std::size_t>(r.depth);
    const auto bids = book.top(true, depth);
    const auto asks = book.top(false, depth);
    send(make_frame(wire::book(inst, true, bids, asks, book.checksum(inst.price_precision, inst.qty_precision), now)),
         "book");
  } else if (r.channel == "ticker") {
    send(make_frame(wire::ticker(inst, true, state.ticker(now))), "ticker");
  } else if (r.channel == "trade") {
    const auto trades = state.history->recent_trades(50);
    if (!trades.empty()) send(make_frame(wire::trades(inst, true, trades)), "trade");
  } else if (r.channel == "ohlc") {
    const auto bars = state.history->ohlc(r.interval, std::nullopt, now, exchange_.options.ohlc_snapshot_bars);
    if (!bars.empty()) send(make_frame(wire::ohlc(inst, true, bars, now)), "ohlc");
  }
}

void PublicSession::on_step(StepFrames& frames) {
  if (faults_.stalled() || closed_) return;
  const std::string& symbol = frames.state().symbol.instrument.symbol;
  if (const auto it = book_.find(symbol); it != book_.end()) {
    Frame frame = frames.book(it->second);
    const double corrupt = exchange_.options.faults.corrupt_checksum;
    if (frame && corrupt > 0 && fault_rng_.chance(corrupt)) {
      frame = frames.book_corrupted(it->second);
      exchange_.metrics.fault("corrupt_checksum");
    }
    send(frame, "book");
  }
  if (frames.has_trades() && trade_.count(symbol) > 0) send(frames.trades(), "trade");
  if (const auto it = ticker_.find(symbol); it != ticker_.end()) {
    if (it->second.bbo ? frames.top_changed() : frames.has_trades()) send(frames.ticker(), "ticker");
  }
  if (frames.has_trades()) {
    for (auto it = ohlc_.lower_bound({symbol, INT_MIN}); it != ohlc_.end() && it->first == symbol; ++it) {
      send(frames.ohlc(it->second), "ohlc");
    }
  }
}

void PublicSession::on_heartbeat() { send(exchange_.heartbeat, "heartbeat"); }

}  // namespace tg4::sim
