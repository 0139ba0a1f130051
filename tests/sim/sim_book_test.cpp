#include "sim/sim_book.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <map>

#include "market/checksum.hpp"
#include "sim/random.hpp"

namespace tg4::sim {
namespace {

using core::Decimal;

// A subscriber's copy of the book, maintained the way Kraken tells clients to: apply every level
// (qty 0 deletes), then truncate to the subscribed depth.
struct ClientBook {
  std::size_t depth;
  std::map<Decimal, Decimal, std::greater<>> bids;
  std::map<Decimal, Decimal> asks;

  void apply(const DepthUpdate& u) {
    for (const auto& l : u.bids) l.qty.is_zero() ? (void)bids.erase(l.price) : (void)(bids[l.price] = l.qty);
    for (const auto& l : u.asks) l.qty.is_zero() ? (void)asks.erase(l.price) : (void)(asks[l.price] = l.qty);
    while (bids.size() > depth) bids.erase(std::prev(bids.end()));
    while (asks.size() > depth) asks.erase(std::prev(asks.end()));
  }
  template <class M>
  static std::vector<core::PriceLevel> levels(const M& m, std::size_t n) {
    std::vector<core::PriceLevel> out;
    for (auto it = m.begin(); it != m.end() && out.size() < n; ++it) out.push_back({it->first, it->second});
    return out;
  }
};

bool same(const std::vector<core::PriceLevel>& a, const std::vector<core::PriceLevel>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i].price != b[i].price || a[i].qty != b[i].qty) return false;
  }
  return true;
}

TEST(SimBook, KeepsSidesSortedBestFirst) {
  SimBook book(Decimal::must("0.1"));
  book.set(true, 100, Decimal::one());
  book.set(true, 102, Decimal::one());
  book.set(true, 101, Decimal::one());
  book.set(false, 105, Decimal::one());
  book.set(false, 103, Decimal::one());
  ASSERT_EQ(book.bids().size(), 3u);
  EXPECT_EQ(book.bids()[0].ticks, 102);
  EXPECT_EQ(book.bids()[2].ticks, 100);
  EXPECT_EQ(book.asks()[0].ticks, 103);
  EXPECT_EQ(book.rank(true, 101), 1);
  EXPECT_EQ(book.rank(true, 99), -1);
  EXPECT_EQ(book.price(1234), Decimal::must("123.4"));
  // Setting the same quantity is no change; zero removes; removing a missing level is no change.
  EXPECT_FALSE(book.set(true, 101, Decimal::one()).has_value());
  EXPECT_TRUE(book.set(true, 101, Decimal::zero()).has_value());
  EXPECT_FALSE(book.set(true, 101, Decimal::zero()).has_value());
  const auto b = book.boundary(2);
  EXPECT_EQ(b.bid, 100);
  EXPECT_EQ(b.ask, 105);
  EXPECT_FALSE(book.boundary(3).bid.has_value());
}

TEST(SimBook, ChecksumIsKrakensOverTheTopTen) {
  SimBook book(Decimal::must("0.1"));
  for (int i = 0; i < 15; ++i) {
    book.set(true, 600000 - i * 3, Decimal::must("0.5") + Decimal::from_int(i));
    book.set(false, 600001 + i * 2, Decimal::must("0.25") + Decimal::from_int(i));
  }
  EXPECT_EQ(book.checksum(1, 8), market::book_checksum(book.top(false, 10), book.top(true, 10), 1, 8));
}

// Random change sets of every kind, near and across each subscriber's edge: after applying its update
// and truncating, every subscriber holds exactly the book's top levels.
TEST(SimBook, DepthUpdatesKeepEverySubscriberExact) {
  Random rng(42);
  SimBook book(Decimal::must("0.01"));
  for (int i = 0; i < 60; ++i) {
    book.set(true, 10000 - 2 * i, Decimal::from_int(1 + i));
    book.set(false, 10001 + 2 * i, Decimal::from_int(1 + i));
  }
  std::vector<ClientBook> clients;
  for (const std::size_t depth : {1u, 3u, 10u, 25u, 59u, 60u, 100u}) {
    ClientBook c{depth, {}, {}};
    DepthUpdate snap{book.top(true, depth), book.top(false, depth)};
    c.apply(snap);
    clients.push_back(std::move(c));
  }
  for (int round = 0; round < 3000; ++round) {
    std::vector<DepthBoundary> before;
    for (const auto& c : clients) before.push_back(book.boundary(c.depth));
    std::vector<LevelChange> changes;
    const int n = 1 + static_cast<int>(rng.below(4));
    for (int k = 0; k < n; ++k) {
      const bool bid = rng.chance(0.5);
      const auto& side = book.side(bid);
      std::int64_t ticks = 0;
      if (!side.empty() && rng.chance(0.6)) {
        ticks = side[rng.below(side.size())].ticks;  // touch an existing level
      } else {
        ticks = bid ? 10000 - static_cast<std::int64_t>(rng.below(200)) : 10001 + static_cast<std::int64_t>(rng.below(200));
      }
      const Decimal qty = rng.chance(0.4) ? Decimal::zero() : Decimal::from_int(1 + static_cast<std::int64_t>(rng.below(50)));
      if (auto c = book.set(bid, ticks, qty)) changes.push_back(*c);
    }
    for (std::size_t i = 0; i < clients.size(); ++i) {
      auto& c = clients[i];
      c.apply(depth_update(book, changes, before[i]));
      ASSERT_TRUE(same(ClientBook::levels(c.bids, c.depth), book.top(true, c.depth)))
          << "bids differ at depth " << c.depth << " round " << round;
      ASSERT_TRUE(same(ClientBook::levels(c.asks, c.depth), book.top(false, c.depth)))
          << "asks differ at depth " << c.depth << " round " << round;
      if (c.depth >= 10) {
        EXPECT_EQ(market::book_checksum(ClientBook::levels(c.asks, 10), ClientBook::levels(c.bids, 10), 2, 8),
                  book.checksum(2, 8));
      }
    }
  }
}

TEST(SimBook, UpdateIsEmptyWhenOnlyHiddenLevelsChange) {
  SimBook book(Decimal::must("1"));
  for (int i = 0; i < 20; ++i) book.set(true, 1000 - i, Decimal::one());
  const auto before = book.boundary(10);
  std::vector<LevelChange> changes{*book.set(true, 985, Decimal::from_int(7))};  // rank 15
  EXPECT_TRUE(depth_update(book, changes, before).empty());
  // A removal inside the view brings the 11th level up.
  const auto before2 = book.boundary(10);
  std::vector<LevelChange> changes2{*book.set(true, 995, Decimal::zero())};
  const auto u = depth_update(book, changes2, before2);
  ASSERT_EQ(u.bids.size(), 2u);
  EXPECT_EQ(u.bids[0].price, Decimal::from_int(995));
  EXPECT_TRUE(u.bids[0].qty.is_zero());
  EXPECT_EQ(u.bids[1].price, Decimal::from_int(990));
}

}  // namespace
}  // namespace tg4::sim
