#pragma once
// A synthetic candle series for sweep and walk-forward tests: BTC/USDT bars along a slow
// sine wave with a drift and a faster ripple, so EMA crossovers trade and different periods give
// different results. Fully deterministic.
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <numbers>
#include <sstream>
#include <string>

#include "backtest/backtest.hpp"

namespace tg4::backtest::fixtures {

// 2024-03-01T00:00:00Z
inline constexpr core::Timestamp kSeriesStart = core::Timestamp::from_seconds(1'709'251'200);

inline MarketData synthetic_series(int bars, int interval_minutes) {
  MarketData data;
  data.kind = DataKind::kCandlesCsv;
  data.interval_minutes = interval_minutes;
  data.description = "synthetic series";
  SymbolBars series{"BTC/USDT", {}};
  double previous = 100.0;
  for (int i = 0; i < bars; ++i) {
    const double x = static_cast<double>(i);
    const double close = 100.0 * (1.0 + 0.08 * std::sin(2 * std::numbers::pi * x / 120.0) +
                                  0.02 * std::sin(2 * std::numbers::pi * x / 17.0) + 0.0004 * x);
    core::Bar bar;
    bar.symbol = series.symbol;
    bar.interval_minutes = interval_minutes;
    bar.open_time =
        kSeriesStart + std::chrono::minutes(static_cast<std::int64_t>(i) * interval_minutes);
    bar.open = core::Decimal::from_double(previous, 2);
    bar.close = core::Decimal::from_double(close, 2);
    bar.high = core::Decimal::from_double(std::max(previous, close) * 1.003, 2);
    bar.low = core::Decimal::from_double(std::min(previous, close) * 0.997, 2);
    bar.volume = core::Decimal::from_int(10);
    bar.quote_volume = bar.volume * bar.close;
    bar.vwap = bar.close;
    bar.trades = 20;
    series.bars.push_back(bar);
    previous = close;
  }
  data.bars.push_back(std::move(series));
  return data;
}

inline BacktestSpec ema_cross_spec() {
  BacktestSpec spec;
  spec.strategy = "ema_cross";
  spec.symbols = {"BTC/USDT"};
  return spec;
}

inline std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace tg4::backtest::fixtures
