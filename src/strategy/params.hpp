#pragma once
// Strategy parameters: a string map from config or `--param k=v`, validated against the strategy's
// declared specs (kind, range) so a typo or an out-of-range value is an error naming it, then read
// through typed getters.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/decimal.hpp"
#include "core/result.hpp"

namespace tg4::strategy {

enum class ParamKind : std::uint8_t { kInt, kDouble, kBool, kString, kDecimal };
const char* to_string(ParamKind kind);

struct ParamSpec {
  std::string name;
  ParamKind kind = ParamKind::kDouble;
  std::string default_value;       // text, parsed like a given value
  std::optional<double> min, max;  // inclusive bounds for numeric kinds
  std::string description;
  std::vector<double> allowed{};  // numeric kinds: when not empty, the only values accepted
};

class Params {
 public:
  // Checks every given name against `specs` (unknown -> error naming it and the known ones), parses
  // each value by kind and range, and fills in defaults. `owner` names the strategy in errors.
  static core::Result<Params> parse(std::string_view owner, const std::vector<ParamSpec>& specs,
                                    const std::map<std::string, std::string>& given);

  // Getters for declared names of the matching kind; anything else is a programming error
  // (std::logic_error).
  std::int64_t get_int(std::string_view name) const;
  double get_double(std::string_view name) const;
  bool get_bool(std::string_view name) const;
  const std::string& get_string(std::string_view name) const;
  core::Decimal get_decimal(std::string_view name) const;

  // Every parameter with its effective value as text (for reports and sweeps).
  const std::map<std::string, std::string, std::less<>>& values() const { return text_; }

 private:
  const std::string& text(std::string_view name, ParamKind kind) const;
  std::map<std::string, std::string, std::less<>> text_;
  std::map<std::string, ParamKind, std::less<>> kinds_;
};

}  // namespace tg4::strategy
