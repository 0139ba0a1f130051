#pragma once
// ParamGrid: the parameter combinations of a sweep (`--sweep k=a:b:step` or `--sweep k=v1,v2,v3`,
// repeatable). Ranges are stepped in exact Decimal arithmetic with an inclusive end, so 0.1:0.3:0.1
// gives exactly three values and integer ranges stay integers ("5", never "5.0"). Combinations are
// the Cartesian product in a fixed order (the first axis varies slowest), capped so a typo in a
// step cannot start a million backtests. Every error names the `--sweep` flag it came from.
#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "strategy/registry.hpp"

namespace tg4::backtest {

// One swept parameter: its name and its values as text, in the order they are tried.
struct ParamAxis {
  std::string name;
  std::vector<std::string> values;
  std::string flag;  // the flag as written ("--sweep fast=5:20:5"), for errors
};

using ParamMap = std::map<std::string, std::string>;

class ParamGrid {
 public:
  static constexpr std::size_t kMaxCombinations = 10'000;

  // One `--sweep` value: "name=start:end:step" (start <= end, step > 0, end included when the steps
  // reach it exactly) or "name=v1,v2,..." (at least one value, none empty or repeated).
  static core::Result<ParamAxis> parse_axis(std::string_view text,
                                            std::size_t max_values = kMaxCombinations);
  // Every `--sweep` value; a parameter swept twice, or a grid above `max_combinations`, is an
  // error.
  static core::Result<ParamGrid> parse(const std::vector<std::string>& flags,
                                       std::size_t max_combinations = kMaxCombinations);
  static core::Result<ParamGrid> from_axes(std::vector<ParamAxis> axes,
                                           std::size_t max_combinations = kMaxCombinations);

  // Checks the fixed values and every axis value (laid over them) against a strategy's declared
  // parameters (unknown names, values of the wrong kind or out of range), so a bad grid fails
  // before any backtest runs rather than as one error row per combination.
  core::Status check(const strategy::StrategyInfo& strategy, const ParamMap& fixed) const;

  const std::vector<ParamAxis>& axes() const { return axes_; }
  std::size_t size() const { return size_; }
  // The swept values of combination `index` (< size()), one per axis in axis order.
  std::vector<std::string> values(std::size_t index) const;
  // `fixed` with combination `index` laid over it (a swept name overrides a fixed one).
  ParamMap params(std::size_t index, const ParamMap& fixed = {}) const;

 private:
  std::vector<ParamAxis> axes_;
  std::size_t size_ = 1;
};

}  // namespace tg4::backtest
