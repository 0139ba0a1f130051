#include "market/bar_aggregator.hpp"

#include <chrono>

namespace tg4::market {
namespace {

constexpr std::int64_t kNsPerMinute = 60'000'000'000LL;
// How many closed minutes are kept waiting for the other side of the Kraken cross-check.
constexpr std::size_t kCompareWindow = 32;

core::Timestamp bucket_end(const core::Bar& bar) {
  return {bar.open_time.ns + std::int64_t{bar.interval_minutes} * kNsPerMinute};
}

void finish_vwap(core::Bar& bar) {
  const auto vwap = bar.volume.is_zero() ? core::Result<core::Decimal>(core::Decimal::zero())
                                         : core::Decimal::checked_div(bar.quote_volume, bar.volume,
                                                                      core::Rounding::kHalfEven);
  bar.vwap = vwap.value_or(core::Decimal::zero());
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

BarAggregator::TradeResult BarAggregator::apply(SymbolState& s, const core::Trade& trade) {
  bool gap = false;
  if (trade.trade_id > 0) {
    if (s.last_trade_id > 0 && trade.trade_id <= s.last_trade_id) {
      ++stats_.duplicate_trades;
      return TradeResult::kDuplicate;
    }
    gap = s.last_trade_id > 0 && trade.trade_id > s.last_trade_id + 1;
    s.last_trade_id = trade.trade_id;
  }
  if (trade.time < s.closed_until) {
    ++stats_.late_trades;
    return TradeResult::kLate;
  }
  // A trade in the open minute (most of them) can close nothing: the open minute's first trade
  // already advanced to it. Only the others pay for the bucket (two divisions) and the advance.
  const bool in_open_minute = s.minute && trade.time < bucket_end(*s.minute);
  const core::Timestamp minute = in_open_minute ? s.minute->open_time : bucket_start(trade.time, 1);
  if (!in_open_minute) advance(s, minute);  // the trade proves the clock reached its minute
  // Checked before anything changes: absurd values from a hostile or broken frame must neither
  // throw nor wrap (real prices and sizes are many orders of magnitude away from the limits).
  const auto notional =
      core::Decimal::checked_mul(trade.price, trade.qty, core::Rounding::kHalfEven);
  const auto volume =
      s.minute ? core::Decimal::checked_add(s.minute->volume, trade.qty) : trade.qty;
  const auto quote = !notional  ? notional
                     : s.minute ? core::Decimal::checked_add(s.minute->quote_volume, *notional)
                                : notional;
  if (!notional || !volume || !quote || trade.price.is_negative() || !trade.qty.is_positive()) {
    ++stats_.rejected_trades;
    return TradeResult::kRejected;
  }
  if (!s.minute) {
    core::Bar& b = s.minute.emplace();
    b.symbol = trade.symbol;
    b.interval_minutes = 1;
    b.open_time = minute;
    b.open = b.high = b.low = b.close = trade.price;
    b.volume = trade.qty;
    b.quote_volume = *notional;
    b.trades = 1;
    s.minute_partial = !s.seen || gap;
  } else {
    core::Bar& b = *s.minute;
    b.high = core::max(b.high, trade.price);
    b.low = core::min(b.low, trade.price);
    b.close = trade.price;
    b.volume = *volume;
    b.quote_volume = *quote;
    ++b.trades;
    s.minute_partial = s.minute_partial || gap;
  }
  s.seen = true;
  ++stats_.trades;
  return TradeResult::kApplied;
}

void BarAggregator::on_history(const core::Bar& minute) {
  SymbolState& s = state(minute.symbol);
  if (minute.interval_minutes != 1 || s.minute || minute.open_time < s.closed_until) return;
  advance(s, minute.open_time);  // roll-ups whose bucket ended before this minute
  s.closed_until = bucket_end(minute);
  if (sink_) sink_(minute);
  add_to_rollups(s, minute);
}

void BarAggregator::on_time(core::Timestamp now) {
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
