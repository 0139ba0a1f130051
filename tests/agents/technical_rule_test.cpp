// The technical analysis agent's rules (SPEC §6 fallback: RSI > 60 and MACD histogram > 0 -> long)
// on crafted markets, the names of its readings, and the rule agent's reuse of a reading between
// closed bars.
#include "agents/technical_rule.hpp"

#include <gtest/gtest.h>

#include "agents_test_util.hpp"

namespace tg4::agents {
namespace {

using testing::feed_trend;

market::SymbolMarket technical_market(int minutes) {
  return market::SymbolMarket("BTC/USDT", {1, minutes}, 200);
}

TechnicalReading read_technical(const market::SymbolMarket& market, int minutes) {
  return technical_rule(TechnicalRequest{"BTC/USDT", minutes, testing::kStart}, market);
}

const market::IndicatorSnapshot& indicators(const market::SymbolMarket& market, int minutes) {
  return market.timeframe(minutes)->indicators();
}

TEST(TechnicalRule, AStrongRiseIsLongWithAnUpTrend) {
  market::SymbolMarket market = technical_market(5);
  feed_trend(market, 5, 80, 0.004);
  const TechnicalReading r = read_technical(market, 5);
  const market::IndicatorSnapshot& s = indicators(market, 5);
  ASSERT_TRUE(r.known) << r.reasoning;
  EXPECT_EQ(r.bias, Bias::kLong) << r.reasoning;
  EXPECT_DOUBLE_EQ(r.confidence, std::min(0.95, 0.6 + (*s.rsi_14 - 60) / 100));
  EXPECT_EQ(r.trend, TrendDirection::kUp);
  EXPECT_DOUBLE_EQ(r.trend_strength, std::min(1.0, *s.adx_14 / 50));
  EXPECT_DOUBLE_EQ(r.momentum, (*s.rsi_14 - 50) / 50);
  EXPECT_EQ(r.macd_signal, MacdSignal::kBullish);
  EXPECT_EQ(r.rsi_signal, *s.rsi_14 > 70 ? RsiSignal::kOverbought : RsiSignal::kNeutral);
  ASSERT_TRUE(r.support && r.resistance);
  EXPECT_DOUBLE_EQ(*r.support, *s.donchian_lower);
  EXPECT_DOUBLE_EQ(*r.resistance, *s.donchian_upper);
  EXPECT_LT(*r.support, *r.resistance);
  EXPECT_EQ(r.source, "rules");
  EXPECT_FALSE(r.by_models);
  EXPECT_NE(r.reasoning.find("RSI > 60 and MACD histogram > 0"), std::string::npos) << r.reasoning;
}

// A fall that speeds up (a steady one slows the MACD line's fall: its histogram turns positive).
void feed_accelerating_fall(market::SymbolMarket& market, int count) {
  double previous = 30'000;
  for (int i = 0; i < count; ++i) {
    const double close = 30'000 - 3.0 * (i + 1) * (i + 1);
    const core::Bar b = testing::bar(5, i, close, previous);
    market.on_bar(b, b.open_time + std::chrono::minutes(5));
    previous = close;
  }
}

TEST(TechnicalRule, AnAcceleratingFallIsShortWithADownTrend) {
  market::SymbolMarket market = technical_market(5);
  feed_accelerating_fall(market, 80);
  const TechnicalReading r = read_technical(market, 5);
  ASSERT_TRUE(r.known) << r.reasoning;
  EXPECT_EQ(r.bias, Bias::kShort) << r.reasoning;
  EXPECT_EQ(r.trend, TrendDirection::kDown);
  EXPECT_LT(r.momentum, -0.2);
  EXPECT_EQ(r.macd_signal, MacdSignal::kBearish);
  EXPECT_GE(r.confidence, 0.6);
  EXPECT_LE(r.confidence, 0.95);
}

// Up one bar, down the next, by swings of varying size: RSI near 50, no trend: neutral at 0.5.
TEST(TechnicalRule, AlternatingBarsAreNeutralAndSideways) {
  market::SymbolMarket market = technical_market(5);
  double previous = 30'000;
  for (int i = 0; i < 80; ++i) {
    const double swing = 60 + 15 * (i % 5);
    const double close = i % 2 == 0 ? 30'000 + swing : 30'000 - swing;
    const core::Bar b = testing::bar(5, i, close, previous);
    market.on_bar(b, b.open_time + std::chrono::minutes(5));
    previous = close;
  }
  const TechnicalReading r = read_technical(market, 5);
  ASSERT_TRUE(r.known) << r.reasoning;
  EXPECT_EQ(r.bias, Bias::kNeutral) << r.reasoning;
  EXPECT_DOUBLE_EQ(r.confidence, 0.5);
  EXPECT_EQ(r.trend, TrendDirection::kSideways) << r.reasoning;
  EXPECT_EQ(r.rsi_signal, RsiSignal::kNeutral);
  EXPECT_NE(r.reasoning.find("neither"), std::string::npos) << r.reasoning;
}

TEST(TechnicalRule, WarmingUpIsNotKnownAndNamesTheIndicator) {
  market::SymbolMarket market = technical_market(5);
  feed_trend(market, 5, 10, 0.004);
  const TechnicalReading r = read_technical(market, 5);
  EXPECT_FALSE(r.known);
  EXPECT_EQ(r.bias, Bias::kNeutral);
  EXPECT_EQ(r.confidence, 0.0);
  EXPECT_NE(r.reasoning.find("RSI-14 is still warming up on the 5m bars (10 seen)"),
            std::string::npos)
      << r.reasoning;
}

TEST(TechnicalRule, AnUntrackedTimeframeIsNotKnownAndSaysSo) {
  market::SymbolMarket market = technical_market(5);
  feed_trend(market, 5, 80, 0.004);
  const TechnicalReading r = read_technical(market, 60);
  EXPECT_FALSE(r.known);
  EXPECT_NE(r.reasoning.find("60m bars are not tracked"), std::string::npos) << r.reasoning;
}

// Between two closed bars the indicators cannot change: the same reading comes back with the new
// time; a closed bar makes a new one.
TEST(RuleTechnicalAgent, RepeatsItsReadingUntilABarCloses) {
  market::SymbolMarket market = technical_market(5);
  feed_trend(market, 5, 80, 0.004);
  RuleTechnicalAgent agent("rules (llm.enabled is false)");
  std::vector<TechnicalReading> readings;
  const auto keep = [&](TechnicalReading r) { readings.push_back(std::move(r)); };
  agent.analyse({"BTC/USDT", 5, testing::kStart}, market, keep);
  agent.analyse({"BTC/USDT", 5, testing::kStart + std::chrono::seconds(60)}, market, keep);
  ASSERT_EQ(readings.size(), 2u);
  EXPECT_EQ(readings[1].time, testing::kStart + std::chrono::seconds(60));
  EXPECT_EQ(readings[1].reasoning, readings[0].reasoning);
  EXPECT_EQ(readings[0].source, "rules (llm.enabled is false)");
  // Twenty bars falling ever faster turn the bias.
  double previous = 30'000 * std::pow(1.004, 80);
  for (int i = 80; i < 100; ++i) {
    const double close = previous * (1 - 0.002 * (i - 79));
    const core::Bar b = testing::bar(5, i, close, previous);
    market.on_bar(b, b.open_time + std::chrono::minutes(5));
    previous = close;
  }
  agent.analyse({"BTC/USDT", 5, testing::kStart + std::chrono::seconds(120)}, market, keep);
  ASSERT_EQ(readings.size(), 3u);
  EXPECT_EQ(readings[2].bias, Bias::kShort) << readings[2].reasoning;
}

TEST(TechnicalNames, RoundTripAndRefuseOthers) {
  for (const Bias b : {Bias::kLong, Bias::kShort, Bias::kNeutral})
    EXPECT_EQ(parse_bias(to_string(b)).value(), b);
  for (const TrendDirection d :
       {TrendDirection::kUp, TrendDirection::kDown, TrendDirection::kSideways})
    EXPECT_EQ(parse_trend_direction(to_string(d)).value(), d);
  for (const RsiSignal s : {RsiSignal::kOverbought, RsiSignal::kOversold, RsiSignal::kNeutral})
    EXPECT_EQ(parse_rsi_signal(to_string(s)).value(), s);
  for (const MacdSignal s : {MacdSignal::kBullish, MacdSignal::kBearish, MacdSignal::kNeutral})
    EXPECT_EQ(parse_macd_signal(to_string(s)).value(), s);
  EXPECT_EQ(parse_bias(" LONG ").value(), Bias::kLong);
  const auto wrong = parse_bias("buy");
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().message, "'buy' is not a bias (one of long, short, neutral)");
  EXPECT_EQ(bias_sign(Bias::kLong), 1);
  EXPECT_EQ(bias_sign(Bias::kShort), -1);
  EXPECT_EQ(bias_sign(Bias::kNeutral), 0);
}

}  // namespace
}  // namespace tg4::agents
