// Kraken's book checksum: the worked example of the "Book checksum (WebSocket v2)" guide, and the
// fast formatter against a plain text reference on awkward values.
#include "market/checksum.hpp"

#include <gtest/gtest.h>
#include <zlib.h>

#include <random>
#include <string>
#include <vector>

#include "market_test_util.hpp"

namespace tg4::market {
namespace {

using testing::levels;
using testing::reference_checksum;

TEST(BookChecksum, KrakenGuideExample) {
  const auto bids = testing::guide_bids();
  const auto asks = testing::guide_asks();
  EXPECT_EQ(book_checksum(asks, bids, 1, 8), testing::kGuideChecksum);
  // The guide's own intermediate string for the asks (price + qty per level).
  const std::string asks_text =
      "45285210000045286415457195345286615457110945289615456091145290215890660452918154553491"
      "452947445474945296135380000452975994554245299518772827";
  const std::string bids_text =
      "45283510000000452834154582015452821100000004528101000000045280315459258645279079900004527763"
      "3101034527753000000045277315460273745276615445238";
  const std::string all = asks_text + bids_text;
  EXPECT_EQ(crc32(0, reinterpret_cast<const Bytef*>(all.data()), static_cast<uInt>(all.size())),
            3310070434U);
}

TEST(BookChecksum, OnlyTopTenLevelsCount) {
  auto bids = levels({{"10", "1"}});
  std::vector<core::PriceLevel> asks;
  for (int i = 0; i < 12; ++i)
    asks.push_back({core::Decimal::from_int(20 + i), core::Decimal::one()});
  const auto all = book_checksum(asks, bids, 2, 4);
  asks.resize(10);
  EXPECT_EQ(book_checksum(asks, bids, 2, 4), all);
  asks[9].qty = core::Decimal::from_int(2);
  EXPECT_NE(book_checksum(asks, bids, 2, 4), all);
}

TEST(BookChecksum, MatchesTextReferenceOnAwkwardValues) {
  std::mt19937_64 rng(42);
  for (int round = 0; round < 2000; ++round) {
    const int pp = static_cast<int>(rng() % 11);
    const int qp = static_cast<int>(rng() % 11);
    std::vector<core::PriceLevel> bids, asks;
    for (int i = 0; i < 12; ++i) {
      // Values on the precision grid, including tiny ones with many leading zeros and huge ones
      // beyond 64 bits once scaled.
      const auto ticks =
          static_cast<std::int64_t>(rng() % (round % 7 == 0 ? 5 : 100'000'000'000LL));
      const core::Decimal price = core::Decimal::from_raw(
          static_cast<core::Decimal::Raw>(ticks + 1) * testing::pow10(core::Decimal::kScale - pp));
      core::Decimal qty =
          core::Decimal::from_raw(static_cast<core::Decimal::Raw>(rng() % 1'000'000'000'000LL + 1) *
                                  testing::pow10(core::Decimal::kScale - qp));
      if (round % 13 == 0) {  // beyond 64 bits once scaled: the general formatter's path
        qty = core::Decimal::from_raw(
            ((static_cast<core::Decimal::Raw>(1) << 64) + static_cast<int>(rng() % 1000)) *
            testing::pow10(core::Decimal::kScale - qp));
      }
      (i % 2 ? bids : asks).push_back({price, qty});
    }
    ASSERT_EQ(book_checksum(asks, bids, pp, qp), reference_checksum(asks, bids, pp, qp))
        << "round " << round << " pp " << pp << " qp " << qp;
  }
}

TEST(BookChecksum, CacheAgreesThroughChangingBooks) {
  std::mt19937_64 rng(5);
  ChecksumCache cache;
  std::vector<core::PriceLevel> asks, bids;
  for (int i = 0; i < 12; ++i) {
    asks.push_back({core::Decimal::from_int(100 + i), core::Decimal::from_int(1 + i)});
    bids.push_back({core::Decimal::from_int(99 - i), core::Decimal::from_int(2 + i)});
  }
  for (int step = 0; step < 5000; ++step) {
    auto& side = rng() % 2 ? asks : bids;
    const auto at = static_cast<std::ptrdiff_t>(rng() % side.size());
    switch (rng() % 4) {
      case 0:
        side[static_cast<std::size_t>(at)].qty =
            core::Decimal::from_int(static_cast<int>(rng() % 50) + 1);
        break;
      case 1:
        side.insert(side.begin() + at, side[static_cast<std::size_t>(at)]);
        break;  // a repeated level
      case 2:
        if (side.size() > 3) side.erase(side.begin() + at);
        break;
      default:
        std::swap(side[0], side[static_cast<std::size_t>(at)]);
        break;  // order changes too
    }
    const int pp = step % 500 < 250 ? 2 : 3;  // a precision change clears the cache
    ASSERT_EQ(cache.compute(asks, bids, pp, 4), book_checksum(asks, bids, pp, 4))
        << "step " << step;
  }
}

TEST(BookChecksum, ValuesWithMoreDigitsThanThePrecisionAreRounded) {
  // Off the grid (never sent by Kraken): the text formatter's rounding, as the reference does.
  const auto asks = levels({{"1.2345", "0.123456789"}});
  const auto bids = levels({{"1.2", "5"}});
  EXPECT_EQ(book_checksum(asks, bids, 2, 8), reference_checksum(asks, bids, 2, 8));
}

}  // namespace
}  // namespace tg4::market
