#include "storage/sqlite_store.hpp"

#include <sqlite3.h>

#include <charconv>
#include <filesystem>
#include <system_error>

namespace tg4::storage {
namespace {

// Rows per multi-row INSERT: amortises statement execution without nearing SQLite's 32766
// bound-variable limit (the widest table has 19 columns).
constexpr std::size_t kRowsPerStatement = 64;

int bind(sqlite3_stmt* s, int i, const std::string& v) {
  return sqlite3_bind_text(s, i, v.data(), static_cast<int>(v.size()), SQLITE_STATIC);
}
int bind(sqlite3_stmt* s, int i, core::Decimal v) {
  const std::string text = v.to_string();
  return sqlite3_bind_text(s, i, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
}
int bind(sqlite3_stmt* s, int i, core::Timestamp v) {
  return v.ns == 0 ? sqlite3_bind_null(s, i) : sqlite3_bind_int64(s, i, v.ns);
}
int bind(sqlite3_stmt* s, int i, std::int64_t v) {
  return sqlite3_bind_int64(s, i, v);
}
int bind(sqlite3_stmt* s, int i, std::int32_t v) {
  return sqlite3_bind_int64(s, i, v);
}
int bind(sqlite3_stmt* s, int i, double v) {
  return sqlite3_bind_double(s, i, v);
}
int bind(sqlite3_stmt* s, int i, bool v) {
  return sqlite3_bind_int(s, i, v ? 1 : 0);
}
int bind(sqlite3_stmt* s, int i, core::Side v) {
  return sqlite3_bind_text(s, i, side_text(v), -1, SQLITE_STATIC);
}
int bind(sqlite3_stmt* s, int i, core::OrderType v) {
  return sqlite3_bind_text(s, i, core::to_string(v), -1, SQLITE_STATIC);
}
int bind(sqlite3_stmt* s, int i, core::OrderStatus v) {
  return sqlite3_bind_text(s, i, core::to_string(v), -1, SQLITE_STATIC);
}

// Whether a failed write may succeed later (the writer spools and retries) or the rows themselves
// are malformed (set aside). Only constraint, type and size errors blame the data; a busy, locked,
// read-only, full, corrupt or missing-table database is an outage for the record, whose rows must
// wait in the spool, not be set aside.
bool transient_code(int rc) {
  switch (rc & 0xff) {
    case SQLITE_CONSTRAINT:
    case SQLITE_MISMATCH:
    case SQLITE_TOOBIG:
      return false;
    default:
      return true;
  }
}

template <typename RowT>
std::string insert_sql(std::size_t rows) {
  using Traits = TableTraits<RowT>;
  const auto columns = column_names<RowT>();
  std::string tuple = "(";
  for (std::size_t c = 0; c < columns.size(); ++c) tuple += c ? ",?" : "?";
  tuple += ")";
  std::string sql =
      fmt::format("INSERT INTO {} ({}) VALUES ", Traits::kName, fmt::join(columns, ", "));
  for (std::size_t r = 0; r < rows; ++r) {
    if (r) sql += ",";
    sql += tuple;
  }
  sql += fmt::format(" ON CONFLICT ({}) DO ", fmt::join(Traits::kKey, ", "));
  if (Traits::kConflict == OnConflict::kIgnore) return sql + "NOTHING";
  sql += "UPDATE SET ";
  bool first = true;
  for (const auto column : columns) {
    if (std::find(Traits::kKey.begin(), Traits::kKey.end(), column) != Traits::kKey.end()) continue;
    sql += fmt::format("{}{} = excluded.{}", first ? "" : ", ", column, column);
    first = false;
  }
  return sql;
}

}  // namespace

void SqliteStore::StatementDeleter::operator()(sqlite3_stmt* s) const {
  sqlite3_finalize(s);
}

core::Result<std::unique_ptr<SqliteStore>> SqliteStore::open(const StoreUrl& url,
                                                             std::shared_ptr<spdlog::logger> log,
                                                             bool create) {
  const bool in_memory = url.path == ":memory:";
  std::error_code exists_ec;
  if (!create && !in_memory && !std::filesystem::exists(url.path, exists_ec)) {
    return core::Error::of(fmt::format(
        "store {}: no such store ({} does not exist); check --store or the config's storage.url",
        url.redacted, url.path));
  }
  if (create && !in_memory) {
    const auto parent = std::filesystem::path(url.path).parent_path();
    std::error_code ec;
    if (!parent.empty()) std::filesystem::create_directories(parent, ec);
    if (ec) {
      return core::Error::of(
          fmt::format("store {}: cannot create folder {}: {}; check the path and permissions",
                      url.redacted, parent.string(), ec.message()));
    }
  }
  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2(
      url.path.c_str(), &db,
      SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0) | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string why = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close(db);
    return core::Error::of(
        fmt::format("store {}: cannot open the SQLite file: {}; check the path and permissions",
                    url.redacted, why));
  }
  std::unique_ptr<SqliteStore> store(new SqliteStore(db, url.redacted, std::move(log)));
  // WAL: readers do not block the writer; NORMAL sync is durable across process crashes (the OS
  // keeps the WAL) and fast; the busy timeout rides out another connection's checkpoint.
  if (auto s = store->exec_script(
          "PRAGMA busy_timeout=5000; PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
          "PRAGMA temp_store=MEMORY;");
      !s) {
    return core::Error::of(
        fmt::format("store {}: not a usable SQLite database: {}", url.redacted, s.error().message));
  }
  return store;
}

core::Result<std::unique_ptr<SqliteStore>> SqliteStore::open_read_only(
    const StoreUrl& url, std::shared_ptr<spdlog::logger> log) {
  if (url.path == ":memory:") return open(url, std::move(log), true);
  std::error_code exists_ec;
  if (!std::filesystem::exists(url.path, exists_ec)) {
    return core::Error::of(fmt::format(
        "store {}: no such store ({} does not exist); check --store or the config's storage.url",
        url.redacted, url.path));
  }
  std::string why;
  // First as a plain read-only connection (it sees a live writer's WAL); then, when the folder
  // does not let SQLite make the -shm file it needs for that, as an immutable file.
  for (const bool immutable : {false, true}) {
    std::string name = url.path;
    int flags = SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX;
    if (immutable) {
      std::string escaped;
      for (const char c : std::filesystem::absolute(url.path).string()) {
        if (c == '%' || c == '?' || c == '#') {
          escaped += fmt::format("%{:02X}", static_cast<unsigned char>(c));
        } else {
          escaped += c;
        }
      }
      name = "file:" + escaped + "?immutable=1";
      flags |= SQLITE_OPEN_URI;
    }
    sqlite3* db = nullptr;
    const int rc = sqlite3_open_v2(name.c_str(), &db, flags, nullptr);
    if (rc != SQLITE_OK) {
      why = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
      sqlite3_close(db);
      continue;
    }
    std::unique_ptr<SqliteStore> store(new SqliteStore(db, url.redacted, log));
    if (auto s = store->exec_script("PRAGMA busy_timeout=5000; PRAGMA temp_store=MEMORY; SELECT "
                                    "count(*) FROM sqlite_master");
        !s) {
      why = s.error().message;
      continue;
    }
    return store;
  }
  return core::Error::of(
      fmt::format("store {}: not a readable SQLite database: {}; check the path and permissions",
                  url.redacted, why));
}

SqliteStore::SqliteStore(sqlite3* db, std::string redacted_url, std::shared_ptr<spdlog::logger> log)
    : SqlStore(std::move(redacted_url), std::move(log)), db_(db) {}

SqliteStore::~SqliteStore() {
  statements_.clear();
  sqlite3_close(db_);
}

core::Error SqliteStore::failure(std::string_view what, int rc) {
  last_failure_transient_ = transient_code(rc);
  return core::Error::of(
      fmt::format("{}: {} ({})", error_context(what), sqlite3_errmsg(db_), sqlite3_errstr(rc)));
}

core::Result<sqlite3_stmt*> SqliteStore::prepare(const std::string& sql) {
  if (auto it = statements_.find(sql); it != statements_.end()) return it->second.get();
  sqlite3_stmt* raw = nullptr;
  const int rc = sqlite3_prepare_v3(db_, sql.c_str(), static_cast<int>(sql.size()),
                                    SQLITE_PREPARE_PERSISTENT, &raw, nullptr);
  if (rc != SQLITE_OK) return failure(fmt::format("preparing `{}`", sql.substr(0, 120)), rc);
  statements_.emplace(sql, Statement(raw));
  return raw;
}

core::Status SqliteStore::exec_script(std::string_view sql) {
  char* error = nullptr;
  const std::string text(sql);
  const int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &error);
  if (rc != SQLITE_OK) {
    last_failure_transient_ = transient_code(rc);
    std::string why = error ? error : sqlite3_errstr(rc);
    sqlite3_free(error);
    return core::Error::of(fmt::format("{}: {}", error_context("running SQL"), why));
  }
  return {};
}

core::Result<SqlStore::ResultSet> SqliteStore::query(const std::string& sql,
                                                     const std::vector<Param>& params) {
  auto prepared = prepare(sql);
  if (!prepared) return prepared.error();
  sqlite3_stmt* s = *prepared;
  sqlite3_reset(s);
  sqlite3_clear_bindings(s);
  int i = 1;
  for (const auto& p : params) {
    int rc = SQLITE_OK;
    if (const auto* text = std::get_if<std::string>(&p)) {
      rc = sqlite3_bind_text(s, i, text->data(), static_cast<int>(text->size()), SQLITE_TRANSIENT);
    } else if (const auto* n = std::get_if<std::int64_t>(&p)) {
      rc = sqlite3_bind_int64(s, i, *n);
    } else {
      rc = sqlite3_bind_int64(s, i, std::get<core::Timestamp>(p).ns);
    }
    if (rc != SQLITE_OK) return failure("binding a parameter", rc);
    ++i;
  }
  ResultSet out;
  out.columns = static_cast<std::size_t>(sqlite3_column_count(s));
  for (;;) {
    const int rc = sqlite3_step(s);
    if (rc == SQLITE_DONE) break;
    if (rc != SQLITE_ROW) {
      sqlite3_reset(s);
      return failure(fmt::format("running `{}`", sql.substr(0, 120)), rc);
    }
    for (int c = 0; c < static_cast<int>(out.columns); ++c) {
      switch (sqlite3_column_type(s, c)) {
        case SQLITE_NULL:
          out.cells.emplace_back();
          break;
        case SQLITE_FLOAT: {
          // SQLite's own text form keeps 15 digits; the shortest round-trip form keeps the double.
          char buf[32];
          const auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), sqlite3_column_double(s, c));
          (void)ec;
          out.cells.emplace_back(std::string(buf, end));
          break;
        }
        default: {
          const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(s, c));
          out.cells.emplace_back(
              std::string(text, static_cast<std::size_t>(sqlite3_column_bytes(s, c))));
        }
      }
    }
  }
  sqlite3_reset(s);
  return out;
}

template <typename RowT>
core::Status SqliteStore::insert_rows(const std::vector<RowT>& rows) {
  for (std::size_t start = 0; start < rows.size();) {
    const std::size_t n = std::min(kRowsPerStatement, rows.size() - start);
    auto prepared = prepare(insert_sql<RowT>(n));
    if (!prepared) return prepared.error();
    sqlite3_stmt* s = *prepared;
    int i = 1;
    int rc = SQLITE_OK;
    for (std::size_t r = start; r < start + n; ++r) {
      TableTraits<RowT>::fields(rows[r], [&](std::string_view, const auto& v) {
        const int b = bind(s, i++, v);
        if (b != SQLITE_OK) rc = b;
      });
    }
    if (rc == SQLITE_OK) rc = sqlite3_step(s);
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    if (rc != SQLITE_DONE)
      return failure(fmt::format("writing {} rows to {}", n, TableTraits<RowT>::kName), rc);
    start += n;
  }
  return {};
}

core::Status SqliteStore::write(const Batch& batch) {
  if (batch.empty()) return {};
  if (auto s = exec_script("BEGIN IMMEDIATE"); !s) return s;
  core::Status status;
  batch.for_each_table([&](const auto& rows) {
    if (status) status = insert_rows(rows);
  });
  if (status) status = exec_script("COMMIT");
  if (!status) {
    const bool transient = last_failure_transient_;
    (void)exec_script("ROLLBACK");
    last_failure_transient_ = transient;
  }
  return status;
}

core::Result<std::vector<core::Bar>> SqliteStore::rolled_up_bars(const std::string& symbol,
                                                                 int minutes, core::Timestamp from,
                                                                 core::Timestamp to) {
  // Decimals are TEXT here, so SQL's max/sum would compare strings: roll up exactly in C++ instead.
  // The integer bucketing is bucket_start(), the same origin date_bin uses on PostgreSQL.
  auto minute_bars = select_rows<core::Bar>("symbol = ? AND open_time >= ? AND open_time < ?",
                                            {symbol, from, to}, "open_time", 0);
  if (!minute_bars) return minute_bars;
  return roll_up(*minute_bars, minutes);
}

}  // namespace tg4::storage
