// BarAggregator: exact OHLCV from trades, bars closed by the clock, empty intervals, roll-ups, late
// and duplicate trades, and the cross-check against Kraken's 1-minute candles.
#include "market/bar_aggregator.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace tg4::market {
namespace {

using core::Decimal;
using core::Timestamp;

// 2024-01-01 00:00:00 UTC, a Monday.
constexpr std::int64_t kT0 = 1'704'067'200;

Timestamp at(std::int64_t seconds, std::int64_t millis = 0) {
  return Timestamp::from_millis((kT0 + seconds) * 1000 + millis);
}

core::Trade trade(std::int64_t id, const char* price, const char* qty, Timestamp time,
                  const char* symbol = "BTC/USD") {
  core::Trade t;
  t.symbol = symbol;
  t.trade_id = id;
  t.price = Decimal::must(price);
  t.qty = Decimal::must(qty);
  t.time = time;
  return t;
}

struct Collector {
  std::vector<core::Bar> bars;
  BarAggregator::BarSink sink() {
    return [this](const core::Bar& b) { bars.push_back(b); };
  }
  std::vector<core::Bar> of(int minutes) const {
    std::vector<core::Bar> out;
    for (const auto& b : bars) {
      if (b.interval_minutes == minutes) out.push_back(b);
    }
    return out;
  }
};

TEST(BucketStart, AlignsToMinutesDaysAndMondayWeeks) {
  EXPECT_EQ(bucket_start(at(59, 999), 1), at(0));
  EXPECT_EQ(bucket_start(at(60 * 7 + 3), 5), at(60 * 5));
  EXPECT_EQ(bucket_start(at(3600 * 13 + 5), 720), at(3600 * 12));
  EXPECT_EQ(bucket_start(at(86'400 + 5), 1440), at(86'400));
  // Thursday 2024-01-04 -> Monday 2024-01-01.
  EXPECT_EQ(bucket_start(at(3 * 86'400 + 100), 10080), at(0));
  EXPECT_EQ(bucket_start(at(7 * 86'400), 10080), at(7 * 86'400));
}

TEST(BarAggregator, ExactOhlcvClosedOnTheClock) {
  Collector c;
  BarAggregator agg(c.sink(), {.rollups = {}});
  // The first minute of a symbol is partial (we may have joined late): start in the minute before.
  (void)agg.on_trade(trade(1, "99", "1", at(-1)));
  EXPECT_EQ(agg.on_trade(trade(2, "100.1", "0.5", at(0, 100))),
            BarAggregator::TradeResult::kApplied);
  (void)agg.on_trade(trade(3, "101.3", "0.25", at(10)));
  (void)agg.on_trade(trade(4, "99.7", "1.125", at(30)));
  (void)agg.on_trade(trade(5, "100.0", "0.1", at(59, 999)));
  ASSERT_EQ(c.bars.size(), 1U);  // only the partial minute before
  agg.on_time(at(59, 999));
  ASSERT_EQ(c.bars.size(), 1U);  // not yet: the minute ends at :60
  agg.on_time(at(60));           // no further trade needed
  ASSERT_EQ(c.bars.size(), 2U);
  const core::Bar& b = c.bars[1];
  EXPECT_EQ(b.symbol, "BTC/USD");
  EXPECT_EQ(b.interval_minutes, 1);
  EXPECT_EQ(b.open_time, at(0));
  EXPECT_EQ(b.open, Decimal::must("100.1"));
  EXPECT_EQ(b.high, Decimal::must("101.3"));
  EXPECT_EQ(b.low, Decimal::must("99.7"));
  EXPECT_EQ(b.close, Decimal::must("100.0"));
  EXPECT_EQ(b.volume, Decimal::must("1.975"));
  // 50.05 + 25.325 + 112.1625 + 10 = 197.5375
  EXPECT_EQ(b.quote_volume, Decimal::must("197.5375"));
  EXPECT_EQ(b.trades, 4);
  EXPECT_EQ(b.vwap, Decimal::div(Decimal::must("197.5375"), Decimal::must("1.975"),
                                 core::Rounding::kHalfEven));
  EXPECT_EQ(agg.stats().bars_1m, 2U);
  EXPECT_EQ(agg.stats().partial_bars, 1U);
}

TEST(BarAggregator, EmptyIntervalsYieldNoBar) {
  Collector c;
  BarAggregator agg(c.sink(), {.rollups = {5}});
  (void)agg.on_trade(trade(1, "10", "1", at(5)));
  (void)agg.on_trade(trade(2, "12", "1", at(3 * 60 + 5)));  // minutes 1 and 2 have no trade
  agg.on_time(at(10 * 60));
  const auto minutes = c.of(1);
  ASSERT_EQ(minutes.size(), 2U);
  EXPECT_EQ(minutes[0].open_time, at(0));
  EXPECT_EQ(minutes[1].open_time, at(3 * 60));
  const auto fives = c.of(5);
  ASSERT_EQ(fives.size(), 1U);
  EXPECT_EQ(fives[0].open, Decimal::must("10"));
  EXPECT_EQ(fives[0].close, Decimal::must("12"));
  EXPECT_EQ(fives[0].trades, 2);
  // A 5-minute window without any trade: nothing at all.
  agg.on_time(at(60 * 60));
  EXPECT_EQ(c.bars.size(), 3U);
  EXPECT_FALSE(agg.open_bar("BTC/USD"));
}

TEST(BarAggregator, RollupsAreExactAndCloseOnTheClock) {
  Collector c;
  BarAggregator agg(c.sink());  // every roll-up
  std::int64_t id = 1;
  // One trade every 20 s for 2 hours, prices cycling.
  for (std::int64_t s = 0; s < 2 * 3600; s += 20) {
    const char* price = (s / 20) % 3 == 0 ? "100.5" : (s / 20) % 3 == 1 ? "101" : "99.25";
    const char* qty = (s / 20) % 2 == 0 ? "0.3" : "1.7";
    (void)agg.on_trade(trade(id++, price, qty, at(s)));
  }
  agg.on_time(at(2 * 3600));
  EXPECT_EQ(c.of(1).size(), 120U);
  EXPECT_EQ(c.of(5).size(), 24U);
  EXPECT_EQ(c.of(15).size(), 8U);
  EXPECT_EQ(c.of(30).size(), 4U);
  EXPECT_EQ(c.of(60).size(), 2U);
  EXPECT_TRUE(c.of(240).empty());  // still open: closes at 04:00
  const auto hours = c.of(60);
  // Hour bars equal the sum of their minutes.
  Decimal minute_volume;
  std::int64_t minute_trades = 0;
  for (const auto& m : c.of(1)) {
    if (m.open_time >= at(3600)) {
      minute_volume += m.volume;
      minute_trades += m.trades;
    }
  }
  EXPECT_EQ(hours[1].volume, minute_volume);
  EXPECT_EQ(hours[1].trades, minute_trades);
  EXPECT_EQ(hours[1].trades, 180);
  EXPECT_EQ(hours[0].open, Decimal::must("100.5"));
  EXPECT_EQ(hours[0].high, Decimal::must("101"));
  EXPECT_EQ(hours[0].low, Decimal::must("99.25"));
  const auto open4h = agg.open_bar("BTC/USD", 240);
  ASSERT_TRUE(open4h);
  EXPECT_EQ(open4h->trades, 360);
  EXPECT_EQ(open4h->vwap,
            Decimal::div(open4h->quote_volume, open4h->volume, core::Rounding::kHalfEven));
  agg.on_time(at(4 * 3600));
  EXPECT_EQ(c.of(240).size(), 1U);
  agg.on_time(at(7 * 86'400));
  EXPECT_EQ(c.of(720).size(), 1U);
  EXPECT_EQ(c.of(1440).size(), 1U);
  ASSERT_EQ(c.of(10080).size(), 1U);
  EXPECT_EQ(c.of(10080)[0].trades, 360);
  EXPECT_EQ(c.of(10080)[0].open_time, at(0));
}

TEST(BarAggregator, TradeInALaterMinuteClosesTheOpenOne) {
  Collector c;
  BarAggregator agg(c.sink(), {.rollups = {}});
  (void)agg.on_trade(trade(1, "10", "1", at(5)));
  (void)agg.on_trade(trade(2, "11", "1", at(65)));
  ASSERT_EQ(c.bars.size(), 1U);
  EXPECT_EQ(c.bars[0].close, Decimal::must("10"));
}

bool same_bar(const core::Bar& a, const core::Bar& b) {
  return a.symbol == b.symbol && a.interval_minutes == b.interval_minutes &&
         a.open_time == b.open_time && a.open == b.open && a.high == b.high && a.low == b.low &&
         a.close == b.close && a.volume == b.volume && a.quote_volume == b.quote_volume &&
         a.vwap == b.vwap && a.trades == b.trades;
}

// on_trades (a backtest's batch) is on_trade for each: symbols interleaved, minutes crossed inside
// the batch, a duplicate and a late trade.
TEST(BarAggregator, ABatchOfTradesIsEachTradeInTurn) {
  const std::vector<core::Trade> trades{
      trade(1, "10", "1", at(5)),           trade(1, "5", "2", at(6), "ETH/USD"),
      trade(2, "11", "0.5", at(20)),        trade(2, "6", "1", at(61), "ETH/USD"),
      trade(2, "11", "0.5", at(20)),        trade(3, "9", "0.25", at(70)),
      trade(4, "9.5", "1", at(5 * 60)),     trade(3, "7", "1", at(4 * 60), "ETH/USD"),
      trade(9, "8", "1", at(62), "ETH/USD")};
  Collector one_by_one, batched;
  BarAggregator a(one_by_one.sink()), b(batched.sink());
  for (const core::Trade& t : trades) (void)a.on_trade(t);
  b.on_trades(trades);
  a.on_time(at(3600));
  b.on_time(at(3600));
  ASSERT_EQ(one_by_one.bars.size(), batched.bars.size());
  EXPECT_GE(one_by_one.bars.size(), 6U);
  for (std::size_t i = 0; i < one_by_one.bars.size(); ++i)
    EXPECT_TRUE(same_bar(one_by_one.bars[i], batched.bars[i])) << "bar " << i;
  EXPECT_EQ(a.stats().duplicate_trades, 1U);
  EXPECT_EQ(a.stats().late_trades, 1U);
  EXPECT_EQ(b.stats().duplicate_trades, a.stats().duplicate_trades);
  EXPECT_EQ(b.stats().late_trades, a.stats().late_trades);
  EXPECT_EQ(b.stats().trades, a.stats().trades);
}

TEST(BarAggregator, LateAndDuplicateTradesAreNotApplied) {
  Collector c;
  BarAggregator agg(c.sink(), {.rollups = {}});
  (void)agg.on_trade(trade(10, "10", "1", at(5)));
  agg.on_time(at(60));
  EXPECT_EQ(agg.on_trade(trade(11, "12", "1", at(59))), BarAggregator::TradeResult::kLate);
  EXPECT_EQ(agg.on_trade(trade(10, "10", "1", at(5))), BarAggregator::TradeResult::kDuplicate);
  EXPECT_EQ(agg.on_trade(trade(12, "13", "2", at(61))), BarAggregator::TradeResult::kApplied);
  // A reconnect's trade snapshot overlaps what was seen: only the new trades count.
  EXPECT_EQ(agg.on_trade(trade(12, "13", "2", at(61))), BarAggregator::TradeResult::kDuplicate);
  EXPECT_EQ(agg.on_trade(trade(13, "14", "1", at(62))), BarAggregator::TradeResult::kApplied);
  EXPECT_EQ(agg.stats().late_trades, 1U);
  EXPECT_EQ(agg.stats().duplicate_trades, 2U);
  const auto open = agg.open_bar("BTC/USD");
  ASSERT_TRUE(open);
  EXPECT_EQ(open->trades, 2);
  EXPECT_EQ(open->volume, Decimal::from_int(3));
}

TEST(BarAggregator, CloseDelayGivesLateTradesAGrace) {
  Collector c;
  BarAggregator agg(c.sink(), {.rollups = {}, .close_delay = std::chrono::seconds(2)});
  (void)agg.on_trade(trade(1, "10", "1", at(5)));
  agg.on_time(at(61));
  EXPECT_TRUE(c.bars.empty());
  EXPECT_EQ(agg.on_trade(trade(2, "11", "1", at(59, 900))), BarAggregator::TradeResult::kApplied);
  agg.on_time(at(62));
  ASSERT_EQ(c.bars.size(), 1U);
  EXPECT_EQ(c.bars[0].trades, 2);
}

TEST(BarAggregator, SymbolsAreIndependent) {
  Collector c;
  BarAggregator agg(c.sink(), {.rollups = {}});
  (void)agg.on_trade(trade(1, "10", "1", at(5), "BTC/USD"));
  (void)agg.on_trade(trade(1, "20", "2", at(6), "ETH/USD"));
  agg.on_time(at(60));
  ASSERT_EQ(c.bars.size(), 2U);
  EXPECT_EQ(c.bars[0].symbol, "BTC/USD");
  EXPECT_EQ(c.bars[1].symbol, "ETH/USD");
}

core::Bar candle(std::int64_t minute, const char* o, const char* h, const char* l, const char* cl,
                 const char* v, std::int64_t trades) {
  core::Bar b;
  b.symbol = "BTC/USD";
  b.interval_minutes = 1;
  b.open_time = at(minute * 60);
  b.open = Decimal::must(o);
  b.high = Decimal::must(h);
  b.low = Decimal::must(l);
  b.close = Decimal::must(cl);
  b.volume = Decimal::must(v);
  b.trades = trades;
  return b;
}

TEST(BarAggregator, ComparesCompleteMinutesWithKrakenCandles) {
  Collector c;
  BarAggregator agg(c.sink(), {.rollups = {}});
  int mismatches = 0;
  agg.set_mismatch_sink([&](const core::Bar& ours, const core::Bar& kraken) {
    ++mismatches;
    EXPECT_EQ(ours.open_time, kraken.open_time);
  });
  (void)agg.on_trade(trade(1, "9", "1", at(-5)));  // partial minute -1: never compared
  (void)agg.on_trade(trade(2, "10", "1", at(5)));
  (void)agg.on_trade(trade(3, "12", "0.5", at(50)));
  (void)agg.on_trade(trade(4, "11", "1", at(65)));
  // Kraken's running candle for minute 0, then its final state, then minute 1 starts.
  agg.on_kraken_ohlc(candle(-1, "9", "9", "9", "9", "5", 3));  // differs, but ours is partial
  agg.on_kraken_ohlc(candle(0, "10", "10", "10", "10", "1", 1));
  agg.on_kraken_ohlc(candle(0, "10", "12", "10", "12", "1.5", 2));
  agg.on_kraken_ohlc(candle(1, "11", "11", "11", "11", "1", 1));
  EXPECT_EQ(agg.stats().compared, 1U);
  EXPECT_EQ(mismatches, 0);
  // Minute 1: Kraken saw a trade we missed.
  agg.on_time(at(120));
  agg.on_kraken_ohlc(candle(1, "11", "11", "10.5", "10.5", "2", 2));
  agg.on_kraken_ohlc(candle(2, "10", "10", "10", "10", "1", 1));
  EXPECT_EQ(agg.stats().compared, 2U);
  EXPECT_EQ(agg.stats().mismatches, 1U);
  EXPECT_EQ(mismatches, 1);
}

}  // namespace
}  // namespace tg4::market

namespace tg4::market {
namespace {

TEST(BarAggregator, ImpossibleTradesAreRejectedNotThrown) {
  Collector c;
  BarAggregator agg(c.sink(), {.rollups = {}});
  EXPECT_EQ(agg.on_trade(trade(1, "1000000000000000", "10000000000", at(5))),
            BarAggregator::TradeResult::kRejected);
  EXPECT_EQ(agg.on_trade(trade(2, "10", "0", at(6))), BarAggregator::TradeResult::kRejected);
  EXPECT_EQ(agg.on_trade(trade(3, "10", "1", at(7))), BarAggregator::TradeResult::kApplied);
  // A sum that would leave Decimal's range: this trade is refused, the bar keeps the earlier ones.
  EXPECT_EQ(agg.on_trade(trade(4, "100000000000", "1000000000", at(8))),
            BarAggregator::TradeResult::kApplied);
  EXPECT_EQ(agg.on_trade(trade(5, "100000000000", "1000000000", at(9))),
            BarAggregator::TradeResult::kRejected);
  EXPECT_EQ(agg.stats().rejected_trades, 3U);
  EXPECT_EQ(agg.open_bar("BTC/USD")->trades, 2);
}

// The start-up warm-up: stored minutes are closed minutes. The 5m bucket they end in goes on with
// the live minutes; a trade of a stored minute (a subscription's snapshot) is late, and the first
// live minute is still partial.
TEST(BarAggregator, StoredMinutesRollUpAndTheBucketInProgressGoesOnLive) {
  Collector c;
  BarAggregatorOptions options;
  options.rollups = {5};
  BarAggregator agg(c.sink(), options);
  for (int m = 0; m < 7; ++m) {  // 00:00 .. 00:06 stored
    const std::string price = std::to_string(100 + m);
    agg.on_history(candle(m, price.c_str(), price.c_str(), price.c_str(), price.c_str(), "1", 2));
  }
  ASSERT_EQ(c.of(1).size(), 7u) << "each stored minute as a closed bar";
  ASSERT_EQ(c.of(5).size(), 1u) << "00:00's 5m bucket ended with the 00:05 minute";
  EXPECT_EQ(c.of(5)[0].open, Decimal::must("100"));
  EXPECT_EQ(c.of(5)[0].close, Decimal::must("104"));
  EXPECT_EQ(c.of(5)[0].trades, 10);

  EXPECT_EQ(agg.on_trade(trade(50, "999", "1", at(6 * 60 + 30))),
            BarAggregator::TradeResult::kDuplicate)
      << "00:06 is stored: the subscription's trade snapshot repeats it";
  EXPECT_EQ(agg.on_trade(trade(51, "110", "1", at(7 * 60 + 5))),
            BarAggregator::TradeResult::kApplied);
  agg.on_time(at(10 * 60));
  ASSERT_EQ(c.of(5).size(), 2u);
  const core::Bar rolled = c.of(5)[1];  // a copy: of() returns a new vector
  EXPECT_EQ(rolled.open_time, at(5 * 60));
  EXPECT_EQ(rolled.open, Decimal::must("105")) << "the stored minutes of the bucket are in it";
  EXPECT_EQ(rolled.high, Decimal::must("110"));
  EXPECT_EQ(rolled.trades, 5);
  EXPECT_EQ(agg.stats().partial_bars, 1u) << "the first live minute may miss trades";
  EXPECT_EQ(agg.stats().duplicate_trades, 1u);
  EXPECT_EQ(agg.stats().late_trades, 0u) << "nothing was missed";

  agg.on_history(candle(3, "1", "1", "1", "1", "1", 1));
  EXPECT_EQ(c.bars.size(), 10u) << "history older than the closed minutes is ignored";
}

}  // namespace
}  // namespace tg4::market

// What reaches the aggregator from a real feed: trades after their minute, ids out of order or
// numbered anew, times that have not come, prices no trade has (market data audit D1-D4).
namespace tg4::market {
namespace {

core::Trade received_at(core::Trade t, Timestamp received) {
  t.received = received;
  return t;
}

struct Revisions {
  std::vector<std::pair<core::Bar, bool>> seen;
  BarAggregator::RevisionSink sink() {
    return [this](const core::Bar& b, bool partial) { seen.emplace_back(b, partial); };
  }
};

TEST(BarAggregator, ATradeLaterThanTheGraceRevisesItsClosedMinute) {
  Collector c;
  Revisions r;
  BarAggregator agg(c.sink(),
                    {.rollups = {}, .close_delay = std::chrono::seconds(2), .revise_minutes = 10});
  agg.set_revision_sink(r.sink());
  (void)agg.on_trade(trade(1, "9", "1", at(-1)));  // minute -1: the first, partial
  (void)agg.on_trade(trade(2, "10", "1", at(5)));
  (void)agg.on_trade(trade(3, "12", "0.5", at(30)));
  agg.on_time(at(62));
  ASSERT_EQ(c.of(1).size(), 2u);
  EXPECT_EQ(c.of(1)[1].trades, 2);

  // 3.5 s after its minute ended: beyond the grace. Its minute's bar is revised, once.
  EXPECT_EQ(agg.on_trade(trade(4, "11", "2", at(59, 500))), BarAggregator::TradeResult::kRevised);
  EXPECT_EQ(agg.on_trade(trade(4, "11", "2", at(59, 500))), BarAggregator::TradeResult::kDuplicate)
      << "a repeat of it revises nothing";
  EXPECT_TRUE(r.seen.empty()) << "revisions go out on the clock";
  agg.on_time(at(63));
  ASSERT_EQ(r.seen.size(), 1u);
  const core::Bar& revised = r.seen[0].first;
  EXPECT_FALSE(r.seen[0].second);
  EXPECT_EQ(revised.open_time, at(0));
  EXPECT_EQ(revised.trades, 3);
  EXPECT_EQ(revised.open, Decimal::must("10"));
  EXPECT_EQ(revised.high, Decimal::must("12"));
  EXPECT_EQ(revised.close, Decimal::must("11")) << "the latest trade of the minute";
  EXPECT_EQ(revised.volume, Decimal::must("3.5"));
  EXPECT_EQ(revised.quote_volume, Decimal::must("38"));
  EXPECT_EQ(revised.vwap,
            Decimal::div(Decimal::must("38"), Decimal::must("3.5"), core::Rounding::kHalfEven));
  agg.on_time(at(64));
  EXPECT_EQ(r.seen.size(), 1u) << "emitted once per revision";

  // Minute 1 had no trade while we watched; minute 2 is open. A late trade of minute 1 is its bar.
  (void)agg.on_trade(trade(5, "13", "1", at(125)));
  EXPECT_EQ(agg.on_trade(trade(6, "14", "1", at(70))), BarAggregator::TradeResult::kRevised);
  // Before the first minute watched, nothing is known: only counted.
  EXPECT_EQ(agg.on_trade(trade(7, "15", "1", at(-70))), BarAggregator::TradeResult::kLate);
  agg.on_time(at(126));
  ASSERT_EQ(r.seen.size(), 2u);
  EXPECT_EQ(r.seen[1].first.open_time, at(60));
  EXPECT_EQ(r.seen[1].first.trades, 1);
  EXPECT_EQ(agg.stats().late_trades, 3u);
  EXPECT_EQ(agg.stats().revised_bars, 2u);
  EXPECT_EQ(agg.open_bar("BTC/USD")->trades, 1) << "the open minute is untouched";
}

TEST(BarAggregator, WithoutRevisionsALateTradeIsOnlyCounted) {
  Collector c;
  Revisions r;
  BarAggregator agg(c.sink(), {.rollups = {}});
  agg.set_revision_sink(r.sink());
  (void)agg.on_trade(trade(1, "10", "1", at(5)));
  agg.on_time(at(60));
  EXPECT_EQ(agg.on_trade(trade(2, "11", "1", at(59))), BarAggregator::TradeResult::kLate);
  agg.on_time(at(61));
  EXPECT_TRUE(r.seen.empty());
  EXPECT_EQ(agg.stats().late_trades, 1u);
}

TEST(BarAggregator, OneOutOfSequenceIdSilencesNothing) {
  Collector c;
  BarAggregator agg(c.sink(), {.rollups = {}});
  std::int64_t n = 0;
  for (std::int64_t id = 1; id <= 10; ++id) (void)agg.on_trade(trade(id, "10", "1", at(++n)));
  (void)agg.on_trade(trade(1'000'010, "10", "1", at(++n)));  // one id from nowhere
  for (std::int64_t id = 11; id <= 100; ++id) {
    EXPECT_EQ(agg.on_trade(trade(id, "10", "1", at(++n))), BarAggregator::TradeResult::kApplied)
        << "id " << id;
  }
  agg.on_time(at(200));
  std::int64_t in_bars = 0;
  for (const core::Bar& b : c.of(1)) in_bars += b.trades;
  EXPECT_EQ(in_bars, 101);
  EXPECT_EQ(agg.stats().duplicate_trades, 0u);
  EXPECT_EQ(agg.stats().id_resets, 0u);
}

TEST(BarAggregator, ARenumberedExchangeIsTakenCountedAndItsMinutePartial) {
  Collector c;
  BarAggregator agg(c.sink(), {.rollups = {}});
  std::vector<std::pair<std::int64_t, std::int64_t>> resets;
  agg.set_id_reset_sink([&](const core::Trade& t, std::int64_t highest) {
    resets.emplace_back(t.trade_id, highest);
  });
  for (std::int64_t id = 500; id <= 510; ++id)
    (void)agg.on_trade(trade(id, "10", "1", at(id - 500)));
  agg.on_time(at(60));
  (void)agg.on_trade(trade(511, "10", "1", at(61)));
  agg.on_time(at(120));
  // A restarted simulator: ids again from below everything seen, at the present time.
  EXPECT_EQ(agg.on_trade(trade(300, "11", "1", at(125))), BarAggregator::TradeResult::kApplied);
  EXPECT_EQ(agg.on_trade(trade(301, "11", "1", at(126))), BarAggregator::TradeResult::kApplied);
  // Or a known id for another trade: the same.
  EXPECT_EQ(agg.on_trade(trade(301, "12", "1", at(190))), BarAggregator::TradeResult::kApplied);
  ASSERT_EQ(resets.size(), 2u);
  EXPECT_EQ(resets[0], std::make_pair(std::int64_t{300}, std::int64_t{511}));
  EXPECT_EQ(resets[1], std::make_pair(std::int64_t{301}, std::int64_t{301}));
  agg.on_time(at(240));
  const auto minutes = c.of(1);
  ASSERT_EQ(minutes.size(), 4u);
  EXPECT_EQ(minutes[2].trades, 2);
  EXPECT_EQ(agg.stats().id_resets, 2u);
  EXPECT_EQ(agg.stats().partial_bars, 3u) << "the first minute and both renumbered ones";
  // A reconnect's snapshot after that: the same ids at the same times.
  EXPECT_EQ(agg.on_trade(trade(301, "12", "1", at(190))), BarAggregator::TradeResult::kDuplicate);
}

TEST(BarAggregator, TradesOutOfOrderWithinTheWindowAreTaken) {
  Collector c;
  BarAggregator agg(c.sink(), {.rollups = {}});
  (void)agg.on_trade(trade(10, "10", "1", at(1)));
  (void)agg.on_trade(trade(12, "12", "1", at(3)));
  EXPECT_EQ(agg.on_trade(trade(11, "11", "1", at(2))), BarAggregator::TradeResult::kApplied);
  EXPECT_EQ(agg.on_trade(trade(11, "11", "1", at(2))), BarAggregator::TradeResult::kDuplicate);
  EXPECT_EQ(agg.on_trade(trade(13, "13", "1", at(4))), BarAggregator::TradeResult::kApplied);
  EXPECT_EQ(agg.open_bar("BTC/USD")->trades, 4);
  EXPECT_EQ(agg.stats().id_resets, 0u);
}

TEST(BarAggregator, ATradeStampedAheadOfItsArrivalIsRejected) {
  Collector c;
  BarAggregator agg(c.sink(), {.rollups = {5, 10080}, .max_ahead = std::chrono::seconds(10)});
  (void)agg.on_trade(received_at(trade(1, "10", "1", at(5)), at(5, 200)));
  EXPECT_EQ(agg.on_trade(received_at(trade(2, "99", "1", at(86'400 + 6)), at(6, 100))),
            BarAggregator::TradeResult::kFuture);
  EXPECT_EQ(agg.on_trade(received_at(trade(3, "11", "1", at(7)), at(7, 100))),
            BarAggregator::TradeResult::kApplied);
  // Within the tolerance (a local clock a little behind the exchange's): taken.
  EXPECT_EQ(agg.on_trade(received_at(trade(4, "12", "1", at(15)), at(8))),
            BarAggregator::TradeResult::kApplied);
  EXPECT_TRUE(c.bars.empty()) << "nothing closed early";
  EXPECT_EQ(agg.open_bar("BTC/USD")->trades, 3);
  EXPECT_EQ(agg.open_bar("BTC/USD")->high, Decimal::must("12"));
  EXPECT_EQ(agg.stats().future_trades, 1u);
  // Without a receive time (a replay, a backfill) there is no local clock to compare with.
  EXPECT_EQ(agg.on_trade(trade(5, "13", "1", at(3600))), BarAggregator::TradeResult::kApplied);
}

// A refused trade is not taken: its id may be a real trade's, which then comes as no repeat, and
// the sequence it continued has no gap.
TEST(BarAggregator, ARefusedTradeTakesNoIdFromARealOne) {
  Collector c;
  BarAggregator agg(c.sink(), {.rollups = {}, .max_ahead = std::chrono::seconds(10)});
  std::vector<std::int64_t> resets;
  agg.set_id_reset_sink([&](const core::Trade& t, std::int64_t) { resets.push_back(t.trade_id); });
  (void)agg.on_trade(trade(1, "10", "1", at(-5)));  // minute -1: the first, partial
  (void)agg.on_trade(trade(2, "10", "1", at(5)));
  EXPECT_EQ(agg.on_trade(trade(3, "0", "1", at(6))), BarAggregator::TradeResult::kRejected);
  EXPECT_EQ(agg.on_trade(trade(3, "11", "1", at(7))), BarAggregator::TradeResult::kApplied);
  EXPECT_EQ(agg.on_trade(received_at(trade(4, "12", "1", at(86'400)), at(8))),
            BarAggregator::TradeResult::kFuture);
  EXPECT_EQ(agg.on_trade(trade(5, "13", "1", at(9))), BarAggregator::TradeResult::kApplied);
  agg.on_time(at(60));
  EXPECT_TRUE(resets.empty());
  ASSERT_EQ(c.bars.size(), 2u);
  EXPECT_EQ(c.bars[1].trades, 3);
  EXPECT_EQ(agg.stats().partial_bars, 1u) << "minute 0 is whole: the refused ids were issued";
}

TEST(BarAggregator, ATradeOfAnEarlierMinuteDoesNotJoinTheOpenOne) {
  Collector c;
  BarAggregator agg(c.sink(), {.rollups = {}});
  (void)agg.on_trade(trade(1, "10", "1", at(5)));
  (void)agg.on_trade(trade(2, "20", "1", at(125)));  // minute 2 opens, minute 0 closes
  EXPECT_EQ(agg.on_trade(trade(3, "15", "1", at(70))), BarAggregator::TradeResult::kLate);
  EXPECT_EQ(agg.open_bar("BTC/USD")->trades, 1);
  EXPECT_EQ(agg.open_bar("BTC/USD")->low, Decimal::must("20"));
}

TEST(BarAggregator, AZeroPriceIsRejectedLikeANegativeOne) {
  Collector c;
  BarAggregator agg(c.sink(), {.rollups = {}});
  (void)agg.on_trade(trade(1, "10", "1", at(5)));
  EXPECT_EQ(agg.on_trade(trade(2, "0", "0.001", at(6))), BarAggregator::TradeResult::kRejected);
  EXPECT_EQ(agg.on_trade(trade(3, "-1", "1", at(7))), BarAggregator::TradeResult::kRejected);
  EXPECT_EQ(agg.on_trade(trade(4, "11", "1", at(8))), BarAggregator::TradeResult::kApplied);
  agg.on_time(at(60));
  ASSERT_EQ(c.bars.size(), 1u);
  EXPECT_EQ(c.bars[0].low, Decimal::must("10"));
  EXPECT_EQ(c.bars[0].trades, 2);
  EXPECT_EQ(agg.stats().rejected_trades, 2u);
  EXPECT_FALSE(c.bars[0].trades == 3) << "the zero trade is not in the bar";
}

}  // namespace
}  // namespace tg4::market
