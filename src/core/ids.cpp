#include "core/ids.hpp"

#include <stdexcept>

namespace tg4::core {

std::string to_base36(std::uint64_t value) {
  static constexpr char kDigits[] = "0123456789abcdefghijklmnopqrstuvwxyz";
  char buf[16];
  int n = 0;
  do {
    buf[n++] = kDigits[value % 36];
    value /= 36;
  } while (value != 0);
  std::string out;
  out.reserve(static_cast<std::size_t>(n));
  while (n > 0) out += buf[--n];
  return out;
}

std::optional<std::uint64_t> from_base36(std::string_view text) {
  if (text.empty() || text.size() > 12) return std::nullopt;  // 36^12 < 2^64
  std::uint64_t value = 0;
  for (const char c : text) {
    int digit = 0;
    if (c >= '0' && c <= '9') {
      digit = c - '0';
    } else if (c >= 'a' && c <= 'z') {
      digit = c - 'a' + 10;
    } else {
      return std::nullopt;
    }
    value = value * 36 + static_cast<std::uint64_t>(digit);
  }
  return value;
}

ClientOrderIdGenerator::ClientOrderIdGenerator(Timestamp session_start, std::uint64_t start_after)
    : prefix_("t" +
              to_base36(
                  static_cast<std::uint64_t>(std::max<std::int64_t>(0, session_start.seconds()))) +
              "-"),
      counter_(start_after) {}

std::string ClientOrderIdGenerator::id_for(std::uint64_t counter) const {
  std::string id = prefix_ + to_base36(counter);
  if (id.size() > kMaxClientOrderIdLength) {
    throw std::overflow_error("client order id counter " + std::to_string(counter) +
                              " no longer fits in " + std::to_string(kMaxClientOrderIdLength) +
                              " characters with prefix " + prefix_);
  }
  return id;
}

std::string ClientOrderIdGenerator::next() {
  return id_for(counter_.fetch_add(1, std::memory_order_relaxed) + 1);
}

std::optional<ParsedClientOrderId> ClientOrderIdGenerator::parse(std::string_view id) {
  if (id.size() < 4 || id.size() > kMaxClientOrderIdLength || id.front() != 't')
    return std::nullopt;
  const std::size_t dash = id.find('-');
  if (dash == std::string_view::npos || id.find('-', dash + 1) != std::string_view::npos) {
    return std::nullopt;
  }
  const auto seconds = from_base36(id.substr(1, dash - 1));
  const auto counter = from_base36(id.substr(dash + 1));
  if (!seconds || !counter) return std::nullopt;
  return ParsedClientOrderId{static_cast<std::int64_t>(*seconds), *counter};
}

}  // namespace tg4::core
