#include "agents/answer_fields.hpp"

#include <fmt/format.h>

#include <boost/json/serialize.hpp>
#include <cctype>
#include <cmath>

namespace tg4::agents::answer_fields {
namespace {

namespace json = boost::json;
using core::Decimal;
using core::Error;
using core::Result;

constexpr std::size_t kShownChars = 60;

// A JSON value as a person reads it in an error: strings quoted, numbers as written, long values
// cut.
std::string shown(const json::value& value) {
  std::string text;
  switch (value.kind()) {
    case json::kind::double_:
      text = fmt::format("{}", value.get_double());
      break;
    case json::kind::int64:
      text = std::to_string(value.get_int64());
      break;
    case json::kind::uint64:
      text = std::to_string(value.get_uint64());
      break;
    default:
      text = json::serialize(value);
  }
  if (text.size() > kShownChars) text = text.substr(0, kShownChars) + "...";
  return text;
}

}  // namespace

std::string_view trimmed(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front())))
    text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())))
    text.remove_suffix(1);
  return text;
}

Error field_error(std::string_view field, const json::value& value, std::string_view problem) {
  return Error::of(fmt::format("{}: {} {}", field, shown(value), problem));
}

Result<Decimal> decimal_of(std::string_view field, const json::value& value, bool* percent) {
  switch (value.kind()) {
    case json::kind::int64:
      return Decimal::from_int(value.get_int64());
    case json::kind::uint64: {
      auto parsed = Decimal::parse(std::to_string(value.get_uint64()));
      if (!parsed) return field_error(field, value, "is out of range");
      return parsed;
    }
    case json::kind::double_: {
      const double d = value.get_double();
      if (!std::isfinite(d)) return field_error(field, value, "is not a finite number");
      auto parsed = Decimal::parse(fmt::format("{}", d));
      if (!parsed) return field_error(field, value, "is out of range");
      return parsed;
    }
    case json::kind::string: {
      std::string_view text = trimmed(value.get_string());
      if (percent != nullptr && !text.empty() && text.back() == '%') {
        *percent = true;
        text = trimmed(text.substr(0, text.size() - 1));
      }
      auto parsed = Decimal::parse(text);
      if (!parsed) return field_error(field, value, "is not a number");
      return parsed;
    }
    default:
      return field_error(field, value, "is not a number");
  }
}

const json::value* present(const json::object& answer, std::string_view field) {
  const json::value* value = answer.if_contains(field);
  return value == nullptr || value->is_null() ? nullptr : value;
}

Result<double> parse_confidence(const json::object& answer) {
  const json::value* value = present(answer, "confidence");
  if (value == nullptr) return Error::of("confidence: missing (expected a number in 0..1)");
  bool percent = false;
  auto number = decimal_of("confidence", *value, &percent);
  if (!number) return number.error();
  const double c = number->to_double();
  if (c >= 0 && c <= 1 && !percent) return c;
  if (c >= 0 && c <= 100 && (percent || c > 1)) return c / 100;
  return field_error(
      "confidence", *value,
      percent ? "is outside 0..100 %" : "is outside 0..1 (or 1..100 as a percentage)");
}

Result<double> number_in(const json::value* value, std::string_view field, double low,
                         double high) {
  if (value == nullptr)
    return Error::of(fmt::format("{}: missing (expected a number {}..{})", field, low, high));
  auto number = decimal_of(field, *value);
  if (!number) return number.error();
  const double n = number->to_double();
  if (n < low || n > high)
    return field_error(field, *value, fmt::format("is outside {}..{}", low, high));
  return n;
}

Result<std::string> parse_reasoning(const json::object& answer) {
  const json::value* value = present(answer, "reasoning");
  if (value == nullptr) return std::string{};
  if (!value->is_string()) return field_error("reasoning", *value, "is not a string");
  return std::string(value->get_string());
}

}  // namespace tg4::agents::answer_fields
