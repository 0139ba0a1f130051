#pragma once
// Parameter sweeps (`tg4 backtest --sweep ... --jobs N --rank-by METRIC`): one run_backtest per
// grid combination on worker threads sharing the read-only MarketData. Results are stored by
// combination index and ranked afterwards, so sweep.csv is byte-identical for any number of jobs. A
// combination that fails (e.g. a parameter pair the strategy refuses) is a row with its error, not
// an abort.
#include <cstddef>
#include <filesystem>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "backtest/backtest.hpp"
#include "backtest/param_grid.hpp"
#include "core/result.hpp"

namespace tg4::backtest {

// A summary figure runs can be ranked by.
struct RankMetric {
  std::string name;
  bool higher_is_better = true;
  // < 0 when `a` ranks before `b`, 0 when equal, > 0 after. NaN ranks last.
  std::function<int(const Summary& a, const Summary& b)> compare;
  std::function<std::string(const Summary&)> text;  // the figure as sweep.csv writes it
};

// sharpe, sortino, calmar, cagr, total_return, net_pnl, profit_factor, win_rate, expectancy,
// trades (higher first); max_drawdown, max_drawdown_duration (lower first).
const std::vector<RankMetric>& rank_metrics();
// The metric named by `--rank-by`; an unknown name is an error listing the known ones.
core::Result<const RankMetric*> find_rank_metric(std::string_view name);

struct SweepOptions {
  std::string rank_by = "sharpe";
  unsigned jobs = 0;  // 0: the hardware threads
  // After each finished run, from the worker threads one at a time: runs done and the total.
  std::function<void(std::size_t done, std::size_t total)> on_progress;
};

// Worker threads for `jobs` (0: hardware threads) and `tasks` (never more threads than tasks).
unsigned effective_jobs(unsigned jobs, std::size_t tasks);
// Runs body(0..count-1) on `jobs` threads (each index exactly once); returns when all are done.
// `body` must not throw.
void parallel_for(std::size_t count, unsigned jobs, const std::function<void(std::size_t)>& body);

// Counts finished runs for SweepOptions::on_progress, from any worker thread.
class RunCounter {
 public:
  RunCounter(const SweepOptions& options, std::size_t total) : options_(options), total_(total) {}
  void step();

 private:
  const SweepOptions& options_;
  std::size_t total_;
  std::size_t done_ = 0;
  std::mutex mutex_;
};

struct SweepRow {
  std::size_t index = 0;            // the combination's position in the grid
  std::vector<std::string> values;  // the swept values, in axis order
  std::optional<Summary> summary;   // empty when the run failed
  std::string error;
};

// `base` with combination `index` laid over its params; charts and progress off (sweep runs).
BacktestSpec combination_spec(const BacktestSpec& base, const ParamGrid& grid, std::size_t index);
// run_backtest with an exception turned into an Error, so a worker thread never dies.
core::Result<BacktestResult> run_guarded(const BacktestSpec& spec, const MarketData& data);
// One combination over `base` (its window too) as a row: its summary, or its error.
SweepRow run_combination(const BacktestSpec& base, const MarketData& data, const ParamGrid& grid,
                         std::size_t index);

// Sorts rows best first by `metric`; failed rows go last; ties keep grid order.
void rank_rows(std::vector<SweepRow>& rows, const RankMetric& metric);

struct SweepResult {
  std::vector<std::string> param_names;  // the swept parameters, in axis order
  std::string rank_by;
  std::vector<SweepRow> rows;          // ranked, best first
  std::optional<BacktestResult> best;  // full result of rows.front(), when it succeeded
};

// The grid over `base` (its params are the fixed ones; each combination is laid over them).
// Errors only for a bad rank metric; failed combinations are rows.
core::Result<SweepResult> run_sweep(const BacktestSpec& base, const MarketData& data,
                                    const ParamGrid& grid, const SweepOptions& options);

// Runs every combination (charts off) and returns the rows in grid order, unranked.
std::vector<SweepRow> run_grid(const BacktestSpec& base, const MarketData& data,
                               const ParamGrid& grid, const SweepOptions& options);

// sweep.csv: rank, the swept parameters, the main summary figures, error.
std::string sweep_csv(const SweepResult& result);
// DIR/sweep.csv and the best combination's full outputs in DIR/best/.
core::Status write_sweep_outputs(const SweepResult& result, const std::filesystem::path& dir);

// Shared with walk_forward.csv: the metric columns' header and one row of them.
std::string metric_columns_header();
std::string metric_columns(const Summary& summary);
core::Status create_output_dir(const std::filesystem::path& dir);

}  // namespace tg4::backtest
