// The paper venue with margin on (paper.margin): Kraken-style margin positions, known answers to the
// cent. Fees: taker 0.26 %, maker 0.16 %; no book, no slippage: market orders fill at the last trade.
#include <gtest/gtest.h>

#include <vector>

#include "execution/paper_venue.hpp"

namespace tg4::execution {
namespace {

using core::Decimal;
using core::OrderStatus;
using core::OrderType;
using core::Side;
using core::Timestamp;
using namespace core::literals;

class PaperVenueMarginTest : public ::testing::Test {
 protected:
  explicit PaperVenueMarginTest(bool margin = true) {
    instruments_.upsert(core::default_instrument("BTC/USDT"));
    PaperConfig config;
    config.latency = std::chrono::milliseconds(0);
    config.slippage_bps = Decimal{};
    config.taker_fee = 0.0026_d;
    config.maker_fee = 0.0016_d;
    config.margin = margin;
    venue_ = std::make_unique<PaperVenue>(instruments_, config, BookProvider{},
                                          [this](core::ExecutionEvent e) { events_.push_back(std::move(e)); });
    venue_->deposit("USDT", 10000_d);
    trade(60000_d);
    events_.clear();
  }

  void trade(Decimal price) {
    now_ = now_ + std::chrono::seconds(1);
    core::Trade t;
    t.symbol = "BTC/USDT";
    t.price = price;
    t.qty = 10_d;
    venue_->on_trade(t, now_);
  }

  void submit(const std::string& id, Side side, Decimal qty, bool reduce_only = false,
              Decimal leverage = Decimal::one(), OrderType type = OrderType::kMarket, Decimal limit = {}) {
    OrderRequest r;
    r.client_order_id = id;
    r.symbol = "BTC/USDT";
    r.side = side;
    r.type = type;
    r.qty = qty;
    r.limit_price = limit;
    r.reduce_only = reduce_only;
    r.leverage = leverage;
    venue_->submit(r, now_);
  }

  std::vector<core::Fill> fills() const {
    std::vector<core::Fill> out;
    for (const auto& e : events_) {
      if (const auto* f = std::get_if<core::Fill>(&e)) out.push_back(*f);
    }
    return out;
  }

  core::OrderUpdate last_update(const std::string& id) const {
    core::OrderUpdate out;
    for (const auto& e : events_) {
      if (const auto* u = std::get_if<core::OrderUpdate>(&e); u && u->client_order_id == id) out = *u;
    }
    return out;
  }

  core::InstrumentRegistry instruments_;
  std::unique_ptr<PaperVenue> venue_;
  std::vector<core::ExecutionEvent> events_;
  Timestamp now_ = Timestamp::from_seconds(1'700'000'000);
};

TEST_F(PaperVenueMarginTest, ASellThatIsNotReduceOnlyOpensAShortHoldingItsMargin) {
  submit("s1", Side::kSell, 0.1_d);
  ASSERT_EQ(last_update("s1").status, OrderStatus::kFilled) << last_update("s1").reason;
  ASSERT_EQ(fills().size(), 1u);
  const core::Fill f = fills()[0];
  EXPECT_TRUE(f.margin);
  EXPECT_EQ(f.leverage, 1_d);
  EXPECT_EQ(f.price, 60000_d);
  EXPECT_EQ(f.fee, 15.6_d);  // 6000 x 0.26 %
  // The base balance does not move; the fee is paid; 6000 of margin is held.
  EXPECT_EQ(venue_->balance("BTC"), 0_d);
  EXPECT_EQ(venue_->balance("USDT"), 9984.4_d);
  EXPECT_EQ(venue_->available("USDT"), 3984.4_d);
  const MarginPosition* p = venue_->margin_position("BTC/USDT");
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->qty, -0.1_d);
  EXPECT_EQ(p->avg_price, 60000_d);
  EXPECT_EQ(p->margin, 6000_d);
  trade(59500_d);  // unrealised +50 counts towards free margin
  EXPECT_EQ(venue_->free_margin("USDT"), 4034.4_d);
}

TEST_F(PaperVenueMarginTest, CoveringAtALossSettlesThePnlAndTheFeeInTheQuote) {
  submit("s1", Side::kSell, 0.1_d);
  trade(61000_d);
  submit("b1", Side::kBuy, 0.1_d, true);
  ASSERT_EQ(last_update("b1").status, OrderStatus::kFilled) << last_update("b1").reason;
  EXPECT_EQ(fills().back().fee, 15.86_d);  // 6100 x 0.26 %
  EXPECT_TRUE(fills().back().margin);
  // 10000 - 15.6 (open fee) - 100 (0.1 x 1000 against us) - 15.86 (close fee)
  EXPECT_EQ(venue_->balance("USDT"), 9868.54_d);
  EXPECT_EQ(venue_->available("USDT"), 9868.54_d);
  EXPECT_EQ(venue_->balance("BTC"), 0_d);
  EXPECT_EQ(venue_->margin_position("BTC/USDT"), nullptr);
}

TEST_F(PaperVenueMarginTest, CoveringAtAGainSettlesThePnlAndTheFeeInTheQuote) {
  submit("s1", Side::kSell, 0.1_d);
  trade(59000_d);
  submit("b1", Side::kBuy, 0.1_d, true);
  ASSERT_EQ(last_update("b1").status, OrderStatus::kFilled);
  EXPECT_EQ(fills().back().fee, 15.34_d);  // 5900 x 0.26 %
  EXPECT_EQ(venue_->balance("USDT"), 10069.06_d);  // 10000 - 15.6 + 100 - 15.34
  EXPECT_EQ(venue_->margin_position("BTC/USDT"), nullptr);
}

TEST_F(PaperVenueMarginTest, ACoverNeverBuysMoreThanTheShortAndNothingWithoutOne) {
  submit("s1", Side::kSell, 0.1_d);
  submit("b1", Side::kBuy, 0.3_d, true);
  EXPECT_EQ(fills().back().qty, 0.1_d);
  EXPECT_EQ(last_update("b1").status, OrderStatus::kCanceled);
  EXPECT_EQ(last_update("b1").filled_qty, 0.1_d);
  EXPECT_EQ(venue_->margin_position("BTC/USDT"), nullptr);
  EXPECT_EQ(venue_->balance("BTC"), 0_d);
  submit("b2", Side::kBuy, 0.1_d, true);
  EXPECT_EQ(last_update("b2").status, OrderStatus::kCanceled);
  EXPECT_EQ(last_update("b2").reason, "no margin position left to close");
}

TEST_F(PaperVenueMarginTest, InsufficientMarginIsRejectedWithTheNumbers) {
  submit("s1", Side::kSell, 0.2_d);  // 12000 + 31.2 fee > 10000
  const core::OrderUpdate u = last_update("s1");
  EXPECT_EQ(u.status, OrderStatus::kRejected);
  EXPECT_EQ(u.reason, "insufficient margin: need 12031.20000000 USDT, free 10000.00000000");
  EXPECT_TRUE(fills().empty());
  EXPECT_EQ(venue_->available("USDT"), 10000_d);
}

TEST_F(PaperVenueMarginTest, LeverageThreeReservesAThirdOfTheNotional) {
  // A resting limit sell (no book: not marketable) holds 18300 / 3 + 18300 x 0.26 % = 6147.58.
  submit("s1", Side::kSell, 0.3_d, false, 3_d, OrderType::kLimit, 61000_d);
  ASSERT_EQ(last_update("s1").status, OrderStatus::kNew) << last_update("s1").reason;
  EXPECT_EQ(venue_->available("USDT"), 3852.42_d);
  trade(61100_d);  // trades through: fills as maker, fee 18300 x 0.16 % = 29.28
  ASSERT_EQ(last_update("s1").status, OrderStatus::kFilled);
  EXPECT_EQ(fills().back().leverage, 3_d);
  EXPECT_EQ(fills().back().fee, 29.28_d);
  EXPECT_EQ(venue_->margin_position("BTC/USDT")->margin, 6100_d);
  EXPECT_EQ(venue_->available("USDT"), 3870.72_d);   // 10000 - 29.28 - 6100
  EXPECT_EQ(venue_->free_margin("USDT"), 3840.72_d);  // - 30 unrealised at 61100
  // The same notional at leverage 1 would not fit.
  submit("s2", Side::kSell, 0.3_d, false, 1_d);
  EXPECT_EQ(last_update("s2").status, OrderStatus::kRejected);
  EXPECT_NE(last_update("s2").reason.find("leverage 1 differs"), std::string::npos) << last_update("s2").reason;
}

TEST_F(PaperVenueMarginTest, SpotBuysStaySpotWithMarginOn) {
  submit("b1", Side::kBuy, 0.1_d);
  EXPECT_FALSE(fills().back().margin);
  EXPECT_EQ(venue_->balance("BTC"), 0.1_d);
  EXPECT_EQ(venue_->margin_position("BTC/USDT"), nullptr);
  submit("s1", Side::kSell, 0.1_d, true);  // a reduce-only sell is a spot exit
  EXPECT_FALSE(fills().back().margin);
  EXPECT_EQ(venue_->balance("BTC"), 0_d);
}

class PaperVenueSpotTest : public PaperVenueMarginTest {
 protected:
  PaperVenueSpotTest() : PaperVenueMarginTest(false) {}
};

TEST_F(PaperVenueSpotTest, WithoutMarginASellNeedsTheCoins) {
  submit("s1", Side::kSell, 0.1_d);
  EXPECT_EQ(last_update("s1").status, OrderStatus::kRejected);
  EXPECT_EQ(last_update("s1").reason, "insufficient BTC: need 0.10000000, available 0.00000000");
  EXPECT_EQ(venue_->margin_position("BTC/USDT"), nullptr);
}

}  // namespace
}  // namespace tg4::execution
