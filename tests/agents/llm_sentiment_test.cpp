// agents::LlmAdvisor as the sentiment agent, against FakeLlmServer (real HTTP): only search-capable
// providers are asked, at most agents.sentiment_max_providers; their answers are blended and
// recorded; and the circuit breaker stops the asking after three failed cycles, for its cool-down.
#include <gtest/gtest.h>

#include <mutex>
#include <optional>

#include "agents/llm_advisor.hpp"
#include "llm_test_fixture.hpp"
#include "support/eventually.hpp"

namespace tg4::agents {
namespace {

using core::Decimal;
using tg4::testing::LlmBehaviour;
using namespace std::chrono_literals;

constexpr const char* kPositive =
    R"({"bias":"long","score":0.5,"confidence":0.7,"key_events":["ETF inflows"],"reasoning":"upbeat"})";

// Four providers (m1..m4); m2, m3 and m4 search. The sentiment agent asks m2 and m3 (two at most).
struct SentimentFixture : testing::LlmFixture {
  SentimentFixture() : LlmFixture(4, "5", kPositive) {
    for (std::size_t i = 1; i < llm.providers.size(); ++i) llm.providers[i].search = true;
  }
  LlmAdvisor::SentimentQuestion question(core::Duration after = {}) const {
    return LlmAdvisor::sentiment_question_for({"BTC/USDT", testing::kStart + 100h + after},
                                              &market);
  }
};

TEST(LlmSentiment, AsksTwoSearchCapableModelsAndBlendsTheirAnswers) {
  SentimentFixture f;
  f.server.set_reply_for_model(
      "m3", LlmBehaviour::reply(
                R"({"bias":"neutral","score":0.1,"confidence":0.3,"key_events":["rate cut"]})"));
  LlmAdvisor advisor(f.llm, f.agents, nullptr);
  const LlmAdvisor::SentimentQuestion question = f.question();
  const SentimentReading reading = advisor.sense_now(question);
  ASSERT_TRUE(reading.known) << reading.source << ": " << reading.reasoning;
  EXPECT_DOUBLE_EQ(reading.score, 0.3);
  EXPECT_EQ(reading.bias, Bias::kLong);
  EXPECT_DOUBLE_EQ(reading.confidence, 0.5);
  EXPECT_EQ(reading.key_events, (std::vector<std::string>{"ETF inflows", "rate cut"}));
  EXPECT_EQ(reading.source, "llm 2 of 2");
  ASSERT_EQ(reading.votes.size(), 2u) << "m1 does not search, m4 is beyond the two asked";
  EXPECT_EQ(reading.votes[0].model, "m2");
  EXPECT_EQ(reading.votes[1].model, "m3");
  for (const strategy::AdviceVote& vote : reading.votes) {
    EXPECT_EQ(vote.agent, "sentiment");
    EXPECT_EQ(vote.prompt_hash, question.prompt.hash);
  }
  ASSERT_EQ(f.server.request_count(), 2u);
  EXPECT_NE(f.server.requests()[0].body.find("news and social media about BTC and USDT"),
            std::string::npos)
      << f.server.requests()[0].body;
}

TEST(LlmSentiment, WithoutASearchCapableProviderNoModelIsAsked) {
  testing::LlmFixture f(2, "5", kPositive);
  LlmAdvisor advisor(f.llm, f.agents, nullptr);
  const SentimentReading reading =
      advisor.sense_now(LlmAdvisor::sentiment_question_for({"BTC/USDT", testing::kStart}, nullptr));
  EXPECT_FALSE(reading.known);
  EXPECT_EQ(reading.source, "no search-capable provider configured");
  EXPECT_EQ(f.server.request_count(), 0u);
}

// Garbage three cycles in a row opens the breaker: the next cycles ask nobody until the cool-down
// (300 s) is over, then one cycle asks again, and a valid answer closes it.
TEST(LlmSentiment, TheBreakerOpensAfterThreeFailedCyclesAndRecovers) {
  SentimentFixture f;
  f.all_answer(LlmBehaviour::reply("Everyone is talking about it!"));
  LlmAdvisor advisor(f.llm, f.agents, nullptr);
  for (int i = 0; i < 3; ++i) {
    const SentimentReading failed = advisor.sense_now(f.question(std::chrono::seconds(i)));
    EXPECT_FALSE(failed.known);
    EXPECT_EQ(failed.votes.size(), 2u);
    EXPECT_NE(failed.votes[0].error.find("m2"), std::string::npos) << failed.votes[0].error;
  }
  EXPECT_EQ(f.server.request_count(), 6u);
  f.all_answer(LlmBehaviour::reply(kPositive));
  const SentimentReading open = advisor.sense_now(f.question(200s));
  EXPECT_FALSE(open.known);
  EXPECT_EQ(open.source.rfind("no model asked: the sentiment breaker is open until ", 0), 0u)
      << open.source;
  EXPECT_TRUE(open.votes.empty());
  EXPECT_EQ(f.server.request_count(), 6u) << "nothing asked while open";
  const SentimentReading recovered = advisor.sense_now(f.question(302s));
  EXPECT_TRUE(recovered.known) << recovered.source;
  EXPECT_EQ(f.server.request_count(), 8u);
}

// sense() returns at once; the reading comes from the worker thread.
TEST(LlmSentiment, SenseAnswersFromTheWorker) {
  SentimentFixture f;
  LlmAdvisor advisor(f.llm, f.agents, nullptr);
  std::mutex mutex;
  std::optional<SentimentReading> reading;
  advisor.sense({"BTC/USDT", testing::kStart}, nullptr, [&](SentimentReading r) {
    const std::lock_guard lock(mutex);
    reading = std::move(r);
  });
  ASSERT_TRUE(tg4::testing::eventually(
      [&] {
        const std::lock_guard lock(mutex);
        return reading.has_value();
      },
      10s));
  EXPECT_TRUE(reading->known);
  EXPECT_EQ(reading->bias, Bias::kLong);
}

}  // namespace
}  // namespace tg4::agents
