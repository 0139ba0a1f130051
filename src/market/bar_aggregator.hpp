#pragma once
// BarAggregator: trades -> exact 1-minute OHLCV bars -> roll-ups (SPEC §3 "OHLCV"). open = first
// trade, high, low, close = last, volume (base), quote volume (Σ price·qty), trade count, VWAP =
// quote volume / volume, all Decimal.
//
// Bars close on the clock: on_time(now), called by the kernel timer, emits every bar whose interval
// ended at or before now - close_delay, whether or not another trade came. A trade stamped in a
// later minute also closes the open minute first (the exchange clock has passed it). A trade for a
// minute already closed is late: counted, not applied. Roll-ups (5m, 15m, 30m, 1h, 4h, 12h, 1d, 1w)
// are built from the closed 1-minute bars and close on the clock the same way.
//
// An interval with no trades yields NO bar (no flat filler bar): consumers see gaps, as in Kraken's
// own trade history; a roll-up is emitted when at least one of its minutes had trades.
//
// Trades are de-duplicated by Kraken's sequential trade_id (a trade snapshot after a reconnect
// overlaps what was seen); a jump in trade_id, and the first minute of a symbol, make that bar
// "partial": emitted, counted, but not compared with Kraken's `ohlc` channel. Complete 1-minute
// bars are compared with Kraken's final 1-minute candles (open, high, low, close, volume, trade
// count; Kraken's VWAP is rounded, so it is not compared) and differences are counted.
#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/events.hpp"

namespace tg4::market {

// Roll-up widths in minutes: 5m, 15m, 30m, 1h, 4h, 12h, 1d, 1w.
inline constexpr std::array<int, 8> kRollupMinutes{5, 15, 30, 60, 240, 720, 1440, 10080};

// Start of the bucket of `minutes` containing t (core::floor_to): multiples of the width since
// midnight for widths up to a day, calendar days for 1d, weeks starting Monday 00:00 UTC for 1w
// (the buckets storage, date_bin and TimescaleDB use).
core::Timestamp bucket_start(core::Timestamp t, int minutes);

struct BarAggregatorOptions {
  std::vector<int> rollups{kRollupMinutes.begin(), kRollupMinutes.end()};
  // on_time(now) closes intervals that ended at or before now - close_delay: a grace for trades
  // that arrive after their minute on the local clock.
  core::Duration close_delay{0};
  // Compare complete 1m bars with Kraken's ohlc candles. Off where no one can see the result (a
  // backtest: the mismatch counter is in its private registry), closed bars are not kept for it.
  bool cross_check = true;
};

struct BarStats {
  std::uint64_t trades = 0;            // applied
  std::uint64_t late_trades = 0;       // for a minute already closed
  std::uint64_t duplicate_trades = 0;  // trade_id already seen
  std::uint64_t rejected_trades = 0;   // impossible values (see TradeResult::kRejected)
  std::uint64_t bars_1m = 0;
  std::uint64_t partial_bars = 0;  // 1m bars that may miss trades
  std::uint64_t rollup_bars = 0;
  std::uint64_t compared = 0;  // 1m bars compared with Kraken's
  std::uint64_t mismatches = 0;
};

class BarAggregator {
 public:
  using BarSink = std::function<void(const core::Bar& bar)>;
  // Called for each 1m bar that differs from Kraken's candle of the same minute.
  using MismatchSink = std::function<void(const core::Bar& ours, const core::Bar& kraken)>;

  explicit BarAggregator(BarSink sink, BarAggregatorOptions options = {});

  // kRejected: a price or size no real trade has (negative, zero size, or a notional beyond
  // Decimal).
  enum class TradeResult : std::uint8_t { kApplied, kLate, kDuplicate, kRejected };
  TradeResult on_trade(const core::Trade& trade);
  // on_trade for each, in order, looking a symbol up once per run of its trades (a backtest applies
  // a candle's trades at once).
  void on_trades(std::span<const core::Trade> trades);
  // The clock: emits every bar (1m first, then roll-ups, in time order) that ended by now - delay.
  void on_time(core::Timestamp now);
  // A complete 1m bar from the store, oldest first, before any trade of its symbol (the start-up
  // warm-up): emitted as if its minute had just closed, and added to the roll-ups, whose bucket in
  // progress then goes on with the live minutes. Trades before its end are late from then on (the
  // trade snapshot a subscription starts with repeats stored minutes). Does not count as a minute
  // seen: the first live minute is still partial. A bar older than the closed ones is ignored.
  void on_history(const core::Bar& minute);
  // A candle from Kraken's `ohlc` channel; only 1-minute candles are compared.
  void on_kraken_ohlc(const core::Bar& candle);
  void set_mismatch_sink(MismatchSink sink) { on_mismatch_ = std::move(sink); }

  // The bar still open for a symbol: 1 for the current minute, or a roll-up width (without the
  // minute still open).
  std::optional<core::Bar> open_bar(const std::string& symbol, int minutes = 1) const;
  const BarStats& stats() const { return stats_; }
  // While the sink runs for a 1m bar: whether that bar may miss trades (the first minute of a
  // symbol, e.g. the minute a node started in, or a jump in trade_id), so it is not stored as
  // whole.
  bool closing_partial() const { return closing_partial_; }

 private:
  struct Rollup {
    int minutes = 0;
    std::optional<core::Bar> bar;
  };
  struct SymbolState {
    std::optional<core::Bar> minute;
    bool minute_partial = false;
    core::Timestamp closed_until;  // trades before this are late
    std::int64_t last_trade_id = 0;
    bool seen = false;
    std::vector<Rollup> rollups;
    // Kraken cross-check: our closed complete bars and Kraken's final candles, by minute.
    std::map<std::int64_t, core::Bar> ours;
    std::map<std::int64_t, core::Bar> kraken_final;
    std::optional<core::Bar> kraken_open;
  };

  SymbolState& state(const std::string& symbol);
  TradeResult apply(SymbolState& s, const core::Trade& trade);
  void advance(SymbolState& s, core::Timestamp now);
  void close_minute(SymbolState& s);
  void add_to_rollups(SymbolState& s, const core::Bar& minute);
  void emit_rollup(Rollup& r);
  void compare_if_ready(SymbolState& s, std::int64_t minute_ns);
  void prune(SymbolState& s);

  BarSink sink_;
  bool closing_partial_ = false;
  MismatchSink on_mismatch_;
  BarAggregatorOptions options_;
  std::map<std::string, SymbolState, std::less<>> symbols_;  // ordered: deterministic emission
  BarStats stats_;
};

}  // namespace tg4::market
