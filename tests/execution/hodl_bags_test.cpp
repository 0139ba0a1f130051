// HodlBags (SPEC §9): the share of a profit, its split, the caps, the thresholds, the buys.
#include "execution/hodl_bags.hpp"

#include <gtest/gtest.h>

namespace tg4::execution {
namespace {

using namespace core::literals;
using core::Decimal;

constexpr core::Timestamp kDay{1'767'225'600'000'000'000};  // 2026-01-01T00:00:00Z

// The SPEC's defaults: 10 % of profits >= $1, USDT 33.34 / XRP 33.33 / BTC 33.33, XRP buys at $25
// and BTC at $15, caps $1,000 an allocation and $5,000 a day.
HodlBags spec_bags() {
  return HodlBags(HodlPolicy::from(core::HodlSection{}), "USDT");
}

Decimal total(const HodlBags& bags) {
  Decimal sum;
  for (const auto& [asset, bag] : bags.state().bags) sum += bag.cash + bag.pending + bag.invested;
  return sum;
}

TEST(HodlBags, TenPercentOfAProfitIsSplitBetweenTheBagsToTheLastDigit) {
  HodlBags bags = spec_bags();
  const auto moves = bags.on_profit(100_d, kDay, "fill-1");
  ASSERT_EQ(moves.size(), 3u);
  EXPECT_EQ(bags.bag("BTC")->pending, 3.333_d);
  EXPECT_EQ(bags.bag("XRP")->pending, 3.333_d);
  EXPECT_EQ(bags.bag("USDT")->cash, 3.334_d) << "USDT has no buy threshold: held as it is";
  EXPECT_EQ(total(bags), 10_d);
  EXPECT_EQ(bags.reserved_cash(), 10_d);
  EXPECT_EQ(moves[0].reference, "fill-1");
  EXPECT_EQ(to_string(moves[0].move), std::string("set_aside"));

  // An amount that does not split evenly: the last bag takes the remainder, nothing is lost.
  bags.on_profit(1.00000007_d, kDay, "fill-2");
  EXPECT_EQ(bags.state().set_aside_total, 10.10000000_d) << "the share rounded down to 8 digits";
  EXPECT_EQ(total(bags), bags.state().set_aside_total);
}

TEST(HodlBags, LossesAndProfitsBelowTheMinimumSetNothingAside) {
  HodlBags bags = spec_bags();
  EXPECT_TRUE(bags.on_profit(-50_d, kDay, "a").empty());
  EXPECT_TRUE(bags.on_profit(0.99_d, kDay, "b").empty());
  EXPECT_TRUE(bags.state().bags.empty());
  EXPECT_EQ(bags.on_profit(1_d, kDay, "c").size(), 3u) << "the minimum itself counts";
}

TEST(HodlBags, ABagBuysOnceItsPendingCashReachesItsThreshold) {
  HodlBags bags = spec_bags();
  bags.on_profit(400_d, kDay, "a");  // 13.332 each for BTC and XRP
  EXPECT_FALSE(bags.any_due());
  bags.on_profit(50_d, kDay, "b");  // BTC 14.9985
  EXPECT_FALSE(bags.any_due()) << "just below 15";
  bags.on_profit(1_d, kDay, "c");
  EXPECT_TRUE(bags.any_due());
  EXPECT_EQ(bags.due(), std::vector<std::string>{"BTC"}) << "XRP waits for 25";

  const HodlMovement bought = bags.on_bought("BTC", 0.0005_d, 15_d, 30000_d, kDay, "order-1");
  EXPECT_EQ(bought.move, HodlMove::kBought);
  EXPECT_EQ(bags.bag("BTC")->coins, 0.0005_d);
  EXPECT_EQ(bags.bag("BTC")->invested, 15_d);
  EXPECT_EQ(bags.bag("BTC")->pending, 0.03183_d);
  EXPECT_FALSE(bags.any_due());
  // A buy dearer than what was pending never leaves a negative bag.
  bags.on_bought("BTC", 0.0001_d, 1_d, 30000_d, kDay, "order-2");
  EXPECT_EQ(bags.bag("BTC")->pending, 0_d);
}

TEST(HodlBags, TheCapsKeepTheRestWithTrading) {
  HodlBags bags = spec_bags();
  auto moves = bags.on_profit(20000_d, kDay, "big");  // 2,000 share, capped at 1,000
  ASSERT_FALSE(moves.empty());
  EXPECT_EQ(moves[0].move, HodlMove::kCapped);
  EXPECT_EQ(moves[0].amount, 1000_d);
  EXPECT_NE(moves[0].note.find("per-allocation cap of 1000"), std::string::npos) << moves[0].note;
  EXPECT_EQ(bags.state().set_aside_today, 1000_d);
  for (int i = 0; i < 4; ++i) bags.on_profit(10000_d, kDay + std::chrono::hours(i + 1), "more");
  EXPECT_EQ(bags.state().set_aside_today, 5000_d);
  moves = bags.on_profit(100_d, kDay + std::chrono::hours(23), "late");
  ASSERT_EQ(moves.size(), 1u) << "the day's cap is used up";
  EXPECT_EQ(moves[0].move, HodlMove::kCapped);
  EXPECT_NE(moves[0].note.find("daily cap of 5000"), std::string::npos) << moves[0].note;
  // The next UTC day starts afresh.
  moves = bags.on_profit(100_d, kDay + std::chrono::hours(24), "next day");
  EXPECT_EQ(moves.size(), 3u);
  EXPECT_EQ(bags.state().set_aside_today, 10_d);
  EXPECT_EQ(bags.state().set_aside_total, 5010_d);
}

TEST(HodlBags, OffWithAZeroShareOrNoSplit) {
  core::HodlSection none;
  none.profit_share_pct = 0_d;
  HodlBags off(HodlPolicy::from(none), "USDT");
  EXPECT_TRUE(off.on_profit(1000_d, kDay, "a").empty());
  HodlPolicy no_split = HodlPolicy::from(core::HodlSection{});
  no_split.split_pct.clear();
  EXPECT_FALSE(no_split.enabled());
}

TEST(HodlBags, RestoreContinuesTheSameBags) {
  HodlBags bags = spec_bags();
  for (int i = 0; i < 5; ++i) bags.on_profit(100_d, kDay, "a");
  HodlBags again = spec_bags();
  again.restore(bags.state());
  EXPECT_EQ(again.state(), bags.state());
  EXPECT_EQ(again.due(), bags.due());
  EXPECT_TRUE(again.any_due()) << "BTC's 16.665 pending is due after the restart too";
}

}  // namespace
}  // namespace tg4::execution
