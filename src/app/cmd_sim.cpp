// `tg4 sim`: the Kraken WS v2 (+ REST) exchange simulator, standalone (SPEC §12). Prints the URL it
// serves on stdout, serves /metrics only when --metrics is given (its default is the node's, and a
// `tg4 paper` beside it takes that), runs until SIGINT/SIGTERM.
#include <prometheus/registry.h>
#include <pthread.h>
#include <spdlog/spdlog.h>
#include <yaml-cpp/yaml.h>

#include <csignal>
#include <filesystem>
#include <iostream>
#include <memory>

#include "app/command.hpp"
#include "core/logging.hpp"
#include "core/time.hpp"
#include "metrics/metrics_server.hpp"
#include "sim/fault_spec.hpp"
#include "sim/simulator.hpp"

namespace tg4::app {
namespace {

constexpr std::uint16_t kDefaultPort = 9480;

struct SimArgs {
  int port = kDefaultPort;
  std::vector<std::string> symbols;
  std::uint64_t seed = 1;
  std::string faults;
  bool tls = false;
  double rate = 10.0;
  bool deterministic = false;
  double speed = 1.0;
  bool run_at_once = false;
  std::string start;
  int history_days = 30;
  std::string bind = "127.0.0.1";
  std::string api_key;
  std::string api_secret;  // never logged or echoed
  std::string balances;
  // Which flags the user gave (they override the config file).
  std::map<std::string, CLI::Option*> given;
};

bool given(const SimArgs& a, const std::string& flag) {
  const auto it = a.given.find(flag);
  return it != a.given.end() && it->second->count() > 0;
}

// Reads the optional `sim:` section of the config file into `opts`; an Error names file and key.
core::Status apply_config(const GlobalOptions& g, sim::SimOptions& opts, int& port) {
  const std::filesystem::path path = g.config_path;
  if (!std::filesystem::exists(path)) {
    if (g.config_given) return core::Error::of("--config: file '" + g.config_path + "' does not exist");
    return {};
  }
  YAML::Node root;
  try {
    root = YAML::LoadFile(g.config_path);
  } catch (const std::exception& e) {
    return core::Error::of(g.config_path + ": not valid YAML: " + e.what());
  }
  const YAML::Node s = root["sim"];
  if (!s) return {};
  const auto where = [&](const std::string& key) { return g.config_path + ": sim." + key; };
  try {
    for (const auto& item : s) {
      const auto key = item.first.as<std::string>();
      const YAML::Node& v = item.second;
      if (key == "port") port = v.as<int>();
      else if (key == "symbols") opts.symbols = v.as<std::vector<std::string>>();
      else if (key == "seed") opts.seed = v.as<std::uint64_t>();
      else if (key == "faults") {
        auto spec = sim::FaultSpec::parse(v.as<std::string>());
        if (!spec) return core::Error::of(where(key) + ": " + spec.error().message);
        opts.faults = *spec;
      } else if (key == "tls") opts.tls = v.as<bool>();
      else if (key == "rate") opts.rate = v.as<double>();
      else if (key == "deterministic") opts.deterministic = v.as<bool>();
      else if (key == "speed") opts.speed = v.as<double>();
      else if (key == "run_at_once")
        opts.run_at_once = v.as<bool>();
      else if (key == "history_days") opts.history_days = v.as<int>();
      else if (key == "bind") opts.bind_address = v.as<std::string>();
      else if (key == "api_key") opts.api_key = v.as<std::string>();
      else if (key == "api_secret") opts.api_secret = v.as<std::string>();
      else if (key == "balances") {
        auto balances = sim::parse_balances(v.as<std::string>());
        if (!balances) return core::Error::of(where(key) + ": " + balances.error().message);
        opts.balances = *balances;
      } else {
        return core::Error::of(where(key) +
                               ": unknown key (known: port, symbols, seed, faults, tls, rate, "
                               "deterministic, speed, run_at_once, history_days, bind, api_key, "
                               "api_secret, balances)");
      }
    }
  } catch (const YAML::Exception& e) {
    return core::Error::of(g.config_path + ": sim section: " + e.what());
  }
  return {};
}

int run_sim(const CommandContext& ctx, const SimArgs& a) {
  const auto usage = [](const std::string& message) {
    std::cerr << "tg4 sim: " << message << "\n";
    return kExitUsage;
  };
  sim::SimOptions opts;
  int port = a.port;
  if (auto status = apply_config(ctx.globals, opts, port); !status) return usage(status.error().message);
  if (given(a, "--port")) port = a.port;
  if (given(a, "--symbols")) opts.symbols = a.symbols;
  if (given(a, "--seed")) opts.seed = a.seed;
  if (given(a, "--faults")) {
    auto spec = sim::FaultSpec::parse(a.faults);
    if (!spec) return usage("--faults: " + spec.error().message);
    opts.faults = *spec;
  }
  if (given(a, "--tls")) opts.tls = a.tls;
  if (given(a, "--rate")) opts.rate = a.rate;
  if (given(a, "--deterministic")) opts.deterministic = a.deterministic;
  if (given(a, "--speed")) opts.speed = a.speed;
  if (given(a, "--run-at-once")) opts.run_at_once = a.run_at_once;
  if (given(a, "--history-days")) opts.history_days = a.history_days;
  if (given(a, "--bind")) opts.bind_address = a.bind;
  if (given(a, "--api-key")) opts.api_key = a.api_key;
  if (given(a, "--api-secret")) opts.api_secret = a.api_secret;
  if (given(a, "--balances")) {
    auto balances = sim::parse_balances(a.balances);
    if (!balances) return usage("--balances: " + balances.error().message);
    opts.balances = *balances;
  }
  if (given(a, "--start")) {
    const auto t = core::parse_rfc3339(a.start);
    if (!t) return usage("--start: " + t.error().message + " (write e.g. 2024-01-01T00:00:00Z)");
    opts.start_time = *t;
    opts.deterministic = true;
  }
  if (port < 0 || port > 65535) return usage("port " + std::to_string(port) + " is not in 0..65535");
  if (auto status = opts.validate(); !status) return usage(status.error().message);

  // Signals are taken by sigwait below; block them before any thread exists so none inherits them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  // The node's logger, as every command has: stderr (stdout carries the URL only), --log-format
  // and --log-level, and the redacting formatter.
  auto logger = core::logger("sim");
  // Serves tg4_build_info and the simulator's metrics on --metrics, and only when it is given:
  // its default is the node's (127.0.0.1:9464), and `tg4 paper` beside the simulator takes it.
  std::unique_ptr<metrics::MetricsServer> metrics_server;
  prometheus::Registry unserved;
  if (ctx.globals.metrics_given) {
    auto started = metrics::MetricsServer::start(ctx.globals.metrics_address);
    if (!started) {
      std::cerr << "tg4 sim: " << started.error().message << "\n";
      return kExitFailure;
    }
    metrics_server = std::move(*started);
  }
  prometheus::Registry& registry = metrics_server ? metrics_server->registry() : unserved;

  sim::Simulator simulator(opts, registry, logger);
  if (auto status = simulator.start(static_cast<std::uint16_t>(port)); !status) {
    std::cerr << "tg4 sim: " << status.error().message << "\n";
    return kExitFailure;
  }
  // The first line of stdout is the address scripts wait for: a failed write must stop the run.
  if (!write_stdout("sim", "the WebSocket address", simulator.ws_url() + "\n")) return kExitFailure;
  // The key names an account: never logged unless it is the public test key everyone knows.
  const std::string key_text =
      opts.api_key == sim::kTestApiKey ? "the public test key " + opts.api_key : std::string("as given, not shown");
  const std::string metrics_text =
      metrics_server ? "metrics on " + metrics_server->url()
                     : std::string("no /metrics (--metrics HOST:PORT serves them)");
  logger->info(
      "REST on {}/0/public and /0/private, private WS on {} (API key {}), {}; stop with Ctrl-C",
      simulator.rest_url(), simulator.ws_auth_url(), key_text, metrics_text);

  int received = 0;
  sigwait(&signals, &received);
  logger->info("{} received, stopping", received == SIGINT ? "SIGINT" : "SIGTERM");
  simulator.stop();
  return kExitOk;
}

}  // namespace

void add_sim_command(CLI::App& root, CommandContext& ctx) {
  auto args = std::make_shared<SimArgs>();
  CLI::App* cmd =
      add_command(root, ctx, "sim",
                  "Kraken WebSocket v2 (+ REST) exchange simulator (/metrics only with a "
                  "global --metrics HOST:PORT)",
                  [&ctx, args] { return run_sim(ctx, *args); });
  auto& a = *args;
  a.given["--port"] = cmd->add_option("--port", a.port, "Port on 127.0.0.1 (0 = any free port)")->capture_default_str();
  a.given["--symbols"] = cmd->add_option("--symbols", a.symbols, "Pairs, e.g. BTC/USDT,XRP/USDT,XRP/BTC (default)")
                             ->delimiter(',');
  a.given["--seed"] =
      cmd->add_option(
             "--seed", a.seed,
             "Seed of the market model (same seed and start, same market; trade ids go on from "
             "the start time in microseconds, so a restart reuses none)")
          ->capture_default_str();
  a.given["--faults"] = cmd->add_option(
      "--faults", a.faults,
      "Faults to inject, e.g. drop=10s,stall=30s,stall_for=5s (every connection, public "
      "and private), corrupt_checksum=0.01,malformed=0.01,rate_limit=0.05; private order "
      "entry, each for the next N orders: drop_before_ack=1 (order placed, connection "
      "dropped before the ack), reject=3:EOrder:Insufficient funds, order_rate_limit=2 "
      "(EOrder:Rate limit exceeded), "
      "ack_delay=500ms, reject_cancel=1 (the next cancels refused: EGeneral:Permission denied)");
  a.given["--tls"] = cmd->add_flag("--tls", a.tls, "Serve wss:// and https:// with a self-signed certificate");
  a.given["--rate"] = cmd->add_option("--rate", a.rate, "Market events per second per symbol")->capture_default_str();
  a.given["--deterministic"] = cmd->add_flag(
      "--deterministic", a.deterministic,
      "Simulated clock from --start; starts after the first subscriptions settle; same seed, same frames");
  a.given["--speed"] = cmd->add_option("--speed", a.speed, "Simulated seconds per second (deterministic mode)")
                           ->capture_default_str();
  a.given["--run-at-once"] = cmd->add_flag(
      "--run-at-once", a.run_at_once,
      "Deterministic mode: the clock runs from the start, not from the first subscription (REST "
      "calls before it see time pass)");
  a.given["--start"] = cmd->add_option("--start", a.start, "Start time of the simulated clock (RFC 3339); implies --deterministic");
  a.given["--history-days"] = cmd->add_option("--history-days", a.history_days, "Days of REST history before the start")
                                  ->capture_default_str();
  a.given["--bind"] = cmd->add_option("--bind", a.bind, "Address to listen on")->capture_default_str();
  a.given["--api-key"] = cmd->add_option("--api-key", a.api_key,
                                         "API key of the simulated account (default: the public test key " +
                                             std::string(sim::kTestApiKey) + ")");
  a.given["--api-secret"] = cmd->add_option("--api-secret", a.api_secret,
                                            "Its API secret, base64 as Kraken gives it (default: the public test "
                                            "secret in src/sim/sim_options.hpp)");
  a.given["--balances"] = cmd->add_option("--balances", a.balances,
                                          "Starting balances of the account (default USDT=10000,BTC=0.5,XRP=2000)");
}

}  // namespace tg4::app
