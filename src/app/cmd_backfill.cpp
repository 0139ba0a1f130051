// `tg4 backfill --symbols … --days N [--rest-url URL] [--import CSV]…` (SPEC §3 History, §12):
// finds the gaps in the store's 1-minute history and fills them from Kraken's REST API, or imports
// Kraken's OHLCVT files.
//
// The window is [now - N days, now) (N: --days, else history.backfill_days, 30); "now" is the
// exchange's clock (REST Time), so a skewed local clock cannot invent or hide gaps. How gaps are
// found and filled: app/history_backfill.hpp (shared with the start of `tg4 paper` and `tg4 live`).
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
#include "app/history_backfill.hpp"
#include "core/logging.hpp"
#include "kraken/rest_client.hpp"
#include "market/candles_csv.hpp"
#include "storage/store.hpp"

namespace tg4::app {
namespace {

using core::Timestamp;
using std::chrono::minutes;

constexpr const char* kCsvSource = "kraken_csv";

struct BackfillArgs {
  std::vector<std::string> symbols;
  int days = 0;
  CLI::Option* days_option = nullptr;  // given: --days, else history.backfill_days
  std::string rest_url;
  std::vector<std::string> imports;
  std::string ca_file;
  double rate_max = 0;    // 0: rest.rate_counter_max
  double rate_decay = 0;  // 0: rest.rate_decay_per_s
  bool no_trades = false;
};

std::string when(Timestamp t) {
  return core::format_rfc3339(t, 0);
}

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
    // Kraken names its files after the pair: ETHUSD_1.csv stored as BTC/USDT would be another
    // market's history under this symbol, and marked synced.
    if (const std::string pair = market::pair_from_file_name(path);
        !pair.empty() && !market::pair_names_symbol(pair, symbols[0])) {
      return usage_error("backfill", path + ": the file name says it holds " + pair + ", not " +
                                         symbols[0] +
                                         ": give --symbols the pair it holds (or "
                                         "rename the file if its name is wrong)");
    }
    market::CandleReadOptions options;
    options.symbol = symbols[0];
    auto file = market::read_candles_csv(path, options);
    if (!file) return usage_error("backfill", file.error().message);
    BatchWriter out(store);
    for (auto& bar : file->bars) {
      market::approximate_vwap(bar);  // the files carry no VWAP (docs/MARKET_DATA.md)
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
  // --days 0 used to mean "not given" and backfilled history.backfill_days (30): 1 to 3650 as said.
  const bool days_given = a.days_option != nullptr && a.days_option->count() > 0;
  const int days = days_given ? a.days : config->history.backfill_days;
  if (days_given && (days < 1 || days > 3650))
    return usage_error("backfill",
                       "--days must be between 1 and 3650, got " + std::to_string(days));

  auto store = storage::open_store(config->storage.url);
  if (!store) {
    std::cerr << "tg4 backfill: " << store.error().message << "\n";
    return kExitFailure;
  }
  if (!a.imports.empty()) return import_csv(**store, a, symbols);

  kraken::RestOptions options = rest_options_from_config(*config);
  if (!a.rest_url.empty()) options.base_url = a.rest_url;
  options.tls.ca_file = a.ca_file;
  if (a.rate_max > 0) options.rate_max = a.rate_max;
  if (a.rate_decay > 0) options.rate_decay_per_second = a.rate_decay;
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
  const BackfillRange window{
      end - std::chrono::duration_cast<core::Duration>(std::chrono::hours(24) * days), end};
  HistoryBackfill backfill(**store, rest, config->history, !a.no_trades, core::logger("backfill"));
  boost::json::object reports;
  bool all_ok = true;
  for (const auto& symbol : symbols) {
    const auto it = by_symbol.find(symbol);
    BackfillReport report;
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
  a.days_option = cmd->add_option(
      "--days", a.days,
      "How far back to look for gaps, 1 to 3650 (default: history.backfill_days, 30)");
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
