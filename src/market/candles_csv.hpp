#pragma once
// Candle files (SPEC §12 "File formats"): the candles CSV with the header
// `timestamp,open,high,low,close,volume` (timestamp in Unix seconds or RFC 3339; an optional 7th
// column `trades`), and Kraken's downloadable OHLCVT files (no header: time,open,high,low,close,
// volume,trades). The format is told from the first line. Prices and volumes are exact Decimals.
// Every error names the file and the line, and says what was expected.
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "core/events.hpp"
#include "core/result.hpp"

namespace tg4::market {

enum class CandleFormat : std::uint8_t {
  kHeader,        // timestamp,open,high,low,close,volume[,trades]
  kKrakenOhlcvt,  // time,open,high,low,close,volume,trades without a header
};

struct CandleReadOptions {
  std::string symbol;         // written into each bar
  int interval_minutes = 1;   // written into each bar; with `check_spacing`, the expected step
  bool check_spacing = true;  // timestamps on interval boundaries and strictly increasing
};

struct CandleFile {
  CandleFormat format = CandleFormat::kHeader;
  std::vector<core::Bar> bars;  // oldest first
};

// `source` names the text in errors (a file name).
core::Result<CandleFile> parse_candles_csv(std::string_view text, std::string_view source,
                                           const CandleReadOptions& options = {});
core::Result<CandleFile> read_candles_csv(const std::filesystem::path& path,
                                          const CandleReadOptions& options = {});

// The interval a Kraken OHLCVT file name announces: "XBTUSD_60.csv" -> 60; 0 when it names none.
int interval_from_file_name(const std::filesystem::path& path);

// The pair a Kraken OHLCVT file name announces, as written: "ETHUSD_1.csv" -> "ETHUSD"; empty when
// the name is not NAME_N.csv or NAME does not end in a currency Kraken quotes in (USD, USDT, EUR,
// XBT, ...: "mydata_1.csv" names no pair).
std::string pair_from_file_name(const std::filesystem::path& path);

// Whether `pair` (a file name's, as pair_from_file_name gives it) is Kraken's name of `symbol`
// (WS v2, "BTC/USDT"): its altname "XBTUSDT", "BTCUSDT", or the legacy key form "XXBTZUSD";
// letters' case and separators ('_', '-', '/') do not matter.
bool pair_names_symbol(std::string_view pair, std::string_view symbol);

// A file without VWAP or quote volume (Kraken's OHLCVT files): vwap := the typical price
// (high + low + close) / 3 and quote volume := vwap x volume, an approximation (a bar built from
// trades or Kraken's REST OHLC has the exact VWAP). A bar with a VWAP already is left alone.
void approximate_vwap(core::Bar& bar);

enum class CandleTimeFormat : std::uint8_t { kUnixSeconds, kRfc3339 };

// The header format (with `trades` as a 7th column when with_trades) or Kraken's OHLCVT.
std::string format_candles_csv(const std::vector<core::Bar>& bars,
                               CandleFormat format = CandleFormat::kHeader,
                               CandleTimeFormat time_format = CandleTimeFormat::kUnixSeconds,
                               bool with_trades = false);
// Writes through a temporary file renamed into place, so a reader never sees half a file.
core::Status write_candles_csv(const std::filesystem::path& path,
                               const std::vector<core::Bar>& bars,
                               CandleFormat format = CandleFormat::kHeader,
                               CandleTimeFormat time_format = CandleTimeFormat::kUnixSeconds,
                               bool with_trades = false);

}  // namespace tg4::market
