#pragma once
// Walk-forward analysis (`--walk-forward train=180d,test=30d[,step=30d]`): rolling windows over the
// data's time span; in each, the sweep runs over the train period, the best combination by the rank
// metric is chosen, and only its run over the following test period (out of sample) is reported.
#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "backtest/backtest.hpp"
#include "backtest/param_grid.hpp"
#include "backtest/sweep.hpp"
#include "core/result.hpp"
#include "core/time.hpp"

namespace tg4::backtest {

struct WalkForwardSpec {
  core::Duration train{};
  core::Duration test{};
  core::Duration step{};  // between window starts; the test length unless given
  std::string text;       // as written, for errors and reports
};

// "train=180d,test=30d" with an optional ",step=30d"; durations as in the config (ms, s, m, h, d,
// w). A step shorter than the test period would test some bars twice, so it is an error.
core::Result<WalkForwardSpec> parse_walk_forward(std::string_view text);

// One window; every range is half-open [from, to), and train_to == test_from.
struct WalkForwardWindow {
  std::size_t index = 0;
  core::Timestamp train_from, train_to;
  core::Timestamp test_from, test_to;
};

// The windows over the data span [data_from, data_end): the k-th starts at data_from + k * step and
// is kept while its test period ends by data_end (a shorter tail is not tested). Data shorter than
// one train + test window is an error saying both lengths.
core::Result<std::vector<WalkForwardWindow>> split_windows(const WalkForwardSpec& spec,
                                                           core::Timestamp data_from,
                                                           core::Timestamp data_end);

struct WalkForwardWindowResult {
  WalkForwardWindow window;
  std::size_t combination = 0;         // the chosen grid combination
  std::vector<std::string> values;     // its swept values, in axis order
  std::optional<Summary> train;        // the chosen combination's run over the train period
  std::optional<BacktestResult> test;  // its out-of-sample run (train bars warm up only)
  std::string error;                   // why the window has no test run
};

struct WalkForwardResult {
  WalkForwardSpec spec;
  std::vector<std::string> param_names;
  std::string rank_by;
  std::vector<WalkForwardWindowResult> windows;
  // Out of sample only: the test windows chained (chain_equity), their trades, and the summary of
  // both. Figures of the train periods appear nowhere here.
  Summary summary;
  std::vector<EquityPoint> equity;
  std::vector<RoundTrip> trades;
};

// Splits the data span (within base.from/base.to when set), sweeps `grid` over every train period
// (all windows' train runs share the `options.jobs` workers), then runs each window's best
// combination by `options.rank_by` over its test period with trade_from = test start. Errors: a bad
// rank metric or walk-forward spec, data shorter than one window, or no window with a test run.
core::Result<WalkForwardResult> run_walk_forward(const BacktestSpec& base, const MarketData& data,
                                                 const ParamGrid& grid, const WalkForwardSpec& spec,
                                                 const SweepOptions& options);

// Chains test windows' equity curves additively: each window starts from the same balances, so its
// curve is shifted by (the chained equity at the end of the previous window - its own initial
// equity); cash is shifted alike (carried PnL counts as cash). A window starting at the previous
// one's end time replaces that point (the values are equal). Drawdowns are recomputed.
std::vector<EquityPoint> chain_equity(const std::vector<std::vector<EquityPoint>>& windows);

// walk_forward.csv: window, train_from, train_to, test_from, test_to, the chosen parameters, the
// train figure ranked by, the test figures, error.
std::string walk_forward_csv(const WalkForwardResult& result);
// DIR/walk_forward.csv and the combined out-of-sample summary.json, equity.csv and trades.csv.
core::Status write_walk_forward_outputs(const WalkForwardResult& result,
                                        const std::filesystem::path& dir);

}  // namespace tg4::backtest
