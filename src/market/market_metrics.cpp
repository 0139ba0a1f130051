#include "market/market_metrics.hpp"

namespace tg4::market {

MarketMetrics::MarketMetrics(prometheus::Registry& registry)
    : checksum_mismatch_(prometheus::BuildCounter()
                             .Name("tg4_book_checksum_mismatch_total")
                             .Help("Book updates whose CRC32 differed from Kraken's, by symbol")
                             .Register(registry)),
      book_valid_(
          prometheus::BuildGauge()
              .Name("tg4_book_valid")
              .Help("1 while the symbol's book is verified, 0 while it waits for a snapshot")
              .Register(registry)),
      bar_mismatch_(prometheus::BuildCounter()
                        .Name("tg4_bar_mismatch_total")
                        .Help("1-minute bars that differ from Kraken's ohlc candle, by symbol")
                        .Register(registry)),
      late_trades_(prometheus::BuildCounter()
                       .Name("tg4_bar_late_trades_total")
                       .Help("Trades for a minute whose bar had already closed, by symbol")
                       .Register(registry)),
      bars_(prometheus::BuildCounter()
                .Name("tg4_bars_total")
                .Help("Bars closed, by interval in minutes")
                .Register(registry)) {}

MarketMetrics::SymbolSeries& MarketMetrics::series(const std::string& symbol) {
  auto it = symbols_.find(symbol);
  if (it == symbols_.end()) {
    const prometheus::Labels labels{{"symbol", symbol}};
    SymbolSeries s;
    s.checksum_mismatch = &checksum_mismatch_.Add(labels);
    s.book_valid = &book_valid_.Add(labels);
    s.bar_mismatch = &bar_mismatch_.Add(labels);
    s.late_trades = &late_trades_.Add(labels);
    it = symbols_.emplace(symbol, s).first;
  }
  return it->second;
}

void MarketMetrics::on_book(const std::string& symbol, ApplyResult result, bool valid) {
  auto& s = series(symbol);
  if (result == ApplyResult::kChecksumMismatch) s.checksum_mismatch->Increment();
  s.book_valid->Set(valid ? 1.0 : 0.0);
}

void MarketMetrics::on_book_invalidated(const std::string& symbol) {
  series(symbol).book_valid->Set(0.0);
}

void MarketMetrics::on_bar(const core::Bar& bar) {
  auto it = bars_by_interval_.find(bar.interval_minutes);
  if (it == bars_by_interval_.end()) {
    auto& counter = bars_.Add({{"interval", std::to_string(bar.interval_minutes)}});
    it = bars_by_interval_.emplace(bar.interval_minutes, &counter).first;
  }
  it->second->Increment();
}

void MarketMetrics::on_bar_mismatch(const std::string& symbol) {
  series(symbol).bar_mismatch->Increment();
}

void MarketMetrics::on_late_trade(const std::string& symbol) {
  series(symbol).late_trades->Increment();
}

}  // namespace tg4::market
