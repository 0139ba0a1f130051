// The hodl bags through the pipeline (SPEC §9): a profitable round trip sets its share aside, a bag
// whose pending cash reaches its threshold buys its coin at market, and from then on the coins are
// the bag's: no position, not sold by the strategy's exits nor by an operator's flatten, their cash
// not available to trading. Every movement is in the audit log, the account state a restart reads
// carries the bags, and the status, /portfolio and metrics show them.
#include <gtest/gtest.h>
#include <prometheus/text_serializer.h>

#include "execution/portfolio_state.hpp"
#include "kernel/pipeline.hpp"
#include "market/order_book.hpp"
#include "pipeline_trades.hpp"

namespace tg4::kernel {
namespace {

namespace json = boost::json;
using core::Decimal;
using namespace std::chrono_literals;
using testing::BuyThenSell;
using testing::kStart;

execution::HodlPolicy test_policy() {
  execution::HodlPolicy p;
  p.profit_share_pct = Decimal::from_int(50);
  p.min_profit = Decimal::one();
  p.split_pct = {{"BTC", Decimal::from_int(50)}, {"USDT", Decimal::from_int(50)}};
  p.buy_threshold = {{"BTC", Decimal::from_int(20)}};
  p.cap_per_allocation = Decimal::from_int(1000);
  p.cap_per_day = Decimal::from_int(5000);
  return p;
}

struct HodlSession {
  explicit HodlSession(execution::HodlPolicy policy = test_policy(), RestoredAccount account = {},
                       bool margin = false) {
    PipelineOptions options;
    options.scope = {"h1", "paper"};
    options.symbols = {"BTC/USDT"};
    options.reconcile_interval = 0s;
    options.agents.regime_detection = false;
    options.hodl = std::move(policy);
    options.paper.margin = margin;
    PipelineOutputs outputs;
    outputs.record = [this](storage::Row row) {
      if (auto* a = std::get_if<storage::AuditLogRow>(&row)) audit.push_back(*a);
      if (auto* s = std::get_if<storage::RiskStateRow>(&row)) account_json = s->portfolio_json;
    };
    outputs.registry = &registry;
    auto strategy = std::make_unique<BuyThenSell>();
    strategy_ = strategy.get();
    outputs.strategy = std::move(strategy);
    pipeline = Pipeline::create(kernel, options, std::move(outputs)).value();
    testing::start_pipeline(kernel, *pipeline, std::move(account));
  }
  void trade(Decimal price) {
    at += 10s;
    testing::post_trade(kernel, price, Decimal::must("0.5"), at, ++id);
    kernel.advance_clock_to(at + 1s);
    kernel.run_until_empty();
  }
  // A long of `quote` bought at `entry` and sold at `exit`: a few trades at each price.
  void round_trip(Decimal quote, Decimal entry, Decimal exit) {
    at += 10min;  // past the cool-down after the last trade
    strategy_->buy_quote = quote;
    for (int i = 0; i < 3; ++i) trade(entry);
    strategy_->sell_next = true;
    for (int i = 0; i < 6; ++i) trade(exit);
  }
  std::vector<std::string> actions() const {
    std::vector<std::string> out;
    for (const auto& row : audit) out.push_back(row.action + " " + row.target);
    return out;
  }
  Decimal btc_bag() const {
    return Decimal::must(
        pipeline->hodl_json().at("bags").at("BTC").at("coins").as_string().c_str());
  }
  std::string metrics() const { return prometheus::TextSerializer().Serialize(registry.Collect()); }

  core::SimulatedClock clock{kStart};
  Kernel kernel{clock};
  prometheus::Registry registry;
  std::unique_ptr<Pipeline> pipeline;
  BuyThenSell* strategy_ = nullptr;
  std::vector<storage::AuditLogRow> audit;
  std::string account_json;
  core::Timestamp at = kStart;
  std::int64_t id = 0;
};

TEST(PipelineHodl, AProfitSetsItsShareAsideAndTheBagBuysItsCoinOnceDue) {
  HodlSession session;
  session.round_trip(Decimal::from_int(2000), Decimal::from_int(30000), Decimal::from_int(33000));
  ASSERT_EQ(session.pipeline->closed_trades().size(), 1u)
      << session.pipeline->summary().last_decision;
  const Decimal profit = session.pipeline->closed_trades().back().pnl_reporting;
  ASSERT_GT(profit, Decimal::from_int(40)) << "the half for BTC must reach its 20 threshold";
  // 50 % of the profit, half of it to each bag; the BTC half bought at once, the USDT half held.
  const std::vector<std::string> expected{"hodl.set_aside BTC", "hodl.set_aside USDT",
                                          "hodl.bought BTC"};
  EXPECT_EQ(session.actions(), expected);
  EXPECT_EQ(session.audit[0].role, "hodl");
  EXPECT_NE(session.audit[0].params_json.find("\"currency\":\"USDT\""), std::string::npos)
      << session.audit[0].params_json;
  const Decimal share =
      (profit * Decimal::from_int(50) / Decimal::from_int(100)).round(8, core::Rounding::kDown);
  const json::object hodl = session.pipeline->hodl_json();
  EXPECT_EQ(Decimal::must(hodl.at("set_aside_total").as_string().c_str()), share);
  const json::object& usdt = hodl.at("bags").at("USDT").as_object();
  const json::object& btc = hodl.at("bags").at("BTC").as_object();
  EXPECT_EQ(Decimal::must(usdt.at("cash").as_string().c_str()) +
                Decimal::must(btc.at("pending").as_string().c_str()) +
                Decimal::must(btc.at("invested").as_string().c_str()),
            share)
      << "every cent of the share is in a bag: " << json::serialize(hodl);
  const Decimal coins = session.btc_bag();
  ASSERT_TRUE(coins.is_positive()) << json::serialize(hodl);

  // The coins are the bag's: the account holds them, no position does.
  EXPECT_EQ(session.pipeline->portfolio().balance("BTC"), coins);
  EXPECT_TRUE(session.pipeline->portfolio().position_qty("BTC/USDT").is_zero());
  EXPECT_EQ(session.pipeline->closed_trades().size(), 1u) << "a bag's buy is no trade";

  // Shown: the status line, /portfolio and the metrics.
  session.trade(Decimal::from_int(33000));
  const PipelineSummary summary = session.pipeline->summary();
  EXPECT_EQ(summary.hodl.at("BTC").rfind(coins.to_string() + " BTC", 0), 0u)
      << summary.hodl.at("BTC");
  EXPECT_NE(summary.hodl.at("USDT").find("USDT held"), std::string::npos)
      << summary.hodl.at("USDT");
  EXPECT_TRUE(summary.hodl_value.is_positive());
  EXPECT_NE(
      session.metrics().find("tg4_hodl_coins{asset=\"BTC\"} " + coins.to_string().substr(0, 7)),
      std::string::npos)
      << session.metrics();
  EXPECT_NE(session.metrics().find("tg4_hodl_movements_total{kind=\"bought\"} 1"),
            std::string::npos);
  const json::object portfolio = session.pipeline->portfolio_json();
  EXPECT_TRUE(portfolio.contains("trading_equity")) << json::serialize(portfolio);
  // The risk engine judges trading's equity: the account's less the bags, coins at their last
  // price.
  const Decimal bags = Decimal::must(session.pipeline->hodl_json().at("value").as_string().c_str());
  EXPECT_EQ(session.pipeline->risk_state().equity.round(2),
            (session.pipeline->portfolio().equity() - bags).round(2));
}

TEST(PipelineHodl, NeitherTheStrategysExitsNorAFlattenSellTheBag) {
  HodlSession session;
  session.round_trip(Decimal::from_int(2000), Decimal::from_int(30000), Decimal::from_int(33000));
  const Decimal coins = session.btc_bag();
  ASSERT_TRUE(coins.is_positive());
  session.strategy_->sell_balance = true;
  session.round_trip(Decimal::from_int(1000), Decimal::from_int(33000), Decimal::from_int(32000));
  EXPECT_EQ(session.pipeline->closed_trades().size(), 2u)
      << session.pipeline->summary().last_decision;
  EXPECT_EQ(session.pipeline->portfolio().balance("BTC"), coins)
      << "the exit sold its own position only";

  session.at += 10min;
  session.strategy_->buy_quote = Decimal::from_int(1000);
  for (int i = 0; i < 3; ++i) session.trade(Decimal::from_int(32000));
  ASSERT_TRUE(session.pipeline->portfolio().position_qty("BTC/USDT").is_positive());
  session.kernel.post(Task([&] { ASSERT_TRUE(session.pipeline->flatten("test")); }));
  session.kernel.run_until_empty();
  for (int i = 0; i < 3; ++i) session.trade(Decimal::from_int(32000));
  EXPECT_TRUE(session.pipeline->portfolio().position_qty("BTC/USDT").is_zero());
  EXPECT_EQ(session.pipeline->portfolio().balance("BTC"), coins)
      << "flatten closes positions, not bags";
}

// A profit set aside is not a trading loss (docs/RISK.md, docs/PORTFOLIO.md): the risk engine's
// day start and peak leave with the share, so the daily PnL it judges is the trade's profit and
// the drawdown only what trading gave back. Here all of the profit goes to the bags: without that,
// the day read 0 and the drawdown the whole profit, and a large enough share tripped the daily-loss
// breaker on a winning day.
TEST(PipelineHodl, AProfitSetAsideIsNoLossToTheRiskEngine) {
  execution::HodlPolicy policy = test_policy();
  policy.profit_share_pct = Decimal::from_int(100);
  HodlSession session(policy);
  session.round_trip(Decimal::from_int(2000), Decimal::from_int(30000), Decimal::from_int(33000));
  ASSERT_EQ(session.pipeline->closed_trades().size(), 1u);
  const Decimal profit = session.pipeline->closed_trades().back().round_trip_pnl;
  ASSERT_GT(profit, Decimal::from_int(50));
  session.trade(Decimal::from_int(33000));  // a tick marks trading's equity after the buy
  const risk::RiskState& risk = session.pipeline->risk_state();
  const Decimal set_aside = Decimal::must(
      session.pipeline->hodl_json().at("set_aside_total").as_string().c_str());  // to 8 decimals
  EXPECT_EQ(risk.day_start_equity, Decimal::from_int(10000) - set_aside);
  EXPECT_EQ(risk.daily_pnl, profit) << "the day made the trade's profit, set aside or not";
  EXPECT_TRUE(risk.daily_pnl_pct.is_positive()) << risk.daily_pnl_pct;
  // Trading gave back only the exit's fee and slippage from the mark it peaked at.
  EXPECT_LT(risk.drawdown_pct, Decimal::must("0.1")) << "peak " << risk.peak_equity;
  EXPECT_EQ(risk.trading_state, risk::TradingState::kActive) << risk.state_reason;
}

TEST(PipelineHodl, TheBagsCashIsNotTradingsToSpend) {
  HodlSession session;
  session.round_trip(Decimal::from_int(2000), Decimal::from_int(30000), Decimal::from_int(33000));
  const json::object bags = session.pipeline->hodl_json().at("bags").as_object();
  const Decimal reserved = Decimal::must(bags.at("USDT").at("cash").as_string().c_str()) +
                           Decimal::must(bags.at("BTC").at("pending").as_string().c_str());
  ASSERT_TRUE(reserved.is_positive());
  const Decimal usdt = session.pipeline->portfolio().balance("USDT");
  session.at += 10min;
  // No intent: the risk state's margin is refreshed on the tick as rule 9 computes it for a USDT
  // pair (an intent would be judged by it and then fill, moving the cash the view shows).
  session.trade(Decimal::from_int(33000));
  EXPECT_EQ(session.pipeline->risk_state().available_margin, usdt - reserved)
      << "risk rule 9 judges the USDT trading may spend";
}

// On a margin venue the bags set their share aside but buy nothing (spot only, said on the status
// line), and their cash is taken off the free margin risk rule 9 judges.
TEST(PipelineHodl, OnMarginTheBagsWaitAndTheirCashIsNotFreeMargin) {
  HodlSession session(test_policy(), {}, true);
  session.round_trip(Decimal::from_int(2000), Decimal::from_int(30000), Decimal::from_int(33000));
  ASSERT_EQ(session.pipeline->closed_trades().size(), 1u)
      << session.pipeline->summary().last_decision;
  const std::vector<std::string> expected{"hodl.set_aside BTC", "hodl.set_aside USDT"};
  EXPECT_EQ(session.actions(), expected) << "no buy on margin";
  EXPECT_TRUE(session.pipeline->portfolio().balance("BTC").is_zero());
  session.trade(Decimal::from_int(33000));
  EXPECT_NE(session.pipeline->summary().hodl.at("BTC").find("waits: bags buy on a spot venue only"),
            std::string::npos)
      << session.pipeline->summary().hodl.at("BTC");
  const Decimal reserved =
      Decimal::must(session.pipeline->hodl_json().at("value").as_string().c_str());
  const Decimal free = session.pipeline->portfolio().free_margin();
  session.at += 10min;
  session.trade(Decimal::from_int(33000));  // the tick refreshes the margin rule 9 judges by
  // The venue's free margin and the portfolio's value the same account (to a cent's rounding).
  EXPECT_LT((session.pipeline->risk_state().available_margin - (free - reserved)).abs(),
            Decimal::must("0.01"))
      << "the free margin less the bags' cash";
}

TEST(PipelineHodl, ALossOrAProfitBelowTheMinimumSetsNothingAside) {
  HodlSession session;
  session.round_trip(Decimal::from_int(2000), Decimal::from_int(30000), Decimal::from_int(29000));
  EXPECT_TRUE(session.audit.empty());
  EXPECT_TRUE(session.pipeline->summary().hodl.empty());
  EXPECT_EQ(session.account_json.find("\"hodl\""), std::string::npos)
      << "no bags: the account state's older form";
}

// An exit that walks two levels of the book fills in two parts: one trade all the same. The risk
// engine counts one loss (not two, which would lengthen the cool-down and raise the confidence
// bar), and a profit sets its share aside once, on the whole trade's PnL.
TEST(PipelineHodl, AnExitFilledInTwoPartsIsOneTrade) {
  for (const bool losing : {true, false}) {
    SCOPED_TRACE(losing ? "a loss" : "a profit");
    HodlSession session;
    session.at += 10min;
    session.strategy_->buy_quote = Decimal::from_int(2000);
    for (int i = 0; i < 3; ++i) session.trade(Decimal::from_int(30000));
    const Decimal held = session.pipeline->portfolio().position_qty("BTC/USDT");
    ASSERT_TRUE(held.is_positive());
    const Decimal exit = Decimal::from_int(losing ? 29000 : 33000);
    // The best bid takes a fifth of the position; the rest fills a level lower.
    core::BookDelta book;
    book.symbol = "BTC/USDT";
    book.is_snapshot = true;
    book.bids = {{exit, (held / Decimal::from_int(5)).round(8)},
                 {exit - Decimal::from_int(10), Decimal::from_int(5)}};
    book.asks = {{exit + Decimal::from_int(10), Decimal::from_int(5)}};
    book.received = session.at;
    market::OrderBook probe("BTC/USDT");  // Kraken's checksum of these levels, as the feed sends it
    const core::Instrument btc = core::default_instrument("BTC/USDT");
    probe.set_precision(btc.price_precision, btc.qty_precision);
    probe.apply(book);
    book.checksum = probe.checksum();
    session.kernel.post(core::MarketEvent{book});
    session.strategy_->sell_next = true;
    for (int i = 0; i < 3; ++i) session.trade(exit);
    ASSERT_TRUE(session.pipeline->portfolio().position_qty("BTC/USDT").is_zero());
    ASSERT_EQ(session.pipeline->closed_trades().size(), 2u) << "the exit filled in two parts";
    if (losing) {
      EXPECT_EQ(session.pipeline->risk_state().consecutive_losses, 1);
    } else {
      const std::vector<std::string> once{"hodl.set_aside BTC", "hodl.set_aside USDT",
                                          "hodl.bought BTC"};
      EXPECT_EQ(session.actions(), once);
    }
  }
}

TEST(PipelineHodl, ARestartContinuesTheBags) {
  HodlSession first;
  first.round_trip(Decimal::from_int(2000), Decimal::from_int(30000), Decimal::from_int(33000));
  auto state = execution::portfolio_state_from_json(first.account_json);
  ASSERT_TRUE(state) << state.error().message;
  ASSERT_FALSE(state->hodl.bags.empty());
  RestoredAccount account;
  account.from_session = "h1";
  account.portfolio = *state;
  HodlSession second(test_policy(), std::move(account));
  auto continued = execution::portfolio_state_from_json(second.account_json);
  ASSERT_TRUE(continued) << continued.error().message;
  EXPECT_EQ(continued->hodl, state->hodl) << second.account_json;
  EXPECT_EQ(second.btc_bag(), first.btc_bag());
}

TEST(PipelineHodl, OffByDefault) {
  HodlSession session(execution::HodlPolicy{});
  session.round_trip(Decimal::from_int(2000), Decimal::from_int(30000), Decimal::from_int(33000));
  EXPECT_TRUE(session.audit.empty());
  EXPECT_TRUE(session.pipeline->portfolio().balance("BTC").is_zero());
  EXPECT_FALSE(session.pipeline->hodl_json().at("enabled").as_bool());
}

}  // namespace
}  // namespace tg4::kernel
