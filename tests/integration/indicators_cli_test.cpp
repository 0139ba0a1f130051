// `tg4 indicators` as a process (SPEC §12): the exact header, one row per candle equal to what
// IndicatorSet computes in-process, empty cells while warming up, stdout without --out, the same
// output for RFC 3339 timestamps and Kraken OHLCVT files, and errors naming the file and line.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "cli_process.hpp"
#include "core/time.hpp"
#include "market/candles_csv.hpp"
#include "market/indicators/indicator_csv.hpp"

namespace {

namespace fs = std::filesystem;
using namespace tg4;

using tg4::testing::kCandles;

using tg4::testing::CliOutcome;
using tg4::testing::file_text;

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::vector<std::string> cells_of(const std::string& line) {
  std::vector<std::string> cells;
  std::size_t start = 0;
  for (std::size_t comma; (comma = line.find(',', start)) != std::string::npos; start = comma + 1) {
    cells.push_back(line.substr(start, comma - start));
  }
  cells.push_back(line.substr(start));
  return cells;
}

class IndicatorsCli : public tg4::testing::CliDirTest {
 protected:
  IndicatorsCli() : CliDirTest("tg4_indicators_cli_") {}

  CliOutcome run(const std::vector<std::string>& args, const std::string& stdout_to = "") {
    return tg4::testing::run_cli(dir_, TG4_BINARY, "indicators", args, stdout_to);
  }

  // What the command must print for `path`, computed in-process.
  static std::string expected_for(const fs::path& path) {
    auto candles = market::read_candles_csv(path.string());
    EXPECT_TRUE(candles);
    std::string text = market::indicator_csv_header();
    market::IndicatorSet set;
    for (const core::Bar& bar : candles->bars) {
      set.update(bar);
      market::append_indicator_csv_row(set.snapshot(), text);
    }
    return text;
  }

};

TEST_F(IndicatorsCli, WritesTheSpecColumnsForEveryCandle) {
  const fs::path out = dir_ / "indicators.csv";
  const CliOutcome o = run({"--input", kCandles.string(), "--out", out.string()});
  ASSERT_EQ(o.code, 0) << o.err;
  EXPECT_TRUE(o.out.empty());
  const std::string text = file_text(out);
  const auto lines = lines_of(text);
  ASSERT_EQ(lines.size(), 501u);
  EXPECT_EQ(
      lines[0],
      "timestamp,ema_9,ema_21,ema_50,ema_200,sma_20,sma_50,sma_200,rsi_14,macd_line,"
      "macd_signal,macd_hist,atr_14,adx_14,plus_di_14,minus_di_14,bb_upper,bb_middle,bb_lower,"
      "bb_width,bb_percent_b,obv,chop_14,supertrend,supertrend_dir,stochrsi_k,stochrsi_d,"
      "roc_10,vwap,volume_sma_20,volume_ratio");
  // Bar 0: only OBV (0) and the session VWAP have values.
  const auto first = cells_of(lines[1]);
  ASSERT_EQ(first.size(), 31u);
  EXPECT_EQ(first[0], "1710014400");
  for (std::size_t c = 1; c < first.size(); ++c) {
    const bool warm = c == 21 || c == 28;  // obv, vwap
    EXPECT_EQ(first[c].empty(), !warm) << "column " << c << ": '" << first[c] << "'";
  }
  EXPECT_EQ(first[21], "0");
  // ema_9 appears on bar 8, ema_200 on bar 199; the last bar has every column.
  EXPECT_TRUE(cells_of(lines[8])[1].empty());
  EXPECT_FALSE(cells_of(lines[9])[1].empty());
  EXPECT_TRUE(cells_of(lines[199])[4].empty());
  EXPECT_FALSE(cells_of(lines[200])[4].empty());
  for (const std::string& cell : cells_of(lines.back())) EXPECT_FALSE(cell.empty());
  const auto dir = cells_of(lines.back())[24];
  EXPECT_TRUE(dir == "1" || dir == "-1") << dir;
  EXPECT_EQ(text, expected_for(kCandles));
}

TEST_F(IndicatorsCli, StdoutWithoutOut) {
  const CliOutcome o = run({"--input", kCandles.string()});
  ASSERT_EQ(o.code, 0) << o.err;
  EXPECT_EQ(o.out, expected_for(kCandles));
}

TEST_F(IndicatorsCli, Rfc3339AndKrakenOhlcvtGiveTheSameRows) {
  // The first 60 candles in the three accepted forms.
  const auto lines = lines_of(file_text(kCandles));
  std::string unix_text = lines[0] + "\n", rfc = lines[0] + "\n", kraken;
  for (std::size_t i = 1; i <= 60; ++i) {
    const auto cells = cells_of(lines[i]);
    const std::string rest = lines[i].substr(cells[0].size());
    unix_text += lines[i] + "\n";
    rfc +=
        core::format_rfc3339(core::Timestamp::from_seconds(std::stoll(cells[0])), 0) + rest + "\n";
    kraken += lines[i] + ",7\n";  // time,open,high,low,close,volume,trades; no header
  }
  const CliOutcome a = run({"--input", write("unix.csv", unix_text).string()});
  const CliOutcome b = run({"--input", write("rfc.csv", rfc).string()});
  const CliOutcome c = run({"--input", write("kraken.csv", kraken).string()});
  ASSERT_EQ(a.code, 0) << a.err;
  ASSERT_EQ(b.code, 0) << b.err;
  ASSERT_EQ(c.code, 0) << c.err;
  EXPECT_EQ(lines_of(a.out).size(), 61u);
  EXPECT_EQ(b.out, a.out);
  EXPECT_EQ(c.out, a.out);
}

TEST_F(IndicatorsCli, ErrorsNameTheFileAndLine) {
  const CliOutcome missing = run({"--input", (dir_ / "nope.csv").string()});
  EXPECT_EQ(missing.code, 2);  // a file named on the command line that is not there: usage
  EXPECT_NE(missing.err.find("nope.csv"), std::string::npos) << missing.err;

  const fs::path bad = write("bad.csv",
                             "timestamp,open,high,low,close,volume\n"
                             "1710014400,1,2,0.5,1.5,3\n"
                             "1710014460,1,2,zero,1.5,3\n");
  const CliOutcome o = run({"--input", bad.string()});
  EXPECT_EQ(o.code, 1);
  EXPECT_NE(o.err.find("bad.csv:3: column 'low'"), std::string::npos) << o.err;
  EXPECT_TRUE(o.out.empty());

  const CliOutcome usage = run({});
  EXPECT_EQ(usage.code, 2);
  EXPECT_NE(usage.err.find("--input"), std::string::npos) << usage.err;
}

// A directory opens as a stream and reads as nothing: it used to give a header-only output and 0.
TEST_F(IndicatorsCli, ADirectoryIsAnError) {
  const CliOutcome o = run({"--input", dir_.string()});
  EXPECT_EQ(o.code, 1);
  EXPECT_NE(o.err.find(dir_.string() + ": is a directory"), std::string::npos) << o.err;
  EXPECT_TRUE(o.out.empty()) << o.out;
}

TEST_F(IndicatorsCli, AFileWithoutCandlesIsAnError) {
  for (const auto& [name, text] :
       {std::pair{"empty.csv", ""},
        std::pair{"header.csv", "timestamp,open,high,low,close,volume\n"}}) {
    const fs::path path = write(name, text);
    const CliOutcome o = run({"--input", path.string()});
    EXPECT_EQ(o.code, 1) << name;
    EXPECT_NE(o.err.find(path.string() + ": no candles"), std::string::npos) << o.err;
    EXPECT_TRUE(o.out.empty()) << o.out;
  }
}

// Output that cannot be written is a failure with the reason, not a silent exit 1.
TEST_F(IndicatorsCli, AFailedStdoutWriteSaysWhy) {
  if (!fs::exists("/dev/full")) GTEST_SKIP() << "no /dev/full";
  const CliOutcome o = run({"--input", kCandles.string()}, "/dev/full");
  EXPECT_EQ(o.code, 1);
  EXPECT_NE(o.err.find("tg4 indicators: writing indicators to stdout: No space left on device"),
            std::string::npos)
      << o.err;
}

// A failed --out says why (it said only "cannot write X").
TEST_F(IndicatorsCli, AFailedOutWriteSaysWhy) {
  const fs::path nowhere = dir_ / "no" / "such" / "dir.csv";
  CliOutcome o = run({"--input", kCandles.string(), "--out", nowhere.string()});
  EXPECT_EQ(o.code, 1);
  EXPECT_NE(o.err.find("tg4 indicators: cannot write " + nowhere.string() +
                       ": No such file or directory"),
            std::string::npos)
      << o.err;
  if (!fs::exists("/dev/full")) GTEST_SKIP() << "no /dev/full";
  o = run({"--input", kCandles.string(), "--out", "/dev/full"});
  EXPECT_EQ(o.code, 1);
  EXPECT_NE(o.err.find("tg4 indicators: cannot write /dev/full: No space left on device"),
            std::string::npos)
      << o.err;
}

}  // namespace
