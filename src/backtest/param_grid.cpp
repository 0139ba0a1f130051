#include "backtest/param_grid.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "core/decimal.hpp"
#include "strategy/params.hpp"

namespace tg4::backtest {

namespace {

using core::Decimal;
using core::Error;

std::string_view trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(" \t");
  return text.substr(first, last - first + 1);
}

std::vector<std::string_view> split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  for (std::size_t start = 0;;) {
    const auto end = text.find(separator, start);
    parts.push_back(trim(text.substr(start, end == std::string_view::npos ? end : end - start)));
    if (end == std::string_view::npos) return parts;
    start = end + 1;
  }
}

core::Result<Decimal> parse_bound(std::string_view text, const char* what,
                                  const std::string& flag) {
  auto value = Decimal::parse(text);
  if (!value) {
    return Error::of(fmt::format("{}: {} '{}' is not a decimal number", flag, what, text));
  }
  return value;
}

// start, start + step, ... up to and including end; the count is checked before any value is made.
core::Result<std::vector<std::string>> expand_range(std::string_view spec, const std::string& flag,
                                                    std::size_t max_values) {
  const auto parts = split(spec, ':');
  if (parts.size() != 3) {
    return Error::of(fmt::format("{}: a range is start:end:step, e.g. 5:20:5", flag));
  }
  auto start = parse_bound(parts[0], "start", flag);
  if (!start) return start.error();
  auto end = parse_bound(parts[1], "end", flag);
  if (!end) return end.error();
  auto step = parse_bound(parts[2], "step", flag);
  if (!step) return step.error();
  if (!step->is_positive()) {
    return Error::of(fmt::format("{}: the step must be above zero, got {}", flag, parts[2]));
  }
  if (*start > *end) {
    return Error::of(fmt::format("{}: the start {} is above the end {}", flag, parts[0], parts[1]));
  }
  const auto span = Decimal::checked_sub(*end, *start);
  const auto steps = span ? Decimal::checked_div(*span, *step, core::Rounding::kFloor) : span;
  const auto limit = Decimal::from_int(static_cast<std::int64_t>(max_values));
  if (!steps || *steps >= limit) {
    return Error::of(
        fmt::format("{}: more than {} values; the grid is capped at {} combinations "
                    "(use a larger step or a narrower range)",
                    flag, max_values, max_values));
  }
  std::vector<std::string> values;
  const auto count = static_cast<std::int64_t>(steps->raw() / Decimal::kOne) + 1;
  for (std::int64_t i = 0; i < count; ++i) {
    values.push_back((*start + *step * Decimal::from_int(i)).to_string());
  }
  return values;
}

core::Result<std::vector<std::string>> expand_list(std::string_view spec, const std::string& flag) {
  std::vector<std::string> values;
  std::set<std::string_view> seen;
  for (const auto item : split(spec, ',')) {
    if (item.empty()) return Error::of(fmt::format("{}: an empty value in the list", flag));
    if (!seen.insert(item).second) {
      return Error::of(fmt::format("{}: the value '{}' is listed twice", flag, item));
    }
    values.emplace_back(item);
  }
  return values;
}

}  // namespace

core::Result<ParamAxis> ParamGrid::parse_axis(std::string_view text, std::size_t max_values) {
  const std::string flag = fmt::format("--sweep {}", text);
  const auto eq = text.find('=');
  const auto name = trim(text.substr(0, eq));
  if (eq == std::string_view::npos || name.empty()) {
    return Error::of(
        fmt::format("{}: expected name=start:end:step or name=v1,v2,... (e.g. fast=5:20:5)", flag));
  }
  const auto spec = trim(text.substr(eq + 1));
  if (spec.empty()) return Error::of(fmt::format("{}: no values after '='", flag));
  auto values = spec.find(':') != std::string_view::npos ? expand_range(spec, flag, max_values)
                                                         : expand_list(spec, flag);
  if (!values) return values.error();
  return ParamAxis{std::string(name), std::move(*values), flag};
}

core::Result<ParamGrid> ParamGrid::parse(const std::vector<std::string>& flags,
                                         std::size_t max_combinations) {
  std::vector<ParamAxis> axes;
  for (const auto& flag : flags) {
    auto axis = parse_axis(flag, max_combinations);
    if (!axis) return axis.error();
    axes.push_back(std::move(*axis));
  }
  return from_axes(std::move(axes), max_combinations);
}

core::Result<ParamGrid> ParamGrid::from_axes(std::vector<ParamAxis> axes,
                                             std::size_t max_combinations) {
  ParamGrid grid;
  std::set<std::string> names;
  for (const auto& axis : axes) {
    if (axis.values.empty()) return Error::of(fmt::format("{}: no values", axis.flag));
    if (!names.insert(axis.name).second) {
      return Error::of(fmt::format("{}: parameter '{}' is swept twice", axis.flag, axis.name));
    }
    // Checked before multiplying, so the product cannot overflow.
    if (grid.size_ > max_combinations / axis.values.size()) {
      return Error::of(
          fmt::format("--sweep: more than {} combinations ({} so far, then {} values "
                      "from '{}'); narrow the ranges or use larger steps",
                      max_combinations, grid.size_, axis.values.size(), axis.flag));
    }
    grid.size_ *= axis.values.size();
  }
  grid.axes_ = std::move(axes);
  return grid;
}

core::Status ParamGrid::check(const strategy::StrategyInfo& strategy, const ParamMap& fixed) const {
  // Fixed values a sweep overrides are never used, so they are not checked.
  ParamMap base = fixed;
  for (const auto& axis : axes_) base.erase(axis.name);
  if (const auto parsed = strategy::Params::parse(strategy.name, strategy.params, base); !parsed) {
    return parsed.error();
  }
  for (const auto& axis : axes_) {
    for (const auto& value : axis.values) {
      auto given = base;
      given[axis.name] = value;
      const auto parsed = strategy::Params::parse(strategy.name, strategy.params, given);
      if (!parsed) return Error::of(fmt::format("{}: {}", axis.flag, parsed.error().message));
    }
  }
  return {};
}

std::vector<std::string> ParamGrid::values(std::size_t index) const {
  std::vector<std::string> out(axes_.size());
  // Odometer order: the last axis varies fastest.
  for (std::size_t i = axes_.size(); i-- > 0;) {
    const auto& values = axes_[i].values;
    out[i] = values[index % values.size()];
    index /= values.size();
  }
  return out;
}

ParamMap ParamGrid::params(std::size_t index, const ParamMap& fixed) const {
  ParamMap out = fixed;
  const auto chosen = values(index);
  for (std::size_t i = 0; i < axes_.size(); ++i) out[axes_[i].name] = chosen[i];
  return out;
}

}  // namespace tg4::backtest
