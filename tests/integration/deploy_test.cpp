// Deployment files cannot be run here (no Docker, no systemd, no Grafana), so their structure is
// checked: Prometheus config and alert rules by the real promtool, compose/systemd/Dockerfile by
// the keys a working deployment needs, and every Grafana dashboard against Grafana's dashboard
// model and the datasources the provisioning defines.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <boost/json.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>

namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

const fs::path kDeploy = fs::path(TG4_SOURCE_DIR) / "deploy";

std::string read_file(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

struct CommandResult {
  int status = -1;
  std::string output;
};

CommandResult run(const std::string& command) {
  CommandResult result;
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return result;
  char buffer[4096];
  while (fgets(buffer, sizeof buffer, pipe) != nullptr) result.output += buffer;
  result.status = pclose(pipe);
  return result;
}

bool have_promtool() { return run("command -v promtool").status == 0; }

TEST(Deploy, PromtoolAcceptsThePrometheusConfigAndRules) {
  if (!have_promtool()) {
    if (std::getenv("TG4_TEST_REQUIRE_SERVERS") != nullptr) FAIL() << "promtool is not installed";
    GTEST_SKIP() << "promtool not installed";
  }
  const auto config = run("promtool check config " + (kDeploy / "prometheus/prometheus.yml").string());
  EXPECT_EQ(config.status, 0) << config.output;
  const auto rules = run("promtool check rules " + (kDeploy / "prometheus/alerts.yml").string());
  EXPECT_EQ(rules.status, 0) << rules.output;
}

TEST(Deploy, AlertRulesCoverWhatTheOperatorMustHear) {
  const YAML::Node rules = YAML::LoadFile((kDeploy / "prometheus/alerts.yml").string());
  std::set<std::string> exprs;
  for (const auto& group : rules["groups"]) {
    for (const auto& rule : group["rules"]) exprs.insert(rule["expr"].as<std::string>());
  }
  const std::string all = [&] {
    std::string joined;
    for (const auto& e : exprs) joined += e + "\n";
    return joined;
  }();
  for (const char* metric :
       {"tg4_feed_up", "tg4_book_checksum_mismatch_total", "tg4_risk_breaker_state",
        "tg4_portfolio_drawdown_ratio", "tg4_store_spool_bytes", "tg4_redis_up", "tg4_venue_up",
        "tg4_order_problems_total", "tg4_venue_fill_repairs_total", "tg4_llm_budget_spent_usd",
        "tg4_llm_budget_warn_usd", "tg4_llm_budget_daily_usd", "tg4_agents_degradation_level",
        "tg4_market_data_stale", "tg4_bar_rejected_trades_total"}) {
    EXPECT_NE(all.find(metric), std::string::npos) << "no alert on " << metric;
  }
}

TEST(Deploy, ComposeStackHasEveryServiceWithHealthchecksVolumesAndSecretsFromAnEnvFile) {
  const YAML::Node compose = YAML::LoadFile((kDeploy / "docker-compose.yml").string());
  for (const char* name : {"timescaledb", "redis", "tg4", "prometheus", "grafana"}) {
    const YAML::Node service = compose["services"][name];
    ASSERT_TRUE(service) << "service " << name << " missing";
    EXPECT_TRUE(service["healthcheck"]) << name << " has no healthcheck";
  }
  EXPECT_TRUE(compose["services"]["tg4"]["build"]) << "tg4 must be built from the Dockerfile";
  EXPECT_TRUE(compose["services"]["tg4"]["env_file"]) << "secrets come from an env file";
  EXPECT_TRUE(compose["volumes"]) << "no named volumes";
  const std::string text = read_file(kDeploy / "docker-compose.yml");
  EXPECT_EQ(text.find("change-me"), std::string::npos) << "a secret is inlined in docker-compose.yml";
}

// The tg4 container's environment as compose gives it: deploy/tg4.env.example (blank secrets
// filled with samples) plus the service's own `environment:`.
std::map<std::string, std::string> tg4_container_environment() {
  std::map<std::string, std::string> env;
  std::istringstream lines(read_file(kDeploy / "tg4.env.example"));
  for (std::string line; std::getline(lines, line);) {
    const auto eq = line.find('=');
    if (line.empty() || line[0] == '#' || eq == std::string::npos) continue;
    env[line.substr(0, eq)] = line.substr(eq + 1);
  }
  if (env["TG4_API_TOKEN_SHA256"].empty()) env["TG4_API_TOKEN_SHA256"] = std::string(64, 'c');
  const YAML::Node compose = YAML::LoadFile((kDeploy / "docker-compose.yml").string());
  for (const auto& kv : compose["services"]["tg4"]["environment"]) {
    env[kv.first.as<std::string>()] = kv.second.as<std::string>();
  }
  return env;
}

TEST(Deploy, TheComposeEnvironmentResolvesTheProductionConfig) {
  const auto env = tg4_container_environment();
  EXPECT_EQ(env.at("POSTGRES_PASSWORD"), env.at("TG4_PG_PASSWORD")) << "tg4 must log in with the database's password";
  EXPECT_EQ(env.at("REDIS_PASSWORD"), env.at("TG4_REDIS_PASSWORD"));
  std::string command = "env -i PATH=/usr/bin:/bin";
  for (const auto& [key, value] : env) command += " " + key + "='" + value + "'";
  command += std::string(" ") + TG4_BINARY + " --config " + TG4_SOURCE_DIR + "/config/production.yaml config show";
  const CommandResult shown = run(command);
  ASSERT_EQ(shown.status, 0) << shown.output;
  EXPECT_NE(shown.output.find("postgresql://tg4:***@timescaledb:5432/tg4"), std::string::npos) << shown.output;
  EXPECT_NE(shown.output.find("redis://:***@redis:6379/0"), std::string::npos) << shown.output;
  EXPECT_NE(shown.output.find("0.0.0.0:8080"), std::string::npos) << "the API must be reachable through the port";
  EXPECT_NE(shown.output.find("role: admin"), std::string::npos) << "no operator token: every API call refused";
}

TEST(Deploy, DockerfileIsAMultiStageBookwormBuild) {
  const std::string text = read_file(kDeploy / "Dockerfile");
  EXPECT_NE(text.find("FROM debian:bookworm AS build"), std::string::npos);
  EXPECT_NE(text.find("COPY --from=build"), std::string::npos);
  EXPECT_NE(text.find("USER tg4"), std::string::npos) << "the runtime must not run as root";
  EXPECT_NE(text.find("HEALTHCHECK"), std::string::npos);
}

TEST(Deploy, SystemdUnitIsHardened) {
  const std::string text = read_file(kDeploy / "systemd/tg4.service");
  for (const char* key : {"NoNewPrivileges=yes", "ProtectSystem=strict", "ProtectHome=yes", "PrivateTmp=yes",
                          "CapabilityBoundingSet=", "SystemCallFilter=@system-service", "User=tg4",
                          "KillSignal=SIGTERM", "Restart=on-failure"}) {
    EXPECT_NE(text.find(key), std::string::npos) << "missing " << key;
  }
}

std::set<std::string> provisioned_datasource_uids() {
  const YAML::Node file = YAML::LoadFile((kDeploy / "grafana/provisioning/datasources/datasources.yml").string());
  std::set<std::string> uids;
  for (const auto& source : file["datasources"]) uids.insert(source["uid"].as<std::string>());
  return uids;
}

void expect_panel_is_valid(const json::object& panel, const std::set<std::string>& uids, const std::string& where) {
  for (const char* key : {"id", "type", "title", "gridPos", "targets", "datasource"}) {
    EXPECT_TRUE(panel.contains(key)) << where << ": panel without " << key;
  }
  if (!panel.contains("gridPos") || !panel.contains("targets")) return;
  const json::object& grid = panel.at("gridPos").as_object();
  for (const char* key : {"x", "y", "w", "h"}) EXPECT_TRUE(grid.contains(key)) << where << ": gridPos." << key;
  EXPECT_LE(grid.at("x").as_int64() + grid.at("w").as_int64(), 24) << where << ": panel beyond 24 columns";
  EXPECT_FALSE(panel.at("targets").as_array().empty()) << where << ": panel without queries";
  for (const auto& target : panel.at("targets").as_array()) {
    const json::object& t = target.as_object();
    EXPECT_TRUE(t.contains("expr") && !t.at("expr").as_string().empty()) << where << ": empty expr";
    const std::string uid(t.at("datasource").as_object().at("uid").as_string());
    EXPECT_TRUE(uids.count(uid) == 1) << where << ": datasource uid " << uid << " is not provisioned";
  }
}

TEST(Deploy, EveryDashboardFollowsGrafanasModelAndUsesProvisionedDatasources) {
  const std::set<std::string> uids = provisioned_datasource_uids();
  std::set<std::string> dashboard_uids;
  int dashboards = 0;
  for (const auto& entry : fs::directory_iterator(kDeploy / "grafana/dashboards")) {
    if (entry.path().extension() != ".json") continue;
    ++dashboards;
    const std::string name = entry.path().filename().string();
    const json::object board = json::parse(read_file(entry.path())).as_object();
    for (const char* key : {"uid", "title", "panels", "schemaVersion"}) {
      ASSERT_TRUE(board.contains(key)) << name << " has no " << key;
    }
    EXPECT_TRUE(dashboard_uids.insert(std::string(board.at("uid").as_string())).second) << name << ": uid reused";
    std::set<std::int64_t> ids;
    for (const auto& panel : board.at("panels").as_array()) {
      const std::string where = name + " / " + std::string(panel.as_object().at("title").as_string());
      expect_panel_is_valid(panel.as_object(), uids, where);
      EXPECT_TRUE(ids.insert(panel.as_object().at("id").as_int64()).second) << where << ": panel id reused";
    }
  }
  EXPECT_GE(dashboards, 6)
      << "Overview, Market data, Risk, Execution, Infrastructure and Agents & LLM are required";
}

}  // namespace
