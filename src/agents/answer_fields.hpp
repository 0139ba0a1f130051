#pragma once
// Reading the fields of a model's JSON answer, shared by parse_model_decision and
// parse_model_regime: numbers may be JSON numbers or numeric strings, null is the same as absent,
// and an Error names the field and what it held (`confidence: 150 is outside 0..1 ...`).
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "core/decimal.hpp"
#include "core/result.hpp"

namespace tg4::agents::answer_fields {

std::string_view trimmed(std::string_view text);
// "field: <value as written, cut at 60 characters> problem"
core::Error field_error(std::string_view field, const boost::json::value& value,
                        std::string_view problem);
// The field's value, or null when it is absent or JSON null.
const boost::json::value* present(const boost::json::object& answer, std::string_view field);
// The exact decimal of a JSON number or numeric string. A double becomes its shortest round-trip
// text, which is the text the model wrote whenever that had 15 significant digits or fewer.
// `percent` receives whether a string ended in '%' (allowed only when it is not null).
core::Result<core::Decimal> decimal_of(std::string_view field, const boost::json::value& value,
                                       bool* percent = nullptr);
// "confidence", required: 0..1; a number above 1 up to 100, or a string ending in '%', is a
// percentage.
core::Result<double> parse_confidence(const boost::json::object& answer);
// A required number within [low, high] (`value` null: missing).
core::Result<double> number_in(const boost::json::value* value, std::string_view field, double low,
                               double high);
// A name read by `parse` (any case, blanks ignored): `fallback` when `value` is null, or an Error
// saying it is missing when there is no fallback; `names` lists the names for the errors.
template <typename E, typename Parse>
core::Result<E> name_in(const boost::json::value* value, std::string_view field, Parse parse,
                        std::optional<E> fallback, std::string_view names) {
  if (value == nullptr) {
    if (fallback) return *fallback;
    return core::Error::of(std::string(field) + ": missing (expected one of " + std::string(names) +
                           ")");
  }
  if (!value->is_string()) return field_error(field, *value, "is not a string");
  auto parsed = parse(trimmed(value->get_string()));
  if (!parsed) return field_error(field, *value, "is not one of " + std::string(names));
  return *parsed;
}
// "reasoning", optional (""): a string.
core::Result<std::string> parse_reasoning(const boost::json::object& answer);

}  // namespace tg4::agents::answer_fields
