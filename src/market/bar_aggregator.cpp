#include "market/bar_aggregator.hpp"

#include <algorithm>
#include <chrono>
#include <limits>
#include <utility>

namespace tg4::market {
namespace {

constexpr std::int64_t kNsPerMinute = 60'000'000'000LL;
// How many closed minutes are kept waiting for the other side of the Kraken cross-check.
constexpr std::size_t kCompareWindow = 32;
// Trade ids remembered per symbol for de-duplication: far more than a reconnect's trade snapshot
// (50) repeats, and minutes of trading on a busy pair.
constexpr std::size_t kSeenIds = 2048;

core::Timestamp bucket_end(const core::Bar& bar) {
  return {bar.open_time.ns + std::int64_t{bar.interval_minutes} * kNsPerMinute};
}

void finish_vwap(core::Bar& bar) {
  const auto vwap = bar.volume.is_zero() ? core::Result<core::Decimal>(core::Decimal::zero())
                                         : core::Decimal::checked_div(bar.quote_volume, bar.volume,
                                                                      core::Rounding::kHalfEven);
  bar.vwap = vwap.value_or(core::Decimal::zero());
}

// A minute's bar from its first trade.
core::Bar first_trade_bar(const core::Trade& trade, core::Timestamp minute,
                          core::Decimal notional) {
  core::Bar b;
  b.symbol = trade.symbol;
  b.interval_minutes = 1;
  b.open_time = minute;
  b.open = b.high = b.low = b.close = trade.price;
  b.volume = trade.qty;
  b.quote_volume = notional;
  b.trades = 1;
  return b;
}

// One more trade in a bar, its sums already checked: open and close are the caller's (they depend
// on where the trade falls).
void add_trade(core::Bar& b, core::Decimal price, core::Decimal volume, core::Decimal quote) {
  b.high = core::max(b.high, price);
  b.low = core::min(b.low, price);
  b.volume = volume;
  b.quote_volume = quote;
  ++b.trades;
}

void merge(core::Bar& into, const core::Bar& minute) {
  into.high = core::max(into.high, minute.high);
  into.low = core::min(into.low, minute.low);
  into.close = minute.close;
  into.volume = core::Decimal::saturating_add(into.volume, minute.volume);
  into.quote_volume = core::Decimal::saturating_add(into.quote_volume, minute.quote_volume);
  into.trades += minute.trades;
}

bool same_candle(const core::Bar& ours, const core::Bar& kraken) {
  return ours.open == kraken.open && ours.high == kraken.high && ours.low == kraken.low &&
         ours.close == kraken.close && ours.volume == kraken.volume &&
         (kraken.trades == 0 || ours.trades == kraken.trades);
}

}  // namespace

core::Timestamp bucket_start(core::Timestamp t, int minutes) {
  return core::floor_to(t, std::chrono::minutes(minutes));
}

BarAggregator::BarAggregator(BarSink sink, BarAggregatorOptions options)
    : sink_(std::move(sink)), options_(std::move(options)) {}

BarAggregator::SymbolState& BarAggregator::state(const std::string& symbol) {
  auto it = symbols_.find(symbol);
  if (it == symbols_.end()) {
    it = symbols_.emplace(symbol, SymbolState{}).first;
    for (const int minutes : options_.rollups)
      it->second.rollups.push_back(Rollup{minutes, std::nullopt});
  }
  return it->second;
}

BarAggregator::TradeResult BarAggregator::on_trade(const core::Trade& trade) {
  return apply(state(trade.symbol), trade);
}

void BarAggregator::on_trades(std::span<const core::Trade> trades) {
  SymbolState* s = nullptr;
  const std::string* symbol = nullptr;
  for (const core::Trade& trade : trades) {
    if (symbol == nullptr || trade.symbol != *symbol) {
      s = &state(trade.symbol);
      symbol = &trade.symbol;
    }
    apply(*s, trade);
  }
}

BarAggregator::IdVerdict BarAggregator::judge_id(const SymbolState& s, const core::Trade& trade) {
  std::int64_t oldest = std::numeric_limits<std::int64_t>::max();
  for (const SeenId& seen : s.seen_ids) {
    if (seen.id == trade.trade_id) {
      return seen.time_ns == trade.time.ns ? IdVerdict::kDuplicate : IdVerdict::kRenumbered;
    }
    oldest = std::min(oldest, seen.id);
  }
  // Below every id remembered: not a repeat of what the window holds but a numbering that started
  // again. Within it: a trade that comes after later ones (taken, not a duplicate).
  return trade.trade_id < oldest ? IdVerdict::kRenumbered : IdVerdict::kOutOfOrder;
}

void BarAggregator::remember_id(SymbolState& s, const core::Trade& trade) {
  if (trade.trade_id <= 0) return;
  const SeenId seen{trade.trade_id, trade.time.ns};
  if (s.seen_ids.size() < kSeenIds) {
    s.seen_ids.push_back(seen);
  } else {
    s.seen_ids[s.seen_next] = seen;
    s.seen_next = (s.seen_next + 1) % kSeenIds;
  }
  s.max_trade_id = std::max(s.max_trade_id, trade.trade_id);
  s.prev_trade_id = trade.trade_id;
  s.refused_next = 0;
}

BarAggregator::TradeResult BarAggregator::apply(SymbolState& s, const core::Trade& trade) {
  const bool open_earlier = s.minute && trade.time < s.minute->open_time;
  const bool is_late = trade.time < s.closed_until || open_earlier;
  if (is_late && trade.time < s.history_until) {
    ++stats_.duplicate_trades;  // the stored history has it
    return TradeResult::kDuplicate;
  }
  bool gap = false;
  bool renumbered = false;
  if (trade.trade_id > 0 && s.max_trade_id > 0) {
    if (trade.trade_id > s.max_trade_id) {
      gap = trade.trade_id > s.max_trade_id + 1 && trade.trade_id != s.refused_next;
    } else {
      switch (judge_id(s, trade)) {
        case IdVerdict::kDuplicate:
          ++stats_.duplicate_trades;
          return TradeResult::kDuplicate;
        case IdVerdict::kOutOfOrder:
          gap = trade.trade_id > s.prev_trade_id + 1;
          break;
        case IdVerdict::kRenumbered:
          renumbered = true;
          break;
      }
    }
  }
  // A price or size no trade has, or a time that has not come: never applied, and its id is not
  // taken (a real trade may come with it). When it continues the sequence, the next id is no gap.
  const auto refuse = [&](std::uint64_t& count, TradeResult result) {
    if (!renumbered && trade.trade_id > 0 &&
        (trade.trade_id == s.max_trade_id + 1 || trade.trade_id == s.refused_next)) {
      s.refused_next = trade.trade_id + 1;
    }
    ++count;
    return result;
  };
  if (!trade.price.is_positive() || !trade.qty.is_positive())
    return refuse(stats_.rejected_trades, TradeResult::kRejected);
  if (options_.max_ahead > core::Duration::zero() && trade.received.is_set() &&
      trade.time > trade.received + options_.max_ahead) {
    return refuse(stats_.future_trades, TradeResult::kFuture);
  }
  if (is_late) return late(s, trade, renumbered);
  if (renumbered) {
    ++stats_.id_resets;
    if (on_id_reset_) on_id_reset_(trade, s.max_trade_id);
    s.seen_ids.clear();
    s.seen_next = 0;
    s.max_trade_id = 0;
    s.next_partial = true;
  }
  // A trade in the open minute (most of them) can close nothing: the open minute's first trade
  // already advanced to it. Only the others pay for the bucket (two divisions) and the advance.
  const bool in_open_minute = s.minute && trade.time < bucket_end(*s.minute);
  const core::Timestamp minute = in_open_minute ? s.minute->open_time : bucket_start(trade.time, 1);
  if (!in_open_minute) advance(s, minute);  // the trade proves the clock reached its minute
  // Absurd values from a hostile or broken frame must neither throw nor wrap (real prices and sizes
  // are many orders of magnitude away from the limits).
  const auto notional =
      core::Decimal::checked_mul(trade.price, trade.qty, core::Rounding::kHalfEven);
  const auto volume =
      s.minute ? core::Decimal::checked_add(s.minute->volume, trade.qty) : trade.qty;
  const auto quote = !notional  ? notional
                     : s.minute ? core::Decimal::checked_add(s.minute->quote_volume, *notional)
                                : notional;
  if (!notional || !volume || !quote) return refuse(stats_.rejected_trades, TradeResult::kRejected);
  const TradeMark mark{trade.time, trade.trade_id};
  const bool pending = std::exchange(s.next_partial, false);
  const bool partial_before = s.minute ? s.minute_partial : !s.seen || pending;
  // The trade right after the one before a jump in ids: the jump was one stray id, not trades
  // missed, and the minute is as whole as it was before it.
  const bool stray_jump = s.jump && trade.trade_id == s.jump->from + 1 && s.minute &&
                          s.minute->open_time == s.jump->minute;
  const bool partial = gap || pending;
  if (!s.minute) {
    s.minute = first_trade_bar(trade, minute, *notional);
    s.minute_partial = !s.seen || partial;
    s.minute_first = s.minute_last = mark;
    if (!s.seen) s.revisable_from = minute;
  } else {
    add_trade(*s.minute, trade.price, *volume, *quote);
    s.minute->close = trade.price;
    s.minute_partial = stray_jump ? s.jump->partial_before : s.minute_partial || partial;
    s.minute_last = mark;
  }
  s.jump.reset();
  if (gap) s.jump = SymbolState::Jump{s.max_trade_id, minute, partial_before};
  remember_id(s, trade);
  s.seen = true;
  ++stats_.trades;
  return TradeResult::kApplied;
}

// A trade for a minute already closed. Of a renumbered exchange, it cannot be told from a repeat
// of something already taken: counted, and neither applied nor remembered.
BarAggregator::TradeResult BarAggregator::late(SymbolState& s, const core::Trade& trade,
                                               bool renumbered) {
  ++stats_.late_trades;
  if (renumbered) return TradeResult::kLate;
  remember_id(s, trade);  // a repeat of it is a duplicate, not a second revision
  return revise(s, trade) ? TradeResult::kRevised : TradeResult::kLate;
}

bool BarAggregator::revise(SymbolState& s, const core::Trade& trade) {
  if (options_.revise_minutes == 0 || !s.seen) return false;
  const core::Timestamp minute = bucket_start(trade.time, 1);
  const TradeMark mark{trade.time, trade.trade_id};
  const auto notional =
      core::Decimal::checked_mul(trade.price, trade.qty, core::Rounding::kHalfEven);
  if (!notional) return false;
  auto it = s.kept.find(minute.ns);
  if (it == s.kept.end()) {
    // A minute watched live that had no trade until now: this trade is its bar. Before that span
    // (or beyond what is kept) nothing is known of the minute.
    const core::Timestamp watched_until = s.minute ? s.minute->open_time : s.closed_until;
    if (minute < s.revisable_from || minute >= watched_until) return false;
    KeptBar kept{first_trade_bar(trade, minute, *notional), false, false, mark, mark};
    it = s.kept.emplace(minute.ns, std::move(kept)).first;
  } else {
    KeptBar& kept = it->second;
    core::Bar& b = kept.bar;
    const auto volume = core::Decimal::checked_add(b.volume, trade.qty);
    const auto quote = core::Decimal::checked_add(b.quote_volume, *notional);
    if (!volume || !quote) return false;
    add_trade(b, trade.price, *volume, *quote);
    if (mark < kept.first) {
      b.open = trade.price;
      kept.first = mark;
    }
    if (kept.last < mark) {
      b.close = trade.price;
      kept.last = mark;
    }
  }
  finish_vwap(it->second.bar);
  if (const auto ours = s.ours.find(minute.ns); ours != s.ours.end()) ours->second = it->second.bar;
  if (!std::exchange(it->second.dirty, true)) ++dirty_;
  prune_kept(s);
  return true;
}

void BarAggregator::emit_revisions() {
  for (auto& [symbol, s] : symbols_) {
    for (auto& [minute, kept] : s.kept) {
      if (!kept.dirty) continue;
      kept.dirty = false;
      ++stats_.revised_bars;
      if (on_revision_) on_revision_(kept.bar, kept.partial);
    }
  }
  dirty_ = 0;
}

void BarAggregator::prune_kept(SymbolState& s) {
  while (s.kept.size() > options_.revise_minutes) {
    const auto oldest = s.kept.begin();
    // Its revision is emitted before it goes.
    if (oldest->second.dirty) {
      oldest->second.dirty = false;
      --dirty_;
      ++stats_.revised_bars;
      if (on_revision_) on_revision_(oldest->second.bar, oldest->second.partial);
    }
    s.revisable_from = oldest->second.bar.open_time + std::chrono::minutes(1);
    s.kept.erase(oldest);
  }
}

void BarAggregator::on_history(const core::Bar& minute) {
  SymbolState& s = state(minute.symbol);
  if (minute.interval_minutes != 1 || s.minute || minute.open_time < s.closed_until) return;
  advance(s, minute.open_time);  // roll-ups whose bucket ended before this minute
  s.closed_until = s.history_until = bucket_end(minute);
  if (sink_) sink_(minute);
  add_to_rollups(s, minute);
}

void BarAggregator::on_time(core::Timestamp now) {
  if (dirty_ > 0) emit_revisions();
  const core::Timestamp cutoff = now - options_.close_delay;
  for (auto& [symbol, s] : symbols_) advance(s, cutoff);
}

void BarAggregator::advance(SymbolState& s, core::Timestamp now) {
  if (s.minute && bucket_end(*s.minute) <= now) close_minute(s);
  for (auto& r : s.rollups) {
    if (r.bar && bucket_end(*r.bar) <= now) emit_rollup(r);
  }
}

void BarAggregator::close_minute(SymbolState& s) {
  core::Bar bar = std::move(*s.minute);
  s.minute.reset();
  finish_vwap(bar);
  s.closed_until = bucket_end(bar);
  ++stats_.bars_1m;
  if (s.minute_partial) {
    ++stats_.partial_bars;
  } else if (options_.cross_check) {
    s.ours[bar.open_time.ns] = bar;
    compare_if_ready(s, bar.open_time.ns);
  }
  if (options_.revise_minutes > 0) {
    s.kept.emplace_hint(s.kept.end(), bar.open_time.ns,
                        KeptBar{bar, s.minute_partial, false, s.minute_first, s.minute_last});
    prune_kept(s);
  }
  closing_partial_ = s.minute_partial;
  if (sink_) sink_(bar);
  closing_partial_ = false;
  add_to_rollups(s, bar);
  prune(s);
}

void BarAggregator::add_to_rollups(SymbolState& s, const core::Bar& minute) {
  for (auto& r : s.rollups) {
    const core::Timestamp bucket = bucket_start(minute.open_time, r.minutes);
    if (r.bar && r.bar->open_time != bucket) emit_rollup(r);
    if (!r.bar) {
      core::Bar& b = r.bar.emplace(minute);
      b.interval_minutes = r.minutes;
      b.open_time = bucket;
    } else {
      merge(*r.bar, minute);
    }
  }
}

void BarAggregator::emit_rollup(Rollup& r) {
  finish_vwap(*r.bar);
  ++stats_.rollup_bars;
  if (sink_) sink_(*r.bar);
  r.bar.reset();
}

void BarAggregator::on_kraken_ohlc(const core::Bar& candle) {
  if (candle.interval_minutes != 1 || !options_.cross_check) return;
  SymbolState& s = state(candle.symbol);
  if (s.kraken_open && s.kraken_open->open_time < candle.open_time) {
    // A later candle started: Kraken's candle for the earlier minute is final.
    const std::int64_t minute = s.kraken_open->open_time.ns;
    s.kraken_final[minute] = std::move(*s.kraken_open);
    s.kraken_open.reset();
    compare_if_ready(s, minute);
  }
  if (!s.kraken_open || candle.open_time >= s.kraken_open->open_time) s.kraken_open = candle;
  prune(s);
}

void BarAggregator::compare_if_ready(SymbolState& s, std::int64_t minute_ns) {
  const auto ours = s.ours.find(minute_ns);
  const auto kraken = s.kraken_final.find(minute_ns);
  if (ours == s.ours.end() || kraken == s.kraken_final.end()) return;
  ++stats_.compared;
  if (!same_candle(ours->second, kraken->second)) {
    ++stats_.mismatches;
    if (on_mismatch_) on_mismatch_(ours->second, kraken->second);
  }
  s.ours.erase(ours);
  s.kraken_final.erase(kraken);
}

void BarAggregator::prune(SymbolState& s) {
  while (s.ours.size() > kCompareWindow) s.ours.erase(s.ours.begin());
  while (s.kraken_final.size() > kCompareWindow) s.kraken_final.erase(s.kraken_final.begin());
}

std::optional<core::Bar> BarAggregator::open_bar(const std::string& symbol, int minutes) const {
  const auto it = symbols_.find(symbol);
  if (it == symbols_.end()) return std::nullopt;
  std::optional<core::Bar> out;
  if (minutes == 1) {
    out = it->second.minute;
  } else {
    for (const auto& r : it->second.rollups) {
      if (r.minutes == minutes) out = r.bar;
    }
  }
  if (out) finish_vwap(*out);
  return out;
}

}  // namespace tg4::market
