// Every indicator column on every bar of tests/data/candles_reference.csv against the values the
// npm technicalindicators package computes (tests/reference/reference.js; sources per column in
// docs/INDICATORS.md). Needs node and `npm ci` in tests/reference: skipped without them, a failure
// when TG4_TEST_REQUIRE_SERVERS is set (scripts/test).
#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "market/candles_csv.hpp"
#include "market/indicators/indicator_set.hpp"

namespace tg4::market {
namespace {

namespace fs = std::filesystem;

const fs::path kSource = TG4_SOURCE_DIR;
const fs::path kCandles = kSource / "tests/data/candles_reference.csv";
const fs::path kReferenceDir = kSource / "tests/reference";

std::vector<std::string> split(const std::string& line) {
  std::vector<std::string> cells;
  std::stringstream in(line);
  std::string cell;
  while (std::getline(in, cell, ',')) cells.push_back(cell);
  if (!line.empty() && line.back() == ',') cells.emplace_back();
  return cells;
}

// Runs the reference script; empty with `why` set when node or the package is missing.
std::string run_reference(std::string* why) {
  if (std::system("command -v node >/dev/null 2>&1") != 0) {
    *why = "node is not installed";
    return {};
  }
  if (!fs::exists(kReferenceDir / "node_modules/technicalindicators/package.json")) {
    *why = "technicalindicators is not installed: run `npm ci` in tests/reference";
    return {};
  }
  const std::string command =
      "cd '" + kReferenceDir.string() + "' && node reference.js '" + kCandles.string() + "'";
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) {
    *why = "cannot start node";
    return {};
  }
  std::string out;
  std::array<char, 65536> buf{};
  while (std::size_t n = std::fread(buf.data(), 1, buf.size(), pipe)) out.append(buf.data(), n);
  if (pclose(pipe) != 0) *why = "reference.js failed";
  return out;
}

// Our value of a reference column (the CSV columns plus the snapshot-only ones).
std::optional<double> ours(const IndicatorSnapshot& s, const std::string& column) {
  for (const IndicatorColumn& c : kIndicatorColumns) {
    if (c.name == column) return s.*c.field;
  }
  static const std::map<std::string, std::optional<double> IndicatorSnapshot::*> kExtra{
      {"keltner_upper", &IndicatorSnapshot::keltner_upper},
      {"keltner_middle", &IndicatorSnapshot::keltner_middle},
      {"keltner_lower", &IndicatorSnapshot::keltner_lower},
      {"donchian_upper", &IndicatorSnapshot::donchian_upper},
      {"donchian_middle", &IndicatorSnapshot::donchian_middle},
      {"donchian_lower", &IndicatorSnapshot::donchian_lower},
  };
  if (column == "squeeze")
    return s.squeeze ? std::optional<double>(*s.squeeze ? 1 : 0) : std::nullopt;
  auto it = kExtra.find(column);
  if (it == kExtra.end()) ADD_FAILURE() << "reference column " << column << " has no counterpart";
  return it == kExtra.end() ? std::nullopt : s.*(it->second);
}

// Relative 1e-9; values under 1 in magnitude are compared absolutely (1e-9), since a difference of
// two price-scale numbers (MACD, ROC) carries absolute rounding error of that order.
bool close_enough(double a, double b) {
  return std::fabs(a - b) <= 1e-9 * std::max({1.0, std::fabs(a), std::fabs(b)});
}

TEST(IndicatorsReference, EveryColumnMatchesTechnicalIndicators) {
  std::string why;
  const std::string reference = run_reference(&why);
  if (!why.empty()) {
    if (std::getenv("TG4_TEST_REQUIRE_SERVERS") != nullptr) FAIL() << why;
    GTEST_SKIP() << why;
  }
  auto file = read_candles_csv(kCandles);
  ASSERT_TRUE(file) << file.error().message;
  std::vector<Ohlcv> candles;
  for (const core::Bar& bar : file->bars) candles.push_back(to_ohlcv(bar));
  ASSERT_EQ(candles.size(), 500u);

  std::stringstream lines(reference);
  std::string line;
  ASSERT_TRUE(std::getline(lines, line));
  const std::vector<std::string> header = split(line);
  ASSERT_EQ(header.front(), "timestamp");
  ASSERT_GE(header.size(), 31u);

  IndicatorSet set;
  std::map<std::string, int> compared;
  std::map<std::string, double> worst;  // largest relative difference per column
  for (std::size_t i = 0; i < candles.size(); ++i) {
    ASSERT_TRUE(std::getline(lines, line)) << "reference ends at bar " << i;
    const std::vector<std::string> cells = split(line);
    ASSERT_EQ(cells.size(), header.size()) << "bar " << i;
    set.update(candles[i]);
    const IndicatorSnapshot& s = set.snapshot();
    ASSERT_EQ(std::stoll(cells[0]), s.time_s);
    for (std::size_t c = 1; c < header.size(); ++c) {
      const std::string& name = header[c];
      const std::optional<double> mine = ours(s, name);
      if (cells[c].empty()) {
        // technicalindicators' OBV starts on the second bar; ours is 0 on the first by definition.
        if (name == "obv" && i == 0) {
          EXPECT_EQ(mine, 0.0);
          continue;
        }
        // Its ADX reports the DIs only once the ADX itself is ready (bar 27); ours from bar 14.
        if ((name == "plus_di_14" || name == "minus_di_14") && !s.adx_14) {
          EXPECT_EQ(mine.has_value(), i >= 14) << name << " on bar " << i;
          continue;
        }
        EXPECT_FALSE(mine) << name << " has a value on bar " << i
                           << " where the reference has none";
        continue;
      }
      const double want = std::stod(cells[c]);
      ASSERT_TRUE(mine) << name << " has no value on bar " << i << "; reference " << cells[c];
      EXPECT_PRED2(close_enough, *mine, want) << name << " on bar " << i;
      ++compared[name];
      const double rel = std::fabs(*mine - want) / std::max({1.0, std::fabs(want)});
      worst[name] = std::max(worst[name], rel);
    }
  }
  for (std::size_t c = 1; c < header.size(); ++c) {
    EXPECT_GE(compared[header[c]], 300) << header[c] << " was compared on too few bars";
  }
  for (const auto& [name, rel] : worst) std::printf("%-16s max rel diff %.3g\n", name.c_str(), rel);
}

}  // namespace
}  // namespace tg4::market
