// SPEC §7 rule 9's order rate is one count, the risk engine's: every order the order manager hands
// the venue is in it (entries, exits, stops, targets), and it refuses new risk only. An exit the
// engine approved goes out; nothing after the verdict refuses an order without saying so: the
// refusal is logged as an order problem, recorded as a risk event next to the verdict, and counted.
#include <gtest/gtest.h>

#include "kernel/pipeline.hpp"
#include "pipeline_trades.hpp"

namespace tg4::kernel {
namespace {

using core::Decimal;
using namespace core::literals;
using namespace std::chrono_literals;
using testing::BuyThenSell;
using testing::kStart;

struct RateSession {
  // kraken_budget > 0: the order manager budgets Kraken's trading-rate counter at that maximum.
  explicit RateSession(int max_orders_per_minute, double kraken_budget = 0) {
    PipelineOptions options;
    options.scope = {"r1", "paper"};
    options.symbols = {"BTC/USDT"};
    options.reconcile_interval = 0s;
    options.agents.regime_detection = false;
    options.limits.max_orders_per_minute = max_orders_per_minute;
    // No cool-down between the trades: only rule 9 stands between them.
    options.limits.trade_cooldown = {};
    options.limits.loss_cooldowns.clear();
    if (kraken_budget > 0) {
      options.orders.budget_kraken_rate_counter = true;
      options.orders.kraken_limits = {kraken_budget, 0.0};
    }
    PipelineOutputs outputs;
    outputs.risk_events = [this](const risk::RiskEvent& event) { events.push_back(event); };
    auto strategy = std::make_unique<BuyThenSell>();
    strategy_ = strategy.get();
    outputs.strategy = std::move(strategy);
    pipeline = Pipeline::create(kernel, options, std::move(outputs)).value();
    testing::start_pipeline(kernel, *pipeline);
  }
  void trade(Decimal price) {
    at += 1s;
    kernel.advance_clock_to(at);
    testing::post_trade(kernel, price, 0.5_d, at, ++id);
  }
  std::vector<const execution::ManagedOrder*> orders(execution::OrderRole role) const {
    std::vector<const execution::ManagedOrder*> out;
    for (const auto& [cid, order] : pipeline->orders().orders()) {
      if (order.role == role) out.push_back(&order);
    }
    return out;
  }
  std::vector<risk::RiskEvent> of_kind(risk::RiskEvent::Kind kind) const {
    std::vector<risk::RiskEvent> out;
    for (const auto& e : events) {
      if (e.kind == kind) out.push_back(e);
    }
    return out;
  }

  core::SimulatedClock clock{kStart};
  Kernel kernel{clock};
  std::unique_ptr<Pipeline> pipeline;
  BuyThenSell* strategy_ = nullptr;
  std::vector<risk::RiskEvent> events;
  core::Timestamp at = kStart;
  std::int64_t id = 0;
};

// The audit's case (limit 2): an entry, its stop and its target fill the minute; the strategy's
// exit a few seconds later goes out all the same, and counts. A new entry in that minute is
// refused by rule 9, saying so and naming the key that sets the limit.
TEST(PipelineOrderRate, AnExitGoesOutWhateverTheRateAndANewEntryIsRefusedByRule9) {
  RateSession s(2);
  s.strategy_->buy_quote = 1000_d;
  s.trade(30000_d);  // the entry is sent
  s.trade(30000_d);  // it fills: its stop and target go out
  ASSERT_EQ(s.orders(execution::OrderRole::kEntry).size(), 1u);
  ASSERT_EQ(s.orders(execution::OrderRole::kStopLoss).size(), 1u);
  ASSERT_TRUE(s.pipeline->portfolio().position_qty("BTC/USDT").is_positive());
  EXPECT_EQ(s.pipeline->risk_state().order_times.size(), 3u)
      << "the entry, its stop and its target count in rule 9's rate";

  s.strategy_->sell_next = true;
  s.trade(30100_d);
  s.trade(30100_d);
  const auto exits = s.orders(execution::OrderRole::kExit);
  ASSERT_EQ(exits.size(), 1u) << "the exit the risk engine approved is sent";
  EXPECT_EQ(exits[0]->status, core::OrderStatus::kFilled) << exits[0]->reason;
  EXPECT_TRUE(s.pipeline->portfolio().position_qty("BTC/USDT").is_zero());
  EXPECT_EQ(s.pipeline->risk_state().order_times.size(), 4u) << "the exit counts too";

  s.strategy_->buy_quote = 1000_d;
  s.trade(30100_d);
  const auto verdicts = s.of_kind(risk::RiskEvent::Kind::kVerdict);
  ASSERT_EQ(verdicts.size(), 3u);
  ASSERT_TRUE(verdicts[2].verdict);
  EXPECT_EQ(*verdicts[2].verdict, risk::VerdictStatus::kRejected) << verdicts[2].reason;
  EXPECT_EQ(risk::rule_label(verdicts[2].rule), "9:margin_and_limits");
  EXPECT_NE(verdicts[2].reason.find("4 orders in the last minute, limit 2 "
                                    "(risk.max_orders_per_minute)"),
            std::string::npos)
      << verdicts[2].reason;
  EXPECT_EQ(s.orders(execution::OrderRole::kEntry).size(), 1u);
  EXPECT_TRUE(s.of_kind(risk::RiskEvent::Kind::kOrderRefused).empty());

  // A minute after the last order the rate has room again.
  s.at += 60s;
  s.strategy_->buy_quote = 1000_d;
  s.trade(30100_d);
  EXPECT_EQ(s.orders(execution::OrderRole::kEntry).size(), 2u);
}

// After an approval: an entry below the pair's minimum is rejected by the venue, and one over
// the Kraken rate counter's budget is refused by the order manager. Each is an order problem (log,
// status, tg4_order_problems_total), a risk event naming who refused it, and counted.
TEST(PipelineOrderRate, AnOrderRefusedAfterItsApprovalIsSaidRecordedAndCounted) {
  RateSession s(30, 1.0);
  s.strategy_->buy_quote = 1_d;  // x 0.5 (regime unknown): 0.0000166 BTC, below the minimum
  s.trade(30000_d);
  s.trade(30000_d);                 // the venue's answer, after its latency
  s.strategy_->buy_quote = 1000_d;  // the counter's one order is used
  s.trade(30000_d);

  const auto verdicts = s.of_kind(risk::RiskEvent::Kind::kVerdict);
  ASSERT_EQ(verdicts.size(), 2u);
  for (const auto& v : verdicts) {
    ASSERT_TRUE(v.verdict);
    EXPECT_TRUE(*v.verdict == risk::VerdictStatus::kApproved ||
                *v.verdict == risk::VerdictStatus::kModified)
        << v.reason;
  }
  const auto refused = s.of_kind(risk::RiskEvent::Kind::kOrderRefused);
  ASSERT_EQ(refused.size(), 2u);
  EXPECT_EQ(refused[0].refused_by, "venue");
  EXPECT_EQ(refused[0].intent_id, verdicts[0].intent_id);
  EXPECT_NE(refused[0].reason.find("below minimum"), std::string::npos) << refused[0].reason;
  EXPECT_EQ(refused[0].symbol, "BTC/USDT");
  EXPECT_EQ(refused[1].refused_by, "order_manager");
  EXPECT_EQ(refused[1].intent_id, verdicts[1].intent_id);
  EXPECT_NE(refused[1].reason.find("trading-rate counter"), std::string::npos) << refused[1].reason;

  s.pipeline->finish();
  const PipelineSummary summary = s.pipeline->summary();
  EXPECT_EQ(summary.orders_refused, 2u);
  EXPECT_EQ(summary.order_problems, 2u);
  ASSERT_EQ(summary.recent_problems.size(), 2u);
  EXPECT_NE(summary.recent_problems[0].find("refused by the venue"), std::string::npos)
      << summary.recent_problems[0];
  EXPECT_NE(summary.last_decision.find("BTC/USDT order of " + verdicts[1].intent_id +
                                       " refused by the order manager: Kraken trading-rate"),
            std::string::npos)
      << summary.last_decision;
  EXPECT_EQ(s.pipeline->status_json().at("orders_refused").as_uint64(), 2u);
}

}  // namespace
}  // namespace tg4::kernel
