// `tg4 backfill --symbols … --days N [--rest-url URL] [--import CSV]…` (SPEC §3 History, §12):
// finds the gaps in the store's 1-minute history and fills them from Kraken's REST API, or imports
// Kraken's OHLCVT files.
//
// Gaps: the window [now - N days, now) (N: --days, else history.backfill_days, 30) minus what is
// covered, where covered means a range recorded in data_sync_status by an earlier backfill, or a
// run of stored bars (bars at most 5 minutes apart: a quiet minute yields no bar, and is not a
// gap). "now" is the exchange's clock (REST Time), so a skewed local clock cannot invent or hide
// gaps. A gap inside the last 12 hours comes from /0/public/OHLC (720 bars a call reach that far
// back); an older one from /0/public/Trades, paginated by its `last` cursor and aggregated into
// exact 1m bars by market::BarAggregator (the trades are stored too). OHLC candles without trades
// (Kraken repeats the last close) are not stored, as our own aggregation yields no bar for them.
// Every call passes the local REST rate counter. The forming minute is never stored.
#include <pthread.h>
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <boost/json.hpp>
#include <chrono>
#include <iostream>
#include <map>
#include <memory>
#include <thread>

#include "app/command.hpp"
#include "app/config_loading.hpp"
#include "core/logging.hpp"
#include "kraken/rest_client.hpp"
#include "market/bar_aggregator.hpp"
#include "market/candles_csv.hpp"
#include "storage/store.hpp"

namespace tg4::app {
namespace {

using core::Timestamp;
using std::chrono::minutes;

constexpr const char* kRestSource = "kraken_rest";
constexpr const char* kCsvSource = "kraken_csv";
constexpr minutes kQuietTolerance{5};     // bars this close together form one covered run
constexpr std::size_t kBatchRows = 5000;  // rows per store transaction

struct BackfillArgs {
  std::vector<std::string> symbols;
  int days = 0;  // 0: history.backfill_days
  std::string rest_url;
  std::vector<std::string> imports;
  std::string ca_file;
  double rate_max = 0;    // 0: rest.rate_counter_max
  double rate_decay = 0;  // 0: rest.rate_decay_per_s
  bool no_trades = false;
};

struct Range {
  Timestamp from;  // inclusive
  Timestamp to;    // exclusive
  minutes length() const { return std::chrono::duration_cast<minutes>(to - from); }
};

struct SymbolReport {
  std::size_t gaps = 0;
  std::int64_t missing_minutes = 0;
  std::size_t bars = 0;
  std::size_t trades = 0;
  std::string status = "ok";
  std::string message;
};

std::string when(Timestamp t) {
  return core::format_rfc3339(t, 0);
}

// The window minus the covered ranges, in order.
std::vector<Range> subtract(Range window, std::vector<Range> covered) {
  std::sort(covered.begin(), covered.end(),
            [](const Range& a, const Range& b) { return a.from < b.from; });
  std::vector<Range> gaps;
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
core::Result<std::vector<Range>> covered_ranges(storage::Store& store, const std::string& symbol,
                                                Range window) {
  std::vector<Range> covered;
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
  std::optional<Range> run;
  for (const auto& bar : *bars) {
    const Range one{bar.open_time, bar.open_time + minutes(1)};
    if (run && one.from - run->to <= kQuietTolerance) {
      run->to = one.to;
    } else {
      if (run) covered.push_back(*run);
      run = one;
    }
  }
  if (run) covered.push_back(*run);
  return covered;
}

// Writes rows in transactions of kBatchRows.
class BatchWriter {
 public:
  explicit BatchWriter(storage::Store& store) : store_(store) {}
  template <class Row>
  core::Status add(Row row) {
    batch_.add(std::move(row));
    return batch_.size() >= kBatchRows ? flush() : core::Status{};
  }
  core::Status flush() {
    if (batch_.empty()) return {};
    auto s = store_.write(batch_);
    batch_.clear();
    return s;
  }

 private:
  storage::Store& store_;
  storage::Batch batch_;
};

class Backfill {
 public:
  Backfill(storage::Store& store, kraken::RestClient& rest, const core::Config& config,
           bool keep_trades)
      : store_(store),
        rest_(rest),
        config_(config),
        keep_trades_(keep_trades),
        log_(core::logger("backfill")) {}

  SymbolReport run(const kraken::RestPair& pair, Range window, Timestamp now) {
    SymbolReport report;
    const auto& symbol = pair.instrument.symbol;
    auto covered = covered_ranges(store_, symbol, window);
    if (!covered) return failed(report, covered.error().message);
    const auto gaps = subtract(window, *covered);
    report.gaps = gaps.size();
    for (const auto& g : gaps) report.missing_minutes += g.length().count();
    log_->info("{}: {} gap(s), {} minutes missing in {} … {}", symbol, gaps.size(),
               report.missing_minutes, when(window.from), when(window.to));
    const Timestamp ohlc_reach = now - std::chrono::duration_cast<core::Duration>(ohlc_window());
    for (const auto& gap : gaps) {
      const bool by_ohlc = gap.from >= ohlc_reach;
      log_->info("{}: filling {} … {} ({} min) from {}", symbol, when(gap.from), when(gap.to),
                 gap.length().count(), by_ohlc ? "OHLC" : "Trades");
      auto s = by_ohlc ? fill_from_ohlc(pair, gap, report) : fill_from_trades(pair, gap, report);
      if (!s) {
        (void)record_sync(symbol, window, false, s.error().message);
        return failed(report, s.error().message);
      }
    }
    if (auto s = record_sync(symbol, window, true, ""); !s)
      return failed(report, s.error().message);
    report.message =
        std::to_string(report.bars) + " bars, " + std::to_string(report.trades) + " trades";
    return report;
  }

 private:
  // How far back OHLC reaches: 720 one-minute candles, and no more than history.ohlc_gap_limit.
  minutes ohlc_window() const {
    const minutes by_count{std::max(1, config_.history.ohlc_max_per_call)};
    return std::min(by_count, std::chrono::duration_cast<minutes>(config_.history.ohlc_gap_limit));
  }

  SymbolReport& failed(SymbolReport& report, const std::string& message) {
    report.status = "error";
    report.message = message;
    log_->error("{}", message);
    return report;
  }

  core::Status fill_from_ohlc(const kraken::RestPair& pair, Range gap, SymbolReport& report) {
    auto page = rest_.ohlc(pair.altname, pair.instrument.symbol, 1, gap.from.seconds() - 60);
    if (!page) return page.error();
    BatchWriter out(store_);
    for (auto& bar : page->bars) {
      if (bar.open_time < gap.from || bar.open_time >= gap.to || bar.trades == 0) continue;
      if (auto s = out.add(std::move(bar)); !s) return s;
      ++report.bars;
    }
    return out.flush();
  }

  core::Status fill_from_trades(const kraken::RestPair& pair, Range gap, SymbolReport& report) {
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
  core::Status record_sync(const std::string& symbol, Range window, bool ok,
                           const std::string& message) {
    storage::DataSyncStatusRow row;
    row.symbol = symbol;
    row.source = kRestSource;
    row.timeframe_minutes = 1;
    row.synced_at = Timestamp{std::chrono::duration_cast<core::Duration>(
                                  std::chrono::system_clock::now().time_since_epoch())
                                  .count()};
    Range range = window;
    std::optional<Range> earlier;
    auto syncs = store_.data_sync_status();
    if (syncs) {
      for (const auto& r : *syncs) {
        if (r.symbol == symbol && r.source == kRestSource && r.timeframe_minutes == 1)
          earlier = Range{r.oldest, r.newest};
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

  storage::Store& store_;
  kraken::RestClient& rest_;
  const core::Config& config_;
  bool keep_trades_;
  std::shared_ptr<spdlog::logger> log_;
};

// SIGINT/SIGTERM cancel the REST client: the run stops at the next call and records what it did.
class SignalWatch {
 public:
  explicit SignalWatch(kraken::RestClient& rest) {
    sigemptyset(&signals_);
    sigaddset(&signals_, SIGINT);
    sigaddset(&signals_, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals_, nullptr);
    thread_ = std::thread([this, &rest] {
      while (!done_) {
        timespec slice{0, 100'000'000};
        if (sigtimedwait(&signals_, nullptr, &slice) > 0) {
          interrupted_ = true;
          rest.cancel();
          return;
        }
      }
    });
  }
  ~SignalWatch() {
    done_ = true;
    thread_.join();
  }
  bool interrupted() const { return interrupted_; }

 private:
  sigset_t signals_;
  std::atomic<bool> done_{false};
  std::atomic<bool> interrupted_{false};
  std::thread thread_;
};

int import_csv(storage::Store& store, const BackfillArgs& a,
               const std::vector<std::string>& symbols) {
  if (symbols.size() != 1)
    return usage_error("backfill", "--import needs exactly one --symbols (the pair the files hold)");
  boost::json::array files;
  for (const auto& path : a.imports) {
    const int interval = market::interval_from_file_name(path);
    if (interval > 1) {
      return usage_error("backfill", path + ": a " + std::to_string(interval) +
                   "-minute file; only 1-minute OHLCVT files (NAME_1.csv) can be stored");
    }
    market::CandleReadOptions options;
    options.symbol = symbols[0];
    auto file = market::read_candles_csv(path, options);
    if (!file) return usage_error("backfill", file.error().message);
    BatchWriter out(store);
    for (const auto& bar : file->bars) {
      if (auto s = out.add(bar); !s) {
        std::cerr << "tg4 backfill: " << path << ": " << s.error().message << "\n";
        return kExitFailure;
      }
    }
    storage::DataSyncStatusRow row;
    row.symbol = symbols[0];
    row.source = kCsvSource;
    row.oldest = file->bars.empty() ? Timestamp{} : file->bars.front().open_time;
    row.newest = file->bars.empty() ? Timestamp{} : file->bars.back().open_time + minutes(1);
    row.synced_at = Timestamp{std::chrono::duration_cast<core::Duration>(
                                  std::chrono::system_clock::now().time_since_epoch())
                                  .count()};
    row.status = "ok";
    row.message = "imported " + path;
    if (auto s = out.add(std::move(row)); !s || !(s = out.flush())) {
      std::cerr << "tg4 backfill: " << path << ": " << s.error().message << "\n";
      return kExitFailure;
    }
    files.push_back(boost::json::object{{"file", path}, {"bars", file->bars.size()}});
  }
  const std::string summary =
      boost::json::serialize(boost::json::object{{"store", store.url()}, {"imported", files}});
  return write_stdout("backfill", "the summary", summary + "\n") ? kExitOk : kExitFailure;
}

int run_backfill(const CommandContext& ctx, const BackfillArgs& a) {
  const auto config = load_config(ctx.globals, std::cerr);
  if (!config) return kExitUsage;
  const auto symbols = a.symbols.empty() ? config->symbols : a.symbols;
  if (symbols.empty())
    return usage_error("backfill", "no symbols (give --symbols BTC/USD,... or set symbols in the config)");
  for (const auto& s : symbols) {
    if (!core::split_symbol(s))
      return usage_error("backfill", "--symbols: '" + s + "' is not in the form BASE/QUOTE (e.g. BTC/USD)");
  }
  const int days = a.days > 0 ? a.days : config->history.backfill_days;
  if (a.days < 0 || days > 3650) return usage_error("backfill", "--days must be between 1 and 3650");

  auto store = storage::open_store(config->storage.url);
  if (!store) {
    std::cerr << "tg4 backfill: " << store.error().message << "\n";
    return kExitFailure;
  }
  if (!a.imports.empty()) return import_csv(**store, a, symbols);

  kraken::RestOptions options;
  options.base_url = a.rest_url.empty() ? config->rest.url : a.rest_url;
  options.tls.ca_file = a.ca_file;
  options.timeout = config->rest.timeout;
  options.rate_max = a.rate_max > 0 ? a.rate_max : config->rest.rate_counter_max.to_double();
  options.rate_decay_per_second =
      a.rate_decay > 0 ? a.rate_decay : config->rest.rate_decay_per_s.to_double();
  if (auto url = net::parse_client_url(options.base_url, "http", "https"); !url) {
    return usage_error("backfill", "--rest-url: " + url.error().message);
  }
  kraken::RestClient rest(options, core::logger("rest"));
  SignalWatch signals(rest);

  const auto fail = [](const core::Error& e) {
    std::cerr << "tg4 backfill: " << e.message << "\n";
    return kExitFailure;
  };
  const auto now = rest.server_time();
  if (!now) return fail(now.error());
  auto pairs = rest.asset_pairs();
  if (!pairs) return fail(pairs.error());
  std::map<std::string, kraken::RestPair> by_symbol;
  for (auto& p : *pairs) by_symbol.emplace(p.instrument.symbol, std::move(p));

  const Timestamp end = core::floor_to(*now, minutes(1));
  const Range window{
      end - std::chrono::duration_cast<core::Duration>(std::chrono::hours(24) * days), end};
  Backfill backfill(**store, rest, *config, !a.no_trades);
  boost::json::object reports;
  bool all_ok = true;
  for (const auto& symbol : symbols) {
    const auto it = by_symbol.find(symbol);
    SymbolReport report;
    if (it == by_symbol.end()) {
      report.status = "error";
      report.message = "not listed by " + options.base_url + "/0/public/AssetPairs";
    } else {
      storage::Batch instrument;
      instrument.add(it->second.instrument);
      if (auto s = (*store)->write(instrument); !s) return fail(s.error());
      report = backfill.run(it->second, window, *now);
    }
    all_ok = all_ok && report.status == "ok";
    reports[symbol] =
        boost::json::object{{"gaps", report.gaps},     {"missing_minutes", report.missing_minutes},
                            {"bars", report.bars},     {"trades", report.trades},
                            {"status", report.status}, {"message", report.message}};
    if (signals.interrupted()) break;
  }
  const auto stats = rest.stats();
  const std::string summary =
      boost::json::serialize(boost::json::object{{"store", (*store)->url()},
                                                 {"rest_url", options.base_url},
                                                 {"from", when(window.from)},
                                                 {"to", when(window.to)},
                                                 {"symbols", reports},
                                                 {"rest_calls", stats.calls},
                                                 {"rate_limited", stats.rate_limited},
                                                 {"rate_wait_ms", stats.waited.count()},
                                                 {"interrupted", signals.interrupted()}});
  const bool printed = write_stdout("backfill", "the summary", summary + "\n");
  return printed && all_ok && !signals.interrupted() ? kExitOk : kExitFailure;
}

}  // namespace

void add_backfill_command(CLI::App& root, CommandContext& ctx) {
  auto args = std::make_shared<BackfillArgs>();
  CLI::App* cmd =
      add_command(root, ctx, "backfill", "Fill history gaps from Kraken REST into the store",
                  [&ctx, args] { return run_backfill(ctx, *args); });
  auto& a = *args;
  cmd->add_option("--symbols", a.symbols,
                  "Pairs in WS v2 form, e.g. BTC/USD,ETH/USD (default: config symbols)")
      ->delimiter(',');
  cmd->add_option("--days", a.days,
                  "How far back to look for gaps (default: history.backfill_days, 30)");
  cmd->add_option("--rest-url", a.rest_url,
                  "Kraken REST base URL (default: rest.url, https://api.kraken.com)");
  cmd->add_option("--import", a.imports,
                  "Import Kraken OHLCVT 1-minute CSV files instead of calling REST");
  cmd->add_option("--ca-file", a.ca_file, "Also trust this CA certificate (PEM) for HTTPS");
  cmd->add_option("--rate-max", a.rate_max,
                  "REST call counter maximum (default: rest.rate_counter_max, 15)");
  cmd->add_option("--rate-decay", a.rate_decay,
                  "REST call counter decay per second (default: rest.rate_decay_per_s)");
  cmd->add_flag("--no-trades", a.no_trades,
                "Store only the bars built from trades, not the trades");
}

}  // namespace tg4::app
