#include "execution/portfolio_state.hpp"

#include <gtest/gtest.h>

namespace tg4::execution {
namespace {

using namespace core::literals;

TEST(PortfolioState, RoundTripContinuesTheSameAccountExactly) {
  Portfolio before("USDT");
  before.deposit("USDT", 10000_d);
  const auto btc = core::default_instrument("BTC/USDT");
  core::Fill buy;
  buy.symbol = "BTC/USDT";
  buy.side = core::Side::kBuy;
  buy.price = 50000.1_d;
  buy.qty = 0.12345678_d;
  buy.fee = 16.04938271_d;
  buy.time = core::Timestamp{1'700'000'000'000'000'001};
  (void)before.apply_fill(buy, btc);
  before.set_mark("BTC/USDT", 51000_d);

  auto state = portfolio_state_from_json(portfolio_state_to_json(before.state()));
  ASSERT_TRUE(state) << state.error().message;
  Portfolio after("USDT");
  after.restore(*state);
  EXPECT_EQ(after.balances(), before.balances());
  EXPECT_EQ(after.equity(), before.equity());
  EXPECT_EQ(after.fees_paid(), before.fees_paid());
  ASSERT_NE(after.position("BTC/USDT"), nullptr);
  EXPECT_EQ(after.position("BTC/USDT")->avg_price, 50000.1_d);
  EXPECT_EQ(after.position("BTC/USDT")->opened, before.position("BTC/USDT")->opened);

  // The next fill gives the same result on both.
  core::Fill sell = buy;
  sell.side = core::Side::kSell;
  sell.price = 52000_d;
  const auto closed_before = before.apply_fill(sell, btc);
  const auto closed_after = after.apply_fill(sell, btc);
  ASSERT_TRUE(closed_before && closed_after);
  EXPECT_EQ(closed_after->pnl_quote, closed_before->pnl_quote);
  EXPECT_EQ(after.realised_pnl(), before.realised_pnl());
}

// A trade closed in parts is one outcome; a restart between its parts keeps the part already
// closed in that outcome.
TEST(PortfolioState, ATradeClosedInPartsAcrossARestartIsOneOutcome) {
  Portfolio before("USDT");
  before.deposit("USDT", 10000_d);
  const auto btc = core::default_instrument("BTC/USDT");
  core::Fill fill;
  fill.symbol = "BTC/USDT";
  fill.side = core::Side::kBuy;
  fill.price = 50000_d;
  fill.qty = 0.1_d;
  (void)before.apply_fill(fill, btc);
  fill.side = core::Side::kSell;
  fill.price = 49000_d;
  fill.qty = 0.04_d;
  const auto first = before.apply_fill(fill, btc);
  ASSERT_TRUE(first);
  EXPECT_FALSE(first->ends_round_trip);
  EXPECT_EQ(first->pnl_reporting, -40_d);

  auto state = portfolio_state_from_json(portfolio_state_to_json(before.state()));
  ASSERT_TRUE(state) << state.error().message;
  Portfolio after("USDT");
  after.restore(*state);
  fill.price = 49500_d;
  fill.qty = 0.06_d;
  const auto last = after.apply_fill(fill, btc);
  ASSERT_TRUE(last);
  EXPECT_TRUE(last->ends_round_trip);
  EXPECT_EQ(last->pnl_reporting, -30_d);
  EXPECT_EQ(last->round_trip_pnl, -70_d);

  // The next trade starts from nothing.
  fill.side = core::Side::kBuy;
  (void)after.apply_fill(fill, btc);
  fill.side = core::Side::kSell;
  fill.price = 50000_d;
  const auto next = after.apply_fill(fill, btc);
  ASSERT_TRUE(next);
  EXPECT_EQ(next->round_trip_pnl, 30_d);
}

TEST(PortfolioState, MalformedDocumentsNameTheField) {
  EXPECT_NE(portfolio_state_from_json("{").error().message.find("invalid JSON"), std::string::npos);
  const auto bad = portfolio_state_from_json(
      R"({"balances":{"USDT":"12x"},"positions":{},"marks":{},"realised_reporting":"0","fees_reporting":"0"})");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("$.balances.USDT"), std::string::npos) << bad.error().message;
  const auto missing = portfolio_state_from_json(
      R"({"balances":{},"positions":{"BTC/USDT":{"qty":"1"}},"marks":{},"realised_reporting":"0","fees_reporting":"0"})");
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("$.positions.BTC/USDT.avg_price"), std::string::npos) << missing.error().message;
}

}  // namespace
}  // namespace tg4::execution

namespace tg4::execution {
namespace {

using namespace core::literals;

HodlState some_bags() {
  HodlState hodl;
  hodl.bags["BTC"] = HodlBag{0.00031_d, 0_d, 3.33333333_d, 15.01_d};
  hodl.bags["USDT"] = HodlBag{0_d, 6.66666667_d, 0_d, 0_d};
  hodl.day = 20'454;
  hodl.set_aside_today = 10_d;
  hodl.set_aside_total = 25.01_d;
  return hodl;
}

TEST(PortfolioState, TheHodlBagsRoundTripWithTheAccount) {
  PortfolioState state;
  state.balances = {{"USDT", 100_d}};
  state.hodl = some_bags();
  auto back = portfolio_state_from_json(portfolio_state_to_json(state));
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->hodl, state.hodl);
}

TEST(PortfolioState, AnAccountWithoutBagsKeepsTheOlderFormAndReadsBack) {
  PortfolioState state;
  state.balances = {{"USDT", 100_d}};
  const std::string text = portfolio_state_to_json(state);
  EXPECT_EQ(text.find("hodl"), std::string::npos) << text;
  auto back = portfolio_state_from_json(text);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->hodl, HodlState{});
}

TEST(PortfolioState, ABrokenBagIsAnErrorNamingItsField) {
  PortfolioState state;
  state.hodl = some_bags();
  std::string text = portfolio_state_to_json(state);
  const std::string pending = "\"pending\":\"3.33333333\"";
  ASSERT_NE(text.find(pending), std::string::npos) << text;
  text.replace(text.find(pending), pending.size(), "\"pending\":\"-1\"");
  auto back = portfolio_state_from_json(text);
  ASSERT_FALSE(back);
  EXPECT_EQ(back.error().message, "portfolio state $.hodl.bags.BTC.pending: must be >= 0");
  text.replace(text.find("\"day\""), 5, "\"dey\"");
  back = portfolio_state_from_json(text);
  ASSERT_FALSE(back);
  EXPECT_EQ(back.error().message, "portfolio state $.hodl.day: expected an integer");
}

}  // namespace
}  // namespace tg4::execution
