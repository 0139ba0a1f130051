#pragma once
// MarketMetrics: the book and bar families of SPEC §11, fed where books are verified and bars built
// (the kernel, `tg4 replay`). Feed-level families (messages by channel, parse errors, message age,
// reconnects, feed up) are kraken::FeedMetrics. Label sets are bounded: symbols come from the
// configured instruments, intervals from the roll-up list, reasons from TradeResult.
#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include <map>
#include <string>

#include "core/events.hpp"
#include "market/bar_aggregator.hpp"
#include "market/order_book.hpp"

namespace tg4::market {

class MarketMetrics {
 public:
  explicit MarketMetrics(prometheus::Registry& registry);

  // After OrderBook::apply: counts mismatches and tracks the book's validity.
  void on_book(const std::string& symbol, ApplyResult result, bool valid);
  void on_book_invalidated(const std::string& symbol);
  void on_bar(const core::Bar& bar);
  void on_bar_mismatch(const std::string& symbol);
  // What BarAggregator::on_trade said of a trade: late (revised or not), duplicate, rejected (by
  // reason); applied trades count nothing here.
  void on_trade_result(const std::string& symbol, BarAggregator::TradeResult result);
  void on_bar_revision(const std::string& symbol);
  void on_trade_id_reset(const std::string& symbol);
  // Seconds since the symbol's last trade or book update, and whether that makes it stale.
  void on_data_age(const std::string& symbol, double seconds, bool stale);

 private:
  struct SymbolSeries {
    prometheus::Counter* checksum_mismatch = nullptr;
    prometheus::Gauge* book_valid = nullptr;
    prometheus::Counter* bar_mismatch = nullptr;
    prometheus::Counter* late_trades = nullptr;
    prometheus::Counter* duplicate_trades = nullptr;
    prometheus::Counter* rejected_invalid = nullptr;
    prometheus::Counter* rejected_future = nullptr;
    prometheus::Counter* revisions = nullptr;
    prometheus::Counter* id_resets = nullptr;
    prometheus::Gauge* data_age = nullptr;
    prometheus::Gauge* stale = nullptr;
  };
  SymbolSeries& series(const std::string& symbol);

  prometheus::Family<prometheus::Counter>& checksum_mismatch_;
  prometheus::Family<prometheus::Gauge>& book_valid_;
  prometheus::Family<prometheus::Counter>& bar_mismatch_;
  prometheus::Family<prometheus::Counter>& late_trades_;
  prometheus::Family<prometheus::Counter>& duplicate_trades_;
  prometheus::Family<prometheus::Counter>& rejected_trades_;
  prometheus::Family<prometheus::Counter>& revisions_;
  prometheus::Family<prometheus::Counter>& id_resets_;
  prometheus::Family<prometheus::Gauge>& data_age_;
  prometheus::Family<prometheus::Gauge>& stale_;
  prometheus::Family<prometheus::Counter>& bars_;
  std::map<std::string, SymbolSeries, std::less<>> symbols_;
  std::map<int, prometheus::Counter*> bars_by_interval_;
};

}  // namespace tg4::market
