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

// The worked example of Kraken's "Book checksum (WebSocket v2)" guide: checksum 3310070434 at
// price precision 1, qty precision 8.
inline std::vector<core::PriceLevel> guide_bids() {
  return levels({{"45283.5", "0.10000000"},
                 {"45283.4", "1.54582015"},
                 {"45282.1", "0.10000000"},
                 {"45281.0", "0.10000000"},
                 {"45280.3", "1.54592586"},
                 {"45279.0", "0.07990000"},
                 {"45277.6", "0.03310103"},
                 {"45277.5", "0.30000000"},
                 {"45277.3", "1.54602737"},
                 {"45276.6", "0.15445238"}});
}
inline std::vector<core::PriceLevel> guide_asks() {
  return levels({{"45285.2", "0.00100000"},
                 {"45286.4", "1.54571953"},
                 {"45286.6", "1.54571109"},
                 {"45289.6", "1.54560911"},
                 {"45290.2", "0.15890660"},
                 {"45291.8", "1.54553491"},
                 {"45294.7", "0.04454749"},
                 {"45296.1", "0.35380000"},
                 {"45297.5", "0.09945542"},
                 {"45299.5", "0.18772827"}});
}
inline constexpr std::uint32_t kGuideChecksum = 3310070434U;

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
