// The sentiment agent's pure parts (SPEC §6): one model's answer validated, the answers blended by
// weight into a score and a bias, and the circuit breaker that stops asking after failures.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "agents/model_sentiment.hpp"
#include "agents/sentiment_blend.hpp"
#include "agents/sentiment_breaker.hpp"
#include "agents_test_util.hpp"

namespace tg4::agents {
namespace {

using namespace std::chrono_literals;

core::Result<ModelSentiment> parse_sentiment(std::string_view json_text) {
  return parse_model_sentiment(boost::json::parse(json_text).as_object());
}

std::string sentiment_error(std::string_view json_text) {
  const auto parsed = parse_sentiment(json_text);
  return parsed ? std::string("(valid)") : parsed.error().message;
}

TEST(ModelSentiment, AFullAnswerIsRead) {
  const auto s = parse_sentiment(
      R"json({"bias":"Long","score":"0.45","confidence":"70%","key_events":["ETF inflows (Reuters, 2026-01-01)",)json"
      R"json(" ","exchange hack denied"],"reasoning":"mostly positive"})json");
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(s->bias, Bias::kLong);
  EXPECT_DOUBLE_EQ(s->score, 0.45);
  EXPECT_DOUBLE_EQ(s->confidence, 0.7);
  EXPECT_EQ(s->key_events,
            (std::vector<std::string>{"ETF inflows (Reuters, 2026-01-01)", "exchange hack denied"}))
      << "blank events are dropped";
  EXPECT_EQ(s->reasoning, "mostly positive");
  EXPECT_NE(model_sentiment_json(*s).find(R"("key_events":["ETF inflows)"), std::string::npos);
}

TEST(ModelSentiment, KeepsTheFirstFiveEvents) {
  const auto s = parse_sentiment(
      R"({"bias":"neutral","score":0,"confidence":0.2,"key_events":["a","b","c","d","e","f"]})");
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(s->key_events.size(), kMaxKeyEvents);
  EXPECT_EQ(s->key_events.back(), "e");
}

TEST(ModelSentiment, ABadFieldIsNamed) {
  EXPECT_EQ(sentiment_error(R"({"score":0.1,"confidence":0.5})"),
            "bias: missing (expected one of long, short, neutral)");
  EXPECT_EQ(sentiment_error(R"({"bias":"bullish","score":0.1,"confidence":0.5})"),
            "bias: \"bullish\" is not one of long, short, neutral");
  EXPECT_EQ(sentiment_error(R"({"bias":"long","confidence":0.5})"),
            "score: missing (expected a number -1..1)");
  EXPECT_EQ(sentiment_error(R"({"bias":"long","score":1.5,"confidence":0.5})"),
            "score: 1.5 is outside -1..1");
  EXPECT_EQ(sentiment_error(R"({"bias":"long","score":-0.4,"confidence":0.5})"),
            "bias: \"long\" contradicts score -0.4");
  EXPECT_EQ(sentiment_error(R"({"bias":"short","score":0.4,"confidence":0.5})"),
            "bias: \"short\" contradicts score 0.4");
  EXPECT_EQ(sentiment_error(R"({"bias":"long","score":0.4})"),
            "confidence: missing (expected a number in 0..1)");
  EXPECT_EQ(sentiment_error(R"({"bias":"long","score":0.4,"confidence":0.5,"key_events":"ETF"})"),
            "key_events: \"ETF\" is not an array of strings");
  EXPECT_EQ(
      sentiment_error(R"({"bias":"long","score":0.4,"confidence":0.5,"key_events":["ok",3]})"),
      "key_events: 3 is not a string");
}

SentimentVote sentiment_vote(std::string_view json_text, std::string model = "m") {
  return SentimentVote{"search", std::move(model), parse_sentiment(json_text)};
}

const SentimentRequest kRequest{"BTC/USDT", testing::kStart};

TEST(SentimentBlend, TheScoreIsTheWeightedMeanAndTheBiasItsClearSide) {
  const SentimentBlend b = blend_sentiment(
      {sentiment_vote(
           R"({"bias":"long","score":0.6,"confidence":0.8,"key_events":["ETF inflows"],"reasoning":"r1"})",
           "m1"),
       sentiment_vote(
           R"({"bias":"neutral","score":0.1,"confidence":0.4,"key_events":["ETF inflows","rate cut"]})",
           "m2")},
      kRequest, 0.6);
  const SentimentReading& r = b.reading;
  ASSERT_TRUE(r.known);
  EXPECT_TRUE(r.by_models);
  EXPECT_DOUBLE_EQ(r.score, 0.35);
  EXPECT_DOUBLE_EQ(r.confidence, 0.6);
  EXPECT_EQ(r.bias, Bias::kLong) << "0.35 leans beyond +0.2";
  EXPECT_EQ(r.key_events, (std::vector<std::string>{"ETF inflows", "rate cut"}));
  EXPECT_EQ(r.source, "llm 2 of 2");
  EXPECT_EQ(b.why, "2 valid answers of 2: score +0.35");
  EXPECT_NE(r.reasoning.find("search/m1: r1"), std::string::npos) << r.reasoning;
  EXPECT_EQ(r.symbol, "BTC/USDT");
}

TEST(SentimentBlend, AScoreWithinTheLeanIsNeutralAndAFailedAnswerDoesNotCount) {
  const SentimentBlend b =
      blend_sentiment({sentiment_vote(R"({"bias":"short","score":-0.2,"confidence":0.5})"),
                       SentimentVote{"search", "down", core::Error::of("timed out after 30 s")}},
                      kRequest, 0.6);
  ASSERT_TRUE(b.reading.known);
  EXPECT_EQ(b.valid, 1);
  EXPECT_DOUBLE_EQ(b.reading.score, -0.2);
  EXPECT_EQ(b.reading.bias, Bias::kNeutral) << "-0.2 is not beyond the lean";
  EXPECT_EQ(b.reading.source, "llm 1 of 2");
}

TEST(SentimentBlend, NoValidAnswerIsNoReading) {
  const SentimentBlend b = blend_sentiment(
      {SentimentVote{"search", "down", core::Error::of("HTTP 503")}}, kRequest, 0.6);
  EXPECT_FALSE(b.reading.known);
  EXPECT_FALSE(b.reading.by_models);
  EXPECT_EQ(b.reading.bias, Bias::kNeutral);
  EXPECT_EQ(b.why, "no valid answer of 1");
}

TEST(SentimentBlend, AZeroWeightCountsNothingAndSaysSo) {
  const SentimentBlend b = blend_sentiment(
      {sentiment_vote(R"({"bias":"long","score":0.6,"confidence":0.8})")}, kRequest, 0);
  EXPECT_FALSE(b.reading.known);
  EXPECT_EQ(b.why, "agents.sentiment_provider_weight is 0: the answers count for nothing");
}

TEST(SentimentBreaker, OpensAfterThreeFailuresAndAllowsOneTryAfterItsCoolDown) {
  SentimentBreaker breaker(3, 300s);
  const core::Timestamp t0 = testing::kStart;
  EXPECT_TRUE(breaker.allows(t0));
  EXPECT_FALSE(breaker.on_failure(t0));
  EXPECT_FALSE(breaker.on_failure(t0 + 1s));
  EXPECT_TRUE(breaker.on_failure(t0 + 2s)) << "the third opens it";
  EXPECT_FALSE(breaker.allows(t0 + 2s + 299s));
  EXPECT_TRUE(breaker.allows(t0 + 2s + 300s)) << "cool-down over: one try";
  EXPECT_TRUE(breaker.on_failure(t0 + 302s))
      << "a failure after the cool-down opens it again at once";
  EXPECT_FALSE(breaker.allows(t0 + 303s));
  EXPECT_TRUE(breaker.allows(t0 + 602s));
  breaker.on_success();
  EXPECT_FALSE(breaker.open_until());
  EXPECT_EQ(breaker.consecutive_failures(), 0);
  EXPECT_FALSE(breaker.on_failure(t0 + 700s)) << "closed again: three failures are needed";
}

}  // namespace
}  // namespace tg4::agents
