#include "sim/symbol_history.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <set>

namespace tg4::sim {
namespace {

using core::Decimal;
using core::Timestamp;

const Timestamp kStart = Timestamp::from_seconds(1'704'067'200 + 37);  // 2024-01-01T00:00:37Z

struct HistoryFixture {
  explicit HistoryFixture(std::uint64_t seed = 1, int days = 2, double rate = 0.3, const char* name = "BTC/USDT")
      : symbol(make_sim_symbol(name).value()),
        model(PriceModelParams{symbol.annual_volatility}),
        history(symbol, model, seed, HistoryParams{kStart, days, rate}) {}
  SimSymbol symbol;
  PriceModel model;
  SymbolHistory history;
};

TEST(SymbolHistory, CoversWholeMinutesBeforeTheStartAndEndsAtTheRealisticPrice) {
  HistoryFixture f;
  EXPECT_EQ(f.history.history_start(), Timestamp::from_seconds(1'704'067'200 - 2 * 86400));
  EXPECT_EQ(f.history.history_minutes(), 2u * 1440);
  EXPECT_NEAR(f.history.end_state().price(), 60000.0, 1e-6);
  // The last traded price is near there too (within the last minutes' moves).
  const auto last = f.history.last_price_ticks();
  ASSERT_TRUE(last.has_value());
  EXPECT_NEAR(static_cast<double>(*last) * 0.1, 60000.0, 600.0);
}

TEST(SymbolHistory, SameSeedSameHistory) {
  HistoryFixture a(5), b(5), c(6);
  ASSERT_EQ(a.history.minutes().size(), b.history.minutes().size());
  bool differs = false;
  for (std::size_t m = 0; m < a.history.minutes().size(); ++m) {
    const auto& x = a.history.minutes()[m];
    const auto& y = b.history.minutes()[m];
    ASSERT_EQ(x.count, y.count);
    ASSERT_EQ(x.close, y.close);
    ASSERT_EQ(x.volume, y.volume);
    differs = differs || x.count != c.history.minutes()[m].count;
  }
  EXPECT_TRUE(differs);
}

TEST(SymbolHistory, RegeneratedTradesRebuildEveryMinuteBarExactly) {
  HistoryFixture f;
  std::int64_t total = 0;
  for (const auto& m : f.history.minutes()) total += m.count;
  std::int64_t expected_id = f.history.next_trade_id() - total;  // consecutive up to the live ones
  for (std::size_t m = 0; m < f.history.history_minutes(); ++m) {
    const auto trades = f.history.minute_trades(m);
    MinuteBar rebuilt;
    for (const auto& t : trades) {
      ASSERT_EQ(t.trade_id, expected_id++);
      ASSERT_GE(t.time, f.history.history_start() + std::chrono::minutes(m));
      ASSERT_LT(t.time, f.history.history_start() + std::chrono::minutes(m + 1));
      ASSERT_EQ(t.time.ns % 1000, 0);
      rebuilt.add(t.ticks, t.qty);
    }
    const auto& bar = f.history.minutes()[m];
    ASSERT_EQ(rebuilt.count, bar.count) << "minute " << m;
    if (bar.count == 0) continue;
    ASSERT_EQ(rebuilt.open, bar.open);
    ASSERT_EQ(rebuilt.high, bar.high);
    ASSERT_EQ(rebuilt.low, bar.low);
    ASSERT_EQ(rebuilt.close, bar.close);
    ASSERT_EQ(rebuilt.volume, bar.volume);
  }
  EXPECT_EQ(f.history.next_trade_id(), expected_id);
}

TEST(SymbolHistory, TradesPaginateOverEverythingExactlyOnce) {
  HistoryFixture f(2, 1, 0.2);
  std::int64_t total = 0;
  for (const auto& m : f.history.minutes()) total += m.count;
  std::int64_t since = 0;
  std::int64_t seen = 0;
  std::int64_t last_id = f.history.next_trade_id() - total - 1;
  std::int64_t last_time = 0;
  for (int page = 0; page < 1000; ++page) {
    const auto p = f.history.trades(since, 1000);
    if (p.trades.empty()) {
      EXPECT_EQ(p.last_ns, since);
      break;
    }
    for (const auto& t : p.trades) {
      ASSERT_EQ(t.trade_id, last_id + 1);
      ASSERT_GE(t.time.ns, last_time);
      last_id = t.trade_id;
      last_time = t.time.ns;
      ++seen;
    }
    EXPECT_EQ(p.last_ns, p.trades.back().time.ns);
    since = p.last_ns;
  }
  EXPECT_EQ(seen, total);
  EXPECT_GT(total, 10000);
}

// A simulator restarted with the same seed must not number different trades with the ids an
// earlier run sent (market data audit D5): the ids go on from the start time.
TEST(SymbolHistory, IdsContinueFromTheStartTimeSoARestartReusesNone) {
  const SimSymbol symbol = make_sim_symbol("BTC/USDT").value();
  const PriceModel model(PriceModelParams{symbol.annual_volatility});
  const SymbolHistory first(symbol, model, 7, HistoryParams{kStart, 1, 0.3});
  const SymbolHistory same(symbol, model, 7, HistoryParams{kStart, 1, 0.3});
  EXPECT_EQ(first.next_trade_id(), kStart.ns / 1000) << "the first live id is the start in µs";
  EXPECT_EQ(same.next_trade_id(), first.next_trade_id()) << "the same start, the same ids";
  EXPECT_EQ(same.recent_trades(50).front().trade_id, first.recent_trades(50).front().trade_id);
  // The first run traded for a minute at 1000 trades a second; its restart comes after that.
  const std::int64_t issued_by_first = first.next_trade_id() + 60 * 1000;
  const SymbolHistory restarted(symbol, model, 7,
                                HistoryParams{kStart + std::chrono::seconds(61), 1, 0.3});
  EXPECT_GT(restarted.next_trade_id(), issued_by_first);
  // Its history's ids stay below its live ones, consecutive.
  const auto recent = restarted.recent_trades(50);
  EXPECT_EQ(recent.back().trade_id, restarted.next_trade_id() - 1);
}

TEST(SymbolHistory, RecentTradesAreTheNewest) {
  HistoryFixture f;
  const auto recent = f.history.recent_trades(50);
  ASSERT_EQ(recent.size(), 50u);
  EXPECT_EQ(recent.back().trade_id, f.history.next_trade_id() - 1);
  for (std::size_t i = 1; i < recent.size(); ++i) EXPECT_EQ(recent[i].trade_id, recent[i - 1].trade_id + 1);
  const auto page = f.history.trades(std::nullopt, 10);
  ASSERT_EQ(page.trades.size(), 10u);
  EXPECT_EQ(page.trades.back().trade_id, recent.back().trade_id);
}

TEST(SymbolHistory, OhlcReturnsAtMost720BarsEndingWithTheFormingOne) {
  HistoryFixture f;
  const auto bars = f.history.ohlc(1, std::nullopt, kStart);
  ASSERT_EQ(bars.size(), 720u);
  EXPECT_EQ(bars.back().open_time_s, 1'704'067'200);  // the forming minute
  EXPECT_EQ(bars.back().count, 0);                    // nothing traded in it yet
  for (std::size_t i = 1; i < bars.size(); ++i) EXPECT_EQ(bars[i].open_time_s - bars[i - 1].open_time_s, 60);
  // since is exclusive
  const auto newer = f.history.ohlc(1, bars[700].open_time_s, kStart);
  ASSERT_EQ(newer.size(), 19u);
  EXPECT_EQ(newer.front().open_time_s, bars[701].open_time_s);
}

TEST(SymbolHistory, HourlyBarsAggregateTheMinutes) {
  HistoryFixture f;
  const auto hours = f.history.ohlc(60, std::nullopt, kStart);
  ASSERT_EQ(hours.size(), 49u);  // 48 whole hours + the forming one
  const auto& h = hours[10];
  const auto first = static_cast<std::size_t>((h.open_time_s - f.history.history_start().seconds()) / 60);
  MinuteBar agg;
  for (std::size_t m = first; m < first + 60; ++m) agg.merge(f.history.minutes()[m]);
  EXPECT_EQ(h.count, agg.count);
  EXPECT_EQ(h.open, Decimal::from_raw(agg.open * Decimal::must("0.1").raw()));
  EXPECT_EQ(h.high, Decimal::from_raw(agg.high * Decimal::must("0.1").raw()));
  EXPECT_EQ(h.low, Decimal::from_raw(agg.low * Decimal::must("0.1").raw()));
  EXPECT_EQ(h.close, Decimal::from_raw(agg.close * Decimal::must("0.1").raw()));
  EXPECT_EQ(h.volume, agg.volume);
  EXPECT_GE(h.vwap, h.low);
  EXPECT_LE(h.vwap, h.high);
}

TEST(SymbolHistory, QuietMinutesAreFlatBarsAtThePreviousClose) {
  HistoryFixture f(3, 1, 0.002, "XRP/BTC");  // about one trade in eight minutes
  const auto bars = f.history.ohlc(1, std::nullopt, kStart);
  int flat = 0;
  for (std::size_t i = 1; i < bars.size(); ++i) {
    if (bars[i].count != 0) continue;
    ++flat;
    EXPECT_EQ(bars[i].open, bars[i - 1].close);
    EXPECT_EQ(bars[i].high, bars[i].open);
    EXPECT_EQ(bars[i].low, bars[i].open);
    EXPECT_TRUE(bars[i].volume.is_zero());
  }
  EXPECT_GT(flat, 300);
}

TEST(SymbolHistory, LiveTradesExtendTheSeries) {
  HistoryFixture f;
  const auto before = f.history.stats_24h();
  MarketTrade t{core::Side::kBuy, 600123, Decimal::must("0.5"), core::OrderType::kMarket, f.history.next_trade_id(),
                kStart + std::chrono::seconds(5)};
  f.history.add_live_trade(t);
  const auto bar = f.history.current_bar(1, t.time);
  ASSERT_TRUE(bar.has_value());
  EXPECT_EQ(bar->count, 1);
  EXPECT_EQ(bar->close, Decimal::must("60012.3"));
  const auto after = f.history.stats_24h();
  EXPECT_EQ(after.volume, before.volume + Decimal::must("0.5"));
  EXPECT_EQ(after.last, Decimal::must("60012.3"));
  // The live trade follows the history in /Trades.
  const auto last_history_ns = f.history.recent_trades(2).front().time.ns;
  const auto page = f.history.trades(last_history_ns, 10);
  ASSERT_EQ(page.trades.size(), 1u);
  EXPECT_EQ(page.trades[0].trade_id, t.trade_id);
  // Minutes close as time passes, quiet ones included.
  const auto minutes = f.history.minutes().size();
  f.history.advance_to(kStart + std::chrono::minutes(3));
  EXPECT_EQ(f.history.minutes().size(), minutes + 3);
  EXPECT_EQ(f.history.minutes()[minutes].count, 1);
  const auto bars = f.history.ohlc(1, std::nullopt, kStart + std::chrono::minutes(3));
  EXPECT_EQ(bars[bars.size() - 4].count, 1);
  EXPECT_EQ(bars[bars.size() - 3].close, Decimal::must("60012.3"));  // flat after it
}

}  // namespace
}  // namespace tg4::sim
