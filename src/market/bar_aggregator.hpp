#pragma once
// BarAggregator: trades -> exact 1-minute OHLCV bars -> roll-ups (SPEC §3 "OHLCV"). open = first
// trade, high, low, close = last, volume (base), quote volume (Σ price·qty), trade count, VWAP =
// quote volume / volume, all Decimal.
//
// Bars close on the clock: on_time(now), called by the kernel timer, emits every bar whose interval
// ended at or before now - close_delay (the grace for trades that reach us after their minute ends
// on the local clock), whether or not another trade came. A trade stamped in a later minute also
// closes the open minute first (the exchange clock has passed it). A trade for a minute already
// closed is late: counted, and with revise_minutes it revises that minute's closed bar (emitted
// again to the revision sink, so the store keeps whole minutes); otherwise it is not applied.
// Roll-ups (5m, 15m, 30m, 1h, 4h, 12h, 1d, 1w) are built from the closed 1-minute bars and close on
// the clock the same way.
//
// An interval with no trades yields NO bar (no flat filler bar): consumers see gaps, as in Kraken's
// own trade history; a roll-up is emitted when at least one of its minutes had trades.
//
// Trades are de-duplicated by Kraken's trade_id against a window of the ids recently taken (a trade
// snapshot after a reconnect overlaps what was seen): the same id at the same time is a duplicate.
// An id below the window, or a known id at another time, means the exchange numbers anew (a
// restarted exchange or simulator): counted, the window starts again, and the trade is taken. A
// trade out of order within the window is taken. A jump in trade_id, a renumbering, and the first
// minute of a symbol make that bar "partial": emitted, counted, but not compared with Kraken's
// `ohlc` channel. Complete 1-minute bars are compared with Kraken's final 1-minute candles (open,
// high, low, close, volume, trade count; Kraken's VWAP is rounded, so it is not compared) and
// differences are counted.
//
// Rejected, never applied: a price or size that is zero or negative, a notional beyond Decimal, and
// (with max_ahead) a trade stamped further ahead of the local time it was received than max_ahead.
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
  // A trade whose exchange time is more than this ahead of the local time it was received
  // (Trade::received) is rejected (kFuture): it would open a minute that has not begun and take
  // every later trade into it. 0: not checked; trades without a receive time are never checked.
  core::Duration max_ahead{0};
  // The last revise_minutes closed 1m bars of each symbol built from trades are kept: a late trade
  // for one of them (or for a minute of that span with no bar yet) is applied to it and the bar is
  // emitted again to the revision sink on the next on_time. 0: late trades are only counted.
  std::size_t revise_minutes = 0;
};

struct BarStats {
  std::uint64_t trades = 0;            // applied
  std::uint64_t late_trades = 0;       // for a minute already closed (revised or not)
  std::uint64_t revised_bars = 0;      // closed 1m bars emitted again with late trades
  std::uint64_t duplicate_trades = 0;  // trade_id already seen, or a minute of the stored history
  std::uint64_t rejected_trades = 0;   // impossible values (see TradeResult::kRejected)
  std::uint64_t future_trades = 0;     // stamped beyond max_ahead (TradeResult::kFuture)
  std::uint64_t id_resets = 0;         // the exchange numbered its trades anew
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
  // A closed 1m bar again, with the late trades it was missing (options.revise_minutes); `partial`
  // as when it closed.
  using RevisionSink = std::function<void(const core::Bar& bar, bool partial)>;
  // The exchange numbered a symbol's trades anew: `trade` is the first of the new numbering,
  // `highest` the highest id taken before it.
  using IdResetSink = std::function<void(const core::Trade& trade, std::int64_t highest)>;

  explicit BarAggregator(BarSink sink, BarAggregatorOptions options = {});

  // kApplied: in the open minute. kLate: for a closed minute, not applied. kRevised: for a closed
  // minute, applied to its bar, which is emitted again (options.revise_minutes). kDuplicate: taken
  // before (same id and time), or of a minute given by on_history. kRejected: a price or size no
  // real trade has (zero, negative, or a notional beyond Decimal). kFuture: stamped further ahead
  // of its receive time than options.max_ahead.
  enum class TradeResult : std::uint8_t {
    kApplied,
    kLate,
    kRevised,
    kDuplicate,
    kRejected,
    kFuture
  };
  TradeResult on_trade(const core::Trade& trade);
  // on_trade for each, in order, looking a symbol up once per run of its trades (a backtest applies
  // a candle's trades at once).
  void on_trades(std::span<const core::Trade> trades);
  // The clock: emits every bar (1m first, then roll-ups, in time order) that ended by now - delay,
  // after the revised bars.
  void on_time(core::Timestamp now);
  // A complete 1m bar from the store, oldest first, before any trade of its symbol (the start-up
  // warm-up): emitted as if its minute had just closed, and added to the roll-ups, whose bucket in
  // progress then goes on with the live minutes. Trades before its end are duplicates from then on
  // (the trade snapshot a subscription starts with repeats stored minutes). Does not count as a
  // minute seen: the first live minute is still partial. A bar older than the closed ones is
  // ignored.
  void on_history(const core::Bar& minute);
  // A candle from Kraken's `ohlc` channel; only 1-minute candles are compared.
  void on_kraken_ohlc(const core::Bar& candle);
  void set_mismatch_sink(MismatchSink sink) { on_mismatch_ = std::move(sink); }
  void set_revision_sink(RevisionSink sink) { on_revision_ = std::move(sink); }
  void set_id_reset_sink(IdResetSink sink) { on_id_reset_ = std::move(sink); }

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
  // A trade id taken, with its time: the same id at another time is another trade.
  struct SeenId {
    std::int64_t id = 0;
    std::int64_t time_ns = 0;
  };
  // Where a trade falls in a bar: open and close are decided by (time, id).
  struct TradeMark {
    core::Timestamp time;
    std::int64_t id = 0;
    bool operator<(const TradeMark& o) const {
      return time < o.time || (time == o.time && id < o.id);
    }
  };
  // A closed 1m bar kept for revisions by late trades.
  struct KeptBar {
    core::Bar bar;
    bool partial = false;
    bool dirty = false;  // revised since it was last emitted
    TradeMark first, last;
  };
  struct SymbolState {
    std::optional<core::Bar> minute;
    bool minute_partial = false;
    TradeMark minute_first, minute_last;
    core::Timestamp closed_until;   // trades before this are late
    core::Timestamp history_until;  // trades before this are in the stored history (on_history)
    // De-duplication: the ids of the last kSeenIds trades taken, oldest overwritten first.
    std::vector<SeenId> seen_ids;
    std::size_t seen_next = 0;
    std::int64_t max_trade_id = 0;   // highest id taken since the last renumbering
    std::int64_t prev_trade_id = 0;  // id of the last trade taken
    // The id after a run of refused trades that continued the sequence (0: none): no gap.
    std::int64_t refused_next = 0;
    // The minute the next applied trade opens or joins is partial: the exchange renumbered.
    bool next_partial = false;
    // The last trade applied jumped ahead in ids: from which id, in which minute, and whether that
    // minute was partial before the jump.
    struct Jump {
      std::int64_t from = 0;
      core::Timestamp minute;
      bool partial_before = false;
    };
    std::optional<Jump> jump;
    bool seen = false;
    std::vector<Rollup> rollups;
    // Revisions: closed 1m bars by open time (at most options.revise_minutes), and where the span
    // of minutes this aggregator watched live begins (a minute from here with no kept bar had no
    // trade).
    std::map<std::int64_t, KeptBar> kept;
    core::Timestamp revisable_from;
    // Kraken cross-check: our closed complete bars and Kraken's final candles, by minute.
    std::map<std::int64_t, core::Bar> ours;
    std::map<std::int64_t, core::Bar> kraken_final;
    std::optional<core::Bar> kraken_open;
  };
  // What the id window says of a trade id at or below the highest taken.
  enum class IdVerdict : std::uint8_t { kDuplicate, kOutOfOrder, kRenumbered };
  static IdVerdict judge_id(const SymbolState& s, const core::Trade& trade);
  static void remember_id(SymbolState& s, const core::Trade& trade);

  SymbolState& state(const std::string& symbol);
  TradeResult apply(SymbolState& s, const core::Trade& trade);
  TradeResult late(SymbolState& s, const core::Trade& trade, bool renumbered);
  bool revise(SymbolState& s, const core::Trade& trade);
  void emit_revisions();
  void advance(SymbolState& s, core::Timestamp now);
  void close_minute(SymbolState& s);
  void add_to_rollups(SymbolState& s, const core::Bar& minute);
  void emit_rollup(Rollup& r);
  void compare_if_ready(SymbolState& s, std::int64_t minute_ns);
  void prune(SymbolState& s);
  void prune_kept(SymbolState& s);

  BarSink sink_;
  bool closing_partial_ = false;
  MismatchSink on_mismatch_;
  RevisionSink on_revision_;
  IdResetSink on_id_reset_;
  std::size_t dirty_ = 0;  // kept bars revised and not yet emitted again
  BarAggregatorOptions options_;
  std::map<std::string, SymbolState, std::less<>> symbols_;  // ordered: deterministic emission
  BarStats stats_;
};

}  // namespace tg4::market
