#include "storage/postgres_store.hpp"

#include <libpq-fe.h>

#include <algorithm>
#include <bit>
#include <charconv>
#include <cstring>

namespace tg4::storage {
namespace {

using PgResult = std::unique_ptr<PGresult, decltype(&PQclear)>;
PgResult wrap(PGresult* r) {
  return PgResult(r, &PQclear);
}

// Bytes handed to libpq per PQputCopyData call: small enough that the server parses one chunk while
// the next is encoded.
constexpr std::size_t kCopyChunk = 64 << 10;

// Whether a failed statement may succeed later, on a new connection (the writer spools and
// retries), as opposed to "this data is malformed" (retrying cannot help: the writer sets the rows
// aside). Only SQLSTATE classes 22 (data exception: a value out of range, bad text for its type)
// and 23 (integrity constraint violation) say the data is wrong. Everything else is an outage from
// the record's point of view, among them 25006 read_only_sql_transaction (a standby after a
// failover, default_transaction_read_only), 08 connection, 53 insufficient resources (disk full),
// 57P0x shutdown, 58 system I/O, 40001/40P01 serialisation/deadlock, 55P03 lock timeout, 42501
// insufficient privilege and schema trouble (42P01 no such table): rows set aside for those would
// be lost for no fault of theirs. No SQLSTATE at all (a client-side failure) counts as an outage
// too.
bool transient_sqlstate(std::string_view state) {
  if (state.size() != 5) return true;
  const auto cls = state.substr(0, 2);
  return cls != "22" && cls != "23";
}

// COPY BINARY encoding (network byte order): the server then skips parsing decimal and timestamp
// text, which is most of its work per market trade.
class BinaryCopy {
 public:
  explicit BinaryCopy(std::string& out) : out_(out) {}

  void header() {
    static constexpr char kSignature[] = "PGCOPY\n\377\r\n";
    out_.append(kSignature, 11);  // includes the trailing NUL of the signature
    u32(0);                       // flags
    u32(0);                       // header extension length
  }
  void trailer() { u16(0xFFFF); }
  void row(std::uint16_t fields) { u16(fields); }

  template <typename V>
  void field(const V& v) {
    if (is_null_value(v)) {
      u32(0xFFFFFFFF);
    } else {
      value(v);
    }
  }

 private:
  void u16(std::uint16_t v) {
    out_ += static_cast<char>(v >> 8);
    out_ += static_cast<char>(v);
  }
  void u32(std::uint32_t v) {
    for (int shift = 24; shift >= 0; shift -= 8) out_ += static_cast<char>(v >> shift);
  }
  void u64(std::uint64_t v) {
    for (int shift = 56; shift >= 0; shift -= 8) out_ += static_cast<char>(v >> shift);
  }
  void text(std::string_view t) {
    u32(static_cast<std::uint32_t>(t.size()));
    out_.append(t);
  }

  void value(const std::string& v) { text(v); }
  void value(core::Side v) { text(side_text(v)); }
  void value(core::OrderType v) { text(core::to_string(v)); }
  void value(core::OrderStatus v) { text(core::to_string(v)); }
  void value(bool v) {
    u32(1);
    out_ += static_cast<char>(v ? 1 : 0);
  }
  void value(std::int32_t v) {
    u32(4);
    u32(static_cast<std::uint32_t>(v));
  }
  void value(std::int64_t v) {
    u32(8);
    u64(static_cast<std::uint64_t>(v));
  }
  void value(double v) {
    u32(8);
    u64(std::bit_cast<std::uint64_t>(v));
  }
  // timestamptz: microseconds since 2000-01-01 00:00 UTC (floor of our nanoseconds).
  void value(core::Timestamp t) {
    constexpr std::int64_t kPgEpochMicros = 946'684'800'000'000;
    const std::int64_t micros = t.ns >= 0 ? t.ns / 1000 : -((-t.ns + 999) / 1000);
    u32(8);
    u64(static_cast<std::uint64_t>(micros - kPgEpochMicros));
  }
  // numeric: base-10000 digits around the decimal point, weight of the first digit, sign, and the
  // display scale (the fraction digits of the shortest exact text, as the text path would store).
  void value(core::Decimal d) {
    using U = unsigned __int128;
    const bool negative = d.raw() < 0;
    const U magnitude = negative ? static_cast<U>(-d.raw()) : static_cast<U>(d.raw());
    const U one = static_cast<U>(core::Decimal::kOne);
    U integer = magnitude / one;
    std::uint64_t fraction = static_cast<std::uint64_t>(magnitude % one);  // 18 digits
    std::int16_t dscale = 0;
    if (fraction != 0) {
      dscale = 18;
      for (std::uint64_t f = fraction; f % 10 == 0; f /= 10) --dscale;
    }
    std::uint16_t digits[16];
    int count = 0;
    std::uint16_t int_digits[8];
    int int_count = 0;
    while (integer > 0) {
      int_digits[int_count++] = static_cast<std::uint16_t>(integer % 10000);
      integer /= 10000;
    }
    for (int i = int_count - 1; i >= 0; --i) digits[count++] = int_digits[i];
    std::int16_t weight = static_cast<std::int16_t>(int_count - 1);
    // 18 fraction digits padded to 20 make five groups of four.
    const U padded = static_cast<U>(fraction) * 100;
    U divisor = static_cast<U>(10000) * 10000 * 10000 * 10000;
    for (int g = 0; g < 5; ++g) {
      digits[count++] = static_cast<std::uint16_t>((padded / divisor) % 10000);
      divisor /= 10000;
    }
    int first = 0;
    if (int_count == 0) {
      while (first < count && digits[first] == 0) {
        ++first;
        --weight;
      }
    }
    while (count > first && digits[count - 1] == 0) --count;
    const int n = count - first;
    if (n == 0) weight = 0;
    u32(static_cast<std::uint32_t>(8 + 2 * n));
    u16(static_cast<std::uint16_t>(n));
    u16(static_cast<std::uint16_t>(weight));
    u16(negative && n > 0 ? 0x4000 : 0x0000);
    u16(static_cast<std::uint16_t>(dscale));
    for (int i = first; i < count; ++i) u16(digits[i]);
  }

  std::string& out_;
};

// libpq messages span lines and indent with tabs: one line for logs and errors.
std::string one_line(std::string text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '\n' || c == '\t' || c == '\r') c = ' ';
    if (c == ' ' && (out.empty() || out.back() == ' ')) continue;
    out += c;
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

std::string temp_name(std::string_view table) {
  return fmt::format("tg4_tmp_{}", table);
}

void notice_to_log(void* arg, const char* message) {
  auto* log = static_cast<spdlog::logger*>(arg);
  std::string_view text(message);
  while (!text.empty() && text.back() == '\n') text.remove_suffix(1);
  log->debug("postgresql: {}", text);
}

}  // namespace

core::Result<std::unique_ptr<PostgresStore>> PostgresStore::open(
    const StoreUrl& url, std::chrono::seconds connect_timeout,
    std::shared_ptr<spdlog::logger> log) {
  const std::string timeout = std::to_string(std::max<std::int64_t>(1, connect_timeout.count()));
  // The URL comes last so its own settings (e.g. ?connect_timeout=) win over these defaults.
  const char* keys[] = {"connect_timeout", "application_name", "dbname", nullptr};
  const char* values[] = {timeout.c_str(), "tg4", url.url.c_str(), nullptr};
  PGconn* conn = PQconnectdbParams(keys, values, 1);
  if (conn == nullptr || PQstatus(conn) != CONNECTION_OK) {
    const std::string why = one_line(conn ? PQerrorMessage(conn) : "out of memory");
    PQfinish(conn);
    return core::Error::of(
        fmt::format("store {} is unreachable: {}; check that PostgreSQL is running at that "
                    "address and that the user, password and database in the URL are right",
                    url.redacted, scrub_password(why, url.url)));
  }
  std::unique_ptr<PostgresStore> store(new PostgresStore(conn, url.redacted, std::move(log)));
  if (auto s = store->exec_script("SET client_min_messages = warning"); !s) return s.error();
  store->timescaledb_ = store->detect_timescaledb();
  return store;
}

PostgresStore::PostgresStore(pg_conn* conn, std::string redacted_url,
                             std::shared_ptr<spdlog::logger> log)
    : SqlStore(std::move(redacted_url), std::move(log)), conn_(conn) {
  PQsetNoticeProcessor(conn_, &notice_to_log, &this->log());
}

PostgresStore::~PostgresStore() {
  PQfinish(conn_);
}

core::Error PostgresStore::failure(std::string_view what, const PGresult* result) {
  const char* state = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  if (result != nullptr) last_sqlstate_ = state ? state : "";
  last_failure_transient_ =
      PQstatus(conn_) != CONNECTION_OK || transient_sqlstate(state ? state : "");
  std::string why = one_line(result ? PQresultErrorMessage(result) : "");
  if (why.empty()) why = one_line(PQerrorMessage(conn_));
  return core::Error::of(fmt::format("{}: {}{}", error_context(what), why,
                                     PQstatus(conn_) != CONNECTION_OK ? " (connection lost)" : ""));
}

std::string PostgresStore::time_column(std::string_view expr) const {
  return fmt::format("(EXTRACT(EPOCH FROM {}) * 1000000000)::int8", expr);
}

std::string_view PostgresStore::begin_migration_sql() const {
  // One migrator at a time across processes; the lock ends with the transaction.
  return "BEGIN; SELECT pg_advisory_xact_lock(7340400001)";
}

core::Status PostgresStore::exec_script(std::string_view sql) {
  const std::string text(sql);
  auto result = wrap(PQexec(conn_, text.c_str()));
  const auto status = result ? PQresultStatus(result.get()) : PGRES_FATAL_ERROR;
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    return failure(fmt::format("running `{}`", text.substr(0, 120)), result.get());
  }
  return {};
}

core::Result<SqlStore::ResultSet> PostgresStore::query(const std::string& sql,
                                                       const std::vector<Param>& params) {
  // `?` placeholders become $1, $2, …
  std::string text;
  text.reserve(sql.size() + 8);
  int n = 0;
  for (const char c : sql) {
    if (c == '?') {
      text += fmt::format("${}", ++n);
    } else {
      text += c;
    }
  }
  std::vector<std::string> values;
  values.reserve(params.size());
  for (const auto& p : params) {
    std::string v;
    if (const auto* s = std::get_if<std::string>(&p)) {
      v = *s;
    } else if (const auto* i = std::get_if<std::int64_t>(&p)) {
      append_text(v, *i);
    } else {
      append_text(v, std::get<core::Timestamp>(p));
    }
    values.push_back(std::move(v));
  }
  std::vector<const char*> pointers;
  pointers.reserve(values.size());
  for (const auto& v : values) pointers.push_back(v.c_str());
  auto result = wrap(PQexecParams(conn_, text.c_str(), static_cast<int>(pointers.size()), nullptr,
                                  pointers.data(), nullptr, nullptr, 0));
  const auto status = result ? PQresultStatus(result.get()) : PGRES_FATAL_ERROR;
  if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
    return failure(fmt::format("running `{}`", sql.substr(0, 120)), result.get());
  }
  ResultSet out;
  out.columns = static_cast<std::size_t>(PQnfields(result.get()));
  const int rows = PQntuples(result.get());
  out.cells.reserve(static_cast<std::size_t>(rows) * out.columns);
  for (int r = 0; r < rows; ++r) {
    for (int c = 0; c < static_cast<int>(out.columns); ++c) {
      if (PQgetisnull(result.get(), r, c)) {
        out.cells.emplace_back();
      } else {
        out.cells.emplace_back(
            std::string(PQgetvalue(result.get(), r, c),
                        static_cast<std::size_t>(PQgetlength(result.get(), r, c))));
      }
    }
  }
  return out;
}

bool PostgresStore::detect_timescaledb() {
  auto rows = query(
      "SELECT 1 FROM pg_extension WHERE extname = 'timescaledb' AND "
      "to_regclass('candles_1w') IS NOT NULL",
      {});
  return rows && rows->rows() > 0;
}

core::Status PostgresStore::after_migrations(bool dry_run, MigrationReport& report) {
  auto available =
      query("SELECT default_version FROM pg_available_extensions WHERE name = 'timescaledb'", {});
  if (!available) return available.error();
  if (available->rows() == 0) {
    timescaledb_ = false;
    log().info(
        "store {}: TimescaleDB is not available on this server; using plain PostgreSQL tables, "
        "bars "
        "rolled up by query (date_bin)",
        url());
    report.timescaledb = false;
    return {};
  }
  auto installed = query("SELECT 1 FROM pg_extension WHERE extname = 'timescaledb'", {});
  if (!installed) return installed.error();
  const auto track = migrations_in("postgres/timescaledb", "timescaledb/");
  if (dry_run) {
    if (installed->rows() == 0) report.pending.push_back("CREATE EXTENSION timescaledb");
    return apply_migrations(track, true, report);
  }
  if (installed->rows() == 0) {
    if (auto s = exec_script("CREATE EXTENSION IF NOT EXISTS timescaledb"); !s) {
      log().warn(
          "store {}: TimescaleDB is available but could not be enabled ({}); add timescaledb to "
          "shared_preload_libraries to use it; continuing with plain PostgreSQL tables",
          url(), s.error().message);
      return {};
    }
  }
  if (auto s = apply_migrations(track, false, report); !s) return s;
  timescaledb_ = detect_timescaledb();
  report.timescaledb = timescaledb_;
  log().info(
      "store {}: TimescaleDB {}: hypertables, compression, retention and continuous aggregates",
      url(), available->at(0, 0).value_or("?"));
  return {};
}

core::Status PostgresStore::ensure_temp_table(std::string_view table) {
  if (temp_tables_.count(table) > 0) return {};
  // ON COMMIT DELETE ROWS: each batch starts from an empty staging table without a DELETE.
  if (auto s = exec_script(take_prefix() +
                           fmt::format("CREATE TEMP TABLE IF NOT EXISTS {} (LIKE {} INCLUDING "
                                       "DEFAULTS) ON COMMIT DELETE ROWS",
                                       temp_name(table), table));
      !s) {
    return s;
  }
  temp_tables_.emplace(table);
  return {};
}

std::string PostgresStore::take_prefix() {
  std::string out;
  out.swap(prefix_);
  return out;
}

template <typename RowT>
core::Status PostgresStore::copy_into(std::string_view target, const std::vector<RowT>& rows) {
  using Traits = TableTraits<RowT>;
  const auto columns = column_names<RowT>();
  {
    // Statements queued in prefix_ (BEGIN, the previous table's INSERT) ride along: one round trip.
    auto started =
        wrap(PQexec(conn_, (take_prefix() + fmt::format("COPY {} ({}) FROM STDIN (FORMAT binary)",
                                                        target, fmt::join(columns, ", ")))
                               .c_str()));
    if (!started || PQresultStatus(started.get()) != PGRES_COPY_IN) {
      return failure(fmt::format("starting COPY into {}", target), started.get());
    }
  }
  std::string buffer;
  buffer.reserve(kCopyChunk + 4096);
  BinaryCopy copy(buffer);
  copy.header();
  bool sent = true;
  const auto fields = static_cast<std::uint16_t>(columns.size());
  for (const auto& row : rows) {
    copy.row(fields);
    Traits::fields(row, [&](std::string_view, const auto& v) { copy.field(v); });
    if (buffer.size() >= kCopyChunk) {
      sent = PQputCopyData(conn_, buffer.data(), static_cast<int>(buffer.size())) == 1;
      buffer.clear();
      if (!sent) break;
    }
  }
  copy.trailer();
  if (sent) sent = PQputCopyData(conn_, buffer.data(), static_cast<int>(buffer.size())) == 1;
  PQputCopyEnd(conn_, sent ? nullptr : "tg4: sending rows failed");
  core::Status status;
  while (PGresult* raw = PQgetResult(conn_)) {
    auto result = wrap(raw);
    if (status && PQresultStatus(raw) != PGRES_COMMAND_OK) {
      status = failure(fmt::format("copying {} rows into {}", rows.size(), Traits::kName), raw);
    }
  }
  if (!sent && status)
    status = failure(fmt::format("copying {} rows into {}", rows.size(), Traits::kName), nullptr);
  return status;
}

template <typename RowT>
core::Status PostgresStore::write_rows(const std::vector<RowT>& rows, bool staged) {
  using Traits = TableTraits<RowT>;
  if constexpr (Traits::kConflict == OnConflict::kIgnore) {
    // Fast path: COPY straight into the table. A duplicate key (a replayed batch) fails it with
    // unique_violation, and write() runs the batch again through the staging tables.
    if (!staged) return copy_into(Traits::kName, rows);
  }
  const std::string staging = temp_name(Traits::kName);
  if (auto s = ensure_temp_table(Traits::kName); !s) return s;
  if (auto s = copy_into(staging, rows); !s) return s;

  // Current-state tables keep the last version of a key within the batch (ctid order is COPY order
  // in the freshly emptied staging table); ON CONFLICT then resolves against stored rows. The
  // INSERT is sent with the next statement.
  const auto columns = column_names<RowT>();
  const auto key = fmt::format("{}", fmt::join(Traits::kKey, ", "));
  const auto cols = fmt::format("{}", fmt::join(columns, ", "));
  if constexpr (Traits::kConflict == OnConflict::kIgnore) {
    prefix_ +=
        fmt::format("INSERT INTO {0} ({1}) SELECT {1} FROM {2} ON CONFLICT ({3}) DO NOTHING; ",
                    Traits::kName, cols, staging, key);
  } else {
    std::string updates;
    for (const auto column : columns) {
      if (std::find(Traits::kKey.begin(), Traits::kKey.end(), column) != Traits::kKey.end())
        continue;
      updates += fmt::format("{}{} = EXCLUDED.{}", updates.empty() ? "" : ", ", column, column);
    }
    prefix_ += fmt::format(
        "INSERT INTO {0} ({1}) SELECT DISTINCT ON ({3}) {1} FROM {2} ORDER BY {3}, ctid DESC "
        "ON CONFLICT ({3}) DO UPDATE SET {4}; ",
        Traits::kName, cols, staging, key, updates);
  }
  return {};
}

core::Status PostgresStore::write(const Batch& batch) {
  if (batch.empty()) return {};
  // Three round trips for a one-table batch: BEGIN+COPY, the rows, COMMIT.
  auto attempt = [&](bool staged) {
    prefix_ = "BEGIN; ";
    core::Status status;
    batch.for_each_table([&](const auto& rows) {
      if (status) status = write_rows(rows, staged);
    });
    if (status) status = exec_script(take_prefix() + "COMMIT");
    if (!status) {
      prefix_.clear();
      const bool transient = last_failure_transient_;
      if (PQstatus(conn_) == CONNECTION_OK) (void)exec_script("ROLLBACK");
      last_failure_transient_ = transient || PQstatus(conn_) != CONNECTION_OK;
      // Staging tables created inside the failed transaction are gone with it.
      temp_tables_.clear();
    }
    return status;
  };
  auto status = attempt(false);
  if (!status && last_sqlstate_ == "23505" && PQstatus(conn_) == CONNECTION_OK) {
    // Some rows are already stored (a replay after a lost acknowledgement): skip them this time.
    status = attempt(true);
  }
  return status;
}

core::Result<std::vector<core::Bar>> PostgresStore::rolled_up_bars(const std::string& symbol,
                                                                   int minutes,
                                                                   core::Timestamp from,
                                                                   core::Timestamp to) {
  std::string sql;
  if (timescaledb_) {
    sql = fmt::format(
        "SELECT {}, open, high, low, close, volume, quote_volume, trades, vwap_volume FROM "
        "candles_{} "
        "WHERE symbol = ? AND bucket >= ? AND bucket < ? ORDER BY bucket",
        time_column("bucket"), timeframe_name(minutes));
  } else {
    // date_bin's origin 2000-01-03 is a Monday, so weeks start on Monday like bucket_start().
    sql = fmt::format(
        "SELECT {}, open, high, low, close, volume, quote_volume, trades, vwap_volume FROM ("
        "SELECT date_bin(INTERVAL '{} minutes', open_time, TIMESTAMPTZ '2000-01-03 00:00:00+00') "
        "AS b, "
        "(array_agg(open ORDER BY open_time))[1] AS open, max(high) AS high, min(low) AS low, "
        "(array_agg(close ORDER BY open_time DESC))[1] AS close, sum(volume) AS volume, "
        "sum(quote_volume) AS quote_volume, sum(trades) AS trades, round(sum(vwap * volume), 18) "
        "AS vwap_volume "
        "FROM candles_1m WHERE symbol = ? AND open_time >= ? AND open_time < ? GROUP BY b) AS "
        "rolled ORDER BY b",
        time_column("b"), minutes);
  }
  auto rows = query(sql, {symbol, from, to});
  if (!rows) return rows.error();
  std::vector<core::Bar> out;
  out.reserve(rows->rows());
  for (std::size_t r = 0; r < rows->rows(); ++r) {
    core::Bar bar;
    bar.symbol = symbol;
    bar.interval_minutes = minutes;
    core::Decimal vwap_volume;
    core::Status s;
    auto cell = [&](std::size_t c) -> std::string_view {
      const auto& v = rows->at(r, c);
      return v ? std::string_view(*v) : std::string_view("0");
    };
    if (s) s = parse_text(cell(0), bar.open_time, "bucket");
    if (s) s = parse_text(cell(1), bar.open, "open");
    if (s) s = parse_text(cell(2), bar.high, "high");
    if (s) s = parse_text(cell(3), bar.low, "low");
    if (s) s = parse_text(cell(4), bar.close, "close");
    if (s) s = parse_text(cell(5), bar.volume, "volume");
    if (s) s = parse_text(cell(6), bar.quote_volume, "quote_volume");
    if (s) s = parse_text(cell(7), bar.trades, "trades");
    if (s) s = parse_text(cell(8), vwap_volume, "vwap_volume");
    if (!s)
      return core::Error::of(
          fmt::format("{}: {}", error_context("rolling up bars"), s.error().message));
    set_rolled_vwap(bar, vwap_volume);
    out.push_back(std::move(bar));
  }
  return out;
}

}  // namespace tg4::storage
