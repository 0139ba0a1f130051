#include "backtest/walk_forward.hpp"

#include <fmt/format.h>

#include <optional>

#include "backtest/metrics.hpp"
#include "core/config_schema.hpp"

namespace tg4::backtest {

namespace {

using core::Error;

std::string show(core::Duration d) {
  return core::config_schema::format_duration(std::chrono::duration_cast<core::ConfigDuration>(d));
}

// `base` narrowed to [from, to), trading from `trade_from` (0: from the start).
BacktestSpec period_base(const BacktestSpec& base, core::Timestamp from, core::Timestamp to,
                         core::Timestamp trade_from) {
  BacktestSpec spec = base;
  spec.from = from;
  spec.to = to;
  spec.trade_from = trade_from;
  return spec;
}

// The train sweep of every window, ranked; picks each window's best (or sets its error).
void choose_parameters(const BacktestSpec& base, const MarketData& data, const ParamGrid& grid,
                       const RankMetric& metric, const SweepOptions& options, RunCounter& counter,
                       std::vector<WalkForwardWindowResult>& windows) {
  const std::size_t combos = grid.size();
  std::vector<BacktestSpec> train_bases;
  for (const auto& r : windows) {
    train_bases.push_back(period_base(base, r.window.train_from, r.window.train_to, {}));
  }
  // Run i is window i / combos, combination i % combos: all windows share the workers.
  std::vector<SweepRow> rows(windows.size() * combos);
  parallel_for(rows.size(), options.jobs, [&](std::size_t i) {
    rows[i] = run_combination(train_bases[i / combos], data, grid, i % combos);
    counter.step();
  });
  for (std::size_t w = 0; w < windows.size(); ++w) {
    std::vector<SweepRow> ranked(rows.begin() + static_cast<std::ptrdiff_t>(w * combos),
                                 rows.begin() + static_cast<std::ptrdiff_t>((w + 1) * combos));
    rank_rows(ranked, metric);
    SweepRow& best = ranked.front();
    if (!best.summary) {
      windows[w].error = "every combination failed over the train period; the first: " + best.error;
      continue;
    }
    windows[w].combination = best.index;
    windows[w].values = best.values;
    windows[w].train = std::move(best.summary);
  }
}

// Each window's chosen parameters over its test period; train bars only warm up.
void run_tests(const BacktestSpec& base, const MarketData& data, const ParamGrid& grid,
               const SweepOptions& options, RunCounter& counter,
               std::vector<WalkForwardWindowResult>& windows) {
  parallel_for(windows.size(), options.jobs, [&](std::size_t i) {
    WalkForwardWindowResult& r = windows[i];
    if (r.train) {
      const WalkForwardWindow& w = r.window;
      const BacktestSpec test_base = period_base(base, w.train_from, w.test_to, w.test_from);
      auto run = run_guarded(combination_spec(test_base, grid, r.combination), data);
      if (run) {
        r.test = std::move(*run);
      } else {
        r.error = "test period: " + run.error().message;
      }
    }
    counter.step();
  });
}

// The out-of-sample summary of the chained test windows (docs/backtesting.md "Walk-forward").
void combine(const BacktestSpec& base, WalkForwardResult& out) {
  std::vector<std::vector<EquityPoint>> curves;
  RoundTrips trips;
  Summary& s = out.summary;
  s.strategy = base.strategy;
  double exposed_s = 0, period_s = 0;
  for (const WalkForwardWindowResult& w : out.windows) {
    if (!w.test) continue;
    const Summary& t = w.test->summary;
    if (curves.empty()) {
      s.symbols = t.symbols;
      s.currency = t.currency;
      s.start = t.start;
    }
    s.end = t.end;
    curves.push_back(w.test->equity);
    trips.closed.insert(trips.closed.end(), w.test->trades.begin(), w.test->trades.end());
    s.fees += t.fees;
    s.orders += t.orders;
    s.fills += t.fills;
    s.intents += t.intents;
    s.rejected += t.rejected;
    s.bars += t.bars;
    s.events += t.events;
    const double seconds = static_cast<double>((t.end - t.start).count()) / 1e9;
    exposed_s += t.exposure * seconds;
    period_s += seconds;
  }
  out.equity = chain_equity(curves);
  out.trades = trips.closed;
  compute_equity_metrics(s, out.equity);
  compute_trade_metrics(s, trips);
  // Positions open at a window's end are not among its trades: use the windows' own exposure.
  s.exposure = period_s > 0 ? exposed_s / period_s : 0.0;
}

core::Timestamp later(core::Timestamp a, core::Timestamp b) {
  return b.is_set() && b > a ? b : a;
}
core::Timestamp earlier(core::Timestamp a, core::Timestamp b) {
  return b.is_set() && b < a ? b : a;
}

}  // namespace

core::Result<WalkForwardSpec> parse_walk_forward(std::string_view text) {
  const std::string flag = fmt::format("--walk-forward {}", text);
  std::optional<core::Duration> train, test, step;
  for (std::size_t start = 0; start <= text.size();) {
    const auto end = std::min(text.find(',', start), text.size());
    const auto item = text.substr(start, end - start);
    start = end + 1;
    const auto eq = item.find('=');
    const auto key = item.substr(0, eq);
    std::optional<core::Duration>* slot = key == "train"  ? &train
                                          : key == "test" ? &test
                                          : key == "step" ? &step
                                                          : nullptr;
    if (eq == std::string_view::npos || slot == nullptr) {
      return Error::of(
          fmt::format("{}: '{}' is not train=D, test=D or step=D "
                      "(e.g. train=180d,test=30d)",
                      flag, item));
    }
    if (slot->has_value()) return Error::of(fmt::format("{}: '{}' given twice", flag, key));
    const auto value = core::config_schema::parse_duration(item.substr(eq + 1));
    if (!value || value->count() <= 0) {
      return Error::of(fmt::format("{}: {} '{}' is not a positive duration like 30d, 12h or 90m",
                                   flag, key, item.substr(eq + 1)));
    }
    *slot = *value;
  }
  if (!train || !test) {
    return Error::of(fmt::format("{}: both train= and test= are required", flag));
  }
  if (step && *step < *test) {
    return Error::of(
        fmt::format("{}: step {} is shorter than test {}, so test windows would "
                    "overlap; use a step of at least the test length",
                    flag, show(*step), show(*test)));
  }
  return WalkForwardSpec{*train, *test, step.value_or(*test), std::string(text)};
}

core::Result<std::vector<WalkForwardWindow>> split_windows(const WalkForwardSpec& spec,
                                                           core::Timestamp data_from,
                                                           core::Timestamp data_end) {
  const auto span = data_end - data_from;
  if (span < spec.train + spec.test) {
    return Error::of(fmt::format(
        "--walk-forward {}: the data spans {} ({} to {}), shorter than one train + test window "
        "({}); give more data or shorter periods",
        spec.text, show(std::max(span, core::Duration::zero())), core::format_rfc3339(data_from, 0),
        core::format_rfc3339(data_end, 0), show(spec.train + spec.test)));
  }
  std::vector<WalkForwardWindow> windows;
  for (auto start = data_from; start + spec.train + spec.test <= data_end; start += spec.step) {
    const auto test_from = start + spec.train;
    windows.push_back({windows.size(), start, test_from, test_from, test_from + spec.test});
  }
  return windows;
}

std::vector<EquityPoint> chain_equity(const std::vector<std::vector<EquityPoint>>& windows) {
  std::vector<EquityPoint> out;
  for (const auto& curve : windows) {
    if (curve.empty()) continue;
    const core::Decimal shift =
        out.empty() ? core::Decimal{} : out.back().equity - curve.front().equity;
    for (EquityPoint p : curve) {
      p.equity += shift;
      p.cash += shift;
      if (!out.empty() && out.back().time == p.time) {
        out.back() = p;
      } else {
        out.push_back(p);
      }
    }
  }
  fill_drawdowns(out);
  return out;
}

core::Result<WalkForwardResult> run_walk_forward(const BacktestSpec& base, const MarketData& data,
                                                 const ParamGrid& grid, const WalkForwardSpec& spec,
                                                 const SweepOptions& options) {
  auto metric = find_rank_metric(options.rank_by);
  if (!metric) return metric.error();
  auto windows =
      split_windows(spec, later(data.first_time(), base.from), earlier(data.end_time(), base.to));
  if (!windows) return windows.error();
  WalkForwardResult out;
  out.spec = spec;
  out.rank_by = options.rank_by;
  for (const ParamAxis& axis : grid.axes()) out.param_names.push_back(axis.name);
  for (const WalkForwardWindow& w : *windows) out.windows.push_back({w, 0, {}, {}, {}, {}});

  RunCounter counter(options, out.windows.size() * (grid.size() + 1));
  choose_parameters(base, data, grid, **metric, options, counter, out.windows);
  run_tests(base, data, grid, options, counter, out.windows);
  if (std::none_of(out.windows.begin(), out.windows.end(),
                   [](const WalkForwardWindowResult& w) { return w.test.has_value(); })) {
    return Error::of(
        fmt::format("--walk-forward {}: no window has an out-of-sample run; window 0: {}",
                    spec.text, out.windows.front().error));
  }
  combine(base, out);
  return out;
}

std::string walk_forward_csv(const WalkForwardResult& result) {
  std::string out = "window,train_from,train_to,test_from,test_to";
  for (const auto& name : result.param_names) out += "," + csv_cell(name);
  out += ",train_" + result.rank_by + "," + metric_columns_header() + ",error\n";
  const auto metric = find_rank_metric(result.rank_by);
  const std::string header = metric_columns_header();
  const std::string empty_metrics(std::count(header.begin(), header.end(), ','), ',');
  for (const WalkForwardWindowResult& r : result.windows) {
    const WalkForwardWindow& w = r.window;
    out += fmt::format("{},{},{},{},{}", w.index, time_cell(w.train_from), time_cell(w.train_to),
                       time_cell(w.test_from), time_cell(w.test_to));
    for (std::size_t i = 0; i < result.param_names.size(); ++i) {
      out += "," + (i < r.values.size() ? csv_cell(r.values[i]) : std::string());
    }
    out += "," + (r.train && metric ? (*metric)->text(*r.train) : std::string());
    out += "," + (r.test ? metric_columns(r.test->summary) : empty_metrics);
    out += "," + csv_cell(r.error) + "\n";
  }
  return out;
}

core::Status write_walk_forward_outputs(const WalkForwardResult& result,
                                        const std::filesystem::path& dir) {
  if (auto s = create_output_dir(dir); !s) return s;
  const std::pair<const char*, std::string> files[] = {
      {"walk_forward.csv", walk_forward_csv(result)},
      {"summary.json", summary_json_text(result.summary)},
      {"equity.csv", equity_csv(result.equity)},
      {"trades.csv", trades_csv(result.trades)},
  };
  for (const auto& [name, text] : files) {
    if (auto s = core::write_text_file(dir / name, text); !s) return s;
  }
  return {};
}

}  // namespace tg4::backtest
