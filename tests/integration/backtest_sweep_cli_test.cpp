// `tg4 backtest --sweep … --jobs N` and `--walk-forward …` as a process: the ranked sweep.csv and
// best/ outputs, identical bytes for 1 and 3 jobs, walk-forward's out-of-sample files, and exit
// code 2 naming the flag for bad grids and walk-forward specs.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <boost/json.hpp>
#include <filesystem>
#include <string>
#include <vector>

#include "integration/cli_process.hpp"

namespace {

namespace fs = std::filesystem;

// 500 one-minute candles from 2024-03-09T20:00:00Z.
using tg4::testing::kCandles;

using Outcome = tg4::testing::CliOutcome;
using tg4::testing::file_text;

std::size_t lines(const std::string& text) {
  return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
}

class BacktestSweepCli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("tg4_backtest_sweep_cli_" + std::to_string(getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  Outcome run(std::vector<std::string> extra) {
    std::vector<std::string> args{"--data", kCandles.string(), "--strategy", "ema_cross"};
    args.insert(args.end(), extra.begin(), extra.end());
    return tg4::testing::run_cli(dir_, TG4_BINARY, "backtest", args);
  }

  fs::path dir_;
};

TEST_F(BacktestSweepCli, RankedSweepCsvAndBestOutputsSameForAnyJobs) {
  const std::vector<std::string> grid{"--sweep",    "fast=5:15:5", "--sweep",
                                      "slow=20,30", "--rank-by",   "total_return"};
  auto with = [&](const std::string& jobs, const fs::path& out) {
    auto args = grid;
    args.insert(args.end(), {"--jobs", jobs, "--out", out.string()});
    return args;
  };
  const Outcome one = run(with("1", dir_ / "j1"));
  ASSERT_EQ(one.code, 0) << one.err;
  const Outcome three = run(with("3", dir_ / "j3"));
  ASSERT_EQ(three.code, 0) << three.err;
  EXPECT_EQ(one.out, three.out);

  const std::string csv = file_text(dir_ / "j1" / "sweep.csv");
  EXPECT_EQ(csv, file_text(dir_ / "j3" / "sweep.csv"));
  EXPECT_EQ(lines(csv), 7u);  // header + 3 x 2 combinations
  EXPECT_EQ(csv.rfind("rank,fast,slow,total_return,", 0), 0u);
  for (const char* name :
       {"summary.json", "trades.csv", "orders.csv", "equity.csv", "report.html"}) {
    EXPECT_TRUE(fs::exists(dir_ / "j1" / "best" / name)) << name;
  }
  EXPECT_EQ(file_text(dir_ / "j1" / "best" / "summary.json"),
            file_text(dir_ / "j3" / "best" / "summary.json"));

  // Stdout is the best run's summary; its parameters are the first row's.
  const auto summary = boost::json::parse(one.out).as_object();
  const auto& params = summary.at("params").as_object();
  const std::string first_row = csv.substr(csv.find('\n') + 1);
  const std::string expected = "1," + std::string(params.at("fast").as_string()) + "," +
                               std::string(params.at("slow").as_string()) + ",";
  EXPECT_EQ(first_row.rfind(expected, 0), 0u) << first_row;
  EXPECT_NE(one.err.find("sweep: 6 combinations, 0 failed; best by total_return"),
            std::string::npos)
      << one.err;
}

TEST_F(BacktestSweepCli, WalkForwardWritesOutOfSampleResultsOnly) {
  const fs::path out = dir_ / "wf";
  const Outcome o =
      run({"--sweep", "fast=5,10", "--sweep", "slow=20,30", "--rank-by", "total_return",
           "--walk-forward", "train=3h,test=1h", "--out", out.string()});
  ASSERT_EQ(o.code, 0) << o.err;
  // 500 minutes: windows start every hour while start + 4h <= 8h20m: 0h..4h.
  const std::string csv = file_text(out / "walk_forward.csv");
  EXPECT_EQ(lines(csv), 6u);
  EXPECT_EQ(
      csv.rfind("window,train_from,train_to,test_from,test_to,fast,slow,train_total_return,", 0),
      0u);
  EXPECT_NE(csv.find("\n0,2024-03-09T20:00:00.000Z,2024-03-09T23:00:00.000Z,2024-03-09T23:00:00.000Z,"
                     "2024-03-10T00:00:00.000Z,"),
            std::string::npos);
  EXPECT_NE(csv.find("\n4,2024-03-10T00:00:00.000Z,2024-03-10T03:00:00.000Z,2024-03-10T03:00:00.000Z,"
                     "2024-03-10T04:00:00.000Z,"),
            std::string::npos);
  // The combined curve covers the test periods only: from the first test start to the last end.
  const std::string equity = file_text(out / "equity.csv");
  EXPECT_EQ(equity.substr(equity.find('\n') + 1, 24), "2024-03-09T23:00:00.000Z");
  EXPECT_NE(equity.find("\n2024-03-10T04:00:00.000Z,"), std::string::npos);
  EXPECT_EQ(equity.find("2024-03-09T22:"), std::string::npos);
  const auto summary = boost::json::parse(o.out).as_object();
  EXPECT_EQ(file_text(out / "summary.json"), o.out);
  EXPECT_TRUE(summary.contains("sharpe"));
  EXPECT_TRUE(fs::exists(out / "trades.csv"));
}

TEST_F(BacktestSweepCli, BadGridsAndSpecsExitTwoNamingTheFlag) {
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases{
      {{"--sweep", "fast=20:5:1"}, "--sweep fast=20:5:1: the start 20 is above the end 5"},
      {{"--sweep", "fast=5:20:0"}, "--sweep fast=5:20:0: the step must be above zero"},
      {{"--sweep", "fast=2:500:1", "--sweep", "slow=3:1000:1"}, "more than 10000 combinations"},
      {{"--sweep", "slowest=1,2"}, "unknown parameter 'slowest'"},
      {{"--sweep", "fast=5", "--rank-by", "luck"}, "--rank-by luck: unknown metric"},
      {{"--walk-forward", "train=3h,test=6h"}, "shorter than one train + test window (9h)"},
      {{"--walk-forward", "train=3h"}, "--walk-forward train=3h: both train= and test="},
  };
  for (const auto& [args, message] : cases) {
    const Outcome o = run(args);
    EXPECT_EQ(o.code, 2) << args.front() << " " << args[1];
    EXPECT_NE(o.err.find(message), std::string::npos) << o.err;
  }
}

// Sweep-only flags without a sweep, and an empty walk-forward spec, ran a plain backtest.
TEST_F(BacktestSweepCli, SweepFlagsWithoutASweepExitTwo) {
  for (const auto& [extra, message] :
       {std::pair{std::vector<std::string>{"--rank-by", "sharpe"},
                  "tg4 backtest: --rank-by needs --sweep or --walk-forward"},
        std::pair{std::vector<std::string>{"--jobs", "2"},
                  "tg4 backtest: --jobs needs --sweep or --walk-forward"},
        std::pair{std::vector<std::string>{"--walk-forward", ""}, "--walk-forward: empty"},
        std::pair{std::vector<std::string>{"--sweep", "fast=3,5", "--walk-forward", ""},
                  "--walk-forward: empty"},
        std::pair{std::vector<std::string>{"--sweep", "fast=3,5", "--rank-by", ""},
                  "--rank-by: empty"}}) {
    const Outcome o = run(extra);
    EXPECT_EQ(o.code, 2) << message;
    EXPECT_NE(o.err.find(message), std::string::npos) << o.err;
    EXPECT_TRUE(o.out.empty()) << o.out;
  }
}

}  // namespace
