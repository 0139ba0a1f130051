#include "market/checksum.hpp"

#include <zlib.h>

#include <algorithm>
#include <array>
#include <cstring>

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

int digit_count(std::uint64_t v) {
  std::uint64_t bound = 10;
  for (int n = 1; n < 20; ++n, bound *= 10) {
    if (v < bound) return n;
  }
  return 20;  // 10^19 <= v < 2^64
}

void write4(char* p, std::uint32_t v) {
  const std::uint32_t hi = v / 100;
  const std::uint32_t lo = v % 100;
  std::memcpy(p, kPairs + 2 * hi, 2);
  std::memcpy(p + 2, kPairs + 2 * lo, 2);
}

void write8(char* p, std::uint32_t v) {
  write4(p, v / 10'000);
  write4(p + 4, v % 10'000);
}

// Decimal digits of v without leading zeros (nothing for zero). Formats 20 digits in independent
// 4-digit groups (short dependency chains), then keeps the significant ones. Writes up to 20 bytes
// at `out` whatever the length: the caller's buffer has that slack.
char* append_u64(char* out, std::uint64_t v) {
  if (v == 0) return out;
  char digits[40] = {};  // 20 digits, then room for the fixed-size copy to read
  const std::uint64_t low = v % 100'000'000;
  const std::uint64_t rest = v / 100'000'000;
  write8(digits + 12, static_cast<std::uint32_t>(low));
  write8(digits + 4, static_cast<std::uint32_t>(rest % 100'000'000));
  write4(digits, static_cast<std::uint32_t>(rest / 100'000'000));  // < 10^4 for any 64-bit value
  const int n = digit_count(v);
  std::memcpy(out, digits + 20 - n, 20);  // fixed size: inlined moves; only n bytes count
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

std::uint32_t crc_of(const char* text, const char* end) {
  const auto length = static_cast<uInt>(end - text);
  return static_cast<std::uint32_t>(
      crc32(crc32(0L, Z_NULL, 0), reinterpret_cast<const Bytef*>(text), length));
}

}  // namespace

std::uint32_t book_checksum(std::span<const core::PriceLevel> asks_low_to_high,
                            std::span<const core::PriceLevel> bids_high_to_low, int price_precision,
                            int qty_precision) {
  price_precision = std::clamp(price_precision, 0, core::Decimal::kScale);
  qty_precision = std::clamp(qty_precision, 0, core::Decimal::kScale);
  std::array<char, 2 * kSideBytes + 32> text;  // + slack for append_u64's fixed-size copy
  char* end = append_side(text.data(), asks_low_to_high, price_precision, qty_precision);
  end = append_side(end, bids_high_to_low, price_precision, qty_precision);
  return crc_of(text.data(), end);
}

void ChecksumCache::clear() {
  for (Side* side : {&asks_, &bids_}) side->size[0] = side->size[1] = 0;
}

void ChecksumCache::format(Entry& entry) const {
  char* end = append_field(entry.text.data(), entry.price, price_precision_);
  end = append_field(end, entry.qty, qty_precision_);
  entry.length = static_cast<std::uint32_t>(end - entry.text.data());
}

// Levels inserted or deleted above others: the new top 10 is assembled in the other buffer, each
// level's text copied from the old top 10 when there, formatted otherwise.
void ChecksumCache::rebuild(Side& side, std::span<const core::PriceLevel> levels) const {
  const auto& old = side.buffers[static_cast<std::size_t>(side.current)];
  const std::size_t old_size = side.size[side.current];
  const int next = 1 - side.current;
  auto& fresh = side.buffers[static_cast<std::size_t>(next)];
  std::size_t hint = 0;  // levels keep their order: search the old top 10 from the last match on
  for (std::size_t i = 0; i < levels.size(); ++i) {
    Entry& entry = fresh[i];
    bool found = false;
    for (std::size_t k = 0; k < old_size && !found; ++k) {
      const Entry& candidate = old[(hint + k) % old_size];
      if (candidate.price == levels[i].price && candidate.qty == levels[i].qty) {
        entry = candidate;
        hint = (hint + k + 1) % old_size;
        found = true;
      }
    }
    if (!found) {
      entry.price = levels[i].price;
      entry.qty = levels[i].qty;
      format(entry);
    }
  }
  side.size[next] = levels.size();
  side.current = next;
}

char* ChecksumCache::append_side(char* out, Side& side, std::span<const core::PriceLevel> levels) {
  levels = levels.first(std::min(levels.size(), kChecksumDepth));
  auto* entries = side.buffers[static_cast<std::size_t>(side.current)].data();
  // Usually the same prices in the same places, at most a quantity changed: update in place.
  bool in_place = side.size[side.current] == levels.size();
  for (std::size_t i = 0; in_place && i < levels.size(); ++i) {
    Entry& e = entries[i];
    if (e.price != levels[i].price) {
      in_place = false;
    } else if (e.qty != levels[i].qty) {
      e.qty = levels[i].qty;
      format(e);
    }
  }
  if (!in_place) {
    rebuild(side, levels);
    entries = side.buffers[static_cast<std::size_t>(side.current)].data();
  }
  for (std::size_t i = 0; i < levels.size(); ++i) {
    std::memcpy(out, entries[i].text.data(), kTextBytes);  // fixed size: inlined; `length` counts
    out += entries[i].length;
  }
  return out;
}

std::uint32_t ChecksumCache::compute(std::span<const core::PriceLevel> asks_low_to_high,
                                     std::span<const core::PriceLevel> bids_high_to_low,
                                     int price_precision, int qty_precision) {
  price_precision = std::clamp(price_precision, 0, core::Decimal::kScale);
  qty_precision = std::clamp(qty_precision, 0, core::Decimal::kScale);
  if (price_precision != price_precision_ || qty_precision != qty_precision_) {
    clear();
    price_precision_ = price_precision;
    qty_precision_ = qty_precision;
  }
  std::array<char, 2 * kChecksumDepth * kTextBytes> text;
  char* end = append_side(text.data(), asks_, asks_low_to_high);
  end = append_side(end, bids_, bids_high_to_low);
  return crc_of(text.data(), end);
}

}  // namespace tg4::market
