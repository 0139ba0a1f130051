// agents::parse_model_regime: a model's regime answer, validated field by field.
#include "agents/model_regime.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

namespace tg4::agents {
namespace {

core::Result<ModelRegime> parse_regime(std::string_view json_text) {
  return parse_model_regime(boost::json::parse(json_text).as_object());
}

// The Error of parsing `json_text`, or a failure when it parsed.
std::string regime_error(std::string_view json_text) {
  auto parsed = parse_regime(json_text);
  if (parsed) {
    ADD_FAILURE() << json_text << " parsed";
    return {};
  }
  return parsed.error().message;
}

TEST(ParseModelRegime, EveryField) {
  auto r = parse_regime(R"({"regime":"trending_bull","confidence":0.82,"size_multiplier":1.2,
      "stop_multiplier":"1.5","target_multiplier":2,"strictness":"strict","reasoning":"ADX 31"})");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->regime, MarketRegime::kTrendingBull);
  EXPECT_DOUBLE_EQ(r->confidence, 0.82);
  EXPECT_DOUBLE_EQ(r->size_multiplier, 1.2);
  EXPECT_DOUBLE_EQ(r->stop_multiplier, 1.5);
  EXPECT_DOUBLE_EQ(r->target_multiplier, 2);
  EXPECT_EQ(r->strictness, risk::Strictness::kStrict);
  EXPECT_EQ(r->reasoning, "ADX 31");
}

TEST(ParseModelRegime, OptionalFieldsDefaultAndCaseIsIgnored) {
  auto r =
      parse_regime(R"({"regime":" Volatile_Bear ","confidence":"75%","strictness":"VERY_STRICT",
      "size_multiplier":null})");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->regime, MarketRegime::kVolatileBear);
  EXPECT_DOUBLE_EQ(r->confidence, 0.75);
  EXPECT_DOUBLE_EQ(r->size_multiplier, 1);
  EXPECT_DOUBLE_EQ(r->stop_multiplier, 1);
  EXPECT_DOUBLE_EQ(r->target_multiplier, 1);
  EXPECT_EQ(r->strictness, risk::Strictness::kVeryStrict);
  auto bare = parse_regime(R"({"regime":"choppy","confidence":60})");
  ASSERT_TRUE(bare) << bare.error().message;
  EXPECT_DOUBLE_EQ(bare->confidence, 0.6) << "a percentage, as a decision's confidence";
  EXPECT_EQ(bare->strictness, risk::Strictness::kNormal);
}

TEST(ParseModelRegime, TheBoundsAreInclusive) {
  auto r = parse_regime(R"({"regime":"ranging","confidence":1,"size_multiplier":0,
      "stop_multiplier":0.5,"target_multiplier":3})");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_DOUBLE_EQ(r->size_multiplier, 0);
  auto top = parse_regime(R"({"regime":"ranging","confidence":0,"size_multiplier":2,
      "stop_multiplier":3,"target_multiplier":0.5})");
  ASSERT_TRUE(top) << top.error().message;
}

TEST(ParseModelRegime, ErrorsNameTheFieldAndTheValue) {
  EXPECT_EQ(regime_error(R"({"regime":"sideways","confidence":0.5})"),
            "regime: \"sideways\" is not one of trending_bull, trending_bear, ranging, "
            "volatile_bull, volatile_bear, choppy, breakout_potential");
  EXPECT_EQ(regime_error(R"({"regime":"unknown","confidence":0.5})"),
            "regime: \"unknown\" is not one of trending_bull, trending_bear, ranging, "
            "volatile_bull, volatile_bear, choppy, breakout_potential");
  EXPECT_EQ(regime_error(R"({"confidence":0.5})").rfind("regime: missing", 0), 0u);
  EXPECT_EQ(regime_error(R"({"regime":3,"confidence":0.5})"), "regime: 3 is not a string");
  EXPECT_EQ(regime_error(R"({"regime":"choppy","confidence":150})"),
            "confidence: 150 is outside 0..1 (or 1..100 as a percentage)");
  EXPECT_EQ(regime_error(R"({"regime":"choppy"})").rfind("confidence: missing", 0), 0u);
  EXPECT_EQ(regime_error(R"({"regime":"choppy","confidence":0.5,"size_multiplier":2.5})"),
            "size_multiplier: 2.5 is outside 0..2");
  EXPECT_EQ(regime_error(R"({"regime":"choppy","confidence":0.5,"size_multiplier":-0.1})"),
            "size_multiplier: -0.1 is outside 0..2");
  EXPECT_EQ(regime_error(R"({"regime":"choppy","confidence":0.5,"stop_multiplier":0.4})"),
            "stop_multiplier: 0.4 is outside 0.5..3");
  EXPECT_EQ(regime_error(R"({"regime":"choppy","confidence":0.5,"target_multiplier":"4"})"),
            "target_multiplier: \"4\" is outside 0.5..3");
  EXPECT_EQ(regime_error(R"({"regime":"choppy","confidence":0.5,"stop_multiplier":"wide"})"),
            "stop_multiplier: \"wide\" is not a number");
  EXPECT_EQ(regime_error(R"({"regime":"choppy","confidence":0.5,"strictness":"lax"})"),
            "strictness: \"lax\" is not relaxed, normal, strict or very_strict");
  EXPECT_EQ(regime_error(R"({"regime":"choppy","confidence":0.5,"strictness":2})"),
            "strictness: 2 is not a string");
  EXPECT_EQ(regime_error(R"({"regime":"choppy","confidence":0.5,"reasoning":["a"]})"),
            "reasoning: [\"a\"] is not a string");
}

TEST(ParseModelRegime, TheRecordJsonHasEveryField) {
  auto r =
      parse_regime(R"({"regime":"breakout_potential","confidence":0.7,"strictness":"relaxed"})");
  ASSERT_TRUE(r) << r.error().message;
  auto back = parse_regime(model_regime_json(*r));
  ASSERT_TRUE(back) << model_regime_json(*r);
  EXPECT_EQ(back->regime, MarketRegime::kBreakoutPotential);
  EXPECT_EQ(back->strictness, risk::Strictness::kRelaxed);
  EXPECT_NE(model_regime_json(*r).find(R"("size_multiplier":1)"), std::string::npos)
      << model_regime_json(*r);
}

}  // namespace
}  // namespace tg4::agents
