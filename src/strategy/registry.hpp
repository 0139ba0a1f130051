#pragma once
// StrategyRegistry: strategies by name, each with its parameter specs, so config and the CLI can
// create one from a name and a string map (errors name the strategy and the parameter).
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "strategy/strategy.hpp"

namespace tg4::strategy {

struct StrategyInfo {
  std::string name;
  std::string description;
  std::vector<ParamSpec> params;
  // Gets validated params; may still refuse a combination (e.g. fast >= slow) with an Error.
  std::function<core::Result<StrategyPtr>(Params)> factory;
};

class StrategyRegistry {
 public:
  void add(StrategyInfo info);
  const StrategyInfo* find(std::string_view name) const;
  std::vector<std::string> names() const;
  // Validates `params` against the strategy's specs and constructs it.
  core::Result<StrategyPtr> create(std::string_view name,
                                   const std::map<std::string, std::string>& params = {}) const;

 private:
  std::map<std::string, StrategyInfo, std::less<>> entries_;
};

// A registry holding every built-in strategy (docs/STRATEGIES.md).
StrategyRegistry builtin_registry();

}  // namespace tg4::strategy
