#include "execution/paper_venue.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace tg4::execution {
namespace {

using core::Decimal;
using core::OrderStatus;
using core::OrderType;
using core::Side;
using core::Timestamp;
using namespace core::literals;

// A paper venue on BTC/USDT with a book we control, recording every report it emits.
class PaperVenueTest : public ::testing::Test {
 protected:
  PaperVenueTest() {
    auto btc = core::default_instrument("BTC/USDT");
    btc.qty_min = 0.0001_d;
    btc.cost_min = 0.5_d;
    instruments_.upsert(btc);
    PaperConfig config;
    config.latency = std::chrono::milliseconds(100);
    venue_ = std::make_unique<PaperVenue>(
        instruments_, config,
        [this](const std::string&) -> std::optional<BookView> {
          if (!has_book_) return std::nullopt;
          return BookView{bids_, asks_};
        },
        [this](core::ExecutionEvent e) { events_.push_back(std::move(e)); });
    venue_->deposit("USDT", 10000_d);
    events_.clear();
  }

  OrderRequest order(const std::string& id, Side side, OrderType type, Decimal qty, Decimal price = {}) {
    OrderRequest r;
    r.client_order_id = id;
    r.symbol = "BTC/USDT";
    r.side = side;
    r.type = type;
    r.qty = qty;
    if (type == OrderType::kLimit) r.limit_price = price;
    if (type == OrderType::kStopLoss || type == OrderType::kTakeProfit) r.trigger_price = price;
    return r;
  }

  std::vector<core::Fill> fills() const {
    std::vector<core::Fill> out;
    for (const auto& e : events_) {
      if (const auto* f = std::get_if<core::Fill>(&e)) out.push_back(*f);
    }
    return out;
  }

  std::optional<core::OrderUpdate> last_update(const std::string& id) const {
    std::optional<core::OrderUpdate> out;
    for (const auto& e : events_) {
      if (const auto* u = std::get_if<core::OrderUpdate>(&e); u && u->client_order_id == id) out = *u;
    }
    return out;
  }

  core::Trade trade(Decimal price, Decimal qty, Side side = Side::kBuy) {
    core::Trade t;
    t.symbol = "BTC/USDT";
    t.price = price;
    t.qty = qty;
    t.side = side;
    return t;
  }

  core::InstrumentRegistry instruments_;
  std::vector<core::PriceLevel> bids_{{60000_d, 0.5_d}, {59990_d, 1_d}};
  std::vector<core::PriceLevel> asks_{{60010_d, 0.1_d}, {60020_d, 0.2_d}, {60050_d, 5_d}};
  bool has_book_ = true;
  std::vector<core::ExecutionEvent> events_;
  std::unique_ptr<PaperVenue> venue_;
  const Timestamp t0_ = Timestamp::from_seconds(1'700'000'000);
};

TEST_F(PaperVenueTest, NothingHappensBeforeTheLatencyElapses) {
  venue_->submit(order("a", Side::kBuy, OrderType::kMarket, 0.05_d), t0_);
  venue_->on_time(t0_ + std::chrono::milliseconds(99));
  EXPECT_TRUE(fills().empty());
  venue_->on_time(t0_ + std::chrono::milliseconds(100));
  ASSERT_EQ(fills().size(), 1u);
}

TEST_F(PaperVenueTest, MarketBuyWalksTheBookWithTakerFees) {
  venue_->deposit("USDT", 10000_d);  // 0.25 BTC costs ~15,000 USDT
  events_.clear();
  venue_->submit(order("a", Side::kBuy, OrderType::kMarket, 0.25_d), t0_);
  venue_->on_time(t0_ + std::chrono::milliseconds(100));
  const auto f = fills();
  ASSERT_EQ(f.size(), 2u);
  EXPECT_EQ(f[0].price, 60010_d);
  EXPECT_EQ(f[0].qty, 0.1_d);
  EXPECT_EQ(f[1].price, 60020_d);
  EXPECT_EQ(f[1].qty, 0.15_d);
  // 6001 * 0.0026 = 15.6026; 9003 * 0.0026 = 23.4078
  EXPECT_EQ(f[0].fee, 15.6026_d);
  EXPECT_EQ(f[1].fee, 23.4078_d);
  EXPECT_FALSE(f[0].maker);
  EXPECT_EQ(venue_->balance("USDT"), 20000_d - 6001_d - 9003_d - 15.6026_d - 23.4078_d);
}

TEST_F(PaperVenueTest, InsufficientBalanceIsRejectedWithTheNumbers) {
  venue_->submit(order("big", Side::kBuy, OrderType::kMarket, 1_d), t0_);
  venue_->on_time(t0_ + std::chrono::seconds(1));
  const auto u = last_update("big");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->status, OrderStatus::kRejected);
  EXPECT_NE(u->reason.find("insufficient USDT"), std::string::npos) << u->reason;
  EXPECT_TRUE(fills().empty());
}

TEST_F(PaperVenueTest, WalkThenBalances) {
  venue_->submit(order("a", Side::kBuy, OrderType::kMarket, 0.15_d), t0_);
  venue_->on_time(t0_ + std::chrono::seconds(1));
  // 0.1 @ 60010 + 0.05 @ 60020 = 6001 + 3001 = 9002 ; fees 15.6026 + 7.8026 = 23.4052
  EXPECT_EQ(venue_->balance("BTC"), 0.15_d);
  EXPECT_EQ(venue_->balance("USDT"), 10000_d - 9002_d - 23.4052_d);
  EXPECT_EQ(last_update("a")->status, OrderStatus::kFilled);
  EXPECT_EQ(last_update("a")->avg_price, 9002_d / 0.15_d);
}

TEST_F(PaperVenueTest, WithoutABookFillsAtLastPriceWithSlippage) {
  has_book_ = false;
  venue_->on_trade(trade(50000_d, 1_d), t0_);
  venue_->submit(order("a", Side::kBuy, OrderType::kMarket, 0.01_d), t0_);
  venue_->on_time(t0_ + std::chrono::seconds(1));
  const auto f = fills();
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].price, 50025_d);  // 50000 * (1 + 5 bps)
}

// A PaperConfig built in code is not range-checked as the config file is: a slippage that would sell
// at zero (or below) must cancel the order, never give the coins away.
TEST_F(PaperVenueTest, ASellSlippedToNothingIsCanceledNotFilled) {
  PaperConfig config;
  config.latency = std::chrono::milliseconds(100);
  config.slippage_bps = 10000_d;
  PaperVenue venue(instruments_, config, [](const std::string&) { return std::optional<BookView>{}; },
                   [this](core::ExecutionEvent e) { events_.push_back(std::move(e)); });
  venue.deposit("BTC", 1_d);
  venue.on_trade(trade(50000_d, 1_d), t0_);
  venue.submit(order("s", Side::kSell, OrderType::kMarket, 0.5_d), t0_);
  venue.on_time(t0_ + std::chrono::seconds(1));
  EXPECT_TRUE(fills().empty());
  ASSERT_TRUE(last_update("s"));
  EXPECT_EQ(last_update("s")->status, OrderStatus::kCanceled);
  EXPECT_NE(last_update("s")->reason.find("slipped price 0 is not positive"), std::string::npos)
      << last_update("s")->reason;
  EXPECT_EQ(venue.balance("BTC"), 1_d);
}

TEST_F(PaperVenueTest, QuantityAndPriceAreRoundedToIncrements) {
  venue_->submit(order("a", Side::kBuy, OrderType::kLimit, 0.123456789_d, 59000.37_d), t0_);
  venue_->on_time(t0_ + std::chrono::seconds(1));
  const auto u = last_update("a");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->status, OrderStatus::kNew);
  EXPECT_EQ(u->qty, 0.12345678_d);
  EXPECT_EQ(u->limit_price, 59000.4_d);
}

TEST_F(PaperVenueTest, BelowMinimumIsRejected) {
  venue_->submit(order("tiny", Side::kBuy, OrderType::kMarket, 0.00001_d), t0_);
  venue_->on_time(t0_ + std::chrono::seconds(1));
  EXPECT_EQ(last_update("tiny")->status, OrderStatus::kRejected);
  EXPECT_NE(last_update("tiny")->reason.find("below minimum"), std::string::npos);
}

TEST_F(PaperVenueTest, RestingLimitFillsPartiallyAsMakerWhenTradesCrossIt) {
  venue_->submit(order("l", Side::kBuy, OrderType::kLimit, 0.1_d, 59950_d), t0_);
  venue_->on_time(t0_ + std::chrono::seconds(1));
  EXPECT_EQ(last_update("l")->status, OrderStatus::kNew);
  venue_->on_trade(trade(59940_d, 0.04_d, Side::kSell), t0_ + std::chrono::seconds(2));
  EXPECT_EQ(last_update("l")->status, OrderStatus::kPartiallyFilled);
  venue_->on_trade(trade(59945_d, 0.5_d, Side::kSell), t0_ + std::chrono::seconds(3));
  EXPECT_EQ(last_update("l")->status, OrderStatus::kFilled);
  const auto f = fills();
  ASSERT_EQ(f.size(), 2u);
  EXPECT_EQ(f[0].price, 59950_d);
  EXPECT_EQ(f[0].qty, 0.04_d);
  EXPECT_EQ(f[1].qty, 0.06_d);
  EXPECT_TRUE(f[0].maker);
  EXPECT_EQ(f[0].fee, (59950_d * 0.04_d * 0.0016_d));
}

TEST_F(PaperVenueTest, StopLossTriggersOnLastPrice) {
  venue_->submit(order("b", Side::kBuy, OrderType::kMarket, 0.05_d), t0_);
  venue_->on_time(t0_ + std::chrono::seconds(1));
  auto stop = order("s", Side::kSell, OrderType::kStopLoss, 0.05_d, 59000_d);
  stop.reduce_only = true;
  venue_->submit(stop, t0_ + std::chrono::seconds(1));
  venue_->on_trade(trade(59500_d, 1_d), t0_ + std::chrono::seconds(2));
  EXPECT_EQ(last_update("s")->status, OrderStatus::kNew);
  venue_->on_trade(trade(58990_d, 1_d), t0_ + std::chrono::seconds(3));
  EXPECT_EQ(last_update("s")->status, OrderStatus::kFilled);
  EXPECT_EQ(venue_->balance("BTC"), 0_d);
}

// A backtested candle's trades after its open stand for a walk through every price between them:
// a stop crossed on the way fills at its trigger (less the slippage), as it would have live. Real
// trades jump: a stop they gap through fills at the trade's price.
TEST_F(PaperVenueTest, AStopCrossedOnAContinuousWalkFillsAtItsTriggerAGappedOneAtTheTrade) {
  has_book_ = false;
  venue_->on_trade(trade(60000_d, 1_d), t0_);
  venue_->submit(order("b", Side::kBuy, OrderType::kMarket, 0.1_d), t0_);
  venue_->on_time(t0_ + std::chrono::seconds(1));
  auto stop = order("walked", Side::kSell, OrderType::kStopLoss, 0.05_d, 59000_d);
  stop.reduce_only = true;
  venue_->submit(stop, t0_ + std::chrono::seconds(1));
  venue_->on_time(t0_ + std::chrono::milliseconds(1500));  // live before the walk starts
  core::Trade walk = trade(58000_d, 1_d, Side::kSell);
  walk.continuous = true;
  venue_->on_trade(walk, t0_ + std::chrono::seconds(2));
  ASSERT_EQ(fills().size(), 2u);
  EXPECT_EQ(fills().back().price, 58970.5_d);  // 59000 x (1 - 5 bps)

  venue_->on_trade(trade(60000_d, 1_d), t0_ + std::chrono::seconds(3));
  stop.client_order_id = "gapped";
  venue_->submit(stop, t0_ + std::chrono::seconds(3));
  venue_->on_time(t0_ + std::chrono::milliseconds(3500));
  venue_->on_trade(trade(58000_d, 1_d, Side::kSell), t0_ + std::chrono::seconds(4));
  ASSERT_EQ(fills().size(), 3u);
  EXPECT_EQ(fills().back().price, 57971_d);  // 58000 x (1 - 5 bps)
}

// Without a book, a volume share limits a market order to that share of each trade: the rest
// waits for later trades, and an order that went live between trades waits for the next one.
TEST_F(PaperVenueTest, AVolumeShareFillsAMarketOrderOverSeveralTrades) {
  has_book_ = false;
  PaperConfig config;
  config.latency = std::chrono::milliseconds(100);
  config.volume_share_pct = 10_d;
  PaperVenue venue(
      instruments_, config, [](const std::string&) { return std::optional<BookView>{}; },
      [this](core::ExecutionEvent e) { events_.push_back(std::move(e)); });
  venue.deposit("USDT", 10000_d);
  venue.on_trade(trade(50000_d, 1_d), t0_);
  venue.submit(order("b", Side::kBuy, OrderType::kMarket, 0.15_d), t0_);
  venue.on_time(t0_ + std::chrono::seconds(1));
  EXPECT_TRUE(fills().empty()) << "live between trades: nothing to take yet";
  venue.on_trade(trade(50000_d, 1_d), t0_ + std::chrono::seconds(2));
  ASSERT_EQ(fills().size(), 1u);
  EXPECT_EQ(fills()[0].qty, 0.1_d);  // a tenth of the 1 BTC trade
  EXPECT_EQ(last_update("b")->status, OrderStatus::kPartiallyFilled);
  venue.on_trade(trade(50000_d, 0.3_d), t0_ + std::chrono::seconds(3));
  ASSERT_EQ(fills().size(), 2u);
  EXPECT_EQ(fills()[1].qty, 0.03_d);
  venue.on_trade(trade(50000_d, 1e-9_d), t0_ + std::chrono::seconds(4));  // below the increment
  EXPECT_EQ(fills().size(), 2u);
  venue.on_trade(trade(50000_d, 5_d), t0_ + std::chrono::seconds(5));
  ASSERT_EQ(fills().size(), 3u);
  EXPECT_EQ(fills()[2].qty, 0.02_d);  // the rest, less than the share allows
  EXPECT_EQ(last_update("b")->status, OrderStatus::kFilled);
  EXPECT_EQ(venue.balance("BTC"), 0.15_d);
}

// quiet_between vouches that trades in a price range change nothing but the last price; a
// backtest then skips handing them to the venue. Each boundary is the price where match() acts.
TEST_F(PaperVenueTest, QuietBetweenIsFalseWhereAnOrderWouldAct) {
  const auto quiet = [this](Decimal low, Decimal high) { return venue_->quiet_between("BTC/USDT", low, high); };
  EXPECT_TRUE(quiet(1_d, 100000_d)) << "no order at all";
  venue_->submit(order("b", Side::kBuy, OrderType::kMarket, 0.05_d), t0_);
  EXPECT_FALSE(quiet(59500_d, 59600_d)) << "an order still in its latency may activate";
  venue_->on_time(t0_ + std::chrono::seconds(1));
  auto stop = order("s", Side::kSell, OrderType::kStopLoss, 0.05_d, 59000_d);
  stop.reduce_only = true;
  venue_->submit(stop, t0_ + std::chrono::seconds(1));
  venue_->on_time(t0_ + std::chrono::seconds(2));
  EXPECT_TRUE(quiet(59000.01_d, 61000_d));
  EXPECT_FALSE(quiet(59000_d, 61000_d)) << "a sell stop fires at its trigger";
  EXPECT_TRUE(venue_->quiet_between("XRP/USDT", 1_d, 2_d)) << "another symbol's trades";
  venue_->submit(order("l", Side::kBuy, OrderType::kLimit, 0.01_d, 59500_d), t0_ + std::chrono::seconds(2));
  venue_->on_time(t0_ + std::chrono::seconds(3));
  has_book_ = false;  // a resting limit: it fills on trades through its price
  EXPECT_TRUE(quiet(59500.01_d, 61000_d));
  EXPECT_FALSE(quiet(59500_d, 61000_d)) << "a trade at a buy limit may fill it";
  // The boundaries agree with what the venue does: a trade at the limit fills it.
  venue_->on_trade(trade(59500_d, 0.01_d, Side::kSell), t0_ + std::chrono::seconds(4));
  EXPECT_EQ(last_update("l")->status, OrderStatus::kFilled);
}

TEST_F(PaperVenueTest, DuplicateClientIdNeverMakesASecondOrder) {
  venue_->submit(order("dup", Side::kBuy, OrderType::kMarket, 0.01_d), t0_);
  venue_->submit(order("dup", Side::kBuy, OrderType::kMarket, 0.01_d), t0_);
  venue_->on_time(t0_ + std::chrono::seconds(1));
  EXPECT_EQ(fills().size(), 1u);
}

TEST_F(PaperVenueTest, CancelReleasesTheReservation) {
  venue_->submit(order("l", Side::kBuy, OrderType::kLimit, 0.1_d, 50000_d), t0_);
  venue_->on_time(t0_ + std::chrono::seconds(1));
  EXPECT_LT(venue_->available("USDT"), 10000_d);
  venue_->cancel("l", t0_ + std::chrono::seconds(2));
  EXPECT_EQ(last_update("l")->status, OrderStatus::kCanceled);
  EXPECT_EQ(venue_->available("USDT"), 10000_d);
}

TEST_F(PaperVenueTest, PostOnlyThatWouldTakeIsRejected) {
  auto r = order("p", Side::kBuy, OrderType::kLimit, 0.01_d, 60010_d);
  r.post_only = true;
  venue_->submit(r, t0_);
  venue_->on_time(t0_ + std::chrono::seconds(1));
  EXPECT_EQ(last_update("p")->status, OrderStatus::kRejected);
}

}  // namespace
}  // namespace tg4::execution
