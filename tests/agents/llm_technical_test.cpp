// agents::LlmAdvisor as the technical analysis agent, against FakeLlmServer (real HTTP): the
// models' consensus with every answer recorded, the rules' reading when the models give none, the
// shared budget, and analyse() answering from the worker.
#include <gtest/gtest.h>

#include <mutex>
#include <optional>
#include <thread>

#include "agents/llm_advisor.hpp"
#include "llm/llm_metrics.hpp"
#include "llm_test_fixture.hpp"
#include "support/eventually.hpp"

namespace tg4::agents {
namespace {

using core::Decimal;
using tg4::testing::LlmBehaviour;
using namespace std::chrono_literals;

constexpr const char* kLongAnswer =
    R"({"trend":{"direction":"up","strength":0.7},"momentum":0.4,"rsi_signal":"neutral",)"
    R"("macd_signal":"bullish","support":30500,"resistance":32000,"bias":"long","confidence":0.8,)"
    R"("reasoning":"higher highs, MACD above its signal"})";
constexpr const char* kShortAnswer =
    R"({"trend":{"direction":"down","strength":0.5},"momentum":-0.3,"bias":"short","confidence":0.6})";
constexpr const char* kNeutralAnswer =
    R"({"trend":{"direction":"sideways","strength":0.1},"momentum":0,"bias":"neutral","confidence":0.5})";

struct TechnicalFixture : testing::LlmFixture {
  explicit TechnicalFixture(int models, const std::string& budget = "5")
      : LlmFixture(models, budget, kLongAnswer) {}

  TechnicalRequest request() const { return {"BTC/USDT", 60, testing::kStart + 100h}; }
  LlmAdvisor::TechnicalQuestion question() const {
    return LlmAdvisor::technical_question_for(request(), market);
  }
};

TEST(LlmTechnical, UnanimousModelsGiveTheReadingWithEveryAnswerRecorded) {
  TechnicalFixture f(3);
  prometheus::Registry registry;
  llm::LlmMetrics metrics(registry);
  LlmAdvisor advisor(f.llm, f.agents, &metrics);
  const LlmAdvisor::TechnicalQuestion question = f.question();
  const TechnicalReading reading = advisor.analyse_now(question);
  EXPECT_TRUE(reading.known);
  EXPECT_EQ(reading.bias, Bias::kLong) << reading.reasoning;
  EXPECT_EQ(reading.source, "llm 3 of 3");
  EXPECT_TRUE(reading.by_models);
  EXPECT_NEAR(reading.confidence, 0.8, 1e-9);
  EXPECT_EQ(reading.trend, TrendDirection::kUp);
  EXPECT_NEAR(reading.trend_strength, 0.7, 1e-9);
  EXPECT_NEAR(reading.momentum, 0.4, 1e-9);
  EXPECT_EQ(reading.macd_signal, MacdSignal::kBullish);
  ASSERT_TRUE(reading.support && reading.resistance);
  EXPECT_DOUBLE_EQ(*reading.support, 30500);
  EXPECT_DOUBLE_EQ(*reading.resistance, 32000);
  ASSERT_EQ(reading.votes.size(), 3u);
  for (const strategy::AdviceVote& vote : reading.votes) {
    EXPECT_EQ(vote.agent, "technical");
    EXPECT_EQ(vote.action, "long") << vote.model << ": " << vote.error;
    EXPECT_EQ(vote.prompt_hash, question.prompt.hash);
    EXPECT_EQ(vote.cost_usd, Decimal::must("0.0003"));
  }
  ASSERT_EQ(f.server.request_count(), 3u);
  EXPECT_NE(f.server.requests()[0].body.find("BTC/USDT"), std::string::npos);
  EXPECT_NE(f.server.requests()[0].body.find("macd_signal"), std::string::npos)
      << "the schema is asked for";
  const auto families = registry.Collect();
  bool counted = false;
  for (const auto& family : families) {
    if (family.name != "tg4_agents_technical_cycles_total") continue;
    for (const auto& metric : family.metric) {
      if (metric.label[0].value == "consensus") counted = metric.counter.value == 1;
    }
  }
  EXPECT_TRUE(counted) << "one consensus cycle in tg4_agents_technical_cycles_total";
}

// Garbage, an answer out of bounds and a timeout-like error leave one valid of three: the rules
// read the market, and their source says why the models did not.
TEST(LlmTechnical, GarbageAnswersLeaveTheRulesReadingWithTheReason) {
  TechnicalFixture f(3);
  f.server.set_reply_for_model("m2", LlmBehaviour::reply("Looks bullish to me, buy the dip."));
  f.server.set_reply_for_model(
      "m3", LlmBehaviour::reply(
                R"({"trend":{"direction":"up","strength":1.5},"momentum":0.4,"bias":"long",)"
                R"("confidence":0.8})"));
  LlmAdvisor advisor(f.llm, f.agents, nullptr);
  const LlmAdvisor::TechnicalQuestion question = f.question();
  const TechnicalReading reading = advisor.analyse_now(question);
  EXPECT_EQ(reading.source, "rules (llm: 1 of 3 valid)");
  EXPECT_FALSE(reading.by_models);
  EXPECT_EQ(reading.bias, question.rules.bias);
  EXPECT_NE(reading.reasoning.find("only 1 valid answer of 3 (3 needed)"), std::string::npos)
      << reading.reasoning;
  ASSERT_EQ(reading.votes.size(), 3u) << "every model asked is recorded";
  EXPECT_NE(reading.votes[2].error.find("trend.strength: 1.5 is outside 0..1"), std::string::npos)
      << reading.votes[2].error;
  EXPECT_NE(reading.votes[1].error.find("m2"), std::string::npos) << reading.votes[1].error;
}

TEST(LlmTechnical, NoMajorityLeavesTheRulesReading) {
  TechnicalFixture f(3);
  f.server.set_reply_for_model("m2", LlmBehaviour::reply(kShortAnswer));
  f.server.set_reply_for_model("m3", LlmBehaviour::reply(kNeutralAnswer));
  LlmAdvisor advisor(f.llm, f.agents, nullptr);
  const TechnicalReading reading = advisor.analyse_now(f.question());
  EXPECT_EQ(reading.source, "rules (llm: no majority of 3 valid)");
  EXPECT_FALSE(reading.by_models);
}

// One budget for every agent: technical cycles spend it too.
TEST(LlmTechnical, TechnicalSpendCountsAgainstTheDayBudget) {
  TechnicalFixture f(4, "0.001");  // one cycle costs 4 x 0.0003 = 0.0012
  LlmAdvisor advisor(f.llm, f.agents, nullptr);
  ASSERT_EQ(advisor.analyse_now(f.question()).source, "llm 4 of 4");
  const TechnicalReading again = advisor.analyse_now(f.question());
  EXPECT_EQ(again.source, "rules (no model may be asked now)");
  ASSERT_EQ(again.votes.size(), 4u);
  EXPECT_EQ(again.votes[0].agent, "technical");
  EXPECT_NE(again.votes[0].error.find("budget"), std::string::npos) << again.votes[0].error;
  EXPECT_EQ(f.server.request_count(), 4u) << "nothing asked over budget";
}

// analyse() returns at once; the reading comes from the worker thread.
TEST(LlmTechnical, AnalyseAnswersFromTheWorker) {
  TechnicalFixture f(2);
  f.agents.min_valid_answers = 1;
  LlmAdvisor advisor(f.llm, f.agents, nullptr);
  std::mutex mutex;
  std::optional<TechnicalReading> reading;
  std::thread::id answered_on;
  advisor.analyse(f.request(), f.market, [&](TechnicalReading r) {
    const std::lock_guard lock(mutex);
    reading = std::move(r);
    answered_on = std::this_thread::get_id();
  });
  ASSERT_TRUE(tg4::testing::eventually(
      [&] {
        const std::lock_guard lock(mutex);
        return reading.has_value();
      },
      10s));
  EXPECT_EQ(reading->bias, Bias::kLong);
  EXPECT_EQ(reading->source, "llm 2 of 2");
  EXPECT_NE(answered_on, std::this_thread::get_id());
}

}  // namespace
}  // namespace tg4::agents

namespace tg4::agents {
namespace {

// The readings stop asking hosted models at the budget's warning level: the rest of the day's
// budget is kept for the decisions that trade.
TEST(LlmTechnical, PastTheWarningLevelTheRestIsKeptForDecisions) {
  TechnicalFixture f(4, "0.01");
  f.llm.budget_warn_usd = Decimal::must("0.001");  // one cycle of 4 models costs 0.0012
  LlmAdvisor advisor(f.llm, f.agents, nullptr);
  ASSERT_EQ(advisor.analyse_now(f.question()).source, "llm 4 of 4");
  const TechnicalReading kept = advisor.analyse_now(f.question());
  EXPECT_EQ(kept.source, "rules (no model may be asked now)");
  ASSERT_EQ(kept.votes.size(), 4u);
  EXPECT_NE(kept.votes[0].error.find("the rest is kept for trading decisions"), std::string::npos)
      << kept.votes[0].error;
  EXPECT_EQ(f.server.request_count(), 4u);
  f.all_answer(LlmBehaviour::reply(
      R"({"action":"BUY","confidence":0.8,"entry":31000,"stop":30500,"target":32000,"size_pct":10})"));
  strategy::AdviceRequest request{"BTC/USDT", 60, Decimal{}, testing::kStart + 100h};
  const strategy::Advice decision = advisor.decide_now(LlmAdvisor::question_for(request, f.market));
  EXPECT_TRUE(decision.by_models) << decision.source
                                  << ": a decision may spend up to the budget itself";
  EXPECT_EQ(f.server.request_count(), 8u);
}

}  // namespace
}  // namespace tg4::agents
