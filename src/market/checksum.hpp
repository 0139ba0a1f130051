#pragma once
// Kraken WS v2 book checksum (SPEC §3): CRC32 over the top 10 asks (low -> high) then the top 10
// bids (high -> low); each price and qty written with the instrument's precision, '.' removed and
// leading zeros stripped. Shared by the order book (verification) and the simulator (generation).
#include <array>
#include <cstdint>
#include <span>

#include "core/events.hpp"

namespace tg4::market {

std::uint32_t book_checksum(std::span<const core::PriceLevel> asks_low_to_high,
                            std::span<const core::PriceLevel> bids_high_to_low, int price_precision,
                            int qty_precision);

// The same checksum, remembering each top level's text between calls: a book message usually
// changes one or two of the top 10 levels, so the others are copied instead of formatted again.
// One per book (about 5 KB).
class ChecksumCache {
 public:
  std::uint32_t compute(std::span<const core::PriceLevel> asks_low_to_high,
                        std::span<const core::PriceLevel> bids_high_to_low, int price_precision,
                        int qty_precision);
  void clear();

  // Longest text of one level: price and qty of up to 39 digits each, plus copy slack.
  static constexpr std::size_t kTextBytes = 88;
  struct Entry {
    core::Decimal price;
    core::Decimal qty;
    std::uint32_t length = 0;
    std::array<char, kTextBytes> text;
  };

 private:
  struct Side {
    std::array<std::array<Entry, 10>, 2> buffers;  // previous and current top 10
    std::size_t size[2] = {0, 0};
    int current = 0;
  };
  char* append_side(char* out, Side& side, std::span<const core::PriceLevel> levels);
  void rebuild(Side& side, std::span<const core::PriceLevel> levels) const;
  void format(Entry& entry) const;

  Side asks_;
  Side bids_;
  int price_precision_ = -1;
  int qty_precision_ = -1;
};

}  // namespace tg4::market
