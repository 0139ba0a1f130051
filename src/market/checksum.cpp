#include "market/checksum.hpp"

#include <zlib.h>

#include <algorithm>
#include <array>

namespace tg4::market {
namespace {

constexpr std::size_t kChecksumDepth = 10;

// Appends `value` at `precision` with the '.' removed and leading zeros stripped, as Kraken does.
// Writes straight into zlib's running CRC; no string is built.
std::uint32_t crc_field(std::uint32_t crc, const core::Decimal& value, int precision) {
  std::array<char, 64> text{};
  const std::size_t length = value.write(text.data(), precision);
  std::array<char, 64> digits{};
  std::size_t count = 0;
  for (std::size_t i = 0; i < length; ++i) {
    const char c = text[i];
    if (c == '.' || c == '-') continue;
    if (count == 0 && c == '0') continue;
    digits[count++] = c;
  }
  return static_cast<std::uint32_t>(
      crc32(crc, reinterpret_cast<const Bytef*>(digits.data()), static_cast<uInt>(count)));
}

std::uint32_t crc_side(std::uint32_t crc, std::span<const core::PriceLevel> levels,
                       int price_precision, int qty_precision) {
  const std::size_t n = std::min(levels.size(), kChecksumDepth);
  for (std::size_t i = 0; i < n; ++i) {
    crc = crc_field(crc, levels[i].price, price_precision);
    crc = crc_field(crc, levels[i].qty, qty_precision);
  }
  return crc;
}

}  // namespace

std::uint32_t book_checksum(std::span<const core::PriceLevel> asks_low_to_high,
                            std::span<const core::PriceLevel> bids_high_to_low, int price_precision,
                            int qty_precision) {
  std::uint32_t crc = static_cast<std::uint32_t>(crc32(0L, Z_NULL, 0));
  crc = crc_side(crc, asks_low_to_high, price_precision, qty_precision);
  return crc_side(crc, bids_high_to_low, price_precision, qty_precision);
}

}  // namespace tg4::market
