// Walk-forward: spec parsing, window arithmetic on fixed timestamps, equity chaining, and a full
// run whose out-of-sample figures equal direct runs over the same test windows.
#include "backtest/walk_forward.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>

#include "sweep_fixture.hpp"

namespace tg4::backtest {
namespace {

using namespace std::chrono_literals;
using core::Decimal;
using core::Timestamp;
using fixtures::ema_cross_spec;
using fixtures::kSeriesStart;
using fixtures::read_file;
using fixtures::synthetic_series;

constexpr core::Duration kDay = 24h;

WalkForwardSpec spec_of(std::string_view text) {
  auto spec = parse_walk_forward(text);
  EXPECT_TRUE(spec.ok()) << (spec.ok() ? "" : spec.error().message);
  return spec.ok() ? *spec : WalkForwardSpec{};
}

std::string spec_error(std::string_view text) {
  auto spec = parse_walk_forward(text);
  return spec.ok() ? "<no error>" : spec.error().message;
}

TEST(WalkForwardSpec, ParsesTrainTestAndStep) {
  const auto a = spec_of("train=180d,test=30d");
  EXPECT_EQ(a.train, 180 * kDay);
  EXPECT_EQ(a.test, 30 * kDay);
  EXPECT_EQ(a.step, 30 * kDay);  // the test length unless given
  EXPECT_EQ(a.text, "train=180d,test=30d");
  const auto b = spec_of("test=90m,train=4h,step=2h");
  EXPECT_EQ(b.train, 4h);
  EXPECT_EQ(b.test, 90min);
  EXPECT_EQ(b.step, 2h);
}

TEST(WalkForwardSpec, BadSpecsNameTheFlagAndThePart) {
  EXPECT_EQ(spec_error("train=180d"),
            "--walk-forward train=180d: both train= and test= are required");
  EXPECT_NE(
      spec_error("train=180d,test=30d,foo=1d").find("'foo=1d' is not train=D, test=D or step=D"),
      std::string::npos);
  EXPECT_EQ(
      spec_error("train=abc,test=30d"),
      "--walk-forward train=abc,test=30d: train 'abc' is not a positive duration like 30d, 12h "
      "or 90m");
  EXPECT_NE(spec_error("train=0d,test=30d").find("train '0d' is not a positive duration"),
            std::string::npos);
  EXPECT_NE(spec_error("train=180d,test=-3d").find("test '-3d'"), std::string::npos);
  EXPECT_EQ(spec_error("train=1d,train=2d,test=1d"),
            "--walk-forward train=1d,train=2d,test=1d: 'train' given twice");
  EXPECT_EQ(spec_error("train=180d,test=30d,step=10d"),
            "--walk-forward train=180d,test=30d,step=10d: step 10d is shorter than test 30d, so "
            "test windows would overlap; use a step of at least the test length");
  EXPECT_NE(spec_error("").find("is not train=D"), std::string::npos);
}

TEST(WalkForwardSplit, WindowBoundariesAreExactAndTestsContiguous) {
  const Timestamp t0 = kSeriesStart;
  const auto windows = split_windows(spec_of("train=30d,test=10d"), t0, t0 + 100 * kDay);
  ASSERT_TRUE(windows.ok()) << windows.error().message;
  // Starts at 0, 10, ..., 60 days: the 7th window's test ends exactly at day 100; a day-70 start
  // would need 110 days.
  ASSERT_EQ(windows->size(), 7u);
  for (std::size_t k = 0; k < windows->size(); ++k) {
    const WalkForwardWindow& w = (*windows)[k];
    const auto days = static_cast<int>(k) * 10;
    EXPECT_EQ(w.index, k);
    EXPECT_EQ(w.train_from, t0 + days * kDay);
    EXPECT_EQ(w.train_to, t0 + (days + 30) * kDay);
    EXPECT_EQ(w.test_from, w.train_to);  // no gap and no overlap: [train_from, train_to) then test
    EXPECT_EQ(w.test_to, t0 + (days + 40) * kDay);
    if (k > 0) {
      EXPECT_EQ(w.test_from, (*windows)[k - 1].test_to);  // contiguous out of sample
    }
  }
  EXPECT_EQ(windows->back().test_to, t0 + 100 * kDay);
}

TEST(WalkForwardSplit, ShortTailIsNotTestedAndStepLeavesGaps) {
  const Timestamp t0 = Timestamp::from_seconds(1'000'000'000);
  auto tail = split_windows(spec_of("train=4h,test=1h"), t0, t0 + 7h + 59min);
  ASSERT_TRUE(tail.ok());
  ASSERT_EQ(tail->size(), 3u);  // tests [4h,5h), [5h,6h), [6h,7h); [7h,8h) does not fit
  EXPECT_EQ(tail->back().test_to, t0 + 7h);

  auto gaps = split_windows(spec_of("train=4h,test=1h,step=3h"), t0, t0 + 12h);
  ASSERT_TRUE(gaps.ok());
  ASSERT_EQ(gaps->size(), 3u);  // starts 0h, 3h, 6h
  for (std::size_t k = 0; k < gaps->size(); ++k) {
    const auto& w = (*gaps)[k];
    EXPECT_EQ(w.train_from, t0 + static_cast<int>(k) * 3h);
    EXPECT_EQ(w.test_from, w.train_from + 4h);
    EXPECT_EQ(w.test_to, w.test_from + 1h);
    if (k > 0) {
      EXPECT_EQ(w.test_from - (*gaps)[k - 1].test_to, 2h);
    }
  }
}

TEST(WalkForwardSplit, ExactlyOneWindowAndTooShortData) {
  const Timestamp t0 = Timestamp::from_seconds(1'700'000'000);
  auto one = split_windows(spec_of("train=180d,test=30d"), t0, t0 + 210 * kDay);
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(one->size(), 1u);

  auto short_data = split_windows(spec_of("train=180d,test=30d"), t0, t0 + 209 * kDay);
  ASSERT_FALSE(short_data.ok());
  EXPECT_EQ(short_data.error().message,
            "--walk-forward train=180d,test=30d: the data spans 209d (2023-11-14T22:13:20Z to "
            "2024-06-10T22:13:20Z), shorter than one train + test window (210d); give more data or "
            "shorter periods");
}

EquityPoint point(Timestamp t, const char* equity, const char* cash) {
  return EquityPoint{t, Decimal::must(equity), Decimal::must(cash), {}};
}

TEST(WalkForwardChain, WindowsAddTheirEquityChange) {
  const Timestamp t0 = Timestamp::from_seconds(1'700'000'000);
  const std::vector<std::vector<EquityPoint>> windows{
      {point(t0, "100", "100"), point(t0 + 1h, "110", "50"), point(t0 + 2h, "105", "105")},
      {point(t0 + 2h, "100", "100"), point(t0 + 3h, "90", "40"), point(t0 + 4h, "120", "120")},
      {},  // a window without a curve adds nothing
      {point(t0 + 6h, "100", "100"), point(t0 + 7h, "101", "101")},
  };
  const auto chained = chain_equity(windows);
  ASSERT_EQ(chained.size(), 7u);
  const char* equity[] = {"100", "110", "105", "95", "125", "125", "126"};
  const char* cash[] = {"100", "50", "105", "45", "125", "125", "126"};
  const char* drawdown[] = {"0", "0", "0.04545455", "0.13636364", "0", "0", "0"};
  const Timestamp times[] = {t0, t0 + 1h, t0 + 2h, t0 + 3h, t0 + 4h, t0 + 6h, t0 + 7h};
  for (std::size_t i = 0; i < chained.size(); ++i) {
    EXPECT_EQ(chained[i].time, times[i]) << i;
    EXPECT_EQ(chained[i].equity.to_string(), equity[i]) << i;
    EXPECT_EQ(chained[i].cash.to_string(), cash[i]) << i;
    EXPECT_EQ(chained[i].drawdown.to_string(), drawdown[i]) << i;
  }
}

// Four days of 5m bars; train 1 day, test 12 hours: windows start every 12 hours.
class WalkForwardRun : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    data_ = new MarketData(synthetic_series(12 * 24 * 4, 5));
    grid_ = new ParamGrid(*ParamGrid::parse({"fast=3:9:3", "slow=20,40"}));
    result_ = new WalkForwardResult(*run(3));
  }
  static void TearDownTestSuite() {
    delete result_;
    delete grid_;
    delete data_;
  }

  static core::Result<WalkForwardResult> run(unsigned jobs) {
    SweepOptions options;
    options.rank_by = "total_return";  // a day of training has too few daily returns for Sharpe
    options.jobs = jobs;
    return run_walk_forward(ema_cross_spec(), *data_, *grid_, spec_of("train=1d,test=12h"),
                            options);
  }

  static inline MarketData* data_ = nullptr;
  static inline ParamGrid* grid_ = nullptr;
  static inline WalkForwardResult* result_ = nullptr;
};

TEST_F(WalkForwardRun, WindowsCoverTheDataAndEachTestsAfterItsTraining) {
  ASSERT_EQ(result_->windows.size(), 6u);  // starts 0h..60h; 60h + 36h = 96h = the data's end
  for (const auto& w : result_->windows) {
    ASSERT_TRUE(w.test.has_value()) << w.error;
    EXPECT_EQ(w.test->summary.start, w.window.test_from);
    EXPECT_EQ(w.test->summary.end, w.window.test_to);
    // The train bars warm up but never trade: every order and fill is inside the test period.
    for (const auto& fill : w.test->fills) EXPECT_GE(fill.time, w.window.test_from);
    for (const auto& order : w.test->orders) EXPECT_GE(order.created, w.window.test_from);
  }
  EXPECT_EQ(result_->windows.back().window.test_to, kSeriesStart + 96h);
}

TEST_F(WalkForwardRun, ChosenParametersAreTheBestOfTheTrainSweep) {
  const auto metric = find_rank_metric("total_return");
  for (const auto& w : result_->windows) {
    BacktestSpec base = ema_cross_spec();
    base.from = w.window.train_from;
    base.to = w.window.train_to;
    SweepOptions options;
    options.rank_by = "total_return";
    options.jobs = 2;
    std::vector<SweepRow> rows = run_grid(base, *data_, *grid_, options);
    rank_rows(rows, **metric);
    EXPECT_EQ(w.values, rows.front().values) << "window " << w.window.index;
    EXPECT_EQ(w.combination, rows.front().index);
    EXPECT_EQ(summary_json_text(*w.train), summary_json_text(*rows.front().summary));
  }
}

TEST_F(WalkForwardRun, TestFiguresEqualADirectRunOverTheSameWindow) {
  for (const auto& w : result_->windows) {
    BacktestSpec direct = ema_cross_spec();
    direct.params = grid_->params(w.combination);
    direct.from = w.window.train_from;
    direct.to = w.window.test_to;
    direct.trade_from = w.window.test_from;
    const auto run = run_backtest(direct, *data_);
    ASSERT_TRUE(run.ok()) << run.error().message;
    EXPECT_EQ(summary_json_text(w.test->summary), summary_json_text(run->summary));
    EXPECT_EQ(equity_csv(w.test->equity), equity_csv(run->equity));
    EXPECT_EQ(trades_csv(w.test->trades), trades_csv(run->trades));
  }
}

TEST_F(WalkForwardRun, CombinedSummaryIsOutOfSampleOnly) {
  const Summary& s = result_->summary;
  EXPECT_EQ(s.start, result_->windows.front().window.test_from);
  EXPECT_EQ(s.end, result_->windows.back().window.test_to);
  Decimal net, fees;
  std::uint64_t trades = 0;
  for (const auto& w : result_->windows) {
    net += w.test->summary.net_pnl;
    fees += w.test->summary.fees;
    trades += w.test->summary.trades;
  }
  EXPECT_EQ(s.net_pnl, net);  // additive chaining: exact
  EXPECT_EQ(s.fees, fees);
  EXPECT_EQ(s.trades, trades);
  EXPECT_EQ(result_->trades.size(), trades);
  EXPECT_EQ(s.initial_equity, result_->windows.front().test->summary.initial_equity);
  EXPECT_EQ(s.final_equity, s.initial_equity + net);
  ASSERT_FALSE(result_->equity.empty());
  EXPECT_EQ(result_->equity.front().time, s.start);
  EXPECT_EQ(result_->equity.back().time, s.end);
  EXPECT_EQ(result_->equity.back().equity, s.final_equity);
  EXPECT_GT(trades, 0u);
}

TEST_F(WalkForwardRun, OutputsAreTheSameForAnyJobCount) {
  const auto one = run(1);
  ASSERT_TRUE(one.ok()) << one.error().message;
  const auto base = std::filesystem::temp_directory_path() /
                    ("tg4_walk_forward_test_" + std::to_string(::getpid()));
  std::filesystem::remove_all(base);
  ASSERT_TRUE(write_walk_forward_outputs(*result_, base / "jobs3").ok());
  ASSERT_TRUE(write_walk_forward_outputs(*one, base / "jobs1").ok());
  for (const char* name : {"walk_forward.csv", "summary.json", "equity.csv", "trades.csv"}) {
    EXPECT_EQ(read_file(base / "jobs3" / name), read_file(base / "jobs1" / name)) << name;
  }
  const std::string csv = read_file(base / "jobs1" / "walk_forward.csv");
  EXPECT_EQ(csv.substr(0, csv.find('\n')),
            "window,train_from,train_to,test_from,test_to,fast,slow,train_total_return,"
            "total_return,cagr,sharpe,sortino,calmar,max_drawdown,max_drawdown_duration_s,win_rate,"
            "profit_factor,expectancy,trades,fees,net_pnl,final_equity,exposure,error");
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 7);
  const auto first_row = csv.substr(csv.find('\n') + 1);
  EXPECT_EQ(first_row.rfind("0,2024-03-01T00:00:00.000Z,2024-03-02T00:00:00.000Z,2024-03-02T00:00:00.000Z,"
                            "2024-03-02T12:00:00.000Z,",
                            0),
            0u)
      << first_row;
  std::filesystem::remove_all(base);
}

TEST_F(WalkForwardRun, DataShorterThanOneWindowIsAnError) {
  SweepOptions options;
  const auto result =
      run_walk_forward(ema_cross_spec(), *data_, *grid_, spec_of("train=3d,test=2d"), options);
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.error().message.find("the data spans 4d"), std::string::npos)
      << result.error().message;
  EXPECT_NE(result.error().message.find("shorter than one train + test window (5d)"),
            std::string::npos);
}

}  // namespace
}  // namespace tg4::backtest
