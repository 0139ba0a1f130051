// agents::LlmAdvisor against FakeLlmServer, which speaks the OpenAI and Anthropic wire formats over
// real HTTP: the consensus of several models, answers that are not decisions, the daily budget, the
// degradation levels, and the worker thread that answers ask().
#include "agents/llm_advisor.hpp"

#include <gtest/gtest.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <condition_variable>
#include <mutex>
#include <thread>

#include "core/clock.hpp"
#include "llm_test_fixture.hpp"
#include "support/eventually.hpp"

namespace tg4::agents {
namespace {

using core::Decimal;
using strategy::AdviceAction;
using tg4::testing::FakeLlmServer;
using tg4::testing::LlmBehaviour;
using namespace std::chrono_literals;

constexpr const char* kBuy =
    R"({"action":"BUY","confidence":0.8,"entry":31000,"stop":30500,"target":32000,"size_pct":10,"reasoning":"up"})";

struct Fixture : testing::LlmFixture {
  explicit Fixture(int models, const std::string& budget = "5")
      : LlmFixture(models, budget, kBuy) {}

  LlmAdvisor::Question question() const {
    strategy::AdviceRequest request{"BTC/USDT", 60, Decimal{}, testing::kStart + 100h};
    return LlmAdvisor::question_for(request, market);
  }
};

TEST(LlmAdvisor, FourOfFiveModelsAgreeingIsABuyWithEveryAnswerRecorded) {
  Fixture f(5);
  f.server.set_reply_for_model("m5", LlmBehaviour::reply("I think the market will go up."));
  LlmAdvisor advisor(f.llm, f.agents, nullptr);
  const strategy::Advice advice = advisor.decide_now(f.question());
  EXPECT_EQ(advice.action, AdviceAction::kBuy) << advice.reasoning;
  EXPECT_EQ(advice.source, "llm consensus 4 of 5");
  EXPECT_TRUE(advice.by_models);
  EXPECT_NEAR(advice.confidence, 0.95, 1e-9);  // 0.8 + 0.15: the 4 valid answers are unanimous
  EXPECT_EQ(advice.stop, Decimal::from_int(30500));
  ASSERT_EQ(advice.votes.size(), 5u);
  for (const strategy::AdviceVote& vote : advice.votes) {
    EXPECT_EQ(vote.prompt_hash, f.question().prompt.hash);
    if (vote.model == "m5") {
      EXPECT_EQ(vote.action, "");
      EXPECT_NE(vote.error.find("m5"), std::string::npos) << vote.error;
      EXPECT_NE(vote.raw_response.find("go up"), std::string::npos) << "kept for the record";
    } else {
      EXPECT_EQ(vote.action, "BUY") << vote.model << ": " << vote.error;
      EXPECT_EQ(vote.tokens_in, 100);
      EXPECT_EQ(vote.tokens_out, 20);
      EXPECT_EQ(vote.cost_usd, Decimal::must("0.0003"));
    }
  }
  EXPECT_EQ(f.server.request_count(), 5u);
}

TEST(LlmAdvisor, TooFewValidAnswersIsAHoldThatSaysWhy) {
  Fixture f(5);
  f.server.set_reply_for_model("m2", LlmBehaviour::http_error(500, "internal error"));
  f.server.set_reply_for_model("m3", LlmBehaviour::garbage_body());
  LlmAdvisor advisor(f.llm, f.agents, nullptr);
  const strategy::Advice advice = advisor.decide_now(f.question());
  EXPECT_EQ(advice.action, AdviceAction::kHold);
  EXPECT_NE(advice.reasoning.find("3"), std::string::npos) << advice.reasoning;
  int errors = 0;
  for (const strategy::AdviceVote& vote : advice.votes) errors += vote.error.empty() ? 0 : 1;
  EXPECT_EQ(errors, 2);
}

// Over the day's budget only local models are asked; with none, the rules decide and each model not
// asked is recorded with the reason.
TEST(LlmAdvisor, OverTheDailyBudgetTheRulesDecide) {
  Fixture f(4, "0.001");  // one cycle costs 4 x 0.0003 = 0.0012
  LlmAdvisor advisor(f.llm, f.agents, nullptr);
  const strategy::Advice first = advisor.decide_now(f.question());
  EXPECT_EQ(first.source, "llm consensus 4 of 4");
  const strategy::Advice second = advisor.decide_now(f.question());
  EXPECT_TRUE(second.source.starts_with("rules")) << second.source;
  EXPECT_FALSE(second.by_models);
  ASSERT_EQ(second.votes.size(), 4u);
  EXPECT_NE(second.votes[0].error.find("budget"), std::string::npos) << second.votes[0].error;
  EXPECT_EQ(f.server.request_count(), 4u) << "nothing asked over budget";
}

// A model that spent its tokens and wrote nothing usable is paid for: recorded and charged.
TEST(LlmAdvisor, AnUnusableAnswerIsChargedAsItWasPaid) {
  Fixture f(4, "0.001");
  for (const auto& p : f.llm.providers) f.server.set_reply_for_model(p.model, LlmBehaviour::truncated("", 100, 20));
  LlmAdvisor advisor(f.llm, f.agents, nullptr);
  const strategy::Advice first = advisor.decide_now(f.question());
  EXPECT_EQ(first.action, AdviceAction::kHold);
  ASSERT_EQ(first.votes.size(), 4u);
  for (const strategy::AdviceVote& vote : first.votes) {
    EXPECT_FALSE(vote.error.empty());
    EXPECT_EQ(vote.cost_usd, Decimal::must("0.0003")) << vote.error;
    EXPECT_EQ(vote.tokens_out, 20);
  }
  const strategy::Advice second = advisor.decide_now(f.question());
  EXPECT_TRUE(second.source.starts_with("rules")) << "0.0012 spent of 0.001: " << second.source;
}

TEST(LlmAdvisor, ALocalModelIsStillAskedOverBudget) {
  Fixture f(4, "0.001");
  f.llm.providers[3].local = true;
  f.agents.min_valid_answers = 1;
  LlmAdvisor advisor(f.llm, f.agents, nullptr);
  (void)advisor.decide_now(f.question());
  const strategy::Advice second = advisor.decide_now(f.question());
  EXPECT_EQ(second.source, "llm consensus 1 of 1") << second.source;
  EXPECT_EQ(f.server.request_count(), 5u);
}

// Consecutive failed cycles step the path down: REDUCED halves the size, LIMITED opens nothing,
// EMERGENCY hands the decision to the rules (the models are still asked, so it can recover).
TEST(LlmAdvisor, FailedCyclesDegradeAndSuccessesRecover) {
  Fixture f(4);
  LlmAdvisor advisor(f.llm, f.agents, nullptr);
  const auto all_answer = [&](LlmBehaviour b) {
    for (const auto& p : f.llm.providers) f.server.set_reply_for_model(p.model, b);
  };
  all_answer(LlmBehaviour::http_error(503, "overloaded"));
  for (int i = 0; i < 3; ++i) (void)advisor.decide_now(f.question());
  all_answer(LlmBehaviour::reply(kBuy));
  strategy::Advice reduced = advisor.decide_now(f.question());  // a success, at REDUCED
  EXPECT_EQ(reduced.action, AdviceAction::kBuy);
  EXPECT_NE(reduced.source.find("REDUCED"), std::string::npos) << reduced.source;
  EXPECT_DOUBLE_EQ(reduced.size_pct, 5);
  EXPECT_DOUBLE_EQ(reduced.size_factor, 0.5) << "what the strategy sizes with";

  all_answer(LlmBehaviour::http_error(503, "overloaded"));
  for (int i = 0; i < 6; ++i)
    (void)advisor.decide_now(f.question());  // 3 to LIMITED, 3 to EMERGENCY
  all_answer(LlmBehaviour::reply(kBuy));
  const strategy::Advice emergency = advisor.decide_now(f.question());
  EXPECT_TRUE(emergency.source.starts_with("rules (LLM decision path in EMERGENCY)"))
      << emergency.source;
  EXPECT_FALSE(emergency.by_models) << "the rules decided: the strategy uses its own confidence";
  (void)advisor.decide_now(f.question());
  (void)advisor.decide_now(f.question());  // three successes: back to LIMITED
  const strategy::Advice limited = advisor.decide_now(f.question());
  EXPECT_EQ(limited.action, AdviceAction::kHold) << "flat: a BUY would open a position";
  EXPECT_NE(limited.source.find("LIMITED"), std::string::npos) << limited.source;
  EXPECT_FALSE(limited.may_open) << "checked again when the strategy acts on it";
}

// The value of one series of `registry`: the first of the family `name` whose labels include
// `label` = `value` (any when `label` is empty).
double metric_value(prometheus::Registry& registry, const std::string& name,
                    const std::string& label = "", const std::string& value = "") {
  for (const prometheus::MetricFamily& family : registry.Collect()) {
    if (family.name != name) continue;
    for (const prometheus::ClientMetric& metric : family.metric) {
      bool matches = label.empty();
      for (const prometheus::ClientMetric::Label& l : metric.label) {
        matches = matches || (l.name == label && l.value == value);
      }
      if (!matches) continue;
      return family.type == prometheus::MetricType::Counter ? metric.counter.value
                                                            : metric.gauge.value;
    }
  }
  ADD_FAILURE() << "no series " << name << " {" << label << "=" << value << "}";
  return -1;
}

double cost_of(const strategy::Advice& advice) {
  Decimal sum;
  for (const strategy::AdviceVote& vote : advice.votes) sum += vote.cost_usd;
  return sum.to_double();
}

// What the Agents & LLM dashboard and the budget and degradation alerts read: the budget from the
// start, then after each cycle the day's spend (the sum of what the models' answers cost), the
// degradation level and the cycle's outcome.
TEST(LlmAdvisor, MetricsFollowTheSpendTheDegradationAndEachCycle) {
  Fixture f(4);
  f.llm.budget_warn_usd = Decimal::must("4");
  prometheus::Registry registry;
  llm::LlmMetrics metrics(registry);
  LlmAdvisor advisor(f.llm, f.agents, &metrics);
  EXPECT_DOUBLE_EQ(metric_value(registry, "tg4_llm_budget_daily_usd"), 5);
  EXPECT_DOUBLE_EQ(metric_value(registry, "tg4_llm_budget_warn_usd"), 4);
  EXPECT_DOUBLE_EQ(metric_value(registry, "tg4_llm_budget_spent_usd"), 0);
  EXPECT_DOUBLE_EQ(metric_value(registry, "tg4_agents_degradation_level"), 0);

  const strategy::Advice first = advisor.decide_now(f.question());
  const strategy::Advice second = advisor.decide_now(f.question());
  ASSERT_EQ(second.source, "llm consensus 4 of 4");
  const double spent = cost_of(first) + cost_of(second);
  EXPECT_DOUBLE_EQ(spent, 0.0024);  // 8 answers of 0.0003
  EXPECT_DOUBLE_EQ(metric_value(registry, "tg4_llm_budget_spent_usd"), spent);
  EXPECT_EQ(metric_value(registry, "tg4_agents_cycles_total", "outcome", "consensus"), 2);

  for (const auto& p : f.llm.providers) {
    f.server.set_reply_for_model(p.model, LlmBehaviour::http_error(503, "overloaded"));
  }
  for (int i = 0; i < 3; ++i) {
    (void)advisor.decide_now(f.question());
    EXPECT_DOUBLE_EQ(metric_value(registry, "tg4_agents_degradation_level"), i < 2 ? 0 : 1)
        << "after " << i + 1 << " failed cycles";
  }
  EXPECT_EQ(metric_value(registry, "tg4_agents_cycles_total", "outcome", "no_consensus"), 3);
  EXPECT_EQ(metric_value(registry, "tg4_agents_cycles_total", "outcome", "consensus"), 2);
  EXPECT_EQ(metric_value(registry, "tg4_agents_cycles_total", "outcome", "rules"), 0);
  EXPECT_DOUBLE_EQ(metric_value(registry, "tg4_llm_budget_spent_usd"), spent)
      << "failed calls cost nothing";
}

// A cycle in which no model may be asked is counted as the rules', and leaves the spend as it was.
TEST(LlmAdvisor, MetricsCountACycleOverBudgetAsTheRules) {
  Fixture f(4, "0.001");  // one cycle costs 4 x 0.0003 = 0.0012
  prometheus::Registry registry;
  llm::LlmMetrics metrics(registry);
  LlmAdvisor advisor(f.llm, f.agents, &metrics);
  EXPECT_DOUBLE_EQ(metric_value(registry, "tg4_llm_budget_daily_usd"), 0.001);
  (void)advisor.decide_now(f.question());
  EXPECT_DOUBLE_EQ(metric_value(registry, "tg4_llm_budget_spent_usd"), 0.0012);
  EXPECT_GE(metric_value(registry, "tg4_llm_budget_spent_usd"),
            metric_value(registry, "tg4_llm_budget_daily_usd"))
      << "what TG4LlmBudgetExhausted compares";
  const strategy::Advice second = advisor.decide_now(f.question());
  ASSERT_TRUE(second.source.starts_with("rules")) << second.source;
  EXPECT_EQ(metric_value(registry, "tg4_agents_cycles_total", "outcome", "consensus"), 1);
  EXPECT_EQ(metric_value(registry, "tg4_agents_cycles_total", "outcome", "rules"), 1);
  EXPECT_DOUBLE_EQ(metric_value(registry, "tg4_llm_budget_spent_usd"), 0.0012);
}

// The daily budget is real money by the real day: the market's time in the question (a demo's or
// replay's simulated clock, days passing in minutes) does not open a new day's budget; the wall
// clock's midnight does.
TEST(LlmAdvisor, TheDailyBudgetFollowsTheWallClockNotTheMarketsTime) {
  Fixture f(4, "0.001");  // one cycle costs 4 x 0.0003 = 0.0012
  core::SimulatedClock wall(testing::kStart + 10h);
  LlmAdvisor advisor(f.llm, f.agents, nullptr, {}, &wall);
  const auto asked_at = [&](core::Timestamp t) {
    return LlmAdvisor::question_for(strategy::AdviceRequest{"BTC/USDT", 60, Decimal{}, t},
                                    f.market);
  };
  EXPECT_EQ(advisor.decide_now(asked_at(testing::kStart + 100h)).source, "llm consensus 4 of 4");
  const strategy::Advice next_market_day = advisor.decide_now(asked_at(testing::kStart + 148h));
  EXPECT_TRUE(next_market_day.source.starts_with("rules")) << next_market_day.source;
  EXPECT_EQ(f.server.request_count(), 4u) << "two market days later, the same real day";
  wall.advance_by(std::chrono::hours(24));
  EXPECT_EQ(advisor.decide_now(asked_at(testing::kStart + 149h)).source, "llm consensus 4 of 4")
      << "the next real day";
}

// Answers without usage (some gateways send none) are charged their worst case, 600 answer tokens
// and the prompt at 4 characters a token, not nothing: the daily budget holds.
TEST(LlmAdvisor, AnswersWithoutUsageAreChargedTheirWorstCaseSoTheBudgetHolds) {
  Fixture f(2, "0.01");  // each answer's worst case is over 0.006 USD (600 tokens out at 10/M)
  f.agents.min_valid_answers = 1;
  f.all_answer(LlmBehaviour::reply(kBuy).with_usage(""));
  LlmAdvisor advisor(f.llm, f.agents, nullptr);
  const strategy::Advice first = advisor.decide_now(f.question());
  ASSERT_EQ(first.source, "llm consensus 2 of 2");
  for (const strategy::AdviceVote& vote : first.votes) {
    EXPECT_EQ(vote.tokens_out, 600) << vote.model;
    EXPECT_GT(vote.cost_usd, Decimal::must("0.006")) << vote.model;
  }
  const strategy::Advice second = advisor.decide_now(f.question());
  EXPECT_TRUE(second.source.starts_with("rules")) << second.source;
  EXPECT_EQ(f.server.request_count(), 2u) << "nothing asked over budget";
}

// An answer that is not the decision asked for is counted as bad_answer for its provider and
// model in tg4_llm_requests_total, not ok (which would show a model writing prose as healthy).
TEST(LlmAdvisor, AnUnusableAnswerIsCountedAsABadAnswerOfItsModel) {
  Fixture f(2);
  f.server.set_reply_for_model("m2", LlmBehaviour::reply("I think the market is bullish."));
  prometheus::Registry registry;
  llm::LlmMetrics metrics(registry);
  LlmAdvisor advisor(f.llm, f.agents, &metrics);
  (void)advisor.decide_now(f.question());
  const std::string text = prometheus::TextSerializer().Serialize(registry.Collect());
  for (const char* line :
       {R"(tg4_llm_requests_total{model="m2",outcome="bad_answer",provider="claude"} 1)",
        R"(tg4_llm_requests_total{model="m2",outcome="ok",provider="claude"} 0)",
        R"(tg4_llm_requests_total{model="m1",outcome="ok",provider="gpt"} 1)"}) {
    EXPECT_NE(text.find(std::string(line) + "\n"), std::string::npos) << line << "\n" << text;
  }
}

// ask() returns at once; the answer comes from the worker thread.
TEST(LlmAdvisor, AskAnswersFromItsWorkerThread) {
  Fixture f(4);
  LlmAdvisor advisor(f.llm, f.agents, nullptr);
  std::mutex mutex;
  std::optional<strategy::Advice> answer;
  std::thread::id answered_on;
  strategy::AdviceRequest request{"BTC/USDT", 60, Decimal{}, testing::kStart + 100h};
  advisor.ask(request, f.market, [&](strategy::Advice advice) {
    const std::lock_guard lock(mutex);
    answer = std::move(advice);
    answered_on = std::this_thread::get_id();
  });
  ASSERT_TRUE(tg4::testing::eventually(
      [&] {
        const std::lock_guard lock(mutex);
        return answer.has_value();
      },
      10s));
  EXPECT_EQ(answer->action, AdviceAction::kBuy);
  EXPECT_NE(answered_on, std::this_thread::get_id());
}

// Destroyed while a model is still thinking: the question is dropped, nothing is answered into a
// kernel that may be gone, and the destructor waits no longer than the call's timeout.
TEST(LlmAdvisor, StoppingDropsAQuestionStillBeingAsked) {
  Fixture f(1);
  f.agents.min_valid_answers = 1;
  f.server.set_reply_for_model("m1", LlmBehaviour::reply(kBuy).after(1500ms));
  bool answered = false;
  {
    LlmAdvisor advisor(f.llm, f.agents, nullptr);
    strategy::AdviceRequest request{"BTC/USDT", 60, Decimal{}, testing::kStart + 100h};
    advisor.ask(request, f.market, [&](strategy::Advice) { answered = true; });
    ASSERT_TRUE(tg4::testing::eventually([&] { return f.server.request_count() == 1; }, 10s));
  }
  EXPECT_FALSE(answered);
}

}  // namespace
}  // namespace tg4::agents
