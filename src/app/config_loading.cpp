#include "app/config_loading.hpp"

#include <cstdlib>
#include <filesystem>
#include <iostream>

#include "storage/store_url.hpp"

namespace tg4::app {

void apply_command_line_overrides(core::Config& config, const GlobalOptions& globals) {
  if (globals.store_given) config.storage.url = globals.store_url;
  if (globals.redis_given) config.redis.url = globals.redis_url;
  if (globals.metrics_given) config.metrics.address = globals.metrics_address;
}

bool config_file_used(const GlobalOptions& globals) {
  std::error_code ec;
  return globals.config_given || std::filesystem::exists(globals.config_path, ec);
}

std::optional<core::Config> load_config(const GlobalOptions& globals, std::ostream& err,
                                        const core::EnvLookup& env) {
  core::ConfigLoad loaded;
  if (config_file_used(globals)) loaded = core::load_config_file(globals.config_path, env);
  if (!loaded.ok()) {
    err << "tg4: " << loaded.issues.size() << " configuration error"
        << (loaded.issues.size() == 1 ? "" : "s") << " in " << globals.config_path << ":\n"
        << loaded.error_text();
    return std::nullopt;
  }
  apply_command_line_overrides(loaded.config, globals);
  // A store URL that names no store tg4 knows (mysql://…, a bad port) is a configuration error for
  // every command (exit 2), found before anything starts, not a runtime failure once it has.
  if (auto url = storage::parse_store_url(loaded.config.storage.url); !url) {
    err << "tg4: configuration error in " << (globals.store_given ? "--store" : "storage.url")
        << ": " << url.error().message << "\n";
    return std::nullopt;
  }
  return std::move(loaded.config);
}

core::Config load_config_or_exit(const GlobalOptions& globals) {
  auto config = load_config(globals, std::cerr);
  if (!config) {
    std::cerr.flush();
    std::exit(kExitUsage);
  }
  return std::move(*config);
}

}  // namespace tg4::app
