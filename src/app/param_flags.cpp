#include "app/param_flags.hpp"

#include <fmt/format.h>

namespace tg4::app {
namespace {

// "k=v" -> {k, v}; "<flag> <text>: expected NAME=VALUE" when there is no '=' or no name.
core::Result<std::pair<std::string, std::string>> key_value(const std::string& text,
                                                             const char* flag) {
  const auto eq = text.find('=');
  if (eq == std::string::npos || eq == 0) {
    return core::Error::of(fmt::format("{} {}: expected NAME=VALUE", flag, text));
  }
  return std::pair{text.substr(0, eq), text.substr(eq + 1)};
}

}  // namespace

core::Result<std::map<std::string, std::string>> name_values(const std::vector<std::string>& texts,
                                                             const char* flag) {
  std::map<std::string, std::string> given;
  for (const auto& text : texts) {
    auto kv = key_value(text, flag);
    if (!kv) return kv.error();
    const auto [it, added] = given.emplace(kv->first, kv->second);
    if (!added) {
      return core::Error::of(
          fmt::format("{} {} given twice ({}, then {})", flag, kv->first, it->second, kv->second));
    }
  }
  return given;
}

core::Status apply_param_flags(const std::vector<std::string>& texts,
                               std::map<std::string, std::string>& params) {
  auto given = name_values(texts, "--param");
  if (!given) return given.error();
  for (auto& [name, value] : *given) params[name] = std::move(value);
  return {};
}

}  // namespace tg4::app
