#include "execution/portfolio.hpp"

#include <gtest/gtest.h>

namespace tg4::execution {
namespace {

using core::Decimal;
using core::Side;
using namespace core::literals;

core::Fill fill(const std::string& symbol, Side side, Decimal price, Decimal qty, Decimal fee) {
  core::Fill f;
  f.symbol = symbol;
  f.side = side;
  f.price = price;
  f.qty = qty;
  f.fee = fee;
  return f;
}

TEST(Portfolio, RoundTripPnlIsExactToTheCent) {
  Portfolio p("USDT");
  p.deposit("USDT", 10000_d);
  const auto btc = core::default_instrument("BTC/USDT");
  EXPECT_FALSE(p.apply_fill(fill("BTC/USDT", Side::kBuy, 50000_d, 0.1_d, 13_d), btc));
  EXPECT_EQ(p.balance("USDT"), 10000_d - 5000_d - 13_d);
  EXPECT_EQ(p.equity(), 10000_d - 13_d);
  p.set_mark("BTC/USDT", 51000_d);
  EXPECT_EQ(p.unrealised_pnl(), 100_d);
  const auto closed = p.apply_fill(fill("BTC/USDT", Side::kSell, 52000_d, 0.1_d, 13.52_d), btc);
  ASSERT_TRUE(closed);
  EXPECT_EQ(closed->pnl_quote, 200_d - 13.52_d - 13_d);
  EXPECT_EQ(p.realised_pnl(), 200_d - 13.52_d - 13_d);
  EXPECT_EQ(p.balance("USDT"), 10000_d + 200_d - 13.52_d - 13_d);
  EXPECT_EQ(p.fees_paid(), 26.52_d);
}

// equity() is remembered between changes: every kind of change must show in the next value.
TEST(Portfolio, EquityFollowsEveryChange) {
  Portfolio p("USDT");
  const auto btc = core::default_instrument("BTC/USDT");
  p.deposit("USDT", 1000_d);
  EXPECT_EQ(p.equity(), 1000_d);
  p.apply_fill(fill("BTC/USDT", Side::kBuy, 100_d, 2_d, 1_d), btc);
  EXPECT_EQ(p.equity(), 999_d);  // 800 USDT + 2 BTC at 100 - the fee
  p.set_mark("BTC/USDT", 110_d);
  EXPECT_EQ(p.equity(), 1019_d);
  p.set_mark("BTC/USDT", 0_d);  // ignored, as always
  EXPECT_EQ(p.equity(), 1019_d);
  p.deposit("USDT", 1_d);
  EXPECT_EQ(p.equity(), 1020_d);
  p.set_balance("BTC", 1_d);
  EXPECT_EQ(p.equity(), 910_d);
  Portfolio restored("USDT");
  restored.deposit("USDT", 5_d);
  EXPECT_EQ(restored.equity(), 5_d);
  restored.restore(p.state());
  EXPECT_EQ(restored.equity(), 910_d);
}

// A flat account's equity uses no mark, so new marks keep it; once an asset is held they move it.
TEST(Portfolio, MarksMoveEquityOnlyWhenSomethingIsHeldAtThem) {
  Portfolio p("USDT");
  const auto btc = core::default_instrument("BTC/USDT");
  p.deposit("USDT", 1000_d);
  p.set_mark("BTC/USDT", 100_d);
  EXPECT_EQ(p.equity(), 1000_d);
  p.set_mark("BTC/USDT", 120_d);
  EXPECT_EQ(p.equity(), 1000_d);
  p.apply_fill(fill("BTC/USDT", Side::kBuy, 100_d, 1_d, 0_d), btc);
  EXPECT_EQ(p.equity(), 1000_d);
  p.set_mark("BTC/USDT", 130_d);
  EXPECT_EQ(p.equity(), 1030_d);
  p.apply_fill(fill("BTC/USDT", Side::kSell, 130_d, 1_d, 0_d), btc);
  EXPECT_EQ(p.equity(), 1030_d);
  p.set_mark("BTC/USDT", 90_d);
  EXPECT_EQ(p.equity(), 1030_d);
  p.deposit("BTC", Decimal::must("0.5"));  // held again: the mark counts
  EXPECT_EQ(p.equity(), 1075_d);
  p.set_mark("BTC/USDT", 80_d);
  EXPECT_EQ(p.equity(), 1070_d);
}

TEST(Portfolio, AverageCostAcrossBuysAndPartialSell) {
  Portfolio p("USDT");
  p.deposit("USDT", 100000_d);
  const auto btc = core::default_instrument("BTC/USDT");
  (void)p.apply_fill(fill("BTC/USDT", Side::kBuy, 50000_d, 0.1_d, 0_d), btc);
  (void)p.apply_fill(fill("BTC/USDT", Side::kBuy, 60000_d, 0.1_d, 0_d), btc);
  EXPECT_EQ(p.position("BTC/USDT")->avg_price, 55000_d);
  const auto closed = p.apply_fill(fill("BTC/USDT", Side::kSell, 56000_d, 0.05_d, 0_d), btc);
  ASSERT_TRUE(closed);
  EXPECT_EQ(closed->pnl_quote, 50_d);
  EXPECT_EQ(p.position("BTC/USDT")->qty, 0.15_d);
  EXPECT_EQ(p.position("BTC/USDT")->avg_price, 55000_d);
}

TEST(Portfolio, CrossPairValuedThroughBtc) {
  Portfolio p("USDT");
  p.deposit("XRP", 1000_d);
  p.set_mark("XRP/BTC", 0.00001_d);
  EXPECT_EQ(p.unpriced(), std::vector<std::string>{"XRP"});
  p.set_mark("BTC/USDT", 60000_d);
  EXPECT_EQ(p.equity(), 600_d);  // 1000 XRP * 0.00001 BTC * 60000
  EXPECT_TRUE(p.unpriced().empty());
}

}  // namespace
}  // namespace tg4::execution
