// agents::technical_consensus: the models' technical answers -> one reading.
#include "agents/technical_consensus.hpp"

#include <gtest/gtest.h>

#include <optional>

#include "agents_test_util.hpp"

namespace tg4::agents {
namespace {

ModelTechnical technical_answer(Bias bias, double confidence, double strength = 0.5,
                                double momentum = 0, std::string reasoning = "") {
  ModelTechnical t;
  t.bias = bias;
  t.confidence = confidence;
  t.trend = bias == Bias::kLong    ? TrendDirection::kUp
            : bias == Bias::kShort ? TrendDirection::kDown
                                   : TrendDirection::kSideways;
  t.trend_strength = strength;
  t.momentum = momentum;
  t.reasoning = std::move(reasoning);
  return t;
}

ModelTechnical with_levels(ModelTechnical t, std::optional<double> support,
                           std::optional<double> resistance) {
  t.support = support;
  t.resistance = resistance;
  return t;
}

TechnicalVote technical_vote(ModelTechnical answer, std::string model = "m") {
  return TechnicalVote{"test", std::move(model), std::move(answer)};
}

// A long vote at confidence 0.6 with these levels.
TechnicalVote levels_vote(std::optional<double> support, std::optional<double> resistance) {
  return technical_vote(with_levels(technical_answer(Bias::kLong, 0.6), support, resistance));
}

// A vote at confidence 0.6 with these trend direction and signals.
TechnicalVote signals_vote(Bias bias, TrendDirection trend, RsiSignal rsi, MacdSignal macd) {
  ModelTechnical t = technical_answer(bias, 0.6);
  t.trend = trend;
  t.rsi_signal = rsi;
  t.macd_signal = macd;
  return technical_vote(std::move(t));
}

TechnicalVote invalid_technical_vote(std::string model = "down") {
  return TechnicalVote{"test", std::move(model), core::Error::of("timed out after 30 s")};
}

const TechnicalRequest kTechnicalRequest{"BTC/USDT", 5, testing::kStart};
const ConsensusRules kTechnicalRules = consensus_rules(core::AgentsSection{});  // 4 valid, > 50 %

TEST(TechnicalConsensus, UnanimousModelsGiveTheirBiasWithTheMeans) {
  const TechnicalVerdict v = technical_consensus(
      {technical_vote(technical_answer(Bias::kLong, 0.8, 0.9, 0.6, "higher highs"), "a"),
       technical_vote(technical_answer(Bias::kLong, 0.6, 0.5, 0.2), "b"),
       technical_vote(technical_answer(Bias::kLong, 0.7, 0.4, 0.4, "MACD up"), "c")},
      kTechnicalRequest, kTechnicalRules);
  ASSERT_TRUE(v.majority.found) << v.majority.why;
  const TechnicalReading& r = v.reading;
  EXPECT_TRUE(r.known);
  EXPECT_EQ(r.bias, Bias::kLong);
  EXPECT_NEAR(r.confidence, 0.7, 1e-12) << "the mean, no boost";
  EXPECT_NEAR(r.trend_strength, 0.6, 1e-12);
  EXPECT_NEAR(r.momentum, 0.4, 1e-12);
  EXPECT_EQ(r.trend, TrendDirection::kUp);
  EXPECT_EQ(r.rsi_signal, RsiSignal::kNeutral);
  EXPECT_EQ(r.macd_signal, MacdSignal::kNeutral);
  EXPECT_FALSE(r.support) << "no model named one";
  EXPECT_FALSE(r.resistance);
  EXPECT_TRUE(r.by_models);
  EXPECT_EQ(r.source, "llm 3 of 3");
  EXPECT_EQ(r.symbol, "BTC/USDT");
  EXPECT_EQ(r.time, testing::kStart);
  EXPECT_EQ(v.majority.total, 3);
  EXPECT_EQ(v.majority.valid, 3);
  EXPECT_EQ(v.majority.agreeing, 3);
  EXPECT_EQ(v.majority.needed, 3) << "min(4, the 3 models asked)";
  EXPECT_EQ(r.reasoning,
            "3 of 3 valid answers say long (100 %) | test/a: higher highs | test/c: MACD up");
}

TEST(TechnicalConsensus, TheMajorityDecidesAndOnlyItsAnswersCount) {
  const TechnicalVerdict v = technical_consensus(
      {technical_vote(with_levels(technical_answer(Bias::kShort, 0.9, 0.8, -0.6), 29000, 31000)),
       technical_vote(with_levels(technical_answer(Bias::kShort, 0.7, 0.6, -0.2), 29500, 30500)),
       technical_vote(technical_answer(Bias::kShort, 0.8, 0.7, -0.4)),
       technical_vote(with_levels(technical_answer(Bias::kLong, 0.2, 0.1, 0.9), 1, 99999)),
       invalid_technical_vote()},
      kTechnicalRequest, kTechnicalRules);
  ASSERT_TRUE(v.majority.found) << v.majority.why;
  const TechnicalReading& r = v.reading;
  EXPECT_EQ(r.bias, Bias::kShort);
  EXPECT_NEAR(r.confidence, 0.8, 1e-12);
  EXPECT_NEAR(r.trend_strength, 0.7, 1e-12);
  EXPECT_NEAR(r.momentum, -0.4, 1e-12);
  EXPECT_EQ(r.trend, TrendDirection::kDown);
  ASSERT_TRUE(r.support && r.resistance);
  EXPECT_DOUBLE_EQ(*r.support, 29250) << "the long model's levels are not counted";
  EXPECT_DOUBLE_EQ(*r.resistance, 30750);
  EXPECT_EQ(r.source, "llm 3 of 5");
  EXPECT_EQ(v.majority.valid, 4);
  EXPECT_EQ(v.majority.agreeing, 3);
  EXPECT_EQ(v.majority.why, "3 of 4 valid answers say short (75 %), 5 asked");
  EXPECT_EQ(r.reasoning, v.majority.why) << "no model gave a reason";
}

TEST(TechnicalConsensus, SupportAndResistanceAreMediansOfThoseWhoNamedThem) {
  // Odd counts: the middle one; the models without a level do not count.
  const TechnicalVerdict odd =
      technical_consensus({levels_vote(30000, 33000), levels_vote(29000, std::nullopt),
                           levels_vote(31000, 32000), levels_vote(std::nullopt, 34000)},
                          kTechnicalRequest, kTechnicalRules);
  ASSERT_TRUE(odd.majority.found) << odd.majority.why;
  ASSERT_TRUE(odd.reading.support && odd.reading.resistance);
  EXPECT_DOUBLE_EQ(*odd.reading.support, 30000);
  EXPECT_DOUBLE_EQ(*odd.reading.resistance, 33000);

  // Even counts: the mean of the middle two, whatever the order given.
  const TechnicalVerdict even =
      technical_consensus({levels_vote(31000, 40000), levels_vote(10000, 32000),
                           levels_vote(30000, 33000), levels_vote(29000, 35000)},
                          kTechnicalRequest, kTechnicalRules);
  ASSERT_TRUE(even.majority.found) << even.majority.why;
  ASSERT_TRUE(even.reading.support && even.reading.resistance);
  EXPECT_DOUBLE_EQ(*even.reading.support, 29500);
  EXPECT_DOUBLE_EQ(*even.reading.resistance, 34000);

  const TechnicalVerdict one_side = technical_consensus(
      {levels_vote(std::nullopt, 32000), technical_vote(technical_answer(Bias::kLong, 0.6))},
      kTechnicalRequest, kTechnicalRules);
  ASSERT_TRUE(one_side.majority.found) << one_side.majority.why;
  EXPECT_FALSE(one_side.reading.support);
  ASSERT_TRUE(one_side.reading.resistance);
  EXPECT_DOUBLE_EQ(*one_side.reading.resistance, 32000);
}

TEST(TechnicalConsensus, CrossedMediansDropBothLevels) {
  // Each model's own pair is in order, but the median support (32000) is above the median
  // resistance (31500).
  const TechnicalVerdict v =
      technical_consensus({levels_vote(32000, std::nullopt), levels_vote(std::nullopt, 31500),
                           levels_vote(32000, 35000), levels_vote(30000, 31000)},
                          kTechnicalRequest, kTechnicalRules);
  ASSERT_TRUE(v.majority.found) << v.majority.why;
  EXPECT_FALSE(v.reading.support);
  EXPECT_FALSE(v.reading.resistance);

  const TechnicalVerdict equal =
      technical_consensus({levels_vote(31000, std::nullopt), levels_vote(std::nullopt, 31000)},
                          kTechnicalRequest, kTechnicalRules);
  ASSERT_TRUE(equal.majority.found) << equal.majority.why;
  EXPECT_FALSE(equal.reading.support) << "support must be below resistance, not at it";
  EXPECT_FALSE(equal.reading.resistance);
}

TEST(TechnicalConsensus, SignalsAreTheAgreeingModelsMostCommonAndATieIsNeutral) {
  using T = TrendDirection;
  using R = RsiSignal;
  using M = MacdSignal;
  const TechnicalVerdict v =
      technical_consensus({signals_vote(Bias::kLong, T::kUp, R::kOverbought, M::kBullish),
                           signals_vote(Bias::kLong, T::kUp, R::kOverbought, M::kBearish),
                           signals_vote(Bias::kLong, T::kSideways, R::kNeutral, M::kBullish),
                           signals_vote(Bias::kShort, T::kDown, R::kOversold, M::kBearish),
                           signals_vote(Bias::kShort, T::kDown, R::kOversold, M::kBearish)},
                          kTechnicalRequest, kTechnicalRules);
  ASSERT_TRUE(v.majority.found) << v.majority.why;
  EXPECT_EQ(v.reading.bias, Bias::kLong);
  EXPECT_EQ(v.reading.trend, T::kUp);
  EXPECT_EQ(v.reading.rsi_signal, R::kOverbought);
  EXPECT_EQ(v.reading.macd_signal, M::kBullish)
      << "2 of the 3 agreeing; the 2 short models' bearish do not count";

  const TechnicalVerdict tie =
      technical_consensus({signals_vote(Bias::kShort, T::kUp, R::kOverbought, M::kBullish),
                           signals_vote(Bias::kShort, T::kDown, R::kOversold, M::kBearish)},
                          kTechnicalRequest, kTechnicalRules);
  ASSERT_TRUE(tie.majority.found) << tie.majority.why;
  EXPECT_EQ(tie.reading.trend, T::kSideways);
  EXPECT_EQ(tie.reading.rsi_signal, R::kNeutral);
  EXPECT_EQ(tie.reading.macd_signal, M::kNeutral);

  // A three-way tie is sideways / neutral too, not the first of the three.
  const TechnicalVerdict three_way =
      technical_consensus({signals_vote(Bias::kShort, T::kUp, R::kOverbought, M::kBullish),
                           signals_vote(Bias::kShort, T::kDown, R::kOversold, M::kBearish),
                           signals_vote(Bias::kShort, T::kSideways, R::kNeutral, M::kNeutral)},
                          kTechnicalRequest, kTechnicalRules);
  ASSERT_TRUE(three_way.majority.found) << three_way.majority.why;
  EXPECT_EQ(three_way.reading.trend, T::kSideways);
  EXPECT_EQ(three_way.reading.rsi_signal, R::kNeutral);
  EXPECT_EQ(three_way.reading.macd_signal, M::kNeutral);
}

TEST(TechnicalConsensus, HalfOrLessIsNoReadingAtConfidenceZero) {
  const TechnicalVerdict v = technical_consensus(
      {technical_vote(with_levels(technical_answer(Bias::kLong, 0.9), 30000, 32000)),
       technical_vote(technical_answer(Bias::kLong, 0.9)),
       technical_vote(technical_answer(Bias::kShort, 0.9)),
       technical_vote(technical_answer(Bias::kNeutral, 0.9))},
      kTechnicalRequest, kTechnicalRules);
  EXPECT_FALSE(v.majority.found);
  EXPECT_FALSE(v.reading.known);
  EXPECT_EQ(v.reading.bias, Bias::kNeutral);
  EXPECT_EQ(v.reading.confidence, 0);
  EXPECT_FALSE(v.reading.support);
  EXPECT_EQ(v.reading.source, "llm: no consensus");
  EXPECT_EQ(v.majority.why, "2 of 4 valid answers say long (50 %), not more than 50 %");
  EXPECT_EQ(v.reading.reasoning, v.majority.why);
  EXPECT_EQ(v.reading.symbol, "BTC/USDT");
  EXPECT_EQ(v.majority.valid, 4);
  EXPECT_EQ(v.majority.agreeing, 2);

  ConsensusRules strict = kTechnicalRules;
  strict.min_agreement_pct = 75;
  const TechnicalVerdict at =
      technical_consensus({technical_vote(technical_answer(Bias::kShort, 0.9)),
                           technical_vote(technical_answer(Bias::kShort, 0.9)),
                           technical_vote(technical_answer(Bias::kShort, 0.9)),
                           technical_vote(technical_answer(Bias::kLong, 0.9))},
                          kTechnicalRequest, strict);
  EXPECT_FALSE(at.majority.found) << "75 % is not more than 75 %";
  EXPECT_EQ(at.majority.why, "3 of 4 valid answers say short (75 %), not more than 75 %");
  strict.min_agreement_pct = 74.9;
  EXPECT_TRUE(technical_consensus({technical_vote(technical_answer(Bias::kShort, 0.9)),
                                   technical_vote(technical_answer(Bias::kShort, 0.9)),
                                   technical_vote(technical_answer(Bias::kShort, 0.9)),
                                   technical_vote(technical_answer(Bias::kLong, 0.9))},
                                  kTechnicalRequest, strict)
                  .majority.found);
}

TEST(TechnicalConsensus, ATieIsNoReadingWhateverTheAgreementSetting) {
  ConsensusRules loose = kTechnicalRules;
  loose.min_agreement_pct = 30;
  const TechnicalVerdict v =
      technical_consensus({technical_vote(technical_answer(Bias::kLong, 0.9)),
                           technical_vote(technical_answer(Bias::kShort, 0.9)),
                           technical_vote(technical_answer(Bias::kLong, 0.9)),
                           technical_vote(technical_answer(Bias::kShort, 0.9)),
                           technical_vote(technical_answer(Bias::kNeutral, 0.9))},
                          kTechnicalRequest, loose);
  EXPECT_FALSE(v.majority.found) << v.majority.why;
  EXPECT_FALSE(v.reading.known);
  EXPECT_EQ(v.reading.bias, Bias::kNeutral);
  EXPECT_EQ(v.reading.confidence, 0);
  EXPECT_EQ(v.majority.why, "no bias has the most of 5 valid answers: a tie at 2");
}

TEST(TechnicalConsensus, TooFewValidAnswersIsNoReading) {
  const TechnicalVerdict v = technical_consensus(
      {technical_vote(technical_answer(Bias::kLong, 0.9)),
       technical_vote(technical_answer(Bias::kLong, 0.9)), invalid_technical_vote("x"),
       invalid_technical_vote("y"), invalid_technical_vote("z")},
      kTechnicalRequest, kTechnicalRules);
  EXPECT_FALSE(v.majority.found);
  EXPECT_FALSE(v.reading.known);
  EXPECT_EQ(v.reading.bias, Bias::kNeutral);
  EXPECT_EQ(v.reading.confidence, 0);
  EXPECT_EQ(v.majority.needed, 4);
  EXPECT_EQ(v.majority.valid, 2);
  EXPECT_EQ(v.majority.why, "only 2 valid answers of 5 (4 needed)");
  EXPECT_EQ(v.reading.source, "llm: no consensus");

  const TechnicalVerdict one_asked = technical_consensus(
      {technical_vote(technical_answer(Bias::kNeutral, 0.4))}, kTechnicalRequest, kTechnicalRules);
  EXPECT_TRUE(one_asked.majority.found) << "one model asked (a local one over budget) may judge";
  EXPECT_TRUE(one_asked.reading.known);
  EXPECT_EQ(one_asked.reading.bias, Bias::kNeutral);
  EXPECT_EQ(one_asked.reading.source, "llm 1 of 1");
  const TechnicalVerdict none_valid =
      technical_consensus({invalid_technical_vote()}, kTechnicalRequest, kTechnicalRules);
  EXPECT_FALSE(none_valid.majority.found);
  EXPECT_EQ(none_valid.majority.why, "only 0 valid answers of 1 (1 needed)");
  EXPECT_FALSE(technical_consensus({}, kTechnicalRequest, kTechnicalRules).majority.found);
}

}  // namespace
}  // namespace tg4::agents
