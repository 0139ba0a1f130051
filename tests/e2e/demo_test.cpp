// `tg4 demo` end to end, as a trader runs it: the real binary, the real Redis, and the real
// Prometheus (started by scripts/test) scraping it. The demo must trade (orders and fills in the
// store), answer `tg4 ctl`, and every PromQL expression of every Grafana dashboard must parse and,
// unless its panel only shows faults, return data. Panels of the LLM decision agents (and of the
// rebalance) return data
// only when they run: a second demo asks four models on a FakeLlmServer (llm_consensus), and feeds
// those panels and the LLM budget and degradation alerts.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "net/http_client.hpp"
#include "storage/store.hpp"
#include "support/child_process.hpp"
#include "support/fake_llm_server.hpp"

extern char** environ;

namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
namespace net = tg4::net;
using Clock = std::chrono::steady_clock;

std::string env(const char* name) {
  const char* value = std::getenv(name);
  return value ? value : "";
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

using Child = tg4::testing::ChildProcess;

std::string url_encode(const std::string& text) {
  std::string out;
  for (const unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

struct QueryResult {
  bool ok = false;         // Prometheus accepted the expression
  bool has_data = false;   // it returned at least one sample
  std::string error;
};

QueryResult query(net::HttpClient& client, const std::string& prometheus, const std::string& expr) {
  QueryResult result;
  auto response = client.get(prometheus + "/api/v1/query?query=" + url_encode(expr));
  if (!response) {
    result.error = response.error().message;
    return result;
  }
  json::error_code ec;
  const json::value body = json::parse(response->body, ec);
  if (ec || !body.is_object()) {
    result.error = response->body;
    return result;
  }
  const json::object& o = body.as_object();
  result.ok = o.contains("status") && o.at("status").as_string() == "success";
  if (!result.ok) {
    result.error = response->body;
    return result;
  }
  result.has_data = !o.at("data").as_object().at("result").as_array().empty();
  return result;
}

struct PanelQuery {
  std::string where;
  std::string expr;
  bool fault_only = false;
  bool llm_only = false;  // data only when the LLM decision agents run
  bool rebalance_only = false;  // data only when rebalancing is on (agents.portfolio_rebalance)
};

std::vector<PanelQuery> dashboard_queries() {
  std::vector<PanelQuery> out;
  for (const auto& entry : fs::directory_iterator(fs::path(TG4_SOURCE_DIR) / "deploy/grafana/dashboards")) {
    if (entry.path().extension() != ".json") continue;
    const json::object board = json::parse(read_file(entry.path())).as_object();
    for (const auto& panel : board.at("panels").as_array()) {
      const json::object& p = panel.as_object();
      const std::string description =
          p.contains("description") ? std::string(p.at("description").as_string()) : "";
      // A panel of the hodl bags has data once a profit fed them: an event, as a fault is.
      const bool fault_only =
          description.starts_with("fault_only") || description.starts_with("profit_only");
      const bool llm_only = description.starts_with("llm_only");
      const bool rebalance_only = description.starts_with("rebalance_only");
      for (const auto& target : p.at("targets").as_array()) {
        out.push_back(
            {entry.path().filename().string() + " / " + std::string(p.at("title").as_string()),
             std::string(target.as_object().at("expr").as_string()), fault_only, llm_only,
             rebalance_only});
      }
    }
  }
  return out;
}

// The demo's config with the LLM decision agents on: four models on `server` at 1 USD a million
// tokens (an answer of kLlmTokensIn + kLlmTokensOut costs 0.0025 USD, near its worst case, which
// the per-decision cap checks), a daily budget that five cycles spend (then the rules decide), and
// its warning level reached at the first.
constexpr std::int64_t kLlmTokensIn = 2000, kLlmTokensOut = 500;

std::string llm_demo_config(const fs::path& dir, const tg4::testing::FakeLlmServer& server) {
  YAML::Node config = YAML::LoadFile(std::string(TG4_SOURCE_DIR) + "/config/tg4.yaml");
  YAML::Node llm = config["llm"];
  llm["enabled"] = true;
  llm["timeout"] = "10s";
  llm["max_retries"] = 0;
  llm["daily_budget_usd"] = "0.05";
  llm["budget_warn_usd"] = "0.01";
  llm["max_cost_per_decision_usd"] = "0.05";  // at most the daily budget; 4 worst cases fit
  YAML::Node providers(YAML::NodeType::Sequence);
  for (int i = 1; i <= 4; ++i) {
    YAML::Node provider;
    provider["name"] = "fake" + std::to_string(i);
    provider["kind"] = "openai";
    provider["base_url"] = server.base_url_openai();
    provider["model"] = "model-" + std::to_string(i);
    provider["input_usd_per_mtok"] = "1";
    provider["output_usd_per_mtok"] = "1";
    provider["requests_per_minute"] = 6000;
    provider["search"] = i == 4;  // the sentiment agent's source
    providers.push_back(provider);
  }
  llm["providers"] = providers;
  // Rebalancing too (off in config/tg4.yaml): checked every 10 simulated seconds, its batches 10
  // seconds apart, so that the demo's minute sees a whole plan and feeds the rebalance panels.
  config["agents"]["portfolio_rebalance"] = true;
  config["agents"]["rebalance_interval"] = "10s";
  config["portfolio"]["batch_interval"] = "10s";
  const fs::path path = dir / "llm.yaml";
  std::ofstream(path) << YAML::Dump(config);
  return path.string();
}

// What the alert rules on the LLM agents need: each metric they read, by name.
std::vector<std::string> metrics_in(const std::string& expr) {
  std::vector<std::string> names;
  const std::regex name("tg4_[a-z0-9_]+");
  for (auto it = std::sregex_iterator(expr.begin(), expr.end(), name); it != std::sregex_iterator();
       ++it) {
    names.push_back(it->str());
  }
  return names;
}

// The Agents & LLM dashboard and the LLM alerts against a demo whose llm_consensus strategy asks
// four models on a FakeLlmServer at each closed 1m bar: every panel returns data, the decision
// cycles run both ways (the models' consensus, then the rules once the day's budget is spent), and
// the budget alerts' expressions fire while the degradation alert's stays quiet.
void expect_llm_agents_feed_their_panels_and_alerts(const std::string& prometheus,
                                                    const std::string& metrics,
                                                    const fs::path& dir) {
  fs::remove_all(dir);
  fs::create_directories(dir);
  tg4::testing::FakeLlmServer server;
  server.set_default(tg4::testing::LlmBehaviour::reply(
      R"({"action":"HOLD","confidence":0.6,"reasoning":"e2e"})", kLlmTokensIn, kLlmTokensOut));
  // The regime agent asks the same models (its system text says "name the regime").
  server.set_reply_for_prompt(
      "name the regime",
      tg4::testing::LlmBehaviour::reply(R"({"regime":"ranging","confidence":0.8,"strictness":"normal","reasoning":"e2e"})",
                                        kLlmTokensIn, kLlmTokensOut));
  // And the technical analysis agent (its system text says "a crypto technical analyst").
  server.set_reply_for_prompt(
      "crypto technical analyst",
      tg4::testing::LlmBehaviour::reply(
          R"({"trend":{"direction":"sideways","strength":0.2},"momentum":0,"bias":"neutral","confidence":0.6,)"
          R"("reasoning":"e2e"})",
          kLlmTokensIn, kLlmTokensOut));
  // And the sentiment agent (its system text: "a crypto market sentiment analyst").
  server.set_reply_for_prompt(
      "sentiment analyst",
      tg4::testing::LlmBehaviour::reply(
          R"({"bias":"neutral","score":0.1,"confidence":0.5,"key_events":["e2e"],"reasoning":"e2e"})",
          kLlmTokensIn, kLlmTokensOut));
  Child demo({TG4_BINARY, "--config", llm_demo_config(dir, server), "--store",
              "sqlite:" + (dir / "demo.db").string(), "--metrics", metrics, "demo", "--duration",
              "90", "--strategy", "llm_consensus", "--param", "timeframe=1", "--api", "127.0.0.1:0",
              "--out", (dir / "out").string()},
             dir / "stdout.txt", dir / "stderr.txt");
  ASSERT_TRUE(demo.started());

  // Named: GCC 12 -O3 misreads a defaulted temporary as uninitialised.
  net::HttpClientOptions client_options;
  net::HttpClient client(std::move(client_options));
  const std::vector<std::string> wanted = {
      "tg4_agents_cycles_total{outcome=\"consensus\"} > 0",
      "tg4_agents_cycles_total{outcome=\"rules\"} > 0", "tg4_decisions_total{source=\"llm\"} > 0",
      "tg4_decisions_total{source=\"rules\"} > 0", "tg4_llm_tokens_total{direction=\"out\"} > 0",
      "tg4_llm_cost_usd_total > 0", "tg4_llm_budget_spent_usd >= 0.05",
      "tg4_llm_budget_daily_usd == 0.05", "tg4_llm_budget_warn_usd == 0.01",
      "tg4_agents_degradation_level == 0",
      // the node's regime agent is the LlmAdvisor (the rules count no
      // cycles); whether the budget is left for its models is timing
      "sum(tg4_agents_regime_cycles_total) > 0", "sum(tg4_agents_technical_cycles_total) > 0",
      "sum(tg4_agents_sentiment_cycles_total) > 0",
      // and the rebalance: a plan started, its buys sent, the allocation near its targets
      "tg4_rebalances_total > 0", "tg4_rebalance_orders_total{side=\"buy\"} > 0",
      "tg4_allocation_pct{asset=\"BTC\"} > 20"};
  std::vector<PanelQuery> queries;
  for (const auto& q : dashboard_queries()) {
    if (q.llm_only || q.rebalance_only) queries.push_back(q);
  }
  ASSERT_FALSE(queries.empty()) << "no llm_only panel: the Agents & LLM dashboard is gone";
  struct AlertRule {
    std::string name, expr;
  };
  std::vector<AlertRule> alerts;
  for (const auto& group :
       YAML::LoadFile(std::string(TG4_SOURCE_DIR) + "/deploy/prometheus/alerts.yml")["groups"]) {
    for (const auto& rule : group["rules"]) {
      const std::string expr = rule["expr"].as<std::string>();
      if (expr.find("tg4_llm_") != std::string::npos ||
          expr.find("tg4_agents_") != std::string::npos) {
        alerts.push_back({rule["alert"].as<std::string>(), expr});
      }
    }
  }
  ASSERT_EQ(alerts.size(), 3u) << "TG4LlmBudgetWarning, TG4LlmBudgetExhausted, TG4AgentsDegraded";

  std::vector<std::string> missing;
  int exit_code = -1;
  const auto deadline = Clock::now() + std::chrono::seconds(60);
  do {
    missing.clear();
    for (const auto& expr : wanted) {
      if (!query(client, prometheus, expr).has_data) missing.push_back("not yet: " + expr);
    }
    for (const auto& q : queries) {
      const QueryResult r = query(client, prometheus, q.expr);
      if (!r.has_data) missing.push_back("no data for " + q.where + ": " + q.expr + " " + r.error);
    }
    for (const auto& alert : alerts) {
      for (const auto& metric : metrics_in(alert.expr)) {
        if (!query(client, prometheus, metric).has_data)
          missing.push_back(alert.name + " reads " + metric + ": not exported");
      }
      const QueryResult r = query(client, prometheus, alert.expr);
      const bool should_fire = alert.name != "TG4AgentsDegraded";
      if (!r.ok || r.has_data != should_fire) {
        missing.push_back(alert.name + (should_fire ? " does not fire: " : " fires: ") +
                          alert.expr + " " + r.error);
      }
    }
    if (!missing.empty())
      exit_code = demo.wait(std::chrono::seconds(1));  // the next scrape, unless it ended
  } while (!missing.empty() && exit_code == -1 && Clock::now() < deadline);
  for (const auto& m : missing) ADD_FAILURE() << m;
  if (!missing.empty()) ADD_FAILURE() << read_file(dir / "stderr.txt");
  EXPECT_GE(server.request_count(), 4u);

  if (exit_code == -1) {
    demo.signal(SIGTERM);
    exit_code = demo.wait(std::chrono::seconds(30));
  }
  EXPECT_EQ(exit_code, 0) << read_file(dir / "stderr.txt");
}

TEST(Demo, TradesRecordsAnswersCtlAndFeedsEveryDashboardQuery) {
  const std::string prometheus = env("TG4_TEST_PROMETHEUS_URL");
  const std::string metrics = env("TG4_TEST_METRICS_ADDRESS");
  const std::string redis = env("TG4_TEST_REDIS_URL");
  if (prometheus.empty() || metrics.empty() || redis.empty()) {
    if (!env("TG4_TEST_REQUIRE_SERVERS").empty()) FAIL() << "Prometheus/Redis test servers are not set up";
    GTEST_SKIP() << "run through scripts/test (Prometheus and Redis)";
  }
  const fs::path dir = fs::path(env("TG4_TEST_TMP").empty() ? "/tmp" : env("TG4_TEST_TMP")) / "e2e-demo";
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string store = "sqlite:" + (dir / "demo.db").string();
  const std::string token = "e2e-token-0123456789";
  Child demo({TG4_BINARY, "--config", std::string(TG4_SOURCE_DIR) + "/config/tg4.yaml", "--store", store, "--redis",
              redis, "--metrics", metrics, "demo", "--duration", "45", "--api", "127.0.0.1:0", "--api-token", token,
              "--out", (dir / "out").string()},
             dir / "stdout.txt", dir / "stderr.txt");
  ASSERT_TRUE(demo.started());

  net::HttpClientOptions client_options;  // named: GCC 12 -O3 misreads a defaulted temporary as uninitialised
  net::HttpClient client(std::move(client_options));
  // Prometheus scrapes every second: wait until it has seen fills.
  const auto deadline = Clock::now() + std::chrono::seconds(40);
  bool traded = false;
  while (Clock::now() < deadline && !traded) {
    traded = query(client, prometheus, "tg4_fills_total > 0").has_data;
    if (!traded) std::this_thread::sleep_for(std::chrono::milliseconds(500));  // next scrape
  }
  ASSERT_TRUE(traded) << "no fills seen by Prometheus within 40 s\n" << read_file(dir / "stderr.txt");

  // The operator CLI against the running demo.
  std::smatch match;
  const std::string out = read_file(dir / "stdout.txt");
  ASSERT_TRUE(std::regex_search(out, match, std::regex("API (http://127\\.0\\.0\\.1:[0-9]+)"))) << out;
  const std::string api = match[1];
  const std::string ctl = std::string(TG4_BINARY) + " ctl status --url " + api + " --token " + token;
  FILE* pipe = popen(ctl.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string status;
  char buffer[512];
  while (fgets(buffer, sizeof buffer, pipe) != nullptr) status += buffer;
  EXPECT_EQ(pclose(pipe), 0) << status;
  EXPECT_NE(status.find("equity"), std::string::npos) << status;
  EXPECT_NE(status.find("trading_state"), std::string::npos) << status;
  // The hodl bags (on in config/tg4.yaml) are part of the portfolio view, profit or not.
  const std::string portfolio_ctl =
      std::string(TG4_BINARY) + " ctl portfolio --url " + api + " --token " + token;
  pipe = popen(portfolio_ctl.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string portfolio;
  while (fgets(buffer, sizeof buffer, pipe) != nullptr) portfolio += buffer;
  EXPECT_EQ(pclose(pipe), 0) << portfolio;
  EXPECT_NE(portfolio.find("hodl "), std::string::npos) << portfolio;
  EXPECT_NE(portfolio.find("{\"enabled\":true,\"currency\":\"USDT\""), std::string::npos)
      << portfolio;
  // The audit log (operator actions and hodl movements) from the CLI: a resume (harmless while
  // ACTIVE) is its newest row.
  const auto run_ctl = [&](const std::string& action) {
    const std::string command =
        std::string(TG4_BINARY) + " ctl " + action + " --url " + api + " --token " + token;
    FILE* p = popen(command.c_str(), "r");
    std::string text;
    if (p == nullptr) return std::make_pair(-1, text);
    while (fgets(buffer, sizeof buffer, p) != nullptr) text += buffer;
    return std::make_pair(pclose(p), text);
  };
  const auto resumed = run_ctl("resume");
  EXPECT_EQ(resumed.first, 0) << resumed.second;
  // The store writer batches rows: wait for the resume's, with a deadline.
  std::pair<int, std::string> audit;
  const auto audit_deadline = Clock::now() + std::chrono::seconds(10);
  do {
    audit = run_ctl("audit");
    if (audit.second.find("POST /api/v1/resume") == std::string::npos)
      std::this_thread::sleep_for(std::chrono::milliseconds(200));  // the writer's next flush
  } while (audit.second.find("POST /api/v1/resume") == std::string::npos &&
           Clock::now() < audit_deadline);
  EXPECT_EQ(audit.first, 0) << audit.second;
  EXPECT_NE(audit.second.find("POST /api/v1/resume"), std::string::npos) << audit.second;
  // The newest row alone (a header and one line), the open orders, and an option given to an action
  // it does not apply to (a usage error, not ignored).
  const auto newest = run_ctl("audit --limit 1");
  EXPECT_EQ(newest.first, 0) << newest.second;
  EXPECT_EQ(std::count(newest.second.begin(), newest.second.end(), '\n'), 2) << newest.second;
  EXPECT_NE(newest.second.find("POST /api/v1/resume"), std::string::npos) << newest.second;
  const auto open_orders = run_ctl("orders --open");
  EXPECT_EQ(open_orders.first, 0) << open_orders.second;
  const auto misplaced = run_ctl("status --limit 3 2>&1");
  EXPECT_EQ(WEXITSTATUS(misplaced.first), 2) << misplaced.second;
  EXPECT_NE(misplaced.second.find("--limit applies to decisions and audit"), std::string::npos)
      << misplaced.second;
  // An agent run by hand: the technical agent answers with the symbols it asked; the decision agent
  // is not run so, and the refusal says why.
  const auto technical = run_ctl("run-agent technical --json");
  EXPECT_EQ(technical.first, 0) << technical.second;
  EXPECT_NE(technical.second.find("\"agent\":\"technical\""), std::string::npos)
      << technical.second;
  EXPECT_NE(technical.second.find("BTC/USDT"), std::string::npos) << technical.second;
  const auto decision = run_ctl("run-agent decision 2>&1");
  EXPECT_NE(decision.first, 0) << decision.second;
  EXPECT_NE(
      decision.second.find("the agents run by hand are regime, technical, sentiment and rebalance"),
      std::string::npos)
      << decision.second;

  // Every dashboard query: parses; returns data unless it watches a fault or the LLM agents (not
  // enabled here: the second demo below feeds those). Rates need a few scrapes.
  const auto queries = dashboard_queries();
  ASSERT_FALSE(queries.empty());
  std::vector<std::string> missing;
  const auto data_deadline = Clock::now() + std::chrono::seconds(20);
  do {
    missing.clear();
    for (const auto& q : queries) {
      const QueryResult r = query(client, prometheus, q.expr);
      EXPECT_TRUE(r.ok) << q.where << ": " << q.expr << " does not parse: " << r.error;
      if (r.ok && !r.has_data && !q.fault_only && !q.llm_only && !q.rebalance_only)
        missing.push_back(q.where + ": " + q.expr);
    }
    if (!missing.empty()) std::this_thread::sleep_for(std::chrono::seconds(1));  // next scrape
  } while (!missing.empty() && Clock::now() < data_deadline);
  for (const auto& m : missing) ADD_FAILURE() << "no data for " << m;

  ASSERT_EQ(demo.wait(std::chrono::seconds(40)), 0) << read_file(dir / "stderr.txt");
  const std::string final_out = read_file(dir / "stdout.txt");
  const auto summary = final_out.find("summary");
  ASSERT_NE(summary, std::string::npos);
  EXPECT_NE(final_out.find("feed closed", summary), std::string::npos) << "a clean stop is not a feed DOWN";
  EXPECT_NE(final_out.find("report: "), std::string::npos);

  auto opened = tg4::storage::open_store(store);
  ASSERT_TRUE(opened) << opened.error().message;
  auto orders = (*opened)->orders(tg4::storage::OrderQuery{});
  ASSERT_TRUE(orders);
  EXPECT_GT(orders->size(), 0u) << "no orders stored";
  auto fills = (*opened)->fills(tg4::storage::Scope{}, tg4::storage::TimeRange{});
  ASSERT_TRUE(fills);
  EXPECT_GT(fills->size(), 0u) << "no fills stored";

  // The LLM agents' panels, from a second demo after this one: nothing it leaves in Prometheus can
  // then answer for this one's queries.
  expect_llm_agents_feed_their_panels_and_alerts(prometheus, metrics, dir / "llm");
}

}  // namespace
