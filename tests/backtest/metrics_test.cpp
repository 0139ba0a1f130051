// The equity figures at their edges (docs/backtesting.md "Metrics"): a run without a losing day,
// without a drawdown, or shorter than a day.
#include "backtest/metrics.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>

#include "backtest_support.hpp"

namespace tg4::backtest::testing {
namespace {

// Equity sampled once a day from kT0, one value a day.
Summary summary_of(const std::vector<const char*>& daily) {
  std::vector<EquityPoint> equity;
  for (std::size_t d = 0; d < daily.size(); ++d) {
    equity.push_back({kT0 + std::chrono::hours(24 * static_cast<int>(d)), D(daily[d]), {}, {}});
  }
  Summary s;
  s.start = equity.front().time;
  s.end = equity.back().time;
  compute_equity_metrics(s, equity);
  return s;
}

TEST(EquityMetrics, NoLosingDayIsAnUnboundedSortinoNotZero) {
  // Up every day, by different amounts: a Sharpe, and nothing below zero for the Sortino.
  const Summary s = summary_of({"10000", "10010", "10030", "10031", "10060"});
  EXPECT_GT(s.sharpe, 0.0);
  EXPECT_TRUE(std::isinf(s.sortino) && s.sortino > 0) << s.sortino;
  EXPECT_TRUE(std::isinf(s.calmar) && s.calmar > 0) << s.calmar;  // no drawdown either
}

TEST(EquityMetrics, AFlatRunHasZeroRatiosNotInfiniteOnes) {
  const Summary s = summary_of({"10000", "10000", "10000", "10000"});
  EXPECT_EQ(s.sortino, 0.0);
  EXPECT_EQ(s.calmar, 0.0);
  EXPECT_EQ(s.cagr, 0.0);
}

TEST(EquityMetrics, ALosingDayGivesAFiniteSortino) {
  const Summary s = summary_of({"10000", "10010", "9990", "10040"});
  EXPECT_TRUE(std::isfinite(s.sortino));
  EXPECT_GT(s.sortino, 0.0);
  EXPECT_TRUE(std::isfinite(s.calmar));
}

TEST(EquityMetrics, UnderADayTheGrowthRateIsUndefined) {
  // 0.2 % in an hour would annualise to about 4e7: noise, not a growth rate.
  std::vector<EquityPoint> equity{{kT0, D("10000"), {}, {}},
                                  {kT0 + std::chrono::hours(1), D("10020"), {}, {}}};
  Summary s;
  s.start = equity.front().time;
  s.end = equity.back().time;
  compute_equity_metrics(s, equity);
  EXPECT_TRUE(std::isnan(s.cagr)) << s.cagr;
  EXPECT_TRUE(std::isnan(s.calmar)) << s.calmar;
  EXPECT_NEAR(s.total_return, 0.002, 1e-12);

  // A whole day is annualised.
  equity.back().time = kT0 + std::chrono::hours(24);
  s.end = equity.back().time;
  compute_equity_metrics(s, equity);
  EXPECT_NEAR(s.cagr, std::pow(1.002, 365.0) - 1.0, 1e-9);
}

}  // namespace
}  // namespace tg4::backtest::testing
