// OrderBook: snapshots and update sequences as Kraken sends them (deletes, inserts beyond the
// subscribed depth, repeated prices, trailing zeros), checksum verification and invalidation, the
// derived measures, and the flat gap-buffer sides against a std::map reference.
#include "market/order_book.hpp"

#include <gtest/gtest.h>

#include <map>
#include <random>

#include "market_test_util.hpp"

namespace tg4::market {
namespace {

using core::Decimal;
using testing::levels;
using testing::reference_checksum;

std::vector<core::PriceLevel> copy(std::span<const core::PriceLevel> s) {
  return {s.begin(), s.end()};
}
// PriceLevel has no ==: compare as pairs.
std::vector<std::pair<Decimal, Decimal>> flat(std::span<const core::PriceLevel> s) {
  std::vector<std::pair<Decimal, Decimal>> out;
  for (const auto& l : s) out.emplace_back(l.price, l.qty);
  return out;
}

core::BookDelta delta(bool snapshot, std::vector<core::PriceLevel> bids,
                      std::vector<core::PriceLevel> asks, std::uint32_t checksum, int pp = 1,
                      int qp = 8) {
  core::BookDelta d;
  d.symbol = "BTC/USD";
  d.is_snapshot = snapshot;
  d.bids = std::move(bids);
  d.asks = std::move(asks);
  d.checksum = checksum;
  d.price_decimals = static_cast<std::int8_t>(pp);
  d.qty_decimals = static_cast<std::int8_t>(qp);
  return d;
}

// The guide's example book, depth 10.
core::BookDelta guide_snapshot() {
  return delta(true, testing::guide_bids(), testing::guide_asks(), testing::kGuideChecksum);
}

// An update whose checksum is what the book must hold afterwards (`expected_*`).
core::BookDelta update_to(std::vector<core::PriceLevel> bids, std::vector<core::PriceLevel> asks,
                          const std::vector<core::PriceLevel>& expected_bids,
                          const std::vector<core::PriceLevel>& expected_asks, int pp = 1,
                          int qp = 8) {
  return delta(false, std::move(bids), std::move(asks),
               reference_checksum(expected_asks, expected_bids, pp, qp), pp, qp);
}

TEST(OrderBook, GuideSnapshotVerifies) {
  OrderBook book("BTC/USD", 10);
  EXPECT_FALSE(book.valid());
  EXPECT_EQ(book.apply(guide_snapshot()), ApplyResult::kApplied);
  EXPECT_TRUE(book.valid());
  EXPECT_EQ(book.price_precision(), 1);
  EXPECT_EQ(book.qty_precision(), 8);
  EXPECT_EQ(book.best_bid()->price, Decimal::must("45283.5"));
  EXPECT_EQ(book.best_ask()->price, Decimal::must("45285.2"));
  EXPECT_EQ(*book.spread(), Decimal::must("1.7"));
  EXPECT_EQ(*book.mid(), Decimal::must("45284.35"));
  EXPECT_NEAR(*book.spread_bps(), 1.7 / 45284.35 * 1e4, 1e-9);
  EXPECT_EQ(book.checksum(), 3310070434U);
  EXPECT_EQ(book.stats().checksum_ok, 1U);
}

TEST(OrderBook, DeleteBringsNoLevelBackAndChecksumFollows) {
  OrderBook book("BTC/USD", 10);
  ASSERT_EQ(book.apply(guide_snapshot()), ApplyResult::kApplied);
  auto bids = copy(book.bids());
  auto asks = copy(book.asks());
  bids.erase(bids.begin());  // best bid deleted: 9 bids remain (Kraken would send the 11th too)
  EXPECT_EQ(book.apply(update_to(levels({{"45283.5", "0.00000000"}}), {}, bids, asks)),
            ApplyResult::kApplied);
  EXPECT_EQ(book.bids().size(), 9U);
  EXPECT_EQ(book.best_bid()->price, Decimal::must("45283.4"));
  // The level coming into scope, and a qty 0 for a price we never had (a no-op).
  bids.push_back({Decimal::must("45276.5"), Decimal::must("2.00000000")});
  EXPECT_EQ(
      book.apply(update_to(levels({{"45276.5", "2.00000000"}, {"45000.0", "0"}}), {}, bids, asks)),
      ApplyResult::kApplied);
  EXPECT_EQ(flat(book.bids()), flat(bids));
}

TEST(OrderBook, InsertBeyondDepthTruncates) {
  OrderBook book("BTC/USD", 10);
  ASSERT_EQ(book.apply(guide_snapshot()), ApplyResult::kApplied);
  auto bids = copy(book.bids());
  auto asks = copy(book.asks());
  // A new best ask pushes the 10th ask out of scope: Kraken sends no delete for it.
  asks.insert(asks.begin(), {Decimal::must("45284.0"), Decimal::must("0.50000000")});
  asks.pop_back();
  EXPECT_EQ(book.apply(update_to({}, levels({{"45284.0", "0.50000000"}}), bids, asks)),
            ApplyResult::kApplied);
  EXPECT_EQ(book.asks().size(), 10U);
  EXPECT_EQ(flat(book.asks()), flat(asks));
  // A level worse than the 10th: inserted then truncated straight away.
  EXPECT_EQ(book.apply(update_to(levels({{"45000.0", "1.00000000"}}), {}, bids, asks)),
            ApplyResult::kApplied);
  EXPECT_EQ(flat(book.bids()), flat(bids));
}

TEST(OrderBook, TruncatesAfterTheWholeMessage) {
  // Insert outside the depth, then delete inside: the inserted level comes into scope.
  OrderBook book("BTC/USD", 10);
  ASSERT_EQ(book.apply(guide_snapshot()), ApplyResult::kApplied);
  auto bids = copy(book.bids());
  auto asks = copy(book.asks());
  bids.erase(bids.begin() + 2);
  bids.push_back({Decimal::must("45276.0"), Decimal::must("3.00000000")});
  EXPECT_EQ(book.apply(update_to(levels({{"45276.0", "3.00000000"}, {"45282.1", "0.00000000"}}), {},
                                 bids, asks)),
            ApplyResult::kApplied);
  EXPECT_EQ(flat(book.bids()), flat(bids));
}

TEST(OrderBook, SamePriceTwiceInOneMessageLaterWins) {
  OrderBook book("BTC/USD", 10);
  ASSERT_EQ(book.apply(guide_snapshot()), ApplyResult::kApplied);
  auto bids = copy(book.bids());
  auto asks = copy(book.asks());
  asks[0].qty = Decimal::must("0.2");
  EXPECT_EQ(book.apply(update_to({}, levels({{"45285.2", "0.00000000"}, {"45285.2", "0.20000000"}}),
                                 bids, asks)),
            ApplyResult::kApplied);
  EXPECT_EQ(flat(book.asks()), flat(asks));
}

TEST(OrderBook, TrailingZerosAreLearnedFromTheWire) {
  // Price precision 4 written as "0.5000": the checksum text keeps the zeros ("5000").
  OrderBook book("BTC/USD", 10);
  const auto bids = levels({{"0.5666", "4831.75496356"}, {"0.5660", "18097.15470000"}});
  const auto asks = levels({{"0.5670", "100.00000000"}, {"0.5700", "2.50000000"}});
  ASSERT_EQ(book.apply(delta(true, bids, asks, reference_checksum(asks, bids, 4, 8), 4, 8)),
            ApplyResult::kApplied);
  EXPECT_EQ(book.price_precision(), 4);
  // The same book checked at 3 decimals would differ: trailing zeros matter.
  EXPECT_NE(reference_checksum(asks, bids, 3, 8), reference_checksum(asks, bids, 4, 8));
}

TEST(OrderBook, InstrumentPrecisionOverridesLearning) {
  OrderBook book("BTC/USD", 10);
  book.set_precision(1, 8);
  auto snap = guide_snapshot();
  snap.price_decimals = 3;  // e.g. a producer that wrote more digits: the instrument wins
  EXPECT_EQ(book.apply(snap), ApplyResult::kApplied);
}

TEST(OrderBook, MismatchInvalidatesUntilNextSnapshot) {
  OrderBook book("BTC/USD", 10);
  ASSERT_EQ(book.apply(guide_snapshot()), ApplyResult::kApplied);
  auto bad =
      update_to(levels({{"45283.5", "0.20000000"}}), {}, copy(book.bids()), copy(book.asks()));
  EXPECT_EQ(book.apply(bad), ApplyResult::kChecksumMismatch);
  EXPECT_FALSE(book.valid());
  EXPECT_EQ(book.stats().checksum_mismatch, 1U);
  EXPECT_EQ(book.apply(bad), ApplyResult::kIgnored);
  EXPECT_EQ(book.stats().ignored, 1U);
  EXPECT_EQ(book.apply(guide_snapshot()), ApplyResult::kApplied);
  EXPECT_TRUE(book.valid());
  EXPECT_EQ(book.bids().size(), 10U);
  book.invalidate();
  EXPECT_FALSE(book.valid());
}

TEST(OrderBook, OtherSymbolIsRejected) {
  OrderBook book("ETH/USD", 10);
  EXPECT_EQ(book.apply(guide_snapshot()), ApplyResult::kWrongSymbol);
}

TEST(OrderBook, Measures) {
  OrderBook book("X/USD", 25);
  const auto bids = levels({{"99", "1"}, {"98.5", "2"}, {"97", "4"}});
  const auto asks = levels({{"101", "3"}, {"101.5", "1"}, {"103", "10"}});
  ASSERT_EQ(book.apply([&] {
    auto d = delta(true, bids, asks, reference_checksum(asks, bids, 1, 0), 1, 0);
    d.symbol = "X/USD";
    return d;
  }()),
            ApplyResult::kApplied);
  EXPECT_EQ(book.bid_qty(), Decimal::from_int(7));
  EXPECT_EQ(book.ask_qty(2), Decimal::from_int(4));
  EXPECT_DOUBLE_EQ(book.imbalance(1), (1.0 - 3.0) / 4.0);
  EXPECT_DOUBLE_EQ(book.imbalance(), (7.0 - 14.0) / 21.0);
  const auto within = book.depth_within(Decimal::must("0.015"));  // mid 100: [98.5, 101.5]
  EXPECT_EQ(within.bid_qty, Decimal::from_int(3));
  EXPECT_EQ(within.ask_qty, Decimal::from_int(4));
  EXPECT_EQ(within.bid_notional, Decimal::must("296"));
  EXPECT_EQ(within.ask_notional, Decimal::must("404.5"));
  EXPECT_EQ(book.top_bids(2).size(), 2U);
  EXPECT_EQ(book.top_asks(10).size(), 3U);
  const BookView view = book.view();
  EXPECT_EQ(view.bids.data(), book.bids().data());  // no copy
}

TEST(OrderBook, EmptyBookMeasures) {
  OrderBook book("X/USD", 10);
  EXPECT_FALSE(book.mid());
  EXPECT_FALSE(book.spread_bps());
  EXPECT_DOUBLE_EQ(book.imbalance(), 0.0);
  EXPECT_TRUE(book.depth_within(Decimal::must("0.01")).bid_qty.is_zero());
}

TEST(OrderBook, Depth1000FitsIn100KB) {
  OrderBook book("BTC/USD", 1000);
  std::vector<core::PriceLevel> bids, asks;
  for (int i = 0; i < 1000; ++i) {
    bids.push_back({Decimal::from_int(50'000 - i), Decimal::one()});
    asks.push_back({Decimal::from_int(50'001 + i), Decimal::one()});
  }
  ASSERT_EQ(book.apply(delta(true, bids, asks, reference_checksum(asks, bids, 0, 0), 0, 0)),
            ApplyResult::kApplied);
  EXPECT_EQ(book.bids().size(), 1000U);
  EXPECT_LE(book.memory_bytes(), 100U * 1024U);
  // Churn at the top keeps a side bounded (recentering, not growth).
  BookSide side(BookSide::Order::kDescending);
  side.reserve(1000);
  side.clear();
  for (const auto& level : bids) side.set(level.price, level.qty);
  std::mt19937 rng(7);
  for (int i = 0; i < 20'000; ++i) {
    const int offset = static_cast<int>(rng() % 40) - 10;
    side.set(Decimal::from_int(50'000 - offset), i % 3 ? Decimal::one() : Decimal::zero());
    side.truncate(1000);
  }
  EXPECT_LE(side.size(), 1000U);  // deletes at the top are not refilled here
  EXPECT_LE(side.capacity_bytes(), 50U * 1024U);
}

// The gap-buffer side against a std::map under random sets, deletes and truncations.
TEST(BookSide, MatchesMapReference) {
  for (const auto order : {BookSide::Order::kDescending, BookSide::Order::kAscending}) {
    std::mt19937 rng(11);
    BookSide side(order);
    side.reserve(25);
    side.clear();
    std::map<Decimal, Decimal> ref;
    for (int step = 0; step < 50'000; ++step) {
      const Decimal price = Decimal::from_int(static_cast<int>(rng() % 60));
      const Decimal qty =
          rng() % 4 == 0 ? Decimal::zero() : Decimal::from_int(static_cast<int>(rng() % 9) + 1);
      side.set(price, qty);
      if (qty.is_zero())
        ref.erase(price);
      else
        ref[price] = qty;
      if (step % 5 == 0) {
        side.truncate(25);
        while (ref.size() > 25) {
          if (order == BookSide::Order::kDescending)
            ref.erase(ref.begin());
          else
            ref.erase(std::prev(ref.end()));
        }
      }
      if (step % 997 == 0) {
        side.clear();
        ref.clear();
      }
      std::vector<core::PriceLevel> expected;
      for (const auto& [p, q] : ref) expected.push_back({p, q});
      if (order == BookSide::Order::kDescending) std::reverse(expected.begin(), expected.end());
      ASSERT_EQ(flat(side.levels()), flat(expected)) << "step " << step;
    }
  }
}

}  // namespace
}  // namespace tg4::market
