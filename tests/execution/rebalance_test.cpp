// Portfolio rebalancing's plan (SPEC §9): the allocation, the drift that starts a plan, its trades
// (sells first, small ones skipped, the reporting currency the other side of each) and its batches.
#include "execution/rebalance.hpp"

#include <gtest/gtest.h>

namespace tg4::execution {
namespace {

using namespace core::literals;
using core::Decimal;

// The SPEC's defaults: BTC 33.33 / XRP 33.33 / USDT 33.34, 5 points of drift, $10 the smallest
// trade, over $500 in 6 batches 4 h apart.
RebalancePolicy spec_policy() {
  return RebalancePolicy::from(core::PortfolioSection{});
}

TEST(Rebalance, TheSpecDefaultsAreThePolicys) {
  const RebalancePolicy p = spec_policy();
  EXPECT_EQ(p.targets_pct.at("BTC"), 33.33_d);
  EXPECT_EQ(p.targets_pct.at("USDT"), 33.34_d);
  EXPECT_EQ(p.drift_pct, 5_d);
  EXPECT_EQ(p.min_trade, 10_d);
  EXPECT_EQ(p.batch_above, 500_d);
  EXPECT_EQ(p.batch_count, 6);
  EXPECT_EQ(p.batch_interval, std::chrono::hours(4));
}

TEST(Rebalance, TheAllocationIsEachTargetedAssetsShareOfTheirTotal) {
  const Allocation a = allocation_of(
      {{"BTC", 500_d}, {"USDT", 300_d}, {"XRP", 200_d}, {"ETH", 999_d}}, spec_policy().targets_pct);
  EXPECT_EQ(a.total, 1000_d) << "ETH has no target: not counted";
  ASSERT_EQ(a.assets.size(), 3u);
  EXPECT_EQ(a.assets[0].asset, "BTC");
  EXPECT_EQ(a.assets[0].pct, 50_d);
  EXPECT_EQ(a.assets[0].drift_pct(), 16.67_d);
  EXPECT_EQ(a.most_drifted, "BTC");
  EXPECT_EQ(a.max_drift_pct, 16.67_d);
  EXPECT_EQ(a.line(),
            "BTC 50.00 % (target 33.33), USDT 30.00 % (target 33.34), XRP 20.00 % (target 33.33)");
  // An asset missing from the values holds nothing; nothing held at all has no shares.
  EXPECT_EQ(allocation_of({{"USDT", 10_d}}, spec_policy().targets_pct).assets[0].pct, 0_d);
  EXPECT_TRUE(allocation_of({}, spec_policy().targets_pct).most_drifted.empty());
}

TEST(Rebalance, ADriftOfExactlyTheLimitStartsNothingOneBeyondItDoes) {
  RebalancePolicy p = spec_policy();
  p.targets_pct = {{"BTC", 50_d}, {"USDT", 50_d}};
  // BTC at 55 % is 5 points away: not more than 5.
  EXPECT_FALSE(
      plan_rebalance(allocation_of({{"BTC", 55_d}, {"USDT", 45_d}}, p.targets_pct), p, "USDT"));
  const auto plan = plan_rebalance(
      allocation_of({{"BTC", 55.01_d}, {"USDT", 44.99_d}}, p.targets_pct), p, "USDT");
  ASSERT_FALSE(plan) << "5.01 points, but the trade (5.01) is below the $10 minimum";
  const auto big =
      plan_rebalance(allocation_of({{"BTC", 5501_d}, {"USDT", 4499_d}}, p.targets_pct), p, "USDT");
  ASSERT_TRUE(big);
  ASSERT_EQ(big->trades.size(), 1u) << "the reporting currency is the other side, not a trade";
  EXPECT_EQ(big->trades[0].asset, "BTC");
  EXPECT_EQ(big->trades[0].side, core::Side::kSell);
  EXPECT_EQ(big->trades[0].value, 501_d);
  EXPECT_EQ(big->batches, 6) << "501 is above 500: batches";
  EXPECT_NE(big->reason.find("BTC is 55.01 % of the allocation, 5.01 points from its target 50 %"),
            std::string::npos)
      << big->reason;
}

TEST(Rebalance, SellsComeFirstAndTradesBelowTheMinimumAreSkipped) {
  const RebalancePolicy p = spec_policy();
  // 10,000 in all: targets 3,333 / 3,333 / 3,334.
  const auto plan = plan_rebalance(
      allocation_of({{"BTC", 5000_d}, {"XRP", 3327_d}, {"USDT", 1673_d}}, p.targets_pct), p,
      "USDT");
  ASSERT_TRUE(plan);
  ASSERT_EQ(plan->trades.size(), 1u) << "XRP is 6 short: below $10, skipped";
  EXPECT_EQ(plan->trades[0].side, core::Side::kSell);
  EXPECT_EQ(plan->trades[0].value, 1667_d);

  const auto both = plan_rebalance(
      allocation_of({{"BTC", 1000_d}, {"XRP", 6000_d}, {"USDT", 3000_d}}, p.targets_pct), p,
      "USDT");
  ASSERT_TRUE(both);
  ASSERT_EQ(both->trades.size(), 2u);
  EXPECT_EQ(both->trades[0].asset, "XRP") << "the sell before the buy";
  EXPECT_EQ(both->trades[0].side, core::Side::kSell);
  EXPECT_EQ(both->trades[0].value, 2667_d);
  EXPECT_EQ(both->trades[1].asset, "BTC");
  EXPECT_EQ(both->trades[1].side, core::Side::kBuy);
  EXPECT_EQ(both->trades[1].value, 2333_d);
  EXPECT_EQ(both->total, 5000_d);
}

TEST(Rebalance, AtMostTheLimitIsOneBatchAndBatchesSumToTheTrade) {
  RebalancePolicy p = spec_policy();
  p.targets_pct = {{"BTC", 50_d}, {"USDT", 50_d}};
  const auto small = plan_rebalance(allocation_of({{"USDT", 1000_d}}, p.targets_pct), p, "USDT");
  ASSERT_TRUE(small);
  EXPECT_EQ(small->total, 500_d);
  EXPECT_EQ(small->batches, 1) << "500 is not above 500";

  const RebalanceTrade trade{"BTC", core::Side::kBuy, 1000_d};
  Decimal sum;
  for (int i = 0; i < 6; ++i) sum += batch_value(trade, 6, i);
  EXPECT_EQ(batch_value(trade, 6, 0), 166.66666666_d);
  EXPECT_EQ(batch_value(trade, 6, 5), 166.6666667_d) << "the last batch takes what rounding left";
  EXPECT_EQ(sum, 1000_d);
  EXPECT_EQ(batch_value(trade, 1, 0), 1000_d);
}

TEST(Rebalance, HoldingOrdersAreTheBagsAndTheRebalancesOnly) {
  EXPECT_TRUE(is_holding_source(kHodlSource));
  EXPECT_TRUE(is_holding_source(kRebalanceSource));
  EXPECT_FALSE(is_holding_source("ema_cross"));
}

}  // namespace
}  // namespace tg4::execution
