#include "strategy/registry.hpp"

#include <fmt/format.h>

namespace tg4::strategy {

void StrategyRegistry::add(StrategyInfo info) {
  auto name = info.name;
  entries_.insert_or_assign(std::move(name), std::move(info));
}

const StrategyInfo* StrategyRegistry::find(std::string_view name) const {
  auto it = entries_.find(name);
  return it == entries_.end() ? nullptr : &it->second;
}

std::vector<std::string> StrategyRegistry::names() const {
  std::vector<std::string> out;
  for (const auto& [name, info] : entries_) out.push_back(name);
  return out;
}

core::Result<StrategyPtr> StrategyRegistry::create(
    std::string_view name, const std::map<std::string, std::string>& params) const {
  const StrategyInfo* info = find(name);
  if (info == nullptr) {
    return core::Error::of(
        fmt::format("unknown strategy '{}' (known: {})", name, fmt::join(names(), ", ")));
  }
  auto parsed = Params::parse(info->name, info->params, params);
  if (!parsed) return parsed.error();
  return info->factory(std::move(parsed).value());
}

}  // namespace tg4::strategy
