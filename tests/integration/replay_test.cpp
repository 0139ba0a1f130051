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

namespace {

namespace fs = std::filesystem;

const fs::path kSample = fs::path(TG4_SOURCE_DIR) / "tests/data/kraken_sim_sample.jsonl";

struct Outcome {
  int code = -1;
  std::string out, err;
};

std::string quoted(const std::string& arg) {
  std::string q = "'";
  for (char c : arg) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

class ReplayCli : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* base = std::getenv("TG4_TEST_TMP");
    dir_ = fs::path(base != nullptr ? base : fs::temp_directory_path().string()) /
           ("replay_test_" + std::to_string(getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  Outcome run(const std::string& args) {
    const fs::path out = dir_ / "stdout";
    const fs::path err = dir_ / "stderr";
    const std::string command = quoted(TG4_BINARY) + " replay " + args + " >" +
                                quoted(out.string()) + " 2>" + quoted(err.string());
    const int status = std::system(command.c_str());
    Outcome o;
    o.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    o.out = slurp(out);
    o.err = slurp(err);
    return o;
  }

  fs::path dir_;
};

TEST_F(ReplayCli, SummaryOfTheRecordedSample) {
  const fs::path bars = dir_ / "bars.csv";
  const Outcome o = run(quoted(kSample.string()) + " --bars-out " + quoted(bars.string()));
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

  std::istringstream csv(slurp(bars));
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

TEST_F(ReplayCli, MissingFileIsAUsageError) {
  const Outcome o = run(quoted((dir_ / "nope.jsonl").string()));
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
  const Outcome o = run(quoted(file.string()));
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
  const Outcome o = run("");
  EXPECT_EQ(o.code, 2);
  EXPECT_NE(o.err.find("FILE"), std::string::npos) << o.err;
}

}  // namespace
