#include "kraken/feed.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json.hpp>
#include <charconv>
#include <future>
#include <map>
#include <optional>
#include <random>
#include <set>

#include "core/clock.hpp"
#include "core/time.hpp"
#include "core/instrument.hpp"
#include "kraken/codec.hpp"
#include "kraken/feed_metrics.hpp"
#include "kraken/quiet_ping.hpp"
#include "net/ws_client.hpp"

namespace tg4::kraken {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;
using SteadyClock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr int kBookDepths[] = {10, 25, 100, 500, 1000};
constexpr int kOhlcIntervals[] = {1, 5, 15, 30, 60, 240, 1440, 10080, 21600};
// How long stop() waits for the close handshake before cutting the connection.
constexpr milliseconds kFeedStopGrace{3000};
// Parse errors are logged at most this often; the ones in between are counted in the next line.
constexpr milliseconds kParseLogInterval{1000};

template <std::size_t N>
bool one_of(const int (&values)[N], int v) {
  return std::find(std::begin(values), std::end(values), v) != std::end(values);
}

std::optional<int> parse_int(std::string_view text) {
  int v = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || ptr != text.data() + text.size()) return std::nullopt;
  return v;
}

std::vector<std::string_view> split(std::string_view text, char by) {
  std::vector<std::string_view> out;
  while (true) {
    const auto at = text.find(by);
    out.push_back(text.substr(0, at));
    if (at == std::string_view::npos) return out;
    text.remove_prefix(at + 1);
  }
}

double seconds_between(core::Timestamp from, core::Timestamp to) {
  return static_cast<double>((to - from).count()) / 1e9;
}

}  // namespace

// ---- options ---------------------------------------------------------------------------------

core::Result<FeedChannels> FeedChannels::parse(std::string_view list) {
  FeedChannels c;
  c.book = c.trade = c.ticker = c.instrument = c.status = false;
  const auto bad = [&](std::string_view token, const std::string& why) {
    return core::Error::of("channels: '" + std::string(token) + "': " + why +
                           " (write e.g. book:25,trade,ticker,ohlc:1:5,instrument,status or all)");
  };
  if (list.empty()) return bad(list, "no channel given");
  for (const auto token : split(list, ',')) {
    const auto parts = split(token, ':');
    const auto name = parts[0];
    if (name == "all" && parts.size() == 1) {
      c = FeedChannels{};
      c.ohlc_intervals = {1};
    } else if (name == "book") {
      c.book = true;
      if (parts.size() > 2) return bad(token, "book takes one depth");
      if (parts.size() == 2) {
        const auto d = parse_int(parts[1]);
        if (!d || !one_of(kBookDepths, *d))
          return bad(token, "depth must be 10, 25, 100, 500 or 1000");
        c.book_depth = *d;
      }
    } else if (name == "ohlc") {
      if (parts.size() == 1) c.ohlc_intervals.push_back(1);
      for (std::size_t i = 1; i < parts.size(); ++i) {
        const auto v = parse_int(parts[i]);
        if (!v || !one_of(kOhlcIntervals, *v)) {
          return bad(token,
                     "interval must be 1, 5, 15, 30, 60, 240, 1440, 10080 or 21600 (minutes)");
        }
        c.ohlc_intervals.push_back(*v);
      }
    } else if (parts.size() > 1) {
      return bad(token, "only book and ohlc take arguments");
    } else if (name == "trade") {
      c.trade = true;
    } else if (name == "ticker") {
      c.ticker = true;
    } else if (name == "instrument") {
      c.instrument = true;
    } else if (name == "status") {
      c.status = true;
    } else {
      return bad(token,
                 "unknown channel (known: book, trade, ticker, ohlc, instrument, status, all)");
    }
  }
  std::sort(c.ohlc_intervals.begin(), c.ohlc_intervals.end());
  c.ohlc_intervals.erase(std::unique(c.ohlc_intervals.begin(), c.ohlc_intervals.end()),
                         c.ohlc_intervals.end());
  return c;
}

std::string FeedChannels::to_string() const {
  std::vector<std::string> parts;
  if (book) parts.push_back("book:" + std::to_string(book_depth));
  if (trade) parts.emplace_back("trade");
  if (ticker) parts.emplace_back("ticker");
  if (!ohlc_intervals.empty()) {
    std::string o = "ohlc";
    for (const int i : ohlc_intervals) o += ":" + std::to_string(i);
    parts.push_back(o);
  }
  if (instrument) parts.emplace_back("instrument");
  if (status) parts.emplace_back("status");
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : ",") + p;
  return out;
}

core::Status FeedOptions::validate() const {
  if (auto url_ok = net::parse_client_url(url, "ws", "wss"); !url_ok) return url_ok.error();
  const bool per_symbol =
      channels.book || channels.trade || channels.ticker || !channels.ohlc_intervals.empty();
  if (per_symbol && symbols.empty()) {
    return core::Error::of("feed: no symbols given for channels " + channels.to_string() +
                           " (write e.g. BTC/USD,ETH/USD)");
  }
  if (!per_symbol && !channels.instrument && !channels.status)
    return core::Error::of("feed: no channel to subscribe");
  for (const auto& s : symbols) {
    if (!core::split_symbol(s)) {
      return core::Error::of("feed: symbol '" + s +
                             "' is not in Kraken's WS v2 form BASE/QUOTE (e.g. BTC/USD)");
    }
  }
  if (!one_of(kBookDepths, channels.book_depth)) {
    return core::Error::of("feed: book depth " + std::to_string(channels.book_depth) +
                           " is not one of 10, 25, 100, 500, 1000");
  }
  for (const int i : channels.ohlc_intervals) {
    if (!one_of(kOhlcIntervals, i))
      return core::Error::of("feed: ohlc interval " + std::to_string(i) + " is not valid");
  }
  if (message_deadline < milliseconds(100)) {
    return core::Error::of("feed: message deadline " + core::duration_text(message_deadline) +
                           " is below 100 ms");
  }
  if (connect_timeout < milliseconds(100)) {
    return core::Error::of("feed: connect timeout " + core::duration_text(connect_timeout) +
                           " is below 100 ms");
  }
  return {};
}

// ---- the feed --------------------------------------------------------------------------------

class Feed::Impl final : private FrameSink {
 public:
  Impl(const FeedOptions& options, Sink sink, prometheus::Registry* registry,
       std::shared_ptr<spdlog::logger> log)
      : options_(options),
        sink_(std::move(sink)),
        log_(log ? std::move(log) : spdlog::default_logger()),
        reconnect_backoff_(options.reconnect_backoff, seed(options.jitter_seed)),
        rate_backoff_(options.rate_limit_backoff, seed(options.jitter_seed) + 1),
        reconnect_timer_(io_.io()),
        ping_(io_.io(), options.ping_after.count() > 0 ? options.ping_after
                                                       : options.message_deadline / 2) {
    if (registry != nullptr) metrics_.emplace(*registry, options.name);
  }

  ~Impl() override { stop(); }

  void set_raw_sink(RawSink raw) { raw_ = std::move(raw); }

  void start() {
    asio::post(io_.io(), [this] { connect(); });
  }

  void stop() {
    if (stopped_.exchange(true)) return;
    std::promise<void> closed;
    auto done = closed.get_future();
    asio::post(io_.io(), [this, &closed] {
      stopping_ = true;
      reconnect_timer_.cancel();
      ping_.stop();
      for (auto& t : retry_timers_) t->cancel();
      if (client_) {
        stop_promise_ = &closed;
        client_->close("feed stopping");
      } else {
        closed.set_value();
      }
    });
    done.wait_for(kFeedStopGrace);
    io_.stop();
    stop_promise_ = nullptr;
  }

  void resubscribe_book(const std::string& symbol) {
    asio::post(io_.io(), [this, symbol] { start_book_resubscribe(symbol); });
  }

  FeedStats stats() const {
    std::lock_guard lock(stats_mutex_);
    return stats_;
  }

 private:
  // A subscribe or unsubscribe request and what to send once every symbol of it was answered.
  struct Request {
    bool unsubscribe = false;
    std::string channel;
    std::vector<std::string> symbols;  // empty for instrument / status
    int depth = 0;
    int interval = 0;
    bool resubscribe = false;  // the subscribe half of resubscribe_book()
    std::shared_ptr<Request> then;
  };
  struct Pending {
    Request request;
    std::set<std::string> waiting;  // symbols not answered yet
  };

  static std::uint64_t seed(std::uint64_t s) { return s != 0 ? s : std::random_device{}(); }

  template <class F>
  void update_stats(F f) {
    std::lock_guard lock(stats_mutex_);
    f(stats_);
  }

  void emit(core::MarketEvent e) {
    if (sink_) sink_(std::move(e));
  }

  void emit_state(bool connected, std::string reason) {
    emit(core::FeedState{options_.name, connected, std::move(reason), clock_.now()});
  }

  // ---- connection life ----

  void connect() {
    if (stopping_) return;
    const auto generation = ++generation_;
    opened_ = false;
    net::WsClientOptions o;
    o.url = options_.url;
    o.tls = options_.tls;
    o.connect_timeout = options_.connect_timeout;
    o.idle_timeout = options_.message_deadline;
    // Callbacks of an earlier connection that arrive late are ignored by generation.
    net::WsHandlers h{[this, generation] {
                        if (generation == generation_) on_open();
                      },
                      [this, generation](std::string_view text) {
                        if (generation == generation_) on_frame(text);
                      },
                      [this, generation](const net::WsCloseInfo& info) {
                        if (generation == generation_) on_close(info);
                      }};
    auto client = net::WsClient::create(io_.io(), std::move(o), std::move(h));
    if (!client) {
      log_->error("feed {}: {}", options_.name, client.error().message);
      return schedule_reconnect();
    }
    client_ = *client;
    client_->connect();
  }

  void on_open() {
    opened_ = true;
    connected_at_ = SteadyClock::now();
    last_frame_ = connected_at_;
    pending_.clear();
    resubscribing_.clear();
    update_stats([](FeedStats& s) {
      ++s.connects;
      s.up = true;
    });
    if (metrics_) metrics_->set_up(true);
    log_->info("feed {}: connected to {}", options_.name, options_.url);
    emit_state(true, "connected to " + options_.url);
    subscribe_all();
    ping_.start(last_frame_, [this] {
      if (!client_ || !opened_) return false;
      client_->send(ping_frame(next_req_id_++));
      update_stats([](FeedStats& s) { ++s.pings; });
      return true;
    });
  }

  void on_close(const net::WsCloseInfo& info) {
    client_.reset();
    ping_.stop();
    pending_.clear();
    resubscribing_.clear();
    update_stats([&](FeedStats& s) {
      s.up = false;
      if (info.kind == net::WsCloseInfo::Kind::kStalled) ++s.stalls;
    });
    if (metrics_) {
      metrics_->set_up(false);
      if (info.kind == net::WsCloseInfo::Kind::kStalled) metrics_->stall();
    }
    emit_state(false, info.reason);
    if (stopping_) {
      if (stop_promise_ != nullptr) std::exchange(stop_promise_, nullptr)->set_value();
      return;
    }
    const auto now = SteadyClock::now();
    if (opened_) {
      log_->warn("feed {}: {}", options_.name, info.reason);
      if (now - connected_at_ >= options_.stable_after) reconnect_backoff_.reset();
      if (!awaiting_snapshot_) {
        dropped_at_ = now;
        awaiting_snapshot_ = options_.channels.book;
      }
    } else {
      log_->warn("feed {}: {}", options_.name, info.reason);
    }
    schedule_reconnect();
  }

  void schedule_reconnect() {
    const auto delay = reconnect_backoff_.next();
    update_stats([](FeedStats& s) { ++s.reconnects; });
    if (metrics_) metrics_->reconnect();
    emit_state(false, "reconnecting in " + core::duration_text(delay) + " (attempt " +
                          std::to_string(reconnect_backoff_.attempts()) + ")");
    reconnect_timer_.expires_after(delay);
    reconnect_timer_.async_wait([this](boost::system::error_code ec) {
      if (!ec) connect();
    });
  }

  // ---- subscriptions ----

  void subscribe_all() {
    const auto& c = options_.channels;
    const auto& symbols = options_.symbols;
    if (c.instrument) send(Request{false, "instrument", {}, 0, 0, false, nullptr});
    if (c.status) send(Request{false, "status", {}, 0, 0, false, nullptr});
    if (c.book) send(Request{false, "book", symbols, c.book_depth, 0, false, nullptr});
    if (c.trade) send(Request{false, "trade", symbols, 0, 0, false, nullptr});
    if (c.ticker) send(Request{false, "ticker", symbols, 0, 0, false, nullptr});
    for (const int interval : c.ohlc_intervals)
      send(Request{false, "ohlc", symbols, 0, interval, false, nullptr});
  }

  void send(Request request) {
    if (!client_ || !opened_) return;  // the next connection subscribes everything again
    const std::int64_t id = next_req_id_++;
    json::object params{{"channel", request.channel}};
    if (!request.symbols.empty()) {
      json::array symbols;
      for (const auto& s : request.symbols) symbols.emplace_back(s);
      params["symbol"] = std::move(symbols);
    }
    if (request.depth > 0) params["depth"] = request.depth;
    if (request.interval > 0) params["interval"] = request.interval;
    json::object message{{"method", request.unsubscribe ? "unsubscribe" : "subscribe"},
                         {"params", std::move(params)},
                         {"req_id", id}};
    Pending p{std::move(request), {}};
    p.waiting.insert(p.request.symbols.begin(), p.request.symbols.end());
    pending_[id] = std::move(p);
    client_->send(json::serialize(message));
  }

  void start_book_resubscribe(const std::string& symbol) {
    if (stopping_ || !client_ || !opened_) return;  // a new connection resubscribes anyway
    const auto& symbols = options_.symbols;
    if (!options_.channels.book ||
        std::find(symbols.begin(), symbols.end(), symbol) == symbols.end()) {
      log_->warn("feed {}: resubscribe_book({}): no book subscription for that symbol",
                 options_.name, symbol);
      return;
    }
    if (!resubscribing_.insert(symbol).second) return;
    update_stats([](FeedStats& s) { ++s.book_resubscribes; });
    if (metrics_) metrics_->resubscribe(true);
    log_->info("feed {}: resubscribing the {} book", options_.name, symbol);
    const int depth = options_.channels.book_depth;
    auto again =
        std::make_shared<Request>(Request{false, "book", {symbol}, depth, 0, true, nullptr});
    send(Request{true, "book", {symbol}, depth, 0, false, std::move(again)});
  }

  void on_method(const MethodResponse& m) override {
    if (m.method == "pong") return;
    const auto it = m.req_id ? pending_.find(*m.req_id) : pending_.end();
    if (it == pending_.end()) {
      if (!m.success) log_->warn("feed {}: Kraken error: {}", options_.name, m.error);
      return;
    }
    Pending& p = it->second;
    if (m.success) {
      rate_backoff_.reset();
      return answered(it, m.symbol, true);
    }
    if (m.error.find("Exceeded msg rate") != std::string::npos) return rate_limited(it, m.symbol);
    const bool harmless =
        (!p.request.unsubscribe && m.error.find("Already subscribed") != std::string::npos) ||
        (p.request.unsubscribe && m.error.find("Subscription Not Found") != std::string::npos);
    if (!harmless) {
      update_stats([](FeedStats& s) { ++s.subscribe_errors; });
      if (metrics_) metrics_->subscribe_error();
      log_->error("feed {}: {} {}{}{} refused: {}", options_.name,
                  p.request.unsubscribe ? "unsubscribe" : "subscribe", p.request.channel,
                  m.symbol.empty() ? "" : " ", m.symbol, m.error);
    }
    // An unsubscribe that failed still lets its resubscribe go ahead; a refused subscribe ends
    // here.
    answered(it, m.symbol, harmless || p.request.unsubscribe);
  }

  void answered(std::map<std::int64_t, Pending>::iterator it, const std::string& symbol,
                bool proceed) {
    Pending& p = it->second;
    if (symbol.empty()) {
      p.waiting.clear();
    } else {
      p.waiting.erase(symbol);
    }
    if (!p.waiting.empty()) return;
    Request done = std::move(p.request);
    pending_.erase(it);
    if (done.resubscribe) {
      for (const auto& s : done.symbols) resubscribing_.erase(s);
    }
    if (proceed && done.then) send(std::move(*done.then));
  }

  void rate_limited(std::map<std::int64_t, Pending>::iterator it, const std::string& symbol) {
    Pending& p = it->second;
    Request retry = p.request;
    if (!symbol.empty() && p.waiting.count(symbol) > 0) {
      retry.symbols = {symbol};
      p.waiting.erase(symbol);
    } else {
      retry.symbols.assign(p.waiting.begin(), p.waiting.end());
      p.waiting.clear();
    }
    p.request.then.reset();  // the retry carries the follow-up
    if (p.waiting.empty()) pending_.erase(it);
    const auto delay = rate_backoff_.next();
    update_stats([](FeedStats& s) { ++s.rate_limited; });
    if (metrics_) metrics_->rate_limited();
    log_->warn("feed {}: Exceeded msg rate on {} {}; retrying in {}", options_.name,
               retry.unsubscribe ? "unsubscribe" : "subscribe", retry.channel, core::duration_text(delay));
    auto timer = std::make_shared<asio::steady_timer>(io_.io(), delay);
    retry_timers_.insert(timer);
    timer->async_wait([this, timer, generation = generation_,
                       retry = std::move(retry)](boost::system::error_code ec) mutable {
      retry_timers_.erase(timer);
      if (!ec && generation == generation_) send(std::move(retry));
    });
  }

  // ---- frames ----

  void on_frame(std::string_view text) {
    const auto received = clock_.now();
    last_frame_ = SteadyClock::now();
    if (raw_) raw_(text, received);
    const auto kind = parser_.parse(text, received, *this);
    update_stats([&](FeedStats& s) {
      ++s.frames;
      if (!kind) ++s.parse_errors;
    });
    if (!kind) {
      if (metrics_) metrics_->parse_error();
      log_parse_error(kind.error().message);
      return;
    }
    if (metrics_) metrics_->message(*kind);
  }

  void log_parse_error(const std::string& message) {
    const auto now = SteadyClock::now();
    if (now - last_parse_log_ < kParseLogInterval) {
      ++parse_errors_unlogged_;
      return;
    }
    last_parse_log_ = now;
    if (parse_errors_unlogged_ > 0) {
      log_->warn("feed {}: malformed frame: {} ({} more since the last report)", options_.name,
                 message, parse_errors_unlogged_);
    } else {
      log_->warn("feed {}: malformed frame: {}", options_.name, message);
    }
    parse_errors_unlogged_ = 0;
  }

  // One clock on both sides: the wall clock against Kraken's (synchronised) clock, or, with a
  // simulated exchange clock, the newest exchange time seen.
  void observe_age(core::Timestamp exchange, core::Timestamp received) {
    if (!metrics_ || !exchange.is_set()) return;
    if (options_.exchange_clock) {
      newest_exchange_time_ = std::max(newest_exchange_time_, exchange);
      received = newest_exchange_time_;
    }
    metrics_->age(std::max(0.0, seconds_between(exchange, received)));
  }

  void on_book(const core::BookDelta& delta) override {
    if (delta.is_snapshot) {
      std::optional<milliseconds> latency;
      if (awaiting_snapshot_) {
        awaiting_snapshot_ = false;
        latency = std::chrono::duration_cast<milliseconds>(SteadyClock::now() - dropped_at_);
        log_->info("feed {}: first book snapshot {} ms after the connection was lost",
                   options_.name, latency->count());
        if (metrics_) metrics_->reconnect_seconds(static_cast<double>(latency->count()) / 1000.0);
      }
      update_stats([&](FeedStats& s) {
        ++s.book_snapshots;
        if (latency) s.last_reconnect_ms = latency->count();
      });
    } else {
      observe_age(delta.exchange_time, delta.received);
    }
    if (sink_) emit(delta);
  }
  void on_trade(const core::Trade& trade) override {
    observe_age(trade.time, trade.received);
    if (sink_) emit(trade);
  }
  void on_ticker(const core::Ticker& ticker) override {
    if (sink_) emit(ticker);
  }
  void on_ohlc(const core::Ohlc& ohlc) override {
    if (sink_) emit(ohlc);
  }
  void on_instrument(const core::InstrumentUpdate& update) override {
    if (sink_) emit(update);
  }
  void on_status(const core::VenueStatus& status) override {
    if (sink_) emit(status);
  }

  // The io thread first: everything below is destroyed before it, and its handlers never run
  // after stop().
  net::IoThread io_;
  FeedOptions options_;
  Sink sink_;
  RawSink raw_;
  std::shared_ptr<spdlog::logger> log_;
  std::optional<FeedMetrics> metrics_;
  core::LiveClock clock_;
  core::Timestamp newest_exchange_time_;  // with options_.exchange_clock
  FrameParser parser_;
  net::Backoff reconnect_backoff_;
  net::Backoff rate_backoff_;
  asio::steady_timer reconnect_timer_;
  QuietPing ping_;
  std::set<std::shared_ptr<asio::steady_timer>> retry_timers_;

  // io thread only
  std::shared_ptr<net::WsClient> client_;
  std::uint64_t generation_ = 0;
  bool opened_ = false;
  bool stopping_ = false;
  std::promise<void>* stop_promise_ = nullptr;
  SteadyClock::time_point connected_at_{};
  SteadyClock::time_point last_frame_{};
  SteadyClock::time_point dropped_at_{};
  bool awaiting_snapshot_ = false;
  std::map<std::int64_t, Pending> pending_;
  std::int64_t next_req_id_ = 1;
  std::set<std::string> resubscribing_;
  SteadyClock::time_point last_parse_log_{};
  std::uint64_t parse_errors_unlogged_ = 0;

  std::atomic<bool> stopped_{false};
  mutable std::mutex stats_mutex_;
  FeedStats stats_;
};

Feed::Feed(FeedOptions options, Sink sink, prometheus::Registry* registry,
           std::shared_ptr<spdlog::logger> log)
    : options_(std::move(options)),
      impl_(std::make_shared<Impl>(options_, std::move(sink), registry, std::move(log))) {}

Feed::~Feed() {
  stop();
}

void Feed::set_raw_sink(RawSink raw) {
  impl_->set_raw_sink(std::move(raw));
}

core::Status Feed::start() {
  if (auto s = options_.validate(); !s) return s;
  if (options_.url.rfind("wss", 0) == 0) {
    // A CA option that cannot be loaded is a configuration error now, not a reconnect loop later.
    if (auto ctx = net::make_client_tls_context(options_.tls); !ctx) return ctx.error();
  }
  impl_->start();
  return {};
}

void Feed::stop() {
  impl_->stop();
}

void Feed::resubscribe_book(const std::string& symbol) {
  impl_->resubscribe_book(symbol);
}

FeedStats Feed::stats() const {
  return impl_->stats();
}

}  // namespace tg4::kraken
