#include <gtest/gtest.h>

#include "agents_test_util.hpp"
#include "strategy/advice.hpp"

namespace tg4::agents {
namespace {

using core::Decimal;
using strategy::AdviceAction;
using testing::parse;

// The Error of parsing `json_text`, or a failure when it parsed.
std::string error_of(std::string_view json_text) {
  auto parsed = parse(json_text);
  if (parsed) {
    ADD_FAILURE() << json_text << " parsed";
    return {};
  }
  return parsed.error().message;
}

TEST(AdviceAction, NamesRoundTripCaseInsensitive) {
  for (auto a :
       {AdviceAction::kBuy, AdviceAction::kSell, AdviceAction::kHold, AdviceAction::kClose}) {
    auto back = strategy::parse_advice_action(strategy::to_string(a));
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(*back, a);
  }
  EXPECT_EQ(*strategy::parse_advice_action(" buy "), AdviceAction::kBuy);
  EXPECT_EQ(*strategy::parse_advice_action("Close"), AdviceAction::kClose);
  auto bad = strategy::parse_advice_action("LONG");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message, "\"LONG\" is not an action: expected BUY, SELL, HOLD or CLOSE");
}

TEST(ParseModelDecision, ValidBuyWithEveryField) {
  auto d =
      parse(R"({"action":"BUY","confidence":0.72,"entry":45281.5,"stop":44800,"target":46500.25,
                     "size_pct":12.5,"reasoning":"EMAs aligned up"})");
  ASSERT_TRUE(d.ok()) << d.error().message;
  EXPECT_EQ(d->action, AdviceAction::kBuy);
  EXPECT_DOUBLE_EQ(d->confidence, 0.72);
  EXPECT_EQ(d->entry, Decimal::must("45281.5"));
  EXPECT_EQ(d->stop, Decimal::must("44800"));
  EXPECT_EQ(d->target, Decimal::must("46500.25"));
  EXPECT_DOUBLE_EQ(d->size_pct, 12.5);
  EXPECT_EQ(d->reasoning, "EMAs aligned up");
}

TEST(ParseModelDecision, PricesAreExactDecimalsFromNumbersAndStrings) {
  auto d = parse(R"({"action":"sell","confidence":"0.6","entry":"0.51234567","stop":0.5321,
                     "target":" 0.1e0 ","size_pct":"5"})");
  ASSERT_TRUE(d.ok()) << d.error().message;
  EXPECT_EQ(d->action, AdviceAction::kSell);
  EXPECT_DOUBLE_EQ(d->confidence, 0.6);
  EXPECT_EQ(d->entry, Decimal::must("0.51234567"));
  EXPECT_EQ(d->stop,
            Decimal::must("0.5321"));  // the double 0.5321 becomes the text the model wrote
  EXPECT_EQ(d->target, Decimal::must("0.1"));
  EXPECT_DOUBLE_EQ(d->size_pct, 5);
}

TEST(ParseModelDecision, ConfidenceAsAPercentage) {
  EXPECT_DOUBLE_EQ(parse(R"({"action":"HOLD","confidence":75})")->confidence, 0.75);
  EXPECT_DOUBLE_EQ(parse(R"({"action":"HOLD","confidence":"80%"})")->confidence, 0.8);
  EXPECT_DOUBLE_EQ(parse(R"({"action":"HOLD","confidence":"0.5 %"})")->confidence, 0.005);
  EXPECT_DOUBLE_EQ(parse(R"({"action":"HOLD","confidence":1})")->confidence, 1.0);
  EXPECT_DOUBLE_EQ(parse(R"({"action":"HOLD","confidence":100})")->confidence, 1.0);
  EXPECT_DOUBLE_EQ(parse(R"({"action":"HOLD","confidence":0})")->confidence, 0.0);
  EXPECT_DOUBLE_EQ(parse(R"({"action":"BUY","confidence":0.9,"size_pct":"10%"})")->size_pct, 10);
}

TEST(ParseModelDecision, HoldAndCloseNeedNoPricesAndIgnoreThem) {
  auto hold = parse(R"({"action":"HOLD","confidence":0.5,"entry":0,"stop":null,"target":"n/a"})");
  ASSERT_TRUE(hold.ok()) << hold.error().message;
  EXPECT_EQ(hold->action, AdviceAction::kHold);
  EXPECT_FALSE(hold->entry);
  EXPECT_FALSE(hold->stop);
  EXPECT_FALSE(hold->target);
  EXPECT_DOUBLE_EQ(hold->size_pct, 0);
  EXPECT_EQ(hold->reasoning, "");
  auto close = parse(R"({"action":"close","confidence":0.8,"reasoning":null})");
  ASSERT_TRUE(close.ok()) << close.error().message;
  EXPECT_EQ(close->action, AdviceAction::kClose);
}

TEST(ParseModelDecision, BuyPricesAreOptionalButOrdered) {
  EXPECT_TRUE(parse(R"({"action":"BUY","confidence":0.7})").ok());
  EXPECT_TRUE(parse(R"({"action":"BUY","confidence":0.7,"stop":99,"target":110})").ok());
  EXPECT_TRUE(parse(R"({"action":"BUY","confidence":0.7,"entry":100,"stop":null})").ok());
  EXPECT_EQ(error_of(R"({"action":"BUY","confidence":0.7,"entry":100,"stop":101,"target":110})"),
            "stop: 101 is not below the entry 100 (BUY)");
  EXPECT_EQ(error_of(R"({"action":"BUY","confidence":0.7,"entry":100,"stop":95,"target":100})"),
            "target: 100 is not above the entry 100 (BUY)");
  EXPECT_EQ(error_of(R"({"action":"BUY","confidence":0.7,"stop":95,"target":90})"),
            "target: 90 is not above the stop 95 (BUY)");
}

TEST(ParseModelDecision, SellPricesAreOrderedTheOtherWay) {
  EXPECT_TRUE(
      parse(R"({"action":"SELL","confidence":0.7,"entry":100,"stop":103,"target":94})").ok());
  EXPECT_EQ(error_of(R"({"action":"SELL","confidence":0.7,"entry":100,"stop":97,"target":94})"),
            "stop: 97 is not above the entry 100 (SELL)");
  EXPECT_EQ(error_of(R"({"action":"SELL","confidence":0.7,"entry":100,"stop":103,"target":104})"),
            "target: 104 is not below the entry 100 (SELL)");
}

TEST(ParseModelDecision, EachInvalidFieldIsNamedWithWhatItHeld) {
  EXPECT_EQ(error_of(R"({"confidence":0.5})"),
            "action: missing (expected BUY, SELL, HOLD or CLOSE)");
  EXPECT_EQ(error_of(R"({"action":"MAYBE","confidence":0.5})"),
            "action: \"MAYBE\" is not BUY, SELL, HOLD or CLOSE");
  EXPECT_EQ(error_of(R"({"action":1,"confidence":0.5})"), "action: 1 is not a string");
  EXPECT_EQ(error_of(R"({"action":"BUY"})"), "confidence: missing (expected a number in 0..1)");
  EXPECT_EQ(error_of(R"({"action":"BUY","confidence":150})"),
            "confidence: 150 is outside 0..1 (or 1..100 as a percentage)");
  EXPECT_EQ(error_of(R"({"action":"BUY","confidence":-0.2})"),
            "confidence: -0.2 is outside 0..1 (or 1..100 as a percentage)");
  EXPECT_EQ(error_of(R"({"action":"BUY","confidence":"120%"})"),
            "confidence: \"120%\" is outside 0..100 %");
  EXPECT_EQ(error_of(R"({"action":"BUY","confidence":"high"})"),
            "confidence: \"high\" is not a number");
  EXPECT_EQ(error_of(R"({"action":"BUY","confidence":true})"), "confidence: true is not a number");
  EXPECT_EQ(error_of(R"({"action":"BUY","confidence":0.5,"entry":-5})"),
            "entry: -5 is not a positive price");
  EXPECT_EQ(error_of(R"({"action":"BUY","confidence":0.5,"stop":0})"),
            "stop: 0 is not a positive price");
  EXPECT_EQ(error_of(R"({"action":"BUY","confidence":0.5,"target":"NaN"})"),
            "target: \"NaN\" is not a number");
  EXPECT_EQ(error_of(R"({"action":"SELL","confidence":0.5,"entry":[1]})"),
            "entry: [1] is not a number");
  EXPECT_EQ(error_of(R"({"action":"BUY","confidence":0.5,"entry":"45,000"})"),
            "entry: \"45,000\" is not a number");
  EXPECT_EQ(error_of(R"({"action":"BUY","confidence":0.5,"size_pct":101})"),
            "size_pct: 101 is outside 0..100");
  EXPECT_EQ(error_of(R"({"action":"BUY","confidence":0.5,"size_pct":-1})"),
            "size_pct: -1 is outside 0..100");
  EXPECT_EQ(error_of(R"({"action":"BUY","confidence":0.5,"reasoning":42})"),
            "reasoning: 42 is not a string");
}

TEST(ParseModelDecision, TheFirstWrongFieldIsTheOneNamed) {
  EXPECT_EQ(error_of(R"({"action":"BUY","confidence":7000,"entry":-1,"size_pct":500})"),
            "confidence: 7000 is outside 0..1 (or 1..100 as a percentage)");
}

TEST(ParseModelDecision, LongValuesAreCutInTheMessage) {
  const std::string reason(200, 'x');
  const std::string message = error_of(R"({"action":")" + reason + R"(","confidence":0.5})");
  EXPECT_LT(message.size(), 120U);
  EXPECT_NE(message.find("xxx... is not BUY"), std::string::npos) << message;
}

}  // namespace
}  // namespace tg4::agents
