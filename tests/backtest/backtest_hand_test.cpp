// A backtest small enough to work out on paper: three round trips on 1-minute BTC/USDT candles,
// one closed by its take-profit, one by its stop-loss, one by the strategy's own sell. Every fill
// price, fee and PnL below is computed by hand from the candle path rule (docs/backtesting.md):
// open at T + 100 ms (the paper latency), then low/high (up candle) or high/low (down candle) at
// T + 15 s and T + 30 s, close at T + 45 s; fees 0.1 %; market orders fill at the last trade price
// moved 10 bps against us, a stop or target the path walked through at its trigger moved the same,
// rounded to BTC/USDT's 0.1 increment (buys up, sells down).
#include <gtest/gtest.h>

#include <cmath>

#include "backtest/backtest.hpp"
#include "backtest_support.hpp"

namespace tg4::backtest::testing {
namespace {

using core::Side;

std::vector<core::Bar> hand_bars() {
  std::vector<core::Bar> bars;
  for (int m = 0; m <= 5; ++m) bars.push_back(flat_bar(m, "10000"));
  bars.push_back(bar_at(6, "10000", "10350", "9990", "10300"));  // up: O, L, H, C
  for (int m = 7; m <= 12; ++m) bars.push_back(flat_bar(m, "10300"));
  bars.push_back(bar_at(13, "10300", "10310", "10000", "10050"));  // down: O, H, L, C
  for (int m = 14; m <= 30; ++m) bars.push_back(flat_bar(m, "10050"));
  bars.push_back(bar_at(31, "10050", "10210", "10040", "10200"));
  bars.push_back(flat_bar(32, "10200"));
  bars.push_back(flat_bar(33, "10200"));
  return bars;
}

std::vector<ScriptStep> hand_script() {
  return {
      // Seen at 00:05 (bar 4 closed): stop 2 % below 10000, target at 1.55 R.
      {4, Side::kBuy, D("0.1"), D("9800"), D("10310")},
      // Seen at 00:12: stop 2 % below 10300 = 10094, target 10610 (1.5 R = 10609).
      {11, Side::kBuy, D("0.1"), D("10094"), D("10610")},
      // Seen at 00:30: stop 9849 (2 %), target 10400.
      {29, Side::kBuy, D("0.1"), D("9849"), D("10400")},
      // Seen at 00:33: sell the whole position.
      {32, Side::kSell, {}, {}, {}},
  };
}

core::Timestamp at(int minute, int ms) {
  return kT0 + std::chrono::minutes(minute) + std::chrono::milliseconds(ms);
}

TEST(BacktestHand, ThreeTradesMatchToTheCent) {
  const auto registry = scripted_registry(hand_script());
  const MarketData data = candles(hand_bars());
  auto result = run_backtest(simple_spec(&registry), data);
  ASSERT_TRUE(result) << result.error().message;

  // ---- fills ----
  struct Expected {
    Side side;
    const char* price;
    const char* fee;
    core::Timestamp time;
  };
  const Expected fills[] = {
      // Trade 1 entry: bar 5 opens at 10000 at 00:05:00.100 -> 10000 x 1.001 = 10010.0;
      // fee 10010 x 0.1 x 0.001 = 1.001.
      {Side::kBuy, "10010", "1.001", at(5, 100)},
      // Take-profit 10310 triggers on the walk from bar 6's low 9990 to its high 10350 (00:06:30):
      // it fills at its trigger, not at the high: 10310 x 0.999 = 10299.69, down to 10299.6;
      // fee 10299.6 x 0.1 x 0.001 = 1.02996.
      {Side::kSell, "10299.6", "1.02996", at(6, 30'000)},
      // Trade 2 entry: bar 12 opens at 10300: 10300 x 1.001 = 10310.3; fee 1.03103.
      {Side::kBuy, "10310.3", "1.03103", at(12, 100)},
      // Stop 10094 triggers on the walk from bar 13's high 10310 down to its low 10000 (00:13:30):
      // 10094 x 0.999 = 10083.906, down to 10083.9; fee 1.00839.
      {Side::kSell, "10083.9", "1.00839", at(13, 30'000)},
      // Trade 3 entry: bar 30 opens at 10050: 10050 x 1.001 = 10060.05, up to 10060.1;
      // fee 1.00601.
      {Side::kBuy, "10060.1", "1.00601", at(30, 100)},
      // The strategy's sell, decided at 00:33, fills at bar 33's open 10200: x 0.999 = 10189.8;
      // fee 1.01898.
      {Side::kSell, "10189.8", "1.01898", at(33, 100)},
  };
  ASSERT_EQ(result->fills.size(), 6u);
  for (std::size_t i = 0; i < 6; ++i) {
    SCOPED_TRACE("fill " + std::to_string(i));
    const core::Fill& f = result->fills[i];
    EXPECT_EQ(f.side, fills[i].side);
    EXPECT_EQ(f.qty, D("0.1"));
    EXPECT_EQ(f.price, D(fills[i].price));
    EXPECT_EQ(f.fee, D(fills[i].fee));
    EXPECT_EQ(f.fee_currency, "USDT");
    EXPECT_EQ(f.time, fills[i].time);
  }

  // ---- round trips ----
  ASSERT_EQ(result->trades.size(), 3u);
  const RoundTrip& t1 = result->trades[0];
  // (10299.6 - 10010) x 0.1 = 28.96; fees 1.001 + 1.02996 = 2.03096; net 26.92904.
  EXPECT_EQ(t1.gross_pnl, D("28.96"));
  EXPECT_EQ(t1.fees, D("2.03096"));
  EXPECT_EQ(t1.net_pnl, D("26.92904"));
  EXPECT_EQ(t1.net_pnl_reporting, D("26.92904"));
  EXPECT_EQ(t1.exit_reason, "take_profit");
  EXPECT_EQ(t1.entry_price, D("10010"));
  EXPECT_EQ(t1.exit_price, D("10299.6"));
  const RoundTrip& t2 = result->trades[1];
  // (10083.9 - 10310.3) x 0.1 = -22.64; fees 1.03103 + 1.00839 = 2.03942; net -24.67942.
  EXPECT_EQ(t2.gross_pnl, D("-22.64"));
  EXPECT_EQ(t2.fees, D("2.03942"));
  EXPECT_EQ(t2.net_pnl, D("-24.67942"));
  EXPECT_EQ(t2.exit_reason, "stop_loss");
  const RoundTrip& t3 = result->trades[2];
  // (10189.8 - 10060.1) x 0.1 = 12.97; fees 1.00601 + 1.01898 = 2.02499; net 10.94501.
  EXPECT_EQ(t3.gross_pnl, D("12.97"));
  EXPECT_EQ(t3.fees, D("2.02499"));
  EXPECT_EQ(t3.net_pnl, D("10.94501"));
  EXPECT_EQ(t3.exit_reason, "exit");
  EXPECT_EQ(t3.entry_time, at(30, 100));
  EXPECT_EQ(t3.exit_time, at(33, 100));

  // ---- summary ----
  const Summary& s = result->summary;
  // 26.92904 - 24.67942 + 10.94501 = 13.19463
  EXPECT_EQ(s.initial_equity, D("10000"));
  EXPECT_EQ(s.final_equity, D("10013.19463"));
  EXPECT_EQ(s.net_pnl, D("13.19463"));
  // 2.03096 + 2.03942 + 2.02499
  EXPECT_EQ(s.fees, D("6.09537"));
  EXPECT_EQ(s.trades, 3u);
  EXPECT_EQ(s.wins, 2u);
  EXPECT_EQ(s.losses, 1u);
  EXPECT_NEAR(s.win_rate, 2.0 / 3.0, 1e-12);
  // gross profit 26.92904 + 10.94501 = 37.87405; gross loss -24.67942
  EXPECT_EQ(s.gross_profit, D("37.87405"));
  EXPECT_EQ(s.gross_loss, D("-24.67942"));
  EXPECT_NEAR(s.profit_factor, 37.87405 / 24.67942, 1e-12);
  // 13.19463 / 3 = 4.39821
  EXPECT_EQ(s.expectancy, D("4.39821"));
  EXPECT_NEAR(s.total_return, 13.19463 / 10000, 1e-12);
  // The period: 00:00 to 00:34 (the last candle's end).
  EXPECT_EQ(s.start, kT0);
  EXPECT_EQ(s.end, at(34, 0));
  // 34 minutes are too short to annualise: no CAGR, and no Calmar built on it.
  EXPECT_TRUE(std::isnan(s.cagr)) << s.cagr;
  EXPECT_TRUE(std::isnan(s.calmar)) << s.calmar;
  // The peak 10026.92904 (flat after trade 1, last at 00:12); the trough at 00:31: USDT
  // 10002.24962 - 1006.01 - 1.00601 = 8995.23361 plus 0.1 BTC at bar 30's close 10050 =
  // 10000.23361.
  EXPECT_NEAR(s.max_drawdown, (10026.92904 - 10000.23361) / 10026.92904, 1e-12);
  // Never regained: 00:12 to the end at 00:34.
  EXPECT_DOUBLE_EQ(s.max_drawdown_duration_s, 22 * 60.0);
  // Held 89.9 s + 89.9 s + 180 s of 34 minutes.
  EXPECT_NEAR(s.exposure, 359.8 / 2040.0, 1e-12);
  EXPECT_NEAR(s.avg_holding_s, 359.8 / 3.0, 1e-9);
  EXPECT_EQ(s.sharpe, 0.0);  // one daily return only
  EXPECT_EQ(s.fills, 6u);
  // Entries with their stop and target (3 x 3) and the strategy's sell.
  EXPECT_EQ(s.orders, 10u);
  EXPECT_EQ(s.bars, 34u);

  // ---- equity curve: one point per candle boundary, marked to the closes ----
  ASSERT_EQ(result->equity.size(), 35u);
  EXPECT_EQ(result->equity.front().time, kT0);
  EXPECT_EQ(result->equity.front().equity, D("10000"));
  // 00:06: 10000 - 1001 - 1.001 USDT plus 0.1 BTC at 10000.
  EXPECT_EQ(result->equity[6].equity, D("9997.999"));
  EXPECT_EQ(result->equity[7].equity, D("10026.92904"));
  EXPECT_EQ(result->equity[31].equity, D("10000.23361"));
  EXPECT_EQ(result->equity.back().time, at(34, 0));
  EXPECT_EQ(result->equity.back().equity, D("10013.19463"));
}

// A candle that opens beyond a stop gapped through it: the stop fills at the open, the first price
// there was, not at its trigger (never traded) nor at the candle's low.
TEST(BacktestHand, AStopTheOpenGapsThroughFillsAtTheOpen) {
  std::vector<core::Bar> bars;
  for (int m = 0; m <= 5; ++m) bars.push_back(flat_bar(m, "10000"));
  bars.push_back(bar_at(6, "9700", "9750", "9600", "9650"));  // down: O, H, L, C; opens below 9800
  bars.push_back(flat_bar(7, "9650"));
  const auto registry = scripted_registry({{4, Side::kBuy, D("0.1"), D("9800"), D("10310")}});
  auto result = run_backtest(simple_spec(&registry), candles(bars));
  ASSERT_TRUE(result) << result.error().message;
  ASSERT_EQ(result->fills.size(), 2u);
  // 9700 x 0.999 = 9690.3 at the open (00:06:00.100).
  EXPECT_EQ(result->fills[1].price, D("9690.3"));
  EXPECT_EQ(result->fills[1].time, at(6, 100));
  ASSERT_EQ(result->trades.size(), 1u);
  EXPECT_EQ(result->trades[0].exit_reason, "stop_loss");
}

// With paper.volume_share_pct an order takes at most that share of each of a candle's trades: a
// 0.1 BTC entry on candles of 1 BTC (four trades of 0.25) at 10 % fills 0.025 a trade, over the
// four trades of the candle after the decision, at each trade's price.
TEST(BacktestHand, AVolumeShareWorksAnOrderOverTheCandlesTrades) {
  const auto registry = scripted_registry({{4, Side::kBuy, D("0.1"), D("9800"), D("10310")}});
  std::vector<core::Bar> bars;
  for (int m = 0; m <= 7; ++m) bars.push_back(flat_bar(m, "10000"));
  BacktestSpec spec = simple_spec(&registry);
  spec.base.paper.volume_share_pct = D("10");
  auto result = run_backtest(spec, candles(bars));
  ASSERT_TRUE(result) << result.error().message;
  ASSERT_EQ(result->fills.size(), 4u);
  const core::Timestamp slots[] = {at(5, 100), at(5, 15'000), at(5, 30'000), at(5, 45'000)};
  // O 10000, L 9990, H 10010, C 10000, each x 1.001, rounded up to the 0.1 tick.
  const char* prices[] = {"10010", "10000", "10020.1", "10010"};
  for (std::size_t i = 0; i < 4; ++i) {
    SCOPED_TRACE("fill " + std::to_string(i));
    EXPECT_EQ(result->fills[i].qty, D("0.025"));
    EXPECT_EQ(result->fills[i].time, slots[i]);
    EXPECT_EQ(result->fills[i].price, D(prices[i]));
  }
  // Without the share the same entry fills whole at the open.
  spec.base.paper.volume_share_pct = {};
  auto whole = run_backtest(spec, candles(bars));
  ASSERT_TRUE(whole) << whole.error().message;
  ASSERT_EQ(whole->fills.size(), 1u);
  EXPECT_EQ(whole->fills[0].qty, D("0.1"));
}

TEST(BacktestHand, TradeFromOnlyWarmsUpBeforeIt) {
  const auto registry = scripted_registry(hand_script());
  const MarketData data = candles(hand_bars());
  BacktestSpec spec = simple_spec(&registry);
  spec.trade_from = at(20, 0);  // trades 1 and 2 are decided before: dropped
  auto result = run_backtest(spec, data);
  ASSERT_TRUE(result) << result.error().message;
  ASSERT_EQ(result->trades.size(), 1u);
  EXPECT_EQ(result->trades[0].net_pnl, D("10.94501"));
  EXPECT_EQ(result->summary.start, at(20, 0));
  EXPECT_EQ(result->summary.initial_equity, D("10000"));
  EXPECT_EQ(result->summary.final_equity, D("10010.94501"));
  EXPECT_EQ(result->equity.front().time, at(20, 0));
}

}  // namespace
}  // namespace tg4::backtest::testing
