// agents::regime_consensus: the models' regime answers -> one reading.
#include "agents/regime_consensus.hpp"

#include <gtest/gtest.h>

#include "agents_test_util.hpp"

namespace tg4::agents {
namespace {

using risk::Strictness;

ModelRegime regime_answer(MarketRegime regime, double confidence, double size = 1, double stop = 1,
                          double target = 1, Strictness strictness = Strictness::kNormal,
                          std::string reasoning = "") {
  return ModelRegime{regime, confidence, size, stop, target, strictness, std::move(reasoning)};
}

RegimeVote regime_vote(ModelRegime answer, std::string model = "m") {
  return RegimeVote{"test", std::move(model), std::move(answer)};
}

RegimeVote invalid_regime_vote(std::string model = "down") {
  return RegimeVote{"test", std::move(model), core::Error::of("timed out after 30 s")};
}

const RegimeRequest kRegimeRequest{"BTC/USDT", 15, testing::kStart};
const ConsensusRules kRegimeRules = consensus_rules(core::AgentsSection{});  // 4 valid, > 50 %

TEST(RegimeConsensus, UnanimousModelsGiveTheirRegimeWithTheMeans) {
  const RegimeVerdict v = regime_consensus(
      {regime_vote(regime_answer(MarketRegime::kTrendingBull, 0.8, 1.2, 1.0, 2.0,
                                 Strictness::kRelaxed, "ADX high"),
                   "a"),
       regime_vote(
           regime_answer(MarketRegime::kTrendingBull, 0.6, 0.8, 2.0, 1.0, Strictness::kNormal),
           "b"),
       regime_vote(
           regime_answer(MarketRegime::kTrendingBull, 0.7, 1.0, 1.5, 1.5, Strictness::kRelaxed),
           "c")},
      kRegimeRequest, kRegimeRules);
  ASSERT_TRUE(v.majority.found) << v.majority.why;
  const RegimeReading& r = v.reading;
  EXPECT_EQ(r.regime, MarketRegime::kTrendingBull);
  EXPECT_NEAR(r.confidence, 0.7, 1e-12) << "the mean, no boost";
  EXPECT_NEAR(r.size_multiplier, 1.0, 1e-12);
  EXPECT_NEAR(r.stop_multiplier, 1.5, 1e-12);
  EXPECT_NEAR(r.target_multiplier, 1.5, 1e-12);
  EXPECT_EQ(r.strictness, Strictness::kNormal) << "the strictest of the agreeing";
  EXPECT_TRUE(r.by_models);
  EXPECT_EQ(r.source, "llm 3 of 3");
  EXPECT_EQ(r.symbol, "BTC/USDT");
  EXPECT_EQ(r.time, testing::kStart);
  EXPECT_EQ(v.majority.needed, 3) << "min(4, the 3 models asked)";
  EXPECT_EQ(r.reasoning, "3 of 3 valid answers say trending_bull (100 %) | test/a: ADX high");
}

TEST(RegimeConsensus, TheMajorityDecidesAndOnlyItsAnswersCount) {
  const RegimeVerdict v = regime_consensus(
      {regime_vote(regime_answer(MarketRegime::kChoppy, 0.9, 0.5, 1, 1, Strictness::kStrict)),
       regime_vote(regime_answer(MarketRegime::kChoppy, 0.7, 0.7, 1, 1, Strictness::kVeryStrict)),
       regime_vote(regime_answer(MarketRegime::kChoppy, 0.8, 0.6)),
       regime_vote(
           regime_answer(MarketRegime::kTrendingBull, 0.2, 2.0, 3, 3, Strictness::kRelaxed)),
       invalid_regime_vote()},
      kRegimeRequest, kRegimeRules);
  ASSERT_TRUE(v.majority.found) << v.majority.why;
  EXPECT_EQ(v.reading.regime, MarketRegime::kChoppy);
  EXPECT_NEAR(v.reading.confidence, 0.8, 1e-12);
  EXPECT_NEAR(v.reading.size_multiplier, 0.6, 1e-12);
  EXPECT_NEAR(v.reading.stop_multiplier, 1, 1e-12);
  EXPECT_EQ(v.reading.strictness, Strictness::kVeryStrict);
  EXPECT_EQ(v.reading.source, "llm 3 of 5");
  EXPECT_EQ(v.majority.why, "3 of 4 valid answers say choppy (75 %), 5 asked");
}

TEST(RegimeConsensus, HalfOrLessIsUnknownAtConfidenceZero) {
  const RegimeVerdict v =
      regime_consensus({regime_vote(regime_answer(MarketRegime::kRanging, 0.9)),
                        regime_vote(regime_answer(MarketRegime::kRanging, 0.9)),
                        regime_vote(regime_answer(MarketRegime::kChoppy, 0.9)),
                        regime_vote(regime_answer(MarketRegime::kTrendingBear, 0.9))},
                       kRegimeRequest, kRegimeRules);
  EXPECT_FALSE(v.majority.found);
  EXPECT_EQ(v.reading.regime, MarketRegime::kUnknown);
  EXPECT_EQ(v.reading.confidence, 0);
  EXPECT_EQ(v.majority.why, "2 of 4 valid answers say ranging (50 %), not more than 50 %");
  EXPECT_EQ(v.majority.valid, 4);
}

TEST(RegimeConsensus, ATieIsUnknownWhateverTheAgreementSetting) {
  ConsensusRules loose = kRegimeRules;
  loose.min_agreement_pct = 30;
  const RegimeVerdict v = regime_consensus({regime_vote(regime_answer(MarketRegime::kRanging, 0.9)),
                                            regime_vote(regime_answer(MarketRegime::kChoppy, 0.9))},
                                           kRegimeRequest, loose);
  EXPECT_FALSE(v.majority.found) << v.majority.why;
  EXPECT_EQ(v.reading.regime, MarketRegime::kUnknown);
}

TEST(RegimeConsensus, TooFewValidAnswersIsUnknown) {
  const RegimeVerdict v = regime_consensus(
      {regime_vote(regime_answer(MarketRegime::kRanging, 0.9)),
       regime_vote(regime_answer(MarketRegime::kRanging, 0.9)), invalid_regime_vote("x"),
       invalid_regime_vote("y"), invalid_regime_vote("z")},
      kRegimeRequest, kRegimeRules);
  EXPECT_FALSE(v.majority.found);
  EXPECT_EQ(v.reading.regime, MarketRegime::kUnknown);
  EXPECT_EQ(v.reading.confidence, 0);
  EXPECT_EQ(v.majority.needed, 4);
  EXPECT_EQ(v.majority.why, "only 2 valid answers of 5 (4 needed)");

  const RegimeVerdict one_asked = regime_consensus(
      {regime_vote(regime_answer(MarketRegime::kRanging, 0.9))}, kRegimeRequest, kRegimeRules);
  EXPECT_TRUE(one_asked.majority.found) << "one model asked (a local one over budget) may judge";
  EXPECT_EQ(one_asked.reading.source, "llm 1 of 1");
  EXPECT_FALSE(
      regime_consensus({invalid_regime_vote()}, kRegimeRequest, kRegimeRules).majority.found);
  EXPECT_FALSE(regime_consensus({}, kRegimeRequest, kRegimeRules).majority.found);
}

}  // namespace
}  // namespace tg4::agents
