// `tg4 demo`: everything offline in one process. The built-in Kraken simulator runs a seeded market
// faster than life (--speed simulated seconds per second); the node trades it on the paper venue with
// the configured strategy, records to the embedded store, serves /metrics and the operator API, and
// shows its status each second. The node's clock follows the simulator's event time, so bars,
// cool-downs and daily resets behave as they would live, only sooner.
#include <fmt/format.h>
#include <prometheus/registry.h>

#include <iostream>
#include <memory>
#include <random>

#include "app/command.hpp"
#include "app/config_loading.hpp"
#include "app/feed_source.hpp"
#include "app/node_config.hpp"
#include "app/param_flags.hpp"
#include "app/session_runner.hpp"
#include "core/logging.hpp"
#include "sim/simulator.hpp"
#include "storage/store_url.hpp"

namespace tg4::app {
namespace {

struct DemoArgs {
  int duration = 0;
  double speed = 60;
  std::uint64_t seed = 7;
  double rate = 5;
  std::string strategy;
  std::vector<std::string> params;
  std::string api_address = "127.0.0.1:0";
  std::string out_dir = "var/demo";
  std::string api_token;
};

// Without configured tokens the demo makes one admin token for this run, so `tg4 ctl` works at once.
std::string demo_token(const std::string& given) {
  if (!given.empty()) return given;
  std::random_device random;
  return fmt::format("demo-{:08x}{:08x}", random(), random());
}

int run_demo(CommandContext& ctx, const DemoArgs& args) {
  block_stop_signals();
  core::Config config = load_config_or_exit(ctx.globals);
  NodeOptions options = node_options_from_config(config, "demo");
  if (!args.strategy.empty()) options.pipeline.strategy = args.strategy;
  // A demo should trade within seconds: unless told otherwise, the default strategy runs on short
  // EMAs (the config's parameters apply to paper and live).
  if (args.strategy.empty() && args.params.empty() && options.pipeline.strategy == "ema_cross" &&
      options.pipeline.strategy_params.empty()) {
    options.pipeline.strategy_params = {{"fast", "3"}, {"slow", "8"}, {"atr_period", "5"}};
  }
  if (auto s = apply_param_flags(args.params, options.pipeline.strategy_params); !s) {
    return usage_error("demo", s.error().message);
  }
  // Likewise the regime is named on the 1m bars (known after half a minute, not seven) while the
  // config keeps the default timeframe (15: a config that states 15 cannot be told from one that
  // says nothing).
  core::AgentsSection& agents = options.pipeline.agents;
  if (agents.regime_timeframe_minutes == core::AgentsSection{}.regime_timeframe_minutes) agents.regime_timeframe_minutes = 1;
  if (agents.technical_timeframe_minutes == core::AgentsSection{}.technical_timeframe_minutes)
    agents.technical_timeframe_minutes = 1;
  options.api_address = args.api_address;
  std::string token;
  if (options.api_tokens.empty() || !args.api_token.empty()) {
    token = demo_token(args.api_token);
    options.api_tokens.push_back({"demo", api::Auth::hash_token(token), api::Role::kAdmin});
  }
  options.event_time_clock = true;
  // No start-up backfill: each demo is a new simulated market (its own seed and timeline), so bars
  // a store holds from another demo are not its history, and the simulator's 30 days through REST
  // Trades would hold the start for minutes. `tg4 backfill --rest-url` reads a `tg4 sim`'s history.
  options.backfill.enabled = false;
  options.log = core::logger("node");
  options.registry = std::make_shared<prometheus::Registry>();

  sim::SimOptions sim_options;
  sim_options.symbols = config.symbols;
  sim_options.seed = args.seed;
  sim_options.rate = args.rate;
  sim_options.deterministic = true;
  sim_options.speed = args.speed;
  if (auto valid = sim_options.validate(); !valid) {
    std::cerr << "tg4 demo: " << valid.error().message << "\n";
    return kExitUsage;
  }
  sim::Simulator simulator(sim_options, *options.registry, core::logger("sim"));
  if (auto started = simulator.start(0); !started) {
    std::cerr << "tg4 demo: simulator: " << started.error().message << "\n";
    return kExitFailure;
  }
  options.pipeline.scope.session_id = new_session_id("demo", core::LiveClock().now());
  options.continue_account = false;  // each demo is a new simulated market: a new account
  options.market_source = kraken_feed_source(feed_options_from_config(config, simulator.ws_url()), true);
  options.clock_start = sim_options.start_time;
  auto node = Node::start(std::move(options));
  if (!node) {
    std::cerr << "tg4 demo: " << node.error().message << "\n";
    simulator.stop();
    return kExitFailure;
  }
  std::cout << "tg4 demo: simulator " << simulator.ws_url() << " (speed x" << args.speed
            << "), metrics " << (*node)->metrics_url() << ", API " << (*node)->api_url()
            << ", store " << storage::redact_url((*node)->store_url()) << "\n";
  if (!token.empty()) {
    std::cout << "tg4 demo: operator token for this run: TG4_API_TOKEN=" << token << " tg4 ctl --url "
              << (*node)->api_url() << " status\n";
  }
  std::cout << std::flush;
  RunOptions run;
  run.duration = std::chrono::seconds(args.duration);
  run.report_dir = std::filesystem::path(args.out_dir) / (*node)->session_id();
  run.title = "tg4 demo";
  const std::string api = (*node)->api_url();
  run.extra_status = [api] { return "API " + api; };
  const int code = run_until_stopped(**node, run);
  simulator.stop();
  return code;
}

}  // namespace

void add_demo_command(CLI::App& root, CommandContext& ctx) {
  auto args = std::make_shared<DemoArgs>();
  CLI::App* cmd = add_command(root, ctx, "demo",
                              "Simulator + paper trading + embedded store + metrics + live status; offline",
                              [&ctx, args] { return run_demo(ctx, *args); });
  cmd->add_option("--duration", args->duration, "Seconds to run (0 = until Ctrl-C)")
      ->check(duration_check())
      ->capture_default_str();
  cmd->add_option("--speed", args->speed, "Simulated seconds per second")->capture_default_str();
  cmd->add_option("--seed", args->seed, "Seed of the simulated market")->capture_default_str();
  cmd->add_option("--rate", args->rate, "Market events per simulated second per symbol")->capture_default_str();
  cmd->add_option("--strategy", args->strategy, "Strategy (default: the config's strategy.name)");
  cmd->add_option("--param", args->params, "Strategy parameter NAME=VALUE (repeatable)");
  cmd->add_option("--api", args->api_address, "Operator API HOST:PORT (port 0 = any free port)")
      ->check(host_port_check())
      ->capture_default_str();
  cmd->add_option("--api-token", args->api_token, "Operator token for this run (default: a random one, printed)");
  cmd->add_option("--out", args->out_dir, "Folder of the session report")->capture_default_str();
}

}  // namespace tg4::app
