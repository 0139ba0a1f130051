#include <gtest/gtest.h>

#include "agents_test_util.hpp"

namespace tg4::agents {
namespace {

using core::Decimal;
using strategy::AdviceAction;
using testing::failed_vote;
using testing::vote;

ModelVote buy(double confidence, std::string model = "m") {
  return vote(
      fmt::format(R"({{"action":"BUY","confidence":{},"entry":100,"stop":98,"target":104}})",
                  confidence),
      std::move(model));
}
ModelVote sell(double confidence) {
  return vote(fmt::format(R"({{"action":"SELL","confidence":{}}})", confidence));
}
ModelVote hold(double confidence) {
  return vote(fmt::format(R"({{"action":"HOLD","confidence":{}}})", confidence));
}

const ConsensusRules kRules = consensus_rules(core::AgentsSection{});

TEST(Consensus, RulesComeFromTheAgentsSection) {
  EXPECT_EQ(kRules.min_valid_answers, 4);
  EXPECT_DOUBLE_EQ(kRules.min_agreement_pct, 50);
  EXPECT_DOUBLE_EQ(kRules.boost_unanimous, 0.15);
  EXPECT_DOUBLE_EQ(kRules.boost_83, 0.10);
  EXPECT_DOUBLE_EQ(kRules.boost_67, 0.05);
  core::AgentsSection section;
  section.min_valid_answers = 2;
  section.min_agreement_pct = Decimal::must("60");
  EXPECT_EQ(consensus_rules(section).min_valid_answers, 2);
  EXPECT_DOUBLE_EQ(consensus_rules(section).min_agreement_pct, 60);
}

TEST(Consensus, FiveOfFiveBuyIsUnanimousAndGetsTheLargestBoost) {
  const Verdict v = decide({buy(0.6), buy(0.7), buy(0.8), buy(0.7), buy(0.7)}, kRules);
  EXPECT_EQ(v.decision.action, AdviceAction::kBuy);
  EXPECT_EQ(v.total, 5);
  EXPECT_EQ(v.valid, 5);
  EXPECT_EQ(v.agreeing, 5);
  EXPECT_DOUBLE_EQ(v.agreement_pct, 100);
  EXPECT_NEAR(v.decision.confidence, 0.7 + 0.15, 1e-12);
  EXPECT_EQ(v.why, "5 of 5 valid answers agree on BUY (100 %), confidence +0.15");
  EXPECT_EQ(v.decision.entry, Decimal::must("100"));
  EXPECT_EQ(v.decision.stop, Decimal::must("98"));
  EXPECT_EQ(v.decision.target, Decimal::must("104"));
}

TEST(Consensus, FourOfFiveIs80PercentAndGetsTheSmallestBoost) {
  const Verdict v = decide({buy(0.6), buy(0.7), buy(0.8), buy(0.7), sell(0.9)}, kRules);
  EXPECT_EQ(v.decision.action, AdviceAction::kBuy);
  EXPECT_EQ(v.agreeing, 4);
  EXPECT_DOUBLE_EQ(v.agreement_pct, 80);
  EXPECT_NEAR(v.decision.confidence, 0.7 + 0.05, 1e-12);
  EXPECT_EQ(v.why, "4 of 5 valid answers agree on BUY (80 %), confidence +0.05");
}

TEST(Consensus, FiveOfSixIsAbove83Percent) {
  const Verdict v = decide({buy(0.7), buy(0.7), buy(0.7), buy(0.7), buy(0.7), hold(0.5)}, kRules);
  EXPECT_EQ(v.decision.action, AdviceAction::kBuy);
  EXPECT_NEAR(v.agreement_pct, 83.333, 1e-3);
  EXPECT_NEAR(v.decision.confidence, 0.8, 1e-12);
  EXPECT_EQ(v.why, "5 of 6 valid answers agree on BUY (83.3 %), confidence +0.10");
}

TEST(Consensus, FourOfSixIsBelow67PercentAndGetsNoBoost) {
  const Verdict v = decide({buy(0.7), buy(0.7), buy(0.7), buy(0.7), hold(0.5), sell(0.5)}, kRules);
  EXPECT_EQ(v.decision.action, AdviceAction::kBuy);
  EXPECT_NEAR(v.decision.confidence, 0.7, 1e-12);
  EXPECT_EQ(v.why, "4 of 6 valid answers agree on BUY (66.7 %)");
}

TEST(Consensus, ThreeOfFourValidAgreeWhileAFifthFailed) {
  const Verdict v = decide({buy(0.6), failed_vote(), buy(0.8), sell(0.9), buy(0.7)}, kRules);
  EXPECT_EQ(v.decision.action, AdviceAction::kBuy);
  EXPECT_EQ(v.total, 5);
  EXPECT_EQ(v.valid, 4);
  EXPECT_EQ(v.agreeing, 3);
  EXPECT_DOUBLE_EQ(v.agreement_pct, 75);
  EXPECT_NEAR(v.decision.confidence, 0.7 + 0.05, 1e-12);
  EXPECT_EQ(v.why, "3 of 4 valid answers agree on BUY (75 %), 5 asked, confidence +0.05");
}

TEST(Consensus, FewerValidAnswersThanNeededIsHold) {
  const Verdict v = decide({buy(0.9), buy(0.9), failed_vote(), buy(0.9), failed_vote()}, kRules);
  EXPECT_EQ(v.decision.action, AdviceAction::kHold);
  EXPECT_EQ(v.valid, 3);
  EXPECT_EQ(v.total, 5);
  EXPECT_EQ(v.why, "only 3 valid answers of 5 (4 needed)");
  EXPECT_EQ(v.decision.reasoning, v.why);
  EXPECT_DOUBLE_EQ(v.decision.confidence, 0);
  EXPECT_FALSE(v.decision.entry);

  const Verdict none = decide({}, kRules);
  EXPECT_EQ(none.decision.action, AdviceAction::kHold);
  EXPECT_EQ(none.why, "only 0 valid answers of 0 (4 needed)");
}

TEST(Consensus, HalfAgreeingIsNotEnough) {
  const Verdict v = decide({buy(0.9), buy(0.9), sell(0.6), hold(0.5)}, kRules);
  EXPECT_EQ(v.decision.action, AdviceAction::kHold);
  EXPECT_DOUBLE_EQ(v.agreement_pct, 50);
  EXPECT_EQ(v.agreeing, 2);
  EXPECT_EQ(v.why, "2 of 4 valid answers agree on BUY (50 %), not more than 50 %");
}

TEST(Consensus, ATieBetweenActionsIsHold) {
  const Verdict v = decide({buy(0.9), sell(0.9), buy(0.8), sell(0.7)}, kRules);
  EXPECT_EQ(v.decision.action, AdviceAction::kHold);
  EXPECT_EQ(v.why, "no majority among 4 valid answers of 4: a tie of 2 BUY, 2 SELL");
}

TEST(Consensus, AMajorityForHoldIsAHoldWithItsConfidence) {
  const Verdict v = decide({hold(0.6), hold(0.8), hold(0.7), hold(0.5), buy(0.9)}, kRules);
  EXPECT_EQ(v.decision.action, AdviceAction::kHold);
  EXPECT_NEAR(v.decision.confidence, 0.65 + 0.05, 1e-12);
  EXPECT_EQ(v.why, "4 of 5 valid answers agree on HOLD (80 %), confidence +0.05");
}

TEST(Consensus, ConfidenceIsCappedAtOne) {
  const Verdict v = decide({buy(0.95), buy(0.95), buy(0.95), buy(0.95)}, kRules);
  EXPECT_DOUBLE_EQ(v.decision.confidence, 1.0);
}

TEST(Consensus, PricesAndSizeAreAveragedExactlyOverTheAgreeingModelsThatGaveThem) {
  const Verdict v = decide(
      {
          vote(
              R"({"action":"BUY","confidence":0.7,"entry":"100.1","stop":"98","size_pct":10,"reasoning":"a"})",
              "one"),
          vote(R"({"action":"BUY","confidence":0.7,"entry":100.2,"stop":"97.5","size_pct":20})",
               "two"),
          vote(R"({"action":"BUY","confidence":0.7,"entry":"100.3","reasoning":"c"})", "three"),
          vote(R"({"action":"BUY","confidence":0.7,"entry":"100.4","size_pct":"30"})", "four"),
          vote(
              R"({"action":"SELL","confidence":0.9,"entry":"1","stop":"2","target":"0.5","size_pct":90})"),
      },
      kRules);
  ASSERT_EQ(v.decision.action, AdviceAction::kBuy);
  EXPECT_EQ(v.decision.entry, Decimal::must("100.25"));
  EXPECT_EQ(v.decision.stop, Decimal::must("97.75"));
  EXPECT_FALSE(v.decision.target);
  EXPECT_DOUBLE_EQ(v.decision.size_pct, 20);
  EXPECT_EQ(
      v.decision.reasoning,
      "4 of 5 valid answers agree on BUY (80 %), confidence +0.05 | test/one: a | test/three: c");
}

TEST(Consensus, TheWorkedExampleOfTheDocs) {
  const Verdict v = decide(
      {
          vote(R"({"action":"BUY","confidence":0.7,"entry":100.1,"stop":98,"size_pct":10})", "a"),
          vote(R"({"action":"BUY","confidence":0.6,"entry":100.2,"stop":97.5,"size_pct":20})", "b"),
          vote(R"({"action":"BUY","confidence":0.8,"entry":100.3})", "c"),
          vote(R"({"action":"BUY","confidence":0.7,"entry":100.4,"size_pct":30})", "d"),
          vote(R"({"action":"SELL","confidence":0.9})", "e"),
          failed_vote("f"),
      },
      kRules);
  EXPECT_EQ(v.decision.action, AdviceAction::kBuy);
  EXPECT_NEAR(v.decision.confidence, 0.75, 1e-12);
  EXPECT_EQ(v.decision.entry, Decimal::must("100.25"));
  EXPECT_EQ(v.decision.stop, Decimal::must("97.75"));
  EXPECT_FALSE(v.decision.target);
  EXPECT_DOUBLE_EQ(v.decision.size_pct, 20);
  EXPECT_EQ(v.why, "4 of 5 valid answers agree on BUY (80 %), 6 asked, confidence +0.05");
}

TEST(Consensus, ThirdsAreAveragedToTheEighteenthDigit) {
  const Verdict v = decide({vote(R"({"action":"SELL","confidence":0.7,"entry":"1"})"),
                            vote(R"({"action":"SELL","confidence":0.7,"entry":"1"})"),
                            vote(R"({"action":"SELL","confidence":0.7,"entry":"2"})"),
                            vote(R"({"action":"SELL","confidence":0.7})")},
                           kRules);
  EXPECT_EQ(v.decision.entry, Decimal::must("1.333333333333333333"));
}

TEST(Consensus, MeanPricesOutOfOrderAreHold) {
  // Each answer is ordered; the entry mean (100) ends below the stop mean (124.5).
  const Verdict v = decide(
      {vote(R"({"action":"BUY","confidence":0.7,"entry":100,"stop":99})"),
       vote(R"({"action":"BUY","confidence":0.7,"stop":150,"target":200})"),
       vote(R"({"action":"BUY","confidence":0.7})"), vote(R"({"action":"BUY","confidence":0.7})")},
      kRules);
  EXPECT_EQ(v.decision.action, AdviceAction::kHold);
  EXPECT_EQ(
      v.why,
      "4 of 4 valid answers agree on BUY, but their mean prices do not: stop: 124.5 is not below "
      "the entry 100 (BUY)");
}

TEST(Consensus, TheMinimumOfValidAnswersIsConfigurable) {
  ConsensusRules rules = kRules;
  rules.min_valid_answers = 2;
  const Verdict v = decide({buy(0.7), buy(0.7), failed_vote(), failed_vote()}, rules);
  EXPECT_EQ(v.decision.action, AdviceAction::kBuy);
  EXPECT_EQ(v.why, "2 of 2 valid answers agree on BUY (100 %), 4 asked, confidence +0.15");
}

}  // namespace
}  // namespace tg4::agents
