#pragma once
// SymbolHistory: the past and present of one pair as the REST API and the ticker/ohlc channels see
// it. A range of past minutes is generated at start-up from the seed (trades first, bars from the
// trades), keeping per minute only the bar and the price state it started from: the trades of any
// past minute are regenerated on demand, identically, for /0/public/Trades. Live trades append to
// it, so backfill after a run sees one continuous series. Trade ids are consecutive and end just
// below the start time in microseconds, the first live id: a restart later on issues no id of an
// earlier run.
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "core/events.hpp"
#include "core/time.hpp"
#include "sim/price_model.hpp"
#include "sim/sim_symbol.hpp"
#include "sim/symbol_market.hpp"

namespace tg4::sim {

struct MinuteBar {
  std::int64_t open_time_s = 0;
  std::int64_t open = 0, high = 0, low = 0, close = 0;  // ticks; meaningful only if count > 0
  core::Decimal volume;
  core::Decimal::Raw tick_qty = 0;  // sum of ticks * qty.raw(), exact: quote volume = this * tick
  std::int64_t count = 0;
  std::int64_t first_trade_id = 0;

  void add(std::int64_t ticks, core::Decimal qty);
  void merge(const MinuteBar& later);  // `later` follows this bar in time
};

// A bar ready for the wire, with Kraken's fields.
struct OutBar {
  std::int64_t open_time_s = 0;
  int interval_minutes = 1;
  core::Decimal open, high, low, close, vwap, volume;
  std::int64_t count = 0;
};

struct Stats24h {
  core::Decimal open, low, high, last, volume, vwap;
  std::int64_t trades = 0;
};

struct TradesPage {
  std::vector<MarketTrade> trades;
  std::int64_t last_ns = 0;  // Kraken's `last` cursor
};

struct HistoryParams {
  core::Timestamp start;            // the live market begins here; history ends at its minute
  int days = 30;                    // generated range before start
  double trades_per_second = 0.2;   // average arrival rate of past trades
  std::size_t live_trades_kept = 500'000;
};

class SymbolHistory {
 public:
  SymbolHistory(const SimSymbol& symbol, const PriceModel& model, std::uint64_t seed, HistoryParams params);

  const SimSymbol& symbol() const { return symbol_; }
  // Where the live market continues from.
  const PriceState& end_state() const { return end_state_; }
  std::int64_t next_trade_id() const { return next_trade_id_; }
  core::Timestamp history_start() const { return core::Timestamp::from_seconds(first_minute_s_); }

  void add_live_trade(const MarketTrade& trade);
  // Rolls the current minute forward to `now` (closing minutes without trades as flat bars).
  void advance_to(core::Timestamp now);

  // REST /0/public/OHLC: bars of `interval` minutes with open time > since (if given), at most the
  // last `max_bars` intervals up to and including the forming one at `now`.
  std::vector<OutBar> ohlc(int interval, std::optional<std::int64_t> since_s, core::Timestamp now,
                           std::size_t max_bars = 720) const;
  // The bar of `interval` that contains `now`, as the ohlc channel shows it; nullopt if it has no trade.
  std::optional<OutBar> current_bar(int interval, core::Timestamp now) const;
  // REST /0/public/Trades: trades with time > since_ns, oldest first, at least `count` unless the
  // series ends (a group sharing the last timestamp is never split). No since: the most recent `count`.
  TradesPage trades(std::optional<std::int64_t> since_ns, std::size_t count) const;
  // The most recent `count` trades, oldest first (the trade channel's snapshot).
  std::vector<MarketTrade> recent_trades(std::size_t count) const;
  // Rolling 24 h statistics up to the last trade (the window is rebuilt as minutes close).
  Stats24h stats_24h() const;
  std::optional<std::int64_t> last_price_ticks() const;

  // Regenerates the trades of past minute `index` (0 = history_start()).
  std::vector<MarketTrade> minute_trades(std::size_t index) const;
  std::size_t history_minutes() const { return history_minutes_; }
  const std::vector<MinuteBar>& minutes() const { return minutes_; }

 private:
  struct MinuteSeed {
    PriceState state;
    std::int64_t first_trade_id = 0;
  };
  void generate();
  // With `end` set, only walks the price path: fills *end and returns no trades, *count the arrivals.
  std::vector<MarketTrade> generate_minute(std::size_t index, const MinuteSeed& seed, PriceState* end,
                                          std::size_t* count = nullptr) const;
  void close_current();
  OutBar to_out(const MinuteBar& bar, int interval, std::int64_t open_time_s) const;
  MinuteBar aggregate(std::int64_t from_s, std::int64_t to_s) const;  // minutes in [from, to)
  void rebuild_window(std::int64_t now_minute_s);

  SimSymbol symbol_;
  const PriceModel& model_;
  std::uint64_t seed_;
  HistoryParams params_;
  std::int64_t first_minute_s_ = 0;
  std::size_t history_minutes_ = 0;
  std::vector<MinuteSeed> seeds_;      // per history minute
  std::vector<MinuteBar> minutes_;     // history, then closed live minutes, contiguous
  MinuteBar current_;                  // the forming live minute
  std::deque<MarketTrade> live_;       // live trades, oldest first
  PriceState end_state_;
  std::int64_t next_trade_id_ = 1;
  std::optional<std::int64_t> last_ticks_;
  // 24 h window of closed minutes, rebuilt when a minute closes.
  MinuteBar window_;
};

}  // namespace tg4::sim
