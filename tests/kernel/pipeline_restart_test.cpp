// A pipeline killed with open orders and a position continues exactly after a restart: the store's
// record (every row the first pipeline emitted, written to a real SQLite file) is all the second
// one gets, and its OCO pair still works.
#include <gtest/gtest.h>
#include <prometheus/registry.h>
#include <unistd.h>

#include <filesystem>
#include <map>

#include "core/ids.hpp"
#include "execution/portfolio_state.hpp"
#include "kernel/account_restore.hpp"
#include "kernel/pipeline.hpp"
#include "pipeline_trades.hpp"
#include "risk/state_json.hpp"
#include "storage/batch.hpp"
#include "storage/store.hpp"

namespace tg4::kernel {
namespace {

using core::Decimal;
using namespace core::literals;
using namespace std::chrono_literals;

using testing::kStart;

// Buys BTC once, on the first trade, with a stop and a target.
class BuyOnce final : public strategy::Strategy {
 public:
  BuyOnce() : Strategy(strategy::Params{}) {}
  std::string_view name() const override { return "buy_once"; }
  void on_trade(strategy::StrategyContext& ctx, const core::Trade& trade) override {
    if (done_) return;
    done_ = true;
    core::OrderIntent intent;
    intent.symbol = trade.symbol;
    intent.side = core::Side::kBuy;
    intent.entry = trade.price;
    intent.size_quote = 500_d;
    intent.stop_loss = trade.price * 0.98_d;
    intent.take_profit = trade.price * 1.04_d;
    intent.regime = "trending";
    ctx.submit(intent);
  }

 private:
  bool done_ = false;
};

// Shorts BTC once with a limit sell 1 % above the market at leverage 3 (the "trending" cap), which
// rests at the paper venue until the market rises to it. Inactive: a restarted session only continues.
class ShortLimitOnce final : public strategy::Strategy {
 public:
  explicit ShortLimitOnce(bool active) : Strategy(strategy::Params{}), done_(!active) {}
  std::string_view name() const override { return "short_limit_once"; }
  void on_trade(strategy::StrategyContext& ctx, const core::Trade& trade) override {
    if (done_) return;
    done_ = true;
    core::OrderIntent intent = testing::short_intent(trade.symbol, trade.price * 1.01_d, 3_d, "trending");
    intent.type = core::OrderType::kLimit;
    intent.limit_price = intent.entry;
    ctx.submit(intent);
  }

 private:
  bool done_;
};

struct Session {
  explicit Session(const std::string& id,
                   std::unique_ptr<strategy::Strategy> strategy = std::make_unique<BuyOnce>(),
                   bool margin = false, bool trailing_stop = false,
                   prometheus::Registry* registry = nullptr)
      : clock(kStart), kernel(clock) {
    PipelineOptions options;
    options.orders.trailing_stop = trailing_stop;
    options.scope = {id, "paper"};
    options.symbols = {"BTC/USDT"};
    options.reconcile_interval = 0s;
    options.paper.margin = margin;
    PipelineOutputs outputs;
    outputs.record = [this](storage::Row row) { rows.add(std::move(row)); };
    outputs.strategy = std::move(strategy);
    outputs.registry = registry;
    pipeline = Pipeline::create(kernel, options, std::move(outputs)).value();
  }
  void begin(RestoredAccount account = {}) { testing::start_pipeline(kernel, *pipeline, std::move(account)); }
  void trade(Decimal price, core::Duration at) { testing::post_trade(kernel, price, 0.5_d, kStart + at, ++trade_id); }

  core::SimulatedClock clock;
  Kernel kernel;
  std::unique_ptr<Pipeline> pipeline;
  storage::Batch rows;
  std::int64_t trade_id = 0;
};

std::unique_ptr<storage::Store> store_with(const storage::Batch& rows, const std::string& session,
                                           const std::string& mode = "paper") {
  // One file per test process: ctest runs the tests of this file in parallel.
  const auto path = std::filesystem::path(::testing::TempDir()) /
                    ("pipeline_restart-" + std::to_string(::getpid()) + ".db");
  std::filesystem::remove(path);
  auto store = storage::open_store("sqlite:" + path.string());
  EXPECT_TRUE(store) << store.error().message;
  storage::Batch batch = rows;
  storage::SessionRow row;
  row.session_id = session;
  row.mode = mode;
  row.started = kStart;
  row.status = "running";  // killed: never marked stopped
  batch.add(row);
  EXPECT_TRUE((*store)->write(batch));
  return std::move(*store);
}

agents::RegimeReading regime_reading(const std::string& symbol, agents::MarketRegime regime,
                                     core::Duration at, bool by_models) {
  agents::RegimeReading r;
  r.symbol = symbol;
  r.regime = regime;
  r.confidence = 0.8;
  r.strictness = risk::Strictness::kStrict;
  r.source = by_models ? "llm 3 of 4" : "rules";
  r.by_models = by_models;
  r.time = kStart + at;
  return r;
}

// A restart carries each symbol's regime over: the one in force when the last session stopped, i.e.
// its newest regime change (a models' run that changed nothing is not one). A row that no longer
// parses is said, not fatal.
TEST(PipelineRestart, TheRegimeInForceIsCarriedOver) {
  storage::Batch rows;
  const RecordScope s1{"s1", "paper"};
  int id = 0;  // the writer names rows; written here directly, they need their own names
  const auto add = [&](const agents::RegimeReading& reading, bool changed) {
    for (storage::DecisionRow& row : regime_rows(reading, s1, changed)) {
      row.decision_id = "d" + std::to_string(++id);
      rows.add(std::move(row));
    }
  };
  add(regime_reading("BTC/USDT", agents::MarketRegime::kRanging, 1min, false), true);
  add(regime_reading("BTC/USDT", agents::MarketRegime::kTrendingBull, 20min, false), true);
  add(regime_reading("BTC/USDT", agents::MarketRegime::kChoppy, 25min, true),
      false);  // a candidate only
  add(regime_reading("XRP/USDT", agents::MarketRegime::kTrendingBear, 5min, true), true);
  storage::DecisionRow broken =
      regime_rows(regime_reading("XRP/BTC", agents::MarketRegime::kRanging, 6min, false), s1, true)
          .back();
  broken.action = "sideways";
  broken.decision_id = "broken";
  rows.add(broken);
  const auto store = store_with(rows, "s1");
  auto account = load_account(*store, "paper", "s2");
  ASSERT_TRUE(account) << account.error().message;
  ASSERT_EQ(account->regimes.size(), 2u);
  const agents::RegimeReading& btc = account->regimes.at("BTC/USDT");
  EXPECT_EQ(btc.regime, agents::MarketRegime::kTrendingBull);
  EXPECT_EQ(btc.time, kStart + 20min);
  EXPECT_EQ(btc.strictness, risk::Strictness::kStrict);
  EXPECT_EQ(account->regimes.at("XRP/USDT").regime, agents::MarketRegime::kTrendingBear);
  EXPECT_TRUE(account->regimes.at("XRP/USDT").by_models);
  ASSERT_EQ(account->regime_problems.size(), 1u);
  EXPECT_NE(
      account->regime_problems[0].find("regime row broken of XRP/BTC at 2026-01-01T00:06:00Z"),
      std::string::npos)
      << account->regime_problems[0];
  EXPECT_NE(account->regime_problems[0].find("sideways"), std::string::npos)
      << account->regime_problems[0];
}

TEST(PipelineRestart, ContinuesPositionsOrdersAndOcoFromTheStore) {
  Session first("s1");
  first.begin();
  first.trade(50000_d, 1s);
  first.trade(50000_d, 2s);  // the market entry fills here, then stop and target rest
  first.trade(50010_d, 3s);
  const auto open_before = first.pipeline->orders().open_orders();
  ASSERT_EQ(open_before.size(), 2u) << "stop and target";
  const Decimal btc = first.pipeline->portfolio().balance("BTC");
  ASSERT_TRUE(btc.is_positive());
  // kill -9: nothing more happens to `first`; only its rows survive.

  const auto store = store_with(first.rows, "s1");
  auto account = load_account(*store, "paper", "s2");
  ASSERT_TRUE(account) << account.error().message;
  EXPECT_EQ(account->from_session, "s1");
  ASSERT_EQ(account->open_orders.size(), 2u);
  const std::string group = account->open_orders[0].group;
  ASSERT_EQ(account->entry_prices.count(group), 1u) << "the entry's price, for its trailing stop";
  EXPECT_EQ(account->entry_prices.at(group), first.pipeline->orders().find(group)->avg_price);

  Session second("s2");
  second.begin(std::move(*account));
  EXPECT_FALSE(second.pipeline->summary().reconciling);
  EXPECT_EQ(second.pipeline->portfolio().balances(), first.pipeline->portfolio().balances());
  EXPECT_EQ(second.pipeline->risk_state().peak_equity, first.pipeline->risk_state().peak_equity);
  const auto open_after = second.pipeline->orders().open_orders();
  ASSERT_EQ(open_after.size(), 2u);
  for (std::size_t i = 0; i < open_after.size(); ++i) {
    EXPECT_EQ(open_after[i]->request.client_order_id, open_before[i]->request.client_order_id);
    EXPECT_EQ(open_after[i]->role, open_before[i]->role);
    EXPECT_EQ(open_after[i]->group, open_before[i]->group);
  }

  // The target fills at the restored paper venue; its OCO sibling (the stop) is canceled.
  second.trade(52100_d, 10s);
  second.trade(52100_d, 11s);
  EXPECT_TRUE(second.pipeline->orders().open_orders().empty());

  EXPECT_EQ(second.pipeline->portfolio().balance("BTC"), Decimal{});
  // New ids continue after the restored ones: no client id is ever reused.
  for (const auto& [id, order] : second.pipeline->orders().orders()) {
    EXPECT_EQ(std::count_if(first.pipeline->orders().orders().begin(), first.pipeline->orders().orders().end(),
                            [&id = id](const auto& kv) { return kv.first == id; }),
              open_before[0]->request.client_order_id == id || open_before[1]->request.client_order_id == id ? 1 : 0)
        << id;
  }
}

double orders_open_gauge(prometheus::Registry& registry, const std::string& name) {
  for (const auto& family : registry.Collect()) {
    if (family.name == name && !family.metric.empty()) return family.metric.at(0).gauge.value;
  }
  return -1;
}

// tg4_orders_open counts the orders restored from the store (audit finding 6), and follows them
// when they end.
TEST(PipelineRestart, OpenOrdersGaugeCountsRestoredOrders) {
  Session first("s1");
  first.begin();
  first.trade(50000_d, 1s);
  first.trade(50000_d, 2s);
  first.trade(50010_d, 3s);
  ASSERT_EQ(first.pipeline->orders().open_orders().size(), 2u) << "stop and target";
  const auto store = store_with(first.rows, "s1");
  auto account = load_account(*store, "paper", "s2");
  ASSERT_TRUE(account) << account.error().message;

  prometheus::Registry registry;
  Session second("s2", std::make_unique<ShortLimitOnce>(false), false, false, &registry);
  second.begin(std::move(*account));
  second.trade(50010_d, 4s);  // a tick
  EXPECT_EQ(orders_open_gauge(registry, "tg4_orders_open"), 2.0);
  second.trade(52100_d, 10s);  // the target fills, the stop is canceled
  second.trade(52100_d, 11s);
  ASSERT_TRUE(second.pipeline->orders().open_orders().empty());
  EXPECT_EQ(orders_open_gauge(registry, "tg4_orders_open"), 0.0);
}

// orders.fees is the sum of the order's fills' fees (storage audit D4: always 0), and a restart
// reads it back with the order.
TEST(PipelineRecords, AnOrdersRowCarriesTheFeesOfItsFills) {
  Session first("s1");
  first.begin();
  first.trade(50000_d, 1s);
  first.trade(50000_d, 2s);  // the market entry fills here, then stop and target rest
  first.trade(50010_d, 3s);
  std::map<std::string, Decimal> fees;  // by client order id, from the fill rows
  for (const storage::FillRow& row : first.rows.rows<storage::FillRow>())
    fees[row.fill.client_order_id] += row.fill.fee;
  ASSERT_FALSE(fees.empty());
  std::map<std::string, storage::OrderRow> last;  // the newest row of each order
  for (const storage::OrderRow& row : first.rows.rows<storage::OrderRow>())
    last[row.client_order_id] = row;
  for (const auto& [id, fee] : fees) {
    ASSERT_TRUE(fee.is_positive()) << id;
    ASSERT_EQ(last.count(id), 1u) << id;
    EXPECT_EQ(last.at(id).fees, fee) << id;
    EXPECT_EQ(first.pipeline->orders().find(id)->fees, fee) << id;
  }
  for (const auto& [id, row] : last) {
    if (!fees.contains(id)) {
      EXPECT_EQ(row.fees, Decimal{}) << id << " has no fill";
    }
  }

  const auto store = store_with(first.rows, "s1");
  auto stored = store->orders(storage::OrderQuery{{"s1", "paper"}, "", false, 100});
  ASSERT_TRUE(stored);
  for (const storage::OrderRow& row : *stored)
    EXPECT_EQ(row.fees, fees[row.client_order_id]) << row.client_order_id;
}

// A margin short resting at the paper venue keeps its leverage across the store: the restarted paper
// venue fills it at leverage 3 (not 1, which would hold three times the margin), and its stop and
// target carry it too.
// execution.trailing_stop: the restarted session trails the stop of the position it continues.
TEST(PipelineRestart, ATrailingStopKeepsTrailingAfterARestart) {
  Session first("s1", std::make_unique<BuyOnce>(), false, true);
  first.begin();
  first.trade(50000_d, 1s);
  first.trade(50000_d, 2s);  // the entry fills: stop at 2 % below, target at 4 % above
  const auto store = store_with(first.rows, "s1");
  auto account = load_account(*store, "paper", "s2");
  ASSERT_TRUE(account) << account.error().message;
  Session second("s2", std::make_unique<BuyOnce>(), false, true);
  second.begin(std::move(*account));
  const auto stop = [&]() -> const execution::ManagedOrder* {
    for (const execution::ManagedOrder* o : second.pipeline->orders().open_orders()) {
      if (o->role == execution::OrderRole::kStopLoss) return o;
    }
    return nullptr;
  };
  ASSERT_NE(stop(), nullptr);
  const Decimal before = stop()->request.trigger_price;
  second.trade(51500_d, 10s);  // +3 %: the trail is active, 1.5 % below
  second.trade(51500_d, 11s);
  ASSERT_NE(stop(), nullptr);
  EXPECT_GT(stop()->request.trigger_price, before);
}

TEST(PipelineRestart, ARestingMarginEntryKeepsItsLeverage) {
  Session first("s1", std::make_unique<ShortLimitOnce>(true), true);
  first.begin();
  first.trade(50000_d, 1s);
  first.trade(50000_d, 2s);  // active at the venue, resting at 50500
  const auto open_before = first.pipeline->orders().open_orders();
  ASSERT_EQ(open_before.size(), 1u);
  ASSERT_EQ(open_before[0]->request.leverage, 3_d);
  ASSERT_EQ(open_before[0]->request.limit_price, 50500_d);

  const auto store = store_with(first.rows, "s1");
  auto account = load_account(*store, "paper", "s2");
  ASSERT_TRUE(account) << account.error().message;
  ASSERT_EQ(account->open_orders.size(), 1u);
  EXPECT_EQ(account->open_orders[0].request.leverage, 3_d);

  Session second("s2", std::make_unique<ShortLimitOnce>(false), true);
  second.begin(std::move(*account));
  ASSERT_EQ(second.pipeline->orders().open_count(), 1u);
  EXPECT_EQ(second.pipeline->orders().open_orders()[0]->request.leverage, 3_d);
  const boost::json::array shown = second.pipeline->orders_json(true);  // what the API shows
  ASSERT_EQ(shown.size(), 1u);
  EXPECT_EQ(shown[0].as_object().at("leverage").as_string(), "3");

  second.trade(50600_d, 10s);  // through the limit: the restored venue order fills
  ASSERT_EQ(second.pipeline->fills().size(), 1u);
  const core::Fill& fill = second.pipeline->fills().back();
  EXPECT_TRUE(fill.margin);
  EXPECT_EQ(fill.leverage, 3_d);
  const execution::Position* position = second.pipeline->portfolio().position("BTC/USDT");
  ASSERT_NE(position, nullptr);
  EXPECT_EQ(position->qty, -open_before[0]->request.qty);
  EXPECT_EQ(position->leverage, 3_d);
  EXPECT_EQ(second.pipeline->portfolio().used_margin(), (50500_d * open_before[0]->request.qty / 3_d));
  const auto protection = second.pipeline->orders().open_orders();
  ASSERT_EQ(protection.size(), 2u) << "stop and target";
  for (const execution::ManagedOrder* order : protection) EXPECT_EQ(order->request.leverage, 3_d);
}

// A venue that answers a snapshot only when the test says so, and counts what it is sent.
struct SilentVenue final : execution::Venue {
  void submit(const execution::OrderRequest&, core::Timestamp) override { ++submitted; }
  void cancel(const std::string& id, core::Timestamp) override { canceled.push_back(id); }
  void amend(const execution::OrderRequest&, Decimal, Decimal, core::Timestamp) override {}
  void cancel_all(core::Timestamp) override {}
  void request_snapshot(execution::SnapshotSink done) override { pending = std::move(done); }
  const char* name() const override { return "silent"; }
  bool locks_balance_per_order() const override { return locks_coins; }
  void restore_orders(const std::vector<execution::RestoredOrder>& orders, core::Timestamp) override {
    restored = orders;
  }
  int submitted = 0;
  std::vector<std::string> canceled;
  bool locks_coins = false;  // as Kraken: a take-profit is held by TG4 while the stop rests
  execution::ExecutionSink sink;  // the venue's reports, to the kernel
  std::vector<execution::RestoredOrder> restored;
  execution::SnapshotSink pending;
  VenueStateSink state;
};

// A live-mode pipeline on a SilentVenue, started (its first reconciliation is pending).
struct SilentSession {
  explicit SilentSession(RestoredAccount account = {}, prometheus::Registry* registry = nullptr,
                         bool adopt_unknown_orders = false, bool venue_locks_coins = false) {
    options.scope = {"s1", "live"};
    options.symbols = {"BTC/USDT"};
    options.adopt_unknown_orders = adopt_unknown_orders;
    PipelineOutputs outputs;
    outputs.registry = registry;
    outputs.record = [this](storage::Row row) { rows.add(std::move(row)); };
    outputs.strategy = std::make_unique<BuyOnce>();
    outputs.venue = [this, venue_locks_coins](const core::InstrumentRegistry&, execution::ExecutionSink sink,
                                              VenueStateSink state) {
      auto v = std::make_unique<SilentVenue>();
      v->locks_coins = venue_locks_coins;
      v->sink = std::move(sink);
      venue = v.get();
      venue->state = std::move(state);
      return std::unique_ptr<execution::Venue>(std::move(v));
    };
    pipeline = Pipeline::create(kernel, options, std::move(outputs)).value();
    pipeline->restore(std::move(account));
    kernel.post(Task([&] { pipeline->start(); }));
    kernel.run_until_empty();
  }
  void trade(Decimal price, std::chrono::seconds at) {
    testing::post_trade(kernel, price, 1_d, kStart + at);
    kernel.advance_clock_to(kStart + at + 1s);  // a tick publishes the summary
  }
  // The venue answers the reconciliation asked for with `snapshot`.
  void answer(const execution::VenueSnapshot& snapshot) {
    auto pending = std::move(venue->pending);
    venue->pending = nullptr;
    pending(snapshot);
    kernel.run_until_empty();
  }
  void answer_snapshot(Decimal usdt) {
    execution::VenueSnapshot snapshot;
    snapshot.balances = {{"USDT", usdt}};
    answer(snapshot);
  }

  core::SimulatedClock clock{kStart};
  Kernel kernel{clock};
  PipelineOptions options;
  SilentVenue* venue = nullptr;
  std::unique_ptr<Pipeline> pipeline;
  storage::Batch rows;  // what it records
};

// An order as the venue lists it: open, on BTC/USDT, with Kraken's id "K-" + its client id.
core::OrderUpdate listed(const std::string& id, core::Side side, core::OrderType type,
                         Decimal qty) {
  core::OrderUpdate order;
  order.client_order_id = id;
  order.venue_order_id = "K-" + id;
  order.symbol = "BTC/USDT";
  order.side = side;
  order.type = type;
  order.status = core::OrderStatus::kNew;
  order.qty = qty;
  return order;
}

// What the order manager cannot handle as planned is counted (tg4_order_problems_total, for alerts)
// and kept for the status: here a report of an order TG4 never placed.
TEST(PipelineProblems, AreCountedAndListedInTheStatus) {
  prometheus::Registry registry;
  SilentSession session({}, &registry);
  core::OrderUpdate stray;
  stray.client_order_id = "x-1";
  stray.symbol = "BTC/USDT";
  stray.status = core::OrderStatus::kNew;
  session.kernel.post(core::ExecutionEvent{stray});
  session.kernel.run_until_empty();
  session.trade(50000_d, 1s);  // a tick publishes the summary
  const PipelineSummary s = session.pipeline->summary();
  EXPECT_EQ(s.order_problems, 1u);
  ASSERT_EQ(s.recent_problems.size(), 1u);
  EXPECT_NE(s.recent_problems[0].find("report for unknown order x-1"), std::string::npos) << s.recent_problems[0];
  EXPECT_EQ(s.recent_problems[0].rfind("2026-01-01T00:00:", 0), 0u) << "with its time: " << s.recent_problems[0];
  const auto status = session.pipeline->status_json();
  EXPECT_EQ(status.at("order_problems").as_uint64(), 1u);
  EXPECT_EQ(status.at("recent_problems").as_array().size(), 1u);
  EXPECT_TRUE(status.at("reconciling").as_bool()) << "the first reconciliation is pending";
  double counted = -1;
  for (const auto& family : registry.Collect()) {
    if (family.name == "tg4_order_problems_total") counted = family.metric.at(0).counter.value;
  }
  EXPECT_EQ(counted, 1.0);
}

// An order found at the venue and adopted is handed to the venue as TG4's (so fills it makes while
// TG4 is away are caught up), with what it filled before as history whose fees are not ours.
TEST(PipelineRestart, AnAdoptedOrderIsHandedToTheVenue) {
  SilentSession session({}, nullptr, true);
  core::OrderUpdate found = listed("manual-1", core::Side::kSell, core::OrderType::kLimit, 0.2_d);
  found.status = core::OrderStatus::kPartiallyFilled;
  found.filled_qty = 0.05_d;
  found.avg_price = 70000_d;
  found.limit_price = 70000_d;
  execution::VenueSnapshot snapshot;
  snapshot.open_orders = {found};
  snapshot.balances = {{"USDT", 1000_d}, {"BTC", 0.15_d}};
  session.answer(snapshot);
  ASSERT_NE(session.pipeline->orders().find("manual-1"), nullptr);
  ASSERT_EQ(session.venue->restored.size(), 1u);
  const execution::RestoredOrder& handed = session.venue->restored[0];
  EXPECT_EQ(handed.request.client_order_id, "manual-1");
  EXPECT_EQ(handed.venue_order_id, "K-manual-1");
  EXPECT_EQ(handed.fills.qty, 0.05_d);
  EXPECT_EQ(handed.fills.cost, 3500_d);
  EXPECT_TRUE(handed.fills.fees_unknown);
}

// The account of session s0: a position of 0.1 BTC bought at 50000, and 1000 USDT.
RestoredAccount account_holding_btc() {
  RestoredAccount account;
  account.from_session = "s0";
  account.portfolio = execution::PortfolioState{};
  execution::Position btc;
  btc.symbol = "BTC/USDT";
  btc.qty = 0.1_d;
  btc.avg_price = 50000_d;
  account.portfolio->positions["BTC/USDT"] = btc;
  account.portfolio->balances = {{"BTC", 0.1_d}, {"USDT", 1000_d}};
  return account;
}

// After a restart, once the venue's state is known, a position whose stops at the venue do not
// cover it is said, whatever the cause (here: no stop at all), and a guard stop 5 % below the next
// trade's price covers it.
TEST(PipelineRestart, APositionShortOfStopsAfterARestartIsSaidAndGuarded) {
  RestoredAccount account = account_holding_btc();
  SilentSession session(std::move(account));
  EXPECT_EQ(session.pipeline->summary().order_problems, 0u) << "not before the venue has answered";
  session.answer_snapshot(1000_d);
  session.trade(50000_d, 1s);
  const PipelineSummary s = session.pipeline->summary();
  ASSERT_EQ(s.order_problems, 1u);
  EXPECT_NE(s.recent_problems.back().find(
                "after the restart: position BTC/USDT of 0.1 has stops at the venue for 0: "
                "0.1 unprotected; a guard stop 5 % from the next price"),
            std::string::npos)
      << s.recent_problems.back();
  const std::vector<const execution::ManagedOrder*> open = session.pipeline->orders().open_orders();
  ASSERT_EQ(open.size(), 1u);
  EXPECT_EQ(open[0]->role, execution::OrderRole::kStopLoss);
  EXPECT_EQ(open[0]->source, execution::kGuardSource);
  EXPECT_EQ(open[0]->request.qty, 0.1_d);
  EXPECT_EQ(open[0]->request.trigger_price, 47500_d);
  EXPECT_EQ(session.venue->submitted, 1);
}

// TG4 was killed just after placing the position's stop, before the store had its row: after the
// restart the venue lists a stop with TG4's own client id that the store does not know. It is
// adopted as the position's stop (canceling it would leave the position bare); an unknown order
// of another hand is still canceled.
TEST(PipelineRestart, ItsOwnStopWhoseRecordWasLostIsAdoptedAsAStop) {
  SilentSession session(account_holding_btc());
  const std::string own = core::ClientOrderIdGenerator(kStart - 1h).id_for(7);
  core::OrderUpdate stop = listed(own, core::Side::kSell, core::OrderType::kStopLoss, 0.1_d);
  stop.trigger_price = 49000_d;
  core::OrderUpdate foreign =
      listed("manual-1", core::Side::kSell, core::OrderType::kStopLoss, 0.1_d);
  foreign.trigger_price = 49000_d;
  execution::VenueSnapshot snapshot;
  snapshot.open_orders = {stop, foreign};
  snapshot.balances = {{"USDT", 1000_d}, {"BTC", 0.1_d}};
  session.answer(snapshot);
  session.trade(50000_d, 1s);
  const execution::ManagedOrder* adopted = session.pipeline->orders().find(own);
  ASSERT_NE(adopted, nullptr);
  EXPECT_EQ(adopted->role, execution::OrderRole::kStopLoss);
  EXPECT_EQ(adopted->status, core::OrderStatus::kNew);
  EXPECT_EQ(session.venue->canceled, std::vector<std::string>{"manual-1"});
  const PipelineSummary s = session.pipeline->summary();
  EXPECT_EQ(s.order_problems, 0u) << s.recent_problems.back();
}

// The stop whose record was lost had a take-profit whose record was not (held by TG4, Kraken
// locking the stop's coins): the adopted stop rejoins the target's group, so that the target's
// trigger cancels it to free the coins to sell.
TEST(PipelineRestart, AnAdoptedStopRejoinsTheGroupOfItsTakeProfit) {
  RestoredAccount account = account_holding_btc();
  execution::ManagedOrder target;
  target.role = execution::OrderRole::kTakeProfit;
  target.group = "g1";
  target.request = {"s0-target", "BTC/USDT", core::Side::kSell, core::OrderType::kTakeProfit, 0.1_d,
                    {},          52000_d};
  target.request.reduce_only = true;
  target.status = core::OrderStatus::kNew;
  target.held_locally = true;
  target.created = kStart - 1h;
  account.open_orders = {target};
  SilentSession session(std::move(account), nullptr, false, true);
  const std::string own = core::ClientOrderIdGenerator(kStart - 1h).id_for(7);
  core::OrderUpdate stop = listed(own, core::Side::kSell, core::OrderType::kStopLoss, 0.1_d);
  stop.trigger_price = 49000_d;
  execution::VenueSnapshot snapshot;
  snapshot.open_orders = {stop};
  snapshot.balances = {{"USDT", 1000_d}, {"BTC", 0.1_d}};
  session.answer(snapshot);
  const execution::ManagedOrder* adopted = session.pipeline->orders().find(own);
  ASSERT_NE(adopted, nullptr);
  EXPECT_EQ(adopted->group, "g1");
  session.trade(52100_d, 1s);  // the target triggers: its stop's cancel is asked for
  EXPECT_EQ(session.venue->canceled, std::vector<std::string>{own});
}

// Holding 0.1 BTC at the restart: take-profit s0-target (released as a market sell at 52000) was
// on its way, and its stop s0-stop (49000) had been canceled to free the coins.
RestoredAccount account_with_a_take_profit_on_its_way() {
  RestoredAccount account = account_holding_btc();
  execution::ManagedOrder stop;
  stop.role = execution::OrderRole::kStopLoss;
  stop.group = "g1";
  stop.request = {"s0-stop", "BTC/USDT", core::Side::kSell, core::OrderType::kStopLoss, 0.1_d, {}, 49000_d};
  stop.request.reduce_only = true;
  stop.status = core::OrderStatus::kCanceled;
  stop.created = kStart - 1h;
  execution::ManagedOrder target = stop;
  target.role = execution::OrderRole::kTakeProfit;
  target.request.client_order_id = "s0-target";
  target.request.type = core::OrderType::kMarket;
  target.request.trigger_price = 52000_d;
  target.status = core::OrderStatus::kNew;
  target.created = kStart - 1h + 1s;
  account.open_orders = {target};
  account.ended_stops = {stop};
  return account;
}

// A take-profit released to a venue that locks coins per order (Kraken) was on its way when TG4
// died; its stop, canceled to free the coins, is in the store as ended. The venue then refuses the
// sell: on the next tick the stop is placed again where it was, for the position, and that is said.
TEST(PipelineRestart, ATakeProfitRefusedAfterARestartGetsItsStopBack) {
  SilentSession session(account_with_a_take_profit_on_its_way(), nullptr, false, true);

  // The venue still lists the sell.
  const core::OrderUpdate on_its_way =
      listed("s0-target", core::Side::kSell, core::OrderType::kMarket, 0.1_d);
  execution::VenueSnapshot snapshot;
  snapshot.open_orders = {on_its_way};
  snapshot.balances = {{"USDT", 1000_d}, {"BTC", 0.1_d}};
  session.answer(snapshot);
  const auto open_stops = [&] {
    std::vector<const execution::ManagedOrder*> stops;
    for (const execution::ManagedOrder* o : session.pipeline->orders().open_orders()) {
      if (o->role == execution::OrderRole::kStopLoss) stops.push_back(o);
    }
    return stops;
  };
  session.trade(50000_d, 1s);
  EXPECT_TRUE(open_stops().empty()) << "the sell is on its way: what it sells decides";
  EXPECT_EQ(session.pipeline->summary().order_problems, 0u);

  core::OrderUpdate refused = on_its_way;
  refused.status = core::OrderStatus::kRejected;
  refused.reason = "EOrder:Insufficient funds";
  refused.time = kStart + 2s;
  session.venue->sink(refused);
  session.kernel.run_until_empty();
  session.trade(50000_d, 2s);  // the next tick
  const auto stops = open_stops();
  ASSERT_EQ(stops.size(), 1u);
  EXPECT_EQ(stops[0]->request.qty, 0.1_d);
  EXPECT_EQ(stops[0]->request.trigger_price, 49000_d);
  EXPECT_EQ(stops[0]->group, "g1");
  const PipelineSummary s = session.pipeline->summary();
  ASSERT_EQ(s.order_problems, 1u);
  EXPECT_NE(s.recent_problems.back().find("take-profit s0-target (BTC/USDT) was on its way when TG4 stopped and ended "
                                          "rejected (EOrder:Insufficient funds) with 0.1 unsold"),
            std::string::npos)
      << s.recent_problems.back();
}

// The stop a take-profit on its way made way for is still wanted after the restart: it is recorded
// under the new session too, so a second restart before the take-profit ends still finds it (it was
// left under the first session, and the second restart reported the position unprotected).
TEST(PipelineRestart, AStopWaitingForATakeProfitOnItsWaySurvivesASecondRestart) {
  SilentSession first(account_with_a_take_profit_on_its_way(), nullptr, false, true);  // killed before reconciliation

  const auto store = store_with(first.rows, "s1", "live");
  auto second = load_account(*store, "live", "s2");
  ASSERT_TRUE(second) << second.error().message;
  ASSERT_EQ(second->open_orders.size(), 1u);
  ASSERT_EQ(second->ended_stops.size(), 1u);
  EXPECT_EQ(second->ended_stops[0].request.client_order_id, "s0-stop");
  EXPECT_EQ(second->ended_stops[0].request.trigger_price, 49000_d);
}

// A stop canceled by the operator is not put back by a restart, nor replaced by a guard stop: the
// position short of it is said.
TEST(PipelineRestart, AStopTheOperatorCanceledStaysCanceledAfterARestart) {
  Session first("s1");
  first.begin();
  first.trade(50000_d, 1s);
  first.trade(50000_d, 2s);  // the entry fills: stop and target rest
  std::string stop_id;
  for (const execution::ManagedOrder* o : first.pipeline->orders().open_orders()) {
    if (o->role == execution::OrderRole::kStopLoss) stop_id = o->request.client_order_id;
  }
  ASSERT_FALSE(stop_id.empty());
  ASSERT_TRUE(first.pipeline->cancel_order(stop_id));
  first.kernel.run_until_empty();
  ASSERT_EQ(first.pipeline->orders().find(stop_id)->status, core::OrderStatus::kCanceled);

  const auto store = store_with(first.rows, "s1");
  auto account = load_account(*store, "paper", "s2");
  ASSERT_TRUE(account) << account.error().message;
  ASSERT_EQ(account->ended_stops.size(), 1u);
  EXPECT_EQ(account->ended_stops[0].request.client_order_id, stop_id);
  EXPECT_TRUE(account->ended_stops[0].reason.starts_with(execution::kCanceledByOperator))
      << account->ended_stops[0].reason;
  Session second("s2");
  second.begin(std::move(*account));
  second.trade(50000_d, 10s);
  for (const execution::ManagedOrder* o : second.pipeline->orders().open_orders()) {
    EXPECT_NE(o->role, execution::OrderRole::kStopLoss) << o->request.client_order_id;
  }
  const PipelineSummary s = second.pipeline->summary();
  ASSERT_EQ(s.order_problems, 1u);
  EXPECT_NE(s.recent_problems.back().find("no guard stop, since the operator canceled its stop " +
                                          stop_id),
            std::string::npos)
      << s.recent_problems.back();
}

// The order manager knows each position from every fill, not only from exits and reconciliations:
// a reconciliation while the entry rested told it BTC/USDT was flat, and a stop then lost on the
// way after the entry filled was not placed again, since the position it last knew needed none.
TEST(PipelineProtection, AStopLostAfterTheEntryFilledIsPlacedAgain) {
  SilentSession session;
  session.answer_snapshot(1000_d);
  session.trade(50000_d, 1s);  // the entry goes out and rests, unanswered
  const auto open_of = [&](execution::OrderRole role) {
    std::vector<const execution::ManagedOrder*> found;
    for (const execution::ManagedOrder* o : session.pipeline->orders().open_orders()) {
      if (o->role == role) found.push_back(o);
    }
    return found;
  };
  ASSERT_EQ(open_of(execution::OrderRole::kEntry).size(), 1u);
  const execution::ManagedOrder entry = *open_of(execution::OrderRole::kEntry)[0];
  const core::OrderUpdate resting = listed(entry.request.client_order_id, core::Side::kBuy,
                                           entry.request.type, entry.request.qty);
  session.trade(50000_d, 61s);  // the periodic reconciliation: the entry rests, BTC/USDT is flat
  ASSERT_NE(session.venue->pending, nullptr);
  execution::VenueSnapshot snapshot;
  snapshot.open_orders = {resting};
  snapshot.balances = {{"USDT", 1000_d}};
  session.answer(snapshot);

  core::Fill fill;
  fill.exec_id = "E-1";
  fill.client_order_id = entry.request.client_order_id;
  fill.symbol = "BTC/USDT";
  fill.side = core::Side::kBuy;
  fill.qty = entry.request.qty;
  fill.price = 50000_d;
  fill.time = kStart + 62s;
  core::OrderUpdate filled = resting;
  filled.status = core::OrderStatus::kFilled;
  filled.filled_qty = entry.request.qty;
  filled.avg_price = 50000_d;
  session.venue->sink(fill);
  session.venue->sink(filled);
  session.kernel.run_until_empty();
  ASSERT_EQ(open_of(execution::OrderRole::kStopLoss).size(), 1u) << "the entry's stop goes out";
  core::OrderUpdate lost;
  lost.client_order_id = open_of(execution::OrderRole::kStopLoss)[0]->request.client_order_id;
  lost.symbol = "BTC/USDT";
  lost.status = core::OrderStatus::kRejected;
  lost.reason = "no answer from Kraken, and it lists no such open order or fill";
  lost.lost = true;
  session.venue->sink(lost);
  session.kernel.run_until_empty();
  const auto stops = open_of(execution::OrderRole::kStopLoss);
  ASSERT_EQ(stops.size(), 1u) << "placed again";
  EXPECT_NE(stops[0]->request.client_order_id, lost.client_order_id);
  EXPECT_EQ(stops[0]->request.qty, entry.request.qty);
}

// A real venue's balances are the account: each change is recorded, so a restart continues from
// them even when no trade has happened (the account state used to be recorded only on fills and
// reconciliation differences, and a restart then started from no balances at all).
TEST(PipelineRestart, ARealVenuesBalanceIsRecordedForTheNextStart) {
  SilentSession session;
  session.answer_snapshot(0_d);
  session.venue->sink(core::BalanceUpdate{"USDT", 1234.5_d, kStart});
  session.kernel.run_until_empty();
  const auto& states = session.rows.rows<storage::RiskStateRow>();
  ASSERT_FALSE(states.empty());
  const auto portfolio = execution::portfolio_state_from_json(states.back().portfolio_json);
  ASSERT_TRUE(portfolio) << portfolio.error().message;
  EXPECT_EQ(portfolio->balances.at("USDT"), 1234.5_d);
  const std::size_t recorded = states.size();
  session.venue->sink(core::BalanceUpdate{"USDT", 1234.5_d, kStart});
  session.kernel.run_until_empty();
  EXPECT_EQ(session.rows.rows<storage::RiskStateRow>().size(), recorded) << "unchanged: not again";
}

// The drawdown breaker measures from the peak: a peak that prices alone reached (no fill, no risk
// event) is saved as well, or a kill -9 would restart from a lower one and under-report the
// drawdown.
TEST(PipelineRestart, APeakReachedByPricesAloneIsSaved) {
  SilentSession session;
  execution::VenueSnapshot snapshot;
  snapshot.balances = {{"USDT", 1000_d}, {"BTC", 0.1_d}};
  session.answer(snapshot);
  session.trade(50000_d, 1s);
  session.trade(51000_d, 2s);
  session.trade(52000_d, 3s);
  session.trade(51500_d, 4s);
  const auto& states = session.rows.rows<storage::RiskStateRow>();
  ASSERT_FALSE(states.empty());
  const auto saved = risk::state_from_json_text(states.back().state_json);
  ASSERT_TRUE(saved) << saved.error().message;
  EXPECT_EQ(saved->peak_equity, session.pipeline->risk_state().peak_equity);
  EXPECT_GE(saved->peak_equity, 6200_d) << "1000 USDT + 0.1 BTC at 52000";
  const std::size_t recorded = states.size();
  session.trade(51000_d, 5s);
  EXPECT_EQ(session.rows.rows<storage::RiskStateRow>().size(), recorded)
      << "below the peak: nothing new to save";
}

TEST(PipelineRestart, IntentsWaitForReconciliation) {
  SilentSession session;
  SilentVenue* venue = session.venue;
  ASSERT_NE(venue, nullptr);
  EXPECT_TRUE(session.pipeline->summary().reconciling);
  session.trade(50000_d, 1s);
  EXPECT_EQ(venue->submitted, 0);
  EXPECT_EQ(session.pipeline->summary().rejected, 1u);

  session.answer_snapshot(5000_d);
  EXPECT_FALSE(session.pipeline->summary().reconciling);
  EXPECT_EQ(session.pipeline->portfolio().balance("USDT"), 5000_d);  // the venue's balance is the truth
}

TEST(PipelineRestart, AVenueSessionDownHoldsIntentsAndItsReturnIsReconciled) {
  SilentSession session;
  session.answer_snapshot(5000_d);
  ASSERT_FALSE(session.pipeline->summary().reconciling);
  session.venue->state(core::FeedState{"private", false, "connection reset", kStart});
  session.trade(50000_d, 1s);
  EXPECT_EQ(session.venue->submitted, 0);  // the buy waits: nothing can be confirmed now
  EXPECT_EQ(session.pipeline->summary().venue_connected, std::optional<bool>(false));
  EXPECT_NE(session.pipeline->summary().last_decision.find("WAITING (venue down)"), std::string::npos)
      << session.pipeline->summary().last_decision;
  EXPECT_FALSE(session.pipeline->summary().reconciling);

  session.venue->state(core::FeedState{"private", true, "", kStart + 2s});
  session.kernel.run_until_empty();
  ASSERT_TRUE(session.venue->pending) << "the return asks the venue for a new snapshot";
  session.trade(50000_d, 3s);
  EXPECT_TRUE(session.pipeline->summary().reconciling);
  session.answer_snapshot(4000_d);
  EXPECT_FALSE(session.pipeline->summary().reconciling);
  EXPECT_EQ(session.pipeline->portfolio().balance("USDT"), 4000_d);
  EXPECT_EQ(session.pipeline->summary().venue_connected, std::optional<bool>(true));
}

// A restart hands the venue the orders left open at it, each with its fills so far from the store
// (the Kraken venue continues from them: catch-ups and fees of what filled while down). A take-profit
// TG4 held itself was never at the venue.
TEST(PipelineRestart, TheVenueIsHandedItsOpenOrdersWithTheirFillsSoFar) {
  storage::Batch rows;
  const auto order = [&rows](const std::string& id, core::OrderStatus status, const std::string& held_by) {
    storage::OrderRow row;
    row.client_order_id = id;
    row.venue_order_id = "K-" + id;
    row.session_id = "s0";
    row.mode = "live";
    row.symbol = "BTC/USDT";
    row.type = core::OrderType::kLimit;
    row.status = status;
    row.qty = 1_d;
    row.limit_price = 100_d;
    row.held_by = held_by;
    row.created = kStart;
    row.updated = kStart;
    rows.add(row);
  };
  const auto fill = [&rows](const std::string& id, const std::string& exec_id, Decimal qty, Decimal price) {
    storage::FillRow row;
    row.session_id = "s0";
    row.mode = "live";
    row.fill.client_order_id = id;
    row.fill.exec_id = exec_id;
    row.fill.symbol = "BTC/USDT";
    row.fill.qty = qty;
    row.fill.price = price;
    row.fill.fee = 0.01_d;
    row.fill.fee_currency = "USDT";
    row.fill.time = kStart;
    rows.add(row);
  };
  order("t1", core::OrderStatus::kPartiallyFilled, "venue");
  order("t2", core::OrderStatus::kNew, "local");
  order("t3", core::OrderStatus::kFilled, "venue");
  fill("t1", "E1", 0.1_d, 99_d);
  fill("t1", "E2", 0.2_d, 100.5_d);
  fill("t3", "E3", 1_d, 100_d);
  const auto store = store_with(rows, "s0", "live");
  auto account = load_account(*store, "live", "s1");
  ASSERT_TRUE(account) << account.error().message;
  ASSERT_EQ(account->open_orders.size(), 2u);
  account->portfolio = execution::PortfolioState{};

  SilentSession session(std::move(*account));
  ASSERT_EQ(session.venue->restored.size(), 1u) << "t1; t2 was held by TG4";
  const execution::RestoredOrder& t1 = session.venue->restored[0];
  EXPECT_EQ(t1.request.client_order_id, "t1");
  EXPECT_EQ(t1.venue_order_id, "K-t1");
  EXPECT_EQ(t1.status, core::OrderStatus::kPartiallyFilled);
  EXPECT_EQ(t1.fills.qty, 0.3_d);
  EXPECT_EQ(t1.fills.cost, 30_d) << "9.9 + 20.1";
  EXPECT_EQ(t1.fills.fee, 0.02_d);
  EXPECT_EQ(t1.fills.fee_currency, "USDT");
  EXPECT_EQ(t1.fills.exec_ids, (std::vector<std::string>{"E1", "E2"}));
}

}  // namespace
}  // namespace tg4::kernel
