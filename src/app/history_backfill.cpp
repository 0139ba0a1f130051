#include "app/history_backfill.hpp"

#include <algorithm>
#include <optional>
#include <set>

#include "core/logging.hpp"
#include "market/bar_aggregator.hpp"

namespace tg4::app {
namespace {

using core::Timestamp;
using std::chrono::minutes;

constexpr const char* kBackfillSource = "kraken_rest";
constexpr minutes kBackfillQuietTolerance{5};  // bars this close together form one covered run
// Start-up passes until a pass ends in the forming minute it began in: the second covers the
// first's duration from OHLC in seconds, so a third is rare.
constexpr int kMaxBackfillPasses = 4;

std::string range_text(Timestamp t) {
  return core::format_rfc3339(t, 0);
}

Timestamp backfill_wall_now() {
  return Timestamp{std::chrono::duration_cast<core::Duration>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count()};
}

// The window minus the covered ranges, in order.
std::vector<BackfillRange> subtract(BackfillRange window, std::vector<BackfillRange> covered) {
  std::sort(covered.begin(), covered.end(),
            [](const BackfillRange& a, const BackfillRange& b) { return a.from < b.from; });
  std::vector<BackfillRange> gaps;
  Timestamp cursor = window.from;
  for (const auto& c : covered) {
    if (c.to <= cursor || c.from >= window.to) continue;
    if (c.from > cursor) gaps.push_back({cursor, std::min(c.from, window.to)});
    cursor = std::max(cursor, c.to);
    if (cursor >= window.to) break;
  }
  if (cursor < window.to) gaps.push_back({cursor, window.to});
  return gaps;
}

// Stored bars merged into runs, plus earlier syncs of this symbol.
core::Result<std::vector<BackfillRange>> covered_ranges(storage::Store& store,
                                                        const std::string& symbol,
                                                        BackfillRange window) {
  std::vector<BackfillRange> covered;
  auto syncs = store.data_sync_status();
  if (!syncs) return syncs.error();
  for (const auto& row : *syncs) {
    if (row.symbol == symbol && row.timeframe_minutes == 1 && row.oldest.is_set() &&
        row.newest > row.oldest) {
      covered.push_back({row.oldest, row.newest});
    }
  }
  auto bars = store.bars(symbol, 1, {window.from, window.to});
  if (!bars) return bars.error();
  std::optional<BackfillRange> run;
  for (const auto& bar : *bars) {
    const BackfillRange one{bar.open_time, bar.open_time + minutes(1)};
    if (run && one.from - run->to <= kBackfillQuietTolerance) {
      run->to = one.to;
    } else {
      if (run) covered.push_back(*run);
      run = one;
    }
  }
  if (run) covered.push_back(*run);
  return covered;
}

}  // namespace

core::Status BatchWriter::flush() {
  if (batch_.empty()) return {};
  auto s = store_.write(batch_);
  batch_.clear();
  return s;
}

HistoryBackfill::HistoryBackfill(storage::Store& store, kraken::RestClient& rest,
                                 const core::HistorySection& history, bool keep_trades,
                                 std::shared_ptr<spdlog::logger> log)
    : store_(store),
      rest_(rest),
      history_(history),
      keep_trades_(keep_trades),
      log_(std::move(log)) {}

BackfillReport HistoryBackfill::run(const kraken::RestPair& pair, BackfillRange window,
                                    Timestamp now) {
  BackfillReport report;
  const auto& symbol = pair.instrument.symbol;
  auto covered = covered_ranges(store_, symbol, window);
  if (!covered) return failed(report, covered.error().message);
  const auto gaps = subtract(window, *covered);
  report.gaps = gaps.size();
  for (const auto& g : gaps) report.missing_minutes += g.length().count();
  log_->info("{}: {} gap(s), {} minutes missing in {} … {}", symbol, gaps.size(),
             report.missing_minutes, range_text(window.from), range_text(window.to));
  const Timestamp ohlc_reach = now - std::chrono::duration_cast<core::Duration>(ohlc_window());
  for (const auto& gap : gaps) {
    const bool by_ohlc = gap.from >= ohlc_reach;
    log_->info("{}: filling {} … {} ({} min) from {}", symbol, range_text(gap.from),
               range_text(gap.to), gap.length().count(), by_ohlc ? "OHLC" : "Trades");
    auto s = stopped();
    if (s) s = by_ohlc ? fill_from_ohlc(pair, gap, report) : fill_from_trades(pair, gap, report);
    if (!s) {
      (void)record_sync(symbol, window, false, s.error().message);
      return failed(report, s.error().message);
    }
  }
  if (auto s = record_sync(symbol, window, true, ""); !s) return failed(report, s.error().message);
  report.message =
      std::to_string(report.bars) + " bars, " + std::to_string(report.trades) + " trades";
  return report;
}

core::Result<std::size_t> HistoryBackfill::repair_recent(const kraken::RestPair& pair,
                                                         BackfillRange window, Timestamp now) {
  window.from = std::max(window.from, core::floor_to(now, minutes(1)) - ohlc_window());
  if (window.from >= window.to) return std::size_t{0};
  auto stored = store_.bars(pair.instrument.symbol, 1, {window.from, window.to});
  if (!stored) return stored.error();
  std::set<std::int64_t> have;
  for (const core::Bar& bar : *stored) have.insert(bar.open_time.ns);
  if (auto s = stopped(); !s) return s.error();
  BackfillReport report;
  if (auto s = fill_from_ohlc(pair, window, report, &have); !s) return s.error();
  return report.bars;
}

// How far back OHLC reaches: 720 one-minute candles, and no more than history.ohlc_gap_limit.
minutes HistoryBackfill::ohlc_window() const {
  const minutes by_count{std::max(1, history_.ohlc_max_per_call)};
  return std::min(by_count, std::chrono::duration_cast<minutes>(history_.ohlc_gap_limit));
}

core::Status HistoryBackfill::stopped() const {
  if (stop_ && stop_()) return core::Error::of("stopped: a stop was asked for during the backfill");
  return {};
}

BackfillReport& HistoryBackfill::failed(BackfillReport& report, const std::string& message) {
  report.status = "error";
  report.message = message;
  log_->error("{}", message);
  return report;
}

core::Status HistoryBackfill::fill_from_ohlc(const kraken::RestPair& pair, BackfillRange gap,
                                             BackfillReport& report,
                                             const std::set<std::int64_t>* stored) {
  auto page = rest_.ohlc(pair.altname, pair.instrument.symbol, 1, gap.from.seconds() - 60);
  if (!page) return page.error();
  BatchWriter out(store_);
  for (auto& bar : page->bars) {
    if (bar.open_time < gap.from || bar.open_time >= gap.to || bar.trades == 0) continue;
    if (stored != nullptr && stored->contains(bar.open_time.ns)) continue;
    if (auto s = out.add(std::move(bar)); !s) return s;
    ++report.bars;
  }
  return out.flush();
}

core::Status HistoryBackfill::fill_from_trades(const kraken::RestPair& pair, BackfillRange gap,
                                               BackfillReport& report) {
  BatchWriter out(store_);
  core::Status write_error;
  market::BarAggregatorOptions options;
  options.rollups.clear();
  market::BarAggregator bars(
      [&](const core::Bar& bar) {
        if (bar.interval_minutes != 1 || bar.open_time < gap.from || bar.open_time >= gap.to ||
            !write_error)
          return;
        write_error = out.add(bar);
        ++report.bars;
      },
      options);
  std::string since = std::to_string(gap.from.ns - 1);  // Kraken's `since` is exclusive
  for (;;) {
    if (auto s = stopped(); !s) return s;
    auto page = rest_.trades(pair.altname, pair.instrument.symbol, since);
    if (!page) return page.error();
    bool past_gap = page->trades.empty();
    for (auto& t : page->trades) {
      if (t.time >= gap.to) {
        past_gap = true;
        break;
      }
      if (t.time < gap.from) continue;
      bars.on_trade(t);
      ++report.trades;
      if (keep_trades_ && write_error) write_error = out.add(std::move(t));
    }
    if (!write_error) return write_error;
    if (past_gap || page->last.empty() || page->last == since) break;
    since = page->last;
  }
  bars.on_time(gap.to);  // closes the last minutes on the clock
  if (!write_error) return write_error;
  return out.flush();
}

// After a complete run the whole window is covered; the recorded range grows to include it (and
// the earlier range when the two touch). A failed run keeps the earlier range, marked partial.
core::Status HistoryBackfill::record_sync(const std::string& symbol, BackfillRange window, bool ok,
                                          const std::string& message) {
  storage::DataSyncStatusRow row;
  row.symbol = symbol;
  row.source = kBackfillSource;
  row.timeframe_minutes = 1;
  row.synced_at = backfill_wall_now();
  BackfillRange range = window;
  std::optional<BackfillRange> earlier;
  auto syncs = store_.data_sync_status();
  if (syncs) {
    for (const auto& r : *syncs) {
      if (r.symbol == symbol && r.source == kBackfillSource && r.timeframe_minutes == 1)
        earlier = BackfillRange{r.oldest, r.newest};
    }
  }
  if (ok) {
    if (earlier && earlier->to >= range.from && earlier->from <= range.to) {
      range = {std::min(earlier->from, range.from), std::max(earlier->to, range.to)};
    }
  } else if (earlier) {
    range = *earlier;
  } else {
    range = {window.from, window.from};
  }
  row.oldest = range.from;
  row.newest = range.to;
  row.status = ok ? "ok" : "partial";
  row.message = message;
  storage::Batch batch;
  batch.add(std::move(row));
  return store_.write(batch);
}

kraken::RestOptions rest_options_from_config(const core::Config& config) {
  kraken::RestOptions options;
  options.base_url = config.rest.url;
  options.timeout = config.rest.timeout;
  options.rate_max = config.rest.rate_counter_max.to_double();
  options.rate_decay_per_second = config.rest.rate_decay_per_s.to_double();
  return options;
}

namespace {

// One pass of backfill_since_newest_bar up to the forming minute at `now`; failures are appended.
// `repair`: also the minutes missing among the recent stored ones (HistoryBackfill::repair_recent).
core::Status backfill_pass(storage::Store& store, HistoryBackfill& backfill,
                           const std::vector<kraken::RestPair>& pairs,
                           const std::vector<std::string>& symbols, Timestamp now,
                           Timestamp earliest, bool repair,
                           const std::shared_ptr<spdlog::logger>& log,
                           const std::function<bool()>& stop, std::vector<std::string>& failures) {
  const Timestamp end = core::floor_to(now, minutes(1));  // the forming minute is not stored
  for (const auto& symbol : symbols) {
    if (stop && stop()) {
      failures.push_back(symbol + ": stopped before it began");
      continue;
    }
    const auto pair = std::find_if(pairs.begin(), pairs.end(), [&](const kraken::RestPair& p) {
      return p.instrument.symbol == symbol;
    });
    if (pair == pairs.end()) {
      failures.push_back(symbol + ": not listed by AssetPairs");
      continue;
    }
    auto newest = store.latest_bars(symbol, 1, 1);
    if (!newest) return newest.error();
    // history.backfill_days bounds a first start; a restart fills the whole gap since its newest
    // bar, however long the node was down.
    const Timestamp from = newest->empty() ? earliest : newest->back().open_time + minutes(1);
    if (repair && !newest->empty()) {
      const auto filled = backfill.repair_recent(*pair, {Timestamp{0}, from}, now);
      if (!filled) {
        failures.push_back(symbol + ": " + filled.error().message);
        continue;
      }
      if (*filled > 0)
        log->info("{}: {} recent minute(s) missing among the stored ones filled from OHLC", symbol,
                  *filled);
    }
    if (from >= end) {
      log->info("{}: history complete up to {}", symbol, range_text(end));
      continue;
    }
    const BackfillReport report = backfill.run(*pair, {from, end}, now);
    if (report.status != "ok")
      failures.push_back(symbol + ": " + report.message);
    else
      log->info("{}: backfilled {} … {}: {}", symbol, range_text(from), range_text(end),
                report.message);
  }
  return {};
}

}  // namespace

core::Status backfill_since_newest_bar(storage::Store& store, kraken::RestClient& rest,
                                       const core::HistorySection& history,
                                       const std::vector<std::string>& symbols, int days,
                                       const std::shared_ptr<spdlog::logger>& log,
                                       std::function<bool()> stop) {
  auto now = rest.server_time();
  if (!now) return now.error();
  auto pairs = rest.asset_pairs();
  if (!pairs) return pairs.error();
  const Timestamp earliest =
      core::floor_to(*now, minutes(1)) -
      std::chrono::duration_cast<core::Duration>(std::chrono::hours(24) * days);
  HistoryBackfill backfill(store, rest, history, true, log);
  backfill.stop_when(stop);
  std::vector<std::string> failures;
  // The minutes that pass during a pass (a first start's 30 days take many) are the next pass's
  // window, a short one from OHLC; without it they were a hole no later start looks for (the next
  // one starts after the newest stored bar).
  for (int pass = 1;; ++pass) {
    const Timestamp end = core::floor_to(*now, minutes(1));
    if (auto s = backfill_pass(store, backfill, *pairs, symbols, *now, earliest, pass == 1, log,
                               stop, failures);
        !s)
      return s;
    if (!failures.empty() || pass == kMaxBackfillPasses || (stop && stop())) break;
    now = rest.server_time();
    if (!now) return now.error();
    if (core::floor_to(*now, minutes(1)) == end) break;  // still the same forming minute
  }
  if (!failures.empty()) {
    std::string text;
    for (const auto& f : failures) text += (text.empty() ? "" : "; ") + f;
    return core::Error::of(text);
  }
  return {};
}

}  // namespace tg4::app
