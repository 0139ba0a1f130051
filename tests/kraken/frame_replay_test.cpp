// FrameReplay over the recorded simulator sample (tests/data/kraken_sim_sample.jsonl: `tg4 sim
// --seed 7 --rate 1 --start 2024-01-01T00:00:00Z --speed 60`, BTC/USD and ETH/USD, book depth 10,
// trade, ticker, ohlc 1m, instrument): every book verifies, bars match the simulator's candles, and
// corrupted copies are counted as they should be.
#include "kraken/frame_replay.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace tg4::kraken {
namespace {

std::vector<std::string> sample_lines() {
  std::ifstream in(std::string(TG4_SOURCE_DIR) + "/tests/data/kraken_sim_sample.jsonl");
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

void run(FrameReplay& replay, const std::vector<std::string>& lines) {
  std::uint64_t n = 0;
  for (const auto& line : lines) replay.feed(line, ++n);
}

TEST(FrameReplay, SimulatorSampleVerifies) {
  const auto lines = sample_lines();
  ASSERT_GT(lines.size(), 1000U);
  std::vector<core::Bar> bars;
  FrameReplay replay([&](const core::Bar& b) { bars.push_back(b); });
  run(replay, lines);
  const auto& s = replay.summary();
  EXPECT_EQ(s.frames, lines.size());
  EXPECT_EQ(s.parse_errors, 0U);
  EXPECT_EQ(s.book_snapshots, 2U);
  EXPECT_GT(s.book_updates, 500U);
  EXPECT_EQ(s.checksum_ok, s.book_snapshots + s.book_updates);
  EXPECT_EQ(s.checksum_mismatch, 0U);
  EXPECT_EQ(s.resubscribes, 0U);
  EXPECT_GT(s.trades, 200U);
  EXPECT_GE(s.bars_1m, 8U);  // ~5 simulated minutes, 2 symbols; the last minute stays open
  EXPECT_EQ(s.bar_mismatches, 0U);
  EXPECT_GT(replay.bars().stats().compared,
            4U);  // our complete minutes agreed with the sim's candles
  ASSERT_EQ(replay.books().size(), 2U);
  for (const auto& [symbol, book] : replay.books()) {
    EXPECT_TRUE(book.valid()) << symbol;
    EXPECT_EQ(book.depth(), 10U);
    EXPECT_EQ(book.bids().size(), 10U);
    EXPECT_LT(book.best_bid()->price, book.best_ask()->price);
  }
  EXPECT_EQ(replay.books().at("ETH/USD").price_precision(), 5);  // from the instrument frame
  const std::string json = replay.summary_json();
  for (const char* key : {"\"frames\":", "\"parse_errors\":0", "\"book_snapshots\":2",
                          "\"checksum_ok\":", "\"checksum_mismatch\":0", "\"resubscribes\":0",
                          "\"trades\":", "\"bars_1m\":", "\"books\":{\"BTC/USD\":{\"bid\":\""}) {
    EXPECT_NE(json.find(key), std::string::npos) << key << " in " << json;
  }
}

TEST(FrameReplay, CorruptedChecksumInvalidatesUntilSnapshot) {
  auto lines = sample_lines();
  // Corrupt the checksum of the first BTC/USD update: the book is invalid for the rest of the file.
  for (auto& line : lines) {
    if (line.find(R"("type":"update","data":[{"symbol":"BTC/USD","bids")") == std::string::npos)
      continue;
    const auto at = line.find("\"checksum\":") + 11;
    line[at] = line[at] == '1' ? '2' : '1';
    break;
  }
  FrameReplay replay;
  run(replay, lines);
  const auto& s = replay.summary();
  EXPECT_EQ(s.checksum_mismatch, 1U);
  EXPECT_EQ(s.resubscribes, 1U);
  EXPECT_FALSE(replay.books().at("BTC/USD").valid());
  EXPECT_TRUE(replay.books().at("ETH/USD").valid());
  EXPECT_LT(s.checksum_ok,
            s.book_snapshots + s.book_updates - 1);  // later BTC updates were ignored
}

TEST(FrameReplay, MalformedLinesAreCountedWithLineNumbers) {
  auto lines = sample_lines();
  lines.insert(lines.begin() + 10,
               R"({"channel":"trade","type":"update","data":[{"symbol":"BTC/USD"}]})");
  lines.insert(lines.begin() + 20, "not json");
  lines.insert(lines.begin() + 30, "");  // blank: skipped, not a frame
  FrameReplay replay({}, 1);
  run(replay, lines);
  EXPECT_EQ(replay.summary().parse_errors, 2U);
  EXPECT_EQ(replay.summary().frames, lines.size() - 1);
  ASSERT_EQ(replay.first_errors().size(), 1U);  // keeps only the first
  EXPECT_EQ(replay.first_errors()[0].line, 11U);
  EXPECT_NE(replay.first_errors()[0].message.find("data[0]: missing 'side'"), std::string::npos);
}

}  // namespace
}  // namespace tg4::kraken
