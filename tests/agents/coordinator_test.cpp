// The coordinator agent's pure parts: which advice it judges, when the other agents' views
// conflict with it, its rules' verdicts, what a verdict does to the advice, the models' answers
// (each malformed field named) and their majority.
#include "agents/coordinator.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "agents/coordinator_answer.hpp"

namespace tg4::agents {
namespace {

using core::Decimal;
using strategy::AdviceAction;

CoordinationView coordination_view(const char* agent, Bias side, const char* label) {
  return {agent, side, label};
}

// A BUY of BTC/USDT (by the rules, at 0.65) against `views`.
CoordinationRequest buy_against(std::vector<CoordinationView> views) {
  CoordinationRequest request;
  request.symbol = "BTC/USDT";
  request.advice.symbol = "BTC/USDT";
  request.advice.action = AdviceAction::kBuy;
  request.advice.confidence = 0.65;
  request.advice.source = "llm consensus 4 of 5";
  request.advice.reasoning = "breakout";
  request.views = std::move(views);
  request.conflict = find_conflict(Bias::kLong, request.views);
  return request;
}

const CoordinationView kTechnicalShort =
    coordination_view("technical", Bias::kShort, "technical short 0.70");
const CoordinationView kSentimentShort =
    coordination_view("sentiment", Bias::kShort, "sentiment short -0.40");
const CoordinationView kSentimentLong =
    coordination_view("sentiment", Bias::kLong, "sentiment long +0.50");
const CoordinationView kRegimeRanging =
    coordination_view("regime", Bias::kNeutral, "regime ranging 0.80");

TEST(Coordinator, OnlyAdviceThatOpensOrAddsIsJudged) {
  const Decimal flat, long_qty = Decimal::must("0.5"), short_qty = Decimal::must("-0.5");
  EXPECT_TRUE(opens_position(AdviceAction::kBuy, flat));
  EXPECT_TRUE(opens_position(AdviceAction::kBuy, long_qty)) << "adds to a long";
  EXPECT_FALSE(opens_position(AdviceAction::kBuy, short_qty)) << "reduces a short: an exit";
  EXPECT_TRUE(opens_position(AdviceAction::kSell, flat));
  EXPECT_TRUE(opens_position(AdviceAction::kSell, short_qty));
  EXPECT_FALSE(opens_position(AdviceAction::kSell, long_qty)) << "reduces a long: an exit";
  EXPECT_FALSE(opens_position(AdviceAction::kSell, flat, false)) << "on spot a SELL only reduces";
  for (const Decimal qty : {flat, long_qty, short_qty}) {
    EXPECT_FALSE(opens_position(AdviceAction::kClose, qty));
    EXPECT_FALSE(opens_position(AdviceAction::kHold, qty));
  }
}

TEST(Coordinator, ViewsOnTheOtherSideOpposeAndOnTheSameSideSupport) {
  EXPECT_EQ(regime_side(MarketRegime::kTrendingBull), Bias::kLong);
  EXPECT_EQ(regime_side(MarketRegime::kVolatileBull), Bias::kLong);
  EXPECT_EQ(regime_side(MarketRegime::kTrendingBear), Bias::kShort);
  EXPECT_EQ(regime_side(MarketRegime::kVolatileBear), Bias::kShort);
  EXPECT_EQ(regime_side(MarketRegime::kChoppy), Bias::kNeutral);
  EXPECT_EQ(regime_side(MarketRegime::kBreakoutPotential), Bias::kNeutral);

  const Conflict conflict =
      find_conflict(Bias::kLong, {kTechnicalShort, kRegimeRanging, kSentimentLong});
  EXPECT_TRUE(conflict.any());
  EXPECT_EQ(conflict.opposing, 1);
  EXPECT_EQ(conflict.supporting, 1);
  EXPECT_EQ(conflict.why, "technical short 0.70 opposes; sentiment long +0.50 supports");
  EXPECT_FALSE(find_conflict(Bias::kLong, {kSentimentLong, kRegimeRanging}).any());
  EXPECT_FALSE(find_conflict(Bias::kShort, {kTechnicalShort}).any()) << "a SELL it supports";
  EXPECT_EQ(find_conflict(Bias::kShort, {kSentimentLong}).opposing, 1);
}

TEST(Coordinator, TheRulesVerdicts) {
  const Coordination abort = coordinator_rule(buy_against({kTechnicalShort, kSentimentShort}));
  EXPECT_EQ(abort.verdict, CoordinatorVerdict::kAbort) << abort.reasoning;
  EXPECT_EQ(abort.source, "rules");
  EXPECT_FALSE(abort.by_models);

  const Coordination modify = coordinator_rule(buy_against({kTechnicalShort, kSentimentLong}));
  EXPECT_EQ(modify.verdict, CoordinatorVerdict::kModify) << modify.reasoning;
  EXPECT_DOUBLE_EQ(modify.size_factor, 0.5);

  const Coordination wait = coordinator_rule(buy_against({kTechnicalShort, kRegimeRanging}));
  EXPECT_EQ(wait.verdict, CoordinatorVerdict::kWait) << wait.reasoning;
  EXPECT_DOUBLE_EQ(wait.size_factor, 1);
  EXPECT_EQ(wait.reasoning,
            "rules: one view opposes the BUY and none supports it (technical short 0.70 opposes)");

  const Coordination proceed = coordinator_rule(buy_against({kSentimentLong}));
  EXPECT_EQ(proceed.verdict, CoordinatorVerdict::kProceed) << proceed.reasoning;
}

TEST(Coordinator, WhatAVerdictDoesToTheAdvice) {
  const CoordinationRequest request = buy_against({kTechnicalShort});
  Coordination c = coordinator_rule(request);
  const strategy::Advice waited = coordinated(request.advice, c, request.conflict);
  EXPECT_EQ(waited.action, AdviceAction::kHold);
  EXPECT_EQ(waited.source,
            "llm consensus 4 of 5; coordinator (rules): wait (technical short 0.70 opposes)");
  EXPECT_EQ(waited.reasoning.rfind("BUY judged by the coordinator: wait: rules: ", 0), 0u)
      << waited.reasoning;

  c.verdict = CoordinatorVerdict::kAbort;
  EXPECT_EQ(coordinated(request.advice, c, request.conflict).action, AdviceAction::kHold);

  c.verdict = CoordinatorVerdict::kModify;
  c.size_factor = 0.5;
  strategy::Advice reduced = request.advice;
  reduced.size_factor = 0.5;  // REDUCED already halved it
  const strategy::Advice modified = coordinated(reduced, c, request.conflict);
  EXPECT_EQ(modified.action, AdviceAction::kBuy);
  EXPECT_DOUBLE_EQ(modified.size_factor, 0.25);
  EXPECT_NE(modified.source.find("coordinator (rules): modify x0.5"), std::string::npos)
      << modified.source;

  c.verdict = CoordinatorVerdict::kProceed;
  const strategy::Advice proceeded = coordinated(request.advice, c, request.conflict);
  EXPECT_EQ(proceeded.action, AdviceAction::kBuy);
  EXPECT_DOUBLE_EQ(proceeded.size_factor, 1);
}

core::Result<ModelCoordination> coordination_answer(std::string_view text) {
  return parse_model_coordination(boost::json::parse(text).as_object());
}

TEST(CoordinatorAnswer, ValidAnswers) {
  const auto wait = coordination_answer(R"({"verdict":" WAIT ","reasoning":"let it settle"})");
  ASSERT_TRUE(wait) << wait.error().message;
  EXPECT_EQ(wait->verdict, CoordinatorVerdict::kWait);
  EXPECT_DOUBLE_EQ(wait->size_factor, 1);
  EXPECT_EQ(wait->reasoning, "let it settle");
  const auto modify = coordination_answer(R"({"verdict":"modify","size_factor":"0.3"})");
  ASSERT_TRUE(modify) << modify.error().message;
  EXPECT_DOUBLE_EQ(modify->size_factor, 0.3);
  const auto whole = coordination_answer(R"({"verdict":"modify","size_factor":1})");
  ASSERT_TRUE(whole) << whole.error().message;
  EXPECT_DOUBLE_EQ(whole->size_factor, 1);
  const auto ignored = coordination_answer(R"({"verdict":"proceed","size_factor":7})");
  ASSERT_TRUE(ignored) << "only modify reads size_factor";
  EXPECT_DOUBLE_EQ(ignored->size_factor, 1);
}

TEST(CoordinatorAnswer, EachMalformedFieldIsNamed) {
  const auto message = [](std::string_view text) {
    const auto answer = coordination_answer(text);
    return answer ? std::string("valid") : answer.error().message;
  };
  EXPECT_EQ(message(R"({"verdict":"maybe"})"),
            "verdict: \"maybe\" is not one of proceed, wait, abort, modify");
  EXPECT_EQ(message(R"({"reasoning":"no verdict"})"),
            "verdict: missing (expected one of proceed, wait, abort, modify)");
  EXPECT_EQ(message(R"({"verdict":"modify"})"),
            "size_factor: missing (modify needs a number in (0, 1], the factor on the size)");
  EXPECT_EQ(message(R"({"verdict":"modify","size_factor":0})"), "size_factor: 0 is not above 0");
  EXPECT_EQ(message(R"({"verdict":"modify","size_factor":1.5})"),
            "size_factor: 1.5 is outside 0..1");
  EXPECT_EQ(message(R"({"verdict":"modify","size_factor":"half"})"),
            "size_factor: \"half\" is not a number");
  EXPECT_EQ(message(R"({"verdict":"wait","reasoning":3})"), "reasoning: 3 is not a string");
}

CoordinationVote coordination_vote(std::string_view text, std::string model) {
  return {"test", std::move(model), coordination_answer(text)};
}

TEST(CoordinatorAnswer, TheMajorityVerdictWithTheAgreeingModelsSizeFactor) {
  const CoordinationRequest request = buy_against({kTechnicalShort});
  ConsensusRules rules;  // min_valid_answers 4, but at most the models asked
  const CoordinationVerdict modify = coordination_consensus(
      {coordination_vote(R"({"verdict":"modify","size_factor":0.4,"reasoning":"smaller"})", "a"),
       coordination_vote(R"({"verdict":"modify","size_factor":0.6})", "b"),
       coordination_vote(R"({"verdict":"wait"})", "c")},
      request, rules);
  ASSERT_TRUE(modify.majority.found) << modify.majority.why;
  EXPECT_EQ(modify.reading.verdict, CoordinatorVerdict::kModify);
  EXPECT_DOUBLE_EQ(modify.reading.size_factor, 0.5);
  EXPECT_EQ(modify.reading.source, "llm 2 of 3");
  EXPECT_TRUE(modify.reading.by_models);
  EXPECT_NE(modify.reading.reasoning.find("test/a: smaller"), std::string::npos)
      << modify.reading.reasoning;

  const CoordinationVerdict tie =
      coordination_consensus({coordination_vote(R"({"verdict":"abort"})", "a"),
                              coordination_vote(R"({"verdict":"wait"})", "b")},
                             request, rules);
  EXPECT_FALSE(tie.majority.found);
  EXPECT_EQ(tie.majority.why, "no verdict has the most of 2 valid answers: a tie at 1");
}

}  // namespace
}  // namespace tg4::agents
