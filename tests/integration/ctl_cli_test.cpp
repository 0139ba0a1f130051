// `tg4 ctl` refusing what it cannot send, before any connection: an action that needs an operand
// and was given none says what it needs (exit 2), rather than calling the action unknown. And its
// tables print numbers as plain decimals.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>

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
  // Exact decimals as the API writes them: computed amounts with up to 18 places (the risk state's
  // equity and PnL), balances in an object, and an XRP/BTC price and a BTC quantity at Kraken's
  // 8 places.
  api.route("GET", "/api/v1/risk", [](const net::HttpRequest&) {
    return net::HttpResponse::json(
        200, R"({"equity":"9984.4364888522748","daily_pnl":"-15.5635111477252",)"
             R"("weekly_pnl_pct":"-0.155635111477252","peak_equity":"10000",)"
             R"("day_start":"2024-01-01T00:00:00.000000000Z","tiny":"-0.0000000001"})");
  });
  api.route("GET", "/api/v1/portfolio", [](const net::HttpRequest&) {
    return net::HttpResponse::json(
        200,
        R"({"equity":"9984.43648885","balances":{"BTC":"0.03431434","USDT":"9984.4364888522748"}})");
  });
  api.route("GET", "/api/v1/positions", [](const net::HttpRequest&) {
    return net::HttpResponse::json(
        200, R"({"positions":[{"symbol":"XRP/BTC","qty":"1250.5","avg_price":"0.00000886"}]})");
  });
  ASSERT_TRUE(api.start().ok());
  const std::string url = "http://127.0.0.1:" + std::to_string(api.port());
  const auto risk = run_cli(dir, TG4_BINARY, "ctl", {"risk", "--url", url, "--token", "t"});
  ASSERT_EQ(risk.code, 0) << risk.err;
  EXPECT_NE(risk.out.find("9984.43648885\n"), std::string::npos) << risk.out;
  EXPECT_NE(risk.out.find("-15.56351115\n"), std::string::npos) << risk.out;
  EXPECT_NE(risk.out.find("-0.15563511\n"), std::string::npos) << risk.out;
  EXPECT_NE(risk.out.find("10000\n"), std::string::npos) << risk.out;
  EXPECT_NE(risk.out.find("2024-01-01T00:00:00.000000000Z"), std::string::npos) << "not a number";
  EXPECT_TRUE(std::regex_search(risk.out, std::regex("tiny +0\n"))) << risk.out;
  EXPECT_EQ(risk.out.find("4888522748"), std::string::npos) << risk.out;
  const auto portfolio =
      run_cli(dir, TG4_BINARY, "ctl", {"portfolio", "--url", url, "--token", "t"});
  ASSERT_EQ(portfolio.code, 0) << portfolio.err;
  EXPECT_NE(portfolio.out.find(R"({"BTC":"0.03431434","USDT":"9984.43648885"})"), std::string::npos)
      << portfolio.out;
  const auto positions =
      run_cli(dir, TG4_BINARY, "ctl", {"positions", "--url", url, "--token", "t"});
  ASSERT_EQ(positions.code, 0) << positions.err;
  EXPECT_NE(positions.out.find("0.00000886"), std::string::npos) << positions.out;
  // --json is the API's answer as it came.
  const auto raw =
      run_cli(dir, TG4_BINARY, "ctl", {"risk", "--json", "--url", url, "--token", "t"});
  EXPECT_NE(raw.out.find("9984.4364888522748"), std::string::npos) << raw.out;
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

// cancel A B used to cancel A alone and exit 0: extra operands are refused before any connection.
TEST(CtlCli, ExtraOperandsAreRefused) {
  const auto dir = std::filesystem::temp_directory_path() / "tg4-ctl-cli";
  std::filesystem::create_directories(dir);
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"cancel", "ord-1", "ord-2"},
       "tg4 ctl cancel: unexpected operand ord-2: it acts on one at a time"},
      {{"close", "BTC/USDT", "ETH/USDT", "XRP/USDT"},
       "tg4 ctl close: unexpected operands ETH/USDT XRP/USDT: it acts on one at a time"},
      {{"pause", "now", "please"}, "tg4 ctl pause: unexpected operands now please: it takes none"},
      {{"status", "extra"}, "tg4 ctl status: unexpected operand extra: it takes none"},
  };
  for (const auto& [words, said] : cases) {
    std::vector<std::string> args = words;
    args.insert(args.end(), {"--url", "http://127.0.0.1:9", "--token", "t", "--yes"});
    const auto o = run_cli(dir, TG4_BINARY, "ctl", args);
    EXPECT_EQ(o.code, 2) << words.front() << ": " << o.err;
    EXPECT_NE(o.err.find(said), std::string::npos) << o.err;
  }
}

// The config names the node to act on: a broken or missing named config is a usage error (exit 2),
// not a silent fallback to 127.0.0.1:8080 (another node's default).
TEST(CtlCli, ABrokenOrMissingNamedConfigIsRefused) {
  const auto dir = std::filesystem::temp_directory_path() / "tg4-ctl-cli-config";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "broken.yaml")
      << "api:\n  address: 127.0.0.1:9\nrisk:\n  max_leverage: 2.5\n";
  auto o = run_cli(dir, TG4_BINARY, "--config broken.yaml ctl", {"status", "--token", "t"});
  EXPECT_EQ(o.code, 2) << o.err;
  EXPECT_NE(o.err.find("risk.max_leverage"), std::string::npos) << o.err;
  EXPECT_EQ(o.err.find("8080"), std::string::npos) << o.err;

  o = run_cli(dir, TG4_BINARY, "--config none.yaml ctl", {"status", "--token", "t"});
  EXPECT_EQ(o.code, 2) << o.err;
  EXPECT_NE(o.err.find("none.yaml"), std::string::npos) << o.err;
  EXPECT_EQ(o.err.find("8080"), std::string::npos) << o.err;

  // Named explicitly, the config is checked even with --url.
  o = run_cli(dir, TG4_BINARY, "--config broken.yaml ctl",
              {"status", "--url", "http://127.0.0.1:9", "--token", "t"});
  EXPECT_EQ(o.code, 2) << o.err;

  // The default file missing keeps the built-in address, and says so (what answers there, if
  // anything, is not this test's business: only the note is checked).
  o = run_cli(dir, TG4_BINARY, "ctl", {"status", "--token", "t"}, "/dev/null");
  EXPECT_NE(o.err.find("tg4 ctl: no config/tg4.yaml: using the built-in API address"),
            std::string::npos)
      << o.err;
}

// A node with api.tls_cert serves HTTPS only: ctl's default URL follows, and --ca-file trusts a
// self-signed certificate (before, only SSL_CERT_FILE did).
TEST(CtlCli, TheConfigsTlsCertMeansHttps) {
  const auto dir = std::filesystem::temp_directory_path() / "tg4-ctl-cli-tls";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "cert.pem") << "not read: nobody listens\n";
  std::ofstream(dir / "tls.yaml")
      << "api:\n  address: 127.0.0.1:9\n  tls_cert: cert.pem\n  tls_key: key.pem\n";
  auto o = run_cli(dir, TG4_BINARY, "--config tls.yaml ctl", {"status", "--token", "t"});
  EXPECT_EQ(o.code, 1) << o.err;
  EXPECT_NE(o.err.find("tg4 ctl: https://127.0.0.1:9: "), std::string::npos) << o.err;

  o = run_cli(dir, TG4_BINARY, "ctl",
              {"status", "--url", "https://127.0.0.1:9", "--token", "t", "--ca-file", "none.pem"});
  EXPECT_EQ(o.code, 2) << o.err;
  EXPECT_NE(o.err.find("tg4 ctl: --ca-file none.pem: no such file"), std::string::npos) << o.err;
}

}  // namespace
}  // namespace tg4
