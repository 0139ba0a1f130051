#pragma once
// MarketState: what strategies and agents see of the market, per symbol: for each timeframe the
// recent closed bars and the IndicatorSet, the latest order-book features, and quality flags
// (SPEC §5). Owned by the kernel thread; strategies get const references.
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/events.hpp"
#include "market/indicators/book_features.hpp"
#include "market/indicators/indicator_set.hpp"

namespace tg4::market {

struct QualityFlags {
  bool stale = false;            // nothing new for more than the stale time (kStaleAfter)
  bool too_few_candles = false;  // fewer than kMinCandles closed bars on the base timeframe
  bool no_order_book = false;    // no valid book features
  bool ok() const { return !stale && !too_few_candles && !no_order_book; }

  static constexpr core::Duration kStaleAfter = std::chrono::seconds(60);
  static constexpr std::uint64_t kMinCandles = 20;
};

class TimeframeState {
 public:
  TimeframeState(int interval_minutes, std::size_t history,
                 IndicatorScope scope = IndicatorScope::kAll)
      : interval_(interval_minutes), history_(history), set_(scope) {}
  void on_bar(const core::Bar& bar);

  int interval_minutes() const { return interval_; }
  const IndicatorSnapshot& indicators() const { return set_.snapshot(); }
  // The last closed bars, oldest first (at most the configured history).
  const std::deque<core::Bar>& bars() const { return bars_; }
  std::uint64_t bar_count() const { return set_.snapshot().bars; }

 private:
  int interval_;
  std::size_t history_;
  IndicatorSet set_;
  std::deque<core::Bar> bars_;
};

class SymbolMarket {
 public:
  // `full_timeframe`: computed in full (every indicator, bar history) whatever `scope` says, for a
  // reader other than the strategy (the regime agent); 0: none.
  SymbolMarket(std::string symbol, const std::vector<int>& timeframes, std::size_t history,
               IndicatorScope scope = IndicatorScope::kAll, int full_timeframe = 0);

  const std::string& symbol() const { return symbol_; }
  // nullptr for a timeframe that is not tracked.
  const TimeframeState* timeframe(int interval_minutes) const;
  const std::vector<TimeframeState>& timeframes() const { return timeframes_; }
  const std::optional<BookFeatures>& book() const { return book_; }
  // Last traded or closing price, as the exact Decimal it came with.
  const std::optional<core::Decimal>& last_price() const { return last_price_; }
  core::Timestamp last_update() const { return last_update_; }
  // Flags relative to `now`; the base timeframe is the first one tracked.
  QualityFlags quality(core::Timestamp now) const;
  void set_stale_after(core::Duration d) { stale_after_ = d; }
  std::optional<double> trend_alignment() const;

  // Updates (kernel only). A bar must be closed; bars of untracked intervals are ignored.
  void on_bar(const core::Bar& bar, core::Timestamp received);
  void on_trade(const core::Trade& trade);
  void on_book(std::optional<BookFeatures> features, core::Timestamp time);

 private:
  void touch(core::Timestamp t) {
    if (t > last_update_) last_update_ = t;
  }
  std::string symbol_;
  std::vector<TimeframeState> timeframes_;
  std::optional<BookFeatures> book_;
  std::optional<core::Decimal> last_price_;
  core::Timestamp last_update_;
  core::Duration stale_after_ = QualityFlags::kStaleAfter;
};

class MarketState {
 public:
  static constexpr std::size_t kDefaultHistory = 500;
  // Timeframes in minutes, the first being the base (default 1m, 5m, 15m, 1h, 4h, 1d).
  // kVolatility: ATR-14 only and no bar history (see IndicatorScope).
  // `full_timeframe`: see SymbolMarket.
  explicit MarketState(std::vector<int> timeframes = {1, 5, 15, 60, 240, 1440},
                       std::size_t history = kDefaultHistory,
                       IndicatorScope scope = IndicatorScope::kAll, int full_timeframe = 0);

  const SymbolMarket* find(std::string_view symbol) const;
  SymbolMarket& symbol(const std::string& symbol);  // created on first use
  const std::map<std::string, SymbolMarket, std::less<>>& symbols() const { return symbols_; }
  const std::vector<int>& timeframes() const { return timeframes_; }
  // A symbol with nothing new for longer is flagged stale (market.stale_after; SPEC §5 says 60 s).
  void set_stale_after(core::Duration d);

  void on_bar(const core::Bar& bar, core::Timestamp received) {
    symbol(bar.symbol).on_bar(bar, received);
  }
  void on_trade(const core::Trade& trade) { symbol(trade.symbol).on_trade(trade); }
  // After the book applied a delta: recomputes its features (none while it is invalid).
  void on_book(const OrderBook& book) {
    symbol(book.symbol()).on_book(compute_book_features(book), book.last_update());
  }

 private:
  std::vector<int> timeframes_;
  std::size_t history_;
  IndicatorScope scope_;
  int full_timeframe_;
  core::Duration stale_after_ = QualityFlags::kStaleAfter;
  std::map<std::string, SymbolMarket, std::less<>> symbols_;
};

}  // namespace tg4::market
