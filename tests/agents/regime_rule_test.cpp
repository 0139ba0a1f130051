// The regime agent's rules (SPEC §6 fallback) on crafted markets, and the hysteresis that turns
// readings into a symbol's regime.
#include <gtest/gtest.h>

#include "agents/regime_rule.hpp"
#include "agents/regime_tracker.hpp"
#include "agents_test_util.hpp"

namespace tg4::agents {
namespace {

using testing::feed_trend;

market::SymbolMarket market_of(int minutes) { return market::SymbolMarket("BTC/USDT", {1, minutes}, 200); }

RegimeReading read(const market::SymbolMarket& market, int minutes) {
  return regime_rule(RegimeRequest{"BTC/USDT", minutes, testing::kStart}, market);
}

TEST(RegimeRule, AStrongRiseIsTrendingBull) {
  market::SymbolMarket market = market_of(15);
  feed_trend(market, 15, 80, 0.004);
  const RegimeReading r = read(market, 15);
  EXPECT_EQ(r.regime, MarketRegime::kTrendingBull) << r.reasoning;
  EXPECT_GT(r.confidence, 0.7);
  EXPECT_LE(r.confidence, 0.95);
  EXPECT_EQ(r.source, "rules");
  EXPECT_FALSE(r.by_models);
  EXPECT_NE(r.reasoning.find("ADX-14"), std::string::npos) << r.reasoning;
  EXPECT_EQ(risk_regime(r.regime), risk::Regime::kBull);
}

TEST(RegimeRule, AStrongFallIsTrendingBear) {
  market::SymbolMarket market = market_of(15);
  feed_trend(market, 15, 80, -0.004);
  const RegimeReading r = read(market, 15);
  EXPECT_EQ(r.regime, MarketRegime::kTrendingBear) << r.reasoning;
  EXPECT_EQ(risk_regime(r.regime), risk::Regime::kBear);
}

// Up one bar, down the next, by swings of varying size: no trend (the highs and lows move both
// ways), and a path that goes nowhere (choppiness high).
TEST(RegimeRule, AlternatingBarsAreChoppy) {
  market::SymbolMarket market = market_of(15);
  double previous = 30'000;
  for (int i = 0; i < 80; ++i) {
    const double swing = 60 + 15 * (i % 5);
    const double close = i % 2 == 0 ? 30'000 + swing : 30'000 - swing;
    const core::Bar b = testing::bar(15, i, close, previous);
    market.on_bar(b, b.open_time + std::chrono::minutes(15));
    previous = close;
  }
  const RegimeReading r = read(market, 15);
  EXPECT_EQ(r.regime, MarketRegime::kChoppy) << r.reasoning;
  EXPECT_GE(r.confidence, 0.7);
}

TEST(RegimeRule, WarmingUpIsUnknownAtConfidenceZero) {
  market::SymbolMarket market = market_of(15);
  feed_trend(market, 15, 10, 0.004);
  const RegimeReading r = read(market, 15);
  EXPECT_EQ(r.regime, MarketRegime::kUnknown);
  EXPECT_EQ(r.confidence, 0.0);
  EXPECT_NE(r.reasoning.find("warming up on the 15m bars (10 seen)"), std::string::npos) << r.reasoning;
}

TEST(RegimeRule, AnUntrackedTimeframeIsUnknownAndSaysSo) {
  market::SymbolMarket market = market_of(15);
  feed_trend(market, 15, 80, 0.004);
  const RegimeReading r = read(market, 60);
  EXPECT_EQ(r.regime, MarketRegime::kUnknown);
  EXPECT_NE(r.reasoning.find("60m bars are not tracked"), std::string::npos) << r.reasoning;
}

TEST(RegimeNames, RoundTripAndRefuseOthers) {
  for (int i = 0; i <= static_cast<int>(MarketRegime::kUnknown); ++i) {
    const auto regime = static_cast<MarketRegime>(i);
    EXPECT_EQ(parse_market_regime(to_string(regime)).value(), regime);
  }
  EXPECT_EQ(parse_market_regime("Trending_Bull").value(), MarketRegime::kTrendingBull);
  const auto bad = parse_market_regime("sideways");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("'sideways' is not a regime"), std::string::npos);
  EXPECT_EQ(risk_regime(MarketRegime::kVolatileBear), risk::Regime::kVolatile);
  // An intent may carry the agent's name: the risk engine reads it as the same row.
  for (int i = 0; i <= static_cast<int>(MarketRegime::kUnknown); ++i) {
    const auto regime = static_cast<MarketRegime>(i);
    EXPECT_EQ(risk::parse_regime(to_string(regime)), risk_regime(regime)) << to_string(regime);
  }
  EXPECT_EQ(risk_regime(MarketRegime::kBreakoutPotential), risk::Regime::kBreakout);
}

RegimeReading reading(MarketRegime regime, double confidence, int minute = 0) {
  RegimeReading r;
  r.symbol = "BTC/USDT";
  r.regime = regime;
  r.confidence = confidence;
  r.time = testing::kStart + std::chrono::minutes(minute);
  return r;
}

TEST(RegimeTracker, AChangeNeedsTwoConfidentRunsInARow) {
  RegimeTracker tracker(0.7, 2);
  EXPECT_FALSE(tracker.observe(reading(MarketRegime::kTrendingBull, 0.8, 0)));
  EXPECT_EQ(tracker.current().regime, MarketRegime::kUnknown);
  EXPECT_EQ(tracker.candidate_runs(), 1);
  EXPECT_TRUE(tracker.observe(reading(MarketRegime::kTrendingBull, 0.75, 5)));
  EXPECT_EQ(tracker.current().regime, MarketRegime::kTrendingBull);
  EXPECT_EQ(tracker.current().confidence, 0.75);
  EXPECT_EQ(tracker.since(), testing::kStart + std::chrono::minutes(5));
}

TEST(RegimeTracker, ALessConfidentRunOrAnotherRegimeStartsTheCountAgain) {
  RegimeTracker tracker(0.7, 2);
  tracker.observe(reading(MarketRegime::kRanging, 0.7, 0));
  ASSERT_TRUE(tracker.observe(reading(MarketRegime::kRanging, 0.7, 5)));
  EXPECT_FALSE(tracker.observe(reading(MarketRegime::kChoppy, 0.9, 10)));
  EXPECT_FALSE(tracker.observe(reading(MarketRegime::kChoppy, 0.69, 15))) << "below 0.7: forgets the candidate";
  EXPECT_FALSE(tracker.observe(reading(MarketRegime::kChoppy, 0.9, 20)));
  EXPECT_FALSE(tracker.observe(reading(MarketRegime::kTrendingBear, 0.9, 25))) << "another regime starts again";
  EXPECT_FALSE(tracker.observe(reading(MarketRegime::kChoppy, 0.9, 30)));
  EXPECT_EQ(tracker.current().regime, MarketRegime::kRanging);
  EXPECT_TRUE(tracker.observe(reading(MarketRegime::kChoppy, 0.9, 35)));
  EXPECT_EQ(tracker.since(), testing::kStart + std::chrono::minutes(35));
}

TEST(RegimeTracker, TheRegimeInForceKeepsItsStartAndRefreshesItsDetails) {
  RegimeTracker tracker(0.7, 2);
  tracker.observe(reading(MarketRegime::kRanging, 0.7, 0));
  tracker.observe(reading(MarketRegime::kRanging, 0.7, 5));
  tracker.observe(reading(MarketRegime::kChoppy, 0.9, 10));
  RegimeReading again = reading(MarketRegime::kRanging, 0.4, 15);  // low, but the same regime
  again.strictness = risk::Strictness::kStrict;
  EXPECT_FALSE(tracker.observe(again));
  EXPECT_EQ(tracker.current().confidence, 0.4);
  EXPECT_EQ(tracker.current().strictness, risk::Strictness::kStrict);
  EXPECT_EQ(tracker.since(), testing::kStart + std::chrono::minutes(5));
  EXPECT_EQ(tracker.candidate_runs(), 0) << "the same regime forgets the choppy candidate";
  EXPECT_FALSE(tracker.observe(reading(MarketRegime::kUnknown, 0.0, 20))) << "warming up changes nothing";
  EXPECT_EQ(tracker.current().regime, MarketRegime::kRanging);
}

TEST(RegimeTracker, OneRunSufficesWhenConfiguredSo) {
  RegimeTracker tracker(0.5, 1);
  EXPECT_TRUE(tracker.observe(reading(MarketRegime::kVolatileBull, 0.5)));
}

}  // namespace
}  // namespace tg4::agents

namespace tg4::agents {
namespace {

// Between two bars of its timeframe the agent repeats its reading (new time); a new bar is read.
TEST(RuleRegimeAgent, ReadsAgainOnlyWhenABarOfItsTimeframeClosed) {
  market::SymbolMarket market = market_of(15);
  feed_trend(market, 15, 40, 0.004);
  RuleRegimeAgent agent("rules (llm.enabled is false)");
  std::vector<RegimeReading> got;
  const auto ask = [&](int minute) {
    agent.assess(RegimeRequest{"BTC/USDT", 15, testing::kStart + std::chrono::minutes(minute)}, market,
                 [&](RegimeReading r) { got.push_back(std::move(r)); });
  };
  ask(600);
  ask(605);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[1].reasoning, got[0].reasoning);
  EXPECT_EQ(got[1].time, testing::kStart + std::chrono::minutes(605));
  EXPECT_EQ(got[1].source, "rules (llm.enabled is false)");
  // The market turns: thirty falling bars later the agent reads it again.
  double previous = 30'000 * std::pow(1.004, 40);
  for (int i = 40; i < 70; ++i) {
    const double close = previous * 0.99;
    const core::Bar b = testing::bar(15, i, close, previous);
    market.on_bar(b, b.open_time + std::chrono::minutes(15));
    previous = close;
  }
  ask(1100);
  EXPECT_EQ(got[0].regime, MarketRegime::kTrendingBull);
  EXPECT_EQ(got[2].regime, MarketRegime::kTrendingBear) << got[2].reasoning;
}

}  // namespace
}  // namespace tg4::agents

namespace tg4::agents {
namespace {


TEST(RegimeTracker, ARegimeCarriedOverFromTheLastSessionIsBackAtTheFirstReadingThatAgrees) {
  RegimeTracker tracker(0.7, 2);
  const core::Timestamp began = testing::kStart - std::chrono::hours(3);
  tracker.carry_over(reading(MarketRegime::kTrendingBull, 0.8, -60), began);
  EXPECT_EQ(tracker.current().regime, MarketRegime::kUnknown)
      << "nothing in force before a fresh reading";
  EXPECT_EQ(tracker.candidate(), MarketRegime::kTrendingBull);
  EXPECT_EQ(tracker.candidate_runs(), 1);
  EXPECT_TRUE(tracker.observe(reading(MarketRegime::kTrendingBull, 0.75, 0)));
  EXPECT_EQ(tracker.current().regime, MarketRegime::kTrendingBull);
  EXPECT_EQ(tracker.since(), began) << "it began in the last session";
}

TEST(RegimeTracker, AMarketThatMovedOnSinceNeedsTheUsualRuns) {
  RegimeTracker tracker(0.7, 2);
  tracker.carry_over(reading(MarketRegime::kTrendingBull, 0.8, -60),
                     testing::kStart - std::chrono::hours(3));
  EXPECT_FALSE(tracker.observe(reading(MarketRegime::kChoppy, 0.9, 0)));
  EXPECT_EQ(tracker.current().regime, MarketRegime::kUnknown);
  EXPECT_TRUE(tracker.observe(reading(MarketRegime::kChoppy, 0.9, 5)));
  EXPECT_EQ(tracker.since(), testing::kStart + std::chrono::minutes(5))
      << "its own start, not the carried one's";

  RegimeTracker unsure(0.7, 2);
  unsure.carry_over(reading(MarketRegime::kRanging, 0.8, -60),
                    testing::kStart - std::chrono::hours(3));
  EXPECT_FALSE(unsure.observe(reading(MarketRegime::kRanging, 0.5, 0)))
      << "below the confidence a change needs";
  EXPECT_FALSE(unsure.observe(reading(MarketRegime::kRanging, 0.8, 5)));
  EXPECT_TRUE(unsure.observe(reading(MarketRegime::kRanging, 0.8, 10)));
  EXPECT_EQ(unsure.since(), testing::kStart + std::chrono::minutes(10));

  RegimeTracker single(0.7, 1);  // one run changes the regime anyway: nothing to carry
  single.carry_over(reading(MarketRegime::kRanging, 0.8, -60), testing::kStart);
  EXPECT_EQ(single.candidate_runs(), 0);
}

}  // namespace
}  // namespace tg4::agents
