// Backtest runs: determinism (identical bytes, also from parallel threads), the lookahead guard,
// the candle path, and errors that name what is wrong.
#include <gtest/gtest.h>

#include <thread>

#include "backtest/backtest.hpp"
#include "backtest/candle_path.hpp"
#include "backtest_support.hpp"
#include "support/sanitized.hpp"

namespace tg4::backtest::testing {
namespace {

using core::Side;

std::map<std::string, std::string> output_files(const BacktestResult& r,
                                                const std::filesystem::path& dir) {
  EXPECT_TRUE(write_outputs(r, dir));
  std::map<std::string, std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    files[entry.path().filename().string()] = read_text(entry.path());
  }
  return files;
}

BacktestSpec ema_spec() {
  BacktestSpec spec = simple_spec(nullptr, "ema_cross");
  spec.params = {{"fast", "5"}, {"slow", "13"}, {"confidence", "0.8"}};
  return spec;
}

TEST(BacktestRun, SameInputsGiveIdenticalBytes) {
  const MarketData data = candles(random_walk(3000, 42));
  auto first = run_backtest(ema_spec(), data);
  auto second = run_backtest(ema_spec(), data);
  ASSERT_TRUE(first) << first.error().message;
  ASSERT_TRUE(second) << second.error().message;
  ASSERT_GT(first->summary.trades, 3u) << "the walk should make ema_cross trade";
  TempDir a("tg4-bt-det-a"), b("tg4-bt-det-b");
  const auto files_a = output_files(*first, a.path());
  const auto files_b = output_files(*second, b.path());
  for (const char* name : {"summary.json", "trades.csv", "orders.csv", "equity.csv"}) {
    ASSERT_TRUE(files_a.contains(name)) << name;
    EXPECT_EQ(files_a.at(name), files_b.at(name)) << name;
  }
  EXPECT_EQ(files_a, files_b);  // report.html too, when written
}

// The shortcuts (BacktestSpec::shortcuts: no indicators or bars nothing reads, no kernel round
// trip for trades that meet no order) must change no output: every file is compared with the run
// that takes none, for each built-in, long and short, one and two symbols, 1m and 5m candles.
struct ShortcutCase {
  std::string name, strategy;
  std::map<std::string, std::string> params;
  bool margin = false;
  bool lock_exits = false;
  bool zero_latency = false;
};

MarketData five_minute(std::vector<core::Bar> bars) {
  for (std::size_t i = 0; i < bars.size(); ++i) {
    bars[i].interval_minutes = 5;
    bars[i].open_time = kT0 + std::chrono::minutes(5 * static_cast<int>(i));
  }
  return candles(std::move(bars), 5);
}

TEST(BacktestRun, ShortcutsChangeNoOutput) {
  // 27 pairs of runs: shorter walks under the sanitizer (each still trades), the full ones in release.
  const int n = ::tg4::testing::kSanitized ? 1000 : 2500;
  MarketData two = candles(random_walk(n, 42));
  two.bars.push_back(SymbolBars{"ETH/USDT", random_walk(n, 9, {.symbol = "ETH/USDT"})});
  std::vector<std::pair<std::string, MarketData>> datasets{
      {"1m", candles(random_walk(n, 42))}, {"two symbols", two}, {"5m", five_minute(random_walk(n, 5))}};
  const std::map<std::string, std::string> eager{{"fast", "5"}, {"slow", "13"}, {"confidence", "1"}};
  std::map<std::string, std::string> short_too = eager;
  short_too["allow_short"] = "true";
  std::map<std::string, std::string> on_5m = eager;
  on_5m["timeframe"] = "5";
  const std::vector<ShortcutCase> cases{
      {"ema_cross", "ema_cross", eager},
      {"ema_cross 5m bars", "ema_cross", on_5m},
      {"ema_cross long and short", "ema_cross", short_too, true},
      {"ema_cross held targets", "ema_cross", eager, false, true},
      {"ema_cross no latency", "ema_cross", eager, false, false, true},
      {"rsi_reversion", "rsi_reversion", {}},
      {"bollinger_breakout", "bollinger_breakout", {}},
      {"supertrend_follow", "supertrend_follow", {}},
      {"grid", "grid", {}},
  };
  for (const auto& [data_name, data] : datasets) {
    for (const ShortcutCase& c : cases) {
      SCOPED_TRACE(c.name + " on " + data_name);
      BacktestSpec spec = simple_spec(nullptr, c.strategy);
      spec.params = c.params;
      spec.base.paper.margin = c.margin;
      spec.base.paper.lock_exits = c.lock_exits;
      if (c.zero_latency) spec.base.paper.latency = core::Duration::zero();
      auto fast = run_backtest(spec, data);
      spec.shortcuts = false;
      auto reference = run_backtest(spec, data);
      ASSERT_TRUE(fast) << fast.error().message;
      ASSERT_TRUE(reference) << reference.error().message;
      EXPECT_GT(fast->direct_trades, 0u) << "the shortcut was never taken";
      EXPECT_EQ(reference->direct_trades, 0u);
      TempDir a("tg4-bt-fast"), b("tg4-bt-ref");
      EXPECT_EQ(output_files(*fast, a.path()), output_files(*reference, b.path()));
      if (c.strategy == "ema_cross") {
        EXPECT_GT(fast->summary.trades, 3u) << "the case should trade";
      }
    }
  }
}

// Recorded frames (books, trades, candles of two symbols) take only the market-state shortcuts (no
// book features, ATR only); the outputs must not move either. The sample is minutes long: bars and
// equity, no trades.
TEST(BacktestRun, ShortcutsChangeNoOutputOnRecordedFrames) {
  const auto source = parse_data_source(std::string(TG4_SOURCE_DIR) + "/tests/data/kraken_sim_sample.jsonl",
                                        "BTC/USDT", "sqlite::memory:");
  ASSERT_TRUE(source) << source.error().message;
  const auto data = load_market_data(*source);
  ASSERT_TRUE(data) << data.error().message;
  BacktestSpec spec = simple_spec(nullptr, "ema_cross");
  spec.params = {{"fast", "2"}, {"slow", "3"}, {"confidence", "1"}};
  auto fast = run_backtest(spec, *data);
  spec.shortcuts = false;
  auto reference = run_backtest(spec, *data);
  ASSERT_TRUE(fast) << fast.error().message;
  ASSERT_TRUE(reference) << reference.error().message;
  EXPECT_GT(fast->summary.bars, 0u) << "the sample's trades should close bars";  // too short to trade
  TempDir a("tg4-bt-frames-fast"), b("tg4-bt-frames-ref");
  EXPECT_EQ(output_files(*fast, a.path()), output_files(*reference, b.path()));
}

// A long stream of recorded trades (no books): quiet trades skip the kernel; nothing else moves.
TEST(BacktestRun, ShortcutsChangeNoOutputOnATradeStream) {
  MarketData data;
  data.kind = DataKind::kFrames;
  data.description = "test trades";
  std::uint64_t state = 11;
  std::int64_t tenths = 300'000;
  for (int i = 0; i < 120'000; ++i) {  // one trade a second: 2000 one-minute bars
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    tenths = std::max<std::int64_t>(1000, tenths + static_cast<std::int64_t>((state >> 33) % 61) - 30);
    core::Trade t;
    t.symbol = "BTC/USDT";
    t.price = core::Decimal::from_raw(static_cast<core::Decimal::Raw>(tenths) * (core::Decimal::kOne / 10));
    t.qty = D("0.01");
    t.side = (state >> 20) % 2 == 0 ? Side::kBuy : Side::kSell;
    t.trade_id = i + 1;
    t.time = t.received = kT0 + std::chrono::seconds(i);
    data.events.emplace_back(t);
  }
  BacktestSpec spec = simple_spec(nullptr, "ema_cross");
  spec.params = {{"fast", "5"}, {"slow", "13"}, {"confidence", "1"}};
  auto fast = run_backtest(spec, data);
  spec.shortcuts = false;
  auto reference = run_backtest(spec, data);
  ASSERT_TRUE(fast) << fast.error().message;
  ASSERT_TRUE(reference) << reference.error().message;
  EXPECT_GT(fast->summary.trades, 3u) << "the stream should make ema_cross trade";
  EXPECT_GT(fast->direct_trades, 0u);
  EXPECT_EQ(reference->direct_trades, 0u);
  TempDir a("tg4-bt-stream-fast"), b("tg4-bt-stream-ref");
  EXPECT_EQ(output_files(*fast, a.path()), output_files(*reference, b.path()));
}

TEST(BacktestRun, ExitsSellTheWholePosition) {
  // A sell of the position's exact quantity must not lose its last increment on the way through
  // the risk engine's reporting-currency size (which would leave dust no exit can sell).
  const MarketData data = candles(random_walk(3000, 42));
  auto r = run_backtest(ema_spec(), data);
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_GT(r->summary.trades, 3u);
  for (const RoundTrip& t : r->trades)
    EXPECT_EQ(t.exit_fills, 1u) << core::format_rfc3339(t.entry_time);
  for (const OrderRecord& o : r->orders) {
    EXPECT_EQ(o.reason.find("below minimum"), std::string::npos)
        << o.client_order_id << " " << o.reason;
  }
}

TEST(BacktestRun, ParallelRunsShareTheDataAndAgree) {
  const MarketData data = candles(random_walk(2000, 7));
  auto reference = run_backtest(ema_spec(), data);
  ASSERT_TRUE(reference);
  const std::string expected =
      summary_json_text(reference->summary) + trades_csv(reference->trades);
  std::vector<std::string> got(4);
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < got.size(); ++i) {
    threads.emplace_back([&, i] {
      auto r = run_backtest(ema_spec(), data);
      got[i] = r ? summary_json_text(r->summary) + trades_csv(r->trades) : r.error().message;
    });
  }
  for (auto& t : threads) t.join();
  for (const auto& text : got) EXPECT_EQ(text, expected);
}

// Buys every candle that closed above its open, sells on the next: profitable only if it could
// trade inside the candle it looks at.
class Peeker final : public strategy::Strategy {
 public:
  explicit Peeker(strategy::Params p, std::vector<std::string>* log)
      : Strategy(std::move(p)), log_(log) {}
  std::string_view name() const override { return "peeker"; }
  void on_bar(strategy::StrategyContext& ctx, const core::Bar& bar) override {
    if (bar.interval_minutes != 1) return;
    // The bar must have closed: the clock is at or after its end.
    if (ctx.now() < bar.open_time + std::chrono::minutes(1))
      log_->push_back("early " + core::format_rfc3339(bar.open_time));
    const execution::Position* p = ctx.portfolio().position(bar.symbol);
    core::OrderIntent intent;
    intent.symbol = bar.symbol;
    intent.entry = bar.close;
    intent.confidence = 1.0;
    intent.regime = "bull";
    if (p && p->is_open()) {
      intent.side = Side::kSell;
      intent.qty = p->qty;
      intent.reduce_only = true;
      ctx.submit(std::move(intent));
    } else if (bar.close > bar.open) {
      intent.side = Side::kBuy;
      intent.qty = D("0.1");
      intent.stop_loss = bar.close * D("0.98");
      intent.take_profit = bar.close * D("1.05");
      ctx.submit(std::move(intent));
    }
  }

 private:
  std::vector<std::string>* log_;
};

TEST(BacktestRun, NoLookaheadAStrategyThatNeedsThePresentCandleLoses) {
  // Flat at 10000; every 40 minutes one candle jumps 10 % from its open to its close, and the next
  // candles open where it closed. (40 minutes: after three losses the risk engine's cool-down is
  // 30 minutes.)
  std::vector<core::Bar> bars;
  std::string level = "10000";
  for (int m = 0; m < 200; ++m) {
    if (m % 40 == 10) {
      const std::string up = (D(level.c_str()) * D("1.1")).to_string();
      bars.push_back(bar_at(m, level.c_str(), up.c_str(), level.c_str(), up.c_str()));
      level = up;
    } else {
      bars.push_back(flat_bar(m, level, "0"));
    }
  }
  std::vector<std::string> log;
  strategy::StrategyRegistry registry;
  registry.add({"peeker",
                "lookahead probe",
                {},
                [&log](strategy::Params p) -> core::Result<strategy::StrategyPtr> {
                  return strategy::StrategyPtr(std::make_unique<Peeker>(std::move(p), &log));
                }});
  BacktestSpec spec = simple_spec(&registry, "peeker");
  // Each jump would (rightly) trip the volatility breaker and block the entry; this test is about
  // timing only.
  spec.base.limits.volatility_spike_factor = 1e9;
  auto result = run_backtest(spec, candles(bars));
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_TRUE(log.empty()) << log.front();
  ASSERT_EQ(result->summary.trades, 5u);
  for (const RoundTrip& t : result->trades) {
    // Bought after the jump candle closed, at the next open: the level it jumped to.
    const auto minute = (t.entry_time - kT0) / std::chrono::minutes(1);
    EXPECT_EQ(minute % 40, 11) << core::format_rfc3339(t.entry_time);
    EXPECT_GT(t.entry_time, kT0 + std::chrono::minutes(minute));
    EXPECT_TRUE(t.net_pnl.is_negative()) << t.net_pnl;  // fees and slippage only
  }
  EXPECT_TRUE(result->summary.net_pnl.is_negative());
}

TEST(BacktestRun, CandlePathRebuildsTheCandle) {
  const core::Bar up = bar_at(0, "100", "110", "95", "105", "10");
  const CandlePath p = candle_path(up, std::chrono::minutes(1), std::chrono::milliseconds(100), {});
  ASSERT_EQ(p.size, 4u);
  EXPECT_EQ(p.trades[0].price, D("100"));
  EXPECT_EQ(p.trades[1].price, D("95"));  // up candle: low first
  EXPECT_EQ(p.trades[2].price, D("110"));
  EXPECT_EQ(p.trades[3].price, D("105"));
  EXPECT_EQ(p.trades[0].time, kT0 + std::chrono::milliseconds(100));
  EXPECT_EQ(p.trades[3].time, kT0 + std::chrono::seconds(45));
  core::Decimal volume;
  for (std::size_t i = 0; i < p.size; ++i) volume += p.trades[i].qty;
  EXPECT_EQ(volume, D("10"));
  EXPECT_EQ(p.trades[1].side, Side::kSell);
  EXPECT_EQ(p.trades[2].side, Side::kBuy);

  const core::Bar down = bar_at(0, "100", "100", "90", "90", "1");  // O = H, L = C
  const CandlePath q =
      candle_path(down, std::chrono::minutes(1), std::chrono::milliseconds(100), D("101"));
  ASSERT_EQ(q.size, 2u);
  EXPECT_EQ(q.trades[0].price, D("100"));
  EXPECT_EQ(q.trades[0].side, Side::kSell);  // below the previous trade
  EXPECT_EQ(q.trades[1].price, D("90"));
  EXPECT_EQ(q.trades[0].qty + q.trades[1].qty, D("1"));
  EXPECT_EQ(q.trades[0].qty, D("0.5"));
  EXPECT_EQ(p.trades[0].qty, D("2.5"));  // 10: beyond 64 bits of raw units

  // Three trades (O = L): thirds truncated at the last digit, the remainder on the close.
  const CandlePath r = candle_path(bar_at(0, "100", "110", "100", "105", "1"), std::chrono::minutes(1),
                                   std::chrono::milliseconds(100), {});
  ASSERT_EQ(r.size, 3u);
  EXPECT_EQ(r.trades[0].qty, D("0.333333333333333333"));
  EXPECT_EQ(r.trades[1].qty, D("0.333333333333333333"));
  EXPECT_EQ(r.trades[2].qty, D("0.333333333333333334"));
  const CandlePath big = candle_path(bar_at(0, "100", "110", "100", "105", "100"), std::chrono::minutes(1),
                                     std::chrono::milliseconds(100), {});
  EXPECT_EQ(big.trades[0].qty, D("33.333333333333333333"));
}

// A strategy that says it reads no market state but does would decide on indicators the shortcuts
// never computed: the run stops with an error naming it; without shortcuts it reads them fine.
class MarketReader final : public strategy::Strategy {
 public:
  explicit MarketReader(strategy::Params p) : Strategy(std::move(p)) {}
  std::string_view name() const override { return "market_reader"; }
  strategy::StrategyNeeds needs() const override { return {false, false, {1}}; }
  void on_bar(strategy::StrategyContext& ctx, const core::Bar& bar) override { seen_ += ctx.market(bar.symbol) ? 1 : 0; }

 private:
  int seen_ = 0;
};

TEST(BacktestRun, AStrategyReadingWhatItDeclaredUnusedStopsTheRun) {
  strategy::StrategyRegistry registry;
  registry.add({"market_reader", "reads ctx.market() against its needs()", {},
                [](strategy::Params p) -> core::Result<strategy::StrategyPtr> {
                  return strategy::StrategyPtr(std::make_unique<MarketReader>(std::move(p)));
                }});
  BacktestSpec spec = simple_spec(&registry, "market_reader");
  const MarketData data = candles(random_walk(50, 3));
  auto stopped = run_backtest(spec, data);
  ASSERT_FALSE(stopped);
  EXPECT_NE(stopped.error().message.find("strategy 'market_reader' reads ctx.market()"), std::string::npos)
      << stopped.error().message;
  EXPECT_NE(stopped.error().message.find("backtest stopped at 2024-01-01T00:01:00"), std::string::npos)
      << stopped.error().message;
  spec.shortcuts = false;
  EXPECT_TRUE(run_backtest(spec, data));
}

TEST(BacktestRun, UnknownStrategyOrParameterIsNamed) {
  const MarketData data = candles(random_walk(50, 1));
  BacktestSpec spec = ema_spec();
  spec.strategy = "no_such_strategy";
  auto r = run_backtest(spec, data);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("no_such_strategy"), std::string::npos) << r.error().message;
  spec = ema_spec();
  spec.params["fsat"] = "3";
  r = run_backtest(spec, data);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("fsat"), std::string::npos) << r.error().message;
  spec = ema_spec();
  spec.symbols = {"ETH/USDT"};
  r = run_backtest(spec, data);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("ETH/USDT"), std::string::npos) << r.error().message;
}

// Before, both ran to the end with exit 0: 1-minute bars cut from the synthetic path inside
// 5-minute candles, a symbol never replayed (no intents).
TEST(BacktestRun, AStrategyTheDataCannotServeIsNamed) {
  const auto refused = [](const MarketData& data, const std::string& name,
                          const std::string& value, const std::string& expected) {
    BacktestSpec spec = ema_spec();
    spec.params[name] = value;
    auto r = run_backtest(spec, data);
    ASSERT_FALSE(r) << name << "=" << value;
    EXPECT_NE(r.error().message.find("parameter '" + name + "'"), std::string::npos)
        << r.error().message;
    EXPECT_NE(r.error().message.find(expected), std::string::npos) << r.error().message;
  };
  const MarketData minutes = candles(random_walk(50, 1));
  refused(minutes, "symbols", "BTC/USDT, ETH/USDT", "'ETH/USDT' is not in the data");
  std::vector<core::Bar> bars = random_walk(50, 1);
  for (std::size_t i = 0; i < bars.size(); ++i) {
    bars[i].interval_minutes = 5;
    bars[i].open_time = kT0 + std::chrono::minutes(5 * static_cast<int>(i));
  }
  const MarketData five = candles(bars, 5);
  refused(five, "timeframe", "1", "1 minutes is not a multiple of the data's 5-minute candles");
  for (const char* tf : {"5", "15"}) {
    BacktestSpec spec = ema_spec();
    spec.params["timeframe"] = tf;
    spec.params["symbols"] = "BTC/USDT";
    auto r = run_backtest(spec, five);
    EXPECT_TRUE(r) << tf << ": " << r.error().message;
  }
}

// The first equity point is stamped at the first candle's start, so it values a starting balance
// in BTC at that candle's open; it used the close, a price from later in the candle.
TEST(BacktestRun, InitialEquityValuesTheBalancesAtTheFirstOpen) {
  const MarketData data = candles({bar_at(0, "30000", "30500", "29000", "30400"),
                                   bar_at(1, "30400", "30600", "30300", "30500")});
  BacktestSpec spec = ema_spec();
  spec.base.starting_balances = {{"USDT", D("100")}, {"BTC", D("1")}};
  auto r = run_backtest(spec, data);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->summary.initial_equity, D("30100"));
  ASSERT_FALSE(r->equity.empty());
  EXPECT_EQ(r->equity.front().time, kT0);
  EXPECT_EQ(r->equity.front().equity, D("30100"));
  EXPECT_EQ(r->summary.final_equity, D("30600"));
}

// Balances worth nothing in the reporting currency would give a run of zeros that looks fine.
TEST(BacktestRun, StartingBalancesWorthNothingAreNamed) {
  const MarketData data = candles({bar_at(0, "30000", "30500", "29000", "30400"),
                                   bar_at(1, "30400", "30600", "30300", "30500")});
  BacktestSpec spec = ema_spec();
  spec.base.reporting_currency = "EUR";  // nothing in BTC/USDT candles prices USDT in EUR
  auto r = run_backtest(spec, data);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("starting balances (USDT=10000) are worth 0 EUR"), std::string::npos)
      << r.error().message;
  EXPECT_NE(r.error().message.find("--balance EUR=AMOUNT"), std::string::npos) << r.error().message;

  spec = ema_spec();
  spec.base.starting_balances = {{"USDT", D("0")}};
  r = run_backtest(spec, data);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("every balance is zero"), std::string::npos) << r.error().message;
}

TEST(BacktestRun, WindowSelectsCandles) {
  const MarketData data = candles(random_walk(600, 3));
  BacktestSpec spec = ema_spec();
  spec.from = kT0 + std::chrono::minutes(100);
  spec.to = kT0 + std::chrono::minutes(400);
  auto r = run_backtest(spec, data);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->summary.start, spec.from);
  EXPECT_EQ(r->summary.end, spec.to);
  EXPECT_EQ(r->summary.bars, 300u);
  for (const core::Fill& f : r->fills) {
    EXPECT_GE(f.time, spec.from);
    EXPECT_LT(f.time, spec.to);
  }
  spec.from = kT0 + std::chrono::hours(100);
  spec.to = {};
  r = run_backtest(spec, data);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("no data in the window"), std::string::npos)
      << r.error().message;
}

}  // namespace
}  // namespace tg4::backtest::testing
