#include "storage/field_text.hpp"

#include <fmt/format.h>

#include <array>
#include <charconv>
#include <cmath>

namespace tg4::storage {
namespace {

core::Error bad_value(std::string_view column, std::string_view text, std::string_view expected) {
  return core::Error::of(fmt::format("store: column {} holds '{}', expected {}", column,
                                     text.substr(0, 64), expected));
}

template <typename Int>
core::Status parse_int(std::string_view text, Int& v, std::string_view column) {
  const auto* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, v);
  if (ec != std::errc{} || ptr != end) return bad_value(column, text, "an integer");
  return {};
}

constexpr std::array<core::OrderType, 7> kOrderTypes{
    core::OrderType::kMarket,        core::OrderType::kLimit,
    core::OrderType::kStopLoss,      core::OrderType::kTakeProfit,
    core::OrderType::kStopLossLimit, core::OrderType::kTakeProfitLimit,
    core::OrderType::kTrailingStop};
constexpr std::array<core::OrderStatus, 7> kOrderStatuses{
    core::OrderStatus::kPendingNew,      core::OrderStatus::kNew,
    core::OrderStatus::kPartiallyFilled, core::OrderStatus::kFilled,
    core::OrderStatus::kCanceled,        core::OrderStatus::kRejected,
    core::OrderStatus::kExpired};

void append_digits(std::string& out, std::int64_t v, int width) {
  char buf[20];
  for (int i = width - 1; i >= 0; --i) {
    buf[i] = static_cast<char>('0' + v % 10);
    v /= 10;
  }
  out.append(buf, static_cast<std::size_t>(width));
}

}  // namespace

const char* side_text(core::Side s) {
  return core::to_string(s);
}

core::Result<core::Side> parse_side(std::string_view text) {
  if (text == "buy") return core::Side::kBuy;
  if (text == "sell") return core::Side::kSell;
  return core::Error::of(fmt::format("unknown side '{}' (expected buy or sell)", text));
}

core::Result<core::OrderType> parse_order_type(std::string_view text) {
  for (const auto t : kOrderTypes) {
    if (text == core::to_string(t)) return t;
  }
  return core::Error::of(fmt::format("unknown order type '{}'", text));
}

core::Result<core::OrderStatus> parse_order_status(std::string_view text) {
  for (const auto s : kOrderStatuses) {
    if (text == core::to_string(s)) return s;
  }
  return core::Error::of(fmt::format("unknown order status '{}'", text));
}

void append_text(std::string& out, const std::string& v) {
  out += v;
}
void append_text(std::string& out, core::Decimal v) {
  out += v.to_string();
}

void append_text(std::string& out, core::Timestamp v) {
  // Hand-rolled RFC 3339 (microseconds): this runs twice per market trade on the COPY path.
  const core::CivilTime c = core::to_civil(v);
  append_digits(out, c.year, 4);
  out += '-';
  append_digits(out, c.month, 2);
  out += '-';
  append_digits(out, c.day, 2);
  out += 'T';
  append_digits(out, c.hour, 2);
  out += ':';
  append_digits(out, c.minute, 2);
  out += ':';
  append_digits(out, c.second, 2);
  out += '.';
  append_digits(out, c.nanos / 1000, 6);
  out += 'Z';
}

void append_text(std::string& out, std::int64_t v) {
  char buf[24];
  const auto [ptr, ec] = std::to_chars(buf, buf + sizeof(buf), v);
  (void)ec;
  out.append(buf, ptr);
}
void append_text(std::string& out, std::int32_t v) {
  append_text(out, static_cast<std::int64_t>(v));
}

void append_text(std::string& out, double v) {
  if (std::isnan(v)) {
    out += "NaN";
  } else if (std::isinf(v)) {
    out += v > 0 ? "Infinity" : "-Infinity";
  } else {
    char buf[32];
    const auto [ptr, ec] = std::to_chars(buf, buf + sizeof(buf), v);  // shortest round-trip form
    (void)ec;
    out.append(buf, ptr);
  }
}

void append_text(std::string& out, bool v) {
  out += v ? "true" : "false";
}
void append_text(std::string& out, core::Side v) {
  out += side_text(v);
}
void append_text(std::string& out, core::OrderType v) {
  out += core::to_string(v);
}
void append_text(std::string& out, core::OrderStatus v) {
  out += core::to_string(v);
}

core::Status parse_text(std::string_view text, std::string& v, std::string_view) {
  v.assign(text);
  return {};
}

core::Status parse_text(std::string_view text, core::Decimal& v, std::string_view column) {
  auto parsed = core::Decimal::parse(text);
  if (!parsed) return bad_value(column, text, "a decimal");
  v = *parsed;
  return {};
}

core::Status parse_text(std::string_view text, core::Timestamp& v, std::string_view column) {
  return parse_int(text, v.ns, column);
}

core::Status parse_text(std::string_view text, std::int64_t& v, std::string_view column) {
  return parse_int(text, v, column);
}

core::Status parse_text(std::string_view text, std::int32_t& v, std::string_view column) {
  return parse_int(text, v, column);
}

core::Status parse_text(std::string_view text, double& v, std::string_view column) {
  if (text == "Infinity") {
    v = HUGE_VAL;
    return {};
  }
  if (text == "-Infinity") {
    v = -HUGE_VAL;
    return {};
  }
  const auto* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, v);
  if (ec != std::errc{} || ptr != end) return bad_value(column, text, "a number");
  return {};
}

core::Status parse_text(std::string_view text, bool& v, std::string_view column) {
  if (text == "1" || text == "t" || text == "true") {
    v = true;
  } else if (text == "0" || text == "f" || text == "false") {
    v = false;
  } else {
    return bad_value(column, text, "a boolean");
  }
  return {};
}

core::Status parse_text(std::string_view text, core::Side& v, std::string_view column) {
  auto parsed = parse_side(text);
  if (!parsed) return bad_value(column, text, "buy or sell");
  v = *parsed;
  return {};
}

core::Status parse_text(std::string_view text, core::OrderType& v, std::string_view column) {
  auto parsed = parse_order_type(text);
  if (!parsed) return bad_value(column, text, "an order type");
  v = *parsed;
  return {};
}

core::Status parse_text(std::string_view text, core::OrderStatus& v, std::string_view column) {
  auto parsed = parse_order_status(text);
  if (!parsed) return bad_value(column, text, "an order status");
  v = *parsed;
  return {};
}

}  // namespace tg4::storage
