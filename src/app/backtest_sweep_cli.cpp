#include "app/backtest_sweep_cli.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>

#include "app/command.hpp"
#include "backtest/param_grid.hpp"
#include "backtest/sweep.hpp"
#include "backtest/walk_forward.hpp"
#include "strategy/registry.hpp"

namespace tg4::app {
namespace {

// The grid, checked against the strategy before any run.
core::Result<backtest::ParamGrid> make_grid(const SweepArgs& args,
                                            const backtest::BacktestSpec& spec) {
  auto grid = backtest::ParamGrid::parse(args.sweeps);
  if (!grid) return grid.error();
  const strategy::StrategyRegistry registry = strategy::builtin_registry();
  const strategy::StrategyInfo* info = registry.find(spec.strategy);
  if (info == nullptr) {
    return core::Error::of(fmt::format("--strategy {}: unknown (known: {})", spec.strategy,
                                       fmt::join(registry.names(), ", ")));
  }
  if (auto s = grid->check(*info, spec.params); !s) return s.error();
  return grid;
}

backtest::SweepOptions sweep_options(const SweepArgs& args, bool quiet) {
  backtest::SweepOptions options;
  options.rank_by = args.metric();
  options.jobs = args.jobs;
  if (!quiet && isatty(STDERR_FILENO) == 1) {
    options.on_progress = [](std::size_t done, std::size_t total) {
      std::fprintf(stderr, "\r%zu/%zu runs ", done, total);
      if (done == total) std::fprintf(stderr, "\r%*s\r", 40, "");
      std::fflush(stderr);
    };
  }
  return options;
}

std::string describe(const std::vector<std::string>& names,
                     const std::vector<std::string>& values) {
  std::string out;
  for (std::size_t i = 0; i < names.size() && i < values.size(); ++i) {
    out += fmt::format("{}{}={}", i ? " " : "", names[i], values[i]);
  }
  return out.empty() ? "(fixed parameters)" : out;
}

int write_failed(const core::Status& status) {
  std::cerr << "tg4 backtest: " << status.error().message << "\n";
  return kExitFailure;
}

int run_plain_sweep(const SweepArgs& args, const backtest::BacktestSpec& spec,
                    const backtest::MarketData& data, const backtest::ParamGrid& grid,
                    const std::string& out, bool quiet) {
  auto result = backtest::run_sweep(spec, data, grid, sweep_options(args, quiet));
  if (!result) return usage_error("backtest", result.error().message);
  const auto failed = std::count_if(result->rows.begin(), result->rows.end(),
                                    [](const backtest::SweepRow& r) { return !r.summary; });
  if (!out.empty()) {
    if (auto s = backtest::write_sweep_outputs(*result, out); !s) return write_failed(s);
  }
  if (!result->best) {
    return usage_error("backtest", fmt::format("every one of the {} combinations failed; the first: {}",
                                   result->rows.size(), result->rows.front().error));
  }
  std::cerr << fmt::format("sweep: {} combinations, {} failed; best by {}: {}{}\n",
                           result->rows.size(), failed, args.metric(),
                           describe(result->param_names, result->rows.front().values),
                           out.empty() ? " (give --out DIR for sweep.csv)" : "");
  return write_stdout("backtest", "the summary", backtest::summary_json_text(result->best->summary))
             ? kExitOk
             : kExitFailure;
}

int run_walk_forward(const SweepArgs& args, const backtest::BacktestSpec& spec,
                     const backtest::MarketData& data, const backtest::ParamGrid& grid,
                     const std::string& out, bool quiet) {
  auto wf = backtest::parse_walk_forward(args.walk_forward);
  if (!wf) return usage_error("backtest", wf.error().message);
  auto result = backtest::run_walk_forward(spec, data, grid, *wf, sweep_options(args, quiet));
  if (!result) return usage_error("backtest", result.error().message);
  if (!out.empty()) {
    if (auto s = backtest::write_walk_forward_outputs(*result, out); !s) return write_failed(s);
  }
  std::cerr << fmt::format(
      "walk-forward {}: {} windows of {} combinations, best by {}; "
      "out-of-sample results only{}\n",
      wf->text, result->windows.size(), grid.size(), args.metric(),
      out.empty() ? " (give --out DIR for walk_forward.csv)" : "");
  return write_stdout("backtest", "the summary", backtest::summary_json_text(result->summary))
             ? kExitOk
             : kExitFailure;
}

// An empty value would read as "not given": --walk-forward '' ran a plain backtest.
CLI::Validator not_empty(const char* expected) {
  return CLI::Validator(
      [expected](const std::string& v) {
        return v.empty() ? std::string("empty; expected ") + expected : std::string();
      },
      "", "not empty");
}

}  // namespace

core::Status check_sweep_flags(const SweepArgs& args) {
  if (args.requested()) return {};
  if (!args.rank_by.empty()) return core::Error::of("--rank-by needs --sweep or --walk-forward");
  if (args.jobs != 0) return core::Error::of("--jobs needs --sweep or --walk-forward");
  return {};
}

void add_sweep_options(CLI::App* cmd, SweepArgs& args) {
  cmd->add_option("--sweep", args.sweeps,
                  "Sweep a parameter: NAME=START:END:STEP (inclusive) or NAME=V1,V2,... "
                  "(repeatable; the grid is their Cartesian product, at most 10000 runs)");
  cmd->add_option("--jobs", args.jobs, "Parallel runs of a sweep (default: hardware threads)")
      ->check(CLI::Range(1u, 1024u));
  cmd->add_option("--rank-by", args.rank_by,
                  "Metric that ranks sweep runs (default sharpe; see docs/backtesting.md)")
      ->check(not_empty("a metric name, e.g. sharpe"));
  cmd->add_option("--walk-forward", args.walk_forward,
                  "Walk-forward: train=D,test=D[,step=D] (e.g. train=180d,test=30d); sweeps each "
                  "train period, reports the test periods only")
      ->check(not_empty("train=D,test=D[,step=D]"));
}

int run_sweep_command(const SweepArgs& args, const backtest::BacktestSpec& spec,
                      const backtest::MarketData& data, const std::string& out, bool quiet) {
  if (auto metric = backtest::find_rank_metric(args.metric()); !metric) {
    return usage_error("backtest", metric.error().message);
  }
  auto grid = make_grid(args, spec);
  if (!grid) return usage_error("backtest", grid.error().message);
  return args.walk_forward.empty() ? run_plain_sweep(args, spec, data, *grid, out, quiet)
                                   : run_walk_forward(args, spec, data, *grid, out, quiet);
}

}  // namespace tg4::app
