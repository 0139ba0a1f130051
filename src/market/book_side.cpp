#include "market/book_side.hpp"

#include <algorithm>

namespace tg4::market {
namespace {

// Free slots kept at each end: enough that recentering (O(depth)) happens once per many updates.
std::size_t headroom(std::size_t depth) {
  return depth / 8 + 4;
}

}  // namespace

void BookSide::reserve(std::size_t depth) {
  const std::size_t capacity = depth + 2 * headroom(depth);
  if (buf_.size() < capacity) recenter(capacity);
}

void BookSide::clear() {
  const std::size_t middle = buf_.size() / 2;
  lo_ = hi_ = std::min(middle, headroom(buf_.size()));
}

std::size_t BookSide::find(core::Decimal price) const {
  const auto* first = buf_.data() + lo_;
  const auto* last = buf_.data() + hi_;
  const auto* it = std::partition_point(
      first, last, [&](const core::PriceLevel& level) { return better(level.price, price); });
  return static_cast<std::size_t>(it - buf_.data());
}

void BookSide::set(core::Decimal price, core::Decimal qty) {
  const std::size_t pos = find(price);
  const bool exists = pos < hi_ && buf_[pos].price == price;
  if (qty.is_zero()) {
    if (exists) erase_at(pos);
  } else if (exists) {
    buf_[pos].qty = qty;
  } else {
    insert_at(pos, core::PriceLevel{price, qty});
  }
}

void BookSide::truncate(std::size_t depth) {
  if (size() > depth) hi_ = lo_ + depth;
}

void BookSide::insert_at(std::size_t pos, core::PriceLevel level) {
  const std::size_t front = pos - lo_;  // levels better than the new one
  const std::size_t back = hi_ - pos;
  const bool room_front = lo_ > 0;
  const bool room_back = hi_ < buf_.size();
  if (room_front && (front <= back || !room_back)) {
    std::move(buf_.begin() + static_cast<std::ptrdiff_t>(lo_),
              buf_.begin() + static_cast<std::ptrdiff_t>(pos),
              buf_.begin() + static_cast<std::ptrdiff_t>(lo_ - 1));
    --lo_;
    buf_[pos - 1] = level;
    return;
  }
  if (room_back && (room_front || back <= front)) {
    std::move_backward(buf_.begin() + static_cast<std::ptrdiff_t>(pos),
                       buf_.begin() + static_cast<std::ptrdiff_t>(hi_),
                       buf_.begin() + static_cast<std::ptrdiff_t>(hi_ + 1));
    ++hi_;
    buf_[pos] = level;
    return;
  }
  // No room where it is cheap: recenter (growing when full), which leaves room at both ends.
  const std::size_t offset = pos - lo_;
  const std::size_t n = size();
  const std::size_t full = n + 2 * headroom(n);
  recenter(std::max(buf_.size(), full));
  insert_at(lo_ + offset, level);
}

void BookSide::erase_at(std::size_t pos) {
  const std::size_t front = pos - lo_;
  const std::size_t back = hi_ - pos - 1;
  if (front < back) {
    std::move_backward(buf_.begin() + static_cast<std::ptrdiff_t>(lo_),
                       buf_.begin() + static_cast<std::ptrdiff_t>(pos),
                       buf_.begin() + static_cast<std::ptrdiff_t>(pos + 1));
    ++lo_;
  } else {
    std::move(buf_.begin() + static_cast<std::ptrdiff_t>(pos + 1),
              buf_.begin() + static_cast<std::ptrdiff_t>(hi_),
              buf_.begin() + static_cast<std::ptrdiff_t>(pos));
    --hi_;
  }
}

// Moves the levels to the middle of a buffer of `capacity` slots (at least size() + 2).
void BookSide::recenter(std::size_t capacity) {
  const std::size_t n = size();
  capacity = std::max(capacity, n + 2);
  std::vector<core::PriceLevel> next(capacity);
  const std::size_t start = (capacity - n) / 2;
  std::copy(buf_.begin() + static_cast<std::ptrdiff_t>(lo_),
            buf_.begin() + static_cast<std::ptrdiff_t>(hi_),
            next.begin() + static_cast<std::ptrdiff_t>(start));
  buf_ = std::move(next);
  lo_ = start;
  hi_ = start + n;
}

}  // namespace tg4::market
