// SPEC §7 rule 9 judges what pays for an intent: the quote currency of its symbol. An XRP/BTC buy
// is paid in BTC, so an account holding only USDT is refused by the risk engine (naming the
// numbers) instead of sending an order the venue must reject; with BTC it passes.
#include <gtest/gtest.h>

#include "kernel/pipeline.hpp"
#include "pipeline_trades.hpp"

namespace tg4::kernel {
namespace {

using core::Decimal;
using namespace core::literals;
using namespace std::chrono_literals;

using testing::kStart;

// A buy of `quote` (in the pair's quote currency) at the trade's price: a 2 % stop, a 4 % target, a
// trend (rule 5 keeps the size whole).
core::OrderIntent buy(const core::Trade& trade, Decimal quote) {
  core::OrderIntent intent;
  intent.symbol = trade.symbol;
  intent.side = core::Side::kBuy;
  intent.entry = trade.price;
  intent.size_quote = quote;
  intent.stop_loss = trade.price * 0.98_d;
  intent.take_profit = trade.price * 1.04_d;
  intent.confidence = 0.9;
  intent.regime = "trending";
  return intent;
}

// Buys 0.01 BTC worth of XRP on the first XRP/BTC trade it sees; with `btc_first`, first buys
// 2,000 USDT of BTC on the first BTC/USDT trade (a position whose coins are not XRP's to spend).
class BuyXrpWithBtc final : public strategy::Strategy {
 public:
  explicit BuyXrpWithBtc(bool btc_first = false)
      : Strategy(strategy::Params{}), btc_first_(btc_first) {}
  std::string_view name() const override { return "buy_xrp_btc"; }
  void on_trade(strategy::StrategyContext& ctx, const core::Trade& trade) override {
    if (trade.symbol == "BTC/USDT" && btc_first_) {
      btc_first_ = false;
      ctx.submit(buy(trade, 2000_d));
      return;
    }
    if (trade.symbol != "XRP/BTC" || done_) return;
    done_ = true;
    ctx.submit(buy(trade, 0.01_d));  // BTC
  }

 private:
  bool btc_first_;
  bool done_ = false;
};

struct FundedSession {
  explicit FundedSession(std::map<std::string, Decimal> balances, bool btc_first = false)
      : clock(kStart), kernel(clock) {
    PipelineOptions options;
    options.scope = {"f1", "paper"};
    options.symbols = {"BTC/USDT", "XRP/BTC"};
    options.reconcile_interval = 0s;
    options.starting_balances = std::move(balances);
    PipelineOutputs outputs;
    outputs.risk_events = [this](const risk::RiskEvent& event) {
      if (event.kind == risk::RiskEvent::Kind::kVerdict) verdicts.push_back(event);
    };
    outputs.strategy = std::make_unique<BuyXrpWithBtc>(btc_first);
    pipeline = Pipeline::create(kernel, options, std::move(outputs)).value();
    testing::start_pipeline(kernel, *pipeline);
    testing::post_trade(kernel, 50000_d, 0.1_d, kStart + 1s);  // BTC's price in USDT
    if (btc_first) {  // the BTC/USDT entry fills on the next trade, after the paper latency
      kernel.advance_clock_to(kStart + 1500ms);
      testing::post_trade(kernel, 50000_d, 0.1_d, kStart + 1500ms);
    }
    core::Trade xrp;
    xrp.symbol = "XRP/BTC";
    xrp.price = 0.00001_d;
    xrp.qty = 100_d;
    // After the trade cool-down of the BTC/USDT entry's fill, when there is one.
    xrp.time = xrp.received = btc_first ? kStart + 10min : kStart + 2s;
    kernel.advance_clock_to(xrp.time);
    kernel.post(xrp);
    kernel.run_until_empty();
  }

  core::SimulatedClock clock;
  Kernel kernel;
  std::unique_ptr<Pipeline> pipeline;
  std::vector<risk::RiskEvent> verdicts;
};

TEST(PipelineFunding, ABuyPaidInBtcIsRefusedWithoutBtc) {
  FundedSession s({{"USDT", 10000_d}});
  ASSERT_EQ(s.verdicts.size(), 1u);
  ASSERT_TRUE(s.verdicts[0].verdict);
  EXPECT_EQ(*s.verdicts[0].verdict, risk::VerdictStatus::kRejected);
  EXPECT_EQ(risk::rule_label(s.verdicts[0].rule), "9:margin_and_limits");
  // 0.01 BTC is 500 USDT, and the taker fee and slippage on it 1.55; the available BTC is worth 0.
  EXPECT_NE(s.verdicts[0].reason.find("insufficient margin: size 500 + fees and slippage 1.55 "
                                      "(0.31% of the notional 500) = 501.55 exceeds available 0"),
            std::string::npos)
      << s.verdicts[0].reason;
  EXPECT_EQ(s.pipeline->orders().orders().size(), 0u);
  // The status screen's last decision (published on the next tick) says why, not only "REJECTED".
  s.pipeline->finish();
  EXPECT_NE(s.pipeline->summary().last_decision.find("-> REJECTED: insufficient margin: size 500"), std::string::npos)
      << s.pipeline->summary().last_decision;
}

TEST(PipelineFunding, ABuyPaidInBtcPassesWithBtc) {
  FundedSession s({{"USDT", 10000_d}, {"BTC", 0.2_d}});
  ASSERT_EQ(s.verdicts.size(), 1u);
  ASSERT_TRUE(s.verdicts[0].verdict);
  EXPECT_NE(*s.verdicts[0].verdict, risk::VerdictStatus::kRejected) << s.verdicts[0].reason;
  EXPECT_EQ(s.pipeline->orders().orders().size(), 1u);
}

// The BTC of a BTC/USDT position is that position's: its stop and its exit sell it. An XRP/BTC buy
// paid with it left the position short of coins, its exit canceled ("nothing left to sell") and a
// dust position below the minimum that no stop could cover.
TEST(PipelineFunding, TheCoinsOfAnOpenPositionDoNotPayForAnotherPair) {
  FundedSession s({{"USDT", 10000_d}}, true);
  ASSERT_TRUE(s.pipeline->portfolio().position_qty("BTC/USDT").is_positive())
      << "the BTC/USDT entry filled";
  ASSERT_EQ(s.verdicts.size(), 2u);
  ASSERT_TRUE(s.verdicts[1].verdict);
  EXPECT_EQ(*s.verdicts[1].verdict, risk::VerdictStatus::kRejected) << s.verdicts[1].reason;
  EXPECT_NE(s.verdicts[1].reason.find("exceeds available 0"), std::string::npos)
      << s.verdicts[1].reason;
}

// Buys `quote` USDT of BTC (a trend, so rule 5 keeps the size whole) on the second BTC/USDT trade,
// once the equity counts the BTC at the first one's price.
class BuyBtc final : public strategy::Strategy {
 public:
  explicit BuyBtc(Decimal quote) : Strategy(strategy::Params{}), quote_(quote) {}
  std::string_view name() const override { return "buy_btc"; }
  void on_trade(strategy::StrategyContext& ctx, const core::Trade& trade) override {
    if (++seen_ == 2) ctx.submit(buy(trade, quote_));
  }

 private:
  Decimal quote_;
  int seen_ = 0;
};

struct CashSession {
  explicit CashSession(Decimal usdt) : clock(kStart), kernel(clock) {
    PipelineOptions options;
    options.scope = {"c1", "paper"};
    options.symbols = {"BTC/USDT"};
    options.reconcile_interval = 0s;
    options.agents.regime_detection = false;
    // Coins worth 10,000 besides the cash: rule 5's 20 % lets the whole 1,000 through.
    options.starting_balances = {{"USDT", usdt}, {"BTC", 0.2_d}};
    PipelineOutputs outputs;
    outputs.risk_events = [this](const risk::RiskEvent& event) {
      if (event.kind == risk::RiskEvent::Kind::kVerdict) events.push_back(event);
    };
    outputs.strategy = std::make_unique<BuyBtc>(1000_d);
    pipeline = Pipeline::create(kernel, options, std::move(outputs)).value();
    testing::start_pipeline(kernel, *pipeline);
    for (const auto at : {kStart + 1s, kStart + 3s, kStart + 5s}) {  // mark, buy, fill
      kernel.advance_clock_to(at);
      testing::post_trade(kernel, 50000_d, 0.1_d, at);
    }
  }

  core::SimulatedClock clock;
  Kernel kernel;
  std::unique_ptr<Pipeline> pipeline;
  std::vector<risk::RiskEvent> events;  // the verdicts
};

// SPEC §7 rule 9 against the funds a market buy takes: its size, the taker fee (0.26 %) and the
// paper venue's slippage (5 bps) on it. A buy of all of the free cash was approved, then refused by
// the venue ("insufficient USDT: need 1002.6") with no rejection counted anywhere.
TEST(PipelineFunding, Rule9CountsTheFeeAndSlippageOnTopOfTheSize) {
  CashSession exact(1000_d);
  ASSERT_EQ(exact.events.size(), 1u);
  EXPECT_EQ(*exact.events[0].verdict, risk::VerdictStatus::kRejected) << exact.events[0].reason;
  EXPECT_EQ(risk::rule_label(exact.events[0].rule), "9:margin_and_limits");
  EXPECT_NE(exact.events[0].reason.find("size 1000 + fees and slippage 3.1 (0.31% of the notional "
                                        "1000) = 1003.1 exceeds available 1000"),
            std::string::npos)
      << exact.events[0].reason;
  EXPECT_TRUE(exact.pipeline->orders().orders().empty()) << "nothing sent for the venue to refuse";

  CashSession enough(1003.1_d);
  ASSERT_EQ(enough.events.size(), 1u) << enough.events.back().reason;
  EXPECT_EQ(*enough.events[0].verdict, risk::VerdictStatus::kApproved) << enough.events[0].reason;
  EXPECT_TRUE(enough.pipeline->portfolio().position_qty("BTC/USDT").is_positive())
      << "the venue filled it";
}

}  // namespace
}  // namespace tg4::kernel
