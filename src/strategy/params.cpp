#include "strategy/params.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <stdexcept>

namespace tg4::strategy {
namespace {

std::optional<double> parse_number(const std::string& text, ParamKind kind) {
  if (text.empty()) return std::nullopt;
  const char* first = text.data();
  const char* last = text.data() + text.size();
  if (kind == ParamKind::kInt) {
    std::int64_t v = 0;
    auto [p, ec] = std::from_chars(first, last, v);
    if (ec != std::errc() || p != last) return std::nullopt;
    return static_cast<double>(v);
  }
  if (kind == ParamKind::kDecimal) {
    auto d = core::Decimal::parse(text);
    if (!d) return std::nullopt;
    return d->to_double();
  }
  double v = 0;
  auto [p, ec] = std::from_chars(first, last, v);
  if (ec != std::errc() || p != last || !std::isfinite(v)) return std::nullopt;
  return v;
}

std::optional<std::string> normalise_bool(const std::string& text) {
  if (text == "true" || text == "1" || text == "yes" || text == "on") return "true";
  if (text == "false" || text == "0" || text == "no" || text == "off") return "false";
  return std::nullopt;
}

// The value as stored, or an error naming the parameter and what was expected.
core::Result<std::string> check_value(std::string_view owner, const ParamSpec& spec,
                                      const std::string& text) {
  const auto where = fmt::format("strategy '{}' parameter '{}'", owner, spec.name);
  if (spec.kind == ParamKind::kString) return text;
  if (spec.kind == ParamKind::kBool) {
    if (auto b = normalise_bool(text)) return *b;
    return core::Error::of(fmt::format("{}: '{}' is not a boolean (true/false)", where, text));
  }
  const auto number = parse_number(text, spec.kind);
  if (!number) {
    return core::Error::of(fmt::format("{}: '{}' is not {}", where, text,
                                       spec.kind == ParamKind::kInt ? "an integer" : "a number"));
  }
  if ((spec.min && *number < *spec.min) || (spec.max && *number > *spec.max)) {
    return core::Error::of(fmt::format("{}: {} is outside [{}, {}]", where, text,
                                       spec.min ? fmt::format("{}", *spec.min) : "-inf",
                                       spec.max ? fmt::format("{}", *spec.max) : "inf"));
  }
  if (!spec.allowed.empty() &&
      std::find(spec.allowed.begin(), spec.allowed.end(), *number) == spec.allowed.end()) {
    return core::Error::of(
        fmt::format("{}: {} is not one of {}", where, text, fmt::join(spec.allowed, ", ")));
  }
  return text;
}

}  // namespace

const char* to_string(ParamKind kind) {
  switch (kind) {
    case ParamKind::kInt:
      return "int";
    case ParamKind::kDouble:
      return "double";
    case ParamKind::kBool:
      return "bool";
    case ParamKind::kString:
      return "string";
    case ParamKind::kDecimal:
      return "decimal";
  }
  return "?";
}

core::Result<Params> Params::parse(std::string_view owner, const std::vector<ParamSpec>& specs,
                                   const std::map<std::string, std::string>& given) {
  Params params;
  for (const auto& [name, value] : given) {
    bool known = false;
    for (const ParamSpec& spec : specs) known = known || spec.name == name;
    if (known) continue;
    std::string names;
    for (const ParamSpec& spec : specs) names += (names.empty() ? "" : ", ") + spec.name;
    return core::Error::of(
        fmt::format("strategy '{}': unknown parameter '{}' (known: {})", owner, name, names));
  }
  for (const ParamSpec& spec : specs) {
    auto it = given.find(spec.name);
    auto checked = check_value(owner, spec, it == given.end() ? spec.default_value : it->second);
    if (!checked) return checked.error();
    params.text_[spec.name] = std::move(checked).value();
    params.kinds_[spec.name] = spec.kind;
  }
  return params;
}

const std::string& Params::text(std::string_view name, ParamKind kind) const {
  auto it = kinds_.find(name);
  if (it == kinds_.end() || it->second != kind) {
    throw std::logic_error(
        fmt::format("strategy parameter '{}' is not declared as {}", name, to_string(kind)));
  }
  return text_.find(name)->second;
}

std::int64_t Params::get_int(std::string_view name) const {
  const std::string& t = text(name, ParamKind::kInt);
  std::int64_t v = 0;
  std::from_chars(t.data(), t.data() + t.size(), v);  // validated by parse()
  return v;
}

double Params::get_double(std::string_view name) const {
  return *parse_number(text(name, ParamKind::kDouble), ParamKind::kDouble);
}

bool Params::get_bool(std::string_view name) const {
  return text(name, ParamKind::kBool) == "true";
}

const std::string& Params::get_string(std::string_view name) const {
  return text(name, ParamKind::kString);
}

core::Decimal Params::get_decimal(std::string_view name) const {
  return core::Decimal::must(text(name, ParamKind::kDecimal));
}

}  // namespace tg4::strategy
