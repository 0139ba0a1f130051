#pragma once
// SimBook: the exchange's side of an L2 book on the price grid, plus what each subscriber of depth D
// must be told after a change. Prices are integer ticks (exact), quantities Decimals; each side is a
// sorted vector, best first, so the D-th level and any rank are O(1)/O(log n).
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "core/decimal.hpp"
#include "core/events.hpp"

namespace tg4::sim {

struct BookLevel {
  std::int64_t ticks = 0;
  core::Decimal qty;
};

struct LevelChange {
  bool bid = false;
  std::int64_t ticks = 0;
  core::Decimal qty;  // zero: the level was removed
};

// What a depth-D subscriber receives for one change set (levels as Kraken sends them).
struct DepthUpdate {
  std::vector<core::PriceLevel> bids;
  std::vector<core::PriceLevel> asks;
  bool empty() const { return bids.empty() && asks.empty(); }
};

// The D-th best price of each side before a change set (nullopt: the side had fewer than D levels).
struct DepthBoundary {
  std::size_t depth = 0;
  std::optional<std::int64_t> bid;
  std::optional<std::int64_t> ask;
};

class SimBook {
 public:
  explicit SimBook(core::Decimal tick) : tick_(tick) {}

  const std::vector<BookLevel>& side(bool bid) const { return bid ? bids_ : asks_; }
  const std::vector<BookLevel>& bids() const { return bids_; }
  const std::vector<BookLevel>& asks() const { return asks_; }
  std::optional<std::int64_t> best(bool bid) const;
  core::Decimal tick() const { return tick_; }
  core::Decimal price(std::int64_t ticks) const { return core::Decimal::from_raw(tick_.raw() * ticks); }

  // Sets a level (qty zero removes it); returns the change, or nullopt if nothing changed.
  std::optional<LevelChange> set(bool bid, std::int64_t ticks, core::Decimal qty);
  core::Decimal qty_at(bool bid, std::int64_t ticks) const;
  // Index of a price on its side (0 = best), or -1.
  std::ptrdiff_t rank(bool bid, std::int64_t ticks) const;
  // True if `a` is a better price than `b` on that side.
  static bool better(bool bid, std::int64_t a, std::int64_t b) { return bid ? a > b : a < b; }

  DepthBoundary boundary(std::size_t depth) const;
  std::vector<core::PriceLevel> top(bool bid, std::size_t depth) const;
  // Kraken's CRC32 over the top 10 levels (market::book_checksum).
  std::uint32_t checksum(int price_precision, int qty_precision) const;

 private:
  std::vector<BookLevel>& side_mut(bool bid) { return bid ? bids_ : asks_; }
  core::Decimal tick_;
  std::vector<BookLevel> bids_;  // descending
  std::vector<BookLevel> asks_;  // ascending
};

// The update a depth-`before.depth` subscriber needs so that, after applying it and truncating to its
// depth, it holds exactly the top levels of `after`: changed levels now in view, removals of levels that
// were in view, and untouched levels that moved up into view. `changes` are in the order they happened.
DepthUpdate depth_update(const SimBook& after, std::span<const LevelChange> changes, const DepthBoundary& before);

}  // namespace tg4::sim
