#include "sim/symbol_history.hpp"

#include <algorithm>
#include <cmath>

namespace tg4::sim {
namespace {

constexpr std::int64_t kNs = 1'000'000'000;
constexpr std::int64_t kMinuteNs = 60 * kNs;

double activity(Regime r) {
  switch (r) {
    case Regime::kRanging: return 0.8;
    case Regime::kTrending: return 1.2;
    case Regime::kVolatile: return 2.2;
  }
  return 1.0;
}

std::int64_t floor_div(std::int64_t a, std::int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

}  // namespace

void MinuteBar::add(std::int64_t ticks, core::Decimal qty) {
  if (count == 0) {
    open = high = low = ticks;
  } else {
    high = std::max(high, ticks);
    low = std::min(low, ticks);
  }
  close = ticks;
  volume += qty;
  tick_qty += static_cast<core::Decimal::Raw>(ticks) * qty.raw();
  ++count;
}

void MinuteBar::merge(const MinuteBar& later) {
  if (later.count == 0) return;
  if (count == 0) {
    open = later.open;
    high = later.high;
    low = later.low;
    first_trade_id = later.first_trade_id;
  } else {
    high = std::max(high, later.high);
    low = std::min(low, later.low);
  }
  close = later.close;
  volume += later.volume;
  tick_qty += later.tick_qty;
  count += later.count;
}

SymbolHistory::SymbolHistory(const SimSymbol& symbol, const PriceModel& model, std::uint64_t seed,
                             HistoryParams params)
    : symbol_(symbol), model_(model), seed_(seed), params_(params) {
  const std::int64_t start_minute_s = floor_div(params_.start.seconds(), 60) * 60;
  history_minutes_ = static_cast<std::size_t>(std::max(0, params_.days)) * 1440;
  first_minute_s_ = start_minute_s - static_cast<std::int64_t>(history_minutes_) * 60;
  generate();
  current_.open_time_s = start_minute_s;
  rebuild_window(start_minute_s);
}

std::vector<MarketTrade> SymbolHistory::generate_minute(std::size_t index, const MinuteSeed& seed,
                                                        PriceState* end, std::size_t* count) const {
  // Two streams per minute: price (arrivals and moves) and sizes, so the price path can be computed
  // without the sizes and the shifted second pass sees the very same path.
  Random price_rng(derive_seed(seed_, symbol_.stream_id(), 2 * index));
  Random size_rng(derive_seed(seed_, symbol_.stream_id(), 2 * index + 1));
  PriceState state = seed.state;
  const auto n = static_cast<std::size_t>(
      price_rng.poisson(params_.trades_per_second * 60.0 * activity(state.regime)));
  std::vector<std::int64_t> offsets(n);
  // Whole microseconds, as Kraken's trade times.
  for (auto& o : offsets) o = static_cast<std::int64_t>(price_rng.uniform() * 60e6) * 1000;
  std::sort(offsets.begin(), offsets.end());
  std::vector<MarketTrade> trades;
  if (end == nullptr) trades.reserve(n);
  const double tick = symbol_.instrument.price_increment.to_double();
  const std::int64_t minute_ns = (first_minute_s_ + static_cast<std::int64_t>(index) * 60) * kNs;
  std::int64_t prev = 0;
  std::int64_t prev_ticks = 0;
  for (std::size_t i = 0; i < n; ++i) {
    model_.advance(state, price_rng, static_cast<double>(offsets[i] - prev) / 1e9);
    prev = offsets[i];
    if (end != nullptr) continue;
    const std::int64_t ticks = std::max<std::int64_t>(1, std::llround(state.price() / tick));
    const bool up = i == 0 ? size_rng.chance(0.5) : ticks >= prev_ticks;
    prev_ticks = ticks;
    const auto side = size_rng.chance(0.7) == up ? core::Side::kBuy : core::Side::kSell;
    core::Decimal qty = core::Decimal::from_double(symbol_.typical_trade_qty * size_rng.lognormal(-0.5, 1.1),
                                                   symbol_.instrument.qty_precision);
    if (!qty.is_positive()) qty = symbol_.instrument.qty_increment;
    const auto ord_type = size_rng.chance(0.75) ? core::OrderType::kMarket : core::OrderType::kLimit;
    trades.push_back(MarketTrade{side, ticks, qty, ord_type, seed.first_trade_id + static_cast<std::int64_t>(i),
                                 core::Timestamp{minute_ns + offsets[i]}});
  }
  if (end != nullptr) {
    model_.advance(state, price_rng, static_cast<double>(kMinuteNs - prev) / 1e9);
    *end = state;
  }
  if (count != nullptr) *count = n;
  return trades;
}

void SymbolHistory::generate() {
  Random init_rng(derive_seed(seed_, symbol_.stream_id(), 0xC0FFEE));
  // Pass one walks the price path from log price 0; the whole path is then shifted so the live market
  // starts at the symbol's realistic price (log moves do not depend on the level).
  PriceState state = model_.initial(1.0, init_rng);
  seeds_.resize(history_minutes_);
  std::int64_t trade_id = 1;
  for (std::size_t m = 0; m < history_minutes_; ++m) {
    seeds_[m] = MinuteSeed{state, trade_id};
    PriceState end;
    std::size_t count = 0;
    generate_minute(m, seeds_[m], &end, &count);
    trade_id += static_cast<std::int64_t>(count);
    state = end;
  }
  const double shift = std::log(symbol_.start_price) - state.log_price;
  for (auto& s : seeds_) {
    s.state.log_price += shift;
    s.state.anchor += shift;
  }
  state.log_price += shift;
  state.anchor += shift;
  end_state_ = state;
  // Ids count up to the start time in microseconds, where the live trades go on: a simulator
  // restarted later (same seed) issues ids above every one the earlier run issued, as Kraken's only
  // grow, as long as it issued fewer than one trade a microsecond; the same start, the same ids.
  const std::int64_t generated = trade_id - 1;
  const std::int64_t live_first = std::max(params_.start.ns / 1000, generated + 1);
  for (auto& s : seeds_) s.first_trade_id += live_first - generated - 1;
  next_trade_id_ = live_first;

  minutes_.resize(history_minutes_);
  for (std::size_t m = 0; m < history_minutes_; ++m) {
    MinuteBar& bar = minutes_[m];
    bar.open_time_s = first_minute_s_ + static_cast<std::int64_t>(m) * 60;
    bar.first_trade_id = seeds_[m].first_trade_id;
    for (const auto& t : generate_minute(m, seeds_[m], nullptr)) {
      bar.add(t.ticks, t.qty);
      last_ticks_ = t.ticks;
    }
  }
  if (!last_ticks_) {
    last_ticks_ = std::max<std::int64_t>(
        1, std::llround(symbol_.start_price / symbol_.instrument.price_increment.to_double()));
  }
}

std::vector<MarketTrade> SymbolHistory::minute_trades(std::size_t index) const {
  if (index >= history_minutes_) return {};
  return generate_minute(index, seeds_[index], nullptr);
}

void SymbolHistory::close_current() {
  minutes_.push_back(current_);
  MinuteBar next;
  next.open_time_s = current_.open_time_s + 60;
  current_ = next;
}

void SymbolHistory::advance_to(core::Timestamp now) {
  const std::int64_t minute_s = floor_div(now.seconds(), 60) * 60;
  if (minute_s <= current_.open_time_s) return;
  while (current_.open_time_s < minute_s) close_current();
  rebuild_window(current_.open_time_s);
}

void SymbolHistory::add_live_trade(const MarketTrade& trade) {
  advance_to(trade.time);
  if (current_.count == 0) current_.first_trade_id = trade.trade_id;
  current_.add(trade.ticks, trade.qty);
  live_.push_back(trade);
  while (live_.size() > params_.live_trades_kept) live_.pop_front();
  last_ticks_ = trade.ticks;
  next_trade_id_ = std::max(next_trade_id_, trade.trade_id + 1);
}

MinuteBar SymbolHistory::aggregate(std::int64_t from_s, std::int64_t to_s) const {
  MinuteBar out;
  out.open_time_s = from_s;
  const std::int64_t begin = std::max(from_s, first_minute_s_);
  const std::int64_t end = std::min(to_s, current_.open_time_s);
  for (std::int64_t s = begin; s < end; s += 60) {
    out.merge(minutes_[static_cast<std::size_t>((s - first_minute_s_) / 60)]);
  }
  if (current_.open_time_s >= from_s && current_.open_time_s < to_s) out.merge(current_);
  return out;
}

void SymbolHistory::rebuild_window(std::int64_t now_minute_s) {
  window_ = aggregate(now_minute_s - 1439 * 60, now_minute_s);
}

OutBar SymbolHistory::to_out(const MinuteBar& bar, int interval, std::int64_t open_time_s) const {
  const auto& inst = symbol_.instrument;
  const auto price = [&](std::int64_t ticks) { return core::Decimal::from_raw(inst.price_increment.raw() * ticks); };
  OutBar out;
  out.open_time_s = open_time_s;
  out.interval_minutes = interval;
  out.open = price(bar.open);
  out.high = price(bar.high);
  out.low = price(bar.low);
  out.close = price(bar.close);
  out.volume = bar.volume;
  out.count = bar.count;
  if (bar.volume.is_positive()) {
    const core::Decimal quote = core::Decimal::from_raw(bar.tick_qty) * inst.price_increment;
    out.vwap = (quote / bar.volume).round(inst.price_precision);
  } else {
    out.vwap = out.close;
  }
  return out;
}

std::optional<std::int64_t> SymbolHistory::last_price_ticks() const { return last_ticks_; }

std::vector<OutBar> SymbolHistory::ohlc(int interval, std::optional<std::int64_t> since_s, core::Timestamp now,
                                        std::size_t max_bars) const {
  std::vector<OutBar> out;
  if (interval <= 0 || max_bars == 0) return out;
  const std::int64_t width = static_cast<std::int64_t>(interval) * 60;
  const std::int64_t now_s = std::max(now.seconds(), current_.open_time_s);
  const std::int64_t current_begin = floor_div(now_s, width) * width;
  std::int64_t begin = current_begin - static_cast<std::int64_t>(max_bars - 1) * width;
  begin = std::max(begin, floor_div(first_minute_s_ + width - 1, width) * width);  // whole bars only
  // The close before the first bar, for intervals without trades.
  std::optional<std::int64_t> prev_close;
  for (std::int64_t s = std::min(begin, current_.open_time_s) - 60; s >= first_minute_s_ && s >= begin - 7 * 86400;
       s -= 60) {
    const auto& m = minutes_[static_cast<std::size_t>((s - first_minute_s_) / 60)];
    if (m.count > 0) {
      prev_close = m.close;
      break;
    }
  }
  for (std::int64_t s = begin; s <= current_begin; s += width) {
    MinuteBar bar = aggregate(s, s + width);
    if (bar.count == 0) {
      if (!prev_close) continue;  // nothing ever traded yet: no bar
      bar.open = bar.high = bar.low = bar.close = *prev_close;
    }
    prev_close = bar.close;
    if (since_s && s <= *since_s) continue;
    out.push_back(to_out(bar, interval, s));
  }
  return out;
}

std::optional<OutBar> SymbolHistory::current_bar(int interval, core::Timestamp now) const {
  const std::int64_t width = static_cast<std::int64_t>(interval) * 60;
  const std::int64_t begin = floor_div(std::max(now.seconds(), current_.open_time_s), width) * width;
  const MinuteBar bar = aggregate(begin, begin + width);
  if (bar.count == 0) return std::nullopt;
  return to_out(bar, interval, begin);
}

TradesPage SymbolHistory::trades(std::optional<std::int64_t> since_ns, std::size_t count) const {
  TradesPage page;
  count = std::max<std::size_t>(1, count);
  if (!since_ns) {
    page.trades = recent_trades(count);
    page.last_ns = page.trades.empty() ? 0 : page.trades.back().time.ns;
    return page;
  }
  const std::int64_t since = *since_ns;
  auto& out = page.trades;
  const auto full = [&](const MarketTrade& next) {
    return out.size() >= count && next.time.ns != out.back().time.ns;
  };
  bool done = false;
  // Past minutes first, regenerated one at a time.
  if (since < (first_minute_s_ + static_cast<std::int64_t>(history_minutes_) * 60) * kNs) {
    std::size_t m = since < first_minute_s_ * kNs
                        ? 0
                        : static_cast<std::size_t>((since / kNs - first_minute_s_) / 60);
    for (; m < history_minutes_ && !done; ++m) {
      if (minutes_[m].count == 0) continue;
      for (const auto& t : minute_trades(m)) {
        if (t.time.ns <= since) continue;
        if (full(t)) {
          done = true;
          break;
        }
        out.push_back(t);
      }
    }
  }
  if (!done) {
    const auto first = std::upper_bound(live_.begin(), live_.end(), since,
                                        [](std::int64_t s, const MarketTrade& t) { return s < t.time.ns; });
    for (auto it = first; it != live_.end(); ++it) {
      if (full(*it)) break;
      out.push_back(*it);
    }
  }
  page.last_ns = out.empty() ? since : out.back().time.ns;
  return page;
}

std::vector<MarketTrade> SymbolHistory::recent_trades(std::size_t count) const {
  std::vector<MarketTrade> reversed;
  for (auto it = live_.rbegin(); it != live_.rend() && reversed.size() < count; ++it) reversed.push_back(*it);
  for (std::size_t m = history_minutes_; m-- > 0 && reversed.size() < count;) {
    if (minutes_[m].count == 0) continue;
    const auto minute = minute_trades(m);
    for (auto it = minute.rbegin(); it != minute.rend() && reversed.size() < count; ++it) reversed.push_back(*it);
  }
  return {reversed.rbegin(), reversed.rend()};
}

Stats24h SymbolHistory::stats_24h() const {
  const auto& inst = symbol_.instrument;
  const auto price = [&](std::int64_t ticks) { return core::Decimal::from_raw(inst.price_increment.raw() * ticks); };
  MinuteBar w = window_;
  w.merge(current_);
  Stats24h s;
  s.last = price(last_ticks_.value_or(1));
  s.trades = w.count;
  if (w.count == 0) {
    s.open = s.low = s.high = s.vwap = s.last;
    return s;
  }
  s.open = price(w.open);
  s.low = price(w.low);
  s.high = price(w.high);
  s.volume = w.volume;
  const core::Decimal quote = core::Decimal::from_raw(w.tick_qty) * inst.price_increment;
  s.vwap = (quote / w.volume).round(inst.price_precision);
  return s;
}

}  // namespace tg4::sim
