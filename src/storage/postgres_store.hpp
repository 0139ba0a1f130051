#pragma once
// PostgresStore: production storage on PostgreSQL 15 (libpq), with TimescaleDB hypertables,
// compression, retention and continuous aggregates when that extension exists
// (sql/postgres/timescaledb/), plain tables and date_bin roll-ups otherwise. Append-only tables
// (trades, fills, events…) take COPY BINARY straight into the table; if that meets a duplicate key
// (a replayed batch) the transaction is rolled back and the batch goes again through
// session-private staging tables and INSERT … ON CONFLICT DO NOTHING, the path that current-state
// tables (orders, positions, bars in progress) always take with DO UPDATE. Either way a replayed
// batch never duplicates.
#include <chrono>
#include <memory>
#include <set>
#include <string>

#include "storage/sql_store.hpp"
#include "storage/store_url.hpp"

struct pg_conn;
struct pg_result;

namespace tg4::storage {

class PostgresStore final : public SqlStore {
 public:
  static core::Result<std::unique_ptr<PostgresStore>> open(const StoreUrl& url,
                                                           std::chrono::seconds connect_timeout,
                                                           std::shared_ptr<spdlog::logger> log);
  ~PostgresStore() override;
  PostgresStore(const PostgresStore&) = delete;
  PostgresStore& operator=(const PostgresStore&) = delete;

  std::string_view backend() const override { return "postgresql"; }
  bool timescaledb() const override { return timescaledb_; }
  core::Status write(const Batch& batch) override;
  bool last_failure_transient() const override { return last_failure_transient_; }

  core::Result<ResultSet> query(const std::string& sql, const std::vector<Param>& params) override;
  core::Status exec_script(std::string_view sql) override;

 protected:
  std::string time_column(std::string_view expr) const override;
  core::Result<std::vector<core::Bar>> rolled_up_bars(const std::string& symbol, int minutes,
                                                      core::Timestamp from,
                                                      core::Timestamp to) override;
  std::string_view migration_folder() const override { return "postgres"; }
  std::string_view begin_migration_sql() const override;
  core::Status after_migrations(bool dry_run, MigrationReport& report) override;

 private:
  PostgresStore(pg_conn* conn, std::string redacted_url, std::shared_ptr<spdlog::logger> log);
  template <typename RowT>
  core::Status copy_into(std::string_view target, const std::vector<RowT>& rows);
  template <typename RowT>
  core::Status write_rows(const std::vector<RowT>& rows, bool staged);
  std::string take_prefix();
  core::Status ensure_temp_table(std::string_view table);
  core::Error failure(std::string_view what, const pg_result* result);
  bool detect_timescaledb();

  pg_conn* conn_;
  std::set<std::string, std::less<>> temp_tables_;
  bool timescaledb_ = false;
  bool last_failure_transient_ = false;
  std::string last_sqlstate_;  // of the last failed statement
  std::string prefix_;         // statements sent together with the next one (saves round trips)
};

}  // namespace tg4::storage
