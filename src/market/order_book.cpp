#include "market/order_book.hpp"

#include <algorithm>
#include <numeric>

namespace tg4::market {

const char* to_string(ApplyResult result) {
  switch (result) {
    case ApplyResult::kApplied:
      return "applied";
    case ApplyResult::kChecksumMismatch:
      return "checksum_mismatch";
    case ApplyResult::kIgnored:
      return "ignored";
    case ApplyResult::kWrongSymbol:
      return "wrong_symbol";
  }
  return "unknown";
}

OrderBook::OrderBook(std::string symbol, std::size_t depth)
    : symbol_(std::move(symbol)), depth_(std::max<std::size_t>(depth, 1)) {
  bids_.reserve(depth_);
  asks_.reserve(depth_);
  bids_.clear();
  asks_.clear();
}

void OrderBook::set_precision(int price_precision, int qty_precision) {
  price_precision_ = std::clamp(price_precision, 0, core::Decimal::kScale);
  qty_precision_ = std::clamp(qty_precision, 0, core::Decimal::kScale);
  precision_fixed_ = true;
}

void OrderBook::learn_precision(const core::BookDelta& delta) {
  if (precision_fixed_) return;
  if (delta.is_snapshot) {
    price_precision_ = std::max<int>(delta.price_decimals, 0);
    qty_precision_ = std::max<int>(delta.qty_decimals, 0);
    return;
  }
  price_precision_ = std::max<int>(price_precision_, delta.price_decimals);
  qty_precision_ = std::max<int>(qty_precision_, delta.qty_decimals);
}

ApplyResult OrderBook::apply(const core::BookDelta& delta) {
  if (delta.symbol != symbol_) return ApplyResult::kWrongSymbol;
  if (delta.is_snapshot) {
    ++stats_.snapshots;
    bids_.clear();
    asks_.clear();
    valid_ = true;
  } else {
    ++stats_.updates;
    if (!valid_) {
      ++stats_.ignored;
      return ApplyResult::kIgnored;
    }
  }
  learn_precision(delta);
  // Every level in message order: the same price may appear twice, the later one wins.
  for (const auto& level : delta.bids) bids_.set(level.price, level.qty);
  for (const auto& level : delta.asks) asks_.set(level.price, level.qty);
  // Kraken sends no delete for a level pushed beyond the subscribed depth: drop it here.
  bids_.truncate(depth_);
  asks_.truncate(depth_);
  last_update_ = delta.exchange_time.is_set() ? delta.exchange_time : delta.received;
  if (checksum() != delta.checksum) {
    ++stats_.checksum_mismatch;
    valid_ = false;
    return ApplyResult::kChecksumMismatch;
  }
  ++stats_.checksum_ok;
  return ApplyResult::kApplied;
}

void OrderBook::invalidate() {
  valid_ = false;
}

std::optional<core::PriceLevel> OrderBook::best_bid() const {
  if (bids_.empty()) return std::nullopt;
  return bids().front();
}

std::optional<core::PriceLevel> OrderBook::best_ask() const {
  if (asks_.empty()) return std::nullopt;
  return asks().front();
}

std::optional<core::Decimal> OrderBook::mid() const {
  const auto bid = best_bid();
  const auto ask = best_ask();
  if (!bid || !ask) return std::nullopt;
  const auto sum = core::Decimal::checked_add(bid->price, ask->price);
  if (!sum) return std::nullopt;  // only for absurd prices
  return core::Decimal::div(*sum, core::Decimal::from_int(2), core::Rounding::kHalfEven);
}

std::optional<core::Decimal> OrderBook::spread() const {
  const auto bid = best_bid();
  const auto ask = best_ask();
  if (!bid || !ask) return std::nullopt;
  return ask->price - bid->price;
}

std::optional<double> OrderBook::spread_bps() const {
  const auto s = spread();
  const auto m = mid();
  if (!s || !m || !m->is_positive()) return std::nullopt;
  return s->to_double() / m->to_double() * 10'000.0;
}

namespace {

core::Decimal notional(const core::PriceLevel& level) {
  return core::Decimal::checked_mul(level.price, level.qty, core::Rounding::kHalfEven)
      .value_or(core::Decimal::max());
}

core::Decimal sum_qty(std::span<const core::PriceLevel> levels, std::size_t n) {
  core::Decimal total;
  const std::size_t count = std::min(n, levels.size());
  for (std::size_t i = 0; i < count; ++i)
    total = core::Decimal::saturating_add(total, levels[i].qty);
  return total;
}

}  // namespace

core::Decimal OrderBook::bid_qty(std::size_t levels) const {
  return sum_qty(bids(), levels);
}
core::Decimal OrderBook::ask_qty(std::size_t levels) const {
  return sum_qty(asks(), levels);
}

double OrderBook::imbalance(std::size_t levels) const {
  const double bid = bid_qty(levels).to_double();
  const double ask = ask_qty(levels).to_double();
  const double total = bid + ask;
  if (total <= 0.0) return 0.0;
  return std::clamp((bid - ask) / total, -1.0, 1.0);
}

DepthWithin OrderBook::depth_within(core::Decimal fraction) const {
  DepthWithin out;
  const auto m = mid();
  if (!m) return out;
  const auto reach = core::Decimal::checked_mul(*m, fraction, core::Rounding::kHalfEven);
  if (!reach) return out;
  const core::Decimal floor = *m - *reach;
  const core::Decimal ceiling =
      core::Decimal::checked_add(*m, *reach).value_or(core::Decimal::max());
  for (const auto& level : bids()) {
    if (level.price < floor) break;
    out.bid_qty = core::Decimal::saturating_add(out.bid_qty, level.qty);
    out.bid_notional = core::Decimal::saturating_add(out.bid_notional, notional(level));
  }
  for (const auto& level : asks()) {
    if (level.price > ceiling) break;
    out.ask_qty = core::Decimal::saturating_add(out.ask_qty, level.qty);
    out.ask_notional = core::Decimal::saturating_add(out.ask_notional, notional(level));
  }
  return out;
}

std::uint32_t OrderBook::checksum() const {
  return checksum_cache_.compute(asks(), bids(), price_precision_, qty_precision_);
}

std::size_t OrderBook::memory_bytes() const {
  return sizeof(*this) + symbol_.capacity() + bids_.capacity_bytes() + asks_.capacity_bytes();
}

}  // namespace tg4::market
