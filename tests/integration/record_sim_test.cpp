// `tg4 record` against the real `tg4 sim`: frames land one per line exactly as sent (each a JSON
// object), recording survives dropped connections, SIGINT/SIGTERM stop it with a clean flush, and
// `tg4 replay` of the file shows verified books and bars. Bad arguments exit 2 naming the problem.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "integration/feed_sim_support.hpp"

namespace tg4 {
namespace {

using namespace std::chrono_literals;
using feed_testing::SimProcess;
using feed_testing::TempDir;
using feed_testing::Tg4Process;
namespace json = boost::json;

std::vector<std::string> lines_of(const std::string& path) {
  std::vector<std::string> lines;
  std::string text = feed_testing::read_text(path);
  std::size_t start = 0;
  while (start < text.size()) {
    const auto nl = text.find('\n', start);
    if (nl == std::string::npos) {
      lines.push_back(text.substr(start) + "<no newline>");
      break;
    }
    lines.push_back(text.substr(start, nl - start));
    start = nl + 1;
  }
  return lines;
}

double number(const json::value& v) {
  return v.is_string() ? std::stod(std::string(v.as_string())) : v.to_number<double>();
}

json::object parse_object(const std::string& text) {
  boost::system::error_code ec;
  auto v = json::parse(text, ec);
  if (ec || !v.is_object()) return {};
  return v.as_object();
}

TEST(RecordSim, RecordsThroughDropsThenReplayShowsValidBooksAndBars) {
  TempDir dir;
  SimProcess sim(dir,
                 {"--seed", "3", "--rate", "30", "--history-days", "1", "--faults", "drop=2s"});
  const auto out = dir.file("frames.jsonl");
  Tg4Process record({"record", "--out", out, "--url", sim.ws_url, "--symbols", "BTC/USDT,XRP/BTC",
                     "--channels", "book:25,trade,ohlc:1,instrument,status", "--duration", "7"},
                    dir.file("record.stderr"));
  ASSERT_EQ(record.wait(30s), 0) << record.stderr_text();
  const auto summary = parse_object(record.rest_of_stdout(5s));
  ASSERT_FALSE(summary.empty()) << record.stderr_text();
  EXPECT_GE(summary.at("connects").as_int64(), 3)
      << "drops every 2 s: recording goes on across them";
  EXPECT_GE(summary.at("reconnects").as_int64(), 2);
  EXPECT_EQ(summary.at("file").as_string(), out);

  const auto lines = lines_of(out);
  ASSERT_EQ(static_cast<std::int64_t>(lines.size()), summary.at("frames").as_int64());
  ASSERT_GT(lines.size(), 100u);
  std::size_t book_snapshots = 0;
  for (const auto& line : lines) {
    const auto o = parse_object(line);
    ASSERT_FALSE(o.empty()) << "not one JSON object per line: " << line.substr(0, 200);
    if (line.find(R"("channel":"book","type":"snapshot")") != std::string::npos) ++book_snapshots;
  }
  EXPECT_GE(book_snapshots, 2u * 3u) << "two books, a snapshot on each connection";

  Tg4Process replay({"replay", out, "--bars-out", dir.file("bars.csv")}, dir.file("replay.stderr"));
  ASSERT_EQ(replay.wait(60s), 0) << replay.stderr_text();
  const auto r = parse_object(replay.rest_of_stdout(5s));
  ASSERT_FALSE(r.empty()) << replay.stderr_text();
  EXPECT_EQ(r.at("parse_errors").as_int64(), 0);
  EXPECT_EQ(r.at("frames").as_int64(), static_cast<std::int64_t>(lines.size()));
  EXPECT_GE(r.at("book_snapshots").as_int64(), static_cast<std::int64_t>(book_snapshots));
  EXPECT_GT(r.at("checksum_ok").as_int64(), 50);
  EXPECT_EQ(r.at("checksum_mismatch").as_int64(), 0);
  EXPECT_GT(r.at("trades").as_int64(), 0);
  const auto& books = r.at("books").as_object();
  for (const char* symbol : {"BTC/USDT", "XRP/BTC"}) {
    ASSERT_TRUE(books.contains(symbol)) << json::serialize(r);
    const auto& b = books.at(symbol).as_object();
    const auto bid = number(b.at("bid"));
    const auto ask = number(b.at("ask"));
    EXPECT_LT(bid, ask) << symbol;
  }
}

TEST(RecordSim, ReplayOfARecordingSpanningMinutesShowsBars) {
  TempDir dir;
  // 30 simulated seconds per second: a 6 s recording spans three minutes of trades.
  SimProcess sim(dir, {"--deterministic", "--speed", "30", "--rate", "5", "--seed", "8",
                       "--history-days", "1"});
  const auto out = dir.file("frames.jsonl");
  Tg4Process record({"record", "--out", out, "--url", sim.ws_url, "--symbols", "BTC/USDT,XRP/USDT",
                     "--channels", "book,trade", "--duration", "6"},
                    dir.file("record.stderr"));
  ASSERT_EQ(record.wait(30s), 0) << record.stderr_text();
  const auto bars_csv = dir.file("bars.csv");
  Tg4Process replay({"replay", out, "--bars-out", bars_csv}, dir.file("replay.stderr"));
  ASSERT_EQ(replay.wait(60s), 0) << replay.stderr_text();
  const auto r = parse_object(replay.rest_of_stdout(5s));
  ASSERT_FALSE(r.empty()) << replay.stderr_text();
  EXPECT_EQ(r.at("checksum_mismatch").as_int64(), 0);
  EXPECT_GE(r.at("bars_1m").as_int64(), 2) << json::serialize(r);
  const auto csv = lines_of(bars_csv);
  ASSERT_GE(csv.size(), 3u) << "a header and the bars";
  EXPECT_EQ(csv[0].rfind("timestamp,open,high,low,close,volume", 0), 0u);
}

TEST(RecordSim, SigintAndSigtermStopWithACompleteFile) {
  for (const int sig : {SIGINT, SIGTERM}) {
    TempDir dir;
    SimProcess sim(dir, {"--seed", "5", "--rate", "50", "--history-days", "1"});
    const auto out = dir.file("frames.jsonl");
    Tg4Process record({"record", "--out", out, "--url", sim.ws_url, "--symbols", "BTC/USDT",
                       "--channels", "book,trade"},
                      dir.file("record.stderr"));
    // Wait until frames reach the file (flushed at least once a second).
    const auto deadline = std::chrono::steady_clock::now() + 20s;
    while (std::chrono::steady_clock::now() < deadline && lines_of(out).size() < 20) {
      ASSERT_EQ(record.wait(100ms), -1) << "record exited early: " << record.stderr_text();
    }
    record.signal(sig);
    ASSERT_EQ(record.wait(10s), 0) << record.stderr_text();
    const auto summary = parse_object(record.rest_of_stdout(5s));
    const auto lines = lines_of(out);
    ASSERT_EQ(static_cast<std::int64_t>(lines.size()), summary.at("frames").as_int64());
    for (const auto& line : lines) ASSERT_FALSE(parse_object(line).empty()) << line.substr(0, 200);
    EXPECT_NE(record.stderr_text().find(sig == SIGINT ? "SIGINT" : "SIGTERM"), std::string::npos);
  }
}

TEST(RecordSim, BadArgumentsExitTwoNamingThem) {
  TempDir dir;
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"record", "--out", dir.file("x"), "--channels", "books"}, "books"},
      {{"record", "--out", dir.file("x"), "--symbols", "BTCUSD"}, "BTCUSD"},
      {{"record", "--out", dir.file("x"), "--url", "http://127.0.0.1/v2"}, "http://127.0.0.1/v2"},
      {{"record", "--out", dir.file("no/such/dir/x")}, "no/such/dir/x"},
      {{"record", "--out", dir.file("x"), "--url", "wss://127.0.0.1:1/v2", "--ca-file",
        "/nonexistent.pem"},
       "/nonexistent.pem"},
  };
  for (const auto& [args, must_mention] : cases) {
    Tg4Process p(args, dir.file("bad.stderr"));
    EXPECT_EQ(p.wait(30s), 2) << p.stderr_text();
    EXPECT_NE(p.stderr_text().find(must_mention), std::string::npos) << p.stderr_text();
  }
}

}  // namespace
}  // namespace tg4
