// `tg4 ctl` refusing what it cannot send, before any connection: an action that needs an operand
// and was given none says what it needs (exit 2), rather than calling the action unknown.
#include <gtest/gtest.h>

#include <filesystem>

#include "cli_process.hpp"

namespace tg4 {
namespace {

using testing::run_cli;

TEST(CtlCli, AnActionWithoutItsOperandSaysWhatItNeeds) {
  const auto dir = std::filesystem::temp_directory_path() / "tg4-ctl-cli";
  std::filesystem::create_directories(dir);
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"close", "tg4 ctl close: needs the SYMBOL of the position to close"},
      {"cancel", "tg4 ctl cancel: needs the CLIENT_ORDER_ID of the order to cancel"},
      {"run-agent",
       "tg4 ctl run-agent: needs the agent to run: regime, technical, sentiment or rebalance"},
  };
  for (const auto& [action, said] : cases) {
    // A URL nobody listens on: the refusal must come before any attempt to connect.
    const auto o =
        run_cli(dir, TG4_BINARY, "ctl", {action, "--url", "http://127.0.0.1:9", "--token", "t"});
    EXPECT_EQ(o.code, 2) << action << ": " << o.err;
    EXPECT_NE(o.err.find(said), std::string::npos) << o.err;
  }
}

}  // namespace
}  // namespace tg4
