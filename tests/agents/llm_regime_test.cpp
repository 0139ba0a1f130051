// agents::LlmAdvisor as the regime agent, against FakeLlmServer (real HTTP): the models' consensus,
// the rules' reading when the models cannot give one, and what the regime path shares with the
// decision path (the worker thread, the daily budget, the degradation, stop()).
#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <optional>
#include <thread>

#include "agents/llm_advisor.hpp"
#include "llm_test_fixture.hpp"
#include "support/eventually.hpp"

namespace tg4::agents {
namespace {

using core::Decimal;
using tg4::testing::LlmBehaviour;
using namespace std::chrono_literals;

constexpr const char* kTrendingBullAnswer =
    R"({"regime":"trending_bull","confidence":0.8,"size_multiplier":1.2,"stop_multiplier":1.5,)"
    R"("target_multiplier":2,"strictness":"strict","reasoning":"ADX above 25, +DI leads"})";
constexpr const char* kRangingAnswer = R"({"regime":"ranging","confidence":0.6})";
constexpr const char* kChoppyAnswer = R"({"regime":"choppy","confidence":0.6})";

struct RegimeFixture : testing::LlmFixture {
  explicit RegimeFixture(int models, const std::string& budget = "5")
      : LlmFixture(models, budget, kTrendingBullAnswer) {}

  RegimeRequest request() const { return {"BTC/USDT", 60, testing::kStart + 100h}; }
  LlmAdvisor::RegimeQuestion question() const {
    return LlmAdvisor::regime_question_for(request(), market);
  }
  LlmAdvisor::Question decision_question() const {
    strategy::AdviceRequest r{"BTC/USDT", 60, Decimal{}, testing::kStart + 100h};
    return LlmAdvisor::question_for(r, market);
  }
};

TEST(LlmRegime, UnanimousModelsNameTheRegimeWithEveryAnswerRecorded) {
  RegimeFixture f(3);
  LlmAdvisor advisor(f.llm, f.agents, nullptr);
  const LlmAdvisor::RegimeQuestion question = f.question();
  const RegimeReading reading = advisor.assess_now(question);
  EXPECT_EQ(reading.regime, MarketRegime::kTrendingBull) << reading.reasoning;
  EXPECT_EQ(reading.source, "llm 3 of 3");
  EXPECT_TRUE(reading.by_models);
  EXPECT_NEAR(reading.confidence, 0.8, 1e-9);
  EXPECT_NEAR(reading.size_multiplier, 1.2, 1e-9);
  EXPECT_NEAR(reading.stop_multiplier, 1.5, 1e-9);
  EXPECT_NEAR(reading.target_multiplier, 2, 1e-9);
  EXPECT_EQ(reading.strictness, risk::Strictness::kStrict);
  EXPECT_EQ(reading.symbol, "BTC/USDT");
  ASSERT_EQ(reading.votes.size(), 3u);
  for (const strategy::AdviceVote& vote : reading.votes) {
    EXPECT_EQ(vote.agent, "regime");
    EXPECT_EQ(vote.action, "trending_bull") << vote.model << ": " << vote.error;
    EXPECT_EQ(vote.prompt_hash, question.prompt.hash);
    EXPECT_EQ(vote.cost_usd, Decimal::must("0.0003"));
    EXPECT_NE(vote.parsed_json.find(R"("strictness":"strict")"), std::string::npos)
        << vote.parsed_json;
  }
  ASSERT_EQ(f.server.request_count(), 3u);
  EXPECT_NE(f.server.requests()[0].body.find("Name the regime of BTC/USDT on the 1h timeframe"),
            std::string::npos)
      << "the regime question was asked";
}

// Two answers that are no regime leave one valid of three: the rules read the market, and their
// source says why the models did not.
TEST(LlmRegime, GarbageAnswersLeaveTheRulesReadingWithTheReason) {
  RegimeFixture f(3);
  f.server.set_reply_for_model("m2", LlmBehaviour::reply("The market looks bullish to me."));
  f.server.set_reply_for_model("m3",
                               LlmBehaviour::reply(R"({"regime":"sideways","confidence":1})"));
  LlmAdvisor advisor(f.llm, f.agents, nullptr);
  const LlmAdvisor::RegimeQuestion question = f.question();
  const RegimeReading reading = advisor.assess_now(question);
  EXPECT_EQ(reading.source, "rules (llm: 1 of 3 valid)");
  EXPECT_FALSE(reading.by_models);
  EXPECT_EQ(reading.regime, question.rules.regime);
  EXPECT_DOUBLE_EQ(reading.confidence, question.rules.confidence);
  EXPECT_NE(reading.reasoning.find("only 1 valid answer of 3 (3 needed)"), std::string::npos)
      << reading.reasoning;
  ASSERT_EQ(reading.votes.size(), 3u) << "every model asked is recorded";
  for (const strategy::AdviceVote& vote : reading.votes) {
    if (vote.model == "m1") {
      EXPECT_TRUE(vote.error.empty()) << vote.error;
      continue;
    }
    EXPECT_EQ(vote.action, "");
    EXPECT_NE(vote.error.find(vote.model), std::string::npos) << vote.error;
  }
  EXPECT_NE(reading.votes[2].error.find("regime: \"sideways\""), std::string::npos)
      << reading.votes[2].error;
}

TEST(LlmRegime, NoMajorityLeavesTheRulesReading) {
  RegimeFixture f(3);
  f.server.set_reply_for_model("m2", LlmBehaviour::reply(kRangingAnswer));
  f.server.set_reply_for_model("m3", LlmBehaviour::reply(kChoppyAnswer));
  LlmAdvisor advisor(f.llm, f.agents, nullptr);
  const RegimeReading reading = advisor.assess_now(f.question());
  EXPECT_EQ(reading.source, "rules (llm: no majority of 3 valid)");
  EXPECT_FALSE(reading.by_models);
}

// One budget for both agents: what regime cycles spend leaves nothing for a decision.
TEST(LlmRegime, RegimeSpendCountsAgainstTheDecisionsBudget) {
  RegimeFixture f(4, "0.001");  // one cycle costs 4 x 0.0003 = 0.0012
  LlmAdvisor advisor(f.llm, f.agents, nullptr);
  const RegimeReading regime = advisor.assess_now(f.question());
  ASSERT_EQ(regime.source, "llm 4 of 4");
  const strategy::Advice decision = advisor.decide_now(f.decision_question());
  EXPECT_EQ(decision.source, "rules (no model may be asked now)");
  ASSERT_EQ(decision.votes.size(), 4u);
  EXPECT_NE(decision.votes[0].error.find("budget"), std::string::npos) << decision.votes[0].error;
  const RegimeReading again = advisor.assess_now(f.question());
  EXPECT_EQ(again.source, "rules (no model may be asked now)");
  ASSERT_EQ(again.votes.size(), 4u);
  EXPECT_EQ(again.votes[0].agent, "regime");
  EXPECT_EQ(f.server.request_count(), 4u) << "nothing asked over budget";
}

// A model that spent its tokens and wrote nothing usable is paid for, in a regime cycle too.
TEST(LlmRegime, AnUnusableAnswerIsCharged) {
  RegimeFixture f(4, "0.001");
  f.all_answer(LlmBehaviour::truncated(R"({"regime":"tren)", 100, 20));
  LlmAdvisor advisor(f.llm, f.agents, nullptr);
  const RegimeReading first = advisor.assess_now(f.question());
  EXPECT_EQ(first.source, "rules (llm: 0 of 4 valid)");
  for (const strategy::AdviceVote& vote : first.votes) {
    EXPECT_FALSE(vote.error.empty());
    EXPECT_EQ(vote.cost_usd, Decimal::must("0.0003")) << vote.error;
  }
  const strategy::Advice decision = advisor.decide_now(f.decision_question());
  EXPECT_EQ(decision.source, "rules (no model may be asked now)") << "0.0012 spent of 0.001";
}

// Regime and decision cycles feed one Degradation: failed regime cycles reduce the decisions, and
// at EMERGENCY the rules read the regime although the models answer.
TEST(LlmRegime, FailedRegimeCyclesDegradeThePathOfBothAgents) {
  RegimeFixture f(4);
  LlmAdvisor advisor(f.llm, f.agents, nullptr);
  f.all_answer(LlmBehaviour::http_error(503, "overloaded"));
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(advisor.assess_now(f.question()).source, "rules (llm: 0 of 4 valid)");
  }
  f.all_answer(LlmBehaviour::reply(
      R"({"action":"BUY","confidence":0.8,"entry":31000,"stop":30500,"target":32000,"size_pct":10})"));
  const strategy::Advice reduced = advisor.decide_now(f.decision_question());
  EXPECT_NE(reduced.source.find("REDUCED"), std::string::npos) << reduced.source;

  f.all_answer(LlmBehaviour::http_error(503, "overloaded"));
  for (int i = 0; i < 6; ++i) (void)advisor.assess_now(f.question());  // to LIMITED, EMERGENCY
  f.all_answer(LlmBehaviour::reply(kTrendingBullAnswer));
  const RegimeReading emergency = advisor.assess_now(f.question());
  EXPECT_EQ(emergency.source, "rules (LLM path in EMERGENCY)");
  EXPECT_FALSE(emergency.by_models);
  EXPECT_EQ(emergency.votes.size(), 4u) << "the models are still asked, so the path can recover";
  EXPECT_NE(emergency.reasoning.find("4 of 4 valid answers say trending_bull"), std::string::npos)
      << emergency.reasoning;
}

// assess() returns at once; the reading comes from the worker, which answers decisions and regime
// questions in turn.
TEST(LlmRegime, AssessAnswersFromTheWorkerBetweenDecisions) {
  RegimeFixture f(2);
  f.agents.min_valid_answers = 1;
  LlmAdvisor advisor(f.llm, f.agents, nullptr);
  std::mutex mutex;
  std::optional<RegimeReading> reading;
  std::optional<strategy::Advice> advice;
  std::thread::id answered_on;
  advisor.ask({"BTC/USDT", 60, Decimal{}, testing::kStart + 100h}, f.market,
              [&](strategy::Advice a) {
                const std::lock_guard lock(mutex);
                advice = std::move(a);
              });
  advisor.assess(f.request(), f.market, [&](RegimeReading r) {
    const std::lock_guard lock(mutex);
    reading = std::move(r);
    answered_on = std::this_thread::get_id();
  });
  ASSERT_TRUE(tg4::testing::eventually(
      [&] {
        const std::lock_guard lock(mutex);
        return reading.has_value() && advice.has_value();
      },
      10s));
  EXPECT_EQ(reading->regime, MarketRegime::kTrendingBull);
  EXPECT_EQ(reading->source, "llm 2 of 2");
  EXPECT_NE(answered_on, std::this_thread::get_id());
  EXPECT_EQ(f.server.request_count(), 4u);
}

// Stopped (as a RegimeAgent) while the model thinks: the regime question is dropped, nothing is
// answered into a kernel that may be gone, and the destructor waits no longer than the call.
TEST(LlmRegime, StoppingDropsARegimeQuestionStillBeingAsked) {
  RegimeFixture f(1);
  f.server.set_reply_for_model("m1", LlmBehaviour::reply(kTrendingBullAnswer).after(1500ms));
  std::atomic<bool> answered = false;
  {
    LlmAdvisor advisor(f.llm, f.agents, nullptr);
    RegimeAgent& agent = advisor;
    agent.assess(f.request(), f.market, [&](RegimeReading) { answered = true; });
    ASSERT_TRUE(tg4::testing::eventually([&] { return f.server.request_count() == 1; }, 10s));
    agent.stop();
  }
  EXPECT_FALSE(answered);
}

}  // namespace
}  // namespace tg4::agents
