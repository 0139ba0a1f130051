// Portfolio rebalancing through the pipeline (SPEC §9): every agents.rebalance_interval the
// holdings are valued against their targets; a drift beyond the limit starts a plan whose batches
// buy and sell at market (sells first) until the targets are met. The rebalance's coins are the
// account's, not a position: a strategy's buys and sells leave the allocation alone and never sell
// what the rebalance bought. Every step is audited and shown; mistakes in the config are refused
// by key.
#include <gtest/gtest.h>
#include <prometheus/text_serializer.h>

#include "kernel/pipeline.hpp"
#include "pipeline_trades.hpp"

namespace tg4::kernel {
namespace {

namespace json = boost::json;
using core::Decimal;
using namespace std::chrono_literals;
using testing::kStart;

execution::RebalancePolicy half_btc_policy() {
  execution::RebalancePolicy p;
  p.targets_pct = {{"BTC", Decimal::from_int(50)}, {"USDT", Decimal::from_int(50)}};
  p.drift_pct = Decimal::from_int(5);
  p.min_trade = Decimal::from_int(10);
  p.batch_above = Decimal::from_int(500);
  p.batch_count = 2;
  p.batch_interval = 10min;
  return p;
}

PipelineOptions rebalance_options(execution::RebalancePolicy policy,
                                  std::vector<std::string> symbols = {"BTC/USDT"}) {
  PipelineOptions options;
  options.scope = {"rb1", "paper"};
  options.symbols = std::move(symbols);
  options.reconcile_interval = 0s;
  options.agents.regime_detection = false;
  options.agents.technical_analysis = false;
  options.agents.rebalance_interval = std::chrono::minutes(1);
  options.hodl = {};  // no bags: the allocation is the account's alone
  options.rebalance = std::move(policy);
  return options;
}

struct RebalanceSession {
  // `restored`: the account of a session before (a restart), `start` when this one begins.
  explicit RebalanceSession(PipelineOptions options, RestoredAccount restored = {},
                            core::Timestamp start = kStart)
      : clock(start), at(start) {
    PipelineOutputs outputs;
    outputs.record = [this](storage::Row row) {
      if (auto* a = std::get_if<storage::AuditLogRow>(&row)) audit.push_back(*a);
      if (auto* r = std::get_if<storage::RiskStateRow>(&row)) account_json = r->portfolio_json;
    };
    outputs.registry = &registry;
    auto strategy = std::make_unique<testing::BuyThenSell>();
    strategy_ = strategy.get();
    outputs.strategy = std::move(strategy);
    pipeline = Pipeline::create(kernel, std::move(options), std::move(outputs)).value();
    if (!restored.empty()) pipeline->restore(std::move(restored));
    testing::start_pipeline(kernel, *pipeline);
  }
  // The account as last saved, for a session after this one.
  RestoredAccount saved() const {
    RestoredAccount account;
    account.from_session = "rb1";
    account.portfolio = execution::portfolio_state_from_json(account_json).value();
    return account;
  }
  // A trade of each symbol at its price, 10 s after the last.
  void trade(const std::map<std::string, Decimal>& prices) {
    at += 10s;
    for (const auto& [symbol, price] : prices) {
      core::Trade t;
      t.symbol = symbol;
      t.price = price;
      t.qty = Decimal::must("0.5");
      t.time = t.received = at;
      t.trade_id = ++id;
      kernel.post(t);
    }
    kernel.advance_clock_to(at + 1s);
    kernel.run_until_empty();
  }
  void trade_for(core::Duration how_long, const std::map<std::string, Decimal>& prices) {
    const core::Timestamp until = at + how_long;
    while (at < until) trade(prices);
  }
  std::vector<std::string> actions() const {
    std::vector<std::string> out;
    for (const auto& row : audit) out.push_back(row.action + " " + row.target);
    return out;
  }
  json::object run_check() {
    json::object out;
    kernel.post(Task([&] { out = pipeline->run_agent("rebalance").value(); }));
    kernel.run_until_empty();
    return out;
  }
  Decimal pct(const std::string& asset) {
    const json::object r = pipeline->portfolio_json().at("rebalance").as_object();
    return Decimal::must(r.at("allocation").at(asset).at("pct").as_string().c_str());
  }
  std::string metrics() const { return prometheus::TextSerializer().Serialize(registry.Collect()); }

  core::SimulatedClock clock;
  Kernel kernel{clock};
  prometheus::Registry registry;
  std::unique_ptr<Pipeline> pipeline;
  testing::BuyThenSell* strategy_ = nullptr;
  std::vector<storage::AuditLogRow> audit;
  std::string account_json;  // the portfolio state of the last account row
  core::Timestamp at;
  std::int64_t id = 0;
};

const std::map<std::string, Decimal> kBtcAt30k{{"BTC/USDT", Decimal::from_int(30000)}};

TEST(PipelineRebalance, CashIsBroughtToItsTargetsInBatchesAndAudited) {
  RebalanceSession s(rebalance_options(half_btc_policy()));
  s.trade_for(50s, kBtcAt30k);
  EXPECT_TRUE(s.audit.empty()) << "the first check is a period after the start";
  s.trade_for(30s, kBtcAt30k);
  // 10,000 USDT against BTC 50 / USDT 50: a buy of 5,000, above 500, in two batches.
  std::vector<std::string> expected{"rebalance.planned ", "rebalance.order BTC"};
  ASSERT_EQ(s.actions(), expected) << s.pipeline->summary().rebalance;
  EXPECT_NE(s.audit[0].params_json.find("\"batches\":2"), std::string::npos)
      << s.audit[0].params_json;
  EXPECT_EQ(s.audit[0].role, "rebalance");
  EXPECT_NE(s.pipeline->summary().rebalance.find("batch 2 of 2 due at"), std::string::npos)
      << s.pipeline->summary().rebalance;
  s.trade_for(5min, kBtcAt30k);
  EXPECT_EQ(s.actions().size(), 2u) << "the second batch waits its 10 minutes";
  s.trade_for(6min, kBtcAt30k);
  expected = {"rebalance.planned ", "rebalance.order BTC", "rebalance.order BTC",
              "rebalance.done "};
  ASSERT_EQ(s.actions(), expected) << s.pipeline->summary().rebalance;

  // The coins are the account's: no position, no round trip; the orders are holdings' orders.
  const execution::Portfolio& portfolio = s.pipeline->portfolio();
  EXPECT_TRUE(portfolio.balance("BTC").is_positive());
  EXPECT_TRUE(portfolio.position_qty("BTC/USDT").is_zero());
  EXPECT_TRUE(s.pipeline->closed_trades().empty());
  for (const auto& [id, order] : s.pipeline->orders().orders()) {
    EXPECT_EQ(order.role, execution::OrderRole::kHolding) << id;
    EXPECT_EQ(order.status, core::OrderStatus::kFilled) << id;
  }
  // Within the drift now (a little short of 50: the taker fee and the buys' headroom).
  EXPECT_GT(s.pct("BTC"), Decimal::from_int(49));
  EXPECT_LE(s.pct("BTC"), Decimal::from_int(50));
  // The status line: the allocation as last checked.
  EXPECT_NE(s.pipeline->summary().rebalance.find("BTC 49."), std::string::npos)
      << s.pipeline->summary().rebalance;
  const std::string metrics = s.metrics();
  EXPECT_NE(metrics.find("tg4_rebalance_orders_total{side=\"buy\"} 2"), std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find("tg4_rebalances_total 1"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("tg4_allocation_target_pct{asset=\"BTC\"} 50"), std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find("tg4_allocation_pct{asset=\"BTC\"} 49."), std::string::npos) << metrics;

  // The next check finds nothing to do.
  const json::object check = s.run_check();
  EXPECT_EQ(std::string(check.at("result").as_string()).rfind("within 5 points of the targets", 0),
            0u)
      << json::serialize(check);
  EXPECT_EQ(s.actions().size(), 4u);
}

// A restart (or a crash loop) does not send batches sooner than portfolio.batch_interval apart:
// the start of the last batch is saved with the account, and the plan the restarted node makes
// waits for the interval since it before its first batch.
TEST(PipelineRebalance, ARestartKeepsTheBatchesTheIntervalApart) {
  RebalanceSession first(rebalance_options(half_btc_policy()));
  first.trade_for(2min, kBtcAt30k);
  ASSERT_EQ(first.actions(),
            (std::vector<std::string>{"rebalance.planned ", "rebalance.order BTC"}))
      << first.pipeline->summary().rebalance;
  const core::Timestamp batch_at = first.pipeline->orders().orders().begin()->second.created;
  RestoredAccount saved = first.saved();
  EXPECT_EQ(saved.portfolio->rebalance_batch_started, batch_at);

  RebalanceSession second(rebalance_options(half_btc_policy()), std::move(saved), first.at);
  second.trade_for(5min, kBtcAt30k);
  ASSERT_FALSE(second.actions().empty());
  EXPECT_EQ(second.actions().front(), "rebalance.planned ");
  EXPECT_EQ(second.actions().size(), 1u) << "no order before the interval";
  EXPECT_NE(second.pipeline->summary().rebalance.find(
                "due at " + core::format_rfc3339(batch_at + std::chrono::minutes(10), 0)),
            std::string::npos)
      << second.pipeline->summary().rebalance;
  second.trade_for(6min, kBtcAt30k);
  EXPECT_GE(second.actions().size(), 2u);
  EXPECT_EQ(second.actions().at(1), "rebalance.order BTC");
  for (const auto& [id, order] : second.pipeline->orders().orders()) {
    EXPECT_GE(order.created, batch_at + std::chrono::minutes(10)) << id;
  }
}

TEST(PipelineRebalance, ABatchSellsFirstAndBuysOnceItsSellsHaveFilled) {
  execution::RebalancePolicy policy = half_btc_policy();
  policy.targets_pct = {{"BTC", Decimal::from_int(40)},
                        {"XRP", Decimal::from_int(40)},
                        {"USDT", Decimal::from_int(20)}};
  policy.batch_above = Decimal::from_int(1'000'000);  // one batch
  RebalanceSession s(rebalance_options(policy, {"BTC/USDT", "XRP/USDT"}));
  std::map<std::string, Decimal> prices{{"BTC/USDT", Decimal::from_int(30000)},
                                        {"XRP/USDT", Decimal::must("0.5")}};
  s.trade_for(2min, prices);
  ASSERT_EQ(s.actions().back(), "rebalance.done ") << s.pipeline->summary().rebalance;
  const std::size_t first_plan = s.actions().size();
  // BTC doubles: BTC above its target, XRP and USDT below. BTC is sold, then XRP bought, once the
  // batch interval (10 min) since the first plan's batch has passed.
  prices["BTC/USDT"] = Decimal::from_int(60000);
  s.trade_for(10min, prices);
  const std::vector<std::string> all = s.actions();
  const std::vector<std::string> second(all.begin() + static_cast<long>(first_plan), all.end());
  const std::vector<std::string> expected{"rebalance.planned ", "rebalance.order BTC",
                                          "rebalance.order XRP", "rebalance.done "};
  ASSERT_EQ(second, expected) << s.pipeline->summary().rebalance;
  const execution::ManagedOrder* sell = nullptr;
  const execution::ManagedOrder* buy = nullptr;
  for (const auto& [id, order] : s.pipeline->orders().orders()) {
    if (order.request.side == core::Side::kSell) sell = &order;
    if (order.request.symbol == "XRP/USDT" && (buy == nullptr || buy->created < order.created))
      buy = &order;
  }
  ASSERT_NE(sell, nullptr);
  ASSERT_NE(buy, nullptr);
  EXPECT_EQ(sell->request.symbol, "BTC/USDT");
  core::Timestamp sold_at;
  for (const core::Fill& f : s.pipeline->fills()) {
    if (f.client_order_id == sell->request.client_order_id) sold_at = f.time;
  }
  EXPECT_GT(sold_at.ns, 0);
  EXPECT_GE(buy->created, sold_at) << "the buy waited for the sell";
  EXPECT_LT((s.pct("BTC") - Decimal::from_int(40)).abs(), Decimal::one());
  EXPECT_LT((s.pct("XRP") - Decimal::from_int(40)).abs(), Decimal::one());
}

TEST(PipelineRebalance, AStrategysPositionNeitherMovesTheAllocationNorSellsItsCoins) {
  RebalanceSession s(rebalance_options(half_btc_policy()));
  s.trade_for(13min, kBtcAt30k);
  ASSERT_EQ(s.actions().back(), "rebalance.done ") << s.pipeline->summary().rebalance;
  const Decimal held = s.pipeline->portfolio().balance("BTC");
  const Decimal before = s.pct("BTC");

  s.strategy_->buy_quote = Decimal::from_int(1000);
  s.trade_for(30s, kBtcAt30k);
  ASSERT_TRUE(s.pipeline->portfolio().position_qty("BTC/USDT").is_positive())
      << s.pipeline->summary().last_decision;
  s.run_check();
  EXPECT_LT((s.pct("BTC") - before).abs(), Decimal::must("0.05"))
      << "the position counts at its cost, as the cash that paid for it";

  // Its exit asks for the whole BTC balance: only its own position is sold.
  s.strategy_->sell_balance = true;
  s.strategy_->sell_next = true;
  s.trade_for(30s, kBtcAt30k);
  EXPECT_TRUE(s.pipeline->portfolio().position_qty("BTC/USDT").is_zero())
      << s.pipeline->summary().last_decision;
  EXPECT_EQ(s.pipeline->portfolio().balance("BTC"), held);
  EXPECT_EQ(s.pipeline->closed_trades().size(), 1u);
}

TEST(PipelineRebalance, APlanWaitsWhileTradingIsNotActive) {
  RebalanceSession s(rebalance_options(half_btc_policy()));
  s.trade(kBtcAt30k);
  s.kernel.post(Task([&] { ASSERT_TRUE(s.pipeline->pause("test")); }));
  s.kernel.run_until_empty();
  s.trade_for(2min, kBtcAt30k);
  EXPECT_TRUE(s.audit.empty());
  EXPECT_NE(s.pipeline->summary().rebalance.find("waits: trading is REDUCING"), std::string::npos)
      << s.pipeline->summary().rebalance;
  s.kernel.post(Task([&] { ASSERT_TRUE(s.pipeline->resume()); }));
  s.kernel.run_until_empty();
  s.trade(kBtcAt30k);
  ASSERT_FALSE(s.audit.empty()) << "tried again on the next tick";
  EXPECT_EQ(s.actions().front(), "rebalance.planned ");
}

TEST(PipelineRebalance, ConfigMistakesAreRefusedByKey) {
  core::SimulatedClock clock{kStart};
  Kernel kernel{clock};
  PipelineOptions margin = rebalance_options(half_btc_policy());
  margin.paper.margin = true;
  auto refused = Pipeline::create(kernel, margin, {});
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().message,
            "agents.portfolio_rebalance: rebalancing trades spot holdings, and paper.margin is on");

  execution::RebalancePolicy xrp = half_btc_policy();
  xrp.targets_pct = {{"XRP", Decimal::from_int(50)}, {"USDT", Decimal::from_int(50)}};
  auto no_market = Pipeline::create(kernel, rebalance_options(xrp), {});
  ASSERT_FALSE(no_market);
  EXPECT_EQ(no_market.error().message,
            "agents.portfolio_rebalance: portfolio.targets_pct has XRP but symbols has no "
            "XRP/USDT: add it, or drop XRP's target");

  PipelineOptions off = rebalance_options(half_btc_policy());
  off.rebalance.reset();
  auto pipeline = Pipeline::create(kernel, off, {});
  ASSERT_TRUE(pipeline) << pipeline.error().message;
  const auto asked = (*pipeline)->run_agent("rebalance");
  ASSERT_FALSE(asked);
  EXPECT_EQ(asked.error().message, "agent 'rebalance': agents.portfolio_rebalance is false");
  EXPECT_EQ((*pipeline)->rebalance_json().at("enabled").as_bool(), false);
}

}  // namespace
}  // namespace tg4::kernel
