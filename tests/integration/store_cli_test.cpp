// Store errors as the commands report them (SPEC §12; storage audit D5 and D7): a URL that names no
// store tg4 knows is a configuration error (exit 2) for every command, before anything starts; a
// database that cannot be reached, or that a newer tg4 migrated, is a runtime failure (exit 1); a
// backtest reads a store it may not write.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "storage/migrations.hpp"
#include "storage/sample_rows.hpp"
#include "storage/sql_store.hpp"
#include "storage/store.hpp"
#include "storage_test_env.hpp"

namespace tg4::storage {
namespace {

namespace fs = std::filesystem;
using testing::CommandResult;
using testing::free_port;
using testing::run_command;

class StoreCli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("tg4_store_cli_" + std::to_string(getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    fs::permissions(dir_, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                              fs::perms::others_read | fs::perms::others_exec);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // `tg4 --store URL COMMAND…` run in the test's folder (its var/ goes there), on a free metrics
  // port.
  CommandResult tg4(const std::string& store, const std::string& command,
                    const std::string& prefix = "") {
    return run_command("cd '" + dir_.string() + "' && " + prefix + "'" + TG4_BINARY +
                       "' --metrics 127.0.0.1:0 --store '" + store + "' " + command);
  }

  fs::path dir_;
};

const char* const kCommands[] = {
    "migrate",
    "demo --duration 3",
    "paper --fresh --duration 3 --url ws://127.0.0.1:1/v2",
    "backfill --symbols BTC/USDT --days 1 --rest-url http://127.0.0.1:1",
    "backtest --data store:BTC/USDT --strategy ema_cross",
};

TEST_F(StoreCli, AUrlNamingNoKnownStoreIsAConfigurationErrorForEveryCommand) {
  for (const std::string url :
       {"mysql://u:s3cret@127.0.0.1:1/db", "postgresql://u:s3cret@127.0.0.1:99999/db",
        "postgresql://u:s3cret@127.0.0.1:5432/db?sslmode=bogus"}) {
    for (const std::string command : kCommands) {
      const CommandResult r = tg4(url, command);
      EXPECT_EQ(r.exit_code, 2) << url << " " << command << ":\n" << r.output;
      EXPECT_NE(r.output.find("u:***@"), std::string::npos) << url << " " << command << ":\n"
                                                            << r.output;
      EXPECT_EQ(r.output.find("s3cret"), std::string::npos) << r.output;
      EXPECT_EQ(r.output.find("simulator"), std::string::npos)
          << "refused before anything started:\n"
          << r.output;
    }
  }
}

TEST_F(StoreCli, AnUnreachableDatabaseIsARuntimeFailureForEveryCommand) {
  const std::string url = "postgresql://u:s3cret@127.0.0.1:" + std::to_string(free_port()) + "/db";
  for (const std::string command : kCommands) {
    const CommandResult r = tg4(url, command);
    EXPECT_EQ(r.exit_code, 1) << command << ":\n" << r.output;
    EXPECT_NE(r.output.find("unreachable"), std::string::npos) << command << ":\n" << r.output;
    EXPECT_EQ(r.output.find("s3cret"), std::string::npos) << r.output;
  }
}

TEST_F(StoreCli, ADatabaseANewerTg4MigratedIsRefusedNamingTheMigration) {
  const std::string url = "sqlite:" + (dir_ / "newer.db").string();
  {
    auto store = open_store(url);
    ASSERT_TRUE(store) << store.error().message;
    ASSERT_TRUE(dynamic_cast<SqlStore&>(**store).query(
        "INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES "
        "('0099_future', "
        "'sql/sqlite/0099_future.sql', 'deadbeef', '2030-01-01T00:00:00Z')",
        {}));
  }
  for (const std::string command : {"migrate", "migrate --dry-run", "demo --duration 3"}) {
    const CommandResult r = tg4(url, command);
    EXPECT_EQ(r.exit_code, 1) << command << ":\n" << r.output;
    EXPECT_NE(r.output.find("0099_future"), std::string::npos) << command << ":\n" << r.output;
  }
}

// The audit's case: the store file belongs to another user (root), the backtest runs as nobody.
TEST_F(StoreCli, ABacktestReadsAStoreItMayNotWrite) {
  if (geteuid() != 0 || run_command("command -v runuser").exit_code != 0)
    GTEST_SKIP() << "needs root and runuser to run the backtest as another user";
  if (run_command("runuser -u nobody -- test -x '" + std::string(TG4_BINARY) + "'").exit_code != 0)
    GTEST_SKIP() << "nobody cannot run " << TG4_BINARY;
  const fs::path file = dir_ / "root.db";
  {
    auto store = open_store("sqlite:" + file.string());
    ASSERT_TRUE(store) << store.error().message;
    Batch bars;
    for (int minute = 0; minute < 120; ++minute) bars.add(sample_bar(minute));
    ASSERT_TRUE((*store)->write(bars));
  }
  ASSERT_FALSE(fs::exists(dir_ / "root.db-wal")) << "closed: the WAL is checkpointed away";
  const auto before = fs::last_write_time(file);
  const CommandResult r =
      tg4("sqlite:" + file.string(),
          "backtest --data store:BTC/USDT --strategy ema_cross --param fast=3 --param slow=8",
          "runuser -u nobody -- ");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("\"bars\""), std::string::npos) << r.output;
  EXPECT_EQ(fs::last_write_time(file), before);
}

}  // namespace
}  // namespace tg4::storage
