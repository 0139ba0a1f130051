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
      duplicate_trades_(prometheus::BuildCounter()
                            .Name("tg4_bar_duplicate_trades_total")
                            .Help("Trades dropped as already taken (same trade_id and time, e.g. "
                                  "a reconnect's trade snapshot) or as part of the stored history, "
                                  "by symbol")
                            .Register(registry)),
      rejected_trades_(
          prometheus::BuildCounter()
              .Name("tg4_bar_rejected_trades_total")
              .Help("Trades rejected and kept out of bars, prices and strategies, by "
                    "symbol and reason: invalid (price or size zero or negative, or "
                    "beyond Decimal), future (stamped ahead of the local clock by more "
                    "than feed.future_trade_tolerance)")
              .Register(registry)),
      revisions_(prometheus::BuildCounter()
                     .Name("tg4_bar_revisions_total")
                     .Help("Closed 1-minute bars emitted (and stored) again with late trades, by "
                           "symbol")
                     .Register(registry)),
      id_resets_(prometheus::BuildCounter()
                     .Name("tg4_trade_id_resets_total")
                     .Help("Times the exchange numbered a symbol's trades anew (trade_id below "
                           "the ids recently seen, or a known id for another trade)")
                     .Register(registry)),
      data_age_(prometheus::BuildGauge()
                    .Name("tg4_market_data_age_seconds")
                    .Help("Seconds since the symbol's last trade or book update (since the start "
                          "while it has had none)")
                    .Register(registry)),
      stale_(prometheus::BuildGauge()
                 .Name("tg4_market_data_stale")
                 .Help("1 while the feed is up but the symbol has had no trade or book update for "
                       "market.stale_after")
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
    s.duplicate_trades = &duplicate_trades_.Add(labels);
    s.rejected_invalid = &rejected_trades_.Add({{"symbol", symbol}, {"reason", "invalid"}});
    s.rejected_future = &rejected_trades_.Add({{"symbol", symbol}, {"reason", "future"}});
    s.revisions = &revisions_.Add(labels);
    s.id_resets = &id_resets_.Add(labels);
    s.data_age = &data_age_.Add(labels);
    s.stale = &stale_.Add(labels);
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

void MarketMetrics::on_trade_result(const std::string& symbol, BarAggregator::TradeResult result) {
  using R = BarAggregator::TradeResult;
  switch (result) {
    case R::kApplied:
      return;
    case R::kLate:
    case R::kRevised:
      series(symbol).late_trades->Increment();
      return;
    case R::kDuplicate:
      series(symbol).duplicate_trades->Increment();
      return;
    case R::kRejected:
      series(symbol).rejected_invalid->Increment();
      return;
    case R::kFuture:
      series(symbol).rejected_future->Increment();
      return;
  }
}

void MarketMetrics::on_bar_revision(const std::string& symbol) {
  series(symbol).revisions->Increment();
}

void MarketMetrics::on_trade_id_reset(const std::string& symbol) {
  series(symbol).id_resets->Increment();
}

void MarketMetrics::on_data_age(const std::string& symbol, double seconds, bool stale) {
  SymbolSeries& s = series(symbol);
  s.data_age->Set(seconds);
  s.stale->Set(stale ? 1.0 : 0.0);
}

}  // namespace tg4::market
