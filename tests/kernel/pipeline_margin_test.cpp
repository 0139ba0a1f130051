// The pipeline with paper.margin on: a strategy's short intent goes through the risk engine as a
// sell with its leverage (rule 6 caps it), reaches the paper venue as a margin order, and the open
// short comes back to the risk engine with its side, leverage and the free margin.
#include <gtest/gtest.h>

#include "execution/portfolio_state.hpp"
#include "kernel/pipeline.hpp"
#include "pipeline_trades.hpp"

namespace tg4::kernel {
namespace {

using core::Decimal;
using namespace core::literals;
using namespace std::chrono_literals;

using testing::kStart;

// Shorts BTC on the first trade at leverage 3 in a ranging market (rule 6 caps that at 2), and asks
// again on the fifth trade (refused by the trade cool-down, but the risk inputs are refreshed).
class ShortTwice final : public strategy::Strategy {
 public:
  explicit ShortTwice(bool active) : Strategy(strategy::Params{}), active_(active) {}
  std::string_view name() const override { return "short_twice"; }
  void on_trade(strategy::StrategyContext& ctx, const core::Trade& trade) override {
    ++trades_;
    if (!active_ || (trades_ != 1 && trades_ != 5)) return;
    margin_seen = ctx.margin_enabled();
    ctx.submit(testing::short_intent(trade.symbol, trade.price, 3_d, "ranging"));
  }
  bool margin_seen = false;

 private:
  bool active_;
  int trades_ = 0;
};

struct MarginSession {
  // `trading`: the strategy submits its intents (a restarted session only continues).
  explicit MarginSession(bool margin, core::Timestamp start = kStart, bool trading = true)
      : start(start), clock(start), kernel(clock) {
    PipelineOptions options;
    options.scope = {"m1", "paper"};
    options.symbols = {"BTC/USDT"};
    options.reconcile_interval = 0s;
    options.paper.margin = margin;
    PipelineOutputs outputs;
    outputs.record = [this](storage::Row row) {
      if (auto* risk = std::get_if<storage::RiskEventRow>(&row); risk != nullptr && risk->kind == "verdict") {
        verdicts.push_back(*risk);
      }
    };
    auto strategy = std::make_unique<ShortTwice>(trading);
    strategy_ = strategy.get();
    outputs.strategy = std::move(strategy);
    pipeline = Pipeline::create(kernel, options, std::move(outputs)).value();
  }
  void begin(RestoredAccount account = {}) { testing::start_pipeline(kernel, *pipeline, std::move(account)); }
  void trade(Decimal price, core::Duration at) { testing::post_trade(kernel, price, 0.5_d, start + at, ++trade_id); }
  const execution::ManagedOrder* order(execution::OrderRole role) const {
    for (const auto& [id, o] : pipeline->orders().orders()) {
      if (o.role == role) return &o;
    }
    return nullptr;
  }

  core::Timestamp start;
  core::SimulatedClock clock;
  Kernel kernel;
  std::unique_ptr<Pipeline> pipeline;
  ShortTwice* strategy_ = nullptr;
  std::vector<storage::RiskEventRow> verdicts;
  std::int64_t trade_id = 0;
};

TEST(PipelineMargin, AShortIntentGoesThroughRiskAsASellWithItsLeverage) {
  MarginSession s(true);
  s.begin();
  s.trade(50000_d, 1s);
  EXPECT_TRUE(s.strategy_->margin_seen);
  ASSERT_EQ(s.verdicts.size(), 1u);
  EXPECT_EQ(s.verdicts[0].verdict, "MODIFIED");
  EXPECT_NE(s.verdicts[0].reason.find("leverage 3 capped at 2"), std::string::npos) << s.verdicts[0].reason;
  const execution::ManagedOrder* entry = s.order(execution::OrderRole::kEntry);
  ASSERT_NE(entry, nullptr);
  EXPECT_EQ(entry->request.side, core::Side::kSell);
  EXPECT_FALSE(entry->request.reduce_only);
  EXPECT_EQ(entry->request.leverage, 2_d);
  // Margin 1500 / 3 = 500, x 0.75 (ranging) = 375; notional 375 x 2 = 750 = 0.015 BTC at 50000.
  EXPECT_EQ(entry->request.qty, 0.015_d);

  s.trade(50000_d, 2s);  // the entry fills (100 ms latency), then stop and target rest
  s.trade(49900_d, 3s);
  const execution::Position* position = s.pipeline->portfolio().position("BTC/USDT");
  ASSERT_NE(position, nullptr);
  EXPECT_EQ(position->qty, -0.015_d);
  EXPECT_TRUE(position->margin);
  EXPECT_EQ(position->leverage, 2_d);
  EXPECT_EQ(s.pipeline->portfolio().balance("BTC"), 0_d);
  const execution::ManagedOrder* stop = s.order(execution::OrderRole::kStopLoss);
  ASSERT_NE(stop, nullptr);
  EXPECT_EQ(stop->request.side, core::Side::kBuy);
  EXPECT_EQ(stop->request.trigger_price, 51000_d);
  EXPECT_EQ(s.pipeline->orders().open_count(), 2u);

  s.trade(49900_d, 4s);
  s.trade(49900_d, 5s);  // the second intent: the risk inputs now hold the short
  ASSERT_EQ(s.verdicts.size(), 2u);
  const risk::RiskState& risk = s.pipeline->risk_state();
  ASSERT_EQ(risk.open_positions.size(), 1u);
  EXPECT_EQ(risk.open_positions[0].side, core::Side::kSell);
  EXPECT_EQ(risk.open_positions[0].leverage, 2_d);
  EXPECT_EQ(risk.open_positions[0].exposure_usd, 748.5_d);  // 0.015 x 49900
  // Free margin: equity (with the short's unrealised PnL) less the 374.81 it holds.
  EXPECT_EQ(risk.available_margin, s.pipeline->portfolio().free_margin().round(8));
  EXPECT_LT(risk.available_margin, s.pipeline->portfolio().equity() - 370_d);
}

TEST(PipelineMargin, WithoutMarginTheSameSellIsAnExitAndSellsNothing) {
  MarginSession s(false);
  s.begin();
  s.trade(50000_d, 1s);
  EXPECT_FALSE(s.strategy_->margin_seen);
  s.trade(50000_d, 2s);
  const execution::ManagedOrder* exit = s.order(execution::OrderRole::kExit);
  ASSERT_NE(exit, nullptr);
  EXPECT_TRUE(exit->request.reduce_only);
  EXPECT_EQ(exit->request.leverage, 1_d);
  EXPECT_EQ(exit->status, core::OrderStatus::kCanceled) << exit->reason;
  const execution::Position* position = s.pipeline->portfolio().position("BTC/USDT");
  EXPECT_TRUE(position == nullptr || !position->is_open());
}

// A restart continues the short: its persisted form reaches the new portfolio and the paper venue,
// and the restored buy stop still covers it.
TEST(PipelineMargin, ARestartContinuesTheShortAndItsStop) {
  MarginSession first(true);
  first.begin();
  first.trade(50000_d, 1s);
  first.trade(50000_d, 2s);
  first.trade(49900_d, 3s);
  ASSERT_EQ(first.pipeline->orders().open_count(), 2u);

  RestoredAccount account;
  account.from_session = "m1";
  auto state = execution::portfolio_state_from_json(
      execution::portfolio_state_to_json(first.pipeline->portfolio().state()));
  ASSERT_TRUE(state) << state.error().message;
  account.portfolio = *state;
  account.risk = first.pipeline->risk_state();
  for (const execution::ManagedOrder* order : first.pipeline->orders().open_orders()) {
    account.open_orders.push_back(*order);
  }
  MarginSession second(true, kStart + 1h, false);
  second.begin(std::move(account));
  const execution::Portfolio& portfolio = second.pipeline->portfolio();
  ASSERT_NE(portfolio.position("BTC/USDT"), nullptr);
  EXPECT_EQ(portfolio.position("BTC/USDT")->qty, -0.015_d);
  EXPECT_EQ(portfolio.used_margin(), first.pipeline->portfolio().used_margin());
  EXPECT_EQ(second.pipeline->orders().open_count(), 2u);

  const Decimal usdt = portfolio.balance("USDT");
  const Decimal entry = portfolio.position("BTC/USDT")->avg_price;
  second.trade(51100_d, 1s);  // through the buy stop at 51000: covered at market
  second.trade(51100_d, 2s);
  EXPECT_FALSE(portfolio.position("BTC/USDT")->is_open());
  EXPECT_EQ(second.pipeline->orders().open_count(), 0u);
  ASSERT_FALSE(second.pipeline->fills().empty());
  const core::Fill cover = second.pipeline->fills().back();
  EXPECT_TRUE(cover.margin);
  EXPECT_EQ(cover.side, core::Side::kBuy);
  EXPECT_EQ(cover.qty, 0.015_d);
  // The short's loss and the cover's fee settle in USDT; BTC never moved.
  EXPECT_EQ(portfolio.balance("USDT"), usdt - (cover.price - entry) * 0.015_d - cover.fee);
  EXPECT_EQ(portfolio.balance("BTC"), 0_d);
}

}  // namespace
}  // namespace tg4::kernel
