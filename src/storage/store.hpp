#pragma once
// Store: the system's durable record (SPEC §4, DESIGN "Storage"). One interface, two backends
// chosen by URL: PostgreSQL (`postgresql://…`, TimescaleDB features when the extension exists)
// and SQLite (`sqlite:PATH`, the embedded default). Both take the same batches and answer the
// same queries.
//
// A Store instance holds one connection and is used by one thread at a time; the writer and each
// reader open their own (open_store is cheap). Writes are idempotent on each table's natural key,
// so a batch written twice (a spool replay after a lost commit acknowledgement) leaves one copy.
#include <spdlog/logger.h>

#include <array>
#include <chrono>
#include <cstddef>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "storage/batch.hpp"
#include "storage/records.hpp"

namespace tg4::storage {

// Bar timeframes in minutes that queries serve: 1m is stored, the rest are rolled up (5m … 1w).
inline constexpr std::array<int, 8> kTimeframes{1, 5, 15, 30, 60, 240, 1440, 10080};
// "1m", "5m", "15m", "30m", "1h", "4h", "1d", "1w" (or the number of minutes) -> minutes.
core::Result<int> parse_timeframe(std::string_view text);
std::string timeframe_name(int minutes);
// Start of the bucket containing t: minutes since the epoch for < 1 day, days since the epoch for
// 1d, weeks starting Monday 00:00 UTC for 1w (the same buckets date_bin and TimescaleDB use).
core::Timestamp bucket_start(core::Timestamp t, int minutes);
// Rolls 1-minute bars (sorted by time, one symbol) up to `minutes` buckets, exactly.
std::vector<core::Bar> roll_up(const std::vector<core::Bar>& minute_bars, int minutes);
// A rolled-up bar's vwap: quote_volume / volume, or Σ(vwap·volume) / volume when the 1m bars
// carried no quote volume (Kraken's ohlc channel gives vwap only); zero without volume.
void set_rolled_vwap(core::Bar& bar, core::Decimal vwap_volume);

// Which rows a query covers; empty fields match everything. Paper and live share tables and are
// told apart here.
struct Scope {
  std::string session_id;
  std::string mode;
};

struct OrderQuery {
  Scope scope;
  std::string symbol;
  bool open_only = false;  // not filled, canceled, rejected or expired
  std::size_t limit = 10'000;
};

struct TimeRange {
  core::Timestamp from{};                                        // inclusive
  core::Timestamp to{std::numeric_limits<std::int64_t>::max()};  // exclusive
};

struct MigrationReport {
  std::vector<std::string> applied;  // applied by this call
  std::vector<std::string> pending;  // dry run: what would be applied
  std::vector<std::string> already;  // recorded in schema_migrations before this call
  bool timescaledb = false;
};

class Store {
 public:
  virtual ~Store() = default;

  virtual std::string_view backend() const = 0;  // "sqlite" or "postgresql"
  virtual const std::string& url() const = 0;    // with any password replaced by ***
  virtual bool timescaledb() const { return false; }

  // Applies the embedded migrations not yet recorded in schema_migrations (each in a transaction);
  // re-running is a no-op. dry_run only reports what would be applied.
  virtual core::Result<MigrationReport> migrate(bool dry_run = false) = 0;

  // Writes every row of `batch` in one transaction, idempotently on natural keys.
  virtual core::Status write(const Batch& batch) = 0;
  // After a failed write: false only when the database refused the data as malformed (a data or
  // constraint error: retrying cannot help); true for everything else, an unreachable, busy,
  // read-only or full database among them (open a new Store and retry later).
  virtual bool last_failure_transient() const = 0;

  // ---- market data ---------------------------------------------------------------------------
  // Bars of `minutes` (one of kTimeframes) whose bucket starts in [range.from, range.to), oldest
  // first. The bucket in progress is included.
  virtual core::Result<std::vector<core::Bar>> bars(const std::string& symbol, int minutes,
                                                    TimeRange range) = 0;
  // The newest `count` bars of `minutes`, oldest first.
  virtual core::Result<std::vector<core::Bar>> latest_bars(const std::string& symbol, int minutes,
                                                           std::size_t count) = 0;
  virtual core::Result<std::vector<core::Trade>> trades(const std::string& symbol, TimeRange range,
                                                        std::size_t limit = 1'000'000) = 0;
  // Newest stored 1m bar start per symbol (where a backfill resumes).
  virtual core::Result<std::map<std::string, core::Timestamp>> newest_bar_times() = 0;
  virtual core::Result<std::vector<core::Instrument>> instruments() = 0;
  virtual core::Result<std::vector<DataSyncStatusRow>> data_sync_status() = 0;

  // ---- trading record --------------------------------------------------------------------------
  virtual core::Result<std::vector<OrderRow>> orders(const OrderQuery& query) = 0;
  virtual core::Result<std::vector<OrderEventRow>> order_events(
      const std::string& client_order_id) = 0;
  virtual core::Result<std::vector<FillRow>> fills(const Scope& scope, TimeRange range) = 0;
  virtual core::Result<std::vector<PositionRow>> positions(const Scope& scope) = 0;
  virtual core::Result<std::vector<PortfolioSnapshotRow>> portfolio_snapshots(const Scope& scope,
                                                                              TimeRange range) = 0;
  // Newest first.
  virtual core::Result<std::vector<DecisionRow>> decisions(const Scope& scope,
                                                           std::size_t limit) = 0;
  virtual core::Result<std::vector<ModelScoreRow>> model_scores() = 0;
  // Newest first.
  virtual core::Result<std::vector<RiskEventRow>> risk_events(const Scope& scope,
                                                              std::size_t limit) = 0;
  virtual core::Result<std::optional<RiskStateRow>> risk_state(const std::string& session_id) = 0;
  // Newest first.
  virtual core::Result<std::vector<SessionRow>> sessions(std::size_t limit) = 0;
  // Newest first.
  virtual core::Result<std::vector<AuditLogRow>> audit_log(std::size_t limit) = 0;
};

struct OpenOptions {
  bool migrate = true;  // apply pending migrations after connecting
  // false for readers (tg4 backtest --data store:…): a SQLite file that does not exist is an error
  // ("no such store") instead of a new empty file and a "no such table" later.
  bool create = true;
  // Only reading (tg4 backtest --data store:…): a SQLite file is opened read-only, so a copy the
  // process may not write (another owner, a read-only mount) is still readable. Implies !migrate.
  bool read_only = false;
  std::chrono::seconds connect_timeout{5};
  std::shared_ptr<spdlog::logger> log;  // default: spdlog::default_logger()
};

// Opens the store named by `url`: `sqlite:PATH` (parent folders are created; `sqlite::memory:` for
// a private in-memory database) or `postgresql://USER[:PASSWORD]@HOST[:PORT]/DB[?…]`. A malformed
// URL or an unreachable database is an Error naming the URL (password redacted) and what to do.
core::Result<std::unique_ptr<Store>> open_store(std::string_view url,
                                                const OpenOptions& options = {});

}  // namespace tg4::storage
