// Indicators that technicalindicators lacks or that have edge cases, checked against values worked
// out by hand (the arithmetic is in the comments), plus warm-up lengths, book features, trend
// alignment and quality flags.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "market/checksum.hpp"
#include "market/indicators/book_features.hpp"
#include "market/indicators/indicator_csv.hpp"
#include "market/indicators/indicator_set.hpp"
#include "market/indicators/market_state.hpp"

namespace tg4::market {
namespace {

using core::Decimal;

Ohlcv bar(double h, double l, double c, double v = 1.0, std::int64_t t = 0) {
  return Ohlcv{t, c, h, l, c, v};
}

TEST(IndicatorsHand, DonchianIsTheRangeOfTheLastNBars) {
  Donchian dc(3);
  dc.update(bar(10, 8, 9));
  dc.update(bar(12, 9, 10));
  EXPECT_FALSE(dc.value().upper);  // 2 of 3 bars
  dc.update(bar(11, 7, 9));
  // highs 10, 12, 11 -> 12; lows 8, 9, 7 -> 7; middle (12 + 7) / 2 = 9.5
  EXPECT_DOUBLE_EQ(*dc.value().upper, 12);
  EXPECT_DOUBLE_EQ(*dc.value().lower, 7);
  EXPECT_DOUBLE_EQ(*dc.value().middle, 9.5);
  dc.update(bar(9, 8, 8.5));
  dc.update(bar(8, 6.5, 7));
  // highs 11, 9, 8 -> 11 (the 12 fell out); lows 7, 8, 6.5 -> 6.5; middle 8.75
  EXPECT_DOUBLE_EQ(*dc.value().upper, 11);
  EXPECT_DOUBLE_EQ(*dc.value().lower, 6.5);
  EXPECT_DOUBLE_EQ(*dc.value().middle, 8.75);
}

TEST(IndicatorsHand, ChoppinessOverTrueRanges) {
  Choppiness chop(2);
  chop.update(bar(10, 9, 9.5));  // no true range yet
  // TR1 = max(11 - 9.5, |11 - 9.5|, |9.5 - 9.5|) = 1.5
  chop.update(bar(11, 9.5, 10.5));
  EXPECT_FALSE(chop.value());
  // TR2 = max(10.8 - 10, |10.8 - 10.5|, |10 - 10.5|) = 0.8
  chop.update(bar(10.8, 10, 10.2));
  // bars 1..2: sum TR 2.3, highest 11, lowest 9.5: 100 * log10(2.3 / 1.5) / log10(2) = 61.667...
  EXPECT_NEAR(*chop.value(), 61.6671, 1e-4);
  EXPECT_NEAR(*chop.value(), 100 * std::log10(2.3 / 1.5) / std::log10(2.0), 1e-12);
  // TR3 = max(12 - 10.1, |12 - 10.2|, |10.1 - 10.2|) = 1.9
  chop.update(bar(12, 10.1, 11.8));
  // bars 2..3: sum TR 0.8 + 1.9 = 2.7, highest 12, lowest 10: 100 * log2(1.35) = 43.296...
  EXPECT_NEAR(*chop.value(), 43.2959, 1e-4);
}

TEST(IndicatorsHand, SupertrendBandsAndFlips) {
  Supertrend st(2, 1.0);
  st.update(bar(10, 9, 9.5));
  st.update(bar(10.5, 9.5, 10));  // TR1 = max(1, |10.5 - 9.5|, |9.5 - 9.5|) = 1
  EXPECT_FALSE(st.value().line);
  // TR2 = 1 -> ATR = (1 + 1) / 2 = 1; hl2 = 10.5; bands 11.5 / 9.5; starts down: line = 11.5
  st.update(bar(11, 10, 10.8));
  EXPECT_EQ(*st.value().direction, -1);
  EXPECT_NEAR(*st.value().line, 11.5, 1e-12);
  // TR3 = max(1, |12 - 10.8|, |11 - 10.8|) = 1.2 -> ATR = 1 + (1.2 - 1) / 2 = 1.1; hl2 = 11.5;
  // basic 12.6 / 10.4; upper stays 11.5 (12.6 is not below it and 10.8 did not close above it);
  // lower rises to 10.4; close 11.9 > 11.5 -> up, line = lower = 10.4
  st.update(bar(12, 11, 11.9));
  EXPECT_EQ(*st.value().direction, 1);
  EXPECT_NEAR(*st.value().line, 10.4, 1e-12);
  // TR4 = max(0.8, 0.3, 0.5) = 0.8 -> ATR = 1.1 + (0.8 - 1.1) / 2 = 0.95; hl2 = 11.8;
  // basic 12.75 / 10.85; upper resets to 12.75 (previous close 11.9 was above 11.5); lower 10.85;
  // close 11.6 stays above 10.85 -> still up
  st.update(bar(12.2, 11.4, 11.6));
  EXPECT_EQ(*st.value().direction, 1);
  EXPECT_NEAR(*st.value().line, 10.85, 1e-12);
  // TR5 = max(1.5, |11.5 - 11.6|, |10 - 11.6|) = 1.6 -> ATR = 0.95 + (1.6 - 0.95) / 2 = 1.275;
  // hl2 = 10.75; basic 12.025 / 9.475; upper falls to 12.025; lower stays 10.85;
  // close 10.2 < 10.85 -> down, line = upper = 12.025
  st.update(bar(11.5, 10, 10.2));
  EXPECT_EQ(*st.value().direction, -1);
  EXPECT_NEAR(*st.value().line, 12.025, 1e-12);
}

TEST(IndicatorsHand, RsiWilderSmallPeriod) {
  Rsi rsi(2);
  // changes -2, -2: avg gain 0, avg loss 2 -> RSI 0
  for (double c : {100.0, 98.0, 96.0}) rsi.update(c);
  EXPECT_DOUBLE_EQ(*rsi.value(), 0);
  // +3: gain (0 * 1 + 3) / 2 = 1.5, loss (2 * 1 + 0) / 2 = 1 -> RS 1.5 -> 100 - 100 / 2.5 = 60
  rsi.update(99);
  EXPECT_DOUBLE_EQ(*rsi.value(), 60);
}

TEST(IndicatorsHand, FlatPricesAreNeutralNotNan) {
  IndicatorSet set;
  for (int i = 0; i < 60; ++i) set.update(Ohlcv{i * 60, 100, 100, 100, 100, 1});
  const IndicatorSnapshot& s = set.snapshot();
  EXPECT_DOUBLE_EQ(*s.rsi_14, 50);
  EXPECT_DOUBLE_EQ(*s.bb_percent_b, 0.5);
  EXPECT_DOUBLE_EQ(*s.adx_14, 0);
  EXPECT_DOUBLE_EQ(*s.stochrsi_k, 0);
  EXPECT_DOUBLE_EQ(*s.chop_14, 100);
  EXPECT_DOUBLE_EQ(*s.roc_10, 0);
}

TEST(IndicatorsHand, VwapResetsAtUtcMidnight) {
  Vwap vwap;
  const std::int64_t day = 86'400 * 19'000;
  vwap.update(Ohlcv{day - 120, 0, 12, 6, 9, 2});  // typical (12 + 6 + 9) / 3 = 9, x2
  vwap.update(Ohlcv{day - 60, 0, 15, 9, 12, 1});  // typical 12, x1 -> (18 + 12) / 3 = 10
  EXPECT_DOUBLE_EQ(*vwap.value(), 10);
  vwap.update(Ohlcv{day, 0, 30, 24, 27, 5});  // new UTC day: only this bar, typical 27
  EXPECT_DOUBLE_EQ(*vwap.value(), 27);
}

TEST(IndicatorsHand, RollingExtremeDropsValuesThatLeaveTheWindow) {
  RollingMax mx(3);
  RollingMin mn(3);
  const std::vector<double> xs{5, 1, 4, 2, 3, 0, 6};
  const std::vector<double> want_max{5, 5, 5, 4, 4, 3, 6};
  const std::vector<double> want_min{5, 1, 1, 1, 2, 0, 0};
  for (std::size_t i = 0; i < xs.size(); ++i) {
    mx.update(xs[i]);
    mn.update(xs[i]);
    EXPECT_EQ(mx.current(), want_max[i]) << i;
    EXPECT_EQ(mn.current(), want_min[i]) << i;
    EXPECT_EQ(mx.ready(), i >= 2);
  }
}

// Index (0-based bar) at which each column first has a value, on a non-degenerate series.
TEST(IndicatorsHand, WarmUpLengths) {
  IndicatorSet set;
  std::map<std::string, int> first;
  for (int i = 0; i < 260; ++i) {
    const double c = 100 + 10 * std::sin(i * 0.1) + i * 0.05;
    set.update(Ohlcv{i * 60, c, c + 1 + (i % 3) * 0.3, c - 1 - (i % 5) * 0.2, c, 1.0 + i % 7});
    for (const IndicatorColumn& col : kIndicatorColumns) {
      if ((set.snapshot().*col.field).has_value() && !first.count(std::string(col.name))) {
        first[std::string(col.name)] = i;
      }
    }
  }
  const std::map<std::string, int> want{
      {"ema_9", 8},        {"ema_21", 20},        {"ema_50", 49},
      {"ema_200", 199},    {"sma_20", 19},        {"sma_50", 49},
      {"sma_200", 199},    {"rsi_14", 14},        {"macd_line", 25},
      {"macd_signal", 33}, {"macd_hist", 33},     {"atr_14", 14},
      {"adx_14", 27},      {"plus_di_14", 14},    {"minus_di_14", 14},
      {"bb_upper", 19},    {"bb_middle", 19},     {"bb_lower", 19},
      {"bb_width", 19},    {"bb_percent_b", 19},  {"obv", 0},
      {"chop_14", 14},     {"supertrend", 10},    {"supertrend_dir", 10},
      {"stochrsi_k", 29},  {"stochrsi_d", 31},    {"roc_10", 10},
      {"vwap", 0},         {"volume_sma_20", 19}, {"volume_ratio", 19},
  };
  EXPECT_EQ(first, want);
}

TEST(IndicatorCsv, HeaderAndRowsWithEmptyCellsWhileWarming) {
  EXPECT_EQ(
      indicator_csv_header(),
      "timestamp,ema_9,ema_21,ema_50,ema_200,sma_20,sma_50,sma_200,rsi_14,macd_line,"
      "macd_signal,macd_hist,atr_14,adx_14,plus_di_14,minus_di_14,bb_upper,bb_middle,bb_lower,"
      "bb_width,bb_percent_b,obv,chop_14,supertrend,supertrend_dir,stochrsi_k,stochrsi_d,"
      "roc_10,vwap,volume_sma_20,volume_ratio\n");
  IndicatorSnapshot s;
  s.time_s = 1710014400;
  s.obv = 0;
  s.vwap = 0.1;  // shortest text that reads back exactly
  s.supertrend_dir = -1;
  std::string row;
  append_indicator_csv_row(s, row);
  EXPECT_EQ(row, "1710014400,,,,,,,,,,,,,,,,,,,,,0,,,-1,,,,0.1,,\n");
}

TEST(BookFeatures, DepthImbalanceSpreadAndBands) {
  const std::vector<core::PriceLevel> bids{{Decimal::must("100"), Decimal::must("1")},
                                           {Decimal::must("99.6"), Decimal::must("2")},
                                           {Decimal::must("98"), Decimal::must("3")}};
  const std::vector<core::PriceLevel> asks{{Decimal::must("100.2"), Decimal::must("1.5")},
                                           {Decimal::must("101"), Decimal::must("1")},
                                           {Decimal::must("103"), Decimal::must("2")}};
  const auto f = compute_book_features(bids, asks);
  ASSERT_TRUE(f);
  EXPECT_DOUBLE_EQ(f->mid, 100.1);
  EXPECT_NEAR(f->spread_bps, 0.2 / 100.1 * 1e4, 1e-9);  // 19.98 bps
  EXPECT_DOUBLE_EQ(f->bid_depth, 6);
  EXPECT_DOUBLE_EQ(f->ask_depth, 4.5);
  EXPECT_NEAR(f->imbalance, (6 - 4.5) / 10.5, 1e-12);
  EXPECT_NEAR(f->bid_depth_quote, 100 + 199.2 + 294, 1e-9);
  // 0.5 %: bids >= 99.5995 (100, 99.6), asks <= 100.6005 (100.2)
  EXPECT_NEAR(f->bid_depth_within[0], 299.2, 1e-9);
  EXPECT_NEAR(f->ask_depth_within[0], 150.3, 1e-9);
  // 1 %: asks <= 101.101 adds 101; 2 %: bids >= 98.098 still excludes 98, asks <= 102.102
  EXPECT_NEAR(f->ask_depth_within[1], 251.3, 1e-9);
  EXPECT_NEAR(f->bid_depth_within[2], 299.2, 1e-9);
  EXPECT_NEAR(f->ask_depth_within[2], 251.3, 1e-9);
  EXPECT_FALSE(compute_book_features(bids, {}));
  EXPECT_FALSE(compute_book_features(asks, bids));  // crossed
}

TEST(BookFeatures, FromAnOrderBookOnlyWhileValid) {
  const std::vector<core::PriceLevel> bids{{Decimal::must("100.0"), Decimal::must("2.0")}};
  const std::vector<core::PriceLevel> asks{{Decimal::must("100.2"), Decimal::must("1.0")}};
  OrderBook book("BTC/USDT");
  book.set_precision(1, 1);
  EXPECT_FALSE(compute_book_features(book));  // no snapshot yet
  core::BookDelta snap;
  snap.symbol = "BTC/USDT";
  snap.is_snapshot = true;
  snap.bids = bids;
  snap.asks = asks;
  snap.checksum = book_checksum(asks, bids, 1, 1);
  snap.received = core::Timestamp::from_seconds(1'700'000'000);
  ASSERT_EQ(book.apply(snap), ApplyResult::kApplied);
  MarketState state;
  state.on_book(book);
  const auto& f = state.find("BTC/USDT")->book();
  ASSERT_TRUE(f);
  EXPECT_NEAR(f->imbalance, 1.0 / 3.0, 1e-12);  // (2 - 1) / 3
  book.invalidate();
  state.on_book(book);
  EXPECT_FALSE(state.find("BTC/USDT")->book());
}

TEST(MarketState, TrendAlignmentAndQualityFlags) {
  IndicatorSnapshot bull, bear, cold;
  bull.ema_9 = 2, bull.ema_21 = 1;
  bear.ema_9 = 1, bear.ema_21 = 2;
  const std::vector<const IndicatorSnapshot*> three{&bull, &bear, &bull};
  EXPECT_DOUBLE_EQ(*trend_alignment(three), 1.0 / 3.0);  // (2 - 1) / 3
  const std::vector<const IndicatorSnapshot*> with_cold{&bear, &cold};
  EXPECT_DOUBLE_EQ(*trend_alignment(with_cold), -0.5);  // cold counts as neutral
  const std::vector<const IndicatorSnapshot*> none{&cold};
  EXPECT_FALSE(trend_alignment(none));

  MarketState state({1, 5}, 3);
  core::Bar b;
  b.symbol = "BTC/USDT";
  b.interval_minutes = 1;
  const core::Timestamp t0 = core::Timestamp::from_seconds(1'700'000'000);
  for (int i = 0; i < 19; ++i) {
    b.open_time = t0 + std::chrono::minutes(i);
    b.open = b.high = b.low = b.close = Decimal::from_int(100 + i);
    state.on_bar(b, b.open_time + std::chrono::minutes(1));
  }
  const SymbolMarket* m = state.find("BTC/USDT");
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->timeframe(1)->bars().size(), 3u);  // history bound
  EXPECT_EQ(m->timeframe(1)->bars().back().close, Decimal::from_int(118));
  EXPECT_EQ(m->timeframe(1)->bar_count(), 19u);
  EXPECT_EQ(m->timeframe(5)->bar_count(), 0u);
  EXPECT_EQ(*m->last_price(), Decimal::from_int(118));
  const core::Timestamp last = t0 + std::chrono::minutes(19);
  auto q = m->quality(last);
  EXPECT_TRUE(q.too_few_candles);
  EXPECT_TRUE(q.no_order_book);
  EXPECT_FALSE(q.stale);
  EXPECT_TRUE(m->quality(last + std::chrono::seconds(61)).stale);
  EXPECT_FALSE(m->quality(last + std::chrono::seconds(60)).stale);
  b.open_time = t0 + std::chrono::minutes(19);
  state.on_bar(b, last + std::chrono::minutes(1));
  BookFeatures book;
  state.symbol("BTC/USDT").on_book(book, last + std::chrono::minutes(1));
  EXPECT_TRUE(m->quality(last + std::chrono::minutes(1)).ok());
  EXPECT_EQ(state.find("ETH/USDT"), nullptr);
}

}  // namespace
}  // namespace tg4::market

namespace tg4::market {
namespace {

// A market state that computes only the risk engine's ATR (a backtest whose strategy keeps its own
// indicators) must give the very same ATR, and nothing it did not compute.
TEST(IndicatorScope, VolatilityOnlyGivesTheSameAtrAndNothingElse) {
  IndicatorSet all;
  IndicatorSet atr_only(IndicatorScope::kVolatility);
  for (int i = 0; i < 60; ++i) {
    const double close = 100.0 + 5.0 * std::sin(i / 3.0);
    const Ohlcv bar{i * 60, close - 0.5, close + 1.5 + (i % 4), close - 1.0 - (i % 3), close, 10.0 + i};
    all.update(bar);
    atr_only.update(bar);
    EXPECT_EQ(all.snapshot().atr_14, atr_only.snapshot().atr_14) << "bar " << i;
  }
  ASSERT_TRUE(atr_only.snapshot().atr_14);
  EXPECT_EQ(atr_only.snapshot().bars, 60u);
  EXPECT_TRUE(all.snapshot().ema_21);
  EXPECT_FALSE(atr_only.snapshot().ema_21);
  EXPECT_FALSE(atr_only.snapshot().rsi_14);
  MarketState lean({1, 5}, MarketState::kDefaultHistory, IndicatorScope::kVolatility);
  core::Bar b;
  b.symbol = "BTC/USDT";
  b.interval_minutes = 1;
  b.open = b.high = b.low = b.close = Decimal::from_int(100);
  lean.on_bar(b, {});
  EXPECT_TRUE(lean.find("BTC/USDT")->timeframe(1)->bars().empty()) << "no bar history kept";
}

}  // namespace
}  // namespace tg4::market
