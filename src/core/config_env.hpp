#pragma once
// ${NAME} and ${NAME:-default} expansion of configuration values, so secrets and per-host settings
// come from the environment instead of the file. `$$` is a literal `$`.
#include <string>
#include <string_view>

#include "core/config.hpp"
#include "core/result.hpp"

namespace tg4::core {

// Shell semantics: ${NAME:-default} takes the default when NAME is unset or empty. A variable that
// is unset and has no default is an Error naming it (every one missing in `text`, not just the
// first).
Result<std::string> expand_env(std::string_view text, const EnvLookup& env);

}  // namespace tg4::core
