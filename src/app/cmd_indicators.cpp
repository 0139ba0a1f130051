// `tg4 indicators --input CSV [--out CSV]` (SPEC §12): every §5 indicator for each candle of a
// candles CSV (header `timestamp,open,high,low,close,volume`, or Kraken's OHLCVT files), one row
// per candle with the columns of market/indicators/indicator_csv.hpp; to stdout without --out.
#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>

#include "app/command.hpp"
#include "market/candles_csv.hpp"
#include "market/indicators/indicator_csv.hpp"

namespace tg4::app {
namespace {

struct IndicatorsArgs {
  std::string input;
  std::string out;
};

int run_indicators(const IndicatorsArgs& args) {
  if (const auto missing = missing_input("--input", args.input))
    return usage_error("indicators", *missing);
  market::CandleReadOptions options;
  options.interval_minutes = std::max(1, market::interval_from_file_name(args.input));
  auto candles = market::read_candles_csv(args.input, options);
  if (!candles) {
    std::cerr << "tg4 indicators: " << candles.error().message << "\n";
    return kExitFailure;
  }
  // An empty or header-only file is a wrong file, not a result of no rows (as in tg4 backtest).
  if (candles->bars.empty()) {
    std::cerr << "tg4 indicators: " << args.input << ": no candles\n";
    return kExitFailure;
  }
  market::IndicatorSet set;
  std::string text = market::indicator_csv_header();
  text.reserve(text.size() * (candles->bars.size() + 1));
  for (const core::Bar& bar : candles->bars) {
    set.update(bar);
    market::append_indicator_csv_row(set.snapshot(), text);
  }
  if (args.out.empty()) {
    return write_stdout("indicators", "indicators", text) ? kExitOk : kExitFailure;
  }
  // Written in place (not core::write_text_file's temporary and rename): --out may be a device or
  // a pipe. The reason is errno of the failed open or write, as the person needs it to act.
  errno = 0;
  std::ofstream out(args.out, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) {
    std::cerr << "tg4 indicators: cannot write " << args.out << ": "
              << write_failure_reason() << "\n";
    return kExitFailure;
  }
  return kExitOk;
}

}  // namespace

void add_indicators_command(CLI::App& root, CommandContext& ctx) {
  auto args = std::make_shared<IndicatorsArgs>();
  CLI::App* cmd =
      add_command(root, ctx, "indicators", "Compute every indicator for each candle of a CSV",
                  [args] { return run_indicators(*args); });
  cmd->add_option("--input", args->input,
                  "candles CSV (timestamp,open,high,low,close,volume or Kraken OHLCVT)")
      ->required();
  cmd->add_option("--out", args->out, "output CSV (default: stdout)");
}

}  // namespace tg4::app
