// `tg4 replay` as a process (SPEC §12) on the recorded simulator sample: the summary JSON with its
// keys and verified books, --bars-out CSV, a missing file (exit 2), and malformed lines counted and
// reported with their line numbers.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "cli_process.hpp"

namespace {

namespace fs = std::filesystem;

const fs::path kSample = fs::path(TG4_SOURCE_DIR) / "tests/data/kraken_sim_sample.jsonl";

using tg4::testing::CliOutcome;
using tg4::testing::file_text;

class ReplayCli : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* base = std::getenv("TG4_TEST_TMP");
    dir_ = fs::path(base != nullptr ? base : fs::temp_directory_path().string()) /
           ("replay_test_" + std::to_string(getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  CliOutcome run(const std::vector<std::string>& args) { return tg4::testing::run_cli(dir_, TG4_BINARY, "replay", args); }

  fs::path dir_;
};

TEST_F(ReplayCli, SummaryOfTheRecordedSample) {
  const fs::path bars = dir_ / "bars.csv";
  const CliOutcome o = run({kSample.string(), "--bars-out", bars.string()});
  ASSERT_EQ(o.code, 0) << o.err;
  const auto summary = boost::json::parse(o.out).as_object();
  for (const char* key : {"frames", "parse_errors", "book_snapshots", "book_updates", "checksum_ok",
                          "checksum_mismatch", "resubscribes", "trades", "bars_1m", "books"}) {
    EXPECT_TRUE(summary.contains(key)) << key << " missing in " << o.out;
  }
  EXPECT_EQ(summary.at("frames").to_number<std::int64_t>(), 1770);
  EXPECT_EQ(summary.at("parse_errors").to_number<std::int64_t>(), 0);
  EXPECT_EQ(summary.at("book_snapshots").to_number<std::int64_t>(), 2);
  EXPECT_EQ(summary.at("checksum_mismatch").to_number<std::int64_t>(), 0);
  EXPECT_EQ(summary.at("checksum_ok").to_number<std::int64_t>(),
            summary.at("book_snapshots").to_number<std::int64_t>() +
                summary.at("book_updates").to_number<std::int64_t>());
  EXPECT_GT(summary.at("trades").to_number<std::int64_t>(), 200);
  const auto bars_1m = summary.at("bars_1m").to_number<std::int64_t>();
  EXPECT_GE(bars_1m, 8);
  const auto& books = summary.at("books").as_object();
  ASSERT_EQ(books.size(), 2U);
  for (const auto& [symbol, value] : books) {
    const auto& b = value.as_object();
    ASSERT_TRUE(b.at("bid").is_string()) << symbol;
    ASSERT_TRUE(b.at("ask").is_string()) << symbol;
    EXPECT_LT(std::stod(std::string(b.at("bid").as_string())),
              std::stod(std::string(b.at("ask").as_string())));
    EXPECT_TRUE(b.at("valid").as_bool());
  }
  // BTC/USD has price precision 1: the decimal string keeps it.
  const std::string btc_bid(books.at("BTC/USD").at("bid").as_string());
  EXPECT_EQ(btc_bid.size() - btc_bid.find('.'), 2U) << btc_bid;

  std::istringstream csv(file_text(bars));
  std::string line;
  ASSERT_TRUE(std::getline(csv, line));
  EXPECT_EQ(line, "timestamp,open,high,low,close,volume,symbol,interval,quote_volume,trades,vwap");
  std::int64_t rows = 0;
  while (std::getline(csv, line)) {
    ++rows;
    EXPECT_NE(line.find(",1,"), std::string::npos) << line;
  }
  EXPECT_EQ(rows, bars_1m);
}

// A summary that cannot be written is a failure with the reason (it exited 0).
TEST_F(ReplayCli, AFailedSummaryWriteSaysWhy) {
  if (!fs::exists("/dev/full")) GTEST_SKIP() << "no /dev/full";
  const CliOutcome o = tg4::testing::run_cli(dir_, TG4_BINARY, "replay", {kSample.string()}, "/dev/full");
  EXPECT_EQ(o.code, 1);
  EXPECT_NE(o.err.find("tg4 replay: writing the summary to stdout: No space left on device"),
            std::string::npos)
      << o.err;
}

TEST_F(ReplayCli, MissingFileIsAUsageError) {
  const CliOutcome o = run({(dir_ / "nope.jsonl").string()});
  EXPECT_EQ(o.code, 2);
  EXPECT_NE(o.err.find("cannot open"), std::string::npos) << o.err;
  EXPECT_NE(o.err.find("nope.jsonl"), std::string::npos) << o.err;
  EXPECT_TRUE(o.out.empty());
}

TEST_F(ReplayCli, MalformedLinesAreCountedAndReported) {
  const fs::path file = dir_ / "broken.jsonl";
  {
    std::ifstream in(kSample);
    std::ofstream out(file);
    std::string line;
    for (int n = 1; std::getline(in, line); ++n) {
      if (n == 3) out << "{\"channel\":\"book\"\n";  // truncated
      if (n == 5) out << "this is not json\n";       // garbage
      if (n == 7)
        out << R"({"channel":"trade","data":[{}]})"
            << "\n";  // missing fields
      out << line << "\n";
    }
  }
  const CliOutcome o = run({file.string()});
  ASSERT_EQ(o.code, 0) << o.err;
  const auto summary = boost::json::parse(o.out).as_object();
  EXPECT_EQ(summary.at("parse_errors").to_number<std::int64_t>(), 3);
  EXPECT_EQ(summary.at("frames").to_number<std::int64_t>(), 1773);
  EXPECT_EQ(summary.at("checksum_mismatch").to_number<std::int64_t>(), 0);
  EXPECT_NE(o.err.find("broken.jsonl:3:"), std::string::npos) << o.err;
  EXPECT_NE(o.err.find("broken.jsonl:6:"), std::string::npos) << o.err;
  EXPECT_NE(o.err.find("broken.jsonl:9: data[0]: missing 'symbol'"), std::string::npos) << o.err;
}

TEST_F(ReplayCli, NoFileArgumentIsAUsageError) {
  const CliOutcome o = run({});
  EXPECT_EQ(o.code, 2);
  EXPECT_NE(o.err.find("FILE"), std::string::npos) << o.err;
}

}  // namespace
