// `tg4 backtest` as a process (SPEC §12): the summary on stdout, the output files, identical bytes
// on a second run, silence on a non-terminal stderr, flags that change fees, and exit code 2 with
// the culprit named for bad input.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "integration/cli_process.hpp"

namespace {

namespace fs = std::filesystem;

using tg4::testing::kCandles;
const fs::path kFrames = fs::path(TG4_SOURCE_DIR) / "tests/data/kraken_sim_sample.jsonl";

using Outcome = tg4::testing::CliOutcome;
using tg4::testing::file_text;

class BacktestCli : public tg4::testing::CliDirTest {
 protected:
  BacktestCli() : CliDirTest("tg4_backtest_cli_") {}

  Outcome run(const std::vector<std::string>& args) {
    return tg4::testing::run_cli(dir_, TG4_BINARY, "backtest", args);
  }

  std::vector<std::string> ema_args(const fs::path& out) const {
    return {"--data",  kCandles.string(), "--symbol", "BTC/USDT", "--strategy", "ema_cross",
            "--param", "fast=5",          "--param",  "slow=13",  "--out",      out.string()};
  }

};

TEST_F(BacktestCli, WritesTheOutputsAndTheSummary) {
  const fs::path out = dir_ / "run";
  const Outcome o = run(ema_args(out));
  ASSERT_EQ(o.code, 0) << o.err;
  EXPECT_EQ(o.err, "") << "stderr is not a terminal: no progress bar, no notes";
  const boost::json::object summary = boost::json::parse(o.out).as_object();
  for (const char* key : {"total_return", "cagr", "sharpe", "sortino", "calmar", "max_drawdown",
                          "max_drawdown_duration_s", "win_rate", "profit_factor", "expectancy",
                          "exposure", "trades", "fees", "avg_holding_s"}) {
    EXPECT_TRUE(summary.contains(key)) << key;
  }
  EXPECT_EQ(summary.at("strategy").as_string(), "ema_cross");
  EXPECT_EQ(summary.at("params").as_object().at("fast").as_string(), "5");
  EXPECT_EQ(file_text(out / "summary.json"), o.out);
  EXPECT_EQ(file_text(out / "trades.csv").substr(0, 20), "symbol,side,entry_ti");
  EXPECT_EQ(file_text(out / "orders.csv").substr(0, 16), "client_order_id,");
  const std::string equity = file_text(out / "equity.csv");
  EXPECT_EQ(equity.substr(0, 26), "time,equity,cash,drawdown\n");
  // One point per candle boundary: 500 candles -> the start, 499 boundaries, the end.
  EXPECT_EQ(std::count(equity.begin(), equity.end(), '\n'), 1 + 501);
  EXPECT_TRUE(fs::exists(out / "report.html"));
}

TEST_F(BacktestCli, SecondRunGivesIdenticalBytes) {
  const Outcome a = run(ema_args(dir_ / "a"));
  const Outcome b = run(ema_args(dir_ / "b"));
  ASSERT_EQ(a.code, 0) << a.err;
  ASSERT_EQ(b.code, 0) << b.err;
  EXPECT_EQ(a.out, b.out);
  for (const char* name :
       {"summary.json", "trades.csv", "orders.csv", "equity.csv", "report.html"}) {
    EXPECT_EQ(file_text(dir_ / "a" / name), file_text(dir_ / "b" / name)) << name;
  }
}

// --no-shortcuts: every trade through the kernel, every indicator; the same bytes out.
TEST_F(BacktestCli, NoShortcutsGivesTheSameBytes) {
  std::vector<std::string> exact = ema_args(dir_ / "exact");
  exact.push_back("--no-shortcuts");
  const Outcome a = run(ema_args(dir_ / "fast"));
  const Outcome b = run(exact);
  ASSERT_EQ(a.code, 0) << a.err;
  ASSERT_EQ(b.code, 0) << b.err;
  ASSERT_NE(a.out.find("\"trades\""), std::string::npos) << a.out;
  EXPECT_EQ(a.out, b.out);
  for (const char* name : {"summary.json", "trades.csv", "orders.csv", "equity.csv", "report.html"}) {
    EXPECT_EQ(file_text(dir_ / "fast" / name), file_text(dir_ / "exact" / name)) << name;
  }
}

TEST_F(BacktestCli, FeeFlagsAndBalances) {
  Outcome o =
      run({"--data", kCandles.string(), "--strategy", "ema_cross", "--param", "fast=5", "--param",
           "slow=13", "--fee-taker-pct", "0", "--fee-maker-pct", "0", "--balance", "USDT=5000"});
  ASSERT_EQ(o.code, 0) << o.err;
  boost::json::object s = boost::json::parse(o.out).as_object();
  EXPECT_EQ(s.at("fees").as_string(), "0");
  EXPECT_EQ(s.at("initial_equity").as_string(), "5000");
  ASSERT_GT(s.at("trades").as_int64(), 0);
  o = run({"--data", kCandles.string(), "--strategy", "ema_cross", "--param", "fast=5", "--param",
           "slow=13", "--fee-taker-pct", "0.5"});
  ASSERT_EQ(o.code, 0) << o.err;
  s = boost::json::parse(o.out).as_object();
  EXPECT_NE(s.at("fees").as_string(), "0");
}

// --latency-ms takes paper.latency's range (whole milliseconds, at most a minute); it took any
// non-negative decimal.
TEST_F(BacktestCli, LatencyFlagTakesTheConfigRange) {
  for (const char* value : {"60001", "0.5", "-1", "abc"}) {
    const Outcome o = run({"--data", kCandles.string(), "--strategy", "ema_cross", "--latency-ms", value});
    EXPECT_EQ(o.code, 2) << value;
    EXPECT_NE(o.err.find(std::string("tg4 backtest: --latency-ms ") + value + ": "), std::string::npos) << o.err;
    EXPECT_NE(o.err.find("(as paper.latency)"), std::string::npos) << o.err;
  }
  for (const char* value : {"0", "60000", "250"}) {
    const Outcome o = run({"--data", kCandles.string(), "--strategy", "ema_cross", "--latency-ms", value});
    EXPECT_EQ(o.code, 0) << value << ": " << o.err;
  }
}

// The flags take the ranges of paper.taker_fee_pct, maker_fee_pct and slippage_bps: 20000 bps
// filled a sell at -40787.3, 10000 at 0, a 150 % fee was accepted.
TEST_F(BacktestCli, FeeAndSlippageFlagsTakeTheConfigRanges) {
  for (const auto& [flag, value] :
       {std::pair{"--slippage-bps", "20000"}, std::pair{"--slippage-bps", "10000"},
        std::pair{"--slippage-bps", "1001"}, std::pair{"--fee-taker-pct", "150"},
        std::pair{"--fee-maker-pct", "10.5"}, std::pair{"--fee-taker-pct", "-1"}}) {
    const Outcome o = run({"--data", kCandles.string(), "--strategy", "ema_cross", flag, value});
    EXPECT_EQ(o.code, 2) << flag << " " << value;
    EXPECT_NE(
        o.err.find(std::string("tg4 backtest: ") + flag + " " + value + ": expected a decimal"),
        std::string::npos)
        << o.err;
    EXPECT_TRUE(o.out.empty()) << o.out;
  }
  Outcome o =
      run({"--data", kCandles.string(), "--strategy", "ema_cross", "--slippage-bps", "100000"});
  EXPECT_NE(o.err.find("in [0, 1000]"), std::string::npos) << o.err;
  // At the cap every fill is still at a positive price.
  std::vector<std::string> args = ema_args(dir_ / "cap");
  args.insert(args.end(), {"--slippage-bps", "1000", "--fee-taker-pct", "10"});
  o = run(args);
  ASSERT_EQ(o.code, 0) << o.err;
  const std::string orders = file_text(dir_ / "cap" / "orders.csv");
  std::istringstream rows(orders);
  std::string row;
  std::getline(rows, row);  // header; avg_price is the 11th column
  int filled = 0;
  while (std::getline(rows, row)) {
    std::vector<std::string> cells;
    std::istringstream cols(row);
    for (std::string c; std::getline(cols, c, ',');) cells.push_back(c);
    ASSERT_GT(cells.size(), 10u) << row;
    if (cells[7] != "filled") continue;
    ++filled;
    EXPECT_GT(std::stod(cells[10]), 0.0) << row;
  }
  EXPECT_GT(filled, 0) << orders;
}

// --symbol names a CSV's symbol; recorded frames (and the store) name their own, so there it picks
// the symbol the strategy trades (it was ignored and every symbol traded).
TEST_F(BacktestCli, SymbolPicksTheTradedSymbolOfFramesData) {
  const std::vector<std::string> frames{"--data",    kFrames.string(), "--strategy",
                                        "ema_cross", "--currency",     "USD",
                                        "--balance", "USD=10000"};
  auto with = [&](std::vector<std::string> extra) {
    std::vector<std::string> args = frames;
    args.insert(args.end(), extra.begin(), extra.end());
    return run(args);
  };
  Outcome o = with({"--symbol", "ETH/USD"});
  ASSERT_EQ(o.code, 0) << o.err;
  const boost::json::object s = boost::json::parse(o.out).as_object();
  EXPECT_EQ(s.at("params").as_object().at("symbols").as_string(), "ETH/USD");

  o = with({"--symbol", "XRP/USD"});
  EXPECT_EQ(o.code, 2);
  EXPECT_NE(
      o.err.find("tg4 backtest: --symbol XRP/USD: not in the data (it has: BTC/USD, ETH/USD)"),
      std::string::npos)
      << o.err;
  o = with({"--symbol", "ETH/USD", "--param", "symbols=BTC/USD"});
  EXPECT_EQ(o.code, 2);
  EXPECT_NE(o.err.find("--symbol ETH/USD and --param symbols"), std::string::npos) << o.err;
}

// Reading a store that is not there must not create it (it left an empty file and said "no such
// table: candles_1m"). Like a database that cannot be reached, it is a runtime failure (exit 1).
TEST_F(BacktestCli, AMissingStoreIsNamedAndNotCreated) {
  const fs::path missing = dir_ / "none" / "tg4.db";
  const Outcome o = tg4::testing::run_cli(
      dir_, TG4_BINARY,
      "--store " + tg4::testing::shell_quoted("sqlite:" + missing.string()) + " backtest",
      {"--data", "store:BTC/USDT", "--strategy", "ema_cross"});
  EXPECT_EQ(o.code, 1);
  EXPECT_NE(o.err.find("no such store (" + missing.string() + " does not exist)"),
            std::string::npos)
      << o.err;
  EXPECT_FALSE(fs::exists(missing.parent_path()));
}

TEST_F(BacktestCli, RecordedFrames) {
  // The recording quotes USD: report in USD and start with USD.
  const Outcome o = run({"--data", kFrames.string(), "--strategy", "ema_cross", "--param", "fast=2",
                         "--param", "slow=3", "--currency", "USD", "--balance", "USD=10000",
                         "--out", (dir_ / "frames").string()});
  ASSERT_EQ(o.code, 0) << o.err;
  const boost::json::object s = boost::json::parse(o.out).as_object();
  EXPECT_EQ(s.at("currency").as_string(), "USD");
  EXPECT_EQ(s.at("initial_equity").as_string(), "10000");
  EXPECT_EQ(s.at("symbols").as_array().size(), 2u);
  EXPECT_GT(s.at("events").as_int64(), 1000);
  EXPECT_TRUE(fs::exists(dir_ / "frames" / "equity.csv"));
}

TEST_F(BacktestCli, BadInputExitsTwoNamingIt) {
  Outcome o = run({"--data", kCandles.string(), "--strategy", "no_such_strategy"});
  EXPECT_EQ(o.code, 2);
  EXPECT_NE(o.err.find("no_such_strategy"), std::string::npos) << o.err;

  o = run({"--data", kCandles.string(), "--strategy", "ema_cross", "--param", "fsat=3"});
  EXPECT_EQ(o.code, 2);
  EXPECT_NE(o.err.find("fsat"), std::string::npos) << o.err;

  o = run({"--data", kCandles.string(), "--strategy", "ema_cross", "--param", "fast=50", "--param",
           "slow=10"});
  EXPECT_EQ(o.code, 2);
  EXPECT_NE(o.err.find("fast"), std::string::npos) << o.err;

  o = run({"--data", (dir_ / "missing.csv").string(), "--strategy", "ema_cross"});
  EXPECT_EQ(o.code, 2);
  EXPECT_NE(o.err.find("missing.csv"), std::string::npos) << o.err;

  const fs::path bad = write("bad.csv",
                             "timestamp,open,high,low,close,volume\n1704067200,1,2,0.5,1,1\n"
                             "1704067260,1,2,0.5,oops,1\n");
  o = run({"--data", bad.string(), "--strategy", "ema_cross"});
  EXPECT_EQ(o.code, 2);
  EXPECT_NE(o.err.find("bad.csv:3:"), std::string::npos) << o.err;
  EXPECT_NE(o.err.find("close"), std::string::npos) << o.err;

  o = run({"--data", kCandles.string(), "--strategy", "ema_cross", "--from", "yesterday"});
  EXPECT_EQ(o.code, 2);
  EXPECT_NE(o.err.find("--from"), std::string::npos) << o.err;

  o = run({"--data", kCandles.string(), "--strategy", "ema_cross", "--balance", "USDT"});
  EXPECT_EQ(o.code, 2);
  EXPECT_NE(o.err.find("--balance"), std::string::npos) << o.err;

  // Balances take paper.starting_balances' asset codes and range, and name the entry.
  for (const auto& [balances, message] :
       {std::pair{std::vector<std::string>{"USDT=-1"},
                  "--balance: paper.starting_balances.USDT: expected a decimal number in [0, "},
        std::pair{std::vector<std::string>{"USDT=2e15"}, "paper.starting_balances.USDT"},
        std::pair{std::vector<std::string>{"usdt=5"},
                  "--balance: paper.starting_balances.usdt: expected a key (an asset code, e.g. BTC), found \"usdt\""},
        std::pair{std::vector<std::string>{"USDT=5", "USDT=6"},
                  "--balance USDT given twice (5, then 6)"}}) {
    std::vector<std::string> args{"--data", kCandles.string(), "--strategy", "ema_cross"};
    for (const std::string& b : balances) args.insert(args.end(), {"--balance", b});
    o = run(args);
    EXPECT_EQ(o.code, 2) << balances.front();
    EXPECT_NE(o.err.find(message), std::string::npos) << o.err;
  }

  // "Last wins" would run neither value the command line shows without a word.
  o = run({"--data", kCandles.string(), "--strategy", "ema_cross", "--param", "fast=5", "--param",
           "fast=7"});
  EXPECT_EQ(o.code, 2);
  EXPECT_NE(o.err.find("tg4 backtest: --param fast given twice (5, then 7)"), std::string::npos)
      << o.err;
  EXPECT_TRUE(o.out.empty()) << o.out;

  for (const auto& [name, text] :
       {std::pair{"empty.csv", ""},
        std::pair{"header.csv", "timestamp,open,high,low,close,volume\n"}}) {
    const fs::path path = write(name, text);
    o = run({"--data", path.string(), "--strategy", "ema_cross"});
    EXPECT_EQ(o.code, 2) << name;
    EXPECT_NE(o.err.find(path.string() + ": no candles"), std::string::npos) << o.err;
  }
}

TEST_F(BacktestCli, WindowFlags) {
  // candles_reference.csv starts at 1710014400 (2024-03-09T20:00:00Z), one row a minute.
  const Outcome o = run({"--data", kCandles.string(), "--strategy", "ema_cross", "--from",
                         "2024-03-09T21:00:00Z", "--to", "1710021600"});
  ASSERT_EQ(o.code, 0) << o.err;
  const boost::json::object s = boost::json::parse(o.out).as_object();
  EXPECT_EQ(s.at("start").as_string(), "2024-03-09T21:00:00.000Z");
  EXPECT_EQ(s.at("end").as_string(), "2024-03-09T22:00:00.000Z");
  EXPECT_EQ(s.at("bars").as_int64(), 60);
}

}  // namespace
