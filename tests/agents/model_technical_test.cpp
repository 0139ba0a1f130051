// agents::parse_model_technical: a model's technical answer, validated field by field.
#include "agents/model_technical.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <string>
#include <vector>

namespace tg4::agents {
namespace {

core::Result<ModelTechnical> parse_technical(std::string_view json_text) {
  return parse_model_technical(boost::json::parse(json_text).as_object());
}

// The Error of parsing `json_text`, or a failure when it parsed.
std::string technical_error(std::string_view json_text) {
  auto parsed = parse_technical(json_text);
  if (parsed) {
    ADD_FAILURE() << json_text << " parsed";
    return {};
  }
  return parsed.error().message;
}

struct TechnicalErrorCase {
  std::string answer;
  std::string error;  // in full
};

void expect_technical_errors(const std::vector<TechnicalErrorCase>& cases) {
  for (const auto& [answer, error] : cases) EXPECT_EQ(technical_error(answer), error) << answer;
}

// The smallest valid answer with `extra` ("" or fields each followed by a comma) put first; `extra`
// may not name the fields it already has.
std::string technical_with(std::string_view extra) {
  return fmt::format(R"({{{}"bias":"long","confidence":0.6,)"
                     R"("trend":{{"direction":"up","strength":0.5}},"momentum":0.3}})",
                     extra);
}

TEST(ParseModelTechnical, EveryField) {
  auto t = parse_technical(R"({"trend":{"direction":"up","strength":0.7},"momentum":-0.25,
      "rsi_signal":"overbought","macd_signal":"bearish","support":30500.5,"resistance":"32000",
      "bias":"short","confidence":0.8,"reasoning":"RSI 74, MACD crossing down"})");
  ASSERT_TRUE(t) << t.error().message;
  EXPECT_EQ(t->trend, TrendDirection::kUp);
  EXPECT_DOUBLE_EQ(t->trend_strength, 0.7);
  EXPECT_DOUBLE_EQ(t->momentum, -0.25);
  EXPECT_EQ(t->rsi_signal, RsiSignal::kOverbought);
  EXPECT_EQ(t->macd_signal, MacdSignal::kBearish);
  ASSERT_TRUE(t->support && t->resistance);
  EXPECT_DOUBLE_EQ(*t->support, 30500.5);
  EXPECT_DOUBLE_EQ(*t->resistance, 32000);
  EXPECT_EQ(t->bias, Bias::kShort);
  EXPECT_DOUBLE_EQ(t->confidence, 0.8);
  EXPECT_EQ(t->reasoning, "RSI 74, MACD crossing down");
}

TEST(ParseModelTechnical, OptionalFieldsDefaultAndCaseIsIgnored) {
  auto t = parse_technical(R"({"bias":" NEUTRAL ","confidence":"75%",
      "trend":{"direction":"Sideways","strength":"0.2"},"momentum":"-0.1",
      "rsi_signal":null,"macd_signal":"BULLISH","support":null})");
  ASSERT_TRUE(t) << t.error().message;
  EXPECT_EQ(t->bias, Bias::kNeutral);
  EXPECT_DOUBLE_EQ(t->confidence, 0.75);
  EXPECT_EQ(t->trend, TrendDirection::kSideways);
  EXPECT_DOUBLE_EQ(t->trend_strength, 0.2);
  EXPECT_DOUBLE_EQ(t->momentum, -0.1);
  EXPECT_EQ(t->rsi_signal, RsiSignal::kNeutral) << "null is absent";
  EXPECT_EQ(t->macd_signal, MacdSignal::kBullish);
  EXPECT_FALSE(t->support);
  EXPECT_FALSE(t->resistance);
  EXPECT_EQ(t->reasoning, "");

  auto bare = parse_technical(technical_with(""));
  ASSERT_TRUE(bare) << bare.error().message;
  EXPECT_EQ(bare->rsi_signal, RsiSignal::kNeutral);
  EXPECT_EQ(bare->macd_signal, MacdSignal::kNeutral);
  auto percent = parse_technical(R"({"bias":"long","confidence":60,
      "trend":{"direction":"up","strength":1},"momentum":1})");
  ASSERT_TRUE(percent) << percent.error().message;
  EXPECT_DOUBLE_EQ(percent->confidence, 0.6) << "a percentage, as a decision's confidence";
}

TEST(ParseModelTechnical, TheBoundsAreInclusive) {
  auto low = parse_technical(R"({"bias":"short","confidence":0,
      "trend":{"direction":"down","strength":0},"momentum":-1,"support":0.0001})");
  ASSERT_TRUE(low) << low.error().message;
  EXPECT_DOUBLE_EQ(low->trend_strength, 0);
  EXPECT_DOUBLE_EQ(low->momentum, -1);
  auto high = parse_technical(R"({"bias":"long","confidence":1,
      "trend":{"direction":"up","strength":1},"momentum":1,"resistance":1e9})");
  ASSERT_TRUE(high) << high.error().message;
  EXPECT_DOUBLE_EQ(high->trend_strength, 1);
  EXPECT_DOUBLE_EQ(high->momentum, 1);
}

TEST(ParseModelTechnical, BiasAndConfidenceErrors) {
  const std::string rest = R"("trend":{"direction":"up","strength":0.5},"momentum":0.3})";
  expect_technical_errors({
      {R"({"confidence":0.5,)" + rest, "bias: missing (expected one of long, short, neutral)"},
      {R"({"bias":"buy","confidence":0.5,)" + rest,
       R"(bias: "buy" is not one of long, short, neutral)"},
      {R"({"bias":1,"confidence":0.5,)" + rest, "bias: 1 is not a string"},
      {R"({"bias":"long",)" + rest, "confidence: missing (expected a number in 0..1)"},
      {R"({"bias":"long","confidence":150,)" + rest,
       "confidence: 150 is outside 0..1 (or 1..100 as a percentage)"},
      {R"({"bias":"long","confidence":"sure",)" + rest, R"(confidence: "sure" is not a number)"},
  });
}

TEST(ParseModelTechnical, TrendErrors) {
  const std::string head = R"({"bias":"long","confidence":0.5,"momentum":0.3)";
  const std::string missing =
      R"(trend: missing (expected {"direction": up | down | sideways, "strength": 0..1}))";
  expect_technical_errors({
      {head + "}", missing},
      {head + R"(,"trend":null})", missing},
      {head + R"(,"trend":"up"})", R"(trend: "up" is not an object)"},
      {head + R"(,"trend":{"strength":0.5}})",
       "trend.direction: missing (expected one of up, down, sideways)"},
      {head + R"(,"trend":{"direction":"bullish","strength":0.5}})",
       R"(trend.direction: "bullish" is not one of up, down, sideways)"},
      {head + R"(,"trend":{"direction":["up"],"strength":0.5}})",
       R"(trend.direction: ["up"] is not a string)"},
      {head + R"(,"trend":{"direction":"up"}})",
       "trend.strength: missing (expected a number 0..1)"},
      {head + R"(,"trend":{"direction":"up","strength":1.5}})",
       "trend.strength: 1.5 is outside 0..1"},
      {head + R"(,"trend":{"direction":"up","strength":"-0.1"}})",
       R"(trend.strength: "-0.1" is outside 0..1)"},
      {head + R"(,"trend":{"direction":"up","strength":"strong"}})",
       R"(trend.strength: "strong" is not a number)"},
      // Only the confidence may be a percentage.
      {head + R"(,"trend":{"direction":"up","strength":"70%"}})",
       R"(trend.strength: "70%" is not a number)"},
  });
}

TEST(ParseModelTechnical, MomentumSignalAndReasoningErrors) {
  const std::string head =
      R"({"bias":"long","confidence":0.5,"trend":{"direction":"up","strength":0.5})";
  expect_technical_errors({
      {head + "}", "momentum: missing (expected a number -1..1)"},
      {head + R"(,"momentum":1.2})", "momentum: 1.2 is outside -1..1"},
      {head + R"(,"momentum":"-1.01"})", R"(momentum: "-1.01" is outside -1..1)"},
      {head + R"(,"momentum":true})", "momentum: true is not a number"},
      {technical_with(R"("rsi_signal":"high",)"),
       R"(rsi_signal: "high" is not one of overbought, oversold, neutral)"},
      {technical_with(R"("rsi_signal":70,)"), "rsi_signal: 70 is not a string"},
      {technical_with(R"("macd_signal":"up",)"),
       R"(macd_signal: "up" is not one of bullish, bearish, neutral)"},
      {technical_with(R"("macd_signal":{},)"), "macd_signal: {} is not a string"},
      {technical_with(R"("reasoning":["a"],)"), R"(reasoning: ["a"] is not a string)"},
  });
}

TEST(ParseModelTechnical, SupportAndResistanceArePositiveAndInOrder) {
  expect_technical_errors({
      {technical_with(R"("support":0,)"), "support: 0 is not a positive price"},
      {technical_with(R"("resistance":"-5",)"), R"(resistance: "-5" is not a positive price)"},
      {technical_with(R"("support":"near 30k",)"), R"(support: "near 30k" is not a number)"},
      {technical_with(R"("support":32000,"resistance":30500,)"),
       "support: 32000 is not below resistance 30500"},
      {technical_with(R"("support":"31000","resistance":31000,)"),
       "support: 31000 is not below resistance 31000"},
  });
  auto one_side = parse_technical(technical_with(R"("resistance":"31000.25",)"));
  ASSERT_TRUE(one_side) << one_side.error().message;
  EXPECT_FALSE(one_side->support);
  ASSERT_TRUE(one_side->resistance);
  EXPECT_DOUBLE_EQ(*one_side->resistance, 31000.25);
}

TEST(ParseModelTechnical, TheRecordJsonHasEveryField) {
  auto t = parse_technical(technical_with(R"("macd_signal":"bullish","support":30000,)"));
  ASSERT_TRUE(t) << t.error().message;
  const std::string json = model_technical_json(*t);
  EXPECT_NE(json.find(R"("trend":{"direction":"up","strength":)"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("rsi_signal":"neutral")"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("resistance":null)"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("reasoning":"")"), std::string::npos) << json;
  auto back = parse_technical(json);
  ASSERT_TRUE(back) << json << ": " << back.error().message;
  EXPECT_EQ(back->bias, Bias::kLong);
  EXPECT_DOUBLE_EQ(back->confidence, 0.6);
  EXPECT_EQ(back->trend, TrendDirection::kUp);
  EXPECT_DOUBLE_EQ(back->trend_strength, 0.5);
  EXPECT_DOUBLE_EQ(back->momentum, 0.3);
  EXPECT_EQ(back->macd_signal, MacdSignal::kBullish);
  ASSERT_TRUE(back->support);
  EXPECT_DOUBLE_EQ(*back->support, 30000);
  EXPECT_FALSE(back->resistance);
}

}  // namespace
}  // namespace tg4::agents
