// PostgreSQL store against the real server scripts/test starts (TG4_TEST_PG_*): round trips,
// idempotent writes and migrations, roll-ups with date_bin, clear errors, the tg4 migrate command,
// and the writer surviving `pg_ctl stop -m immediate` in the middle of a 1 M-row ingest.
#include <gtest/gtest.h>
#include <prometheus/registry.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <thread>

#include "storage/migrations.hpp"
#include "storage/store_checks.hpp"
#include "storage/writer.hpp"
#include "storage_test_env.hpp"

namespace tg4::storage {
namespace {

using namespace testing;
using namespace std::chrono_literals;

class PostgresStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    TG4_NEED_ENV(admin, "TG4_TEST_PG_URL");
    db_ = std::make_unique<PgDatabase>(admin, "h6_" + current_test_name());
    ASSERT_EQ(db_->error(), "");
    auto opened = open_store(db_->url());
    ASSERT_TRUE(opened) << opened.error().message;
    store_ = std::move(*opened);
  }
  void TearDown() override {
    store_.reset();
    db_.reset();
  }
  std::unique_ptr<PgDatabase> db_;
  std::unique_ptr<Store> store_;
};

TEST_F(PostgresStoreTest, EveryRecordTypeRoundTrips) {
  EXPECT_EQ(store_->backend(), "postgresql");
  expect_every_record_round_trips(*store_);
}
TEST_F(PostgresStoreTest, ReplayingABatchLeavesOneCopy) {
  expect_replay_leaves_one_copy(*store_);
}
TEST_F(PostgresStoreTest, RollsUpBarsExactlyWithDateBin) {
  expect_bar_rollups(*store_);
}
TEST_F(PostgresStoreTest, ScopesSeparatePaperAndLive) {
  expect_scopes(*store_);
}

TEST_F(PostgresStoreTest, DecimalsAreStoredAsExactNumeric) {
  Batch b;
  b.add(sample_trade(1));
  ASSERT_TRUE(store_->write(b));
  EXPECT_EQ(pg_value(db_->url(), "SELECT pg_typeof(price)::text FROM market_trades"), "numeric");
  EXPECT_EQ(pg_value(db_->url(), "SELECT price::text FROM market_trades"),
            "45281.123456789012345678");
  EXPECT_EQ(pg_value(db_->url(), "SELECT time::text FROM market_trades"),
            "2023-11-14 22:13:21.708706+00");

  // The binary COPY encoding of NUMERIC, at its edges: the server's text must be the decimal's own.
  std::vector<core::Decimal> prices;
  for (const char* p :
       {"0", "1", "-1", "0.0001", "10000", "0.000000000000000001", "-0.5", "99999999.99999999",
        "100000000", "123456789012345678.9", "0.10203", "45000.00000001"}) {
    prices.push_back(core::Decimal::must(p));
  }
  prices.push_back(
      core::Decimal::from_raw(core::Decimal::max().raw() / 1000));  // near the top of the range
  prices.push_back(core::Decimal::from_raw(core::Decimal::min().raw() / 1000));
  Batch edge;
  int id = 100;
  for (const auto& p : prices) {
    auto t = sample_trade(id++);
    t.symbol = "EDGE/USD";
    t.price = p;
    edge.add(t);
  }
  ASSERT_TRUE(store_->write(edge));
  id = 100;
  for (const auto& p : prices) {
    EXPECT_EQ(
        pg_value(db_->url(),
                 "SELECT price::text FROM market_trades WHERE symbol = 'EDGE/USD' AND trade_id = " +
                     std::to_string(1'000'000 + id++)),
        p.to_string());
  }
  auto back = store_->trades("EDGE/USD", {});
  ASSERT_TRUE(back);
  ASSERT_EQ(back->size(), prices.size());
}

TEST_F(PostgresStoreTest, MigrationsAreRecordedAndIdempotent) {
  const auto count = pg_value(db_->url(), "SELECT count(*) FROM schema_migrations");
  EXPECT_EQ(count, std::to_string(migrations_in("postgres").size()));
  auto again = store_->migrate(false);
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_TRUE(again->applied.empty());
  EXPECT_FALSE(again->timescaledb);
  EXPECT_FALSE(store_->timescaledb());
  auto other = open_store(db_->url());  // a second process starting up
  ASSERT_TRUE(other) << other.error().message;
  EXPECT_EQ(pg_value(db_->url(), "SELECT count(*) FROM schema_migrations"), count);
  auto dry = store_->migrate(true);
  ASSERT_TRUE(dry);
  EXPECT_TRUE(dry->pending.empty());
}

TEST_F(PostgresStoreTest, OrdersFromBefore0004ReadAtLeverageOne) {
  expect_orders_from_before_0004_read_at_leverage_one(*store_);
}

TEST_F(PostgresStoreTest, RefusedDataIsNotTransientAndLeavesNothing) {
  Batch b;
  b.add(sample_trade(1));
  auto bad = sample_trade(2);
  bad.time = {};
  b.add(bad);
  auto status = store_->write(b);
  ASSERT_FALSE(status);
  EXPECT_FALSE(store_->last_failure_transient());
  EXPECT_NE(status.error().message.find("market_trades"), std::string::npos)
      << status.error().message;
  EXPECT_EQ(store_->trades("BTC/USDT", {})->size() + store_->trades("XRP/BTC", {})->size(), 0u);
  Batch ok;
  ok.add(sample_trade(3));
  EXPECT_TRUE(store_->write(ok)) << "the connection must stay usable";
}

TEST(PostgresUrls, UnreachableAndMissingDatabasesAreClearErrors) {
  TG4_NEED_ENV(admin, "TG4_TEST_PG_URL");
  const std::string nobody =
      "postgresql://tg4:hunter2@127.0.0.1:" + std::to_string(free_port()) + "/tg4";
  auto down = open_store(nobody);
  ASSERT_FALSE(down);
  EXPECT_NE(down.error().message.find("is unreachable"), std::string::npos) << down.error().message;
  EXPECT_NE(down.error().message.find("tg4:***@127.0.0.1"), std::string::npos)
      << down.error().message;
  EXPECT_EQ(down.error().message.find("hunter2"), std::string::npos);

  auto missing = open_store(with_database(admin, "tg4_no_such_database_h6"));
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("tg4_no_such_database_h6"), std::string::npos)
      << missing.error().message;

  auto malformed = open_store("postgresql://tg4:hunter2@127.0.0.1:99999999/tg4");
  ASSERT_FALSE(malformed);
  EXPECT_EQ(malformed.error().message.find("hunter2"), std::string::npos)
      << malformed.error().message;
}

TEST(MigrateCommand, AppliesListsAndReportsErrorsWithExitCodes) {
  TG4_NEED_ENV(admin, "TG4_TEST_PG_URL");
  PgDatabase db(admin, "h6_migrate_cmd");
  ASSERT_EQ(db.error(), "");
  const std::string tg4 = TG4_BINARY;
  auto dry = run_command(tg4 + " --store '" + db.url() + "' migrate --dry-run");
  EXPECT_EQ(dry.exit_code, 0) << dry.output;
  EXPECT_NE(dry.output.find("pending          0001_init"), std::string::npos) << dry.output;
  EXPECT_EQ(pg_value(db.url(), "SELECT to_regclass('market_trades')::text"), "");

  auto applied = run_command(tg4 + " --store '" + db.url() + "' migrate");
  EXPECT_EQ(applied.exit_code, 0) << applied.output;
  EXPECT_NE(applied.output.find("applied          0001_init"), std::string::npos) << applied.output;
  EXPECT_NE(applied.output.find("timescaledb: no"), std::string::npos) << applied.output;
  EXPECT_EQ(pg_value(db.url(), "SELECT to_regclass('market_trades')::text"), "market_trades");

  auto again = run_command(tg4 + " --store '" + db.url() + "' migrate");
  EXPECT_EQ(again.exit_code, 0) << again.output;
  EXPECT_NE(again.output.find("0 applied"), std::string::npos) << again.output;

  auto down =
      run_command(tg4 + " --store 'postgresql://u:pw123@127.0.0.1:" + std::to_string(free_port()) +
                  "/x' migrate");
  EXPECT_EQ(down.exit_code, 1) << down.output;
  EXPECT_NE(down.output.find("unreachable"), std::string::npos) << down.output;
  EXPECT_EQ(down.output.find("pw123"), std::string::npos) << down.output;

  auto bad = run_command(tg4 + " --store 'mongodb://x' migrate");
  EXPECT_EQ(bad.exit_code, 2) << bad.output;
  EXPECT_NE(bad.output.find("mongodb://x"), std::string::npos) << bad.output;

  const auto sqlite_dir =
      std::filesystem::temp_directory_path() / ("tg4-migrate-" + std::to_string(::getpid()));
  auto lite = run_command(tg4 + " --store sqlite:" + (sqlite_dir / "x.db").string() + " migrate");
  std::filesystem::remove_all(sqlite_dir);
  EXPECT_EQ(lite.exit_code, 0) << lite.output;
}

// The store URL is in the demo's banner and every session's summary.json (a plain file): both must
// mask its password as the logs do.
TEST(PostgresUrls, TheDemoBannerAndTheSessionReportMaskThePassword) {
  TG4_NEED_ENV(admin, "TG4_TEST_PG_URL");
  PgDatabase db(admin, "secret_report");
  ASSERT_EQ(db.error(), "");
  // The test server trusts every login, so any password connects: it only has to be in the URL.
  std::string url = db.url();
  const auto at = url.find('@');
  ASSERT_NE(at, std::string::npos) << url;
  url.insert(at, ":PgSecret77");
  const auto dir =
      std::filesystem::temp_directory_path() / ("tg4-secret-report-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const std::string tg4 = TG4_BINARY;
  auto demo = run_command("cd '" + dir.string() + "' && " + tg4 + " --store '" + url +
                          "' --metrics 127.0.0.1:0 demo --duration 1 --out '" + dir.string() + "'");
  EXPECT_EQ(demo.exit_code, 0) << demo.output;
  EXPECT_EQ(demo.output.find("PgSecret77"), std::string::npos) << demo.output;
  EXPECT_NE(demo.output.find(":***@127.0.0.1"), std::string::npos) << demo.output;
  int reports = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (entry.path().filename() != "summary.json") continue;
    ++reports;
    std::ifstream in(entry.path());
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_EQ(text.find("PgSecret77"), std::string::npos) << text;
    EXPECT_NE(text.find(":***@127.0.0.1"), std::string::npos) << text;
  }
  EXPECT_EQ(reports, 1);
  std::filesystem::remove_all(dir);
}

// ---- the outage
// ----------------------------------------------------------------------------------

// Restarts PostgreSQL exactly as scripts/test started it; pg_ctl keeps postmaster.pid in the data
// directory, so scripts/test's cleanup (pg_ctl -D … stop) still finds the restarted server.
class PostgresServer {
 public:
  PostgresServer(std::string bin, std::string data, std::string port, std::string sockets)
      : bin_(std::move(bin)),
        data_(std::move(data)),
        port_(std::move(port)),
        sockets_(std::move(sockets)) {}
  ~PostgresServer() {
    if (stopped_) start();  // never leave the shared server down for the next test
  }
  CommandResult stop_immediately() {
    auto r = run_command("runuser -u postgres -- " + bin_ + "/pg_ctl -D " + data_ +
                         " -m immediate stop");
    stopped_ = r.exit_code == 0;
    return r;
  }
  CommandResult start() {
    auto r = run_command("runuser -u postgres -- " + bin_ + "/pg_ctl -D " + data_ + " -l " + data_ +
                         "/server.log -w -o \"-p " + port_ + " -k " + sockets_ +
                         " -c listen_addresses=127.0.0.1 -c fsync=off\" start");
    if (r.exit_code == 0) stopped_ = false;
    return r;
  }

 private:
  std::string bin_, data_, port_, sockets_;
  bool stopped_ = false;
};

TEST(PostgresOutage, StoppedMidIngestAndRestartedEveryRowArrivesExactlyOnce) {
  TG4_NEED_ENV(admin, "TG4_TEST_PG_URL");
  TG4_NEED_ENV(bin, "TG4_TEST_PG_BIN");
  TG4_NEED_ENV(data, "TG4_TEST_PG_DATA");
  TG4_NEED_ENV(port, "TG4_TEST_PG_PORT");
  TG4_NEED_ENV(sockets, "TG4_TEST_PG_SOCKET_DIR");
  const auto tmp = env("TG4_TEST_TMP").value_or(std::filesystem::temp_directory_path().string());
  PgDatabase db(admin, "h6_outage");
  ASSERT_EQ(db.error(), "");
  PostgresServer server(bin, data, port, sockets);

  constexpr int kRows = 1'000'000;
  const auto spool =
      std::filesystem::path(tmp) / ("h6-outage-" + std::to_string(::getpid())) / "store.spool";
  std::filesystem::remove_all(spool.parent_path());
  prometheus::Registry registry;
  WriterOptions options;
  options.spool_path = spool;
  options.reconnect_max = 1000ms;
  Writer writer(db.url(), options, registry);

  std::thread producer([&] {
    const std::string symbols[] = {"BTC/USDT", "XRP/USDT", "XRP/BTC"};
    for (int i = 0; i < kRows; ++i) {
      core::Trade t;
      t.symbol = symbols[i % 3];
      t.side = i % 2 ? core::Side::kBuy : core::Side::kSell;
      t.price = core::Decimal::from_int(40'000 + i % 1000);
      t.qty = core::Decimal::must("0.001");
      t.trade_id = i;
      t.time = core::Timestamp{1'700'000'000'000'000'000 + std::int64_t{i} * 1'000};
      t.received = t.time;
      (void)writer.push(std::move(t));
    }
  });

  // Stop the server once part of the ingest is committed, while the rest is in flight.
  ASSERT_TRUE(eventually([&] { return writer.stats().rows_written >= 150'000; }, 120s));
  auto stopped = server.stop_immediately();
  ASSERT_EQ(stopped.exit_code, 0) << stopped.output;
  const auto written_at_stop = writer.stats().rows_written;
  EXPECT_LT(written_at_stop, static_cast<std::uint64_t>(kRows))
      << "the ingest finished before the stop";
  ASSERT_TRUE(eventually([&] { return !writer.store_up(); }, 30s));
  std::this_thread::sleep_for(20s);  // the outage itself, as the scenario specifies
  EXPECT_GT(writer.stats().spool_bytes, 0u);
  EXPECT_FALSE(writer.alert());
  auto started = server.start();
  ASSERT_EQ(started.exit_code, 0) << started.output;

  producer.join();
  ASSERT_TRUE(writer.flush(600s)) << "rows written " << writer.stats().rows_written;
  EXPECT_TRUE(writer.store_up());
  EXPECT_EQ(pg_value(db.url(), "SELECT count(*) FROM market_trades"), std::to_string(kRows));
  EXPECT_EQ(pg_value(db.url(), "SELECT count(DISTINCT (symbol, trade_id)) FROM market_trades"),
            std::to_string(kRows));
  EXPECT_EQ(pg_value(db.url(),
                     "SELECT min(trade_id)::text || '-' || max(trade_id)::text FROM market_trades"),
            "0-" + std::to_string(kRows - 1));
  writer.stop();
  std::filesystem::remove_all(spool.parent_path());
}

// A read-only server (a standby after a failover, default_transaction_read_only) is an outage, not
// bad data (storage audit D2): rows wait in the spool with tg4_store_up 0, none is set aside, and
// all of them arrive once the server takes writes again.
TEST(PostgresReadOnly, AReadOnlyServerIsAnOutageAndNothingIsSetAside) {
  TG4_NEED_ENV(admin, "TG4_TEST_PG_URL");
  PgDatabase db(admin, "h6_read_only");
  ASSERT_EQ(db.error(), "");
  ASSERT_TRUE(open_store(db.url())) << "migrations";
  const std::string read_only_url = db.url() +
                                    (db.url().find('?') == std::string::npos ? "?" : "&") +
                                    "options=-c%20default_transaction_read_only%3Don";
  const auto tmp = env("TG4_TEST_TMP").value_or(std::filesystem::temp_directory_path().string());
  const auto dir = std::filesystem::path(tmp) / ("h6-read-only-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::atomic<bool> writable{false};
  prometheus::Registry registry;
  WriterOptions options;
  options.spool_path = dir / "store.spool";
  options.batch_interval = 20ms;
  options.reconnect_min = 5ms;
  options.reconnect_max = 50ms;
  Writer writer(
      [&]() -> core::Result<std::unique_ptr<Store>> {
        OpenOptions open;
        open.migrate = false;  // a standby refuses even CREATE TABLE IF NOT EXISTS
        return open_store(writable ? db.url() : read_only_url, open);
      },
      options, registry);
  ASSERT_TRUE(writer.push(sample_order(1)));
  ASSERT_TRUE(writer.push(sample_fill(1)));
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(writer.push(sample_trade(i)));
  ASSERT_TRUE(eventually([&] { return writer.stats().rows_spooled >= 22; }, 10s));
  EXPECT_FALSE(writer.store_up());
  EXPECT_EQ(writer.stats().rows_rejected, 0u);
  EXPECT_FALSE(std::filesystem::exists(dir / "store.spool.rejected"));

  writable = true;
  ASSERT_TRUE(writer.flush(10s));
  EXPECT_TRUE(writer.store_up());
  EXPECT_EQ(writer.stats().rows_rejected, 0u);
  EXPECT_EQ(pg_value(db.url(), "SELECT count(*) FROM orders"), "1");
  EXPECT_EQ(pg_value(db.url(), "SELECT count(*) FROM fills"), "1");
  EXPECT_EQ(pg_value(db.url(), "SELECT count(*) FROM market_trades"), "20");
  writer.stop();
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace tg4::storage
