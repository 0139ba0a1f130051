#pragma once
// Helpers for the market tests: levels from text, and Kraken's checksum computed the plain way
// (format, strip '.', strip leading zeros, CRC32 of the concatenation) as a reference.
#include <zlib.h>

#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

#include "core/decimal.hpp"
#include "core/events.hpp"

namespace tg4::market::testing {

inline std::vector<core::PriceLevel> levels(
    std::initializer_list<std::pair<const char*, const char*>> list) {
  std::vector<core::PriceLevel> out;
  for (const auto& [price, qty] : list)
    out.push_back({core::Decimal::must(price), core::Decimal::must(qty)});
  return out;
}

inline core::Decimal::Raw pow10(int n) {
  core::Decimal::Raw p = 1;
  for (int i = 0; i < n; ++i) p *= 10;
  return p;
}

inline std::string checksum_text(const core::Decimal& value, int precision) {
  std::string out;
  for (const char c : value.to_string(precision)) {
    if (c == '.' || c == '-') continue;
    if (out.empty() && c == '0') continue;
    out += c;
  }
  return out;
}

inline std::uint32_t reference_checksum(const std::vector<core::PriceLevel>& asks,
                                        const std::vector<core::PriceLevel>& bids, int pp, int qp) {
  std::string text;
  for (const auto* side : {&asks, &bids}) {
    for (std::size_t i = 0; i < side->size() && i < 10; ++i) {
      text += checksum_text((*side)[i].price, pp);
      text += checksum_text((*side)[i].qty, qp);
    }
  }
  return static_cast<std::uint32_t>(
      crc32(0, reinterpret_cast<const Bytef*>(text.data()), static_cast<uInt>(text.size())));
}

}  // namespace tg4::market::testing
