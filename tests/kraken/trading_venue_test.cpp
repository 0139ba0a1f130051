// KrakenVenue against a scripted private Kraken on 127.0.0.1 (REST GetWebSocketsToken and the
// /v2-auth WebSocket): requests that get no answer at all are settled by an executions snapshot
// (found -> its state, not found -> rejected, never sent twice), a refused token means a new token
// and a new connection, orders that cannot be sent in time are rejected, and options validate.
#include <gtest/gtest.h>
#include <prometheus/registry.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/json.hpp>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <variant>

#include "kraken/kraken_venue.hpp"
#include "net/http_server.hpp"
#include "net/ws_client.hpp"
#include "net/ws_server.hpp"

namespace tg4::kraken {
namespace {

using namespace std::chrono_literals;
namespace json = boost::json;
using core::OrderStatus;

constexpr const char* kTimes =
    R"("time_in":"2024-01-01T00:00:00.000000Z","time_out":"2024-01-01T00:00:00.000001Z")";

// A private Kraken with one account. add_order modes: answer (ack + executions), silent_placed
// (placed, nothing said), silent_lost (nothing at all), refuse (the error set by refuse_orders);
// tokens can be refused.
class ScriptedPrivate final : public net::WsEndpoint {
 public:
  enum class Mode { kAnswer, kSilentPlaced, kSilentLost, kRefuse };

  void on_open(const std::shared_ptr<net::WsConnection>& c) override {
    std::lock_guard lock(mutex_);
    ++connections_;
    current_ = c;
    c->send(
        R"({"channel":"status","type":"update","data":[{"system":"online","api_version":"v2"}]})");
  }

  void on_message(const std::shared_ptr<net::WsConnection>& c, std::string text) override {
    std::lock_guard lock(mutex_);
    const auto message = json::parse(text).as_object();
    const std::string method(message.at("method").as_string());
    const auto req_id = message.at("req_id").as_int64();
    if (method == "ping") return;
    const auto& params = message.at("params").as_object();
    methods_.push_back(method);
    const std::string token(params.at("token").as_string());
    if (refused_.count(token) > 0) return fail(c, method, req_id, "ESession:Invalid session");
    if (method == "subscribe" || method == "unsubscribe") {
      const std::string channel(params.at("channel").as_string());
      if (channel == "balances" && refuse_balances_) {
        return fail(c, method, req_id, "EGeneral:Permission denied");
      }
      if (expire_first_session_ && connections_ == 1 && channel == "balances") {
        return fail(c, method, req_id, "ESession:Invalid session");
      }
      ack(c, method, req_id, R"({"channel":")" + channel + R"("})");
      if (method == "subscribe") c->send(snapshot(channel));
      return;
    }
    if (method == "add_order") {
      const std::string id(params.at("cl_ord_id").as_string());
      ++add_orders_[id];
      if (mode_ == Mode::kSilentLost) return;
      if (mode_ == Mode::kRefuse) return fail(c, method, req_id, order_error_);
      open_.push_back(id);
      if (mode_ == Mode::kSilentPlaced) return;
      ack(c, method, req_id, R"({"order_id":"O-)" + id + R"(","cl_ord_id":")" + id + R"("})");
      c->send(
          R"({"channel":"executions","type":"update","data":[{"exec_type":"new","order_id":"O-)" +
          id + R"(","cl_ord_id":")" + id +
          R"(","order_status":"new","timestamp":"2024-01-01T00:00:01.000000Z"}]})");
      return;
    }
    ack(c, method, req_id, "{}");
  }

  void on_close(const std::shared_ptr<net::WsConnection>&, std::string_view) override {}

  // Snapshots list every open order as Kraken's executions snapshot does.
  std::string snapshot(const std::string& channel) const {
    if (channel == "balances") {
      if (!balances_snapshot_.empty()) return balances_snapshot_;
      return R"({"channel":"balances","type":"snapshot","data":[{"asset":"USD","asset_class":"currency","balance":1000.5}],"sequence":1})";
    }
    json::array rows;
    for (const auto& id : open_) {
      rows.push_back(json::object{{"exec_type", "new"},
                                  {"order_id", "O-" + id},
                                  {"cl_ord_id", id},
                                  {"symbol", "BTC/USD"},
                                  {"side", "buy"},
                                  {"order_type", "limit"},
                                  {"order_qty", 0.5},
                                  {"limit_price", 100.0},
                                  {"order_status", "new"},
                                  {"timestamp", "2024-01-01T00:00:01.000000Z"}});
    }
    return json::serialize(json::object{
        {"channel", "executions"}, {"type", "snapshot"}, {"data", rows}, {"sequence", 1}});
  }

  void ack(const std::shared_ptr<net::WsConnection>& c, const std::string& method,
           std::int64_t req_id, const std::string& result) {
    c->send(R"({"method":")" + method + R"(","req_id":)" + std::to_string(req_id) +
            R"(,"result":)" + result + R"(,"success":true,)" + kTimes + "}");
  }
  void fail(const std::shared_ptr<net::WsConnection>& c, const std::string& method,
            std::int64_t req_id, const std::string& error) {
    c->send(R"({"error":")" + error + R"(","method":")" + method + R"(","req_id":)" +
            std::to_string(req_id) + R"(,"success":false,)" + kTimes + "}");
  }

  std::string next_token() {
    std::lock_guard lock(mutex_);
    return "tok-" + std::to_string(++tokens_);
  }
  void set_mode(Mode m) {
    std::lock_guard lock(mutex_);
    mode_ = m;
  }
  void refuse_orders(const std::string& error) {
    std::lock_guard lock(mutex_);
    mode_ = Mode::kRefuse;
    order_error_ = error;
  }
  void set_balances_snapshot(const std::string& frame) {
    std::lock_guard lock(mutex_);
    balances_snapshot_ = frame;
  }
  // Sends `frame` on the open connection.
  void push(const std::string& frame) {
    std::lock_guard lock(mutex_);
    if (const auto c = current_.lock()) c->send(frame);
  }
  // The first session's token expires while it subscribes: its balances subscription is refused,
  // which ends the session.
  void expire_first_session() {
    std::lock_guard lock(mutex_);
    expire_first_session_ = true;
  }
  void refuse_balances() {
    std::lock_guard lock(mutex_);
    refuse_balances_ = true;
  }
  void refuse(const std::string& token) {
    std::lock_guard lock(mutex_);
    refused_.insert(token);
  }
  int add_orders(const std::string& id) {
    std::lock_guard lock(mutex_);
    return add_orders_[id];
  }
  int connections() {
    std::lock_guard lock(mutex_);
    return connections_;
  }
  int tokens() {
    std::lock_guard lock(mutex_);
    return tokens_;
  }
  int count(const std::string& method) {
    std::lock_guard lock(mutex_);
    return static_cast<int>(std::count(methods_.begin(), methods_.end(), method));
  }

 private:
  std::mutex mutex_;
  Mode mode_ = Mode::kAnswer;
  bool refuse_balances_ = false;
  bool expire_first_session_ = false;
  std::string order_error_;
  std::string balances_snapshot_;
  std::weak_ptr<net::WsConnection> current_;  // weak: a connection holds its endpoint
  std::set<std::string> refused_;
  std::map<std::string, int> add_orders_;
  std::vector<std::string> open_;
  std::vector<std::string> methods_;
  int connections_ = 0;
  int tokens_ = 0;
};

struct Server {
  Server() : server(io.io(), {}) {
    server.add_websocket("/v2-auth", endpoint);
    server.route("POST", "/0/private/GetWebSocketsToken", [this](const net::HttpRequest& r) {
      if (r.header("api-key") == nullptr || r.header("api-sign") == nullptr) {
        return net::HttpResponse::json(200, R"({"error":["EAPI:Invalid key"]})");
      }
      return net::HttpResponse::json(200, R"({"error":[],"result":{"token":")" +
                                              endpoint->next_token() + R"(","expires":900}})");
    });
    if (!server.start()) throw std::runtime_error("server");
  }
  std::string base() const { return "127.0.0.1:" + std::to_string(server.port()); }
  net::IoThread io;
  std::shared_ptr<ScriptedPrivate> endpoint = std::make_shared<ScriptedPrivate>();
  net::HttpServer server;
};

class VenueRecorder {
 public:
  void add(core::ExecutionEvent e) {
    std::lock_guard lock(mutex_);
    events_.push_back(std::move(e));
  }
  std::vector<core::OrderUpdate> updates(const std::string& id) {
    return of<core::OrderUpdate>(id);
  }
  std::vector<core::Fill> fills(const std::string& id) { return of<core::Fill>(id); }
  // The balances reported for `asset`, in order.
  std::vector<core::Decimal> balances(const std::string& asset) {
    std::lock_guard lock(mutex_);
    std::vector<core::Decimal> out;
    for (const auto& e : events_) {
      if (const auto* b = std::get_if<core::BalanceUpdate>(&e); b && b->asset == asset)
        out.push_back(b->balance);
    }
    return out;
  }
  std::optional<core::OrderUpdate> last(const std::string& id) {
    auto u = updates(id);
    if (u.empty()) return std::nullopt;
    return u.back();
  }

 private:
  // The events of type T (an order update or a fill) about client order `id`, in order.
  template <class T>
  std::vector<T> of(const std::string& id) {
    std::lock_guard lock(mutex_);
    std::vector<T> out;
    for (const auto& e : events_) {
      if (const auto* x = std::get_if<T>(&e); x && x->client_order_id == id) out.push_back(*x);
    }
    return out;
  }

  std::mutex mutex_;
  std::vector<core::ExecutionEvent> events_;
};

// Polls a condition until a deadline (the venue's own threads make it true).
bool eventually(const std::function<bool()>& ready, std::chrono::milliseconds timeout = 10s) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!ready()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(10ms);
  }
  return true;
}

KrakenVenueOptions options_for(const Server& s) {
  KrakenVenueOptions o;
  o.ws_url = "ws://" + s.base() + "/v2-auth";
  o.rest_url = "http://" + s.base();
  o.api_key = "test-key";
  o.api_secret = "c2VjcmV0";
  o.unknown_outcome_timeout = 200ms;
  o.dead_man_switch = 0ms;
  o.reconnect_backoff = {20ms, 200ms, 2.0};
  o.retry_backoff = {20ms, 200ms, 2.0};
  o.jitter_seed = 5;
  return o;
}

execution::OrderRequest limit(const std::string& id) {
  execution::OrderRequest r;
  r.client_order_id = id;
  r.symbol = "BTC/USD";
  r.type = core::OrderType::kLimit;
  r.qty = core::Decimal::must("0.5");
  r.limit_price = core::Decimal::must("100");
  return r;
}

// A log sink that runs `action` once, on the logging thread, at the first line containing `text`.
class OnLogLine final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  OnLogLine(std::string text, std::function<void()> action)
      : text_(std::move(text)), action_(std::move(action)) {}

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    if (!action_ || std::string_view(msg.payload.data(), msg.payload.size()).find(text_) ==
                        std::string_view::npos) {
      return;
    }
    std::exchange(action_, nullptr)();
  }
  void flush_() override {}

 private:
  std::string text_;
  std::function<void()> action_;
};

struct Fixture {
  explicit Fixture(KrakenVenueOptions o, std::shared_ptr<spdlog::logger> log = nullptr)
      : venue(
            std::move(o), instruments, [this](core::ExecutionEvent e) { rec.add(std::move(e)); },
            {}, &registry, std::move(log)) {
    instruments.upsert(core::default_instrument("BTC/USD"));
  }
  // Starts the venue and waits until its session is up.
  bool start_up() {
    return venue.start().ok() && eventually([&] { return venue.stats().up; });
  }
  // Waits until the order's last reported status is `status`.
  bool ends_in(const std::string& id, OrderStatus status) {
    return eventually([&] {
      const auto u = rec.last(id);
      return u && u->status == status;
    });
  }
  // request_snapshot() and its answer (nullopt when none came within the wait).
  std::optional<core::Result<execution::VenueSnapshot>> snapshot() {
    // Shared with the callback, which may outlive a wait that gave up.
    struct Answer {
      std::mutex m;
      std::optional<core::Result<execution::VenueSnapshot>> got;
    };
    auto answer = std::make_shared<Answer>();
    venue.request_snapshot([answer](core::Result<execution::VenueSnapshot> r) {
      std::lock_guard lock(answer->m);
      answer->got = std::move(r);
    });
    eventually([&] {
      std::lock_guard lock(answer->m);
      return answer->got.has_value();
    });
    std::lock_guard lock(answer->m);
    return answer->got;
  }
  // The venue's counter `name` with label `kind`, as scraped (0 when it has no such series).
  double counter(const std::string& name, const std::string& kind) {
    for (const auto& family : registry.Collect()) {
      if (family.name != name) continue;
      for (const auto& metric : family.metric) {
        for (const auto& label : metric.label) {
          if (label.name == "kind" && label.value == kind) return metric.counter.value;
        }
      }
    }
    return 0;
  }
  core::InstrumentRegistry instruments;
  prometheus::Registry registry;
  VenueRecorder rec;
  KrakenVenue venue;
};

TEST(KrakenVenueScripted, AnUnansweredOrderThatWasPlacedIsFoundByTheSnapshot) {
  Server s;
  Fixture f(options_for(s));
  ASSERT_TRUE(f.start_up());
  s.endpoint->set_mode(ScriptedPrivate::Mode::kSilentPlaced);
  f.venue.submit(limit("t1"), core::Timestamp{});
  ASSERT_TRUE(f.ends_in("t1", OrderStatus::kNew));
  EXPECT_EQ(f.rec.last("t1")->venue_order_id, "O-t1");
  EXPECT_EQ(s.endpoint->add_orders("t1"), 1) << "never sent twice";
  EXPECT_GE(f.venue.stats().timeouts, 1u);
  EXPECT_GE(s.endpoint->count("unsubscribe"), 1) << "a fresh executions snapshot was taken";
}

// Kraken's snapshot holds only the last 50 fills: an open order's cum_qty beyond the fills TG4 has
// reaches the kernel as one catch-up fill, once however often the snapshot comes.
TEST(KrakenVenueScripted, ASnapshotCumQtyBeyondTheFillsSeenBecomesOneCatchUpFill) {
  Server s;
  Fixture f(options_for(s));
  ASSERT_TRUE(f.start_up());
  f.venue.submit(limit("t1"), core::Timestamp{});
  ASSERT_TRUE(f.ends_in("t1", OrderStatus::kNew));
  const std::string snapshot =
      R"({"channel":"executions","type":"snapshot","sequence":2,"data":[{"exec_type":"new",)"
      R"("order_id":"O-t1","cl_ord_id":"t1","symbol":"BTC/USD","side":"buy","order_type":"limit",)"
      R"("order_qty":0.5,"limit_price":100.0,"order_status":"partially_filled","cum_qty":0.3,)"
      R"("cum_cost":29.7,"avg_price":99.0,"fee_usd_equiv":0.05,)"
      R"("timestamp":"2024-01-01T00:00:02.000000Z"}]})";
  s.endpoint->push(snapshot);
  ASSERT_TRUE(f.ends_in("t1", OrderStatus::kPartiallyFilled));
  s.endpoint->push(snapshot);
  // Frames are handled in order: once this amend is reported, the repeat has been too.
  s.endpoint->push(
      R"({"channel":"executions","type":"update","data":[{"exec_type":"amended","order_id":"O-t1",)"
      R"("cl_ord_id":"t1","order_qty":0.5,"limit_price":99.5,"order_status":"partially_filled",)"
      R"("timestamp":"2024-01-01T00:00:03.000000Z"}]})");
  ASSERT_TRUE(eventually([&] {
    const auto u = f.rec.last("t1");
    return u && u->limit_price == core::Decimal::must("99.5");
  }));
  const auto fills = f.rec.fills("t1");
  ASSERT_EQ(fills.size(), 1u);
  EXPECT_EQ(fills[0].exec_id, "catchup:O-t1:0.3");
  EXPECT_EQ(fills[0].qty, core::Decimal::must("0.3"));
  EXPECT_EQ(fills[0].price, core::Decimal::must("99"));
  EXPECT_EQ(fills[0].fee, core::Decimal::must("0.05"));
  EXPECT_EQ(f.venue.stats().fill_repairs.catch_up_fills, 1u);
  EXPECT_EQ(f.counter("tg4_venue_fill_repairs_total", "catch_up"), 1.0) << "scraped once, not per snapshot";
}

TEST(KrakenVenueScripted, AnUnansweredOrderKrakenNeverSawIsRejected) {
  Server s;
  Fixture f(options_for(s));
  ASSERT_TRUE(f.start_up());
  s.endpoint->set_mode(ScriptedPrivate::Mode::kSilentLost);
  f.venue.submit(limit("t2"), core::Timestamp{});
  ASSERT_TRUE(f.ends_in("t2", OrderStatus::kRejected));
  EXPECT_NE(f.rec.last("t2")->reason.find("no answer"), std::string::npos)
      << f.rec.last("t2")->reason;
  EXPECT_TRUE(f.rec.last("t2")->lost);
  EXPECT_EQ(s.endpoint->add_orders("t2"), 1);
}

TEST(KrakenVenueScripted, ARefusedTokenMeansANewTokenANewConnectionAndTheOrderSentAgain) {
  Server s;
  Fixture f(options_for(s));
  ASSERT_TRUE(f.start_up());
  // Refused only once Kraken has answered both subscriptions: a refused balances subscription
  // would end the session before the order is sent (the next test's case).
  ASSERT_TRUE(eventually([&] { return s.endpoint->count("subscribe") == 2; }));
  s.endpoint->refuse("tok-1");
  f.venue.submit(limit("t3"), core::Timestamp{});
  ASSERT_TRUE(f.ends_in("t3", OrderStatus::kNew));
  EXPECT_EQ(s.endpoint->tokens(), 2);
  EXPECT_EQ(s.endpoint->connections(), 2);
  EXPECT_EQ(s.endpoint->count("add_order"), 2) << "refused once with the old token";
  EXPECT_EQ(s.endpoint->add_orders("t3"), 1) << "placed once, on the new session";
  EXPECT_EQ(f.venue.stats().retries, 1u);
}

// A session being closed sends nothing more: its socket would discard the order after the close
// frame, and the next session's snapshot would then write the order off as lost.
TEST(KrakenVenueScripted, AnOrderWaitsForTheNextSessionWhileThisOneCloses) {
  Server s;
  s.endpoint->expire_first_session();
  // The order is submitted from the venue's own thread as it decides to close the session (it
  // logs "reconnecting"), so it is taken in while the close is under way.
  KrakenVenue* venue = nullptr;
  auto log = std::make_shared<spdlog::logger>(
      "venue", std::make_shared<OnLogLine>("; reconnecting",
                                           [&] { venue->submit(limit("t9"), core::Timestamp{}); }));
  Fixture f(options_for(s), log);
  venue = &f.venue;
  ASSERT_TRUE(f.venue.start().ok());
  ASSERT_TRUE(f.ends_in("t9", OrderStatus::kNew))
      << f.rec.last("t9").value_or(core::OrderUpdate{}).reason;
  EXPECT_EQ(s.endpoint->connections(), 2);
  EXPECT_EQ(s.endpoint->add_orders("t9"), 1) << "placed on the second session";
  EXPECT_EQ(f.venue.stats().orders_sent, 1u) << "nothing sent into the closing session";
}

TEST(KrakenVenueScripted, AnOrderThatCannotBeSentInTimeIsRejected) {
  auto o = options_for(Server{});  // a server that is gone at once: nothing listens there
  o.max_queue_age = 100ms;
  Fixture f(o);
  ASSERT_TRUE(f.venue.start().ok());
  f.venue.submit(limit("t4"), core::Timestamp{});
  ASSERT_TRUE(f.ends_in("t4", OrderStatus::kRejected));
  EXPECT_NE(f.rec.last("t4")->reason.find("not sent"), std::string::npos);
  EXPECT_TRUE(f.rec.last("t4")->lost) << "never sent, so never refused";
  EXPECT_EQ(f.venue.stats().orders_sent, 0u);
  EXPECT_GE(f.venue.stats().token_fetches, 1u);
}

// An add_order Kraken refused for now waits for a resend; cancelled meanwhile, it is withdrawn:
// no cancel_order (Kraken has no such order), and the resend does not go out (it used to, making
// an order the kernel had cancelled live).
TEST(KrakenVenueScripted, AnOrderCancelledWhileHeldForAResendIsWithdrawn) {
  Server s;
  auto o = options_for(s);
  o.retry_backoff = {2s, 2s, 1.0};  // held at least 1 s: long enough to cancel it
  Fixture f(o);
  ASSERT_TRUE(f.start_up());
  s.endpoint->refuse_orders("EOrder:Rate limit exceeded");
  f.venue.submit(limit("t7"), core::Timestamp{});
  ASSERT_TRUE(eventually([&] { return f.venue.stats().rate_limited >= 1; }));  // now held
  f.venue.cancel("t7", core::Timestamp{});
  ASSERT_TRUE(f.ends_in("t7", OrderStatus::kCanceled));
  EXPECT_EQ(f.rec.last("t7")->reason, "cancelled before Kraken took it");
  ASSERT_TRUE(eventually([&] { return f.venue.stats().resends_dropped >= 1; }));
  EXPECT_EQ(s.endpoint->add_orders("t7"), 1) << "not sent again";
  EXPECT_EQ(s.endpoint->count("cancel_order"), 0);
}

// A refused order is not sent again once older than max_queue_age: a market order decided long ago
// is not the order the kernel decided.
TEST(KrakenVenueScripted, ARefusedOrderIsNotSentAgainOnceStale) {
  Server s;
  auto o = options_for(s);
  o.retry_backoff = {400ms, 400ms, 1.0};
  o.max_queue_age = 100ms;
  Fixture f(o);
  ASSERT_TRUE(f.start_up());
  s.endpoint->refuse_orders("EService:Busy");
  f.venue.submit(limit("t8"), core::Timestamp{});
  ASSERT_TRUE(f.ends_in("t8", OrderStatus::kRejected));
  EXPECT_NE(f.rec.last("t8")->reason.find("not sent again"), std::string::npos)
      << f.rec.last("t8")->reason;
  EXPECT_EQ(s.endpoint->add_orders("t8"), 1);
  EXPECT_EQ(f.venue.stats().resends_dropped, 1u);
}

// "Internal error" does not say whether Kraken placed the order: never sent again, Kraken's
// snapshot decides (here it does not have it: rejected).
TEST(KrakenVenueScripted, AnInternalErrorIsReconciledNotRetried) {
  Server s;
  Fixture f(options_for(s));
  ASSERT_TRUE(f.start_up());
  s.endpoint->refuse_orders("EGeneral:Internal error");
  f.venue.submit(limit("t9"), core::Timestamp{});
  ASSERT_TRUE(f.ends_in("t9", OrderStatus::kRejected));
  EXPECT_EQ(s.endpoint->add_orders("t9"), 1);
  EXPECT_EQ(f.venue.stats().retries, 0u);
  EXPECT_GE(s.endpoint->count("unsubscribe"), 1) << "a fresh executions snapshot was taken";
}

// Kraken's balances count Earn wallets (staked, bonded) in an asset's total; only the spot wallets
// trade, so only they are the kernel's balance. With Earn holdings an update's balance is not
// taken as the spot wallet's: the change is (Kraken's ledger: before + amount - fee).
TEST(KrakenVenueScripted, BalancesAreTheSpotWalletsOnly) {
  Server s;
  s.endpoint->set_balances_snapshot(
      R"({"channel":"balances","type":"snapshot","sequence":1,"data":[)"
      R"({"asset":"DOT","asset_class":"currency","balance":500,"wallets":[)"
      R"({"type":"spot","id":"main","balance":300},{"type":"earn","id":"bonded","balance":200}]},)"
      R"({"asset":"USD","asset_class":"currency","balance":1000.5,"wallets":[)"
      R"({"type":"spot","id":"main","balance":1000.5}]}]})");
  Fixture f(options_for(s));
  ASSERT_TRUE(f.start_up());
  ASSERT_TRUE(eventually([&] { return !f.rec.balances("DOT").empty(); }));
  EXPECT_EQ(f.rec.balances("DOT").back(), core::Decimal::must("300"));
  const auto update = [](const std::string& asset, const std::string& wallet,
                         const std::string& amount, const std::string& fee,
                         const std::string& balance) {
    return R"({"channel":"balances","type":"update","sequence":2,"data":[{"ledger_id":"L1",)"
           R"("ref_id":"R1","timestamp":"2024-01-01T00:00:02.000000Z","type":"trade","asset":")" +
           asset + R"(","asset_class":"currency","category":"trade","wallet_type":")" + wallet +
           R"(","wallet_id":"main","amount":)" + amount + R"(,"fee":)" + fee +
           R"(,"balance":)" + balance + "}]}";
  };
  s.endpoint->push(update("DOT", "earn", "1", "0", "201"));  // a staking reward: not tradable
  s.endpoint->push(update("DOT", "spot", "-100", "0.5", "399.5"));
  s.endpoint->push(update("USD", "spot", "10", "0", "1010.5"));
  ASSERT_TRUE(eventually([&] { return f.rec.balances("USD").size() >= 2; }));
  EXPECT_EQ(f.rec.balances("DOT"),
            (std::vector<core::Decimal>{core::Decimal::must("300"), core::Decimal::must("199.5")}));
  EXPECT_EQ(f.rec.balances("USD").back(), core::Decimal::must("1010.5"));
}

TEST(KrakenVenueScripted, SnapshotRequestsAreAnsweredOrTimeOut) {
  Server s;
  Fixture f(options_for(s));
  ASSERT_TRUE(f.start_up());
  const auto got = f.snapshot();
  ASSERT_TRUE(got.has_value());
  ASSERT_TRUE(got->ok()) << got->error().message;
  EXPECT_EQ(got->value().balances.at("USD"), core::Decimal::must("1000.5"));

  auto o = options_for(Server{});
  o.snapshot_timeout = 150ms;
  Fixture down(o);
  ASSERT_TRUE(down.venue.start().ok());
  const auto none = down.snapshot();
  ASSERT_TRUE(none.has_value());
  ASSERT_FALSE(none->ok());
  EXPECT_NE(none->error().message.find("no executions snapshot"), std::string::npos);
}

TEST(KrakenVenueScripted, AKeyWithoutTheFundsPermissionStillTrades) {
  Server s;
  s.endpoint->refuse_balances();
  Fixture f(options_for(s));
  ASSERT_TRUE(f.start_up());
  f.venue.submit(limit("t5"), core::Timestamp{});
  ASSERT_TRUE(f.ends_in("t5", OrderStatus::kNew));
  const auto got = f.snapshot();
  ASSERT_TRUE(got.has_value());
  ASSERT_TRUE(got->ok()) << got->error().message;
  EXPECT_TRUE(got->value().balances.empty());
  EXPECT_EQ(got->value().open_orders.size(), 1u);
  EXPECT_EQ(s.endpoint->connections(), 1) << "no reconnect loop over the balances channel";
}

TEST(KrakenVenueConfig, ValidationNamesTheField) {
  KrakenVenueOptions o;
  o.api_key = "k";
  o.api_secret = "c2VjcmV0";
  EXPECT_TRUE(o.validate().ok());
  auto bad = o;
  bad.api_secret.clear();
  EXPECT_NE(bad.validate().error().message.find("api_secret"), std::string::npos);
  bad = o;
  bad.api_secret = "not base64!";
  const auto e = bad.validate();
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.error().message.find("not base64!"), std::string::npos)
      << "the secret is never repeated";
  bad = o;
  bad.ws_url = "http://example.com";
  EXPECT_NE(bad.validate().error().message.find("ws url"), std::string::npos);
  bad = o;
  bad.dead_man_switch = 500ms;
  EXPECT_NE(bad.validate().error().message.find("dead_man_switch"), std::string::npos);
  bad = o;
  bad.symbols = {"BTCUSD"};
  EXPECT_NE(bad.validate().error().message.find("BTCUSD"), std::string::npos);
}

TEST(KrakenVenueConfig, FromConfig) {
  core::Config c;
  c.feed.auth_url = "wss://example.test/v2";
  c.rest.url = "https://rest.example.test";
  c.rest.api_key = "key";
  c.rest.api_secret = "c2VjcmV0";
  c.execution.unknown_outcome_timeout = 3s;
  c.execution.dead_man_switch = 0ms;
  const auto o = KrakenVenueOptions::from_config(c);
  EXPECT_EQ(o.ws_url, "wss://example.test/v2");
  EXPECT_EQ(o.rest_url, "https://rest.example.test");
  EXPECT_EQ(o.api_key, "key");
  EXPECT_EQ(o.unknown_outcome_timeout, 3s);
  EXPECT_EQ(o.dead_man_switch.count(), 0);
  EXPECT_TRUE(o.validate().ok());
}

}  // namespace
}  // namespace tg4::kraken
