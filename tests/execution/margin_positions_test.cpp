// Margin positions on our side: the portfolio's signed positions and margin accessors, their
// persisted form; an order manager without margin keeps sells as exits (its shorts are in
// order_manager_test.cpp).
#include <gtest/gtest.h>

#include "execution/order_manager.hpp"
#include "execution/paper_venue.hpp"
#include "execution/portfolio.hpp"
#include "execution/portfolio_state.hpp"

namespace tg4::execution {
namespace {

using core::Decimal;
using core::OrderStatus;
using core::Side;
using core::Timestamp;
using namespace core::literals;

core::Fill margin_fill(Side side, Decimal price, Decimal qty, Decimal fee, Decimal leverage) {
  core::Fill f;
  f.symbol = "BTC/USDT";
  f.side = side;
  f.price = price;
  f.qty = qty;
  f.fee = fee;
  f.fee_currency = "USDT";
  f.margin = true;
  f.leverage = leverage;
  f.time = Timestamp::from_seconds(1'700'000'000);
  return f;
}

TEST(PortfolioMargin, ShortPositionPnlAndMargin) {
  Portfolio p("USDT");
  p.deposit("USDT", 10000_d);
  const auto btc = core::default_instrument("BTC/USDT");
  EXPECT_FALSE(p.apply_fill(margin_fill(Side::kSell, 60000_d, 0.1_d, 15.6_d, 2_d), btc));
  const Position* pos = p.position("BTC/USDT");
  ASSERT_NE(pos, nullptr);
  EXPECT_EQ(pos->qty, -0.1_d);
  EXPECT_TRUE(pos->is_short());
  EXPECT_TRUE(pos->margin);
  EXPECT_EQ(pos->leverage, 2_d);
  EXPECT_EQ(p.balance("BTC"), 0_d);  // margin: no base moves
  EXPECT_EQ(p.balance("USDT"), 9984.4_d);
  EXPECT_EQ(p.used_margin(), 3000_d);  // 6000 / 2
  EXPECT_EQ(p.exposure("BTC/USDT"), 6000_d);

  p.set_mark("BTC/USDT", 59000_d);
  EXPECT_EQ(p.unrealised_pnl(), 100_d);  // short 0.1 from 60000 to 59000
  EXPECT_EQ(p.equity(), 10084.4_d);
  EXPECT_EQ(p.free_margin(), 7084.4_d);
  p.set_mark("BTC/USDT", 61000_d);
  EXPECT_EQ(p.unrealised_pnl(), -100_d);
  EXPECT_EQ(p.equity(), 9884.4_d);

  // Covering half at 59000 (fee 7.67): +50 gross, the entry fee share 7.8.
  const auto half = p.apply_fill(margin_fill(Side::kBuy, 59000_d, 0.05_d, 7.67_d, 2_d), btc);
  ASSERT_TRUE(half);
  EXPECT_EQ(half->pnl_quote, 34.53_d);  // 50 - 7.67 - 7.8
  EXPECT_EQ(p.position("BTC/USDT")->qty, -0.05_d);
  EXPECT_EQ(p.used_margin(), 1500_d);
  const auto rest = p.apply_fill(margin_fill(Side::kBuy, 59000_d, 0.05_d, 7.67_d, 2_d), btc);
  ASSERT_TRUE(rest);
  EXPECT_FALSE(p.position("BTC/USDT")->is_open());
  // 10000 - 15.6 + 100 - 15.34: what the venue's wallet says after the same fills.
  EXPECT_EQ(p.balance("USDT"), 10069.06_d);
  EXPECT_EQ(p.realised_pnl(), 69.06_d);
  EXPECT_EQ(p.used_margin(), 0_d);
  EXPECT_EQ(p.equity(), 10069.06_d);
}

TEST(PortfolioMargin, StateRoundTripKeepsMarginAndReadsOldDocumentsAsSpot) {
  Portfolio before("USDT");
  before.deposit("USDT", 10000_d);
  (void)before.apply_fill(margin_fill(Side::kSell, 60000_d, 0.1_d, 15.6_d, 3_d), core::default_instrument("BTC/USDT"));
  before.set_mark("BTC/USDT", 59000_d);
  const std::string text = portfolio_state_to_json(before.state());
  EXPECT_NE(text.find(R"("margin":true)"), std::string::npos) << text;
  auto state = portfolio_state_from_json(text);
  ASSERT_TRUE(state) << state.error().message;
  Portfolio after("USDT");
  after.restore(*state);
  EXPECT_EQ(after.equity(), before.equity());
  EXPECT_EQ(after.used_margin(), 2000_d);
  EXPECT_EQ(after.position("BTC/USDT")->leverage, 3_d);

  const auto old = portfolio_state_from_json(
      R"({"balances":{"BTC":"0.1"},"positions":{"BTC/USDT":{"qty":"0.1","avg_price":"60000","realised_pnl":"0",)"
      R"("fees":"0","open_fees":"0","opened_ns":1,"trades":1}},"marks":{},"realised_reporting":"0","fees_reporting":"0"})");
  ASSERT_TRUE(old) << old.error().message;
  EXPECT_FALSE(old->positions.at("BTC/USDT").margin);
  EXPECT_EQ(old->positions.at("BTC/USDT").leverage, 1_d);
  const auto bad = portfolio_state_from_json(
      R"({"balances":{},"positions":{"BTC/USDT":{"qty":"-0.1","avg_price":"60000","realised_pnl":"0","fees":"0",)"
      R"("open_fees":"0","opened_ns":1,"trades":1,"margin":true,"leverage":"0.5"}},"marks":{},"realised_reporting":"0",)"
      R"("fees_reporting":"0"})");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("$.positions.BTC/USDT.leverage"), std::string::npos) << bad.error().message;
}

TEST(OrderManagerSpot, ASellWithoutMarginStaysAnExit) {
  core::InstrumentRegistry instruments;
  instruments.upsert(core::default_instrument("BTC/USDT"));
  PaperVenue venue(instruments, PaperConfig{}, BookProvider{}, [](core::ExecutionEvent) {});
  int ids = 0;
  OrderManager manager(venue, instruments, [&ids] { return "c" + std::to_string(++ids); }, OrderManagerConfig{}, {});
  core::OrderIntent sell;
  sell.symbol = "BTC/USDT";
  sell.side = Side::kSell;
  sell.leverage = 3_d;
  auto id = manager.submit(sell, 0.1_d, Timestamp::from_seconds(1));
  ASSERT_TRUE(id);
  EXPECT_EQ(manager.find(*id)->role, OrderRole::kExit);
  EXPECT_TRUE(manager.find(*id)->request.reduce_only);
  EXPECT_EQ(manager.find(*id)->request.leverage, 1_d);
}

}  // namespace
}  // namespace tg4::execution
