#include "sim/sim_book.hpp"

#include <algorithm>
#include <unordered_map>

#include "market/checksum.hpp"

namespace tg4::sim {
namespace {

// Position of `ticks` in a side sorted best-first (lower_bound in that order).
std::vector<BookLevel>::const_iterator find_pos(const std::vector<BookLevel>& side, bool bid, std::int64_t ticks) {
  return std::lower_bound(side.begin(), side.end(), ticks, [bid](const BookLevel& level, std::int64_t t) {
    return SimBook::better(bid, level.ticks, t);
  });
}

}  // namespace

std::optional<std::int64_t> SimBook::best(bool bid) const {
  const auto& s = side(bid);
  if (s.empty()) return std::nullopt;
  return s.front().ticks;
}

std::optional<LevelChange> SimBook::set(bool bid, std::int64_t ticks, core::Decimal qty) {
  auto& s = side_mut(bid);
  const auto cpos = find_pos(s, bid, ticks);
  auto pos = s.begin() + (cpos - s.cbegin());
  const bool exists = pos != s.end() && pos->ticks == ticks;
  if (qty.is_zero() || qty.is_negative()) {
    if (!exists) return std::nullopt;
    s.erase(pos);
    return LevelChange{bid, ticks, core::Decimal::zero()};
  }
  if (exists) {
    if (pos->qty == qty) return std::nullopt;
    pos->qty = qty;
  } else {
    s.insert(pos, BookLevel{ticks, qty});
  }
  return LevelChange{bid, ticks, qty};
}

core::Decimal SimBook::qty_at(bool bid, std::int64_t ticks) const {
  const auto& s = side(bid);
  const auto pos = find_pos(s, bid, ticks);
  return pos != s.end() && pos->ticks == ticks ? pos->qty : core::Decimal::zero();
}

std::ptrdiff_t SimBook::rank(bool bid, std::int64_t ticks) const {
  const auto& s = side(bid);
  const auto pos = find_pos(s, bid, ticks);
  return pos != s.end() && pos->ticks == ticks ? pos - s.begin() : -1;
}

DepthBoundary SimBook::boundary(std::size_t depth) const {
  DepthBoundary b;
  b.depth = depth;
  if (depth > 0 && bids_.size() >= depth) b.bid = bids_[depth - 1].ticks;
  if (depth > 0 && asks_.size() >= depth) b.ask = asks_[depth - 1].ticks;
  return b;
}

std::vector<core::PriceLevel> SimBook::top(bool bid, std::size_t depth) const {
  const auto& s = side(bid);
  const std::size_t n = std::min(depth, s.size());
  std::vector<core::PriceLevel> out;
  out.reserve(n);
  for (std::size_t i = 0; i < n; ++i) out.push_back({price(s[i].ticks), s[i].qty});
  return out;
}

std::uint32_t SimBook::checksum(int price_precision, int qty_precision) const {
  const auto asks = top(false, 10);
  const auto bids = top(true, 10);
  return market::book_checksum(asks, bids, price_precision, qty_precision);
}

DepthUpdate depth_update(const SimBook& after, std::span<const LevelChange> changes, const DepthBoundary& before) {
  DepthUpdate out;
  const std::size_t depth = before.depth;
  for (const bool bid : {true, false}) {
    auto& dest = bid ? out.bids : out.asks;
    const std::optional<std::int64_t> edge = bid ? before.bid : before.ask;
    // The final quantity of each changed price, in order of first change.
    std::unordered_map<std::int64_t, std::size_t> index;
    std::vector<LevelChange> finals;
    for (const auto& c : changes) {
      if (c.bid != bid) continue;
      const auto [it, inserted] = index.emplace(c.ticks, finals.size());
      if (inserted) finals.push_back(c);
      else finals[it->second].qty = c.qty;
    }
    for (const auto& c : finals) {
      if (!c.qty.is_zero()) {
        const auto r = after.rank(bid, c.ticks);
        if (r >= 0 && static_cast<std::size_t>(r) < depth) dest.push_back({after.price(c.ticks), c.qty});
      } else {
        // A removed level only matters to a subscriber who could see it.
        const bool was_visible = !edge || !SimBook::better(bid, *edge, c.ticks);
        if (was_visible) dest.push_back({after.price(c.ticks), core::Decimal::zero()});
      }
    }
    if (!edge) continue;  // the side had fewer than `depth` levels: nothing was hidden before
    // Untouched levels from below the old edge that are now in view (they moved up).
    const auto& levels = after.side(bid);
    const std::size_t n = std::min(depth, levels.size());
    for (std::size_t i = n; i-- > 0;) {
      const auto& level = levels[i];
      if (!SimBook::better(bid, *edge, level.ticks)) break;  // at or above the old edge: was visible
      if (index.count(level.ticks) == 0) dest.push_back({after.price(level.ticks), level.qty});
    }
  }
  return out;
}

}  // namespace tg4::sim
