#pragma once
// Loading the node's configuration for a command: --config FILE (default config/tg4.yaml; a missing
// default file means built-in defaults, a missing named file is an error), then the --store,
// --redis and --metrics overrides. A configuration error is a usage error: exit code 2 with every
// problem listed (file, line, key, what was expected).
#include <iosfwd>
#include <optional>

#include "app/command.hpp"
#include "core/config.hpp"

namespace tg4::app {

// The effective configuration, or nullopt after writing every problem to `err`.
std::optional<core::Config> load_config(const GlobalOptions& globals, std::ostream& err,
                                        const core::EnvLookup& env = core::process_env());

// For commands: the effective configuration, or exits the process with kExitUsage (2) after
// printing the problems to stderr. Call it before anything is started.
core::Config load_config_or_exit(const GlobalOptions& globals);

// Whether the configuration comes from a file: --config named one (missing: an error), or the
// default file exists; else the built-in defaults are used.
bool config_file_used(const GlobalOptions& globals);

// --store / --redis / --metrics given on the command line replace the file's values.
void apply_command_line_overrides(core::Config& config, const GlobalOptions& globals);

}  // namespace tg4::app
