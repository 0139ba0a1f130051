// `tg4 config check FILE | show | template | docs` (SPEC §12): validate a configuration file, print
// the effective configuration (secrets masked), a file of every default, or the reference
// (docs/CONFIG.md).
#include <iostream>
#include <memory>
#include <string>

#include "app/command.hpp"
#include "app/config_loading.hpp"
#include "app/strategy_config_check.hpp"
#include "core/config.hpp"
#include "core/text_file.hpp"

namespace tg4::app {
namespace {

int run_check(const std::string& path) {
  auto loaded = core::load_config_file(path);
  if (loaded.ok()) {
    // The file was just read: a failure now only loses the lines of the strategy keys.
    const auto text = core::read_text_file(path);
    loaded.issues = check_strategy_section(loaded.config.strategy, text ? *text : "", path);
  }
  if (!loaded.ok()) {
    std::cerr << loaded.error_text() << loaded.issues.size() << " error"
              << (loaded.issues.size() == 1 ? "" : "s") << " in " << path << "\n";
    return kExitUsage;
  }
  return write_stdout("config check", "the result", "ok: " + path + "\n") ? kExitOk : kExitFailure;
}

int run_show(const GlobalOptions& globals) {
  const auto config = load_config(globals, std::cerr);
  if (!config) return kExitUsage;
  // Without the default file, naming it would suggest a file that is not there was read.
  const std::string source = config_file_used(globals) ? globals.config_path : "built-in defaults";
  const std::string text = "# effective configuration: " + source +
                           " + environment + command line; secrets shown as ***\n" +
                           core::dump_config(*config, true);
  return write_stdout("config show", "the configuration", text) ? kExitOk : kExitFailure;
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
    return write_stdout("config template", "the template", core::config_template_yaml())
               ? kExitOk
               : kExitFailure;
  });

  add_command(*config, ctx, "docs", "Print the configuration reference (docs/CONFIG.md)", [] {
    return write_stdout("config docs", "the reference", core::config_docs_markdown())
               ? kExitOk
               : kExitFailure;
  });
}

}  // namespace tg4::app
