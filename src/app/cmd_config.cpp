// `tg4 config check FILE | show | template | docs` (SPEC §12): validate a configuration file, print
// the effective configuration (secrets masked), a file of every default, or the reference
// (docs/CONFIG.md).
#include <iostream>
#include <memory>
#include <string>

#include "app/command.hpp"
#include "app/config_loading.hpp"
#include "core/config.hpp"

namespace tg4::app {
namespace {

int run_check(const std::string& path) {
  const auto loaded = core::load_config_file(path);
  if (!loaded.ok()) {
    std::cerr << loaded.error_text() << loaded.issues.size() << " error"
              << (loaded.issues.size() == 1 ? "" : "s") << " in " << path << "\n";
    return kExitUsage;
  }
  std::cout << "ok: " << path << "\n";
  return kExitOk;
}

int run_show(const GlobalOptions& globals) {
  const auto config = load_config(globals, std::cerr);
  if (!config) return kExitUsage;
  std::cout << "# effective configuration: " << globals.config_path
            << " + environment + command line; secrets shown as ***\n"
            << core::dump_config(*config, true);
  return kExitOk;
}

}  // namespace

void add_config_command(CLI::App& root, CommandContext& ctx) {
  CLI::App* config = root.add_subcommand("config", "Configuration tools: check, show, docs");
  config->require_subcommand(1);
  config->fallthrough();

  auto file = std::make_shared<std::string>();
  CLI::App* check = add_command(*config, ctx, "check",
                                "Validate a configuration file (exit 2 listing every problem)",
                                [file] { return run_check(*file); });
  check->add_option("FILE", *file, "Configuration file")->required();

  add_command(
      *config, ctx, "show",
      "Print the effective configuration (--config, environment, --store/--redis/--metrics) "
      "with secrets masked",
      [&ctx] { return run_show(ctx.globals); })
      ->fallthrough();

  add_command(*config, ctx, "template", "Print a configuration file stating every default", [] {
    std::cout << core::config_template_yaml();
    return kExitOk;
  });

  add_command(*config, ctx, "docs", "Print the configuration reference (docs/CONFIG.md)", [] {
    std::cout << core::config_docs_markdown();
    return kExitOk;
  });
}

}  // namespace tg4::app
