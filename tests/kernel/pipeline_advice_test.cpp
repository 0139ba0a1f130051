// A strategy's question to the advisor, through the pipeline: llm_consensus asks at each closed bar,
// the answer (here the rules', the default advisor) comes back through the kernel queue, is recorded
// (one verdict row in decisions), acted on, and scored an hour later (model_scores).
#include <gtest/gtest.h>

#include "core/clock.hpp"
#include "kernel/pipeline.hpp"
#include "pipeline_trades.hpp"
#include "storage/batch.hpp"

namespace tg4::kernel {
namespace {

using core::Decimal;
using namespace std::chrono_literals;
using testing::kStart;

struct AdvisedSession {
  AdvisedSession() {
    PipelineOptions options;
    options.scope = {"s1", "paper"};
    options.symbols = {"BTC/USDT"};
    options.strategy = "llm_consensus";
    options.strategy_params = {{"timeframe", "1"}, {"confidence", "1"}};
    PipelineOutputs outputs;
    outputs.record = [this](storage::Row row) { rows.add(std::move(row)); };
    pipeline = Pipeline::create(kernel, options, std::move(outputs)).value();
    testing::start_pipeline(kernel, *pipeline);
  }
  // A trade every 30 s for `minutes`, the price rising faster and faster (a steady rise leaves the
  // MACD histogram at 0): the rules turn to BUY once RSI and MACD are warm.
  void rising_market(int minutes) {
    for (int i = 0; i < 2 * minutes; ++i) {
      const core::Timestamp at = kStart + std::chrono::seconds(30 * i);
      testing::post_trade(kernel, Decimal::from_double(30'000 * (1 + 0.000002 * i * i), 2), Decimal::must("0.1"), at, i + 1);
      kernel.advance_clock_to(at + 1s);
    }
  }

  core::SimulatedClock clock{kStart};
  Kernel kernel{clock};
  std::unique_ptr<Pipeline> pipeline;
  storage::Batch rows;
};

TEST(PipelineAdvice, AdviceIsRecordedActedOnAndScoredAnHourLater) {
  AdvisedSession session;
  session.rising_market(90);
  const auto& decisions = session.rows.rows<storage::DecisionRow>();
  ASSERT_GE(decisions.size(), 80u) << "one verdict per closed 1m bar";
  for (const storage::DecisionRow& row : decisions) {
    EXPECT_EQ(row.provider, "rules");
    EXPECT_EQ(row.model, "rules");
    EXPECT_EQ(row.session_id, "s1");
  }
  EXPECT_EQ(decisions.front().action, "HOLD") << "indicators still warming up";
  EXPECT_EQ(decisions.back().action, "BUY") << decisions.back().parsed_json;
  EXPECT_GE(session.pipeline->summary().approved, 1u) << session.pipeline->summary().last_decision;
  // The status screen and /status say what the advisor said last.
  EXPECT_NE(session.pipeline->summary().last_advice.find("BTC/USDT BUY at "), std::string::npos)
      << session.pipeline->summary().last_advice;
  EXPECT_NE(session.pipeline->summary().last_advice.find("(rules)"), std::string::npos);

  const auto& scores = session.rows.rows<storage::ModelScoreRow>();
  ASSERT_FALSE(scores.empty()) << "the first verdicts are an hour old";
  const storage::ModelScoreRow& last = scores.back();
  EXPECT_EQ(last.agent, "decision");
  EXPECT_EQ(last.model, "rules");
  EXPECT_EQ(last.window, "1h");
  EXPECT_GE(last.decisions, 20);
  EXPECT_EQ(last.wins + last.losses, last.decisions);
}

}  // namespace
}  // namespace tg4::kernel
