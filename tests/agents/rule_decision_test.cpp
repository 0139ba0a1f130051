#include "agents/rule_decision.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "agents_test_util.hpp"

namespace tg4::agents {
namespace {

using core::Decimal;
using strategy::AdviceAction;
using testing::feed_trend;

TEST(RuleDecision, AnUpTrendIsABuyWithAStopBelowAndATargetAbove) {
  market::SymbolMarket m("BTC/USDT", {60}, 500);
  feed_trend(m, 60, 80, 0.004);
  const market::IndicatorSnapshot& s = m.timeframe(60)->indicators();
  ASSERT_TRUE(s.rsi_14 && s.macd_hist && s.atr_14);
  ASSERT_GT(*s.rsi_14, 60);
  ASSERT_GT(*s.macd_hist, 0);

  const ModelDecision d = rule_decision(m, 60);
  ASSERT_EQ(d.action, AdviceAction::kBuy) << d.reasoning;
  const Decimal close = m.timeframe(60)->bars().back().close;
  ASSERT_TRUE(d.entry && d.stop && d.target);
  EXPECT_EQ(*d.entry, close);
  EXPECT_LT(*d.stop, close);
  EXPECT_GT(*d.target, close);
  // 2 ATR below, 3 ATR above, to the close's 8 significant digits (3 decimals at 5 digits before
  // the point)
  EXPECT_NEAR((close - *d.stop).to_double(), 2 * *s.atr_14, 0.002);
  EXPECT_NEAR((*d.target - close).to_double(), 3 * *s.atr_14, 0.002);
  EXPECT_EQ(d.stop->round(3), *d.stop);
  EXPECT_EQ(d.target->round(3), *d.target);
  EXPECT_GE(d.confidence, 0.6);
  EXPECT_LE(d.confidence, 0.8);
  EXPECT_TRUE(check_price_order(d).ok());
  EXPECT_EQ(d.reasoning.rfind("rules: BUY on 60m, RSI-14 ", 0), 0U) << d.reasoning;
  EXPECT_NE(d.reasoning.find("> 60 and MACD histogram"), std::string::npos) << d.reasoning;
}

TEST(RuleDecision, ADownTrendIsASellWithAStopAboveAndATargetBelow) {
  // An accelerating fall: a steady percentage fall shrinks in price terms, and the MACD histogram,
  // which is in price terms, turns positive.
  market::SymbolMarket m("BTC/USDT", {60}, 500);
  double previous = 30'000;
  for (int i = 0; i < 80; ++i) {
    const double close = 30'000 - 2.0 * (i + 1) * (i + 1);
    const core::Bar b = testing::bar(60, i, close, previous);
    m.on_bar(b, b.open_time + std::chrono::hours(1));
    previous = close;
  }
  const ModelDecision d = rule_decision(m, 60);
  ASSERT_EQ(d.action, AdviceAction::kSell) << d.reasoning;
  const Decimal close = m.timeframe(60)->bars().back().close;
  EXPECT_EQ(*d.entry, close);
  EXPECT_GT(*d.stop, close);
  EXPECT_LT(*d.target, close);
  EXPECT_TRUE(d.target->is_positive());
  EXPECT_TRUE(check_price_order(d).ok());
  EXPECT_EQ(d.reasoning.rfind("rules: SELL on 60m", 0), 0U) << d.reasoning;
}

TEST(RuleDecision, WarmingUpIsHold) {
  market::SymbolMarket m("BTC/USDT", {60}, 500);
  feed_trend(m, 60, 20, 0.004);  // RSI-14 is ready, the MACD histogram (34 bars) not yet
  const ModelDecision d = rule_decision(m, 60);
  EXPECT_EQ(d.action, AdviceAction::kHold);
  EXPECT_FALSE(d.entry || d.stop || d.target);
  EXPECT_EQ(d.reasoning,
            "rules: HOLD, the MACD histogram is still warming up on the 60m bars (20 seen)");

  const market::SymbolMarket empty("BTC/USDT", {60}, 500);
  EXPECT_EQ(rule_decision(empty, 60).reasoning,
            "rules: HOLD, RSI-14 is still warming up on the 60m bars (0 seen)");
}

TEST(RuleDecision, ASidewaysMarketIsHold) {
  market::SymbolMarket m("BTC/USDT", {60}, 500);
  for (int i = 0; i < 80; ++i) {
    const double close = i % 2 == 0 ? 30'050 : 29'950;
    const core::Bar b = testing::bar(60, i, close, i % 2 == 0 ? 29'950 : 30'050);
    m.on_bar(b, b.open_time + std::chrono::hours(1));
  }
  const ModelDecision d = rule_decision(m, 60);
  EXPECT_EQ(d.action, AdviceAction::kHold);
  EXPECT_NE(d.reasoning.find("call for neither BUY"), std::string::npos) << d.reasoning;
}

TEST(RuleDecision, AnUntrackedTimeframeFallsBackToTheFirstTracked) {
  market::SymbolMarket m("BTC/USDT", {15, 60}, 500);
  feed_trend(m, 15, 80, 0.004);
  const ModelDecision d = rule_decision(m, 5);
  EXPECT_EQ(d.action, AdviceAction::kBuy);
  EXPECT_EQ(d.reasoning.rfind("rules: BUY on 15m", 0), 0U) << d.reasoning;
  // The 1h timeframe, tracked but without bars, is warming up.
  EXPECT_EQ(rule_decision(m, 60).action, AdviceAction::kHold);

  const market::SymbolMarket none("BTC/USDT", {}, 500);
  EXPECT_EQ(rule_decision(none, 60).reasoning, "rules: HOLD, no timeframe is tracked");
}

}  // namespace
}  // namespace tg4::agents
