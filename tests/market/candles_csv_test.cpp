// Candle files: the header CSV (Unix seconds or RFC 3339) and Kraken's OHLCVT files, exact
// decimals, errors that name file and line, and a writer whose output reads back identically.
#include "market/candles_csv.hpp"

#include <gtest/gtest.h>

#include <fstream>

namespace tg4::market {
namespace {

using core::Decimal;

CandleReadOptions btc(int interval = 1) {
  CandleReadOptions o;
  o.symbol = "BTC/USD";
  o.interval_minutes = interval;
  return o;
}

TEST(CandlesCsv, HeaderFormatWithUnixSecondsAndRfc3339) {
  const auto f = parse_candles_csv(
      "timestamp,open,high,low,close,volume\r\n"
      "1704067200,42000.10,42010.5,41990,42005.00,1.23456789\r\n"
      "\n"
      "2024-01-01T00:01:00Z,42005,42020,42000,42015.5,0.5\n",
      "a.csv", btc());
  ASSERT_TRUE(f.ok()) << f.error().message;
  EXPECT_EQ(f->format, CandleFormat::kHeader);
  ASSERT_EQ(f->bars.size(), 2u);
  const auto& b = f->bars[0];
  EXPECT_EQ(b.symbol, "BTC/USD");
  EXPECT_EQ(b.interval_minutes, 1);
  EXPECT_EQ(b.open_time, core::Timestamp::from_seconds(1704067200));
  EXPECT_EQ(b.open, Decimal::must("42000.1"));
  EXPECT_EQ(b.volume, Decimal::must("1.23456789"));
  EXPECT_EQ(f->bars[1].open_time, core::Timestamp::from_seconds(1704067260));
  EXPECT_EQ(f->bars[1].close.to_string(), "42015.5");
}

TEST(CandlesCsv, KrakenOhlcvtWithoutHeader) {
  const auto f = parse_candles_csv(
      "\xEF\xBB\xBF"
      "1381095240,122.0,122.0,122.0,122.0,0.1,1\n1381095300,123.61,123.61,123.61,123.61,0.1,2\n",
      "XBTUSD_1.csv", btc());
  ASSERT_TRUE(f.ok()) << f.error().message;
  EXPECT_EQ(f->format, CandleFormat::kKrakenOhlcvt);
  ASSERT_EQ(f->bars.size(), 2u);
  EXPECT_EQ(f->bars[1].trades, 2);
  EXPECT_EQ(f->bars[1].high, Decimal::must("123.61"));
}

struct BadCase {
  std::string text;
  std::string must_say;
};

class CandlesCsvErrors : public ::testing::TestWithParam<BadCase> {};

TEST_P(CandlesCsvErrors, NameFileLineAndProblem) {
  const auto f = parse_candles_csv(GetParam().text, "data/x.csv", btc());
  ASSERT_FALSE(f.ok());
  EXPECT_NE(f.error().message.find(GetParam().must_say), std::string::npos) << f.error().message;
}

INSTANTIATE_TEST_SUITE_P(
    All, CandlesCsvErrors,
    ::testing::Values(
        BadCase{"timestamp,open,high,low,close\n", "data/x.csv:1: header"},
        BadCase{"timestamp,open,high,low,close,volume\n1704067200,1,2,0.5,1.5\n",
                "data/x.csv:2: expected 6 columns"},
        BadCase{"timestamp,open,high,low,close,volume\n1704067200,abc,2,0.5,1.5,1\n",
                "data/x.csv:2: column 'open': 'abc'"},
        BadCase{"timestamp,open,high,low,close,volume\nyesterday,1,2,0.5,1.5,1\n",
                "data/x.csv:2: column 'timestamp'"},
        BadCase{"1704067200,1,2,0.5,1.5,1\n", "data/x.csv:1: expected 7 columns"},
        BadCase{"1704067200,1,2,0.5,1.5,1,-3\n", "column 'trades'"},
        BadCase{"1704067200,1,0.9,0.5,1.5,1,3\n", "data/x.csv:1: high 0.9"},
        BadCase{"1704067200,1,2,0.5,1.5,-1,3\n", "volume must not be negative"},
        BadCase{"1704067200,0,2,0,1.5,1,3\n", "prices must be positive"},
        BadCase{"1704067230,1,2,0.5,1.5,1,3\n", "not on a 1-minute boundary"},
        // The time as written, not cut to the second (which would be on the minute).
        BadCase{"timestamp,open,high,low,close,volume\n2024-01-01T00:01:00.500Z,1,2,0.5,1.5,1\n",
                "timestamp 2024-01-01T00:01:00.500Z is not on a 1-minute boundary"},
        BadCase{"\n\n1704067260,1,2,0.5,1.5,1,3\n1704067200,1,2,0.5,1.5,1,3\n",
                "data/x.csv:4: timestamp 2024-01-01T00:00:00Z is not after"}));

TEST(CandlesCsv, WriterRoundTripsBothFormats) {
  const auto input = parse_candles_csv(
      "timestamp,open,high,low,close,volume,trades\n"
      "1704067200,42000.1,42010.5,41990,42005,1.23456789,12\n"
      "1704067260,42005,42020,42000,42015.5,0.5,3\n",
      "in.csv", btc());
  ASSERT_TRUE(input.ok()) << input.error().message;
  for (const auto format : {CandleFormat::kHeader, CandleFormat::kKrakenOhlcvt}) {
    for (const auto time : {CandleTimeFormat::kUnixSeconds, CandleTimeFormat::kRfc3339}) {
      const auto text = format_candles_csv(input->bars, format, time, true);
      const auto back = parse_candles_csv(text, "out.csv", btc());
      ASSERT_TRUE(back.ok()) << back.error().message << "\n" << text;
      EXPECT_EQ(back->format, format);
      ASSERT_EQ(back->bars.size(), 2u);
      for (std::size_t i = 0; i < 2; ++i) {
        EXPECT_EQ(back->bars[i].open_time, input->bars[i].open_time);
        EXPECT_EQ(back->bars[i].low, input->bars[i].low);
        EXPECT_EQ(back->bars[i].volume, input->bars[i].volume);
        EXPECT_EQ(back->bars[i].trades, input->bars[i].trades);
      }
    }
  }
  EXPECT_EQ(format_candles_csv(input->bars).substr(0, 53),
            "timestamp,open,high,low,close,volume\n1704067200,42000");
}

TEST(CandlesCsv, FilesOnDisk) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("tg4-candles-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto path = dir / "XBTUSD_60.csv";
  std::vector<core::Bar> bars(1);
  bars[0].open_time = core::Timestamp::from_seconds(1704067200);
  bars[0].open = bars[0].high = bars[0].low = bars[0].close = Decimal::must("1.5");
  bars[0].volume = Decimal::must("2");
  bars[0].trades = 4;
  ASSERT_TRUE(write_candles_csv(path, bars, CandleFormat::kKrakenOhlcvt).ok());
  EXPECT_EQ(interval_from_file_name(path), 60);
  EXPECT_EQ(interval_from_file_name("prices.csv"), 0);
  const auto f = read_candles_csv(path, btc(interval_from_file_name(path)));
  ASSERT_TRUE(f.ok()) << f.error().message;
  EXPECT_EQ(f->bars[0].interval_minutes, 60);
  EXPECT_EQ(f->bars[0].trades, 4);
  const auto missing = read_candles_csv(dir / "nope.csv");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("nope.csv"), std::string::npos);
  // A directory reads as nothing through a stream: it must not pass for a file without rows.
  const auto directory = read_candles_csv(dir);
  ASSERT_FALSE(directory.ok());
  EXPECT_EQ(directory.error().message, dir.string() + ": is a directory");
  EXPECT_FALSE(write_candles_csv(dir / "no-such-dir" / "x.csv", bars).ok());
  std::filesystem::remove_all(dir);
}

// Kraken names its OHLCVT files after the pair (market data audit D7): a file of another pair
// must not be stored under the symbol given.
TEST(CandlesCsv, AFileNameNamesItsPair) {
  EXPECT_EQ(pair_from_file_name("/data/ETHUSD_1.csv"), "ETHUSD");
  EXPECT_EQ(pair_from_file_name("XBTUSDT_1.csv"), "XBTUSDT");
  EXPECT_EQ(pair_from_file_name("xrpxbt_5.CSV"), "xrpxbt");
  EXPECT_EQ(pair_from_file_name("mydata_1.csv"), "") << "names no pair";
  EXPECT_EQ(pair_from_file_name("prices.csv"), "");
  EXPECT_TRUE(pair_names_symbol("XBTUSDT", "BTC/USDT"));
  EXPECT_TRUE(pair_names_symbol("BTCUSDT", "BTC/USDT"));
  EXPECT_TRUE(pair_names_symbol("XXBTZUSD", "BTC/USD"));
  EXPECT_TRUE(pair_names_symbol("xrpxbt", "XRP/BTC"));
  EXPECT_TRUE(pair_names_symbol("XDG_USD", "DOGE/USD"));
  EXPECT_FALSE(pair_names_symbol("ETHUSD", "BTC/USDT"));
  EXPECT_FALSE(pair_names_symbol("XBTUSD", "BTC/USDT")) << "USD is not USDT";
  EXPECT_FALSE(pair_names_symbol("XRPUSDT", "XRP/BTC"));
}

TEST(CandlesCsv, AnOhlcvtBarGetsTheTypicalPriceAsItsVwap) {
  core::Bar bar;
  bar.open = Decimal::must("60000");
  bar.high = Decimal::must("60010");
  bar.low = Decimal::must("59990");
  bar.close = Decimal::must("60005");
  bar.volume = Decimal::must("1.5");
  approximate_vwap(bar);
  EXPECT_EQ(bar.vwap, Decimal::must("60001.6667"));
  EXPECT_EQ(bar.quote_volume, Decimal::must("90002.50005"));
  core::Bar exact = bar;
  exact.vwap = Decimal::must("60002");
  approximate_vwap(exact);
  EXPECT_EQ(exact.vwap, Decimal::must("60002")) << "a VWAP the file had is kept";
}

}  // namespace
}  // namespace tg4::market
