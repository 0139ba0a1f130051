#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "storage/migrations.hpp"
#include "storage/store_checks.hpp"
#include "storage/store_url.hpp"

namespace tg4::storage {
namespace {

using namespace testing;

OpenOptions no_migrate() {
  OpenOptions o;
  o.migrate = false;
  return o;
}

class SqliteStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("tg4-sqlite-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    auto opened = open_store("sqlite:" + (dir_ / "sub" / "tg4.db").string());
    ASSERT_TRUE(opened) << opened.error().message;
    store_ = std::move(*opened);
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  std::filesystem::path dir_;
  std::unique_ptr<Store> store_;
};

TEST_F(SqliteStoreTest, EveryRecordTypeRoundTrips) {
  expect_every_record_round_trips(*store_);
}
TEST_F(SqliteStoreTest, ReplayingABatchLeavesOneCopy) {
  expect_replay_leaves_one_copy(*store_);
}
TEST_F(SqliteStoreTest, RollsUpBarsExactly) {
  expect_bar_rollups(*store_);
}
TEST_F(SqliteStoreTest, ScopesSeparatePaperAndLive) {
  expect_scopes(*store_);
}

TEST_F(SqliteStoreTest, MigrationsAreRecordedAndIdempotent) {
  auto again = store_->migrate(false);
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_TRUE(again->applied.empty());
  EXPECT_EQ(again->already.size(), migrations_in("sqlite").size());
  auto dry = store_->migrate(true);
  ASSERT_TRUE(dry);
  EXPECT_TRUE(dry->pending.empty());
  // A second connection to the same file sees the recorded migrations and applies nothing.
  auto other = open_store("sqlite:" + (dir_ / "sub" / "tg4.db").string(), no_migrate());
  ASSERT_TRUE(other);
  auto report = (*other)->migrate(false);
  ASSERT_TRUE(report);
  EXPECT_TRUE(report->applied.empty());
}

// A database a newer tg4 migrated is refused, not written with an older idea of its tables (storage
// audit D5: it was used silently).
TEST_F(SqliteStoreTest, ADatabaseAtANewerSchemaIsRefusedNamingTheUnknownMigration) {
  auto& sql = dynamic_cast<SqlStore&>(*store_);
  ASSERT_TRUE(
      sql.query("INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES "
                "('0099_future', 'sql/sqlite/0099_future.sql', 'deadbeef', "
                "'2030-01-01T00:00:00Z')",
                {}));
  auto reopened = open_store("sqlite:" + (dir_ / "sub" / "tg4.db").string());
  ASSERT_FALSE(reopened);
  const std::string& message = reopened.error().message;
  EXPECT_NE(message.find("0099_future"), std::string::npos) << message;
  EXPECT_NE(message.find("newer"), std::string::npos) << message;
  EXPECT_NE(message.find(migrations_in("sqlite").back().version), std::string::npos) << message;
  EXPECT_FALSE(store_->migrate(true)) << "a dry run says so too";
  // Reading (a backtest, a report) does not migrate and still works.
  EXPECT_TRUE(open_store("sqlite:" + (dir_ / "sub" / "tg4.db").string(), no_migrate()));
}

TEST_F(SqliteStoreTest, OrdersFromBefore0004ReadAtLeverageOne) {
  expect_orders_from_before_0004_read_at_leverage_one(*store_);
}

TEST_F(SqliteStoreTest, DryRunOnAFreshFileListsPendingAndChangesNothing) {
  const auto path = (dir_ / "fresh.db").string();
  auto fresh = open_store("sqlite:" + path, no_migrate());
  ASSERT_TRUE(fresh);
  auto dry = (*fresh)->migrate(true);
  ASSERT_TRUE(dry);
  ASSERT_FALSE(dry->pending.empty());
  EXPECT_EQ(dry->pending.front(), "0001_init");
  auto after = (*fresh)->migrate(true);
  ASSERT_TRUE(after);
  EXPECT_EQ(after->pending, dry->pending);
  auto applied = (*fresh)->migrate(false);
  ASSERT_TRUE(applied);
  EXPECT_EQ(applied->applied, dry->pending);
}

TEST_F(SqliteStoreTest, EmbeddedMigrationsExistForBothBackends) {
  EXPECT_FALSE(migrations_in("sqlite").empty());
  EXPECT_FALSE(migrations_in("postgres").empty());
  EXPECT_FALSE(migrations_in("postgres/timescaledb", "timescaledb/").empty());
  EXPECT_EQ(migrations_in("postgres/timescaledb", "timescaledb/").front().version,
            "timescaledb/0001_hypertables");
  for (const auto& m : migrations_in("postgres")) EXPECT_EQ(m.version.find('/'), std::string::npos);
}

TEST_F(SqliteStoreTest, ReadersSeeWhatAnotherConnectionWrote) {
  auto reader = open_store("sqlite:" + (dir_ / "sub" / "tg4.db").string());
  ASSERT_TRUE(reader);
  Batch b;
  b.add(sample_trade(1));
  ASSERT_TRUE(store_->write(b));
  EXPECT_EQ((*reader)->trades("BTC/USDT", {})->size(), 1u);
}

// A reader (tg4 backtest --data store:…) given a path that is not there gets "no such store" and
// leaves nothing behind; it still opens a store that exists. Writers create as before (SetUp).
TEST_F(SqliteStoreTest, AReaderDoesNotCreateAMissingStore) {
  OpenOptions reader = no_migrate();
  reader.create = false;
  const auto missing = dir_ / "none" / "tg4.db";
  auto opened = open_store("sqlite:" + missing.string(), reader);
  ASSERT_FALSE(opened);
  EXPECT_NE(opened.error().message.find("no such store"), std::string::npos)
      << opened.error().message;
  EXPECT_NE(opened.error().message.find(missing.string()), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(missing.parent_path()));
  auto existing = open_store("sqlite:" + (dir_ / "sub" / "tg4.db").string(), reader);
  ASSERT_TRUE(existing) << existing.error().message;
  EXPECT_TRUE((*existing)->trades("BTC/USDT", {}));
}

TEST_F(SqliteStoreTest, RefusedDataIsNotTransient) {
  // A NOT NULL key column left unset (zero time is NULL) is refused: retrying cannot help.
  Batch b;
  auto t = sample_trade(1);
  t.time = {};
  b.add(t);
  auto status = store_->write(b);
  ASSERT_FALSE(status);
  EXPECT_FALSE(store_->last_failure_transient());
  EXPECT_NE(status.error().message.find("market_trades"), std::string::npos)
      << status.error().message;
  // The failed transaction left nothing behind and the store still works.
  Batch ok;
  ok.add(sample_trade(2));
  EXPECT_TRUE(store_->write(ok));
}

TEST(StoreUrl, MalformedUrlsNameTheUrlAndRedactThePassword) {
  auto unknown = open_store("mysql://root:hunter2@localhost/db");
  ASSERT_FALSE(unknown);
  EXPECT_NE(unknown.error().message.find("mysql://root:***@localhost/db"), std::string::npos)
      << unknown.error().message;
  EXPECT_EQ(unknown.error().message.find("hunter2"), std::string::npos);
  EXPECT_NE(unknown.error().message.find("sqlite:PATH"), std::string::npos);

  auto empty = open_store("sqlite:");
  ASSERT_FALSE(empty);
  EXPECT_NE(empty.error().message.find("no file path"), std::string::npos);

  auto bad_pg = open_store("postgresql://user:s3cret@host:notaport/db");
  ASSERT_FALSE(bad_pg);
  EXPECT_NE(bad_pg.error().message.find("postgresql://user:***@host:notaport/db"),
            std::string::npos)
      << bad_pg.error().message;
  EXPECT_EQ(bad_pg.error().message.find("s3cret"), std::string::npos);

  auto bad_query = parse_store_url("postgresql://u:pw@h/db?password=topsecret&bogus_option=1");
  ASSERT_FALSE(bad_query);
  EXPECT_EQ(bad_query.error().message.find("topsecret"), std::string::npos)
      << bad_query.error().message;
}

TEST(StoreUrl, Redaction) {
  EXPECT_EQ(redact_url("postgresql://tg4:pa:ss@db.local:5432/tg4"),
            "postgresql://tg4:***@db.local:5432/tg4");
  EXPECT_EQ(redact_url("postgresql://tg4@db/tg4?password=x&sslmode=require"),
            "postgresql://tg4@db/tg4?password=***&sslmode=require");
  EXPECT_EQ(redact_url("redis://:secret@127.0.0.1:6379/0"), "redis://:***@127.0.0.1:6379/0");
  EXPECT_EQ(redact_url("sqlite:var/tg4.db"), "sqlite:var/tg4.db");
  EXPECT_EQ(scrub_password("failed for pw=abc123", "postgresql://u:abc123@h/d"),
            "failed for pw=***");
}

TEST(StoreUrl, UnopenableSqlitePathIsAClearError) {
  const auto file =
      std::filesystem::temp_directory_path() / ("tg4-notadir-" + std::to_string(::getpid()));
  { std::ofstream(file) << "x"; }
  auto opened = open_store("sqlite:" + (file / "tg4.db").string());
  std::filesystem::remove(file);
  ASSERT_FALSE(opened);
  EXPECT_NE(opened.error().message.find("sqlite:" + (file / "tg4.db").string()), std::string::npos)
      << opened.error().message;
}

TEST(Timeframes, ParseNameAndBuckets) {
  EXPECT_EQ(*parse_timeframe("1w"), 10080);
  EXPECT_EQ(*parse_timeframe("4h"), 240);
  EXPECT_EQ(*parse_timeframe("15"), 15);
  EXPECT_FALSE(parse_timeframe("2h"));
  EXPECT_EQ(timeframe_name(1440), "1d");
  EXPECT_EQ(timeframe_name(5), "5m");
  // 2023-11-15 (a Wednesday) 13:07 -> week starts Monday 2023-11-13.
  const auto t = *core::parse_rfc3339("2023-11-15T13:07:42Z");
  EXPECT_EQ(bucket_start(t, 10080), *core::parse_rfc3339("2023-11-13T00:00:00Z"));
  EXPECT_EQ(bucket_start(t, 1440), *core::parse_rfc3339("2023-11-15T00:00:00Z"));
  EXPECT_EQ(bucket_start(t, 240), *core::parse_rfc3339("2023-11-15T12:00:00Z"));
  EXPECT_EQ(bucket_start(t, 5), *core::parse_rfc3339("2023-11-15T13:05:00Z"));
}

TEST(Rollup, VwapFromVwapsWhenQuoteVolumeIsMissing) {
  std::vector<core::Bar> bars(2);
  bars[0].open_time = core::Timestamp::from_seconds(0);
  bars[0].volume = dec("1");
  bars[0].vwap = dec("10");
  bars[1].open_time = core::Timestamp::from_seconds(60);
  bars[1].volume = dec("3");
  bars[1].vwap = dec("20");
  const auto rolled = roll_up(bars, 5);
  ASSERT_EQ(rolled.size(), 1u);
  EXPECT_EQ(rolled[0].vwap, dec("17.5"));
}

}  // namespace
}  // namespace tg4::storage
