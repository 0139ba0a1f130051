#include "app/strategy_config_check.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <yaml-cpp/yaml.h>

#include <initializer_list>

#include "strategy/registry.hpp"

namespace tg4::app {
namespace {

// Where `path` (strategy, params, fats) sits in the file: line and column of its key, 0 when the
// value came from a default or the environment.
class KeyLocator {
 public:
  explicit KeyLocator(const std::string& yaml_text) {
    try {
      root_ = YAML::Load(yaml_text);
    } catch (const YAML::Exception&) {
      // The schema check has already read this text; a failure here only loses the lines.
    }
  }

  core::ConfigIssue issue(const std::string& file, std::initializer_list<std::string> path,
                          std::string message) const {
    core::ConfigIssue out{file, 0, 0, fmt::format("{}", fmt::join(path, ".")), std::move(message)};
    YAML::Node node = root_;
    YAML::Mark mark = YAML::Mark::null_mark();
    for (const std::string& part : path) {
      if (!node.IsMap()) return out;
      bool found = false;
      for (const auto& entry : node) {
        if (entry.first.Scalar() != part) continue;
        mark = entry.first.Mark();
        node.reset(entry.second);  // operator= would write into the tree, not move along it
        found = true;
        break;
      }
      if (!found) return out;
    }
    if (!mark.is_null()) {
      out.line = mark.line + 1;
      out.column = mark.column + 1;
    }
    return out;
  }

 private:
  YAML::Node root_;
};

}  // namespace

std::vector<core::ConfigIssue> check_strategy_section(const core::StrategySection& section,
                                                      const std::string& yaml_text,
                                                      const std::string& file) {
  const strategy::StrategyRegistry registry = strategy::builtin_registry();
  const KeyLocator locate(yaml_text);
  const strategy::StrategyInfo* info = registry.find(section.name);
  if (info == nullptr) {
    return {locate.issue(file, {"strategy", "name"},
                         fmt::format("unknown strategy \"{}\" (known: {})", section.name,
                                     fmt::join(registry.names(), ", ")))};
  }
  // One parameter at a time, so each issue names its own key; the others keep their defaults.
  std::vector<core::ConfigIssue> issues;
  for (const auto& [name, value] : section.params) {
    std::vector<strategy::ParamSpec> spec;
    for (const auto& s : info->params) {
      if (s.name == name) spec.push_back(s);
    }
    // An unknown name is checked against every spec, so the error lists the known ones.
    auto checked =
        strategy::Params::parse(info->name, spec.empty() ? info->params : spec, {{name, value}});
    if (!checked) {
      issues.push_back(locate.issue(file, {"strategy", "params", name}, checked.error().message));
    }
  }
  if (!issues.empty()) return issues;
  // Each value is fine alone; the strategy may still refuse the combination (fast >= slow).
  if (auto made = registry.create(section.name, section.params); !made) {
    issues.push_back(locate.issue(file, {"strategy", "params"}, made.error().message));
  }
  return issues;
}

}  // namespace tg4::app
