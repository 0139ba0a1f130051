#pragma once
// The sweep and walk-forward part of `tg4 backtest` (SPEC §12, docs/backtesting.md "Sweeps",
// "Walk-forward"): its flags, and the run that replaces the single backtest when one is given.
#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "backtest/backtest.hpp"

namespace tg4::app {

struct SweepArgs {
  std::vector<std::string> sweeps;  // --sweep k=a:b:step | k=v1,v2
  std::string walk_forward;         // --walk-forward train=D,test=D[,step=D]
  std::string rank_by;              // --rank-by ("": not given, sharpe)
  unsigned jobs = 0;                // --jobs (0: not given, hardware threads)

  bool requested() const { return !sweeps.empty() || !walk_forward.empty(); }
  std::string metric() const { return rank_by.empty() ? "sharpe" : rank_by; }
};

void add_sweep_options(CLI::App* cmd, SweepArgs& args);

// --rank-by or --jobs without --sweep or --walk-forward: an error naming the flag (a plain
// backtest would ignore them without a word).
core::Status check_sweep_flags(const SweepArgs& args);

// Runs the sweep (or walk-forward, which sweeps each train period) over `spec`, whose params are
// the fixed ones. Stdout: the best run's summary JSON (walk-forward: the out-of-sample summary).
// With `out`: sweep.csv and best/ (walk-forward: walk_forward.csv, summary.json, equity.csv,
// trades.csv). Exit codes: 2 for bad flags or when every run failed, 1 when files cannot be
// written.
int run_sweep_command(const SweepArgs& args, const backtest::BacktestSpec& spec,
                      const backtest::MarketData& data, const std::string& out, bool quiet);

}  // namespace tg4::app
