// Each data source of `tg4 backtest --data`: candles CSV (both formats), recorded frames, the
// store; and bad input named by file and line.
#include <gtest/gtest.h>

#include "backtest/backtest.hpp"
#include "backtest_support.hpp"
#include "storage/batch.hpp"
#include "storage/store.hpp"

namespace tg4::backtest::testing {
namespace {

std::string csv_rows(int count, int step_minutes, bool header = true) {
  std::string out = header ? "timestamp,open,high,low,close,volume\n" : "";
  for (int i = 0; i < count; ++i) {
    const std::int64_t t = kT0.seconds() + std::int64_t{i} * step_minutes * 60;
    const int p = 30000 + (i % 7) * 10 - (i % 3) * 15;
    out += std::to_string(t) + "," + std::to_string(p) + "," + std::to_string(p + 40) + "," +
           std::to_string(p - 40) + "," + std::to_string(p + 5) + ",1.5" + (header ? "" : ",12") +
           "\n";
  }
  return out;
}

core::Result<MarketData> load_csv(const std::filesystem::path& path,
                                  const std::string& symbol = "BTC/USDT") {
  auto source = parse_data_source(path.string(), symbol, "sqlite::memory:");
  if (!source) return source.error();
  return load_market_data(*source);
}

TEST(BacktestData, ParseDataSourceKinds) {
  auto csv = parse_data_source("data/btc.csv", "XRP/USDT", "sqlite:x.db");
  ASSERT_TRUE(csv);
  EXPECT_EQ(csv->kind, DataKind::kCandlesCsv);
  EXPECT_EQ(csv->symbols, std::vector<std::string>{"XRP/USDT"});
  auto frames = parse_data_source("rec/feed.jsonl", "", "sqlite:x.db");
  ASSERT_TRUE(frames);
  EXPECT_EQ(frames->kind, DataKind::kFrames);
  auto store = parse_data_source("store:BTC/USDT, XRP/USDT@1h", "", "sqlite:x.db");
  ASSERT_TRUE(store);
  EXPECT_EQ(store->kind, DataKind::kStore);
  EXPECT_EQ(store->store_url, "sqlite:x.db");
  EXPECT_EQ(store->symbols, (std::vector<std::string>{"BTC/USDT", "XRP/USDT"}));
  EXPECT_EQ(store->timeframe_minutes, 60);
  auto bad = parse_data_source("store:BTC/USDT@7q", "", "sqlite:x.db");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("7q"), std::string::npos) << bad.error().message;
}

TEST(BacktestData, CandlesCsvWithDetectedInterval) {
  TempDir dir("tg4-bt-csv");
  write_text(dir.path() / "btc_5m.csv", csv_rows(300, 5));
  auto data = load_csv(dir.path() / "btc_5m.csv");
  ASSERT_TRUE(data) << data.error().message;
  EXPECT_EQ(data->interval_minutes, 5);
  ASSERT_EQ(data->bars.size(), 1u);
  EXPECT_EQ(data->bars[0].symbol, "BTC/USDT");
  EXPECT_EQ(data->bars[0].bars.size(), 300u);
  EXPECT_EQ(data->first_time(), kT0);
  EXPECT_EQ(data->end_time(), kT0 + std::chrono::minutes(5 * 300));

  // The strategy trades the candles' interval; the bar aggregator rebuilds 5-minute bars from the
  // synthetic trades, so the strategy sees exactly the file's candles.
  BacktestSpec spec = simple_spec(nullptr, "ema_cross");
  auto r = run_backtest(spec, *data);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->summary.bars, 300u);
  EXPECT_EQ(r->summary.params.at("timeframe"), "5");
  ASSERT_EQ(r->charts.size(), 1u);
  ASSERT_EQ(r->charts[0].candles.size(), 300u);
  for (std::size_t i = 0; i < 300; ++i) {
    const core::Bar& want = data->bars[0].bars[i];
    const core::Bar& got = r->charts[0].candles[i];
    ASSERT_EQ(got.open_time, want.open_time) << i;
    ASSERT_EQ(got.open, want.open) << i;
    ASSERT_EQ(got.high, want.high) << i;
    ASSERT_EQ(got.low, want.low) << i;
    ASSERT_EQ(got.close, want.close) << i;
    ASSERT_EQ(got.volume, want.volume) << i;
  }
  EXPECT_EQ(r->charts[0].overlays.size(), 2u);  // ema(9), ema(21)
}

TEST(BacktestData, KrakenOhlcvtWithoutHeader) {
  TempDir dir("tg4-bt-ohlcvt");
  write_text(dir.path() / "XBTUSDT_1.csv", csv_rows(120, 1, false));
  auto data = load_csv(dir.path() / "XBTUSDT_1.csv");
  ASSERT_TRUE(data) << data.error().message;
  EXPECT_EQ(data->interval_minutes, 1);
  EXPECT_EQ(data->bars[0].bars.size(), 120u);
}

TEST(BacktestData, BadCsvNamesFileAndLine) {
  TempDir dir("tg4-bt-bad");
  std::string text = csv_rows(10, 1);
  text.insert(text.find('\n', text.find('\n', text.find('\n') + 1) + 1) + 1,
              "1704067380,1,2,x,1,1\n");
  write_text(dir.path() / "bad.csv", text);
  auto data = load_csv(dir.path() / "bad.csv");
  ASSERT_FALSE(data);
  const std::string expected = (dir.path() / "bad.csv").string() + ":4:";
  EXPECT_NE(data.error().message.find(expected), std::string::npos) << data.error().message;
  EXPECT_NE(data.error().message.find("low"), std::string::npos) << data.error().message;

  // Out of order: the reader's spacing check names the line.
  std::string swapped = csv_rows(5, 1);
  const auto l2 = swapped.find('\n') + 1;
  const auto l3 = swapped.find('\n', l2) + 1;
  const auto l4 = swapped.find('\n', l3) + 1;
  swapped = swapped.substr(0, l2) + swapped.substr(l3, l4 - l3) + swapped.substr(l2, l3 - l2) +
            swapped.substr(l4);
  write_text(dir.path() / "order.csv", swapped);
  data = load_csv(dir.path() / "order.csv");
  ASSERT_FALSE(data);
  EXPECT_NE(data.error().message.find("order.csv:3:"), std::string::npos) << data.error().message;

  auto missing = load_csv(dir.path() / "missing.csv");
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("missing.csv"), std::string::npos);

  write_text(dir.path() / "two_minutes.csv", csv_rows(10, 2));
  data = load_csv(dir.path() / "two_minutes.csv");
  ASSERT_FALSE(data);
  EXPECT_NE(data.error().message.find("interval 2 minutes"), std::string::npos)
      << data.error().message;

  write_text(dir.path() / "ok.csv", csv_rows(10, 1));
  data = load_csv(dir.path() / "ok.csv", "BTCUSDT");
  ASSERT_FALSE(data);
  EXPECT_NE(data.error().message.find("BASE/QUOTE"), std::string::npos) << data.error().message;
}

TEST(BacktestData, RecordedFrames) {
  DataSource source;
  source.kind = DataKind::kFrames;
  source.path = std::filesystem::path(TG4_SOURCE_DIR) / "tests/data/kraken_sim_sample.jsonl";
  auto data = load_market_data(source);
  ASSERT_TRUE(data) << data.error().message;
  EXPECT_EQ(data->symbols(), (std::vector<std::string>{"BTC/USD", "ETH/USD"}));
  EXPECT_EQ(data->book_depth, 10);
  EXPECT_GT(data->events.size(), 1000u);

  BacktestSpec spec = simple_spec(nullptr, "ema_cross");
  spec.base.reporting_currency = "USD";
  spec.base.starting_balances = {{"USD", D("10000")}};
  spec.params = {{"fast", "2"}, {"slow", "3"}, {"atr_period", "2"}};
  auto first = run_backtest(spec, *data);
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(first->summary.initial_equity, D("10000"));
  EXPECT_GT(first->summary.events, 1000u);
  EXPECT_GT(first->summary.bars, 0u);
  EXPECT_FALSE(first->equity.empty());
  auto second = run_backtest(spec, *data);
  ASSERT_TRUE(second);
  EXPECT_EQ(summary_json_text(first->summary), summary_json_text(second->summary));
  EXPECT_EQ(orders_csv(first->orders), orders_csv(second->orders));
}

TEST(BacktestData, BadFramesNameFileAndLine) {
  TempDir dir("tg4-bt-frames");
  const std::string good =
      read_text(std::filesystem::path(TG4_SOURCE_DIR) / "tests/data/kraken_sim_sample.jsonl");
  write_text(dir.path() / "f.jsonl",
             good.substr(0, good.find('\n', good.find('\n') + 1) + 1) + "{\"channel\":\n");
  DataSource source;
  source.kind = DataKind::kFrames;
  source.path = dir.path() / "f.jsonl";
  auto data = load_market_data(source);
  ASSERT_FALSE(data);
  EXPECT_NE(data.error().message.find("f.jsonl:3:"), std::string::npos) << data.error().message;
}

TEST(BacktestData, StoreBars) {
  TempDir dir("tg4-bt-store");
  const std::string url = "sqlite:" + (dir.path() / "tg4.db").string();
  {
    auto store = storage::open_store(url);
    ASSERT_TRUE(store) << store.error().message;
    storage::Batch batch;
    for (int m = 0; m < 240; ++m) {
      core::Bar b = flat_bar(m, std::to_string(10000 + (m % 9) * 10), "20");
      b.close = b.close + D("5");
      b.high = b.high + D("5");
      b.quote_volume = b.volume * b.close;
      b.vwap = b.close;
      b.trades = 3;
      batch.add(b);
    }
    ASSERT_TRUE((*store)->write(batch));
  }
  auto source = parse_data_source("store:BTC/USDT", "", url);
  ASSERT_TRUE(source);
  auto data = load_market_data(*source);
  ASSERT_TRUE(data) << data.error().message;
  EXPECT_EQ(data->kind, DataKind::kStore);
  EXPECT_EQ(data->interval_minutes, 1);
  ASSERT_EQ(data->bars.size(), 1u);
  EXPECT_EQ(data->bars[0].bars.size(), 240u);
  auto r = run_backtest(simple_spec(nullptr, "ema_cross"), *data);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->summary.bars, 240u);

  // 15-minute bars rolled up by the store: 240 stored minutes are 16 closed buckets.
  source = parse_data_source("store:BTC/USDT@15m", "", url);
  data = load_market_data(*source);
  ASSERT_TRUE(data) << data.error().message;
  EXPECT_EQ(data->interval_minutes, 15);
  EXPECT_EQ(data->bars[0].bars.size(), 16u);

  source = parse_data_source("store:ETH/USDT", "", url);
  data = load_market_data(*source);
  ASSERT_FALSE(data);
  EXPECT_NE(data.error().message.find("ETH/USDT"), std::string::npos) << data.error().message;
}

}  // namespace
}  // namespace tg4::backtest::testing
