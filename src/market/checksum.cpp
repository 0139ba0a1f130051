#include "market/checksum.hpp"

#include <zlib.h>

#include <algorithm>
#include <array>

namespace tg4::market {
namespace {

constexpr std::size_t kChecksumDepth = 10;
using U128 = unsigned __int128;

// Inverse of an odd number modulo 2^128 (Newton's iteration doubles the correct bits each step).
constexpr U128 inverse_mod_2_128(U128 odd) {
  U128 inverse = odd;  // correct to 3 bits: odd * odd == 1 (mod 8)
  for (int i = 0; i < 6; ++i) inverse *= 2 - odd * inverse;
  return inverse;
}

struct Pow5Table {
  std::array<U128, core::Decimal::kScale + 1> pow{};
  std::array<U128, core::Decimal::kScale + 1> inverse{};
  std::array<U128, core::Decimal::kScale + 1> max_quotient{};  // (2^128 - 1) / 5^k
  constexpr Pow5Table() {
    U128 p = 1;
    for (std::size_t k = 0; k < pow.size(); ++k) {
      pow[k] = p;
      inverse[k] = inverse_mod_2_128(p);
      max_quotient[k] = ~U128{0} / p;
      p *= 5;
    }
  }
};
constexpr Pow5Table kPow5;

// magnitude / 10^drop when the division is exact, by a shift and a multiplication with the inverse
// of 5^drop (an exact quotient q satisfies q <= max / 5^drop; any other product exceeds it).
bool exact_div_pow10(U128 magnitude, int drop, U128& quotient) {
  if (drop == 0) {
    quotient = magnitude;
    return true;
  }
  if ((magnitude & ((U128{1} << drop) - 1)) != 0) return false;
  const U128 q = (magnitude >> drop) * kPow5.inverse[static_cast<std::size_t>(drop)];
  if (q > kPow5.max_quotient[static_cast<std::size_t>(drop)]) return false;
  quotient = q;
  return true;
}

constexpr char kPairs[] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

// Decimal digits of v without leading zeros (nothing for zero).
char* append_u64(char* out, std::uint64_t v) {
  char tmp[20];
  char* p = tmp + sizeof(tmp);
  while (v >= 100) {
    const auto two = static_cast<std::size_t>(v % 100) * 2;
    v /= 100;
    *--p = kPairs[two + 1];
    *--p = kPairs[two];
  }
  if (v >= 10) {
    *--p = kPairs[v * 2 + 1];
    *--p = kPairs[v * 2];
  } else if (v > 0) {
    *--p = static_cast<char>('0' + v);
  }
  const std::size_t n = static_cast<std::size_t>(tmp + sizeof(tmp) - p);
  std::copy(p, p + n, out);
  return out + n;
}

// `value` written with `precision` fractional digits, '.' removed and leading zeros stripped, as
// Kraken does. The digits are those of value * 10^precision as an integer.
char* append_field(char* out, const core::Decimal& value, int precision) {
  const U128 magnitude = static_cast<U128>(value.raw() < 0 ? -value.raw() : value.raw());
  U128 scaled = 0;
  if (exact_div_pow10(magnitude, core::Decimal::kScale - precision, scaled) &&
      scaled <= U128{UINT64_MAX}) {
    return append_u64(out, static_cast<std::uint64_t>(scaled));
  }
  // More digits than the precision, or a huge value: the general formatter (rounds half-even).
  std::array<char, 64> text{};
  const std::size_t length = value.write(text.data(), precision);
  bool leading = true;
  for (std::size_t i = 0; i < length; ++i) {
    const char c = text[i];
    if (c == '.' || c == '-') continue;
    if (leading && c == '0') continue;
    leading = false;
    *out++ = c;
  }
  return out;
}

// At most 10 levels * 2 fields * 40 digits (a Decimal has at most 39 digits).
constexpr std::size_t kSideBytes = kChecksumDepth * 2 * 40;

char* append_side(char* out, std::span<const core::PriceLevel> levels, int price_precision,
                  int qty_precision) {
  const std::size_t n = std::min(levels.size(), kChecksumDepth);
  for (std::size_t i = 0; i < n; ++i) {
    out = append_field(out, levels[i].price, price_precision);
    out = append_field(out, levels[i].qty, qty_precision);
  }
  return out;
}

}  // namespace

std::uint32_t book_checksum(std::span<const core::PriceLevel> asks_low_to_high,
                            std::span<const core::PriceLevel> bids_high_to_low, int price_precision,
                            int qty_precision) {
  price_precision = std::clamp(price_precision, 0, core::Decimal::kScale);
  qty_precision = std::clamp(qty_precision, 0, core::Decimal::kScale);
  std::array<char, 2 * kSideBytes> text;
  char* end = append_side(text.data(), asks_low_to_high, price_precision, qty_precision);
  end = append_side(end, bids_high_to_low, price_precision, qty_precision);
  const auto length = static_cast<uInt>(end - text.data());
  const auto crc = crc32(crc32(0L, Z_NULL, 0), reinterpret_cast<const Bytef*>(text.data()), length);
  return static_cast<std::uint32_t>(crc);
}

}  // namespace tg4::market
