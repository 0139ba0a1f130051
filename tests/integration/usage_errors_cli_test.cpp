// Usage errors are exit 2 and are found before anything starts (SPEC §12): a bad --url used to
// start the node, reconcile and record a session before failing with 1, a negative --duration
// ran and stopped at once with 0, and a missing input file was 1 for some commands, 2 for others.
#include <gtest/gtest.h>

#include <filesystem>

#include "cli_process.hpp"

namespace tg4 {
namespace {

using testing::run_cli;

class UsageErrors : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("tg4-usage-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  // tg4 with a store in the test's folder and any free metrics port, so that a start would show.
  testing::CliOutcome run(const std::string& command, const std::vector<std::string>& args) {
    return run_cli(
        dir_, TG4_BINARY,
        "--store sqlite:" + (dir_ / "t.db").string() + " --metrics 127.0.0.1:0 " + command, args);
  }
  std::filesystem::path dir_;
};

TEST_F(UsageErrors, ABadFeedUrlIsRefusedBeforeTheNodeStarts) {
  const auto o = run("paper", {"--url", "garbage", "--duration", "2"});
  EXPECT_EQ(o.code, 2) << o.err;
  EXPECT_NE(o.err.find("tg4 paper: --url: URL 'garbage': not a valid URL"), std::string::npos)
      << o.err;
  EXPECT_FALSE(std::filesystem::exists(dir_ / "t.db")) << "the node started: " << o.err;
}

TEST_F(UsageErrors, ANegativeDurationIsRefused) {
  for (const std::string command : {"demo", "paper", "live"}) {
    const auto o = run(command, {"--duration", "-5"});
    EXPECT_EQ(o.code, 2) << command << ": " << o.err;
    EXPECT_NE(o.err.find("--duration: must be 0 (until stopped) or more seconds, got -5"),
              std::string::npos)
        << command << ": " << o.err;
    EXPECT_FALSE(std::filesystem::exists(dir_ / "t.db")) << command;
  }
}

TEST_F(UsageErrors, AMissingInputFileIsAUsageError) {
  const std::string none = (dir_ / "none.csv").string();
  const std::vector<std::pair<std::pair<std::string, std::vector<std::string>>, std::string>>
      cases = {
          {{"indicators", {"--input", none}}, "tg4 indicators: --input " + none + ": no such file"},
          {{"decide", {"--symbol", "BTC/USDT", "--once", "--data", none}},
           "tg4 decide: --data " + none + ": no such file"},
          {{"replay", {none}}, none},
          {{"backtest", {"--data", none, "--strategy", "ema_cross"}}, none},
      };
  for (const auto& [command, said] : cases) {
    const auto o = run(command.first, command.second);
    EXPECT_EQ(o.code, 2) << command.first << ": " << o.err;
    EXPECT_NE(o.err.find(said), std::string::npos) << command.first << ": " << o.err;
  }
}

// `--days 0` used to backfill history.backfill_days (30 days: 30 times the REST calls asked for)
// while its own message said 1 to 3650. Refused before the store is opened or Kraken is asked.
TEST_F(UsageErrors, BackfillDaysOutsideOneTo3650IsRefused) {
  for (const std::string days : {"0", "-1", "3651"}) {
    const auto o = run(
        "backfill", {"--symbols", "BTC/USDT", "--days", days, "--rest-url", "http://127.0.0.1:9"});
    EXPECT_EQ(o.code, 2) << days << ": " << o.err;
    EXPECT_NE(o.err.find("tg4 backfill: --days must be between 1 and 3650, got " + days),
              std::string::npos)
        << o.err;
    EXPECT_FALSE(std::filesystem::exists(dir_ / "t.db")) << days << ": the store was opened";
  }
}

TEST_F(UsageErrors, ABadCtlUrlIsAUsageError) {
  const auto o = run_cli(dir_, TG4_BINARY, "ctl", {"status", "--url", "notaurl", "--token", "t"});
  EXPECT_EQ(o.code, 2) << o.err;
  EXPECT_NE(o.err.find("tg4 ctl: --url: URL 'notaurl': not a valid URL"), std::string::npos)
      << o.err;
}

// CLI11 checks for a chosen subcommand before it looks at what was left over: `tg4 bogus` used to
// say "A subcommand is required", which hides the typo.
TEST_F(UsageErrors, AnUnknownSubcommandIsNamed) {
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"bogus"}, "tg4: unknown subcommand 'bogus'; expected one of: demo, paper, live,"},
      {{"config", "shwo"},
       "tg4 config: unknown subcommand 'shwo'; expected one of: check, show, template, docs"},
      {{"config"}, "tg4 config: a subcommand is required, one of: check, show, template, docs"},
  };
  for (const auto& [args, said] : cases) {
    const auto o = run_cli(dir_, TG4_BINARY, "", args);
    EXPECT_EQ(o.code, 2) << args.front() << ": " << o.err;
    EXPECT_NE(o.err.find(said), std::string::npos) << args.front() << ": " << o.err;
    EXPECT_EQ(o.err.find("A subcommand is required"), std::string::npos) << o.err;
  }
  const auto option = run_cli(dir_, TG4_BINARY, "--bogus", {});
  EXPECT_EQ(option.code, 2) << option.err;
  EXPECT_NE(
      option.err.find("tg4: unknown option '--bogus'; a subcommand is required, one of: demo,"),
      std::string::npos)
      << option.err;
}

}  // namespace
}  // namespace tg4
