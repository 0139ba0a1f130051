// paper.margin from the command line: `tg4 backtest` with margin on and ema_cross's allow_short
// trades shorts (the same pipeline and paper venue as `tg4 paper`); without margin it cannot; and
// `tg4 live` refuses a config that asks for margin, with exit 2, before anything starts.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "integration/cli_process.hpp"

namespace {

namespace fs = std::filesystem;

using tg4::testing::kCandles;

using Outcome = tg4::testing::CliOutcome;
using tg4::testing::file_text;

class MarginCli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("tg4_margin_cli_" + std::to_string(getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    std::ofstream(dir_ / "margin.yaml") << "paper:\n  margin: true\n";
    std::ofstream(dir_ / "spot.yaml") << "paper:\n  margin: false\n";
  }
  void TearDown() override { fs::remove_all(dir_); }

  // `tg4 --config <config> <command> args...`
  Outcome run(const std::string& config, const std::string& command, const std::vector<std::string>& args) {
    return tg4::testing::run_cli(dir_, TG4_BINARY, "--config " + (dir_ / config).string() + " " + command, args);
  }

  std::vector<std::string> short_args(const fs::path& out) const {
    return {"--data",  kCandles.string(), "--symbol", "BTC/USDT", "--strategy", "ema_cross", "--param",
            "fast=5",  "--param",         "slow=13",  "--param",  "allow_short=true",        "--out",
            out.string()};
  }

  static int rows_with(const std::string& csv, const std::string& cell) {
    int n = 0;
    for (std::size_t at = csv.find(cell); at != std::string::npos; at = csv.find(cell, at + 1)) ++n;
    return n;
  }

  fs::path dir_;
};

TEST_F(MarginCli, BacktestWithMarginAndAllowShortTradesShorts) {
  const Outcome o = run("margin.yaml", "backtest", short_args(dir_ / "margin"));
  ASSERT_EQ(o.code, 0) << o.err;
  const std::string trades = file_text(dir_ / "margin" / "trades.csv");
  EXPECT_GE(rows_with(trades, ",short,"), 1) << trades;
  EXPECT_GE(rows_with(trades, ",long,"), 1) << trades;
  // Short entries are sells that open, with buy stops and targets.
  const std::string orders = file_text(dir_ / "margin" / "orders.csv");
  EXPECT_GE(rows_with(orders, ",sell,market,entry,"), 1) << orders.substr(0, 2000);
}

TEST_F(MarginCli, BacktestWithoutMarginNeverShorts) {
  const Outcome o = run("spot.yaml", "backtest", short_args(dir_ / "spot"));
  ASSERT_EQ(o.code, 0) << o.err;
  const std::string trades = file_text(dir_ / "spot" / "trades.csv");
  EXPECT_EQ(rows_with(trades, ",short,"), 0) << trades;
  EXPECT_GE(rows_with(trades, ",long,"), 1) << trades;
}

TEST_F(MarginCli, LiveRefusesAConfigAskingForMargin) {
  const Outcome o = run("margin.yaml", "live", {"--duration", "1"});
  EXPECT_EQ(o.code, 2);
  EXPECT_NE(o.err.find("paper.margin: true"), std::string::npos) << o.err;
  EXPECT_NE(o.err.find("spot only"), std::string::npos) << o.err;
}

}  // namespace
