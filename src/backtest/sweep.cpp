#include "backtest/sweep.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <exception>
#include <mutex>
#include <thread>

namespace tg4::backtest {

namespace {

// 8 decimals; an empty cell for an undefined figure (a CAGR under a day), inf for an unbounded one
// (a profit factor without losses), an exponent past 1e15 rather than dozens of digits.
std::string ratio_text(double x) {
  if (std::isnan(x)) return {};
  if (std::isinf(x)) return x > 0 ? "inf" : "-inf";
  if (std::abs(x) >= 1e15) return fmt::format("{:.8e}", x);
  return fmt::format("{:.8f}", x);
}
std::string value_text(double x) {
  return ratio_text(x);
}
std::string value_text(core::Decimal x) {
  return x.to_string();
}
std::string value_text(std::uint64_t x) {
  return std::to_string(x);
}

// Orders two values of a field: < 0 when `a` ranks first. NaN (a ratio with no meaning) ranks last.
template <typename T>
int order(T a, T b, bool higher_is_better) {
  if constexpr (std::is_floating_point_v<T>) {
    if (std::isnan(a) || std::isnan(b))
      return std::isnan(a) == std::isnan(b) ? 0 : std::isnan(a) ? 1 : -1;
  }
  if (a == b) return 0;
  return (a > b) == higher_is_better ? -1 : 1;
}

template <typename T>
RankMetric metric(std::string name, T Summary::*field, bool higher_is_better) {
  return {std::move(name), higher_is_better,
          [field, higher_is_better](const Summary& a, const Summary& b) {
            return order(a.*field, b.*field, higher_is_better);
          },
          [field](const Summary& s) { return value_text(s.*field); }};
}

}  // namespace

BacktestSpec combination_spec(const BacktestSpec& base, const ParamGrid& grid, std::size_t index) {
  BacktestSpec spec = base;
  spec.params = grid.params(index, base.params);
  spec.collect_charts = false;
  spec.on_progress = nullptr;  // one run's progress means nothing among many
  return spec;
}

core::Result<BacktestResult> run_guarded(const BacktestSpec& spec, const MarketData& data) {
  try {
    return run_backtest(spec, data);
  } catch (const std::exception& e) {
    return core::Error::of(e.what());
  }
}

SweepRow run_combination(const BacktestSpec& base, const MarketData& data, const ParamGrid& grid,
                         std::size_t index) {
  SweepRow row{index, grid.values(index), std::nullopt, {}};
  auto result = run_guarded(combination_spec(base, grid, index), data);
  if (result) {
    row.summary = std::move(result->summary);
  } else {
    row.error = result.error().message;
  }
  return row;
}

void RunCounter::step() {
  if (!options_.on_progress) return;
  const std::lock_guard lock(mutex_);
  options_.on_progress(++done_, total_);
}

const std::vector<RankMetric>& rank_metrics() {
  static const std::vector<RankMetric> metrics{
      metric("sharpe", &Summary::sharpe, true),
      metric("sortino", &Summary::sortino, true),
      metric("calmar", &Summary::calmar, true),
      metric("cagr", &Summary::cagr, true),
      metric("total_return", &Summary::total_return, true),
      metric("net_pnl", &Summary::net_pnl, true),
      metric("profit_factor", &Summary::profit_factor, true),
      metric("win_rate", &Summary::win_rate, true),
      metric("expectancy", &Summary::expectancy, true),
      metric("trades", &Summary::trades, true),
      metric("max_drawdown", &Summary::max_drawdown, false),
      metric("max_drawdown_duration", &Summary::max_drawdown_duration_s, false),
  };
  return metrics;
}

core::Result<const RankMetric*> find_rank_metric(std::string_view name) {
  std::vector<std::string> known;
  for (const RankMetric& m : rank_metrics()) {
    if (m.name == name) return &m;
    known.push_back(m.name);
  }
  return core::Error::of(
      fmt::format("--rank-by {}: unknown metric (known: {})", name, fmt::join(known, ", ")));
}

unsigned effective_jobs(unsigned jobs, std::size_t tasks) {
  if (jobs == 0) jobs = std::max(1u, std::thread::hardware_concurrency());
  return static_cast<unsigned>(std::max<std::size_t>(1, std::min<std::size_t>(jobs, tasks)));
}

void parallel_for(std::size_t count, unsigned jobs, const std::function<void(std::size_t)>& body) {
  std::atomic<std::size_t> next{0};
  const auto work = [&] {
    for (std::size_t i = next++; i < count; i = next++) body(i);
  };
  const unsigned threads = effective_jobs(jobs, count);
  std::vector<std::jthread> workers;
  for (unsigned t = 1; t < threads; ++t) workers.emplace_back(work);
  work();  // this thread is one of the workers
}

void rank_rows(std::vector<SweepRow>& rows, const RankMetric& metric) {
  std::stable_sort(rows.begin(), rows.end(), [&metric](const SweepRow& a, const SweepRow& b) {
    if (a.summary.has_value() != b.summary.has_value()) return a.summary.has_value();
    if (a.summary) {
      if (const int c = metric.compare(*a.summary, *b.summary); c != 0) return c < 0;
    }
    return a.index < b.index;
  });
}

std::vector<SweepRow> run_grid(const BacktestSpec& base, const MarketData& data,
                               const ParamGrid& grid, const SweepOptions& options) {
  std::vector<SweepRow> rows(grid.size());
  RunCounter counter(options, grid.size());
  parallel_for(grid.size(), options.jobs, [&](std::size_t i) {
    rows[i] = run_combination(base, data, grid, i);  // each slot written by one thread only
    counter.step();
  });
  return rows;
}

core::Result<SweepResult> run_sweep(const BacktestSpec& base, const MarketData& data,
                                    const ParamGrid& grid, const SweepOptions& options) {
  auto metric = find_rank_metric(options.rank_by);
  if (!metric) return metric.error();
  SweepResult result;
  for (const ParamAxis& axis : grid.axes()) result.param_names.push_back(axis.name);
  result.rank_by = options.rank_by;
  result.rows = run_grid(base, data, grid, options);
  rank_rows(result.rows, **metric);
  if (!result.rows.empty() && result.rows.front().summary) {
    // The sweep kept summaries only; the winner is run again with charts for its report (runs are
    // deterministic, so it is the same run).
    BacktestSpec spec = base;
    spec.params = grid.params(result.rows.front().index, base.params);
    auto best = run_backtest(spec, data);
    if (!best) return best.error();
    result.best = std::move(*best);
  }
  return result;
}

core::Status create_output_dir(const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec)
    return core::Error::of(dir.string() + ": cannot create the output folder: " + ec.message());
  return {};
}

std::string metric_columns_header() {
  return "total_return,cagr,sharpe,sortino,calmar,max_drawdown,max_drawdown_duration_s,win_rate,"
         "profit_factor,expectancy,trades,fees,net_pnl,final_equity,exposure";
}

std::string metric_columns(const Summary& s) {
  // The duration in whole milliseconds, written shortest ("114360", as summary.json has it).
  const double duration_s = std::round(s.max_drawdown_duration_s * 1000) / 1000;
  return fmt::format("{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}", ratio_text(s.total_return),
                     ratio_text(s.cagr), ratio_text(s.sharpe), ratio_text(s.sortino),
                     ratio_text(s.calmar), ratio_text(s.max_drawdown), duration_s,
                     ratio_text(s.win_rate), ratio_text(s.profit_factor), s.expectancy.to_string(),
                     s.trades, s.fees.to_string(), s.net_pnl.to_string(),
                     s.final_equity.to_string(), ratio_text(s.exposure));
}

std::string sweep_csv(const SweepResult& result) {
  std::string out = "rank";
  for (const auto& name : result.param_names) out += "," + csv_cell(name);
  out += "," + metric_columns_header() + ",error\n";
  const std::string header = metric_columns_header();
  const std::string empty_metrics(std::count(header.begin(), header.end(), ','), ',');
  std::size_t rank = 0;
  for (const SweepRow& row : result.rows) {
    out += row.summary ? std::to_string(++rank) : std::string();
    for (const auto& value : row.values) out += "," + csv_cell(value);
    out += "," + (row.summary ? metric_columns(*row.summary) : empty_metrics);
    out += "," + csv_cell(row.error) + "\n";
  }
  return out;
}

core::Status write_sweep_outputs(const SweepResult& result, const std::filesystem::path& dir) {
  if (auto s = create_output_dir(dir); !s) return s;
  if (auto s = core::write_text_file(dir / "sweep.csv", sweep_csv(result)); !s) return s;
  if (!result.best) return {};
  return write_outputs(*result.best, dir / "best");
}

}  // namespace tg4::backtest
