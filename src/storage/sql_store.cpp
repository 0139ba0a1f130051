#include "storage/sql_store.hpp"

#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <set>
#include <utility>

namespace tg4::storage {
namespace {

void add_scope(std::string& where, std::vector<SqlStore::Param>& params, const Scope& scope) {
  auto add = [&](std::string_view clause, std::string value) {
    if (!where.empty()) where += " AND ";
    where += clause;
    params.emplace_back(std::move(value));
  };
  if (!scope.session_id.empty()) add("session_id = ?", scope.session_id);
  if (!scope.mode.empty()) add("mode = ?", scope.mode);
}

void add_range(std::string& where, std::vector<SqlStore::Param>& params, std::string_view column,
               TimeRange range) {
  if (!where.empty()) where += " AND ";
  where += fmt::format("{0} >= ? AND {0} < ?", column);
  params.emplace_back(range.from);
  params.emplace_back(range.to);
}

bool valid_timeframe(int minutes) {
  return std::find(kTimeframes.begin(), kTimeframes.end(), minutes) != kTimeframes.end();
}

core::Error bad_timeframe(int minutes) {
  return core::Error::of(
      fmt::format("bar timeframe of {} minutes is not served; use one of 1m 5m 15m 30m "
                  "1h 4h 1d 1w",
                  minutes));
}

}  // namespace

SqlStore::SqlStore(std::string redacted_url, std::shared_ptr<spdlog::logger> log)
    : url_(std::move(redacted_url)), log_(log ? std::move(log) : spdlog::default_logger()) {}

std::string SqlStore::error_context(std::string_view what) const {
  return fmt::format("store {} ({}) {}", url_, backend(), what);
}

// ---- migrations --------------------------------------------------------------------------------

core::Result<MigrationReport> SqlStore::migrate(bool dry_run) {
  MigrationReport report;
  if (auto s = exec_script("CREATE TABLE IF NOT EXISTS schema_migrations (version TEXT PRIMARY "
                           "KEY, name TEXT NOT NULL, "
                           "checksum TEXT NOT NULL, applied_at TEXT NOT NULL)");
      !s) {
    return s.error();
  }
  if (auto s = apply_migrations(migrations_in(migration_folder()), dry_run, report); !s)
    return s.error();
  if (auto s = after_migrations(dry_run, report); !s) return s.error();
  return report;
}

core::Status SqlStore::after_migrations(bool, MigrationReport&) {
  return {};
}

core::Status SqlStore::apply_migrations(const std::vector<Migration>& migrations, bool dry_run,
                                        MigrationReport& report) {
  auto recorded = query("SELECT version, checksum, name, applied_at FROM schema_migrations", {});
  if (!recorded) return recorded.error();
  std::map<std::string, std::string> applied;
  for (std::size_t r = 0; r < recorded->rows(); ++r) {
    applied[recorded->at(r, 0).value_or("")] = recorded->at(r, 1).value_or("");
  }
  // A version of this track (same prefix: "" or "timescaledb/") that this build does not have was
  // applied by a newer tg4, whose migration may have changed what the columns written here mean:
  // refused, for a dry run too, rather than written to with an older idea of the schema.
  if (!migrations.empty()) {
    const auto track_of = [](std::string_view version) {
      const auto slash = version.rfind('/');
      return version.substr(0, slash == std::string_view::npos ? 0 : slash + 1);
    };
    const std::string_view track = track_of(migrations.front().version);
    std::set<std::string> known;
    for (const auto& m : migrations) known.insert(m.version);
    std::vector<std::string> unknown;
    for (std::size_t r = 0; r < recorded->rows(); ++r) {
      const std::string version = recorded->at(r, 0).value_or("");
      if (track_of(version) != track || known.contains(version)) continue;
      unknown.push_back(fmt::format("{} ({}, applied {})", version,
                                    recorded->at(r, 2).value_or("?"),
                                    recorded->at(r, 3).value_or("?")));
    }
    if (!unknown.empty()) {
      return core::Error::of(fmt::format(
          "store {}: the database is at a newer schema than this build of tg4 knows: "
          "schema_migrations records {} that this build does not have (its newest is {}). A newer "
          "tg4 migrated it, and this one could misread or miswrite the changed tables: run that "
          "newer tg4 against it, or give --store another database",
          url_, fmt::join(unknown, ", "), migrations.back().version));
    }
  }
  for (const auto& m : migrations) {
    if (const auto it = applied.find(m.version); it != applied.end()) {
      report.already.push_back(m.version);
      if (it->second != m.checksum) {
        log_->warn(
            "store {}: migration {} was applied from a different text (checksum {} now {}); "
            "migrations must not change once applied: add a new numbered file instead",
            url_, m.path, it->second, m.checksum);
      }
      continue;
    }
    if (dry_run) {
      report.pending.push_back(m.version);
      continue;
    }
    if (auto s = exec_script(begin_migration_sql()); !s) return s.error();
    // Another process may have applied it while we waited for the lock.
    auto again = query("SELECT 1 FROM schema_migrations WHERE version = ?", {m.version});
    core::Status status = again ? core::Status{} : core::Status{again.error()};
    if (status && again->rows() > 0) {
      (void)exec_script("COMMIT");
      report.already.push_back(m.version);
      continue;
    }
    if (status) status = exec_script(m.sql);
    if (status) {
      auto inserted = query(
          "INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (?, ?, ?, ?)",
          {m.version, m.path, m.checksum,
           core::format_rfc3339(
               core::Timestamp{std::chrono::duration_cast<std::chrono::nanoseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count()})});
      if (!inserted) status = inserted.error();
    }
    if (status) status = exec_script("COMMIT");
    if (!status) {
      (void)exec_script("ROLLBACK");
      return core::Error::of(fmt::format("store {}: migration {} failed and was rolled back: {}",
                                         url_, m.path, status.error().message));
    }
    log_->info("store {}: applied migration {}", url_, m.path);
    report.applied.push_back(m.version);
  }
  return {};
}

// ---- market data -------------------------------------------------------------------------------

core::Result<std::vector<core::Bar>> SqlStore::bars(const std::string& symbol, int minutes,
                                                    TimeRange range) {
  if (!valid_timeframe(minutes)) return bad_timeframe(minutes);
  if (minutes == 1) {
    return select_rows<core::Bar>("symbol = ? AND open_time >= ? AND open_time < ?",
                                  {symbol, range.from, range.to}, "open_time", 0);
  }
  // Whole buckets: one starting before `to` is read to its end.
  const std::int64_t width = std::int64_t{minutes} * 60'000'000'000LL;
  core::Timestamp to = range.to;
  if (bucket_start(to, minutes) != to && to.ns < std::numeric_limits<std::int64_t>::max() - width) {
    to = core::Timestamp{bucket_start(to, minutes).ns + width};
  }
  return rolled_up_bars(symbol, minutes, bucket_start(range.from, minutes), to);
}

core::Result<std::vector<core::Bar>> SqlStore::latest_bars(const std::string& symbol, int minutes,
                                                           std::size_t count) {
  if (!valid_timeframe(minutes)) return bad_timeframe(minutes);
  if (count == 0) return std::vector<core::Bar>{};
  if (minutes == 1) {
    auto rows = select_rows<core::Bar>("symbol = ?", {symbol}, "open_time DESC", count);
    if (rows) std::reverse(rows->begin(), rows->end());
    return rows;
  }
  auto span = query(fmt::format("SELECT {}, {} FROM candles_1m WHERE symbol = ?",
                                time_column("min(open_time)"), time_column("max(open_time)")),
                    {symbol});
  if (!span) return span.error();
  if (span->rows() == 0 || !span->at(0, 0) || !span->at(0, 1)) return std::vector<core::Bar>{};
  core::Timestamp oldest, newest;
  if (auto s = parse_text(*span->at(0, 0), oldest, "min(open_time)"); !s) return s.error();
  if (auto s = parse_text(*span->at(0, 1), newest, "max(open_time)"); !s) return s.error();
  // Widen the window until it holds `count` buckets or all history (gaps make buckets missing).
  const std::int64_t width = std::int64_t{minutes} * 60'000'000'000LL;
  const core::Timestamp last = bucket_start(newest, minutes);
  std::int64_t buckets = static_cast<std::int64_t>(count);
  for (;;) {
    const core::Timestamp from = bucket_start(
        core::Timestamp{std::max(oldest.ns, last.ns - (buckets - 1) * width)}, minutes);
    auto rows = rolled_up_bars(symbol, minutes, from, core::Timestamp{newest.ns + 1});
    if (!rows) return rows;
    if (rows->size() >= count || from <= oldest) {
      if (rows->size() > count)
        rows->erase(rows->begin(), rows->end() - static_cast<std::ptrdiff_t>(count));
      return rows;
    }
    buckets *= 2;
  }
}

core::Result<std::vector<core::Trade>> SqlStore::trades(const std::string& symbol, TimeRange range,
                                                        std::size_t limit) {
  return select_rows<core::Trade>("symbol = ? AND time >= ? AND time < ?",
                                  {symbol, range.from, range.to}, "time, trade_id", limit);
}

core::Result<std::map<std::string, core::Timestamp>> SqlStore::newest_bar_times() {
  auto rows = query(fmt::format("SELECT symbol, {} FROM candles_1m GROUP BY symbol",
                                time_column("max(open_time)")),
                    {});
  if (!rows) return rows.error();
  std::map<std::string, core::Timestamp> out;
  for (std::size_t r = 0; r < rows->rows(); ++r) {
    core::Timestamp t;
    if (auto s = parse_text(rows->at(r, 1).value_or("0"), t, "max(open_time)"); !s)
      return s.error();
    out[rows->at(r, 0).value_or("")] = t;
  }
  return out;
}

core::Result<std::vector<core::Instrument>> SqlStore::instruments() {
  return select_rows<core::Instrument>("", {}, "symbol", 0);
}

core::Result<std::vector<DataSyncStatusRow>> SqlStore::data_sync_status() {
  return select_rows<DataSyncStatusRow>("", {}, "symbol, source, timeframe_minutes", 0);
}

// ---- trading record ----------------------------------------------------------------------------

core::Result<std::vector<OrderRow>> SqlStore::orders(const OrderQuery& q) {
  std::string where;
  std::vector<Param> params;
  add_scope(where, params, q.scope);
  if (!q.symbol.empty()) {
    if (!where.empty()) where += " AND ";
    where += "symbol = ?";
    params.emplace_back(q.symbol);
  }
  if (q.open_only) {
    if (!where.empty()) where += " AND ";
    where += "status NOT IN ('filled', 'canceled', 'rejected', 'expired')";
  }
  return select_rows<OrderRow>(where, params, "created, client_order_id", q.limit);
}

core::Result<std::vector<OrderEventRow>> SqlStore::order_events(
    const std::string& client_order_id) {
  return select_rows<OrderEventRow>("client_order_id = ?", {client_order_id}, "seq", 0);
}

core::Result<std::vector<FillRow>> SqlStore::fills(const Scope& scope, TimeRange range) {
  std::string where;
  std::vector<Param> params;
  add_scope(where, params, scope);
  add_range(where, params, "time", range);
  return select_rows<FillRow>(where, params, "time, exec_id", 0);
}

core::Result<std::vector<PositionRow>> SqlStore::positions(const Scope& scope) {
  std::string where;
  std::vector<Param> params;
  add_scope(where, params, scope);
  return select_rows<PositionRow>(where, params, "session_id, symbol", 0);
}

core::Result<std::vector<PortfolioSnapshotRow>> SqlStore::portfolio_snapshots(const Scope& scope,
                                                                              TimeRange range) {
  std::string where;
  std::vector<Param> params;
  add_scope(where, params, scope);
  add_range(where, params, "time", range);
  return select_rows<PortfolioSnapshotRow>(where, params, "time, session_id", 0);
}

core::Result<std::vector<DecisionRow>> SqlStore::decisions(const Scope& scope, std::size_t limit) {
  std::string where;
  std::vector<Param> params;
  add_scope(where, params, scope);
  return select_rows<DecisionRow>(where, params, "time DESC, decision_id", limit);
}

core::Result<std::vector<ModelScoreRow>> SqlStore::model_scores() {
  return select_rows<ModelScoreRow>("", {}, "agent, model, score_window", 0);
}

core::Result<std::vector<RiskEventRow>> SqlStore::risk_events(const Scope& scope,
                                                              std::size_t limit) {
  std::string where;
  std::vector<Param> params;
  add_scope(where, params, scope);
  return select_rows<RiskEventRow>(where, params, "time DESC, event_id", limit);
}

core::Result<std::optional<RiskStateRow>> SqlStore::risk_state(const std::string& session_id) {
  auto rows = select_rows<RiskStateRow>("session_id = ?", {session_id}, "", 1);
  if (!rows) return rows.error();
  if (rows->empty()) return std::optional<RiskStateRow>{};
  return std::optional<RiskStateRow>{std::move(rows->front())};
}

core::Result<std::vector<SessionRow>> SqlStore::sessions(std::size_t limit) {
  return select_rows<SessionRow>("", {}, "started DESC, session_id", limit);
}

core::Result<std::vector<AuditLogRow>> SqlStore::audit_log(std::size_t limit) {
  return select_rows<AuditLogRow>("", {}, "time DESC, audit_id", limit);
}

}  // namespace tg4::storage
