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

// Buys 0.01 BTC worth of XRP on the first XRP/BTC trade it sees.
class BuyXrpWithBtc final : public strategy::Strategy {
 public:
  BuyXrpWithBtc() : Strategy(strategy::Params{}) {}
  std::string_view name() const override { return "buy_xrp_btc"; }
  void on_trade(strategy::StrategyContext& ctx, const core::Trade& trade) override {
    if (trade.symbol != "XRP/BTC" || done_) return;
    done_ = true;
    core::OrderIntent intent;
    intent.symbol = trade.symbol;
    intent.side = core::Side::kBuy;
    intent.entry = trade.price;
    intent.size_quote = 0.01_d;  // BTC
    intent.stop_loss = trade.price * 0.98_d;
    intent.take_profit = trade.price * 1.04_d;
    intent.confidence = 0.9;
    intent.regime = "trending";
    ctx.submit(std::move(intent));
  }

 private:
  bool done_ = false;
};

struct FundedSession {
  explicit FundedSession(std::map<std::string, Decimal> balances) : clock(kStart), kernel(clock) {
    PipelineOptions options;
    options.scope = {"f1", "paper"};
    options.symbols = {"BTC/USDT", "XRP/BTC"};
    options.reconcile_interval = 0s;
    options.starting_balances = std::move(balances);
    PipelineOutputs outputs;
    outputs.risk_events = [this](const risk::RiskEvent& event) {
      if (event.kind == risk::RiskEvent::Kind::kVerdict) verdicts.push_back(event);
    };
    outputs.strategy = std::make_unique<BuyXrpWithBtc>();
    pipeline = Pipeline::create(kernel, options, std::move(outputs)).value();
    testing::start_pipeline(kernel, *pipeline);
    testing::post_trade(kernel, 50000_d, 0.1_d, kStart + 1s);  // BTC's price in USDT
    core::Trade xrp;
    xrp.symbol = "XRP/BTC";
    xrp.price = 0.00001_d;
    xrp.qty = 100_d;
    xrp.time = xrp.received = kStart + 2s;
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
  // 0.01 BTC is 500 USDT; the available BTC is worth 0.
  EXPECT_NE(s.verdicts[0].reason.find("insufficient margin: size 500 exceeds available 0"), std::string::npos)
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

}  // namespace
}  // namespace tg4::kernel
