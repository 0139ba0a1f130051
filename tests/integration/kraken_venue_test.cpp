// KrakenVenue against the in-process simulator's private side (token over signed REST, /v2-auth
// order entry, executions and balances): orders are placed, filled, amended and cancelled; the dead
// man's switch cancels what a hung venue leaves, and a clean stop disarms it; duplicate client ids,
// rejections, late acks, dropped connections and rate limits end in the true state with no order
// sent twice.
#include "kraken/kraken_venue.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <prometheus/registry.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <boost/json.hpp>
#include <condition_variable>
#include <cstdlib>
#include <functional>
#include <list>
#include <mutex>
#include <random>
#include <set>
#include <sstream>
#include <variant>

#include "execution/order_manager.hpp"
#include "kraken/rest_client.hpp"
#include "sim/simulator.hpp"
#include "support/sim_account.hpp"

namespace tg4::kraken {
namespace {

using namespace std::chrono_literals;
using core::Decimal;
using core::OrderStatus;
using tg4::testing::ExchangeOrder;
using tg4::testing::read_exchange_orders;

constexpr const char* kSymbol = "BTC/USDT";

// What the venue reported, from its io thread; waits have deadlines, never sleeps.
class Recorder {
 public:
  void event(core::ExecutionEvent e) {
    std::unique_lock lock(mutex_);
    if (held_) {
      ++parked_;
      cv_.notify_all();
      cv_.wait(lock, [&] { return !held_; });
      --parked_;
    }
    events_.push_back(std::move(e));
    cv_.notify_all();
  }
  // While held, the venue's io thread stops in its next event: a hung process, silent to Kraken
  // like a crashed one (an in-process venue cannot crash).
  void hold() {
    std::lock_guard lock(mutex_);
    held_ = true;
  }
  void release() {
    std::lock_guard lock(mutex_);
    held_ = false;
    cv_.notify_all();
  }
  void state(core::FeedState s) {
    std::lock_guard lock(mutex_);
    states_.push_back(std::move(s));
    cv_.notify_all();
  }
  // Re-checks on every event and every 20 ms (for conditions outside the recorder, like stats).
  bool wait(const std::function<bool()>& ready, std::chrono::milliseconds timeout = 15s) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    std::unique_lock lock(mutex_);
    while (!ready()) {
      if (std::chrono::steady_clock::now() >= deadline) return false;
      cv_.wait_for(lock, 20ms);
    }
    return true;
  }
  // Callers hold no lock: these are for use inside wait() predicates and after waits.
  std::vector<core::OrderUpdate> updates(const std::string& id) const {
    std::vector<core::OrderUpdate> out;
    for (const auto& e : events_) {
      if (const auto* u = std::get_if<core::OrderUpdate>(&e); u && u->client_order_id == id)
        out.push_back(*u);
    }
    return out;
  }
  std::vector<core::Fill> fills(const std::string& id) const {
    std::vector<core::Fill> out;
    for (const auto& e : events_) {
      if (const auto* f = std::get_if<core::Fill>(&e); f && f->client_order_id == id)
        out.push_back(*f);
    }
    return out;
  }
  bool has_status(const std::string& id, OrderStatus status) const {
    for (const auto& u : updates(id)) {
      if (u.status == status) return true;
    }
    return false;
  }
  std::optional<OrderStatus> last_status(const std::string& id) const {
    const auto u = updates(id);
    if (u.empty()) return std::nullopt;
    return u.back().status;
  }
  bool has_balance(const std::string& asset) const {
    for (const auto& e : events_) {
      if (const auto* b = std::get_if<core::BalanceUpdate>(&e); b && b->asset == asset) return true;
    }
    return false;
  }
  std::optional<Decimal> last_balance(const std::string& asset) const {
    std::optional<Decimal> last;
    for (const auto& e : events_) {
      if (const auto* b = std::get_if<core::BalanceUpdate>(&e); b && b->asset == asset)
        last = b->balance;
    }
    return last;
  }
  std::vector<core::FeedState> states() const { return states_; }
  bool parked() const { return parked_ > 0; }  // a venue thread waits in a hold
  std::size_t size() const { return events_.size(); }
  std::unique_lock<std::mutex> lock() { return std::unique_lock(mutex_); }
  // Takes the lock: the events after `cursor`, which moves past them (feeding an order manager).
  std::vector<core::ExecutionEvent> take_new(std::size_t& cursor) {
    std::lock_guard lock(mutex_);
    std::vector<core::ExecutionEvent> out(events_.begin() + static_cast<std::ptrdiff_t>(cursor), events_.end());
    cursor = events_.size();
    return out;
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  std::vector<core::ExecutionEvent> events_;
  std::vector<core::FeedState> states_;
  bool held_ = false;
  int parked_ = 0;
};

class KrakenVenueSim : public ::testing::Test {
 protected:
  void SetUp() override {
    sim::SimOptions o;
    o.symbols = {kSymbol};
    o.history_days = 0;
    o.seed = 7;
    simulator_ = std::make_unique<sim::Simulator>(o, sim_registry_);
    ASSERT_TRUE(simulator_->start(0).ok());
    instruments_.upsert(core::default_instrument(kSymbol));
    log_stream_ = std::make_shared<std::ostringstream>();
    log_ = std::make_shared<spdlog::logger>(
        "venue-test", std::make_shared<spdlog::sinks::ostream_sink_mt>(*log_stream_));
    log_->set_level(spdlog::level::debug);
  }

  void TearDown() override {
    for (auto& r : recorders_) r.release();  // a held venue thread could not stop
    for (auto& v : venues_) v->stop();
    venues_.clear();
    simulator_->stop();
    // Never the key or the secret, whatever happened.
    const std::string logs = log_stream_->str();
    EXPECT_EQ(logs.find(simulator_->options().api_secret), std::string::npos);
    EXPECT_EQ(logs.find(simulator_->options().api_key), std::string::npos);
  }

  KrakenVenueOptions options() const {
    KrakenVenueOptions o;
    o.ws_url = simulator_->ws_auth_url();
    o.rest_url = simulator_->rest_url();
    o.api_key = simulator_->options().api_key;
    o.api_secret = simulator_->options().api_secret;
    o.unknown_outcome_timeout = 1500ms;
    o.dead_man_switch = 0ms;
    o.reconnect_backoff = net::BackoffOptions{50ms, 500ms, 2.0};
    o.retry_backoff = net::BackoffOptions{50ms, 400ms, 2.0};
    o.jitter_seed = 11;
    return o;
  }

  Recorder& recorder() { return recorders_.emplace_back(); }

  // Replaces the simulator, before any venue connects, by one with `faults` (a `--faults` spec)
  // from its start.
  void use_faulty_simulator(const std::string& faults) {
    simulator_->stop();
    sim::SimOptions o = simulator_->options();
    auto spec = sim::FaultSpec::parse(faults);
    ASSERT_TRUE(spec.ok()) << spec.error().message;
    o.faults = *spec;
    simulator_ = std::make_unique<sim::Simulator>(o, faulty_sim_registry_);
    ASSERT_TRUE(simulator_->start(0).ok());
  }

  // `restored`: the orders a previous run left open, handed over before the venue connects.
  KrakenVenue& start_venue(Recorder& rec, KrakenVenueOptions o,
                           const std::vector<execution::RestoredOrder>& restored = {}) {
    venues_.push_back(std::make_unique<KrakenVenue>(
        std::move(o), instruments_, [&rec](core::ExecutionEvent e) { rec.event(std::move(e)); },
        [&rec](core::FeedState s) { rec.state(std::move(s)); }, &registry_, log_));
    KrakenVenue& venue = *venues_.back();
    venue.restore_orders(restored, core::Timestamp{});
    EXPECT_TRUE(venue.start().ok());
    EXPECT_TRUE(rec.wait([&] { return venue.stats().up; })) << "the private session never came up";
    return venue;
  }
  KrakenVenue& start_venue(Recorder& rec) { return start_venue(rec, options()); }

  static execution::OrderRequest market(const std::string& id, const char* qty = "0.001",
                                        core::Side side = core::Side::kBuy) {
    execution::OrderRequest r;
    r.client_order_id = id;
    r.symbol = kSymbol;
    r.side = side;
    r.type = core::OrderType::kMarket;
    r.qty = Decimal::must(qty);
    return r;
  }
  // A buy far below the simulated market (~60,000): it rests.
  static execution::OrderRequest resting(const std::string& id, const char* qty = "0.001",
                                         const char* price = "30000") {
    auto r = market(id, qty);
    r.type = core::OrderType::kLimit;
    r.limit_price = Decimal::must(price);
    return r;
  }

  // The account's private REST `method` at the simulator, as a test reads it: the body, or "" (and
  // a failure) when it did not answer.
  std::string exchange_says(const std::string& method) {
    // The venue signs with the same key: a nonce from the same millisecond is refused once.
    const auto body =
        tg4::testing::sim_private_call(simulator_->rest_url(), simulator_->options().api_key,
                                       simulator_->options().api_secret, method, 3, log_);
    EXPECT_TRUE(body.ok()) << method << ": " << (body.ok() ? "" : body.error().message);
    return body ? *body : std::string();
  }

  // The account's orders at the simulator by client id: the open ones, and with `closed_too` the
  // closed ones (REST OpenOrders, ClosedOrders).
  std::map<std::string, std::vector<ExchangeOrder>> exchange_orders(bool closed_too = true) {
    std::map<std::string, std::vector<ExchangeOrder>> orders;
    read_exchange_orders(exchange_says("OpenOrders"), "open", orders);
    if (closed_too) read_exchange_orders(exchange_says("ClosedOrders"), "closed", orders);
    return orders;
  }

  // How many of the account's open orders at the simulator have this client id (REST OpenOrders).
  int open_at_exchange(const std::string& id) {
    const std::string body = exchange_says("OpenOrders");
    if (body.empty()) return -1;
    int n = 0;
    const std::string needle = "\"cl_ord_id\":\"" + id + "\"";
    for (auto at = body.find(needle); at != std::string::npos; at = body.find(needle, at + 1)) ++n;
    return n;
  }

  // From the venue's registry, or `from`.
  double metric(const std::string& family, const std::map<std::string, std::string>& labels,
                prometheus::Registry* from = nullptr) {
    for (const auto& f : (from != nullptr ? *from : registry_).Collect()) {
      if (f.name != family) continue;
      for (const auto& m : f.metric) {
        bool match = true;
        for (const auto& [k, v] : labels) {
          const bool found = std::any_of(m.label.begin(), m.label.end(), [&](const auto& l) {
            return l.name == k && l.value == v;
          });
          match = match && found;
        }
        if (!match) continue;
        if (f.type == prometheus::MetricType::Histogram)
          return static_cast<double>(m.histogram.sample_count);
        if (f.type == prometheus::MetricType::Gauge) return m.gauge.value;
        return m.counter.value;
      }
    }
    return -1;
  }

  prometheus::Registry sim_registry_;
  prometheus::Registry faulty_sim_registry_;  // use_faulty_simulator's
  prometheus::Registry registry_;
  std::unique_ptr<sim::Simulator> simulator_;
  core::InstrumentRegistry instruments_;
  std::shared_ptr<std::ostringstream> log_stream_;
  std::shared_ptr<spdlog::logger> log_;
  std::list<Recorder> recorders_;  // outlive the venues, which report until stopped
  std::vector<std::unique_ptr<KrakenVenue>> venues_;
};

TEST_F(KrakenVenueSim, MarketOrderFillsWithFeesAndBalances) {
  auto& rec = recorder();
  auto& venue = start_venue(rec);
  ASSERT_TRUE(rec.wait([&] { return rec.has_balance("USDT"); })) << "balances snapshot";
  venue.submit(market("tm-1"), core::Timestamp{});
  ASSERT_TRUE(rec.wait([&] { return rec.has_status("tm-1", OrderStatus::kFilled); }));
  auto lock = rec.lock();
  const auto fills = rec.fills("tm-1");
  ASSERT_FALSE(fills.empty());
  Decimal total;
  for (const auto& f : fills) {
    total = total + f.qty;
    EXPECT_FALSE(f.exec_id.empty());
    EXPECT_FALSE(f.venue_order_id.empty());
    EXPECT_EQ(f.symbol, kSymbol);
    EXPECT_EQ(f.fee_currency, "USDT");
    EXPECT_TRUE(f.fee.is_positive());
    EXPECT_FALSE(f.maker) << "a market order takes";
    EXPECT_GT(f.price, Decimal::from_int(1000));
  }
  EXPECT_EQ(total, Decimal::must("0.001"));
  const auto updates = rec.updates("tm-1");
  EXPECT_EQ(updates.back().status, OrderStatus::kFilled);
  EXPECT_EQ(updates.back().filled_qty, Decimal::must("0.001"));
  EXPECT_FALSE(rec.has_status("tm-1", OrderStatus::kRejected));
  lock.unlock();
  EXPECT_TRUE(rec.wait([&] { return rec.has_balance("BTC"); }));
  EXPECT_GE(metric("tg4_venue_request_seconds", {{"method", "add_order"}}), 1.0);
  EXPECT_EQ(metric("tg4_venue_up", {}), 1.0);
}

// A key Kraken does not know: the token request fails at every attempt, and the kernel hears why
// with Kraken's own error code and what to do about it (the node shows it, and is not ready), the
// errors metric counts the code, and the session stays down. The key itself is never logged.
TEST_F(KrakenVenueSim, AKeyKrakenRefusesIsReportedWithKrakensErrorCode) {
  auto& rec = recorder();
  KrakenVenueOptions o = options();
  o.api_key = "tg4-wrong-key-0123456789";
  venues_.push_back(std::make_unique<KrakenVenue>(
      o, instruments_, [&rec](core::ExecutionEvent e) { rec.event(std::move(e)); },
      [&rec](core::FeedState s) { rec.state(std::move(s)); }, &registry_, log_));
  ASSERT_TRUE(venues_.back()->start().ok());
  const auto refused = [&] {
    int n = 0;
    for (const auto& s : rec.states()) {
      if (!s.connected && s.source == "private" &&
          s.reason.find("EAPI:Invalid key") != std::string::npos)
        ++n;
    }
    return n;
  };
  ASSERT_TRUE(rec.wait([&] { return refused() >= 2; })) << log_stream_->str();  // and again
  const auto states = rec.states();
  EXPECT_NE(states.back().reason.find("Kraken REST GetWebSocketsToken: EAPI:Invalid key"),
            std::string::npos)
      << states.back().reason;
  EXPECT_NE(states.back().reason.find("check rest.api_key"), std::string::npos)
      << states.back().reason;
  EXPECT_FALSE(venues_.back()->stats().up);
  EXPECT_EQ(metric("tg4_venue_up", {}), 0.0);
  EXPECT_GE(metric("tg4_venue_errors_total", {{"code", "EAPI:Invalid key"}}), 2.0);
  const std::string logs = log_stream_->str();
  EXPECT_NE(logs.find("no WebSocket token: Kraken REST GetWebSocketsToken: EAPI:Invalid key"),
            std::string::npos)
      << logs;
  EXPECT_EQ(logs.find(o.api_key), std::string::npos) << logs;
}

TEST_F(KrakenVenueSim, LimitOrderRestsIsAmendedAndCancelled) {
  auto& rec = recorder();
  auto& venue = start_venue(rec);
  venue.submit(resting("tl-1"), core::Timestamp{});
  ASSERT_TRUE(rec.wait([&] { return rec.has_status("tl-1", OrderStatus::kNew); }));
  EXPECT_EQ(open_at_exchange("tl-1"), 1);

  venue.amend(resting("tl-1"), Decimal::must("0.002"), Decimal::must("31000.5"), core::Timestamp{});
  ASSERT_TRUE(rec.wait([&] {
    const auto u = rec.updates("tl-1");
    return !u.empty() && u.back().qty == Decimal::must("0.002") &&
           u.back().limit_price == Decimal::must("31000.5");
  })) << "the amend reaches the kernel as the order's new quantity and price";
  // A price-only amend keeps the quantity (Kraken wants order_qty in every amend).
  venue.amend(resting("tl-1"), Decimal::zero(), Decimal::must("30500"), core::Timestamp{});
  ASSERT_TRUE(rec.wait([&] {
    const auto u = rec.updates("tl-1");
    return u.back().limit_price == Decimal::must("30500") && u.back().qty == Decimal::must("0.002");
  }));

  venue.cancel("tl-1", core::Timestamp{});
  ASSERT_TRUE(rec.wait([&] { return rec.last_status("tl-1") == OrderStatus::kCanceled; }));
  EXPECT_EQ(open_at_exchange("tl-1"), 0);
}

// A stop's trigger reaches the kernel as Kraken holds it: when placed, when an amend moves it (a
// trailing stop), and unchanged, with the refusal marked, when Kraken refuses the amend.
TEST_F(KrakenVenueSim, AStopsTriggerIsReportedAsKrakenHoldsIt) {
  auto& rec = recorder();
  auto& venue = start_venue(rec);
  auto stop = market("ts-1");
  stop.type = core::OrderType::kStopLoss;  // a buy stop far above the simulated market: it rests
  stop.trigger_price = Decimal::must("90000");
  venue.submit(stop, core::Timestamp{});
  ASSERT_TRUE(rec.wait([&] { return rec.has_status("ts-1", OrderStatus::kNew); }));
  EXPECT_EQ(rec.updates("ts-1").back().trigger_price, Decimal::must("90000"));

  venue.amend(stop, Decimal::zero(), Decimal::must("85000.5"), core::Timestamp{});
  ASSERT_TRUE(rec.wait([&] {
    const auto u = rec.updates("ts-1");
    return u.back().trigger_price == Decimal::must("85000.5");
  })) << "the amended trigger reaches the kernel";
  EXPECT_EQ(rec.updates("ts-1").back().refused, core::Refused::kNone);

  venue.amend(stop, Decimal::must("1000"), Decimal::must("80000"), core::Timestamp{});  // no funds for it
  ASSERT_TRUE(rec.wait([&] { return rec.updates("ts-1").back().refused == core::Refused::kPrice; }));
  const auto refused = rec.updates("ts-1").back();
  EXPECT_EQ(refused.trigger_price, Decimal::must("85000.5")) << "where Kraken still holds it";
  EXPECT_NE(refused.reason.find("Insufficient funds"), std::string::npos) << refused.reason;
  EXPECT_EQ(refused.status, OrderStatus::kNew);
  venue.amend(stop, Decimal::must("2000"), Decimal::zero(), core::Timestamp{});  // a quantity alone
  ASSERT_TRUE(rec.wait([&] { return rec.updates("ts-1").back().refused == core::Refused::kQuantity; }));
}

// After a restart the order was submitted by another process: the new one amends it all the same
// (a restored stop shrunk for an exit, or trailed). It used to ignore amends of orders it had not
// sent itself, and an exit waiting for its stop to shrink waited for ever.
TEST_F(KrakenVenueSim, AnOrderFromBeforeARestartCanBeAmended) {
  auto& first_rec = recorder();
  auto& first = start_venue(first_rec);
  first.submit(resting("tr-1"), core::Timestamp{});
  ASSERT_TRUE(first_rec.wait([&] { return first_rec.has_status("tr-1", OrderStatus::kNew); }));
  first.stop();

  auto& rec = recorder();
  auto& venue = start_venue(rec);  // the next process: its snapshot has tr-1 open
  venue.amend(resting("tr-1"), Decimal::zero(), Decimal::must("30100"), core::Timestamp{});
  ASSERT_TRUE(rec.wait([&] {
    const auto u = rec.updates("tr-1");
    return !u.empty() && u.back().limit_price == Decimal::must("30100");
  })) << "the amend reached Kraken";
  EXPECT_EQ(open_at_exchange("tr-1"), 1);
}

TEST_F(KrakenVenueSim, CancelAllClosesEveryOpenOrder) {
  auto& rec = recorder();
  auto& venue = start_venue(rec);
  venue.submit(resting("ta-1", "0.001", "30000"), core::Timestamp{});
  venue.submit(resting("ta-2", "0.001", "29000"), core::Timestamp{});
  ASSERT_TRUE(rec.wait([&] {
    return rec.has_status("ta-1", OrderStatus::kNew) && rec.has_status("ta-2", OrderStatus::kNew);
  }));
  venue.cancel_all(core::Timestamp{});
  ASSERT_TRUE(rec.wait([&] {
    return rec.last_status("ta-1") == OrderStatus::kCanceled &&
           rec.last_status("ta-2") == OrderStatus::kCanceled;
  }));
  EXPECT_EQ(open_at_exchange("ta-1") + open_at_exchange("ta-2"), 0);
}

TEST_F(KrakenVenueSim, DeadMansSwitchCancelsWhatAHungVenueLeft) {
  auto& first = recorder();
  auto o = options();
  o.dead_man_switch = 2s;
  auto& venue = start_venue(first, o);
  venue.submit(resting("td-1"), core::Timestamp{});
  ASSERT_TRUE(first.wait([&] { return first.has_status("td-1", OrderStatus::kNew); }));
  ASSERT_TRUE(first.wait([&] { return venue.stats().dead_man_renewals >= 2; }, 5s))
      << "renewed while alive";
  EXPECT_EQ(open_at_exchange("td-1"), 1) << "renewals keep the order alive";
  // The venue hangs in the ack of its next order: no renewal from now on, the switch stays armed.
  first.hold();
  venue.submit(resting("td-2", "0.001", "29000"), core::Timestamp{});
  ASSERT_TRUE(first.wait([&] { return first.parked(); })) << "the venue's thread never hung";

  // A second session on the account sees Kraken cancel it when the switch fires.
  auto& second = recorder();
  start_venue(second);
  ASSERT_TRUE(
      second.wait([&] { return second.last_status("td-1") == OrderStatus::kCanceled; }, 10s));
  EXPECT_EQ(open_at_exchange("td-1"), 0);
}

// A deliberate stop (an upgrade, say) disarms the switch: the resting orders, the protective stops
// of open positions among them, stay on Kraken while TG4 is down. It used to leave the switch
// armed, and Kraken cancelled every resting order a minute after the stop.
TEST_F(KrakenVenueSim, ACleanStopDisarmsTheDeadMansSwitch) {
  auto& rec = recorder();
  auto o = options();
  o.dead_man_switch = 60s;
  auto& venue = start_venue(rec, o);
  ASSERT_TRUE(rec.wait([&] { return simulator_->dead_man_armed(); })) << "armed when up";
  venue.submit(resting("tp-1"), core::Timestamp{});
  ASSERT_TRUE(rec.wait([&] { return rec.has_status("tp-1", OrderStatus::kNew); }));
  venue.stop();
  EXPECT_FALSE(simulator_->dead_man_armed()) << "Kraken would cancel tp-1 within the minute";
  EXPECT_EQ(open_at_exchange("tp-1"), 1);
  EXPECT_NE(log_stream_->str().find("dead man's switch disarmed on stop"), std::string::npos);
}

// Without a session the switch cannot be disarmed: the log says it may still cancel orders, and
// when.
TEST_F(KrakenVenueSim, AStopWithoutASessionWarnsThatTheSwitchMayStillFire) {
  auto& rec = recorder();
  auto o = options();
  o.dead_man_switch = 60s;
  auto& venue = start_venue(rec, o);
  ASSERT_TRUE(rec.wait([&] { return venue.stats().dead_man_renewals >= 1; }));
  simulator_->stop();
  ASSERT_TRUE(rec.wait([&] { return !venue.stats().up; }));
  venue.stop();
  const std::string logs = log_stream_->str();
  EXPECT_NE(logs.find("dead man's switch not disarmed on stop (the private session is down): "
                      "Kraken may still cancel every resting order"),
            std::string::npos)
      << logs;
  EXPECT_EQ(logs.find("disarmed on stop: resting orders stay"), std::string::npos);
}

TEST_F(KrakenVenueSim, ADuplicateClientIdIsNeverSent) {
  auto& rec = recorder();
  auto& venue = start_venue(rec);
  venue.submit(resting("tu-1"), core::Timestamp{});
  ASSERT_TRUE(rec.wait([&] { return rec.has_status("tu-1", OrderStatus::kNew); }));
  venue.submit(resting("tu-1", "0.005"), core::Timestamp{});
  ASSERT_TRUE(rec.wait([&] { return venue.stats().duplicates_refused == 1; }));
  EXPECT_EQ(venue.stats().orders_sent, 1u);

  // After a restart the new session knows the open order from its first snapshot.
  auto& again = recorder();
  auto& restarted = start_venue(again);
  restarted.submit(resting("tu-1", "0.005"), core::Timestamp{});
  ASSERT_TRUE(again.wait([&] { return restarted.stats().duplicates_refused == 1; }));
  EXPECT_EQ(restarted.stats().orders_sent, 0u);
  EXPECT_EQ(open_at_exchange("tu-1"), 1);
  auto lock = rec.lock();
  EXPECT_FALSE(rec.has_status("tu-1", OrderStatus::kRejected)) << "the open order keeps its state";
  EXPECT_EQ(rec.updates("tu-1").back().qty, Decimal::must("0.001"));
}

TEST_F(KrakenVenueSim, KrakensRejectionReachesTheKernel) {
  auto& rec = recorder();
  auto& venue = start_venue(rec);
  ASSERT_TRUE(simulator_->arm_faults("reject=1:EOrder:Insufficient funds").ok());
  venue.submit(resting("tr-1"), core::Timestamp{});
  ASSERT_TRUE(rec.wait([&] { return rec.last_status("tr-1") == OrderStatus::kRejected; }));
  auto lock = rec.lock();
  EXPECT_EQ(rec.updates("tr-1").back().reason, "Kraken: EOrder:Insufficient funds");
  EXPECT_FALSE(rec.updates("tr-1").back().lost) << "a refusal: not to be sent again";
  lock.unlock();
  EXPECT_EQ(metric("tg4_venue_errors_total", {{"code", "EOrder:Insufficient funds"}}), 1.0);
  // Refused locally before sending: no instrument data.
  auto unknown = resting("tr-2");
  unknown.symbol = "DOGE/USDT";
  venue.submit(unknown, core::Timestamp{});
  ASSERT_TRUE(rec.wait([&] { return rec.last_status("tr-2") == OrderStatus::kRejected; }));
  EXPECT_EQ(venue.stats().orders_sent, 1u);
}

TEST_F(KrakenVenueSim, AnAckLaterThanTheTimeoutIsReconciled) {
  auto& rec = recorder();
  auto o = options();
  o.unknown_outcome_timeout = 300ms;
  auto& venue = start_venue(rec, o);
  ASSERT_TRUE(simulator_->arm_faults("ack_delay=1200ms").ok());
  venue.submit(resting("tk-1"), core::Timestamp{});
  ASSERT_TRUE(
      rec.wait([&] { return venue.stats().timeouts >= 1 && venue.stats().reconciles >= 1; }));
  ASSERT_TRUE(rec.wait([&] { return rec.has_status("tk-1", OrderStatus::kNew); }));
  // The late ack arrives and changes nothing.
  ASSERT_TRUE(rec.wait([&] { return venue.stats().late_answers >= 1; }));
  EXPECT_GE(metric("tg4_venue_errors_total", {{"code", "timeout"}}), 1.0);
  EXPECT_EQ(venue.stats().orders_sent, 1u);
  EXPECT_EQ(open_at_exchange("tk-1"), 1);
  auto lock = rec.lock();
  EXPECT_FALSE(rec.has_status("tk-1", OrderStatus::kRejected));
  EXPECT_EQ(rec.last_status("tk-1"), OrderStatus::kNew);
}

TEST_F(KrakenVenueSim, ADroppedConnectionWithAnOrderInFlightEndsInItsTrueState) {
  auto& rec = recorder();
  auto& venue = start_venue(rec);
  // The simulator places the order, then drops the connection before answering.
  ASSERT_TRUE(simulator_->arm_faults("drop_before_ack=2").ok());
  venue.submit(resting("tx-1"), core::Timestamp{});
  ASSERT_TRUE(rec.wait([&] { return rec.has_status("tx-1", OrderStatus::kNew); }))
      << "the reconnect snapshot lists the order";
  EXPECT_EQ(venue.stats().orders_sent, 1u) << "never sent twice";
  EXPECT_EQ(open_at_exchange("tx-1"), 1);
  // A market order in flight fills while the connection is down: its fill comes from the snapshot.
  ASSERT_TRUE(rec.wait([&] { return venue.stats().up; }));
  venue.submit(market("tx-2"), core::Timestamp{});
  ASSERT_TRUE(rec.wait([&] { return rec.last_status("tx-2") == OrderStatus::kFilled; }));
  EXPECT_EQ(venue.stats().orders_sent, 2u);
  EXPECT_GE(venue.stats().reconnects, 2u);
  auto lock = rec.lock();
  Decimal filled;
  for (const auto& f : rec.fills("tx-2")) filled = filled + f.qty;
  EXPECT_EQ(filled, Decimal::must("0.001")) << "each fill once";
  lock.unlock();
  const auto count = [&](bool connected) {
    const auto states = rec.states();
    return std::count_if(states.begin(), states.end(), [&](const core::FeedState& s) {
      return s.source == "private" && s.connected == connected;
    });
  };
  EXPECT_TRUE(rec.wait([&] { return count(false) >= 2 && count(true) >= 3; }))
      << "private: up, down, up, down, up";
}

// An order of ours filled while TG4 was away, and so many fills followed that Kraken's reconnect
// snapshot (its last 50) no longer shows it: REST QueryOrders settles it, its fill and fee included.
// Another session of the account (a second program, the website) acts while this one is away.
TEST_F(KrakenVenueSim, AnOrderThatFilledWhileAwayBeyondTheSnapshotIsSettledByQueryOrders) {
  auto& rec = recorder();
  KrakenVenueOptions away = options();
  // Away 4-8 s after the drop: the other session needs well under a second for what follows.
  away.reconnect_backoff = net::BackoffOptions{8000ms, 8000ms, 2.0};
  auto& venue = start_venue(rec, away);
  venue.submit(resting("tq-1"), core::Timestamp{});
  ASSERT_TRUE(rec.wait([&] { return rec.has_status("tq-1", OrderStatus::kNew); }));
  auto& other_rec = recorder();
  auto& other = start_venue(other_rec);
  ASSERT_TRUE(simulator_->arm_faults("drop_before_ack=1").ok());
  venue.submit(resting("tq-2", "0.001", "29000"), core::Timestamp{});  // placed, then the line drops
  ASSERT_TRUE(rec.wait([&] { return !venue.stats().up; })) << "the session dropped";

  other.amend(resting("tq-1"), Decimal::must("0.001"), Decimal::must("90000"), core::Timestamp{});
  ASSERT_TRUE(other_rec.wait([&] { return open_at_exchange("tq-1") == 0; })) << "tq-1 filled at Kraken";
  for (int i = 0; i < 50; ++i) other.submit(market("tb-" + std::to_string(i)), core::Timestamp{});
  ASSERT_TRUE(other_rec.wait([&] { return other_rec.has_status("tb-49", OrderStatus::kFilled); }));
  ASSERT_FALSE(venue.stats().up) << "still away: the test's premise";

  ASSERT_TRUE(rec.wait([&] { return rec.last_status("tq-1") == OrderStatus::kFilled; }, 30s))
      << "settled after the reconnect";
  auto lock = rec.lock();
  const auto fills = rec.fills("tq-1");
  ASSERT_EQ(fills.size(), 1u);
  EXPECT_EQ(fills[0].exec_id.rfind("catchup:", 0), 0u) << fills[0].exec_id;
  EXPECT_EQ(fills[0].qty, Decimal::must("0.001"));
  EXPECT_GT(fills[0].price, Decimal::from_int(1000));
  EXPECT_EQ(fills[0].fee_currency, "USDT");
  EXPECT_TRUE(fills[0].fee.is_positive()) << "Kraken's fee, from QueryOrders";
  const auto updates = rec.updates("tq-1");
  ASSERT_GE(updates.size(), 2u);
  EXPECT_EQ(updates[updates.size() - 2].status, OrderStatus::kCanceled) << "written off first";
  EXPECT_NE(updates.back().reason.find("QueryOrders"), std::string::npos) << updates.back().reason;
  lock.unlock();
  EXPECT_EQ(venue.stats().fill_repairs.verified_closes, 1u);
  EXPECT_EQ(venue.stats().fill_repairs.unverified_closes, 0u);
  EXPECT_EQ(metric("tg4_venue_fill_repairs_total", {{"kind", "verified_close"}}), 1.0);
  // Reconciliation hears that this snapshot's fill list is Kraken's last 50, maybe not all of them.
  auto answer = std::make_shared<std::optional<core::Result<execution::VenueSnapshot>>>();
  venue.request_snapshot([answer, &rec](core::Result<execution::VenueSnapshot> s) {
    auto guard = rec.lock();
    *answer = std::move(s);
  });
  ASSERT_TRUE(rec.wait([&] { return answer->has_value(); }, 10s));
  auto guard = rec.lock();
  ASSERT_TRUE((*answer)->ok()) << (*answer)->error().message;
  EXPECT_FALSE((*answer)->value().fills_complete);
}

// A restart: the order was placed by the previous run, filled while no TG4 ran, and 50 fills
// followed. The new run's venue is handed the order as the kernel restores it, treats it as its own,
// and settles it with QueryOrders, fee included (before, it was someone else's order to the venue,
// and reconciliation could only write it off).
TEST_F(KrakenVenueSim, AnOrderOfThePreviousRunThatFilledWhileDownIsSettledWithItsFee) {
  auto& first_rec = recorder();
  auto& first = start_venue(first_rec);
  first.submit(resting("tr-1"), core::Timestamp{});
  ASSERT_TRUE(first_rec.wait([&] { return first_rec.has_status("tr-1", OrderStatus::kNew); }));
  const std::string kraken_id = first_rec.updates("tr-1").back().venue_order_id;
  ASSERT_FALSE(kraken_id.empty());
  first.stop();  // TG4 down; the order rests at Kraken

  auto& other_rec = recorder();
  auto& other = start_venue(other_rec);
  other.amend(resting("tr-1"), Decimal::must("0.001"), Decimal::must("90000"), core::Timestamp{});
  ASSERT_TRUE(other_rec.wait([&] { return open_at_exchange("tr-1") == 0; })) << "tr-1 filled";
  for (int i = 0; i < 50; ++i) other.submit(market("tr-b" + std::to_string(i)), core::Timestamp{});
  ASSERT_TRUE(other_rec.wait([&] { return other_rec.has_status("tr-b49", OrderStatus::kFilled); }));

  execution::RestoredOrder restored;
  restored.request = resting("tr-1");
  restored.venue_order_id = kraken_id;
  restored.status = OrderStatus::kNew;
  auto& rec = recorder();
  auto& venue = start_venue(rec, options(), {restored});
  ASSERT_TRUE(rec.wait([&] { return rec.last_status("tr-1") == OrderStatus::kFilled; }, 30s))
      << "settled after the restart";
  auto lock = rec.lock();
  const auto fills = rec.fills("tr-1");
  ASSERT_EQ(fills.size(), 1u);
  EXPECT_EQ(fills[0].exec_id.rfind("catchup:", 0), 0u) << fills[0].exec_id;
  EXPECT_EQ(fills[0].qty, Decimal::must("0.001"));
  EXPECT_EQ(fills[0].fee_currency, "USDT");
  EXPECT_TRUE(fills[0].fee.is_positive()) << "Kraken's fee, from QueryOrders";
  EXPECT_NE(rec.updates("tr-1").back().reason.find("QueryOrders"), std::string::npos);
  lock.unlock();
  EXPECT_EQ(venue.stats().fill_repairs.verified_closes, 1u);
}

// QueryOrders as the venue reads it: an open order's totals, and an id Kraken does not know named
// in the error.
TEST_F(KrakenVenueSim, QueryOrdersReadsAnOrderAndNamesAnUnknownOne) {
  auto& rec = recorder();
  auto& venue = start_venue(rec);
  venue.submit(resting("tqo-1"), core::Timestamp{});
  ASSERT_TRUE(rec.wait([&] { return rec.has_status("tqo-1", OrderStatus::kNew); }));
  const std::string order_id = rec.updates("tqo-1").back().venue_order_id;
  ASSERT_FALSE(order_id.empty());
  RestOptions ro;
  ro.base_url = simulator_->rest_url();
  ro.api_key = simulator_->options().api_key;
  ro.api_secret = simulator_->options().api_secret;
  RestClient rest(ro, log_);
  auto orders = rest.query_orders({order_id});
  ASSERT_TRUE(orders.ok()) << orders.error().message;
  ASSERT_EQ(orders->size(), 1u);
  const RestOrder& o = orders->front();
  EXPECT_EQ(o.order_id, order_id);
  EXPECT_EQ(o.cl_ord_id, "tqo-1");
  EXPECT_EQ(o.status, "open");
  EXPECT_EQ(o.vol, Decimal::must("0.001"));
  EXPECT_TRUE(o.vol_exec.is_zero());
  const auto unknown = rest.query_orders({"OXXXXX-XXXXX-XXXXXX"});
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.error().message.find("EOrder:Invalid order"), std::string::npos) << unknown.error().message;
}

TEST_F(KrakenVenueSim, RateLimitAnswersAreRetriedAfterABackoff) {
  auto& rec = recorder();
  auto& venue = start_venue(rec);
  ASSERT_TRUE(simulator_->arm_faults("order_rate_limit=2").ok());
  venue.submit(resting("tl-9"), core::Timestamp{});
  ASSERT_TRUE(rec.wait([&] { return rec.has_status("tl-9", OrderStatus::kNew); }));
  const auto stats = venue.stats();
  EXPECT_EQ(stats.rate_limited, 2u);
  EXPECT_EQ(stats.retries, 2u);
  EXPECT_EQ(stats.orders_sent, 3u) << "the same add_order, refused twice";
  EXPECT_EQ(open_at_exchange("tl-9"), 1) << "and placed once";
  EXPECT_EQ(metric("tg4_venue_rate_limited_total", {}), 2.0);
}

TEST_F(KrakenVenueSim, SnapshotHasOpenOrdersRecentFillsAndBalances) {
  auto& rec = recorder();
  auto& venue = start_venue(rec);
  venue.submit(market("ts-1"), core::Timestamp{});
  venue.submit(resting("ts-2"), core::Timestamp{});
  ASSERT_TRUE(rec.wait([&] {
    return rec.last_status("ts-1") == OrderStatus::kFilled &&
           rec.has_status("ts-2", OrderStatus::kNew);
  }));
  // Shared with the callback, which outlives this test body if the wait gives up.
  struct Answer {
    std::optional<core::Result<execution::VenueSnapshot>> got;
  };
  auto answer = std::make_shared<Answer>();
  venue.request_snapshot([answer, &rec](core::Result<execution::VenueSnapshot> s) {
    auto lock = rec.lock();
    answer->got = std::move(s);
  });
  ASSERT_TRUE(rec.wait([&] { return answer->got.has_value(); }, 10s));
  auto lock = rec.lock();
  const auto& got = answer->got;
  ASSERT_TRUE(got->ok()) << got->error().message;
  const auto& snap = got->value();
  ASSERT_EQ(snap.open_orders.size(), 1u);
  EXPECT_EQ(snap.open_orders[0].client_order_id, "ts-2");
  EXPECT_EQ(snap.open_orders[0].status, OrderStatus::kNew);
  EXPECT_TRUE(std::any_of(snap.recent_fills.begin(), snap.recent_fills.end(),
                          [](const core::Fill& f) { return f.client_order_id == "ts-1"; }));
  EXPECT_TRUE(snap.balances.count("USDT") > 0);
  EXPECT_TRUE(snap.balances.count("BTC") > 0);
  EXPECT_TRUE(snap.fills_complete) << "fewer than Kraken's 50: every fill since is listed";
  EXPECT_GE(venue.stats().reconciles, 1u);
}

// Spot OCO at Kraken: the coins of a resting stop are locked, so the order manager holds the
// take-profit itself. Here the target is below the market, so the first price triggers it: the stop
// is canceled at the simulator, and only after that is confirmed does the market sell go out (sent
// earlier it would be refused for insufficient funds).
// An order manager on the venue, fed the venue's events as a kernel would (from the test's thread).
struct ManagerOnVenue {
  ManagerOnVenue(KrakenVenue& venue, Recorder& rec, const core::InstrumentRegistry& instruments,
                 execution::OrderManagerConfig config = {})
      : rec_(rec),
        manager(
            venue, instruments, [this] { return "oco-" + std::to_string(++ids_); }, config,
            [this](const execution::ManagedOrder& o) { changes.push_back(o); },
            [this](const std::string& p) { problems.push_back(p); }) {}

  // Feeds the venue's events until `done`, for 15 s at most. With `fits_protection`, after each
  // fill the position it leaves is handed to fit_protection, as the pipeline does.
  bool pump_until(const std::function<bool()>& done) {
    const auto deadline = std::chrono::steady_clock::now() + 15s;
    while (std::chrono::steady_clock::now() < deadline) {
      for (const auto& e : rec_.take_new(cursor_)) {
        manager.on_execution(e, core::Timestamp{});
        const auto* fill = std::get_if<core::Fill>(&e);
        if (fill == nullptr || !fits_protection) continue;
        Decimal& held = positions[fill->symbol];
        held = fill->side == core::Side::kBuy ? held + fill->qty : held - fill->qty;
        manager.fit_protection(fill->symbol, held, core::Timestamp{});
      }
      if (done()) return true;
      rec_.wait([&] { return rec_.size() > cursor_; }, 200ms);
    }
    return false;
  }
  OrderStatus status(const std::string& id) const { return manager.find(id)->status; }
  // Every state change of every order, then every problem said: what a failed chaos run needs.
  std::string history() const {
    std::string text;
    for (const execution::ManagedOrder& o : changes) {
      text += fmt::format("{} {} of {}: {} {} filled {}{} {}\n", o.request.client_order_id,
                          execution::to_string(o.role), o.group, core::to_string(o.status),
                          o.request.qty.to_string(), o.filled.to_string(),
                          o.held_locally ? " (held)" : "", o.reason);
    }
    for (const std::string& p : problems) text += "problem: " + p + "\n";
    return text;
  }

 private:
  Recorder& rec_;
  int ids_ = 0;
  std::size_t cursor_ = 0;

 public:
  execution::OrderManager manager;
  std::vector<execution::ManagedOrder> changes;
  std::vector<std::string> problems;
  bool fits_protection = false;
  std::map<std::string, Decimal> positions;  // by symbol, from the fills (with fits_protection)
};

// A buy with a stop far below the market and a target below it too: the next price triggers it.
core::OrderIntent entry_with_target_below(const std::string& intent_id) {
  core::OrderIntent entry;
  entry.intent_id = intent_id;
  entry.symbol = kSymbol;
  entry.side = core::Side::kBuy;
  entry.stop_loss = Decimal::from_int(30000);
  entry.take_profit = Decimal::from_int(1000);
  return entry;
}

TEST_F(KrakenVenueSim, AHeldTakeProfitCancelsTheStopThenSellsAtMarket) {
  auto& rec = recorder();
  auto& venue = start_venue(rec);
  ManagerOnVenue m(venue, rec, instruments_);
  auto id = m.manager.submit(entry_with_target_below("held-target"), Decimal::must("0.001"), core::Timestamp{});
  ASSERT_TRUE(id) << id.error().message;
  ASSERT_TRUE(m.pump_until([&] { return m.manager.open_count() == 2; })) << "entry fill and protection";
  ASSERT_EQ(m.status(*id), OrderStatus::kFilled);
  const std::string stop = "oco-2", target = "oco-3";
  ASSERT_TRUE(m.pump_until([&] { return m.status(stop) == OrderStatus::kNew; }));
  EXPECT_TRUE(m.manager.find(target)->held_locally);
  EXPECT_EQ(open_at_exchange(stop), 1);
  EXPECT_EQ(open_at_exchange(target), 0);

  m.manager.on_price(kSymbol, m.manager.find(*id)->avg_price, core::Timestamp{});
  ASSERT_TRUE(m.pump_until([&] { return m.status(target) == OrderStatus::kFilled; }))
      << "target " << core::to_string(m.status(target)) << ", stop " << core::to_string(m.status(stop));
  EXPECT_EQ(m.status(stop), OrderStatus::kCanceled);
  EXPECT_EQ(m.manager.find(target)->filled, Decimal::must("0.001"));
  EXPECT_EQ(m.manager.open_count(), 0u);
  EXPECT_EQ(open_at_exchange(stop), 0);
  for (const auto& c : m.changes) EXPECT_NE(c.status, OrderStatus::kRejected) << c.request.client_order_id << ": " << c.reason;
  EXPECT_TRUE(m.problems.empty()) << m.problems.front();
}

// The same, but Kraken refuses for good to cancel the stop (EGeneral:Permission denied): the target
// cannot go out on coins the stop locks, so it is held again while the stop keeps protecting, and the
// next time the price is there it tries again and sells.
TEST_F(KrakenVenueSim, ATakeProfitWhoseStopKrakenWillNotCancelIsHeldAgain) {
  auto& rec = recorder();
  auto& venue = start_venue(rec);
  ManagerOnVenue m(venue, rec, instruments_);
  auto id = m.manager.submit(entry_with_target_below("held-again"), Decimal::must("0.001"), core::Timestamp{});
  ASSERT_TRUE(id) << id.error().message;
  const std::string stop = "oco-2", target = "oco-3";
  ASSERT_TRUE(m.pump_until([&] { return m.manager.find(stop) != nullptr && m.status(stop) == OrderStatus::kNew; }));
  ASSERT_TRUE(simulator_->arm_faults("reject_cancel=1").ok());

  m.manager.on_price(kSymbol, m.manager.find(*id)->avg_price, core::Timestamp{});
  ASSERT_TRUE(m.pump_until([&] { return !m.problems.empty(); }));
  EXPECT_NE(m.problems[0].find("not sent: the venue refused to cancel stop " + stop), std::string::npos)
      << m.problems[0];
  EXPECT_NE(m.problems[0].find("Permission denied"), std::string::npos) << m.problems[0];
  EXPECT_TRUE(m.manager.find(target)->held_locally);
  EXPECT_FALSE(m.manager.find(target)->triggered);
  EXPECT_EQ(m.status(stop), OrderStatus::kNew);
  EXPECT_EQ(open_at_exchange(stop), 1) << "still protecting";

  m.manager.on_price(kSymbol, m.manager.find(*id)->avg_price, core::Timestamp{});
  ASSERT_TRUE(m.pump_until([&] { return m.status(target) == OrderStatus::kFilled; }));
  EXPECT_EQ(m.status(stop), OrderStatus::kCanceled);
  EXPECT_EQ(m.manager.open_count(), 0u);
}

// A trailing stop on Kraken: the move is an amend_order, and the stop counts as moved once Kraken
// has it (its answer or its executions report), never before.
TEST_F(KrakenVenueSim, ATrailingStopMovesOnceKrakenHasIt) {
  auto& rec = recorder();
  auto& venue = start_venue(rec);
  execution::OrderManagerConfig config;
  config.trailing_stop = true;
  ManagerOnVenue m(venue, rec, instruments_, config);
  core::OrderIntent entry;
  entry.intent_id = "trailed";
  entry.symbol = kSymbol;
  entry.side = core::Side::kBuy;
  entry.stop_loss = Decimal::from_int(30000);
  auto id = m.manager.submit(entry, Decimal::must("0.001"), core::Timestamp{});
  ASSERT_TRUE(id) << id.error().message;
  const std::string stop = "oco-2";
  ASSERT_TRUE(m.pump_until([&] { return m.manager.find(stop) != nullptr && m.status(stop) == OrderStatus::kNew; }));
  // +1.02 %: the trail (on from +1 %) asks for 1.5 % below that, about 0.5 % below the market, so
  // the stop keeps resting.
  const Decimal high = m.manager.find(*id)->avg_price * Decimal::must("1.0102");
  m.manager.on_price(kSymbol, high, core::Timestamp{});
  const Decimal asked = m.manager.find(stop)->trigger_asked;
  ASSERT_TRUE(asked.is_positive()) << "an amend was asked for";
  EXPECT_EQ(asked, instruments_.find(kSymbol)->round_price(high * Decimal::must("0.985")));
  EXPECT_EQ(m.manager.find(stop)->request.trigger_price, Decimal::from_int(30000)) << "not before Kraken has it";
  ASSERT_TRUE(m.pump_until([&] { return m.manager.find(stop)->request.trigger_price == asked; }));
  EXPECT_TRUE(m.manager.find(stop)->trigger_asked.is_zero());
  EXPECT_EQ(m.manager.find(stop)->reason, "trailing stop moved to " + asked.to_string());
  EXPECT_EQ(open_at_exchange(stop), 1);
  EXPECT_TRUE(m.problems.empty()) << m.problems.front();
}

// `tg4 sim --faults drop=...` cuts the private connections too, as Kraken does: the venue comes
// back each time and an order still goes through.
TEST_F(KrakenVenueSim, TheDropFaultCutsThePrivateConnectionAndTheVenueComesBack) {
  ASSERT_NO_FATAL_FAILURE(use_faulty_simulator("drop=400ms"));
  auto& rec = recorder();
  auto& venue = start_venue(rec);
  ASSERT_TRUE(rec.wait([&] { return venue.stats().reconnects >= 2 && venue.stats().up; }));
  venue.submit(resting("td-1"), core::Timestamp{});
  ASSERT_TRUE(rec.wait([&] { return rec.has_status("td-1", OrderStatus::kNew); }));
  EXPECT_EQ(open_at_exchange("td-1"), 1);
}

// What the venue's last report of an order says, against the exchange's status for it.
bool same_state(OrderStatus venue, const std::string& exchange) {
  if (exchange == "open" || exchange == "pending") {
    return venue == OrderStatus::kNew || venue == OrderStatus::kPartiallyFilled;
  }
  if (exchange == "closed") return venue == OrderStatus::kFilled;
  if (exchange == "canceled") return venue == OrderStatus::kCanceled;
  return exchange == "expired" && venue == OrderStatus::kExpired;
}

// The simulator's faults a chaos test picks from before each step ("": none).
const std::vector<std::string> kChaosFaults = {"",
                                               "drop_before_ack=1",
                                               "reject=1",
                                               "order_rate_limit=1",
                                               "ack_delay=300ms",
                                               "reject_cancel=1"};

// A chaos test's random source: `seed`, or TG4_CHAOS_SEED to run another mix by hand.
std::mt19937 chaos_random(unsigned seed) {
  const char* chosen = std::getenv("TG4_CHAOS_SEED");
  return std::mt19937(chosen != nullptr ? std::strtoul(chosen, nullptr, 10) : seed);
}

// Where the venue's last reports of `ids` (read under the recorder's lock, as wait() calls it)
// differ from the exchange's orders: placed twice, reported in another state, other fills.
std::vector<std::string> disagreements(
    const Recorder& rec, const std::vector<std::string>& ids,
    std::map<std::string, std::vector<ExchangeOrder>>& exchange) {
  std::vector<std::string> out;
  for (const std::string& id : ids) {
    const auto& at_exchange = exchange[id];
    const std::string reported =
        core::to_string(rec.last_status(id).value_or(OrderStatus::kPendingNew));
    Decimal filled;
    for (const auto& f : rec.fills(id)) filled = filled + f.qty;
    if (at_exchange.size() > 1) {
      out.push_back(id + ": placed " + std::to_string(at_exchange.size()) + " times");
    } else if (at_exchange.empty()) {
      if (reported != "rejected" && reported != "canceled") {
        out.push_back(id + ": never placed, yet the venue says " + reported);
      }
      if (!filled.is_zero()) out.push_back(id + ": never placed, yet filled " + filled.to_string());
    } else {
      if (!same_state(rec.last_status(id).value_or(OrderStatus::kPendingNew),
                      at_exchange[0].status)) {
        out.push_back(id + ": the venue says " + reported + ", the exchange " +
                      at_exchange[0].status);
      }
      if (filled != at_exchange[0].executed) {
        out.push_back(id + ": the venue's fills add up to " + filled.to_string() +
                      ", the exchange executed " + at_exchange[0].executed.to_string());
      }
    }
  }
  return out;
}

// Chaos: a seeded mix of market orders, resting orders and cancels, each after a random fault of
// the simulator's (the order placed and the connection dropped before its answer, refused, rate
// limited, answered late, a cancel refused). Once the venue has settled and reconciled, its picture
// must be the exchange's: no client id placed twice; an order the exchange never took reported
// rejected or withdrawn with no fill; every other reported in the exchange's state, its fills
// adding up to what the exchange executed; the balances equal.
TEST_F(KrakenVenueSim, ChaosEndsInTheExchangesTrueState) {
  // TG4_CHAOS_DROP=100ms also cuts every connection that long after it opened.
  if (const char* drop = std::getenv("TG4_CHAOS_DROP")) {
    ASSERT_NO_FATAL_FAILURE(use_faulty_simulator(std::string("drop=") + drop));
  }
  auto& rec = recorder();
  auto& venue = start_venue(rec);
  std::mt19937 random = chaos_random(3);
  const std::vector<std::string>& faults = kChaosFaults;
  std::vector<std::string> ids;
  std::vector<std::string> resting_ids;
  for (int i = 0; i < 36; ++i) {
    const std::string& fault = faults[random() % faults.size()];
    if (!fault.empty()) {
      ASSERT_TRUE(simulator_->arm_faults(fault).ok()) << fault;
    }
    const std::string id = "ch-" + std::to_string(i);
    switch (random() % 4) {
      case 0:
        venue.submit(market(id), core::Timestamp{});
        break;
      case 1:
        venue.submit(market(id, "0.001", core::Side::kSell), core::Timestamp{});
        break;
      case 2:
        venue.submit(resting(id), core::Timestamp{});
        resting_ids.push_back(id);
        break;
      default:
        if (!resting_ids.empty())
          venue.cancel(resting_ids[random() % resting_ids.size()], core::Timestamp{});
        continue;
    }
    ids.push_back(id);
    // Half the orders wait for the venue's first word on them; the others go out in bursts, with
    // the cancels that may meet them on the wire.
    if (random() % 2 == 0) {
      ASSERT_TRUE(rec.wait([&] { return !rec.updates(id).empty(); })) << id << " never reported";
    }
  }
  const auto settled = [&] {
    if (!venue.stats().up) return false;
    return std::all_of(ids.begin(), ids.end(), [&](const std::string& id) {
      const auto status = rec.last_status(id);
      return status && *status != OrderStatus::kPendingNew;
    });
  };
  ASSERT_TRUE(rec.wait(settled, 30s)) << "orders still pending at the venue";
  // The exchange's word is final once the venue has settled: the resting orders rest far from the
  // market and the rest have ended.
  std::map<std::string, std::vector<ExchangeOrder>> exchange = exchange_orders();
  std::vector<std::string> differences;
  const auto agree = [&] {
    differences = disagreements(rec, ids, exchange);
    return differences.empty();
  };
  // From what Kraken streamed and its snapshots after reconnecting, then again after a
  // reconciliation asked for by the kernel.
  EXPECT_TRUE(rec.wait(agree, 10s)) << differences.front();
  auto answer = std::make_shared<std::optional<core::Result<execution::VenueSnapshot>>>();
  venue.request_snapshot([answer, &rec](core::Result<execution::VenueSnapshot> s) {
    auto lock = rec.lock();
    *answer = std::move(s);
  });
  ASSERT_TRUE(rec.wait([&] { return answer->has_value(); }, 20s)) << "no reconciliation";
  EXPECT_TRUE(rec.wait(agree, 10s)) << differences.front();

  // The chaos happened: else this test would prove nothing.
  std::map<std::string, int> exchange_states;  // "never" for the orders it never took
  for (const std::string& id : ids) {
    ++exchange_states[exchange[id].empty() ? std::string("never") : exchange[id][0].status];
  }
  for (const char* state : {"never", "open", "closed", "canceled"}) {
    EXPECT_GE(exchange_states[state], 1) << "no order ended " << state;
  }
  EXPECT_GE(venue.stats().reconnects, 1u);
  EXPECT_GE(venue.stats().rate_limited, 1u);
  const auto balances =
      boost::json::parse(exchange_says("Balance")).as_object().at("result").as_object();
  for (const char* asset : {"USDT", "BTC"}) {
    const auto* kraken_name = balances.if_contains(std::string(asset) == "BTC" ? "XXBT" : "USDT");
    ASSERT_NE(kraken_name, nullptr) << asset << " in " << boost::json::serialize(balances);
    const Decimal truth = Decimal::must(std::string_view(kraken_name->as_string()));
    EXPECT_TRUE(rec.wait([&] { return rec.last_balance(asset) == truth; }))
        << asset << ": the exchange holds " << truth << ", the venue last said "
        << rec.last_balance(asset).value_or(Decimal::from_int(-1));
  }
}

// `tg4 sim --faults stall=N` leaves a private connection open and silent, as a half-dead peer does
// (nothing read, nothing sent, not even heartbeats): the venue notices within its message deadline
// and replaces the session, again and again, and its picture stays the exchange's. An order placed
// before is still open; one sent into whichever session is there ends placed or reported rejected,
// as the exchange has it.
TEST_F(KrakenVenueSim, AStalledPrivateSessionIsReplacedAndNothingIsLost) {
  ASSERT_NO_FATAL_FAILURE(use_faulty_simulator("stall=800ms"));
  KrakenVenueOptions o = options();
  o.message_deadline = 1500ms;
  auto& rec = recorder();
  auto& venue = start_venue(rec, o);
  venue.submit(resting("st-1"), core::Timestamp{});
  ASSERT_TRUE(rec.wait([&] { return rec.has_status("st-1", OrderStatus::kNew); }));
  ASSERT_TRUE(rec.wait([&] { return venue.stats().reconnects >= 1; }, 10s))
      << "the stall was never noticed";
  venue.submit(resting("st-2"), core::Timestamp{});
  ASSERT_TRUE(rec.wait(
      [&] {
        const auto status = rec.last_status("st-2");
        return venue.stats().reconnects >= 3 && venue.stats().up && status &&
               *status != OrderStatus::kPendingNew;
      },
      30s));
  std::map<std::string, std::vector<ExchangeOrder>> exchange = exchange_orders();
  const std::vector<std::string> ids{"st-1", "st-2"};
  std::vector<std::string> differences;
  EXPECT_TRUE(rec.wait(
      [&] {
        differences = disagreements(rec, ids, exchange);
        return differences.empty();
      },
      10s))
      << differences.front();
  ASSERT_EQ(exchange["st-1"].size(), 1u);
  EXPECT_EQ(exchange["st-1"][0].status, "open");
  EXPECT_GE(metric("tg4_sim_faults_injected_total", {{"fault", "stall"}}, &faulty_sim_registry_),
            3.0)
      << "a stall per session";
}

// Protection under faults, as a session keeps it: entries with a stop far below and a target far
// above, and exits of part of the position, through an order manager on the venue (fed its events,
// fitting the protection to the position after each fill as the pipeline does), each after a
// random fault of the simulator's. Once everything has settled, the stops resting at the exchange
// cover exactly the coins held: no position without its stop, no stop for coins already sold.
// Seeds 7 and 23 are mixes that failed before 2026-11-29: a held exit let out by another stop's
// loss, two exits freeing the same coins, put-backs counted as replacements (7: the stops covered
// more than held; 23: an exit held for ever).
class KrakenVenueSimStopsChaos : public KrakenVenueSim,
                                 public ::testing::WithParamInterface<unsigned> {};

INSTANTIATE_TEST_SUITE_P(Seeds, KrakenVenueSimStopsChaos, ::testing::Values(11u, 7u, 23u));

TEST_P(KrakenVenueSimStopsChaos, KeepsEveryCoinHeldCoveredByItsStop) {
  auto& rec = recorder();
  auto& venue = start_venue(rec);
  execution::OrderManagerConfig config;
  ManagerOnVenue m(venue, rec, instruments_, config);
  m.fits_protection = true;
  std::mt19937 random = chaos_random(GetParam());
  const std::vector<std::string>& faults = kChaosFaults;
  std::set<std::string> ids;
  for (int i = 0; i < 24; ++i) {
    const std::string& fault = faults[random() % faults.size()];
    if (!fault.empty()) {
      ASSERT_TRUE(simulator_->arm_faults(fault).ok()) << fault;
    }
    core::OrderIntent intent;
    intent.intent_id = "chaos-" + std::to_string(i);
    intent.symbol = kSymbol;
    intent.type = core::OrderType::kMarket;
    if (m.positions[kSymbol] < Decimal::must("0.002") || random() % 3 != 0) {
      intent.side = core::Side::kBuy;
      intent.stop_loss = Decimal::from_int(30000);
      intent.take_profit = Decimal::from_int(1'000'000);
    } else {
      intent.side = core::Side::kSell;
      intent.reduce_only = true;
    }
    const auto id = m.manager.submit(intent, Decimal::must("0.001"), core::Timestamp{});
    ASSERT_TRUE(id) << id.error().message;
    ids.insert(*id);
    ASSERT_TRUE(m.pump_until([&] { return m.status(*id) != OrderStatus::kPendingNew; }))
        << *id << " never answered";
  }
  // Settled: every entry and exit has ended, and no stop or target is still being asked for.
  const auto settled = [&] {
    for (const auto& change : m.changes) ids.insert(change.request.client_order_id);
    return venue.stats().up && std::all_of(ids.begin(), ids.end(), [&](const std::string& id) {
             const execution::ManagedOrder& o = *m.manager.find(id);
             const bool protective = o.role == execution::OrderRole::kStopLoss ||
                                     o.role == execution::OrderRole::kTakeProfit;
             return o.status != OrderStatus::kPendingNew &&
                    (protective || core::is_terminal(o.status));
           });
  };
  ASSERT_TRUE(m.pump_until(settled)) << "orders still on their way\n" << m.history();
  Decimal covered;
  for (const auto& [id, orders] : exchange_orders(false)) {
    for (const ExchangeOrder& o : orders) {
      if (o.type == "stop-loss") covered = covered + (o.qty - o.executed);
    }
  }
  EXPECT_EQ(covered, m.positions[kSymbol])
      << "the stops at the exchange against the coins the fills left\n"
      << m.history();
  EXPECT_TRUE(m.positions[kSymbol].is_positive()) << "the mix ended flat: nothing was covered";
  EXPECT_GE(venue.stats().reconnects, 1u);
}

}  // namespace
}  // namespace tg4::kraken
