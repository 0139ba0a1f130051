// tg4: the one binary of TG4 (SPEC §12). Parses the command line, runs the chosen command, and maps
// failures to exit codes: 0 success, 1 runtime failure, 2 usage or configuration error.
#include <exception>
#include <iostream>

#include "app/command.hpp"
#include "core/logging.hpp"

int main(int argc, char** argv) {
  using namespace tg4::app;
  CommandContext ctx;
  CLI::App root{"TG4: LLM-assisted crypto trading on Kraken with hard risk limits", "tg4"};
  root.require_subcommand(1);
  root.fallthrough();
  auto& g = ctx.globals;
  root.add_option_function<std::string>(
      "--config", [&g](const std::string& path) { g.config_path = path; g.config_given = true; },
      "Configuration file (default config/tg4.yaml)");
  root.add_option("--store", g.store_url, "Store URL: sqlite:PATH or postgresql://...")->capture_default_str();
  root.add_option("--redis", g.redis_url, "Redis URL redis://...; none = in-process state");
  root.add_option("--metrics", g.metrics_address, "Prometheus /metrics HOST:PORT")
      ->check(host_port_check())
      ->capture_default_str();
  root.add_option("--log-format", g.log_format, "Log format")->check(CLI::IsMember({"text", "json"}))->capture_default_str();
  root.add_option("--log-level", g.log_level, "Log level")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error"}))->capture_default_str();

  add_demo_command(root, ctx);
  add_paper_live_commands(root, ctx);
  add_sim_command(root, ctx);
  add_record_command(root, ctx);
  add_replay_command(root, ctx);
  add_backfill_command(root, ctx);
  add_indicators_command(root, ctx);
  add_backtest_command(root, ctx);
  add_risk_command(root, ctx);
  add_decide_command(root, ctx);
  add_ctl_command(root, ctx);
  add_migrate_command(root, ctx);
  add_config_command(root, ctx);
  add_version_command(root, ctx);

  try {
    root.parse(argc, argv);
  } catch (const CLI::RequiredError& e) {
    if (const auto message = subcommand_error(root)) {
      std::cerr << *message << "\nRun with --help for more information.\n";
      return kExitUsage;
    }
    root.exit(e);
    return kExitUsage;
  } catch (const CLI::ParseError& e) {
    const int code = root.exit(e);
    return code == 0 ? kExitOk : kExitUsage;
  }
  if (!ctx.run) return kExitUsage;
  g.store_given = root.get_option("--store")->count() > 0;
  g.redis_given = root.get_option("--redis")->count() > 0;
  g.metrics_given = root.get_option("--metrics")->count() > 0;
  if (const auto logging = tg4::core::setup_logging(g.log_format, g.log_level); !logging) {
    std::cerr << "tg4: " << logging.error().message << "\n";
    return kExitUsage;
  }
  try {
    return ctx.run();
  } catch (const std::exception& e) {
    std::cerr << "tg4: " << e.what() << "\n";
    return kExitFailure;
  }
}
