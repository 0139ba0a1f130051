#pragma once
// BookSide: one side of an L2 book as a sorted flat array, best level first, so the top N is a span
// with no copying. The array lives in a gap buffer (free slots at both ends): a change near the
// best price moves the few levels in front of it, truncation to the subscribed depth drops the
// tail in O(1), and only a rare recentering moves everything. A depth-1000 side is ~40 KB.
#include <cstddef>
#include <span>
#include <vector>

#include "core/events.hpp"

namespace tg4::market {

class BookSide {
 public:
  enum class Order : bool { kDescending, kAscending };  // bids high -> low, asks low -> high

  explicit BookSide(Order order) : order_(order) {}

  // Room for `depth` levels plus headroom; the buffer grows only if one message inserts more.
  void reserve(std::size_t depth);
  void clear();
  // Sets the level at `price` to `qty`; a zero qty deletes it (a delete of an absent level is a
  // no-op).
  void set(core::Decimal price, core::Decimal qty);
  void truncate(std::size_t depth);

  std::span<const core::PriceLevel> levels() const { return {buf_.data() + lo_, hi_ - lo_}; }
  std::size_t size() const { return hi_ - lo_; }
  bool empty() const { return hi_ == lo_; }
  std::size_t capacity_bytes() const { return buf_.capacity() * sizeof(core::PriceLevel); }

 private:
  bool better(core::Decimal a, core::Decimal b) const {
    return order_ == Order::kDescending ? a > b : a < b;
  }
  std::size_t find(core::Decimal price) const;  // first index (absolute) not better than `price`
  void insert_at(std::size_t pos, core::PriceLevel level);
  void erase_at(std::size_t pos);
  void recenter(std::size_t capacity);

  Order order_;
  std::vector<core::PriceLevel> buf_;
  std::size_t lo_ = 0;  // levels are buf_[lo_, hi_)
  std::size_t hi_ = 0;
};

}  // namespace tg4::market
