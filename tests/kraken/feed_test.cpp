// kraken::Feed against a scripted Kraken WS v2 endpoint on 127.0.0.1 (net::HttpServer): what it
// subscribes to, the events it delivers, reconnects with resubscription after a drop, stall
// detection within the deadline, application pings, per-symbol book resubscription, `Exceeded msg
// rate` retries, malformed frames, and option validation.
#include "kraken/feed.hpp"

#include <gtest/gtest.h>
#include <prometheus/registry.h>

#include <boost/json.hpp>
#include <condition_variable>
#include <mutex>
#include <set>

#include "net/http_server.hpp"
#include "net/ws_client.hpp"
#include "net/ws_server.hpp"

namespace tg4::kraken {
namespace {

using namespace std::chrono_literals;
namespace json = boost::json;

// Answers like Kraken: an ack per symbol (with the request's req_id), a book snapshot after a book
// ack, pong to ping. Knobs: refuse the first N requests with "Exceeded msg rate", stay silent.
class ScriptedKraken final : public net::WsEndpoint {
 public:
  struct Request {
    int connection = 0;
    json::object message;
    std::string method() const { return std::string(message.at("method").as_string()); }
    std::string channel() const {
      return std::string(message.at("params").at("channel").as_string());
    }
    std::vector<std::string> symbols() const {
      std::vector<std::string> out;
      if (const auto* s = message.at("params").as_object().if_contains("symbol")) {
        for (const auto& v : s->as_array()) out.emplace_back(v.as_string());
      }
      return out;
    }
  };

  void on_open(const std::shared_ptr<net::WsConnection>& c) override {
    std::lock_guard lock(mutex_);
    ++connections_;
    current_ = c;
    c->send(
        R"({"channel":"status","type":"update","data":[{"api_version":"v2","connection_id":7,"system":"online","version":"2.0.0"}]})");
    last_sent_ = std::chrono::steady_clock::now();
    cv_.notify_all();
  }

  void on_message(const std::shared_ptr<net::WsConnection>& c, std::string text) override {
    std::unique_lock lock(mutex_);
    auto message = json::parse(text).as_object();
    const std::string method(message.at("method").as_string());
    const auto req_id = message.at("req_id").as_int64();
    if (method != "ping") requests_.push_back({connections_, message});
    cv_.notify_all();
    if (method == "ping") {
      ++pings_;
      quiet_before_ping_.push_back(std::chrono::duration_cast<std::chrono::milliseconds>(
          std::chrono::steady_clock::now() - last_sent_));
      if (answer_pings_)
        c->send(
            R"({"method":"pong","req_id":)" + std::to_string(req_id) +
            R"(,"time_in":"2024-01-01T00:00:00.000000Z","time_out":"2024-01-01T00:00:00.000001Z"})");
      return;
    }
    if (rate_limit_ > 0) {
      --rate_limit_;
      c->send(
          R"({"error":"Exceeded msg rate","method":")" + method + R"(","req_id":)" +
          std::to_string(req_id) +
          R"(,"success":false,"time_in":"2024-01-01T00:00:00.000000Z","time_out":"2024-01-01T00:00:00.000001Z"})");
      return;
    }
    const auto& params = message.at("params").as_object();
    const std::string channel(params.at("channel").as_string());
    std::vector<std::string> symbols;
    if (const auto* s = params.if_contains("symbol")) {
      for (const auto& v : s->as_array()) symbols.emplace_back(v.as_string());
    } else {
      symbols.emplace_back();
    }
    for (const auto& symbol : symbols) {
      json::object result{{"channel", channel}};
      if (!symbol.empty()) result["symbol"] = symbol;
      c->send(json::serialize(json::object{{"method", method},
                                           {"req_id", req_id},
                                           {"result", result},
                                           {"success", true},
                                           {"time_in", "2024-01-01T00:00:00.000000Z"},
                                           {"time_out", "2024-01-01T00:00:00.000001Z"}}));
      if (method == "subscribe" && channel == "book") {
        c->send(
            R"({"channel":"book","type":"snapshot","data":[{"symbol":")" + symbol +
            R"(","bids":[{"price":100.5,"qty":1.25}],"asks":[{"price":101.0,"qty":2.00000000}],"checksum":1}]})");
      }
    }
    last_sent_ = std::chrono::steady_clock::now();
  }

  void on_close(const std::shared_ptr<net::WsConnection>& c, std::string_view) override {
    std::lock_guard lock(mutex_);
    if (current_.lock() == c) current_.reset();
  }

  std::shared_ptr<net::WsConnection> current() {
    std::lock_guard lock(mutex_);
    return current_.lock();
  }
  template <class Pred>
  bool wait(Pred pred, std::chrono::milliseconds timeout = 10s) {
    std::unique_lock lock(mutex_);
    return cv_.wait_for(lock, timeout, [&] { return pred(*this); });
  }
  std::vector<Request> requests() {
    std::lock_guard lock(mutex_);
    return requests_;
  }
  std::vector<std::chrono::milliseconds> quiet_before_ping() {
    std::lock_guard lock(mutex_);
    return quiet_before_ping_;
  }
  void set_rate_limit(int n) {
    std::lock_guard lock(mutex_);
    rate_limit_ = n;
  }
  void set_answer_pings(bool b) {
    std::lock_guard lock(mutex_);
    answer_pings_ = b;
  }

  // Read under the lock by wait() predicates.
  int connections_ = 0;
  int pings_ = 0;
  std::vector<Request> requests_;
  // For each ping: how long the connection had been quiet (since this side's last frame other than
  // a pong).
  std::vector<std::chrono::milliseconds> quiet_before_ping_;

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  std::weak_ptr<net::WsConnection> current_;  // weak: a connection holds its endpoint
  int rate_limit_ = 0;
  bool answer_pings_ = true;
  std::chrono::steady_clock::time_point last_sent_{};
};

// The events a feed delivered.
class FeedEvents {
 public:
  Feed::Sink sink() {
    return [this](core::MarketEvent e) {
      std::lock_guard lock(mutex_);
      events_.push_back(std::move(e));
      cv_.notify_all();
    };
  }
  template <class T>
  std::vector<T> all() {
    std::lock_guard lock(mutex_);
    std::vector<T> out;
    for (const auto& e : events_) {
      if (const auto* x = std::get_if<T>(&e)) out.push_back(*x);
    }
    return out;
  }
  template <class T, class Pred>
  bool wait(Pred pred, std::chrono::milliseconds timeout = 10s) {
    std::unique_lock lock(mutex_);
    return cv_.wait_for(lock, timeout, [&] {
      std::vector<T> xs;
      for (const auto& e : events_) {
        if (const auto* x = std::get_if<T>(&e)) xs.push_back(*x);
      }
      return pred(xs);
    });
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  std::vector<core::MarketEvent> events_;
};

struct FeedServer {
  FeedServer() : server(io.io(), {}) {
    server.add_websocket("/v2", endpoint);
    if (!server.start()) throw std::runtime_error("server");
  }
  std::string url() const { return "ws://127.0.0.1:" + std::to_string(server.port()) + "/v2"; }
  net::IoThread io;
  std::shared_ptr<ScriptedKraken> endpoint = std::make_shared<ScriptedKraken>();
  net::HttpServer server;
};

FeedOptions feed_options_for(const FeedServer& s) {
  FeedOptions o;
  o.url = s.url();
  o.symbols = {"BTC/USD", "ETH/USD"};
  o.channels = FeedChannels::parse("book:25,trade,ticker,ohlc:1:5,instrument,status").value();
  o.reconnect_backoff = {50ms, 400ms, 2.0};
  o.rate_limit_backoff = {50ms, 400ms, 2.0};
  o.jitter_seed = 3;
  return o;
}

std::size_t count_if(const std::vector<ScriptedKraken::Request>& rs, int connection,
                     const std::string& method, const std::string& channel = {}) {
  return static_cast<std::size_t>(std::count_if(rs.begin(), rs.end(), [&](const auto& r) {
    return r.connection == connection && r.method() == method &&
           (channel.empty() || r.channel() == channel);
  }));
}

TEST(Feed, SubscribesToEveryConfiguredChannelAndDeliversEvents) {
  FeedServer s;
  FeedEvents events;
  prometheus::Registry registry;
  Feed feed(feed_options_for(s), events.sink(), &registry);
  ASSERT_TRUE(feed.start().ok());
  ASSERT_TRUE(events.wait<core::BookDelta>([](const auto& v) { return v.size() >= 2; }));
  ASSERT_TRUE(s.endpoint->wait([](const ScriptedKraken& k) { return k.requests_.size() >= 7; }));
  const auto rs = s.endpoint->requests();
  ASSERT_EQ(count_if(rs, 1, "subscribe"), 7u);  // instrument, status, book, trade, ticker, ohlc x2
  for (const auto& r : rs) {
    const auto& params = r.message.at("params").as_object();
    if (r.channel() == "book") {
      EXPECT_EQ(params.at("depth").as_int64(), 25);
    }
    if (r.channel() == "instrument" || r.channel() == "status") {
      EXPECT_FALSE(params.contains("symbol"));
    } else {
      EXPECT_EQ(r.symbols(), (std::vector<std::string>{"BTC/USD", "ETH/USD"}));
    }
  }
  std::set<std::int64_t> intervals;
  for (const auto& r : rs) {
    if (r.channel() == "ohlc") intervals.insert(r.message.at("params").at("interval").as_int64());
  }
  EXPECT_EQ(intervals, (std::set<std::int64_t>{1, 5}));
  std::set<std::int64_t> ids;
  for (const auto& r : rs) ids.insert(r.message.at("req_id").as_int64());
  EXPECT_EQ(ids.size(), rs.size()) << "every request has its own req_id";

  const auto books = events.all<core::BookDelta>();
  EXPECT_TRUE(books[0].is_snapshot);
  EXPECT_EQ(books[0].bids[0].price.to_string(), "100.5");
  const auto states = events.all<core::FeedState>();
  ASSERT_FALSE(states.empty());
  EXPECT_TRUE(states[0].connected);
  EXPECT_EQ(states[0].source, "public");
  EXPECT_EQ(events.all<core::VenueStatus>().at(0).system, "online");
  const auto stats = feed.stats();
  EXPECT_TRUE(stats.up);
  EXPECT_EQ(stats.connects, 1u);
  EXPECT_EQ(stats.book_snapshots, 2u);
  EXPECT_EQ(stats.last_reconnect_ms, -1);

  bool up_seen = false, messages_seen = false;
  for (const auto& family : registry.Collect()) {
    if (family.name == "tg4_feed_up") up_seen = family.metric.at(0).gauge.value == 1.0;
    if (family.name == "tg4_feed_messages_total") {
      for (const auto& m : family.metric) {
        for (const auto& l : m.label)
          messages_seen |=
              l.value == "book" && m.counter.value >= 1;  // the 2nd may be counting now
      }
    }
  }
  EXPECT_TRUE(up_seen);
  EXPECT_TRUE(messages_seen);
  feed.stop();
  EXPECT_FALSE(feed.stats().up);
}

TEST(Feed, ReconnectsAfterADropAndResubscribesEverything) {
  FeedServer s;
  FeedEvents events;
  Feed feed(feed_options_for(s), events.sink());
  ASSERT_TRUE(feed.start().ok());
  ASSERT_TRUE(events.wait<core::BookDelta>([](const auto& v) { return v.size() >= 2; }));
  // Drop only once the first connection has all 7 subscriptions: the books can arrive before the
  // last of them, and a drop then would leave fewer to compare the resubscription with.
  ASSERT_TRUE(s.endpoint->wait([](const ScriptedKraken& k) { return k.requests_.size() >= 7; }));
  s.endpoint->current()->drop();
  ASSERT_TRUE(events.wait<core::BookDelta>([](const auto& v) { return v.size() >= 4; }));
  ASSERT_TRUE(s.endpoint->wait([](const ScriptedKraken& k) { return k.requests_.size() >= 14; }));
  const auto rs = s.endpoint->requests();
  EXPECT_EQ(count_if(rs, 2, "subscribe"), count_if(rs, 1, "subscribe"));
  const auto books = events.all<core::BookDelta>();
  EXPECT_TRUE(books[2].is_snapshot && books[3].is_snapshot)
      << "books are rebuilt from new snapshots";
  const auto stats = feed.stats();
  EXPECT_EQ(stats.connects, 2u);
  EXPECT_GE(stats.reconnects, 1u);
  EXPECT_GE(stats.last_reconnect_ms, 0);
  EXPECT_LT(stats.last_reconnect_ms, 2000);
  // up, down (with the reason), reconnecting, up
  const auto states = events.all<core::FeedState>();
  ASSERT_GE(states.size(), 4u);
  EXPECT_TRUE(states[0].connected);
  EXPECT_FALSE(states[1].connected);
  EXPECT_NE(states[1].reason.find("lost"), std::string::npos) << states[1].reason;
  EXPECT_NE(states[2].reason.find("reconnecting in"), std::string::npos) << states[2].reason;
  EXPECT_TRUE(states.back().connected);
}

TEST(Feed, StallIsDetectedWithinTheDeadlineAndRecovers) {
  FeedServer s;
  FeedEvents events;
  auto o = feed_options_for(s);
  o.message_deadline = 600ms;
  s.endpoint->set_answer_pings(false);
  Feed feed(o, events.sink());
  ASSERT_TRUE(feed.start().ok());
  ASSERT_TRUE(events.wait<core::BookDelta>([](const auto& v) { return v.size() >= 2; }));
  s.endpoint->current()->pause(true);
  ASSERT_TRUE(events.wait<core::FeedState>([](const auto& v) {
    return std::any_of(v.begin(), v.end(), [](const auto& st) {
      return st.reason.find("stalled") != std::string::npos;
    });
  }));
  // Measured on the feed's own clock: from the last book frame (the last frames are at most a few
  // acks later) to the stalled state.
  const auto states = events.all<core::FeedState>();
  const auto stalled = std::find_if(states.begin(), states.end(), [](const auto& st) {
    return st.reason.find("stalled") != std::string::npos;
  });
  core::Timestamp last_book{};
  for (const auto& b : events.all<core::BookDelta>()) {
    if (b.received <= stalled->time)
      last_book = std::max(last_book, b.received);  // not the new connection's
  }
  const auto detected = stalled->time - last_book;
  EXPECT_GE(detected, 595ms) << "not before the deadline";
  EXPECT_LT(detected, 1500ms) << "the deadline is 600 ms";
  EXPECT_EQ(feed.stats().stalls, 1u);
  // and it reconnects to a fresh, answering connection
  ASSERT_TRUE(events.wait<core::BookDelta>([](const auto& v) { return v.size() >= 4; }));
}

// A connection subscribed to `status` only: quiet after the acks, kept alive by pings alone.
FeedOptions status_only(const FeedServer& s, std::chrono::milliseconds deadline,
                        std::chrono::milliseconds ping_after) {
  FeedOptions o;
  o.url = s.url();
  o.channels = FeedChannels::parse("status").value();
  o.message_deadline = deadline;
  o.ping_after = ping_after;
  return o;
}

TEST(Feed, PingsWhenQuietAndPongsKeepTheConnectionAlive) {
  FeedServer s;
  FeedEvents events;
  Feed feed(status_only(s, 400ms, 100ms), events.sink());
  ASSERT_TRUE(feed.start().ok());
  ASSERT_TRUE(s.endpoint->wait([](const ScriptedKraken& k) { return k.pings_ >= 8; }, 5s));
  EXPECT_EQ(feed.stats().stalls, 0u);
  EXPECT_EQ(feed.stats().connects, 1u);
  EXPECT_GE(feed.stats().pings, 8u);
}

// The ping goes out `ping_after` after the last frame. It used to go out on a fixed beat, so a
// frame just after a beat put the ping nearly two periods (the whole deadline) after it, and a
// healthy peer's pong could arrive after the feed had declared the connection stalled (CI saw it).
// The beat started at the connection and the acks land just after it: the old ping came ~2 s after
// them.
TEST(Feed, PingsOnePeriodAfterTheLastFrame) {
  FeedServer s;
  FeedEvents events;
  Feed feed(status_only(s, 5s, 1s), events.sink());
  ASSERT_TRUE(feed.start().ok());
  ASSERT_TRUE(s.endpoint->wait([](const ScriptedKraken& k) { return k.pings_ >= 2; }, 10s));
  feed.stop();
  const auto quiet = s.endpoint->quiet_before_ping();
  ASSERT_GE(quiet.size(), 2u);
  EXPECT_GE(quiet[0], 950ms) << "not before ping_after";
  EXPECT_LT(quiet[0], 1600ms) << "one period after the acks, not two";
  EXPECT_EQ(feed.stats().stalls, 0u);
}

TEST(Feed, ResubscribeBookTouchesThatSymbolOnly) {
  FeedServer s;
  FeedEvents events;
  Feed feed(feed_options_for(s), events.sink());
  ASSERT_TRUE(feed.start().ok());
  ASSERT_TRUE(events.wait<core::BookDelta>([](const auto& v) { return v.size() >= 2; }));
  feed.resubscribe_book("ETH/USD");
  feed.resubscribe_book("ETH/USD");  // already under way: not repeated
  ASSERT_TRUE(events.wait<core::BookDelta>([](const auto& v) { return v.size() >= 3; }));
  ASSERT_TRUE(s.endpoint->wait([](const ScriptedKraken& k) { return k.requests_.size() >= 9; }));
  const auto rs = s.endpoint->requests();
  ASSERT_EQ(rs.size(), 9u);
  EXPECT_EQ(rs[7].method(), "unsubscribe");
  EXPECT_EQ(rs[7].channel(), "book");
  EXPECT_EQ(rs[7].symbols(), std::vector<std::string>{"ETH/USD"});
  EXPECT_EQ(rs[7].message.at("params").at("depth").as_int64(), 25);
  EXPECT_EQ(rs[8].method(), "subscribe");
  EXPECT_EQ(rs[8].symbols(), std::vector<std::string>{"ETH/USD"});
  const auto books = events.all<core::BookDelta>();
  EXPECT_EQ(books[2].symbol, "ETH/USD");
  EXPECT_TRUE(books[2].is_snapshot);
  EXPECT_EQ(feed.stats().book_resubscribes, 1u);
  EXPECT_EQ(feed.stats().connects, 1u) << "no reconnect for a resubscription";
  // Once done, a new mismatch resubscribes again.
  feed.resubscribe_book("ETH/USD");
  ASSERT_TRUE(events.wait<core::BookDelta>([](const auto& v) { return v.size() >= 4; }));
  EXPECT_EQ(feed.stats().book_resubscribes, 2u);
}

TEST(Feed, ExceededMessageRateIsRetriedAfterBackoff) {
  FeedServer s;
  s.endpoint->set_rate_limit(3);
  FeedEvents events;
  Feed feed(feed_options_for(s), events.sink());
  ASSERT_TRUE(feed.start().ok());
  ASSERT_TRUE(events.wait<core::BookDelta>([](const auto& v) { return v.size() >= 2; }));
  ASSERT_TRUE(s.endpoint->wait([](const ScriptedKraken& k) { return k.requests_.size() >= 10; }));
  const auto rs = s.endpoint->requests();
  // The first three requests (instrument, status, book) were refused and sent again.
  EXPECT_EQ(count_if(rs, 1, "subscribe", "book"), 2u);
  EXPECT_EQ(count_if(rs, 1, "subscribe", "instrument"), 2u);
  EXPECT_EQ(count_if(rs, 1, "subscribe", "status"), 2u);
  EXPECT_EQ(feed.stats().rate_limited, 3u);
  EXPECT_EQ(feed.stats().subscribe_errors, 0u);
  EXPECT_EQ(feed.stats().connects, 1u);
}

TEST(Feed, MalformedFramesAreCountedAndTheFeedGoesOn) {
  FeedServer s;
  FeedEvents events;
  Feed feed(feed_options_for(s), events.sink());
  ASSERT_TRUE(feed.start().ok());
  ASSERT_TRUE(events.wait<core::BookDelta>([](const auto& v) { return v.size() >= 2; }));
  const auto c = s.endpoint->current();
  c->send(R"({"channel":"book","type":"update","data":[{"symbol":"BTC/USD","bids":[{"price":1)");
  c->send("not json");
  c->send(
      R"({"channel":"trade","type":"update","data":[{"symbol":"BTC/USD","side":"buy","price":100.5,"qty":0.1,"ord_type":"market","trade_id":9,"timestamp":"2024-01-01T00:00:01.000000Z"}]})");
  ASSERT_TRUE(events.wait<core::Trade>([](const auto& v) { return !v.empty(); }));
  EXPECT_EQ(feed.stats().parse_errors, 2u);
  EXPECT_EQ(events.all<core::Trade>()[0].price.to_string(), "100.5");
  EXPECT_EQ(feed.stats().connects, 1u);
}

TEST(Feed, RawSinkSeesEveryFrameExactlyAsReceived) {
  FeedServer s;
  std::mutex m;
  std::vector<std::string> raw;
  FeedOptions o = feed_options_for(s);
  Feed feed(o, nullptr);
  feed.set_raw_sink([&](std::string_view frame, core::Timestamp) {
    std::lock_guard lock(m);
    raw.emplace_back(frame);
  });
  ASSERT_TRUE(feed.start().ok());
  ASSERT_TRUE(s.endpoint->wait([](const ScriptedKraken& k) { return k.requests_.size() >= 7; }));
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (std::chrono::steady_clock::now() < deadline && feed.stats().book_snapshots < 2)
    std::this_thread::sleep_for(10ms);
  feed.stop();
  std::lock_guard lock(m);
  ASSERT_FALSE(raw.empty());
  EXPECT_EQ(raw[0].rfind(R"({"channel":"status")", 0), 0u);
  EXPECT_TRUE(std::any_of(raw.begin(), raw.end(), [](const auto& f) {
    return f.find(R"("qty":2.00000000)") != std::string::npos;
  })) << "trailing zeros survive: frames are not re-serialised";
}

TEST(Feed, StopWhileReconnectingIsPrompt) {
  FeedOptions o;
  o.url = "ws://127.0.0.1:1/v2";  // refused
  o.symbols = {"BTC/USD"};
  Feed feed(o, nullptr);
  ASSERT_TRUE(feed.start().ok());
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (std::chrono::steady_clock::now() < deadline && feed.stats().reconnects == 0)
    std::this_thread::sleep_for(10ms);
  const auto t0 = std::chrono::steady_clock::now();
  feed.stop();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 1s);
  EXPECT_GE(feed.stats().reconnects, 1u);
}

TEST(FeedChannels, ParsesTokensAndRejectsBadOnes) {
  const auto c = FeedChannels::parse("book:100,ohlc:5:1:5,trade").value();
  EXPECT_TRUE(c.book);
  EXPECT_EQ(c.book_depth, 100);
  EXPECT_EQ(c.ohlc_intervals, (std::vector<int>{1, 5}));
  EXPECT_TRUE(c.trade);
  EXPECT_FALSE(c.ticker || c.instrument || c.status);
  EXPECT_EQ(c.to_string(), "book:100,trade,ohlc:1:5");
  const auto all = FeedChannels::parse("all").value();
  EXPECT_EQ(all.to_string(), "book:10,trade,ticker,ohlc:1,instrument,status");
  for (const std::string bad : {"book:7", "ohlc:2", "trades", "trade:1", "", "book:10:25"}) {
    const auto r = FeedChannels::parse(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_NE(r.error().message.find("channels"), std::string::npos);
  }
}

TEST(FeedOptions, ValidateNamesTheProblem) {
  FeedOptions o;
  EXPECT_NE(o.validate().error().message.find("no symbols"), std::string::npos);
  o.symbols = {"BTCUSD"};
  EXPECT_NE(o.validate().error().message.find("BTCUSD"), std::string::npos);
  o.symbols = {"BTC/USD"};
  EXPECT_TRUE(o.validate().ok());
  o.url = "https://ws.kraken.com/v2";
  EXPECT_NE(o.validate().error().message.find("https://ws.kraken.com/v2"), std::string::npos);
  o.url = "wss://ws.kraken.com/v2";
  o.message_deadline = 10ms;
  EXPECT_NE(o.validate().error().message.find("deadline"), std::string::npos);
}

}  // namespace
}  // namespace tg4::kraken
