// `tg4 ctl` refusing what it cannot send, before any connection: an action that needs an operand
// and was given none says what it needs (exit 2), rather than calling the action unknown. And its
// tables print numbers as plain decimals.
#include <gtest/gtest.h>

#include <filesystem>

#include "cli_process.hpp"
#include "net/http_server.hpp"
#include "net/ws_client.hpp"

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

// The API's JSON has doubles (confidence, score), which Boost.JSON writes as 9.5E-1, and
// parsed_json holds more of them; the readable table shows them as plain decimals (the raw JSON
// with --json is left as it came). The API answers here from a server of the test's own, in the
// API's format.
TEST(CtlCli, NumbersArePrintedAsPlainDecimals) {
  const auto dir = std::filesystem::temp_directory_path() / "tg4-ctl-cli-numbers";
  std::filesystem::create_directories(dir);
  net::IoThread io;
  net::HttpServerOptions options;
  options.address = "127.0.0.1";
  net::HttpServer api(io.io(), options);
  api.route("GET", "/api/v1/decisions", [](const net::HttpRequest&) {
    return net::HttpResponse::json(
        200, R"({"decisions":[{"agent":"decision","confidence":9.5E-1,"cost_usd":"0.0003",)"
             R"("parsed_json":"{\"action\":\"BUY\",\"confidence\":1E0,\"size_factor\":5E-1}"},)"
             R"({"agent":"coordinator","confidence":0E0,"cost_usd":"0","parsed_json":""}]})");
  });
  api.route("GET", "/api/v1/leaderboard", [](const net::HttpRequest&) {
    return net::HttpResponse::json(
        200,
        R"({"leaderboard":[{"model":"m1","score":9.117647058823528E-1,"sum":2.700000000000001E-1}]})");
  });
  ASSERT_TRUE(api.start().ok());
  const std::string url = "http://127.0.0.1:" + std::to_string(api.port());
  const auto decisions =
      run_cli(dir, TG4_BINARY, "ctl", {"decisions", "--url", url, "--token", "t"});
  ASSERT_EQ(decisions.code, 0) << decisions.err;
  EXPECT_EQ(decisions.out.find("E-"), std::string::npos) << decisions.out;
  EXPECT_EQ(decisions.out.find("E0"), std::string::npos) << decisions.out;
  EXPECT_NE(decisions.out.find("0.95 "), std::string::npos) << decisions.out;
  EXPECT_NE(decisions.out.find(R"({"action":"BUY","confidence":1,"size_factor":0.5})"),
            std::string::npos)
      << decisions.out;
  const auto board = run_cli(dir, TG4_BINARY, "ctl", {"leaderboard", "--url", url, "--token", "t"});
  ASSERT_EQ(board.code, 0) << board.err;
  EXPECT_NE(board.out.find("0.911765"), std::string::npos) << board.out;
  EXPECT_NE(board.out.find("0.27 "), std::string::npos) << "no float noise: " << board.out;
  api.stop();
  io.stop();
}

}  // namespace
}  // namespace tg4
