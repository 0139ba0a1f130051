#pragma once
// Kraken WS v2 book checksum (SPEC §3): CRC32 over the top 10 asks (low -> high) then the top 10
// bids (high -> low); each price and qty written with the instrument's precision, '.' removed and
// leading zeros stripped. Shared by the order book (verification) and the simulator (generation).
#include <cstdint>
#include <span>

#include "core/events.hpp"

namespace tg4::market {

std::uint32_t book_checksum(std::span<const core::PriceLevel> asks_low_to_high,
                            std::span<const core::PriceLevel> bids_high_to_low, int price_precision,
                            int qty_precision);

}  // namespace tg4::market
