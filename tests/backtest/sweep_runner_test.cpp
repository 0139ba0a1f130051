// Sweep runner: ranking, failed combinations as rows, the best run's outputs, and determinism
// across job counts (jobs=1 and jobs=4 give the same sweep.csv bytes).
#include <gtest/gtest.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <sstream>
#include <limits>
#include <set>

#include "backtest/sweep.hpp"
#include "sweep_fixture.hpp"

namespace tg4::backtest {
namespace {

using fixtures::ema_cross_spec;
using fixtures::read_file;
using fixtures::synthetic_series;

SweepRow row(std::size_t index, std::optional<double> sharpe, double max_drawdown = 0) {
  SweepRow r;
  r.index = index;
  r.values = {std::to_string(index)};
  if (sharpe) {
    r.summary = Summary{};
    r.summary->sharpe = *sharpe;
    r.summary->max_drawdown = max_drawdown;
  } else {
    r.error = "refused";
  }
  return r;
}

std::vector<std::size_t> order_of(const std::vector<SweepRow>& rows) {
  std::vector<std::size_t> out;
  for (const auto& r : rows) out.push_back(r.index);
  return out;
}

TEST(SweepRank, HigherFirstFailuresLastTiesInGridOrder) {
  std::vector<SweepRow> rows{row(0, 0.5),
                             row(1, std::nullopt),
                             row(2, 1.5),
                             row(3, 0.5),
                             row(4, std::numeric_limits<double>::quiet_NaN()),
                             row(5, -1.0),
                             row(6, std::numeric_limits<double>::infinity())};
  rank_rows(rows, **find_rank_metric("sharpe"));
  EXPECT_EQ(order_of(rows), (std::vector<std::size_t>{6, 2, 0, 3, 5, 4, 1}));
}

TEST(SweepRank, DrawdownRanksLowerFirst) {
  std::vector<SweepRow> rows{row(0, 0, 0.3), row(1, 0, 0.1), row(2, 0, 0.2), row(3, 0, 0.1)};
  rank_rows(rows, **find_rank_metric("max_drawdown"));
  EXPECT_EQ(order_of(rows), (std::vector<std::size_t>{1, 3, 2, 0}));
}

TEST(SweepRank, DecimalMetricsCompareExactly) {
  std::vector<SweepRow> rows{row(0, 0), row(1, 0), row(2, 0)};
  rows[0].summary->net_pnl = core::Decimal::must("10.000000000000000001");
  rows[1].summary->net_pnl = core::Decimal::must("10.000000000000000002");
  rows[2].summary->net_pnl = core::Decimal::must("-3");
  rank_rows(rows, **find_rank_metric("net_pnl"));
  EXPECT_EQ(order_of(rows), (std::vector<std::size_t>{1, 0, 2}));
}

TEST(SweepRank, UnknownMetricListsTheKnownOnes) {
  const auto metric = find_rank_metric("sharp");
  ASSERT_FALSE(metric.ok());
  EXPECT_NE(metric.error().message.find("--rank-by sharp: unknown metric (known: sharpe, sortino"),
            std::string::npos)
      << metric.error().message;
}

TEST(SweepParallel, EveryIndexRunsExactlyOnce) {
  for (const unsigned jobs : {1u, 3u, 8u}) {
    std::vector<int> hits(101, 0);
    parallel_for(hits.size(), jobs, [&](std::size_t i) { ++hits[i]; });
    EXPECT_EQ(std::count(hits.begin(), hits.end(), 1), 101) << "jobs=" << jobs;
  }
  EXPECT_EQ(effective_jobs(8, 3), 3u);
  EXPECT_EQ(effective_jobs(2, 0), 1u);
  EXPECT_GE(effective_jobs(0, 1000), 1u);
}

class SweepRun : public ::testing::Test {
 protected:
  // Three days of 5m bars: daily returns for Sharpe, a short simulated span (each simulated minute
  // costs the pipeline's timers) for a Debug build.
  static void SetUpTestSuite() { data_ = new MarketData(synthetic_series(12 * 24 * 3, 5)); }
  static void TearDownTestSuite() { delete data_; }

  static SweepResult sweep(const std::vector<std::string>& flags, unsigned jobs,
                           const std::string& rank_by = "sharpe") {
    auto grid = ParamGrid::parse(flags);
    EXPECT_TRUE(grid.ok()) << grid.error().message;
    SweepOptions options;
    options.jobs = jobs;
    options.rank_by = rank_by;
    auto result = run_sweep(ema_cross_spec(), *data_, *grid, options);
    EXPECT_TRUE(result.ok()) << result.error().message;
    return std::move(*result);
  }

  static std::filesystem::path temp_dir(const std::string& name) {
    const auto dir = std::filesystem::temp_directory_path() /
                     ("tg4_sweep_test_" + std::to_string(::getpid()) + "_" + name);
    std::filesystem::remove_all(dir);
    return dir;
  }

  static inline MarketData* data_ = nullptr;
};

TEST_F(SweepRun, SameBytesForOneAndFourJobs) {
  const std::vector<std::string> flags{"fast=4:12:4", "slow=20,30"};
  const auto one = sweep(flags, 1);
  const auto four = sweep(flags, 4);
  const auto dir1 = temp_dir("jobs1");
  const auto dir4 = temp_dir("jobs4");
  ASSERT_TRUE(write_sweep_outputs(one, dir1).ok());
  ASSERT_TRUE(write_sweep_outputs(four, dir4).ok());
  const std::string csv = read_file(dir1 / "sweep.csv");
  EXPECT_EQ(csv, read_file(dir4 / "sweep.csv"));
  EXPECT_EQ(read_file(dir1 / "best" / "summary.json"), read_file(dir4 / "best" / "summary.json"));
  EXPECT_EQ(read_file(dir1 / "best" / "trades.csv"), read_file(dir4 / "best" / "trades.csv"));
  // Six combinations, each a ranked row; the runs differ, so the ranking means something.
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 7);
  std::set<std::string> pnls;
  for (const auto& r : one.rows) pnls.insert(r.summary->net_pnl.to_string());
  EXPECT_GT(pnls.size(), 1u);
  EXPECT_TRUE(std::filesystem::exists(dir1 / "best" / "report.html"));
  std::filesystem::remove_all(dir1);
  std::filesystem::remove_all(dir4);
}

TEST_F(SweepRun, RowsAreRankedAndTheBestIsTheTopRowRunInFull) {
  const auto result = sweep({"fast=3:9:3", "slow=21,34"}, 2, "total_return");
  ASSERT_EQ(result.rows.size(), 6u);
  EXPECT_EQ(result.param_names, (std::vector<std::string>{"fast", "slow"}));
  for (std::size_t i = 1; i < result.rows.size(); ++i) {
    EXPECT_GE(result.rows[i - 1].summary->total_return, result.rows[i].summary->total_return);
  }
  ASSERT_TRUE(result.best.has_value());
  const Summary& top = *result.rows.front().summary;
  EXPECT_EQ(summary_json_text(result.best->summary), summary_json_text(top));
  EXPECT_EQ(top.params.at("fast"), result.rows.front().values[0]);
  EXPECT_EQ(top.params.at("slow"), result.rows.front().values[1]);
  EXPECT_FALSE(result.best->charts.empty());  // the best run is the full one, with its report
  // The ranked row equals a direct run of the same parameters.
  BacktestSpec direct = ema_cross_spec();
  direct.params = {{"fast", result.rows.front().values[0]},
                   {"slow", result.rows.front().values[1]}};
  const auto run = run_backtest(direct, *data_);
  ASSERT_TRUE(run.ok());
  EXPECT_EQ(summary_json_text(run->summary), summary_json_text(top));
}

TEST_F(SweepRun, FailingCombinationIsARowWithItsErrorNotAnAbort) {
  // ema_cross refuses fast >= slow.
  const auto result = sweep({"fast=10,30", "slow=20"}, 2);
  ASSERT_EQ(result.rows.size(), 2u);
  EXPECT_TRUE(result.rows[0].summary.has_value());
  EXPECT_EQ(result.rows[0].values, (std::vector<std::string>{"10", "20"}));
  EXPECT_FALSE(result.rows[1].summary.has_value());
  EXPECT_EQ(result.rows[1].values, (std::vector<std::string>{"30", "20"}));
  EXPECT_FALSE(result.rows[1].error.empty());
  const std::string csv = sweep_csv(result);
  const auto last_line = csv.substr(csv.rfind('\n', csv.size() - 2) + 1);
  EXPECT_EQ(last_line.rfind(",30,20,", 0), 0u) << last_line;  // no rank, the values, no figures
  EXPECT_NE(last_line.find(result.rows[1].error.substr(0, 10)), std::string::npos) << last_line;
}

TEST_F(SweepRun, CsvHeaderIsRankParamsMetricsError) {
  const auto result = sweep({"fast=5", "slow=20"}, 1);
  const std::string csv = sweep_csv(result);
  EXPECT_EQ(csv.substr(0, csv.find('\n')),
            "rank,fast,slow,total_return,cagr,sharpe,sortino,calmar,max_drawdown,"
            "max_drawdown_duration_s,win_rate,profit_factor,expectancy,trades,fees,net_pnl,"
            "final_equity,exposure,error");
  EXPECT_EQ(csv.substr(csv.find('\n') + 1, 9), "1,5,20,0.");
}

// The drawdown duration is written as summary.json writes it: shortest, no padding zeros.
TEST_F(SweepRun, DrawdownDurationCellIsTheSummarysSeconds) {
  const auto result = sweep({"fast=5", "slow=20"}, 1);
  ASSERT_TRUE(result.rows[0].summary.has_value());
  const double seconds = result.rows[0].summary->max_drawdown_duration_s;
  ASSERT_GT(seconds, 0);
  const std::string csv = sweep_csv(result);
  std::vector<std::string> header, row;
  std::stringstream head(csv.substr(0, csv.find('\n')));
  std::stringstream first(csv.substr(csv.find('\n') + 1, csv.find('\n', csv.find('\n') + 1) - csv.find('\n') - 1));
  for (std::string cell; std::getline(head, cell, ',');) header.push_back(cell);
  for (std::string cell; std::getline(first, cell, ',');) row.push_back(cell);
  const auto column = std::find(header.begin(), header.end(), "max_drawdown_duration_s") - header.begin();
  ASSERT_LT(static_cast<std::size_t>(column), row.size());
  EXPECT_EQ(row[static_cast<std::size_t>(column)], fmt::format("{}", std::round(seconds * 1000) / 1000));
  EXPECT_EQ(row[static_cast<std::size_t>(column)].find(".000"), std::string::npos);
}

}  // namespace
}  // namespace tg4::backtest
