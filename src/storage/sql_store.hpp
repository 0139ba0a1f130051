#pragma once
// SqlStore: what the SQLite and PostgreSQL stores share. Every query of the Store interface is
// written once here over three primitives a backend supplies (run a query with parameters, run a
// script, and the SQL that reads a time column as integer nanoseconds); rows are decoded through
// TableTraits, so a column added to a record needs no query changes. Writes and roll-ups are
// backend-specific.
#include <fmt/format.h>
#include <spdlog/logger.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "storage/field_text.hpp"
#include "storage/migrations.hpp"
#include "storage/store.hpp"

namespace tg4::storage {

class SqlStore : public Store {
 public:
  using Param = std::variant<std::string, std::int64_t, core::Timestamp>;

  // Query results as text (NULL is nullopt), row-major.
  struct ResultSet {
    std::size_t columns = 0;
    std::vector<std::optional<std::string>> cells;
    std::size_t rows() const { return columns == 0 ? 0 : cells.size() / columns; }
    const std::optional<std::string>& at(std::size_t row, std::size_t column) const {
      return cells[row * columns + column];
    }
  };

  const std::string& url() const override { return url_; }

  core::Result<MigrationReport> migrate(bool dry_run) override;

  core::Result<std::vector<core::Bar>> bars(const std::string& symbol, int minutes,
                                            TimeRange range) override;
  core::Result<std::vector<core::Bar>> latest_bars(const std::string& symbol, int minutes,
                                                   std::size_t count) override;
  core::Result<std::vector<core::Trade>> trades(const std::string& symbol, TimeRange range,
                                                std::size_t limit) override;
  core::Result<std::map<std::string, core::Timestamp>> newest_bar_times() override;
  core::Result<std::vector<core::Instrument>> instruments() override;
  core::Result<std::vector<DataSyncStatusRow>> data_sync_status() override;
  core::Result<std::vector<OrderRow>> orders(const OrderQuery& query) override;
  core::Result<std::vector<OrderEventRow>> order_events(
      const std::string& client_order_id) override;
  core::Result<std::vector<FillRow>> fills(const Scope& scope, TimeRange range) override;
  core::Result<std::vector<PositionRow>> positions(const Scope& scope) override;
  core::Result<std::vector<PortfolioSnapshotRow>> portfolio_snapshots(const Scope& scope,
                                                                      TimeRange range) override;
  core::Result<std::vector<DecisionRow>> decisions(const Scope& scope, std::size_t limit) override;
  core::Result<std::vector<ModelScoreRow>> model_scores() override;
  core::Result<std::vector<RiskEventRow>> risk_events(const Scope& scope,
                                                      std::size_t limit) override;
  core::Result<std::optional<RiskStateRow>> risk_state(const std::string& session_id) override;
  core::Result<std::vector<SessionRow>> sessions(std::size_t limit) override;
  core::Result<std::vector<AuditLogRow>> audit_log(std::size_t limit) override;

  // Runs `sql` (placeholders written `?`) and returns every row as text.
  virtual core::Result<ResultSet> query(const std::string& sql,
                                        const std::vector<Param>& params) = 0;
  // Runs one or more statements without parameters or results.
  virtual core::Status exec_script(std::string_view sql) = 0;

 protected:
  SqlStore(std::string redacted_url, std::shared_ptr<spdlog::logger> log);

  // SQL reading the time expression `expr` as integer nanoseconds since the epoch.
  virtual std::string time_column(std::string_view expr) const = 0;
  // Bars of `minutes` > 1 whose bucket starts in [from, to); `from` is a bucket start.
  virtual core::Result<std::vector<core::Bar>> rolled_up_bars(const std::string& symbol,
                                                              int minutes, core::Timestamp from,
                                                              core::Timestamp to) = 0;
  // Migration plumbing: the sql/ folder, how a migration's transaction starts, and what follows the
  // plain migrations (PostgreSQL: the TimescaleDB track).
  virtual std::string_view migration_folder() const = 0;
  virtual std::string_view begin_migration_sql() const = 0;
  virtual core::Status after_migrations(bool dry_run, MigrationReport& report);
  core::Status apply_migrations(const std::vector<Migration>& migrations, bool dry_run,
                                MigrationReport& report);

  // SELECT of every column of RowT's table. `where` and `order_by` may be empty; limit 0 = none.
  template <typename RowT>
  core::Result<std::vector<RowT>> select_rows(std::string_view where,
                                              const std::vector<Param>& params,
                                              std::string_view order_by, std::size_t limit);

  spdlog::logger& log() { return *log_; }
  std::string error_context(std::string_view what) const;

 private:
  std::string url_;
  std::shared_ptr<spdlog::logger> log_;
};

template <typename RowT>
core::Result<std::vector<RowT>> SqlStore::select_rows(std::string_view where,
                                                      const std::vector<Param>& params,
                                                      std::string_view order_by,
                                                      std::size_t limit) {
  std::string sql = "SELECT ";
  bool first = true;
  RowT probe{};
  TableTraits<RowT>::fields(probe, [&](std::string_view name, const auto& v) {
    using V = std::remove_cvref_t<decltype(v)>;
    if (!first) sql += ", ";
    first = false;
    if constexpr (std::is_same_v<V, core::Timestamp>) {
      sql += time_column(name);
    } else {
      sql += name;
    }
  });
  sql += fmt::format(" FROM {}", TableTraits<RowT>::kName);
  if (!where.empty()) sql += fmt::format(" WHERE {}", where);
  if (!order_by.empty()) sql += fmt::format(" ORDER BY {}", order_by);
  if (limit > 0) sql += fmt::format(" LIMIT {}", limit);
  auto result = query(sql, params);
  if (!result) return result.error();
  std::vector<RowT> rows;
  rows.reserve(result->rows());
  core::Status status;
  for (std::size_t r = 0; r < result->rows() && status; ++r) {
    RowT row{};
    std::size_t c = 0;
    TableTraits<RowT>::fields(row, [&](std::string_view name, auto& v) {
      const auto& cell = result->at(r, c++);
      if (!cell || !status) return;
      status = parse_text(*cell, v, name);
    });
    rows.push_back(std::move(row));
  }
  if (!status)
    return core::Error::of(fmt::format("{}: {}", error_context("reading"), status.error().message));
  return rows;
}

}  // namespace tg4::storage
