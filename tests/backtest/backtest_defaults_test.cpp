// A built-in strategy with its default parameters against the real risk engine: a losing streak
// must not stop it for good (docs/STRATEGIES.md "Why confidence defaults to 0.9").
#include <gtest/gtest.h>

#include "backtest/backtest.hpp"
#include "backtest_support.hpp"

namespace tg4::backtest::testing {
namespace {

constexpr int kCycles = 8;
constexpr int kCycleBars = 150;  // longer than the longest loss cool-down (60 min at 5 in a row)

// Each cycle: a slow decline (fast EMA below the slow one), two bars up (the fast EMA crosses
// above: ema_cross buys at the next open), one more bar up that stays below the target, then a
// crash through the stop, and the decline again from there. Every entry is a loss.
std::vector<core::Bar> losing_cycles() {
  std::vector<core::Bar> bars;
  std::int64_t price = 10'000;
  int minute = 0;
  const auto add = [&](std::int64_t open, std::int64_t close) {
    const std::string o = std::to_string(open), c = std::to_string(close);
    const std::string h = std::to_string(std::max(open, close) + 5);
    const std::string l = std::to_string(std::min(open, close) - 5);
    bars.push_back(bar_at(minute++, o.c_str(), h.c_str(), l.c_str(), c.c_str()));
  };
  for (int cycle = 0; cycle < kCycles; ++cycle) {
    for (int i = 0; i < kCycleBars - 4; ++i, price -= 2) add(price, price - 2);
    for (int i = 0; i < 3; ++i, price += 40) add(price, price + 40);
    add(price, price - 150);  // -1.5 %: through any stop (0.51 % .. 4.95 % below the entry)
    price -= 150;
  }
  return bars;
}

BacktestSpec ema_cross_spec(std::map<std::string, std::string> params) {
  BacktestSpec spec;
  spec.strategy = "ema_cross";
  spec.params = std::move(params);
  spec.collect_charts = false;
  return spec;
}

bool refused_for_confidence(const Summary& s) {
  for (const auto& [rule, count] : s.rejections) {
    if (rule.ends_with(":confidence") && count > 0) return true;
  }
  return false;
}

TEST(BacktestDefaults, EmaCrossKeepsTradingThroughALosingStreak) {
  const MarketData data = candles(losing_cycles());
  const auto result = run_backtest(ema_cross_spec({}), data);
  ASSERT_TRUE(result) << result.error().message;
  const Summary& s = result->summary;
  EXPECT_EQ(s.trades, static_cast<std::uint64_t>(kCycles));
  EXPECT_EQ(s.losses, s.trades);
  EXPECT_FALSE(refused_for_confidence(s));
}

// The same market with the old default (0.75) and no regime known: rule 4's minimum is 0.80 after
// three losses in a row, and with no entry there is no win to end the streak.
TEST(BacktestDefaults, AConfidenceBelowTheStreakMinimumStopsAfterThreeLosses) {
  const MarketData data = candles(losing_cycles());
  BacktestSpec spec = ema_cross_spec({{"confidence", "0.75"}});
  spec.base.agents.regime_detection = false;
  const auto result = run_backtest(spec, data);
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_EQ(result->summary.trades, 3u);
  EXPECT_TRUE(refused_for_confidence(result->summary));
}

// With regime detection (the default) the steady decline reads trending_bear on the 15m bars
// (ADX far above 25): its minimum is 0.55, so 0.75 passes even at five losses in a row (0.55 + 0.20).
// The regime agent's reading reaches the risk engine.
TEST(BacktestDefaults, ADetectedTrendLowersTheMinimumConfidence) {
  const MarketData data = candles(losing_cycles());
  const auto result = run_backtest(ema_cross_spec({{"confidence", "0.75"}}), data);
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_EQ(result->summary.trades, static_cast<std::uint64_t>(kCycles));
  EXPECT_FALSE(refused_for_confidence(result->summary));
}

}  // namespace
}  // namespace tg4::backtest::testing
