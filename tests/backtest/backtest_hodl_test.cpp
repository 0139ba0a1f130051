// The hodl bags in a backtest (docs/PORTFOLIO.md "In backtests"): the same pipeline sets a share of
// a profit aside and the bag buys its coin; the buy is an order and a fill but no round trip, the
// bags' value is in the final equity, and summary.json says what the bags hold.
#include <gtest/gtest.h>

#include "backtest/backtest.hpp"
#include "backtest_support.hpp"

namespace tg4::backtest::testing {
namespace {

// Flat at 30,000, then up to 33,000: a long bought at bar 2 and sold at bar 12 makes about 300.
std::vector<core::Bar> rising_market() {
  std::vector<core::Bar> bars;
  for (int m = 0; m < 10; ++m) bars.push_back(flat_bar(m, "30000"));
  for (int m = 10; m < 30; ++m) bars.push_back(flat_bar(m, "33000"));
  return bars;
}

BacktestSpec hodl_spec(const strategy::StrategyRegistry* registry, bool bags) {
  BacktestSpec spec = simple_spec(registry);
  spec.base.agents.regime_detection = false;
  if (bags) {
    spec.base.hodl = execution::HodlPolicy::from(core::HodlSection{});
    spec.base.hodl.buy_threshold = {{"BTC", D("5")}};
  }
  return spec;
}

TEST(BacktestHodl, AProfitFeedsTheBagsWhoseBuyIsNoRoundTrip) {
  const auto registry = scripted_registry({{2, core::Side::kBuy, D("0.1"), D("29000"), D("40000")},
                                           {12, core::Side::kSell, {}, {}, {}}});
  const MarketData data = candles(rising_market());
  const auto without = run_backtest(hodl_spec(&registry, false), data);
  const auto with = run_backtest(hodl_spec(&registry, true), data);
  ASSERT_TRUE(without) << without.error().message;
  ASSERT_TRUE(with) << with.error().message;
  ASSERT_EQ(without->summary.trades, 1u);
  ASSERT_TRUE(without->summary.net_pnl.is_positive());
  EXPECT_TRUE(without->summary.hodl.empty()) << "no bags: summary.json as before";

  EXPECT_EQ(with->summary.trades, 1u) << "the bag's buy is no round trip";
  EXPECT_EQ(with->trades.size(), without->trades.size());
  EXPECT_EQ(with->summary.exposure, without->summary.exposure)
      << "a bag is no open position either";
  EXPECT_EQ(with->orders.size(), without->orders.size() + 1) << "the bag's buy is an order";
  EXPECT_EQ(with->fills.size(), without->fills.size() + 1);
  const boost::json::object& hodl = with->summary.hodl;
  ASSERT_FALSE(hodl.empty());
  const boost::json::object& btc = hodl.at("bags").at("BTC").as_object();
  EXPECT_NE(btc.at("coins").as_string(), "0") << boost::json::serialize(hodl);
  EXPECT_NE(hodl.at("bags").at("USDT").at("cash").as_string(), "0");
  EXPECT_NE(summary_json_text(with->summary).find("\"hodl\""), std::string::npos);
  // The bags stay the account's: the final equity differs from the run without them only by the
  // bag buy's fee and slippage (a few cents), not by the share set aside.
  const core::Decimal gap = (without->summary.final_equity - with->summary.final_equity).abs();
  EXPECT_LT(gap, D("0.5")) << without->summary.final_equity.to_string() << " vs "
                           << with->summary.final_equity.to_string();
}

}  // namespace
}  // namespace tg4::backtest::testing
