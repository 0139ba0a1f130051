// The simulator over real sockets, as a Kraken WS v2 client sees it: status on connect, acks with
// req_id, book snapshot + updates whose checksums verify at depth 10 and 1000, trade/ticker/ohlc/
// instrument channels, heartbeats, Kraken-format errors, determinism by seed, TLS, metrics.
#include <gtest/gtest.h>

#include <prometheus/registry.h>

#include <chrono>
#include <map>
#include <set>

#include "sim/kraken_frames.hpp"
#include "sim/simulator.hpp"
#include "support/ws_test_client.hpp"

namespace tg4::sim {
namespace {

using namespace std::chrono_literals;
using testing::channel_of;
using testing::json_object;
using testing::ReadStatus;
using testing::WsTestClient;
namespace json = boost::json;

SimOptions fast_options() {
  SimOptions o;
  o.history_days = 1;
  o.rate = 60.0;
  return o;
}

struct WsSim {
  explicit WsSim(SimOptions o = fast_options()) : sim(std::move(o), registry) {
    const auto status = sim.start(0);
    if (!status) throw std::runtime_error(status.error().message);
  }
  prometheus::Registry registry;
  Simulator sim;
};

// Reads frames until `pred` accepts one or the deadline passes; returns the accepted frame.
template <class Client, class Pred>
std::optional<json::object> wait_for(Client& c, Pred pred, std::chrono::milliseconds timeout = 5s) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    const auto text = c.next(std::max(left, 1ms));
    if (!text) return std::nullopt;
    auto o = json_object(*text);
    if (pred(o)) return o;
  }
  return std::nullopt;
}

bool is_method(const json::object& o, const std::string& method) {
  const auto* m = o.if_contains("method");
  return m != nullptr && m->as_string() == method;
}

TEST(SimWs, SendsStatusOnConnectAndAnswersPing) {
  WsSim r;
  WsTestClient c(r.sim.bound_port());
  const auto status = json_object(c.next().value_or(""));
  ASSERT_EQ(channel_of(status), "status");
  const auto& data = status.at("data").as_array().at(0).as_object();
  EXPECT_EQ(data.at("api_version").as_string(), "v2");
  EXPECT_EQ(data.at("system").as_string(), "online");
  EXPECT_TRUE(data.at("connection_id").is_uint64() || data.at("connection_id").is_int64());
  c.send(R"({"method":"ping","req_id":101})");
  const auto pong = wait_for(c, [](const json::object& o) { return is_method(o, "pong"); });
  ASSERT_TRUE(pong.has_value());
  EXPECT_EQ(pong->at("req_id").as_int64(), 101);
  EXPECT_TRUE(pong->contains("time_in"));
  EXPECT_TRUE(pong->contains("time_out"));
}

TEST(SimWs, BookChecksumsVerifyAtDepth10And1000) {
  WsSim r;
  WsTestClient c(r.sim.bound_port());
  c.send(R"({"method":"subscribe","params":{"channel":"book","symbol":["BTC/USDT"],"depth":10},"req_id":1})");
  c.send(R"({"method":"subscribe","params":{"channel":"book","symbol":["XRP/USDT","XRP/BTC"],"depth":1000},"req_id":2})");
  std::map<std::string, testing::LocalBook> books{{"BTC/USDT", {10, 1, 8}}, {"XRP/USDT", {1000, 5, 8}},
                                                  {"XRP/BTC", {1000, 8, 8}}};
  const std::map<std::string, int> precision{{"BTC/USDT", 1}, {"XRP/USDT", 5}, {"XRP/BTC", 8}};
  std::map<std::string, int> snapshots, updates;
  std::set<std::int64_t> acked;
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  while (std::chrono::steady_clock::now() < deadline &&
         (updates["BTC/USDT"] < 200 || updates["XRP/USDT"] < 200 || updates["XRP/BTC"] < 50)) {
    const auto text = c.next();
    ASSERT_TRUE(text.has_value()) << "feed went quiet";
    const auto o = json_object(*text);
    if (is_method(o, "subscribe")) {
      ASSERT_TRUE(o.at("success").as_bool()) << *text;
      acked.insert(o.at("req_id").as_int64());
      const auto& result = o.at("result").as_object();
      EXPECT_EQ(result.at("depth").as_int64(), result.at("symbol").as_string() == "BTC/USDT" ? 10 : 1000);
      continue;
    }
    const auto book = testing::parse_book(*text);
    if (!book) continue;
    auto& local = books.at(book->symbol);
    ASSERT_TRUE(local.apply(*book)) << book->symbol << " checksum mismatch on " << *text;
    for (const int d : book->price_digits) ASSERT_EQ(d, precision.at(book->symbol)) << *text;
    for (const int d : book->qty_digits) ASSERT_EQ(d, 8) << *text;
    if (book->snapshot) {
      ++snapshots[book->symbol];
      if (book->symbol == "BTC/USDT") {
        EXPECT_EQ(book->bids.size(), 10u);
        EXPECT_EQ(book->asks.size(), 10u);
      } else if (book->symbol == "XRP/USDT") {
        EXPECT_EQ(book->bids.size(), 1000u);
        EXPECT_EQ(book->asks.size(), 1000u);
      }
    } else {
      ++updates[book->symbol];
    }
    ASSERT_LT(*local.best_bid(), *local.best_ask());
  }
  EXPECT_EQ(acked, (std::set<std::int64_t>{1, 2}));
  for (const auto& [symbol, n] : snapshots) EXPECT_EQ(n, 1) << symbol;
  EXPECT_GE(updates["BTC/USDT"], 200);
  EXPECT_GE(updates["XRP/USDT"], 200);
  EXPECT_EQ(books.at("XRP/USDT").bid_count(), 1000u);
}

TEST(SimWs, TradeTickerAndOhlcChannels) {
  WsSim r;
  WsTestClient c(r.sim.bound_port());
  c.send(R"({"method":"subscribe","params":{"channel":"trade","symbol":["BTC/USDT"],"snapshot":true},"req_id":3})");
  c.send(R"({"method":"subscribe","params":{"channel":"ticker","symbol":["BTC/USDT"]},"req_id":4})");
  c.send(R"({"method":"subscribe","params":{"channel":"ohlc","symbol":["BTC/USDT"],"interval":1},"req_id":5})");
  c.send(R"({"method":"subscribe","params":{"channel":"ohlc","symbol":["BTC/USDT"],"interval":60},"req_id":6})");
  std::map<std::string, int> snapshots, updates;
  std::int64_t last_trade_id = 0;
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  while (std::chrono::steady_clock::now() < deadline &&
         (updates["trade"] < 20 || updates["ticker"] < 20 || updates["ohlc"] < 20)) {
    const auto text = c.next();
    ASSERT_TRUE(text.has_value());
    const auto o = json_object(*text);
    const std::string channel = channel_of(o);
    if (channel == "method:subscribe") {
      ASSERT_TRUE(o.at("success").as_bool()) << *text;
      if (o.at("result").as_object().at("channel") == "ohlc") {
        EXPECT_EQ(o.at("result").as_object().at("warnings").as_array().at(0).as_string(),
                  "timestamp is deprecated, use interval_begin");
      }
      continue;
    }
    if (channel != "trade" && channel != "ticker" && channel != "ohlc") continue;
    const bool snapshot = o.at("type").as_string() == "snapshot";
    (snapshot ? snapshots : updates)[channel]++;
    const auto& data = o.at("data").as_array();
    if (channel == "trade") {
      if (snapshot) {
        EXPECT_EQ(data.size(), 50u);
      }
      for (const auto& t : data) {
        const auto& trade = t.as_object();
        EXPECT_EQ(trade.at("symbol").as_string(), "BTC/USDT");
        EXPECT_TRUE(trade.at("side") == "buy" || trade.at("side") == "sell");
        EXPECT_TRUE(trade.at("ord_type") == "market" || trade.at("ord_type") == "limit");
        EXPECT_GT(trade.at("trade_id").as_int64(), last_trade_id);
        last_trade_id = trade.at("trade_id").as_int64();
        EXPECT_TRUE(core::parse_rfc3339(trade.at("timestamp").as_string()).ok());
      }
    } else if (channel == "ticker") {
      const auto& t = data.at(0).as_object();
      EXPECT_LT(t.at("bid").as_double(), t.at("ask").as_double());
      EXPECT_GT(t.at("volume").as_double(), 0.0);
      EXPECT_LE(t.at("low").as_double(), t.at("high").as_double());
      EXPECT_TRUE(t.contains("change_pct"));
      EXPECT_TRUE(t.contains("timestamp"));
    } else {
      EXPECT_TRUE(core::parse_rfc3339(o.at("timestamp").as_string()).ok());
      if (snapshot) {
        EXPECT_GT(data.size(), 10u);
      }
      for (const auto& b : data) {
        const auto& bar = b.as_object();
        const auto interval = bar.at("interval").as_int64();
        EXPECT_TRUE(interval == 1 || interval == 60);
        const auto begin = core::parse_rfc3339(bar.at("interval_begin").as_string()).value();
        const auto end = core::parse_rfc3339(bar.at("timestamp").as_string()).value();
        EXPECT_EQ((end - begin).count(), interval * 60'000'000'000LL);
        EXPECT_EQ(bar.at("interval_begin").as_string().size(), std::string("2024-01-01T00:00:00.000000000Z").size());
        EXPECT_LE(bar.at("low").as_double(), bar.at("high").as_double());
      }
    }
  }
  EXPECT_EQ(snapshots["trade"], 1);
  EXPECT_EQ(snapshots["ticker"], 1);
  EXPECT_EQ(snapshots["ohlc"], 2);
  EXPECT_GE(updates["trade"], 20);
  EXPECT_GE(updates["ticker"], 20);
  EXPECT_GE(updates["ohlc"], 20);
}

TEST(SimWs, InstrumentSnapshotListsThePairs) {
  WsSim r;
  WsTestClient c(r.sim.bound_port());
  c.send(R"({"method":"subscribe","params":{"channel":"instrument"},"req_id":79})");
  const auto ack = wait_for(c, [](const json::object& o) { return is_method(o, "subscribe"); });
  ASSERT_TRUE(ack.has_value());
  EXPECT_EQ(ack->at("req_id").as_int64(), 79);
  EXPECT_EQ(ack->at("result").as_object().at("warnings").as_array().at(0).as_string(),
            "tick_size is deprecated, use price_increment");
  const auto snap = wait_for(c, [](const json::object& o) { return channel_of(o) == "instrument"; });
  ASSERT_TRUE(snap.has_value());
  const auto& pairs = snap->at("data").as_object().at("pairs").as_array();
  ASSERT_EQ(pairs.size(), 3u);
  EXPECT_EQ(pairs.at(2).as_object().at("symbol").as_string(), "XRP/BTC");
  EXPECT_EQ(pairs.at(2).as_object().at("price_precision").as_int64(), 8);
}

TEST(SimWs, UnsubscribeStopsTheChannel) {
  WsSim r;
  WsTestClient c(r.sim.bound_port());
  c.send(R"({"method":"subscribe","params":{"channel":"trade","symbol":["BTC/USDT"]},"req_id":1})");
  ASSERT_TRUE(wait_for(c, [](const json::object& o) { return channel_of(o) == "trade"; }).has_value());
  c.send(R"({"method":"unsubscribe","params":{"channel":"trade","symbol":["BTC/USDT"]},"req_id":2})");
  const auto ack = wait_for(c, [](const json::object& o) { return is_method(o, "unsubscribe"); });
  ASSERT_TRUE(ack.has_value());
  EXPECT_TRUE(ack->at("success").as_bool());
  EXPECT_EQ(ack->at("req_id").as_int64(), 2);
  // For the next two seconds (about 40 trades at this rate) only heartbeats arrive.
  const auto until = std::chrono::steady_clock::now() + 2s;
  int heartbeats = 0;
  while (std::chrono::steady_clock::now() < until) {
    std::string text;
    const auto status = c.read(text, 100ms);
    if (status == ReadStatus::kTimeout) continue;
    ASSERT_EQ(status, ReadStatus::kMessage);
    const auto o = json_object(text);
    ASSERT_EQ(channel_of(o), "heartbeat") << text;
    ++heartbeats;
  }
  EXPECT_GE(heartbeats, 1);
}

TEST(SimWs, HeartbeatsAboutOncePerSecond) {
  WsSim r;
  WsTestClient c(r.sim.bound_port());
  const auto start = std::chrono::steady_clock::now();
  int heartbeats = 0;
  while (std::chrono::steady_clock::now() - start < 3500ms) {
    std::string text;
    if (c.read(text, 100ms) == ReadStatus::kMessage && channel_of(json_object(text)) == "heartbeat") ++heartbeats;
  }
  EXPECT_GE(heartbeats, 2);
  EXPECT_LE(heartbeats, 4);
}

// Requests that Kraken refuses get Kraken's error shape: error, method, req_id, success:false, times.
struct ErrorCase {
  const char* request;
  const char* error;
  const char* method;  // "" when the request had none
  bool has_symbol;
};

class SimWsErrors : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(SimWsErrors, AnswerInKrakensFormat) {
  static WsSim r;  // one simulator for all cases
  WsTestClient c(r.sim.bound_port());
  ASSERT_TRUE(c.next().has_value());  // status
  c.send(GetParam().request);
  const auto reply = wait_for(c, [](const json::object& o) { return o.contains("error"); });
  ASSERT_TRUE(reply.has_value()) << GetParam().request;
  EXPECT_EQ(reply->at("error").as_string(), GetParam().error);
  EXPECT_FALSE(reply->at("success").as_bool());
  if (std::string(GetParam().method).empty()) {
    EXPECT_FALSE(reply->contains("method"));
  } else {
    EXPECT_EQ(reply->at("method").as_string(), GetParam().method);
  }
  EXPECT_EQ(reply->contains("symbol"), GetParam().has_symbol);
  EXPECT_TRUE(core::parse_rfc3339(reply->at("time_in").as_string()).ok());
  EXPECT_TRUE(core::parse_rfc3339(reply->at("time_out").as_string()).ok());
  if (std::string(GetParam().request).find("\"req_id\":9") != std::string::npos) {
    ASSERT_TRUE(reply->contains("req_id"));
    EXPECT_EQ(reply->at("req_id").as_int64(), 9);
  }
}

INSTANTIATE_TEST_SUITE_P(
    All, SimWsErrors,
    ::testing::Values(
        ErrorCase{R"({"method":"subscribe",)", "Malformed request", "", false},
        ErrorCase{R"([1,2,3])", "Malformed request", "", false},
        ErrorCase{R"({"method":"subscribe","params":{"channel":"nonsense","symbol":["BTC/USDT"]},"req_id":9})",
                  "Channel nonsense not found", "subscribe", false},
        ErrorCase{R"({"method":"subscribe","params":{"channel":"book","symbol":["FOO/BAR"]},"req_id":9})",
                  "Currency pair not supported FOO/BAR", "subscribe", true},
        ErrorCase{R"({"method":"subscribe","params":{"channel":"book","symbol":["BTC/USDT"],"depth":27},"req_id":9})",
                  "Subscription depth not supported", "subscribe", false},
        ErrorCase{R"({"method":"subscribe","params":{"channel":"ohlc","symbol":["BTC/USDT"],"interval":7},"req_id":9})",
                  "Subscription ohlc interval not supported", "subscribe", false},
        ErrorCase{R"({"method":"subscribe","params":{"channel":"book"},"req_id":9})", "Missing field: 'symbol'",
                  "subscribe", false},
        ErrorCase{R"({"method":"subscribe","params":{"channel":"book","symbol":"BTC/USDT"},"req_id":9})",
                  "Invalid field: 'symbol' must be a non-empty array of strings", "subscribe", false},
        ErrorCase{R"({"method":"subscribe","params":{"channel":"trade","symbol":["BTC/USDT"],"depth":10},"req_id":9})",
                  "Unsupported field: 'depth' for the given msg type: subscribe", "subscribe", false},
        ErrorCase{R"({"method":"subscribe","req_id":9})", "Missing field: 'params'", "subscribe", false},
        ErrorCase{R"({"method":"unsubscribe","params":{"channel":"ticker","symbol":["BTC/USDT"]},"req_id":9})",
                  "Subscription Not Found", "unsubscribe", true},
        ErrorCase{R"({"method":"add_order","params":{},"req_id":9})", "Method(s) not found", "add_order", false},
        ErrorCase{R"({"method":"ping","params":{},"req_id":9})",
                  "Unsupported field: 'params' for the given msg type: ping", "ping", false},
        ErrorCase{R"({"method":"ping","req_id":"nine"})", "Invalid field: 'req_id' must be an integer", "", false}));

TEST(SimWs, SecondSubscribeToTheSameBookIsAlreadySubscribed) {
  WsSim r;
  WsTestClient c(r.sim.bound_port());
  c.send(R"({"method":"subscribe","params":{"channel":"book","symbol":["BTC/USDT"]},"req_id":1})");
  c.send(R"({"method":"subscribe","params":{"channel":"book","symbol":["BTC/USDT"],"depth":25},"req_id":2})");
  const auto reply = wait_for(c, [](const json::object& o) { return o.contains("error"); });
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(reply->at("error").as_string(), "Already subscribed");
  EXPECT_EQ(reply->at("req_id").as_int64(), 2);
  EXPECT_EQ(reply->at("symbol").as_string(), "BTC/USDT");
}

// The first frames of two simulators with one seed are identical, byte for byte.
std::vector<std::string> first_frames(std::uint64_t seed, std::size_t n) {
  SimOptions o = fast_options();
  o.deterministic = true;
  o.seed = seed;
  o.rate = 10.0;
  o.speed = 20.0;  // 20 simulated seconds per second: plenty of frames quickly
  WsSim r(o);
  WsTestClient c(r.sim.bound_port());
  c.send(R"({"method":"subscribe","params":{"channel":"book","symbol":["BTC/USDT","XRP/BTC"],"depth":10},"req_id":1})");
  c.send(R"({"method":"subscribe","params":{"channel":"trade","symbol":["XRP/USDT"]},"req_id":2})");
  c.send(R"({"method":"subscribe","params":{"channel":"ticker","symbol":["BTC/USDT"]},"req_id":3})");
  c.send(R"({"method":"subscribe","params":{"channel":"ohlc","symbol":["XRP/USDT"],"interval":5},"req_id":4})");
  std::vector<std::string> frames;
  while (frames.size() < n) {
    const auto text = c.next(10s);
    if (!text) break;
    frames.push_back(*text);
  }
  return frames;
}

TEST(SimWs, DeterministicModeSameSeedSameFrames) {
  const auto a = first_frames(42, 400);
  const auto b = first_frames(42, 400);
  const auto c = first_frames(43, 400);
  ASSERT_EQ(a.size(), 400u);
  ASSERT_EQ(b.size(), 400u);
  for (std::size_t i = 0; i < a.size(); ++i) ASSERT_EQ(a[i], b[i]) << "frame " << i;
  EXPECT_NE(a, c);
  // The clock is the simulated one: the first status/acks carry the configured start time.
  EXPECT_NE(a[1].find("2024-01-01T00:00:00"), std::string::npos) << a[1];
  int books = 0, trades = 0, heartbeats = 0;
  for (const auto& f : a) {
    const auto ch = channel_of(json_object(f));
    books += ch == "book";
    trades += ch == "trade";
    heartbeats += ch == "heartbeat";
  }
  EXPECT_GT(books, 100);
  EXPECT_GT(trades, 5);
  EXPECT_GT(heartbeats, 3);
}

TEST(SimWs, WssWithTheSelfSignedCertificate) {
  SimOptions o = fast_options();
  o.tls = true;
  WsSim r(o);
  EXPECT_EQ(r.sim.ws_url().rfind("wss://127.0.0.1:", 0), 0u);
  ASSERT_FALSE(r.sim.certificate_pem().empty());
  auto ctx = testing::client_tls_context(r.sim.certificate_pem());
  testing::WssTestClient c(r.sim.bound_port(), ctx, "/v2", "localhost");
  EXPECT_EQ(channel_of(json_object(c.next().value_or(""))), "status");
  c.send(R"({"method":"subscribe","params":{"channel":"book","symbol":["BTC/USDT"]}})");
  testing::LocalBook book(10, 1, 8);
  int verified = 0;
  while (verified < 20) {
    const auto text = c.next();
    ASSERT_TRUE(text.has_value());
    if (const auto f = testing::parse_book(*text)) {
      ASSERT_TRUE(book.apply(*f));
      ++verified;
    }
  }
  const auto time = testing::http_request(r.sim.bound_port(), "/0/public/Time", "GET", "", ctx);
  EXPECT_EQ(time.status, 200);
  EXPECT_NE(time.body.find("unixtime"), std::string::npos);
}

double metric_value(prometheus::Registry& registry, const std::string& name, const std::string& label_value = "") {
  for (const auto& family : registry.Collect()) {
    if (family.name != name) continue;
    for (const auto& m : family.metric) {
      const bool match = label_value.empty() ||
                         std::any_of(m.label.begin(), m.label.end(), [&](const auto& l) { return l.value == label_value; });
      if (!match) continue;
      return family.type == prometheus::MetricType::Gauge ? m.gauge.value : m.counter.value;
    }
  }
  return -1;
}

TEST(SimWs, ExportsSessionAndMessageMetrics) {
  WsSim r;
  {
    WsTestClient c(r.sim.bound_port());
    c.send(R"({"method":"subscribe","params":{"channel":"book","symbol":["BTC/USDT"]}})");
    for (int i = 0; i < 20; ++i) ASSERT_TRUE(c.next().has_value());
    EXPECT_EQ(metric_value(r.registry, "tg4_sim_sessions"), 1.0);
    EXPECT_GT(metric_value(r.registry, "tg4_sim_messages_sent_total", "book"), 5.0);
    EXPECT_EQ(metric_value(r.registry, "tg4_sim_requests_total", "subscribe"), 1.0);
  }
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (metric_value(r.registry, "tg4_sim_sessions") != 0.0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::yield();
  }
  EXPECT_EQ(metric_value(r.registry, "tg4_sim_sessions"), 0.0);
  EXPECT_EQ(metric_value(r.registry, "tg4_sim_sessions_opened_total"), 1.0);
  EXPECT_GT(metric_value(r.registry, "tg4_sim_market_events_total", "BTC/USDT"), 0.0);
}

}  // namespace
}  // namespace tg4::sim
