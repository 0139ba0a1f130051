// agents::LlmAdvisor as the coordinator, against FakeLlmServer (real HTTP): the models' majority
// verdict with every answer recorded, the rules' verdict when the models give none, and
// coordinate() answering from the worker.
#include <gtest/gtest.h>

#include <mutex>
#include <optional>

#include "agents/llm_advisor.hpp"
#include "llm_test_fixture.hpp"
#include "support/eventually.hpp"

namespace tg4::agents {
namespace {

using tg4::testing::LlmBehaviour;
using namespace std::chrono_literals;

constexpr const char* kWaitAnswer = R"({"verdict":"wait","reasoning":"the trend is against it"})";
constexpr const char* kModifyAnswer = R"({"verdict":"modify","size_factor":0.4})";

// A BUY the technical reading opposes alone: the rules would wait.
CoordinationRequest opposed_buy() {
  CoordinationRequest request;
  request.symbol = "BTC/USDT";
  request.time = testing::kStart + 100h;
  request.advice.symbol = "BTC/USDT";
  request.advice.action = strategy::AdviceAction::kBuy;
  request.advice.confidence = 0.7;
  request.advice.source = "llm consensus 3 of 3";
  request.views = {{"technical", Bias::kShort, "technical short 0.70"}};
  request.conflict = find_conflict(Bias::kLong, request.views);
  request.agent_views = {"Technical analysis (5m bars): short 0.70 (rules)"};
  return request;
}

TEST(LlmCoordinator, TheMajorityVerdictWithEveryAnswerRecorded) {
  testing::LlmFixture f(3, "5", kModifyAnswer);
  f.server.set_reply_for_model("m3", LlmBehaviour::reply(kWaitAnswer));
  LlmAdvisor advisor(f.llm, f.agents, nullptr);
  const LlmAdvisor::CoordinationQuestion question =
      LlmAdvisor::coordination_question_for(opposed_buy());
  EXPECT_EQ(question.rules.verdict, CoordinatorVerdict::kWait);
  const Coordination verdict = advisor.coordinate_now(question);
  EXPECT_EQ(verdict.verdict, CoordinatorVerdict::kModify) << verdict.reasoning;
  EXPECT_DOUBLE_EQ(verdict.size_factor, 0.4);
  EXPECT_EQ(verdict.source, "llm 2 of 3");
  EXPECT_TRUE(verdict.by_models);
  ASSERT_EQ(verdict.votes.size(), 3u);
  for (const strategy::AdviceVote& vote : verdict.votes) {
    EXPECT_EQ(vote.agent, "coordinator");
    EXPECT_EQ(vote.prompt_hash, question.prompt.hash);
    EXPECT_TRUE(vote.error.empty()) << vote.error;
  }
  EXPECT_EQ(verdict.votes[2].action, "wait");
  ASSERT_EQ(f.server.request_count(), 3u);
  const std::string body = f.server.requests()[0].body;  // a copy: requests() returns a temporary
  EXPECT_NE(body.find("technical short 0.70 opposes"), std::string::npos) << body;
  EXPECT_NE(body.find("size_factor"), std::string::npos) << "the schema is asked for";
}

// Not JSON, a modify without its factor and one out of range: no valid answer, the rules judge.
TEST(LlmCoordinator, GarbageAnswersLeaveTheRulesVerdict) {
  testing::LlmFixture f(3, "5", "Proceed, obviously.");
  f.server.set_reply_for_model("m2", LlmBehaviour::reply(R"({"verdict":"modify"})"));
  f.server.set_reply_for_model("m3",
                               LlmBehaviour::reply(R"({"verdict":"modify","size_factor":1.5})"));
  LlmAdvisor advisor(f.llm, f.agents, nullptr);
  const Coordination verdict =
      advisor.coordinate_now(LlmAdvisor::coordination_question_for(opposed_buy()));
  EXPECT_EQ(verdict.verdict, CoordinatorVerdict::kWait) << "the rules' verdict";
  EXPECT_EQ(verdict.source, "rules (llm: 0 of 3 valid)");
  EXPECT_FALSE(verdict.by_models);
  ASSERT_EQ(verdict.votes.size(), 3u) << "every model asked is recorded";
  EXPECT_NE(verdict.votes[1].error.find("size_factor: missing"), std::string::npos)
      << verdict.votes[1].error;
  EXPECT_NE(verdict.votes[2].error.find("size_factor: 1.5 is outside 0..1"), std::string::npos)
      << verdict.votes[2].error;
}

// Like a decision, and unlike the readings, the coordinator may ask hosted models past the
// budget's warning level: it judges a trade.
TEST(LlmCoordinator, AsksPastTheBudgetWarningLevel) {
  testing::LlmFixture f(1, "5", kWaitAnswer);
  f.llm.budget_warn_usd = core::Decimal::must("0");
  LlmAdvisor advisor(f.llm, f.agents, nullptr);
  const Coordination verdict =
      advisor.coordinate_now(LlmAdvisor::coordination_question_for(opposed_buy()));
  EXPECT_EQ(verdict.source, "llm 1 of 1") << verdict.votes.front().error;
}

TEST(LlmCoordinator, CoordinateAnswersFromTheWorker) {
  testing::LlmFixture f(1, "5", kWaitAnswer);
  LlmAdvisor advisor(f.llm, f.agents, nullptr);
  std::mutex mutex;
  std::optional<Coordination> answered;
  advisor.coordinate(opposed_buy(), [&](Coordination c) {
    const std::lock_guard lock(mutex);
    answered = std::move(c);
  });
  ASSERT_TRUE(tg4::testing::eventually(
      [&] {
        const std::lock_guard lock(mutex);
        return answered.has_value();
      },
      10s));
  EXPECT_EQ(answered->verdict, CoordinatorVerdict::kWait);
  EXPECT_EQ(answered->source, "llm 1 of 1");
}

}  // namespace
}  // namespace tg4::agents
