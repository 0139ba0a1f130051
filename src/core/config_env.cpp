#include "core/config_env.hpp"

#include <cstdlib>
#include <vector>

namespace tg4::core {
namespace {

bool is_name_char(char c, bool first) {
  const bool alpha = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
  return alpha || (!first && c >= '0' && c <= '9');
}

bool valid_name(std::string_view name) {
  if (name.empty()) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    if (!is_name_char(name[i], i == 0)) return false;
  }
  return true;
}

std::string join(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

}  // namespace

EnvLookup process_env() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* value = std::getenv(name.c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
}

Result<std::string> expand_env(std::string_view text, const EnvLookup& env) {
  std::string out;
  out.reserve(text.size());
  std::vector<std::string> missing;
  std::size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    if (c != '$' || i + 1 >= text.size() || (text[i + 1] != '{' && text[i + 1] != '$')) {
      out += c;
      ++i;
      continue;
    }
    if (text[i + 1] == '$') {
      out += '$';
      i += 2;
      continue;
    }
    const std::size_t close = text.find('}', i + 2);
    if (close == std::string_view::npos) {
      return Error::of("unterminated ${ in \"" + std::string(text) +
                       "\" (write $$ for a literal $)");
    }
    const std::string_view body = text.substr(i + 2, close - i - 2);
    const std::size_t sep = body.find(":-");
    const std::string_view name = body.substr(0, sep);
    if (!valid_name(name)) {
      return Error::of("\"${" + std::string(body) +
                       "}\" is not a valid ${NAME} or ${NAME:-default}");
    }
    const auto value = env(std::string(name));
    if (sep != std::string_view::npos) {
      out += (value && !value->empty()) ? *value : std::string(body.substr(sep + 2));
    } else if (value) {
      out += *value;
    } else {
      missing.emplace_back(name);
    }
    i = close + 1;
  }
  if (missing.size() == 1) {
    return Error::of("environment variable " + missing[0] + " is not set (set it, or write ${" +
                     missing[0] + ":-default})");
  }
  if (!missing.empty()) {
    return Error::of("environment variables " + join(missing) +
                     " are not set (set them, or write ${NAME:-default})");
  }
  return out;
}

}  // namespace tg4::core
