#pragma once
// History backfill (SPEC §3 History), shared by `tg4 backfill` and the start of `tg4 paper`/`tg4
// live`: finds the gaps in the store's 1-minute history within a window and fills them from
// Kraken's REST API.
//
// Gaps: the window minus what is covered, where covered means a range recorded in data_sync_status
// by an earlier backfill, or a run of stored bars (bars at most 5 minutes apart: a quiet minute
// yields no bar, and is not a gap). A gap inside the last 12 hours comes from /0/public/OHLC (720
// bars a call reach that far back); an older one from /0/public/Trades, paginated by its `last`
// cursor and aggregated into exact 1m bars by market::BarAggregator (the trades are stored too).
// OHLC candles without trades (Kraken repeats the last close) are not stored, as our own
// aggregation yields no bar for them. Every call passes the REST client's rate counter. The forming
// minute is never stored.
#include <spdlog/logger.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "core/config.hpp"
#include "core/time.hpp"
#include "kraken/rest_client.hpp"
#include "storage/store.hpp"

namespace tg4::app {

struct BackfillRange {
  core::Timestamp from;  // inclusive
  core::Timestamp to;    // exclusive
  std::chrono::minutes length() const {
    return std::chrono::duration_cast<std::chrono::minutes>(to - from);
  }
};

struct BackfillReport {
  std::size_t gaps = 0;
  std::int64_t missing_minutes = 0;
  std::size_t bars = 0;
  std::size_t trades = 0;
  std::string status = "ok";  // ok | error
  std::string message;
};

// Writes rows in transactions of a few thousand.
class BatchWriter {
 public:
  explicit BatchWriter(storage::Store& store) : store_(store) {}
  template <class Row>
  core::Status add(Row row) {
    batch_.add(std::move(row));
    return batch_.size() >= kBatchRows ? flush() : core::Status{};
  }
  core::Status flush();

 private:
  static constexpr std::size_t kBatchRows = 5000;
  storage::Store& store_;
  storage::Batch batch_;
};

class HistoryBackfill {
 public:
  // `keep_trades`: store the trades the Trades path reads, not only the bars built from them.
  HistoryBackfill(storage::Store& store, kraken::RestClient& rest,
                  const core::HistorySection& history, bool keep_trades,
                  std::shared_ptr<spdlog::logger> log);

  // Fills the gaps of `window` for one pair; `now` is the exchange's clock (REST Time).
  BackfillReport run(const kraken::RestPair& pair, BackfillRange window, core::Timestamp now);
  // The minutes of `window` within OHLC's reach that have no stored bar though the exchange has a
  // candle with trades for them (the minute a node started in, stored as partial by no one; a
  // minute a crash took), filled from one OHLC call; covered ranges are not trusted here. The count
  // filled.
  core::Result<std::size_t> repair_recent(const kraken::RestPair& pair, BackfillRange window,
                                          core::Timestamp now);
  // Asked before each REST request: true ends the backfill there, as an error (a node stopped
  // by Ctrl-C or SIGTERM while it backfills must not wait for 30 days of trades).
  void stop_when(std::function<bool()> stop) { stop_ = std::move(stop); }

 private:
  std::chrono::minutes ohlc_window() const;
  BackfillReport& failed(BackfillReport& report, const std::string& message);
  // `stored`: minutes (open time, ns) already in the store, left as they are.
  core::Status fill_from_ohlc(const kraken::RestPair& pair, BackfillRange gap,
                              BackfillReport& report,
                              const std::set<std::int64_t>* stored = nullptr);
  core::Status fill_from_trades(const kraken::RestPair& pair, BackfillRange gap,
                                BackfillReport& report);
  core::Status record_sync(const std::string& symbol, BackfillRange window, bool ok,
                           const std::string& message);
  core::Status stopped() const;

  storage::Store& store_;
  kraken::RestClient& rest_;
  core::HistorySection history_;
  bool keep_trades_;
  std::shared_ptr<spdlog::logger> log_;
  std::function<bool()> stop_;
};

// The REST client settings of the config (rest.url, timeout, rate counter).
kraken::RestOptions rest_options_from_config(const core::Config& config);

// Start-up backfill of `tg4 paper`/`tg4 live`: per symbol, the window from the newest stored 1m bar
// (none: `days` back) to the exchange's forming minute, filled before the indicators warm up from
// the store. Returns an Error (REST unreachable, symbol not listed, store) for the caller to log: a
// failed backfill never stops the node; what was filled stays filled.
core::Status backfill_since_newest_bar(storage::Store& store, kraken::RestClient& rest,
                                       const core::HistorySection& history,
                                       const std::vector<std::string>& symbols, int days,
                                       const std::shared_ptr<spdlog::logger>& log,
                                       std::function<bool()> stop = {});

}  // namespace tg4::app
