// `tg4 backtest --data SRC --strategy NAME [--param k=v]… [--out DIR]` (SPEC §12): a strategy over
// a candles CSV, recorded frames or the store, through the live kernel, risk engine and paper
// venue on a simulated clock (docs/backtesting.md). Fees, slippage, latency and balances come from
// the config's paper section unless flags say otherwise. The summary JSON goes to stdout; with
// --out, summary.json, trades.csv, orders.csv, equity.csv and report.html go to DIR.
//
// Exit codes: 0 done; 2 bad input (flags, data file, strategy or parameter, each named); 1 when
// the outputs cannot be written.
//
// Structure for extensions (sweeps, walk-forward): BacktestArgs holds the flags, add_common_options
// declares them, spec_from_args turns them into a BacktestSpec, load_data reads the market data
// once.
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "app/backtest_sweep_cli.hpp"
#include "app/command.hpp"
#include "app/config_loading.hpp"
#include "app/node_config.hpp"
#include "app/param_flags.hpp"
#include "backtest/backtest.hpp"
#include "core/config_schema.hpp"
#include "core/logging.hpp"
#include "risk/limits_config.hpp"
#include "strategy/registry.hpp"

namespace tg4::app {
namespace {

struct BacktestArgs {
  std::string data;
  std::string strategy;
  std::vector<std::string> params;  // k=v
  std::string out;
  std::string symbol;  // a candles CSV's symbol
  std::string from, to;
  std::string fee_taker_pct, fee_maker_pct, slippage_bps, latency_ms, volume_share_pct;
  std::vector<std::string> balances;  // ASSET=AMOUNT
  std::string currency;               // reporting currency
  bool quiet = false;                 // no progress bar even on a terminal
  bool no_shortcuts = false;          // BacktestSpec::shortcuts off
  SweepArgs sweep;                    // --sweep, --walk-forward, --rank-by, --jobs
};

void add_common_options(CLI::App* cmd, BacktestArgs& a) {
  cmd->add_option("--data", a.data,
                  "Market data: a candles CSV, recorded frames (.jsonl), or "
                  "store:SYMBOL[,SYMBOL…][@TIMEFRAME]")
      ->required();
  cmd->add_option("--strategy", a.strategy, "Strategy name (docs/STRATEGIES.md)")->required();
  cmd->add_option("--param", a.params, "Strategy parameter k=v (repeatable)");
  cmd->add_option("--out", a.out,
                  "Write summary.json, trades.csv, orders.csv, equity.csv, report.html here");
  cmd->add_option("--symbol", a.symbol,
                  "Symbol of a candles CSV (default BTC/USDT); with frames or store data, the "
                  "one symbol the strategy trades");
  cmd->add_option("--from", a.from,
                  "Window start (RFC 3339, YYYY-MM-DD or Unix seconds; inclusive)");
  cmd->add_option("--to", a.to, "Window end (exclusive)");
  cmd->add_option("--fee-taker-pct", a.fee_taker_pct,
                  "Taker fee in % (default: config paper.taker_fee_pct)");
  cmd->add_option("--fee-maker-pct", a.fee_maker_pct,
                  "Maker fee in % (default: config paper.maker_fee_pct)");
  cmd->add_option("--slippage-bps", a.slippage_bps, "Market-order slippage without a book, in bps");
  cmd->add_option("--volume-share-pct", a.volume_share_pct,
                  "Most of each candle trade's volume an order may take, % (default: config "
                  "paper.volume_share_pct, 0 = no limit)");
  cmd->add_option("--latency-ms", a.latency_ms,
                  "Paper venue order latency in ms (default: config, 100)");
  cmd->add_option("--balance", a.balances,
                  "Starting balance ASSET=AMOUNT (repeatable; replaces the config's)");
  cmd->add_option("--currency", a.currency,
                  "Reporting currency (default: config app.reporting_currency)");
  cmd->add_flag("--quiet", a.quiet, "No progress bar");
  cmd->add_flag("--no-shortcuts", a.no_shortcuts,
                "Every trade through the kernel and every indicator computed: slower, same outputs (a check)");
}

core::Result<core::Timestamp> parse_time_flag(const std::string& text, const char* flag) {
  if (!text.empty() && text.find_first_not_of("0123456789") == std::string::npos) {
    if (text.size() > 11)
      return core::Error::of(fmt::format("{} {}: Unix seconds out of range", flag, text));
    return core::Timestamp::from_seconds(std::stoll(text));
  }
  const std::string full = text.size() == 10 ? text + "T00:00:00Z" : text;
  auto t = core::parse_rfc3339(full);
  if (!t)
    return core::Error::of(fmt::format("{} {}: expected RFC 3339, YYYY-MM-DD or Unix seconds ({})",
                                       flag, text, t.error().message));
  return *t;
}

// A flag that stands for a config key takes that key's type and range from the schema, so the two
// cannot disagree (a slippage of 10000 bps or more filled sells at zero or below). `unit` is
// appended for the schema when the flag's number has its unit in its name (--latency-ms 250 is
// paper.latency 250ms).
core::Status set_config_key(core::Config& config, const std::string& text, const char* flag,
                            std::string_view key, std::string_view unit = "") {
  if (text.empty()) return {};
  if (auto why = core::config_schema::set_from_text(config, key, text + std::string(unit))) {
    return core::Error::of(fmt::format("{} {}: {} (as {})", flag, text, *why, key));
  }
  return {};
}

// Fees, slippage and latency: the config's paper section with the flags written over it.
core::Result<core::PaperSection> paper_section(const BacktestArgs& a, const core::Config& config) {
  core::Config flagged = config;
  for (const auto& [text, flag, key, unit] :
       {std::tuple{&a.fee_taker_pct, "--fee-taker-pct", "paper.taker_fee_pct", ""},
        std::tuple{&a.fee_maker_pct, "--fee-maker-pct", "paper.maker_fee_pct", ""},
        std::tuple{&a.slippage_bps, "--slippage-bps", "paper.slippage_bps", ""},
        std::tuple{&a.volume_share_pct, "--volume-share-pct", "paper.volume_share_pct", ""},
        std::tuple{&a.latency_ms, "--latency-ms", "paper.latency", "ms"}}) {
    if (auto s = set_config_key(flagged, *text, flag, key, unit); !s) return s.error();
  }
  return flagged.paper;
}

// Balances: the config's, or the flags' with paper.starting_balances' asset codes and range.
core::Status apply_paper_flags(const BacktestArgs& a, kernel::PipelineOptions& base) {
  if (a.balances.empty()) return {};
  const auto given = name_values(a.balances, "--balance");
  if (!given) return given.error();
  YAML::Node balances(YAML::NodeType::Map);
  for (const auto& [asset, amount] : *given) balances[asset] = amount;
  core::Config flagged;
  if (auto why = core::config_schema::set_from_node(flagged, "paper.starting_balances", balances)) {
    return core::Error::of(fmt::format("--balance: {}", *why));
  }
  base.starting_balances = flagged.paper.starting_balances;
  return {};
}

core::Result<backtest::BacktestSpec> spec_from_args(const BacktestArgs& a,
                                                    const core::Config& config) {
  backtest::BacktestSpec spec;
  spec.strategy = a.strategy;
  if (a.strategy == config.strategy.name) spec.params = config.strategy.params;
  if (auto s = apply_param_flags(a.params, spec.params); !s) return s.error();
  kernel::PipelineOptions& base = spec.base;
  base.reporting_currency = a.currency.empty() ? config.app.reporting_currency : a.currency;
  base.starting_balances = config.paper.starting_balances;
  auto paper = paper_section(a, config);
  if (!paper) return paper.error();
  base.paper = paper_config_from_config(*paper);
  base.orders = order_config_from_config(config);
  base.orders.budget_kraken_rate_counter = false;  // the paper venue has no rate counter
  base.limits = risk::limits_from_config(config.risk);
  base.volatility_mean_bars = config.risk.volatility_spike_mean_bars;
  base.agents = config.agents;  // the regime agent's settings, as live
  base.hodl = execution::HodlPolicy::from(config.portfolio.hodl);  // the hodl bags, as live
  if (config.agents.portfolio_rebalance)                           // and the rebalancing
    base.rebalance = execution::RebalancePolicy::from(config.portfolio);
  if (auto s = apply_paper_flags(a, base); !s) return s.error();
  if (!a.from.empty()) {
    auto t = parse_time_flag(a.from, "--from");
    if (!t) return t.error();
    spec.from = *t;
  }
  if (!a.to.empty()) {
    auto t = parse_time_flag(a.to, "--to");
    if (!t) return t.error();
    spec.to = *t;
  }
  if (spec.from.is_set() && spec.to.is_set() && spec.to <= spec.from) {
    return core::Error::of(fmt::format("--to {} is not after --from {}", a.to, a.from));
  }
  return spec;
}

// `store_failed`: the error is the store's (unreachable, unreadable), a runtime failure (exit 1).
core::Result<backtest::MarketData> load_data(const BacktestArgs& a, const core::Config& config,
                                             const backtest::BacktestSpec& spec,
                                             bool& store_failed) {
  auto source = backtest::parse_data_source(a.data, a.symbol.empty() ? "BTC/USDT" : a.symbol,
                                            config.storage.url);
  if (!source) return source.error();
  source->from = spec.from;
  source->to = spec.to;
  return backtest::load_market_data(*source, &store_failed);
}

// --symbol names a candles CSV's symbol. Recorded frames and the store name their own, so there it
// picks the one symbol the strategy trades, as --param symbols=SYM would (it was ignored).
core::Status apply_symbol_flag(const BacktestArgs& a, const backtest::MarketData& data,
                               backtest::BacktestSpec& spec) {
  if (a.symbol.empty() || data.kind == backtest::DataKind::kCandlesCsv) return {};
  const std::vector<std::string> symbols = data.symbols();
  if (!std::binary_search(symbols.begin(), symbols.end(), a.symbol)) {
    return core::Error::of(fmt::format("--symbol {}: not in the data (it has: {})", a.symbol,
                                       fmt::join(symbols, ", ")));
  }
  const strategy::StrategyRegistry registry = strategy::builtin_registry();
  const strategy::StrategyInfo* info = registry.find(spec.strategy);
  if (info == nullptr) return {};  // the run names the unknown strategy
  if (std::none_of(info->params.begin(), info->params.end(),
                   [](const strategy::ParamSpec& p) { return p.name == "symbols"; })) {
    return core::Error::of(
        fmt::format("--symbol {}: strategy {} trades every symbol of the data (it has no 'symbols' "
                    "parameter); give --data a file or store:SYMBOL holding that symbol only",
                    a.symbol, spec.strategy));
  }
  if (std::any_of(a.params.begin(), a.params.end(),
                  [](const std::string& p) { return p.rfind("symbols=", 0) == 0; })) {
    return core::Error::of(
        fmt::format("--symbol {} and --param symbols=…: give one of them", a.symbol));
  }
  spec.params["symbols"] = a.symbol;
  return {};
}

// A one-line progress bar on stderr, redrawn at most five times a second: how far, how fast
// (candles or events per second, wall clock) and the time left.
class ProgressBar {
 public:
  explicit ProgressBar(const char* unit) : unit_(unit) {}

  void update(const backtest::Progress& p) {
    const auto now = std::chrono::steady_clock::now();
    if (p.done < p.total && now - drawn_ < std::chrono::milliseconds(200)) return;
    drawn_ = now;
    const double elapsed = std::chrono::duration<double>(now - started_).count();
    const double fraction =
        p.total > 0 ? static_cast<double>(std::min(p.done, p.total)) / static_cast<double>(p.total)
                    : 1.0;
    const double rate = elapsed > 0 ? static_cast<double>(p.done) / elapsed : 0.0;
    const double eta =
        rate > 0 ? static_cast<double>(p.total - std::min(p.done, p.total)) / rate : 0.0;
    const auto filled = static_cast<std::size_t>(fraction * kWidth);
    const std::string speed =
        rate >= 1e6 ? fmt::format("{:.2f}M", rate / 1e6) : fmt::format("{:.1f}k", rate / 1e3);
    const std::string line =
        fmt::format("\r[{}{}] {:5.1f}%  {} {}/s  ETA {}:{:02} ", std::string(filled, '#'),
                    std::string(kWidth - filled, '.'), fraction * 100, speed, unit_,
                    static_cast<int>(eta) / 60, static_cast<int>(eta) % 60);
    std::fputs(line.c_str(), stderr);
    std::fflush(stderr);
  }
  void clear() {
    std::fprintf(stderr, "\r%*s\r", 80, "");
    std::fflush(stderr);
  }

 private:
  static constexpr std::size_t kWidth = 30;
  const char* unit_;
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point drawn_{};
};

// Every run starts a pipeline, whose start-up notes ("reconciliation complete") say nothing about
// a backtest; at the default level they are left out (warnings stay, --log-level debug shows all).
void quiet_pipeline_notes(const GlobalOptions& globals) {
  const auto level = core::parse_log_level(globals.log_level);
  if (level && *level == spdlog::level::info)
    core::logger("pipeline")->set_level(spdlog::level::warn);
}

int run_backtest_command(const GlobalOptions& globals, const BacktestArgs& a) {
  if (auto s = check_sweep_flags(a.sweep); !s) return usage_error("backtest", s.error().message);
  const auto config = load_config(globals, std::cerr);
  if (!config) return kExitUsage;
  quiet_pipeline_notes(globals);
  auto spec = spec_from_args(a, *config);
  if (!spec) return usage_error("backtest", spec.error().message);
  spec->shortcuts = !a.no_shortcuts;
  bool store_failed = false;
  auto data = load_data(a, *config, *spec, store_failed);
  if (!data && store_failed) {
    std::cerr << "tg4 backtest: " << data.error().message << "\n";
    return kExitFailure;
  }
  if (!data) return usage_error("backtest", data.error().message);
  if (auto s = apply_symbol_flag(a, *data, *spec); !s)
    return usage_error("backtest", s.error().message);
  if (a.sweep.requested()) return run_sweep_command(a.sweep, *spec, *data, a.out, a.quiet);
  std::unique_ptr<ProgressBar> bar;
  if (!a.quiet && isatty(STDERR_FILENO) == 1) {
    bar = std::make_unique<ProgressBar>(data->kind == backtest::DataKind::kFrames ? "events"
                                                                                  : "candles");
    spec->on_progress = [&bar](const backtest::Progress& p) { bar->update(p); };
  }
  spec->collect_charts = !a.out.empty();
  auto result = backtest::run_backtest(*spec, *data);
  if (bar) bar->clear();
  if (!result) return usage_error("backtest", result.error().message);
  // The files of --out are still written when stdout fails; the exit code reports both.
  const bool printed =
      write_stdout("backtest", "the summary", backtest::summary_json_text(result->summary));
  if (!a.out.empty()) {
    if (auto s = backtest::write_outputs(*result, a.out); !s) {
      std::cerr << "tg4 backtest: " << s.error().message << "\n";
      return kExitFailure;
    }
  }
  return printed ? kExitOk : kExitFailure;
}

}  // namespace

void add_backtest_command(CLI::App& root, CommandContext& ctx) {
  auto args = std::make_shared<BacktestArgs>();
  CLI::App* cmd = add_command(
      root, ctx, "backtest",
      "Backtest a strategy on candles, recorded frames or the store: summary and report",
      [&ctx, args] { return run_backtest_command(ctx.globals, *args); });
  add_common_options(cmd, *args);
  add_sweep_options(cmd, args->sweep);
}

}  // namespace tg4::app
