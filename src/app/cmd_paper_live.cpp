// `tg4 paper` and `tg4 live`: the whole pipeline on Kraken's live market data (or any WS v2 URL with
// --url, e.g. `tg4 sim`). Paper trades on the paper venue; live needs all three guards of SPEC §8
// (mode: live in the config, TG4_LIVE=I_UNDERSTAND_THE_RISKS, API keys) and is refused with exit 2
// naming the first one missing. A config asking for margin (paper.margin: true) is refused for live
// too: the Kraken venue trades spot only, and a strategy's shorts must not turn into spot sells.
#include <cstdlib>
#include <iostream>
#include <memory>

#include "app/command.hpp"
#include "app/config_loading.hpp"
#include "app/feed_source.hpp"
#include "app/node_config.hpp"
#include "app/session_runner.hpp"
#include "core/logging.hpp"
#include "kraken/kraken_venue.hpp"

namespace tg4::app {
namespace {

constexpr const char* kLiveConsent = "I_UNDERSTAND_THE_RISKS";

struct SessionArgs {
  int duration = 0;
  std::string url;
  std::string out_dir = "var/sessions";
  bool fresh = false;
};

// The first live guard that is not satisfied, or empty.
std::string missing_live_guard(const core::Config& config) {
  if (config.app.mode != core::TradingMode::kLive) {
    return "the config does not say `app.mode: live` (it says " + std::string(core::to_string(config.app.mode)) + ")";
  }
  const char* consent = std::getenv("TG4_LIVE");
  if (consent == nullptr || std::string(consent) != kLiveConsent) {
    return std::string("the environment variable TG4_LIVE is not set to ") + kLiveConsent;
  }
  if (config.rest.api_key.empty() || config.rest.api_secret.empty()) {
    return "Kraken API keys are missing (rest.api_key and rest.api_secret, e.g. ${KRAKEN_API_KEY})";
  }
  return {};
}

// Orders go to Kraken (or to `tg4 sim`'s private side when feed.auth_url and rest.url point there).
core::Result<kernel::VenueFactory> live_venue(const core::Config& config, prometheus::Registry* registry) {
  const kraken::KrakenVenueOptions venue_options = kraken::KrakenVenueOptions::from_config(config);
  if (auto valid = venue_options.validate(); !valid) return valid.error();
  return kernel::VenueFactory([venue_options, registry](const core::InstrumentRegistry& instruments,
                                                         execution::ExecutionSink sink, kernel::VenueStateSink state) {
    auto venue = std::make_unique<kraken::KrakenVenue>(venue_options, instruments, std::move(sink), std::move(state),
                                                       registry, core::logger("venue"));
    if (auto started = venue->start(); !started) {
      throw std::runtime_error("Kraken venue: " + started.error().message);
    }
    return std::unique_ptr<execution::Venue>(std::move(venue));
  });
}

int run_session(CommandContext& ctx, const SessionArgs& args, const std::string& command) {
  block_stop_signals();
  core::Config config = load_config_or_exit(ctx.globals);
  if (command == "live" && config.paper.margin) {
    std::cerr << "tg4 live: refused: the config asks for margin (paper.margin: true), but the Kraken venue "
                 "trades spot only; margin and shorts exist on the paper venue (tg4 paper, tg4 backtest). "
                 "Set paper.margin: false to trade spot live.\n";
    return kExitUsage;
  }
  if (command == "live") {
    if (const std::string missing = missing_live_guard(config); !missing.empty()) {
      std::cerr << "tg4 live: refused: " << missing << ". Live trading needs all of: app.mode: live, TG4_LIVE="
                << kLiveConsent << ", and API keys.\n";
      return kExitUsage;
    }
  }
  kraken::FeedOptions feed = feed_options_from_config(config, args.url);
  // A bad URL is a usage error to refuse before the node starts and records a session.
  if (auto valid = feed.validate(); !valid) {
    return usage_error(command,
                       (args.url.empty() ? "feed.url: " : "--url: ") + valid.error().message);
  }
  NodeOptions options = node_options_from_config(config, command);
  if (command == "live") {
    options.registry = std::make_shared<prometheus::Registry>();
    auto venue = live_venue(config, options.registry.get());
    if (!venue) {
      std::cerr << "tg4 live: " << venue.error().message << "\n";
      return kExitUsage;
    }
    options.venue = std::move(*venue);
  }
  options.log = core::logger("node");
  options.pipeline.scope.session_id = new_session_id(command, core::LiveClock().now());
  options.market_source = kraken_feed_source(std::move(feed));
  options.continue_account = !args.fresh;
  auto node = Node::start(std::move(options));
  if (!node) {
    std::cerr << "tg4 " << command << ": " << node.error().message << "\n";
    return kExitFailure;
  }
  RunOptions run;
  run.duration = std::chrono::seconds(args.duration);
  run.report_dir = std::filesystem::path(args.out_dir) / (*node)->session_id();
  run.title = "tg4 " + command;
  return run_until_stopped(**node, run);
}

void add_session_command(CLI::App& root, CommandContext& ctx, const std::string& name, const std::string& about) {
  auto args = std::make_shared<SessionArgs>();
  CLI::App* cmd = add_command(root, ctx, name, about, [&ctx, args, name] { return run_session(ctx, *args, name); });
  cmd->add_option("--duration", args->duration, "Seconds to run (0 = until Ctrl-C or SIGTERM)")
      ->check(duration_check())
      ->capture_default_str();
  cmd->add_option("--url", args->url, "Market data WebSocket URL (default: the config's feed.url)");
  cmd->add_option("--out", args->out_dir, "Folder of the session report")->capture_default_str();
  cmd->add_flag("--fresh", args->fresh,
                "Open a new account (starting balances) instead of continuing the newest earlier session's "
                "positions, open orders and risk state");
}

}  // namespace

void add_paper_live_commands(CLI::App& root, CommandContext& ctx) {
  add_session_command(root, ctx, "paper", "Full pipeline on live Kraken data with the paper venue");
  add_session_command(root, ctx, "live", "Full pipeline on live Kraken data with real orders (guarded)");
}

}  // namespace tg4::app
