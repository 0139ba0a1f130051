// `tg4 live` whose Kraken keys the exchange refuses (here `tg4 sim`'s private side, which answers
// as Kraken does): the node cannot place an order, and everything an operator reads must say so.
// It used to log "GetWebSocketsToken: *** key" (the log's secret masking took Kraken's error code
// for a token), show `state ACTIVE  feed up` with `equity 0.00` for an account it had never seen,
// and answer /ready with 200.
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>

#include <boost/json.hpp>
#include <fstream>
#include <regex>
#include <string>

#include "api/auth.hpp"
#include "integration/feed_sim_support.hpp"
#include "net/http_client.hpp"
#include "sim/sim_options.hpp"
#include "support/child_process.hpp"

namespace tg4 {
namespace {

using namespace std::chrono_literals;
using feed_testing::read_text;
using feed_testing::SimProcess;
using feed_testing::TempDir;
using feed_testing::Tg4Process;
namespace json = boost::json;

constexpr const char* kWrongKey = "tg4-wrong-key-0123456789";
constexpr const char* kToken = "live-cli-token-0123456789";

TEST(LiveCli, AKeyKrakenRefusesIsNamedAndTheNodeIsNotReadyNorShowsAnEquity) {
  TempDir dir;
  SimProcess sim(dir, {"--history-days", "0", "--symbols", "BTC/USDT"});
  const std::string config = dir.file("live.yaml");
  std::ofstream(config)
      << "app:\n  mode: live\n"
      << "symbols: [BTC/USDT]\n"
      << "feed:\n  url: " << sim.ws_url << "\n  auth_url: ws://" << sim.host_port << "/v2-auth\n"
      << "rest:\n  url: " << sim.rest_url << "\n  api_key: " << kWrongKey
      << "\n  api_secret: " << sim::kTestApiSecret << "\n"
      << "history:\n  backfill_on_start: false\n"
      << "metrics:\n  address: 127.0.0.1:0\n"
      << "api:\n  address: 127.0.0.1:0\n  tokens:\n    - {name: ops, role: viewer, sha256: "
      << api::Auth::hash_token(kToken) << "}\n";
  ::setenv("TG4_LIVE", "I_UNDERSTAND_THE_RISKS", 1);
  const std::string err = dir.file("live.stderr");
  Tg4Process node({"--config", config, "--store", "sqlite:" + dir.file("live.db"), "live", "--out",
                   dir.file("out")},
                  err);

  // The running line names the API and /metrics; Kraken's refusal comes from the venue.
  std::smatch running;
  const std::regex addresses(
      R"(metrics (http://127\.0\.0\.1:\d+/metrics), API (http://127\.0\.0\.1:\d+))");
  ASSERT_TRUE(testing::wait_until(60s, [&] {
    const std::string text = read_text(err);
    return text.find("EAPI:Invalid key") != std::string::npos && std::regex_search(text, addresses);
  })) << read_text(err);
  const std::string log_start = read_text(err);
  ASSERT_TRUE(std::regex_search(log_start, running, addresses));
  const std::string metrics_url = running[1], api_url = running[2];
  EXPECT_NE(
      log_start.find("kraken venue: no WebSocket token: Kraken REST GetWebSocketsToken: "
                     "EAPI:Invalid key (Kraken does not know this API key: check rest.api_key)"),
      std::string::npos)
      << log_start;
  EXPECT_EQ(log_start.find("*** key"), std::string::npos) << log_start;

  // Named: GCC 12 -O3 misreads a defaulted temporary as uninitialised.
  net::HttpClientOptions client_options;
  net::HttpClient client(std::move(client_options));
  // Not ready: no order can be placed, whatever the market feed does.
  const auto ready = client.get(api_url + "/ready");
  ASSERT_TRUE(ready) << ready.error().message;
  EXPECT_EQ(ready->status, 503) << ready->body;

  // /status names the venue's problem and has no equity to show (null, not a zero).
  json::object status;
  ASSERT_TRUE(testing::wait_until(30s, [&] {
    net::HttpClientRequest request;
    request.method = "GET";
    request.url = api_url + "/api/v1/status";
    request.headers.push_back({"Authorization", std::string("Bearer ") + kToken});
    const auto answer = client.request(request);
    if (!answer || answer->status != 200) return false;
    status = json::parse(answer->body).as_object();
    return status.contains("venue_problem");
  })) << json::serialize(status);
  EXPECT_EQ(status.at("venue_connected"), json::value(false)) << json::serialize(status);
  const std::string problem(status.at("venue_problem").as_string());
  EXPECT_NE(problem.find("EAPI:Invalid key"), std::string::npos) << problem;
  EXPECT_NE(problem.find("check rest.api_key"), std::string::npos) << problem;
  EXPECT_TRUE(status.at("equity").is_null()) << json::serialize(status);
  EXPECT_EQ(status.at("equity_confirmed"), json::value(false)) << json::serialize(status);

  // The metrics an alert reads: the session down (TG4VenueDown), Kraken's code counted.
  const auto metrics = client.get(metrics_url);
  ASSERT_TRUE(metrics) << metrics.error().message;
  EXPECT_NE(metrics->body.find("\ntg4_venue_up 0"), std::string::npos)
      << metrics->body.substr(0, 3000);
  EXPECT_NE(metrics->body.find("tg4_venue_errors_total{code=\"EAPI:Invalid key\"}"),
            std::string::npos);

  // The stop's summary: the venue never came up, and why; no equity.
  node.signal(SIGTERM);
  const std::string out = node.rest_of_stdout();
  EXPECT_EQ(node.wait(), 0) << read_text(err);
  const auto summary = out.find("== session");
  ASSERT_NE(summary, std::string::npos) << out;
  EXPECT_NE(
      out.find(
          "venue never up (no WebSocket token: Kraken REST GetWebSocketsToken: EAPI:Invalid key",
          summary),
      std::string::npos)
      << out;
  EXPECT_NE(out.find("equity unknown (no balances from the venue yet)", summary), std::string::npos)
      << out;
  EXPECT_EQ(out.find("equity 0.00", summary), std::string::npos) << out;
  const std::string all_logs = read_text(err);
  EXPECT_EQ(all_logs.find(kWrongKey), std::string::npos) << "the key was logged";
  EXPECT_EQ(all_logs.find(sim::kTestApiSecret), std::string::npos) << "the secret was logged";
}

}  // namespace
}  // namespace tg4
