#include "sim/symbol_market.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <map>
#include <numeric>

#include "market/checksum.hpp"

namespace tg4::sim {
namespace {

using core::Decimal;

struct MarketFixture {
  explicit MarketFixture(const std::string& name, std::uint64_t seed = 7, double rate = 20.0)
      : symbol(make_sim_symbol(name).value()),
        model(PriceModelParams{symbol.annual_volatility}),
        market(symbol, model, initial(), seed, 1, core::Timestamp::from_seconds(1'700'000'000), rate) {}
  PriceState initial() {
    Random r(1);
    return model.initial(symbol.start_price, r);
  }
  SimSymbol symbol;
  PriceModel model;
  SymbolMarket market;
};

TEST(SymbolMarket, StartsWithAFullUncrossedBookAroundTheStartPrice) {
  MarketFixture f("BTC/USDT");
  const auto& book = f.market.book();
  EXPECT_EQ(book.bids().size(), SymbolMarket::kLevelsPerSide);
  EXPECT_EQ(book.asks().size(), SymbolMarket::kLevelsPerSide);
  ASSERT_LT(*book.best(true), *book.best(false));
  const double mid = book.price(*book.best(true)).to_double();
  EXPECT_NEAR(mid, 60000.0, 60.0);
  // 1000 levels span a few percent, not the whole price.
  const double deep_bid = book.price(book.bids()[999].ticks).to_double();
  EXPECT_GT(deep_bid, 60000.0 * 0.9);
  EXPECT_LT(deep_bid, 60000.0 * 0.995);
}

TEST(SymbolMarket, SameSeedSameStreamDifferentSeedDifferentStream) {
  MarketFixture a("XRP/USDT", 11), b("XRP/USDT", 11), c("XRP/USDT", 12);
  MarketStep sa, sb, sc;
  bool differs = false;
  for (int i = 0; i < 2000; ++i) {
    a.market.step(sa);
    b.market.step(sb);
    c.market.step(sc);
    ASSERT_EQ(sa.time, sb.time);
    ASSERT_EQ(sa.changes.size(), sb.changes.size());
    for (std::size_t k = 0; k < sa.changes.size(); ++k) {
      ASSERT_EQ(sa.changes[k].ticks, sb.changes[k].ticks);
      ASSERT_EQ(sa.changes[k].qty, sb.changes[k].qty);
    }
    ASSERT_EQ(sa.trades.size(), sb.trades.size());
    differs = differs || sa.time != sc.time || sa.changes.size() != sc.changes.size();
  }
  EXPECT_TRUE(differs);
}

TEST(SymbolMarket, EventsArriveAtTheConfiguredRate) {
  MarketFixture f("BTC/USDT", 3, 50.0);
  MarketStep s;
  const auto start = f.market.next_event_time();
  for (int i = 0; i < 5000; ++i) f.market.step(s);
  const double seconds = static_cast<double>((s.time - start).count()) / 1e9;
  EXPECT_NEAR(5000.0 / seconds, 50.0, 5.0);
  EXPECT_EQ(s.time.ns % 1000, 0) << "event times are whole microseconds, like Kraken's";
}

TEST(SymbolMarket, TradesConsumeTheBookAndBookNeverCrosses) {
  for (const char* name : {"BTC/USDT", "XRP/USDT", "XRP/BTC"}) {
    MarketFixture f(name, 5);
    MarketStep s;
    std::int64_t last_id = 0;
    std::size_t trades = 0;
    for (int i = 0; i < 20000; ++i) {
      f.market.step(s);
      const auto& book = f.market.book();
      ASSERT_FALSE(book.bids().empty()) << name;
      ASSERT_FALSE(book.asks().empty()) << name;
      ASSERT_LT(*book.best(true), *book.best(false)) << name << " crossed at step " << i;
      for (const auto& t : s.trades) {
        ASSERT_GT(t.trade_id, last_id);
        last_id = t.trade_id;
        ASSERT_TRUE(t.qty.is_positive());
        ASSERT_EQ(t.time, s.time);
        ++trades;
      }
      // A taker consumed the levels it traded at: each traded price was changed in this step.
      for (const auto& t : s.trades) {
        const bool touched = std::any_of(s.changes.begin(), s.changes.end(), [&](const LevelChange& c) {
          return c.ticks == t.ticks && c.bid == (t.side == core::Side::kSell);
        });
        ASSERT_TRUE(touched);
      }
    }
    EXPECT_GT(trades, 3000u) << name;
    // Prices stay near the start over these minutes; XRP/BTC bids stop at one tick, so fewer levels.
    const auto& book = f.market.book();
    const double mid = book.price(*book.best(true)).to_double();
    EXPECT_NEAR(mid / f.symbol.start_price, 1.0, 0.1) << name;
    EXPECT_GT(book.bids().size(), std::string(name) == "XRP/BTC" ? 300u : 1000u) << name;
    EXPECT_GE(book.asks().size(), 1000u) << name;
  }
}

// The simulator's real change sets at every Kraken depth: a client maintaining the book from
// snapshot + updates stays identical to the exchange's top levels and every checksum verifies.
TEST(SymbolMarket, SubscribersOfEveryDepthStayInSyncWithChecksums) {
  MarketFixture f("BTC/USDT", 9, 100.0);
  struct Client {
    std::size_t depth;
    std::map<Decimal, Decimal, std::greater<>> bids;
    std::map<Decimal, Decimal> asks;
  };
  std::vector<Client> clients;
  for (const std::size_t depth : {10u, 25u, 100u, 500u, 1000u}) {
    Client c{depth, {}, {}};
    for (const auto& l : f.market.book().top(true, depth)) c.bids[l.price] = l.qty;
    for (const auto& l : f.market.book().top(false, depth)) c.asks[l.price] = l.qty;
    clients.push_back(std::move(c));
  }
  MarketStep s;
  std::size_t updates = 0;
  for (int i = 0; i < 4000; ++i) {
    std::vector<DepthBoundary> before;
    for (const auto& c : clients) before.push_back(f.market.book().boundary(c.depth));
    f.market.step(s);
    const auto& book = f.market.book();
    const std::uint32_t expected = book.checksum(1, 8);
    for (std::size_t k = 0; k < clients.size(); ++k) {
      auto& c = clients[k];
      const auto u = depth_update(book, s.changes, before[k]);
      if (u.empty()) continue;
      ++updates;
      for (const auto& l : u.bids) l.qty.is_zero() ? (void)c.bids.erase(l.price) : (void)(c.bids[l.price] = l.qty);
      for (const auto& l : u.asks) l.qty.is_zero() ? (void)c.asks.erase(l.price) : (void)(c.asks[l.price] = l.qty);
      while (c.bids.size() > c.depth) c.bids.erase(std::prev(c.bids.end()));
      while (c.asks.size() > c.depth) c.asks.erase(std::prev(c.asks.end()));
      std::vector<core::PriceLevel> top_bids, top_asks;
      for (auto it = c.bids.begin(); top_bids.size() < 10 && it != c.bids.end(); ++it) top_bids.push_back({it->first, it->second});
      for (auto it = c.asks.begin(); top_asks.size() < 10 && it != c.asks.end(); ++it) top_asks.push_back({it->first, it->second});
      ASSERT_EQ(market::book_checksum(top_asks, top_bids, 1, 8), expected) << "depth " << c.depth << " step " << i;
      ASSERT_EQ(c.bids.size(), std::min(c.depth, book.bids().size()));
    }
  }
  // Deeper subscriptions see more (hidden levels move), all of them see plenty.
  EXPECT_GT(updates, 4000u);
  for (const auto& c : clients) {
    const auto top = f.market.book().top(true, c.depth);
    std::size_t i = 0;
    for (const auto& [price, qty] : c.bids) {
      ASSERT_EQ(price, top[i].price);
      ASSERT_EQ(qty, top[i].qty);
      ++i;
    }
  }
}

}  // namespace
}  // namespace tg4::sim
