// The account's books must balance whatever a strategy does: every built-in strategy over seeded
// random walks (with stops, targets, trailing stops, margin shorts and the risk engine's
// refusals), checked from its fills alone. Exact Decimal arithmetic, no tolerance:
// - the balances the fills leave (starting cash, each buy's coins and cost, each sell's proceeds,
//   each fee in its currency) are never negative on spot, and valued at the last close they are the
//   final equity;
// - the round trips add up to the run: when it ends flat, their net PnL (8 decimals each) is the
//   final equity less the initial;
// - the summary's fees, fills and trades are those of the lists, and every order's filled quantity
//   is the sum of its fills;
// - at the end a position still open has its stop, and a flat account has no stop or target left;
// - with three pairs and three currencies (XRP/BTC paid and charged in BTC) the same, per currency.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <ostream>

#include "backtest/backtest.hpp"
#include "backtest_support.hpp"

namespace tg4::backtest::testing {
namespace {

using core::Decimal;
using core::Side;

// A walk from `start` (in 10^-decimals) whose bars move up to about 0.1 %, volatile enough for
// every strategy's entries, stops and targets.
WalkShape ledger_shape(const std::string& symbol = "BTC/USDT", std::int64_t start = 300'000,
                       int decimals = 1) {
  const std::int64_t step = std::max<std::int64_t>(1, start / 900);
  return WalkShape{symbol, start, decimals, 2 * step, 0, step, start / 30};
}

struct LedgerCase {
  std::string strategy;
  std::map<std::string, std::string> params;
  bool trailing_stop = false;
  bool margin = false;  // paper.margin: shorts, whose coins are never held
};

// For gtest's messages: the case, not its bytes.
void PrintTo(const LedgerCase& c, std::ostream* out) {
  *out << c.strategy << (c.trailing_stop ? " with trailing stops" : "")
       << (c.margin ? " on margin" : "");
}

// The balances the fills leave, replayed in their order; `negative` names the first fill after
// which a balance went below zero.
struct Ledger {
  std::map<std::string, Decimal> balances{{"USDT", D("10000")}};
  std::map<std::string, Decimal> positions;  // by symbol: signed base quantity the fills made
  std::string negative;

  void apply(const core::Fill& fill) {
    const auto slash = fill.symbol.find('/');
    const std::string base = fill.symbol.substr(0, slash);
    const std::string quote = fill.symbol.substr(slash + 1);
    const Decimal cost = fill.price * fill.qty;
    positions[fill.symbol] =
        positions[fill.symbol] + (fill.side == Side::kBuy ? fill.qty : -fill.qty);
    if (fill.side == Side::kBuy) {
      balances[base] = balances[base] + fill.qty;
      balances[quote] = balances[quote] - cost;
    } else {
      balances[base] = balances[base] - fill.qty;
      balances[quote] = balances[quote] + cost;
    }
    if (!fill.fee_currency.empty()) {
      balances[fill.fee_currency] = balances[fill.fee_currency] - fill.fee;
    }
    for (const auto& [asset, amount] : balances) {
      if (amount.is_negative() && negative.empty()) {
        negative = fill.exec_id + " leaves " + asset + " at " + amount.to_string();
      }
    }
  }
};

class BacktestLedger : public ::testing::TestWithParam<LedgerCase> {};

TEST_P(BacktestLedger, TheFillsAddUpToTheAccount) {
  const LedgerCase& c = GetParam();
  int flat_runs = 0;
  int shorts = 0;
  for (const std::uint64_t seed : {3u, 17u, 42u}) {
    SCOPED_TRACE(c.strategy + " seed " + std::to_string(seed));
    const std::vector<core::Bar> bars = random_walk(3000, seed, ledger_shape());
    BacktestSpec spec = simple_spec(nullptr, c.strategy);
    spec.params = c.params;
    spec.collect_charts = false;
    spec.base.orders.trailing_stop = c.trailing_stop;
    spec.base.paper.margin = c.margin;
    const auto run = run_backtest(spec, candles(bars));
    ASSERT_TRUE(run.ok()) << run.error().message;
    const BacktestResult& r = *run;
    ASSERT_GE(r.fills.size(), 4u) << "too few fills to say anything";

    Ledger ledger;
    Decimal fees;
    std::map<std::string, Decimal> filled_by_order;
    for (const core::Fill& fill : r.fills) {
      ledger.apply(fill);
      fees = fees + fill.fee;
      filled_by_order[fill.client_order_id] = filled_by_order[fill.client_order_id] + fill.qty;
    }
    const bool flat = ledger.balances["BTC"].is_zero();
    if (!c.margin) {
      EXPECT_EQ(ledger.negative, "") << "a spot balance below zero";
    }
    // A margin position holds no coins: its open part is valued from its average price, rounded,
    // so the fills' cash flows are the equity exactly only once it is closed.
    if (!c.margin || flat) {
      const Decimal last_close = bars.back().close;
      const Decimal valued = ledger.balances["USDT"] + ledger.balances["BTC"] * last_close;
      EXPECT_EQ(valued, r.summary.final_equity) << "the fills' balances at the last close";
    }

    if (flat) {
      // Flat at the end: the closed round trips are the whole run, to their 8 decimals each.
      Decimal round_trips;
      for (const RoundTrip& t : r.trades) round_trips = round_trips + t.net_pnl_reporting;
      shorts +=
          static_cast<int>(std::count_if(r.trades.begin(), r.trades.end(),
                                         [](const RoundTrip& t) { return t.side == Side::kSell; }));
      const Decimal rounding =
          D("0.000000005") * Decimal::from_int(static_cast<std::int64_t>(r.trades.size()));
      EXPECT_LE((round_trips - r.summary.net_pnl).abs(), rounding)
          << "the round trips' net PnL " << round_trips << " against the run's "
          << r.summary.net_pnl;
      ++flat_runs;
    }
    EXPECT_EQ(r.summary.net_pnl, r.summary.final_equity - r.summary.initial_equity);

    EXPECT_EQ(r.summary.fees, fees);
    EXPECT_EQ(r.summary.fills, r.fills.size());
    EXPECT_EQ(r.summary.trades, r.trades.size());
    int open_stops = 0;
    int open_protective = 0;
    for (const OrderRecord& order : r.orders) {
      EXPECT_EQ(order.filled, filled_by_order[order.client_order_id]) << order.client_order_id;
      EXPECT_LE(order.filled, order.qty) << order.client_order_id;
      const bool open = order.status == "new" || order.status == "partially_filled" ||
                        order.status == "pending_new";
      const bool protective = order.role == "stop_loss" || order.role == "take_profit";
      open_protective += open && protective ? 1 : 0;
      open_stops += open && order.role == "stop_loss" ? 1 : 0;
    }
    // Every entry carries a stop (risk rule 3): a position still open is protected, and a flat
    // account has no stop or target left to sell coins it no longer holds.
    if (flat) {
      EXPECT_EQ(open_protective, 0) << "stops or targets left open with no position";
    } else {
      EXPECT_GE(open_stops, 1) << "a position left without a stop";
    }
  }
  EXPECT_GE(flat_runs, 1) << "no run ended flat: the round trips were never checked";
  if (c.margin) {
    EXPECT_GE(shorts, 1) << "margin on, yet no short was checked";
  }
}

INSTANTIATE_TEST_SUITE_P(
    EveryBuiltIn, BacktestLedger,
    ::testing::Values(
        LedgerCase{"ema_cross", {{"fast", "5"}, {"slow", "13"}, {"confidence", "1"}}},
        LedgerCase{"ema_cross", {{"fast", "5"}, {"slow", "13"}, {"confidence", "1"}}, true},
        LedgerCase{"rsi_reversion", {{"confidence", "1"}}},
        LedgerCase{"bollinger_breakout", {{"confidence", "1"}}},
        LedgerCase{"supertrend_follow", {{"confidence", "1"}}},
        LedgerCase{"grid", {{"spacing_pct", "1.2"}}},
        LedgerCase{"ema_cross",
                   {{"fast", "5"}, {"slow", "13"}, {"confidence", "1"}, {"allow_short", "true"}},
                   false,
                   true}),
    [](const ::testing::TestParamInfo<LedgerCase>& info) {
      return info.param.strategy + (info.param.trailing_stop ? "_trailing" : "") +
             (info.param.margin ? "_margin" : "");
    });

// Three pairs and three currencies: BTC/USDT, XRP/USDT and XRP/BTC, the last paid and charged in
// BTC. The balances the fills leave, from coins held at the start, are never negative, and valued
// at the last closes of the USDT pairs they are the final equity; each symbol's position at the end
// has its stop, or no stop or target is left for it.
TEST(BacktestLedgerThreePairs, TheFillsAddUpToTheAccountInEveryCurrency) {
  for (const std::uint64_t seed : {5u, 23u}) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    MarketData data;
    data.kind = DataKind::kCandlesCsv;
    data.interval_minutes = 1;
    data.description = "three random walks";
    data.bars.push_back(
        {"BTC/USDT", random_walk(3000, seed, ledger_shape("BTC/USDT", 300'000, 1))});
    data.bars.push_back(
        {"XRP/USDT", random_walk(3000, seed + 1, ledger_shape("XRP/USDT", 50'000, 5))});
    // 0.00017 BTC: ten times XRP's price, so that a tick (1e-8) is small beside a bar's range.
    data.bars.push_back(
        {"XRP/BTC", random_walk(3000, seed + 2, ledger_shape("XRP/BTC", 17'000, 8))});
    BacktestSpec spec = simple_spec(nullptr, "ema_cross");
    spec.params = {{"fast", "5"}, {"slow", "13"}, {"confidence", "1"}};
    spec.collect_charts = false;
    spec.base.starting_balances = {{"USDT", D("10000")}, {"BTC", D("0.2")}, {"XRP", D("4000")}};
    const auto run = run_backtest(spec, data);
    ASSERT_TRUE(run.ok()) << run.error().message;
    const BacktestResult& r = *run;

    Ledger ledger;
    ledger.balances = spec.base.starting_balances;
    std::map<std::string, int> fills_of;
    for (const core::Fill& fill : r.fills) {
      ledger.apply(fill);
      ++fills_of[fill.symbol];
    }
    for (const char* symbol : {"BTC/USDT", "XRP/USDT", "XRP/BTC"}) {
      EXPECT_GE(fills_of[symbol], 2) << symbol << " never traded: nothing said about it";
    }
    EXPECT_EQ(ledger.negative, "") << "a spot balance below zero";
    const Decimal btc = data.bars[0].bars.back().close;
    const Decimal xrp = data.bars[1].bars.back().close;
    const Decimal valued =
        ledger.balances["USDT"] + ledger.balances["BTC"] * btc + ledger.balances["XRP"] * xrp;
    EXPECT_EQ(valued, r.summary.final_equity) << "the fills' balances at the last closes";

    std::map<std::string, int> open_stops, open_protective;
    for (const OrderRecord& order : r.orders) {
      const bool open = order.status == "new" || order.status == "partially_filled" ||
                        order.status == "pending_new";
      if (open && (order.role == "stop_loss" || order.role == "take_profit")) {
        ++open_protective[order.symbol];
      }
      if (open && order.role == "stop_loss") ++open_stops[order.symbol];
    }
    for (const auto& [symbol, position] : ledger.positions) {
      if (position.is_zero()) {
        EXPECT_EQ(open_protective[symbol], 0)
            << symbol << ": stops or targets left with no position";
      } else {
        EXPECT_GE(open_stops[symbol], 1) << symbol << ": a position left without a stop";
      }
    }
  }
}

}  // namespace
}  // namespace tg4::backtest::testing
