// Deployment files cannot be run here (no Docker, no systemd, no Grafana), so their structure is
// checked: Prometheus config and alert rules by the real promtool (and its rule tests, fed with
// what real nodes export, and its lint of a node's /metrics), compose/systemd/Dockerfile by the
// keys a working deployment needs (and systemd-analyze, where it is installed), and every Grafana
// dashboard against Grafana's dashboard model and the datasources the provisioning defines.
#include <gtest/gtest.h>
#include <signal.h>
#include <yaml-cpp/yaml.h>

#include <boost/json.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include "core/config.hpp"
#include "integration/storage_test_env.hpp"
#include "net/http_client.hpp"
#include "support/child_process.hpp"

namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using namespace std::chrono_literals;

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

// Skips (or fails, where the servers are required) without promtool.
#define TG4_NEED_PROMTOOL()                                   \
  do {                                                        \
    if (!have_promtool()) {                                   \
      if (std::getenv("TG4_TEST_REQUIRE_SERVERS") != nullptr) \
        FAIL() << "promtool is not installed";                \
      GTEST_SKIP() << "promtool not installed";               \
    }                                                         \
  } while (false)

fs::path scratch(const std::string& name) {
  const fs::path dir =
      fs::temp_directory_path() / ("tg4-deploy-" + std::to_string(::getpid()) + "-" + name);
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

// /metrics of a real node: `tg4 demo` with config/tg4.yaml (no Redis, as the systemd unit runs it)
// plus `extra` global options, on a free port, read once `ready(text)` holds, then stopped.
std::string demo_metrics(const fs::path& dir, const std::vector<std::string>& extra,
                         const std::function<bool(const std::string&)>& ready) {
  const std::string address = "127.0.0.1:" + std::to_string(tg4::storage::testing::free_port());
  std::vector<std::string> args{TG4_BINARY,
                                "--config",
                                std::string(TG4_SOURCE_DIR) + "/config/tg4.yaml",
                                "--store",
                                "sqlite:" + (dir / "demo.db").string(),
                                "--metrics",
                                address};
  args.insert(args.end(), extra.begin(), extra.end());
  args.insert(args.end(), {"demo", "--duration", "120", "--api", "127.0.0.1:0", "--out",
                           (dir / "out").string()});
  tg4::testing::ChildProcess demo(args, dir / "stdout.txt", dir / "stderr.txt");
  EXPECT_TRUE(demo.started());
  // Named: GCC 12 -O3 misreads a defaulted temporary as uninitialised.
  tg4::net::HttpClientOptions options;
  tg4::net::HttpClient client(std::move(options));
  std::string text;
  const bool seen = tg4::testing::wait_until(90s, [&] {
    auto response = client.get("http://" + address + "/metrics");
    if (response && response->status == 200) text = response->body;
    return ready(text);
  });
  demo.signal(SIGTERM);
  EXPECT_EQ(demo.wait(30s), 0) << read_file(dir / "stderr.txt");
  EXPECT_TRUE(seen) << "the demo's /metrics never got there:\n"
                    << text.substr(0, 3000) << "\n"
                    << read_file(dir / "stderr.txt");
  return text;
}

// The value of an unlabelled sample `name` in an exposition, or nullopt.
std::optional<std::string> sample(const std::string& text, const std::string& name) {
  std::smatch m;
  if (!std::regex_search(text, m, std::regex("(^|\n)" + name + " ([^\n]+)"))) return std::nullopt;
  return m[2].str();
}

TEST(Deploy, PromtoolAcceptsThePrometheusConfigAndRules) {
  TG4_NEED_PROMTOOL();
  const auto config = run("promtool check config " + (kDeploy / "prometheus/prometheus.yml").string());
  EXPECT_EQ(config.status, 0) << config.output;
  const auto rules = run("promtool check rules " + (kDeploy / "prometheus/alerts.yml").string());
  EXPECT_EQ(rules.status, 0) << rules.output;
}

// Prometheus' own naming rules (promtool check metrics) over everything a trading node exports: a
// gauge named like a counter (tg4_portfolio_exposure_total) invites rate() on it.
TEST(Deploy, ANodesMetricsFollowPrometheusNaming) {
  TG4_NEED_PROMTOOL();
  const fs::path dir = scratch("naming");
  // Once it has traded: the labelled families of orders and fills have samples then.
  const std::string text = demo_metrics(dir, {}, [](const std::string& t) {
    return t.find("tg4_fills_total{") != std::string::npos;
  });
  ASSERT_NE(text.find("tg4_portfolio_total_exposure "), std::string::npos) << text.substr(0, 2000);
  std::ofstream(dir / "metrics.txt") << text;
  const auto lint = run("promtool check metrics < " + (dir / "metrics.txt").string());
  EXPECT_EQ(lint.status, 0) << lint.output;
  EXPECT_EQ(lint.output, "") << lint.output;
  fs::remove_all(dir);
}

// TG4RedisDown by promtool's rule tests, with what real nodes export: one without Redis (the
// embedded default, config/tg4.yaml and the systemd unit) has tg4_redis_up 0 for good and must
// not raise "Redis is unreachable"; one whose Redis cannot be reached must, after its minute; one
// connected must not.
TEST(Deploy, TheRedisAlertFiresOnlyWhereRedisIsConfigured) {
  TG4_NEED_PROMTOOL();
  const fs::path dir = scratch("redis-alert");
  const auto has_both = [](const std::string& t) {
    return sample(t, "tg4_redis_up") && sample(t, "tg4_redis_configured");
  };
  fs::create_directories(dir / "none");
  fs::create_directories(dir / "down");
  const std::string none = demo_metrics(dir / "none", {}, has_both);
  // A Redis nobody serves: port 1 on this host refuses at once.
  const std::string down =
      demo_metrics(dir / "down", {"--redis", "redis://127.0.0.1:1/0"}, has_both);
  ASSERT_EQ(sample(none, "tg4_redis_configured"), "0") << none.substr(0, 2000);
  ASSERT_EQ(sample(none, "tg4_redis_up"), "0");
  ASSERT_EQ(sample(down, "tg4_redis_configured"), "1") << down.substr(0, 2000);
  ASSERT_EQ(sample(down, "tg4_redis_up"), "0");

  const YAML::Node rules = YAML::LoadFile((kDeploy / "prometheus/alerts.yml").string());
  YAML::Node annotations;
  for (const auto& rule : rules["groups"][0]["rules"]) {
    if (rule["alert"].as<std::string>() == "TG4RedisDown") annotations = rule["annotations"];
  }
  ASSERT_TRUE(annotations) << "no TG4RedisDown rule";
  const auto series = [](const std::string& instance, const std::string& up,
                         const std::string& configured) {
    return "      - series: 'tg4_redis_up{job=\"tg4\",instance=\"" + instance +
           "\"}'\n        values: '" + up +
           "x12'\n      - series: 'tg4_redis_configured{job=\"tg4\",instance=\"" + instance +
           "\"}'\n        values: '" + configured + "x12'\n";
  };
  std::ostringstream test;
  test << "rule_files: ['" << (kDeploy / "prometheus/alerts.yml").string() << "']\n"
       << "evaluation_interval: 15s\n"
       << "tests:\n  - interval: 15s\n    input_series:\n"
       << series("without-redis", *sample(none, "tg4_redis_up"),
                 *sample(none, "tg4_redis_configured"))
       << series("redis-unreachable", *sample(down, "tg4_redis_up"),
                 *sample(down, "tg4_redis_configured"))
       << series("redis-up", "1", "1") << "    alert_rule_test:\n"
       << "      - eval_time: 30s\n        alertname: TG4RedisDown\n        exp_alerts: []\n"
       << "      - eval_time: 2m\n        alertname: TG4RedisDown\n        exp_alerts:\n"
       << "          - exp_labels: {severity: warning, job: tg4, instance: redis-unreachable}\n"
       << "            exp_annotations:\n"
       << "              summary: "
       << json::serialize(json::string(annotations["summary"].as<std::string>())) << "\n"
       << "              description: "
       << json::serialize(json::string(annotations["description"].as<std::string>())) << "\n";
  std::ofstream(dir / "redis_alert_test.yml") << test.str();
  const auto result = run("promtool test rules " + (dir / "redis_alert_test.yml").string());
  EXPECT_EQ(result.status, 0) << result.output << "\n" << test.str();
  fs::remove_all(dir);
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
        "tg4_portfolio_drawdown_ratio", "tg4_store_spool_bytes", "tg4_redis_up",
        "tg4_redis_configured", "tg4_venue_up", "tg4_order_problems_total",
        "tg4_venue_fill_repairs_total", "tg4_llm_budget_spent_usd", "tg4_llm_budget_warn_usd",
        "tg4_llm_budget_daily_usd", "tg4_agents_degradation_level", "tg4_market_data_stale",
        "tg4_bar_rejected_trades_total"}) {
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

// "45s", "45": seconds; -1 when neither.
int seconds_of(const std::string& text) {
  std::smatch m;
  if (!std::regex_match(text, m, std::regex(R"(\s*(\d+)s?\s*)"))) return -1;
  return std::stoi(m[1]);
}

// A clean stop of tg4 may wait for an LLM request already sent (llm.timeout), and only then does
// the live venue disarm the dead man's switch (at most 3 s): killed before that, Kraken cancels
// every resting stop once the switch's timeout passes. Compose's default grace (10 s) did just
// that, since the 45 s sat on TimescaleDB. Both supervisors give tg4 the same grace, enough for
// both.
TEST(Deploy, Tg4HasTheGraceToDisarmTheDeadMansSwitchUnderComposeAndSystemd) {
  const YAML::Node compose = YAML::LoadFile((kDeploy / "docker-compose.yml").string());
  const YAML::Node grace = compose["services"]["tg4"]["stop_grace_period"];
  ASSERT_TRUE(grace) << "tg4 has Docker's default 10 s grace";
  const int compose_grace = seconds_of(grace.as<std::string>());
  std::smatch m;
  const std::string unit = read_file(kDeploy / "systemd/tg4.service");
  ASSERT_TRUE(std::regex_search(unit, m, std::regex(R"(\nTimeoutStopSec=(\d+))")));
  EXPECT_EQ(compose_grace, std::stoi(m[1])) << "compose and systemd disagree";
  const tg4::core::Config defaults;
  const auto llm = std::chrono::duration_cast<std::chrono::seconds>(defaults.llm.timeout).count();
  constexpr int kVenueStop = 3;  // the venue's disarm and close (kraken_venue.cpp kVenueStopGrace)
  constexpr int kMargin = 7;     // the process's exit around it
  EXPECT_GE(compose_grace, llm + kVenueStop + kMargin)
      << "an LLM request in flight would outlast the grace and the disarm would never be sent";
}

// The unit passes systemd's own check (with the binary's path made real), and its install notes
// create the user it runs as (without it systemd fails the start with 217/USER) and the file its
// Documentation= names.
TEST(Deploy, SystemdUnitVerifiesAndItsInstallNotesCreateItsUser) {
  const std::string unit = read_file(kDeploy / "systemd/tg4.service");
  EXPECT_NE(unit.find("useradd --system"), std::string::npos) << "nothing creates User=tg4";
  EXPECT_NE(unit.find("/usr/share/doc/tg4/README.md"), std::string::npos);
  std::smatch doc;
  ASSERT_TRUE(std::regex_search(unit, doc, std::regex(R"(\nDocumentation=file://(\S+))")));
  EXPECT_NE(unit.find("install -D -m 0644 README.md " + doc[1].str()), std::string::npos)
      << "the install notes do not install " << doc[1];
  const std::string readme = read_file(fs::path(TG4_SOURCE_DIR) / "README.md");
  EXPECT_NE(readme.find("useradd --system"), std::string::npos) << "README's steps create no user";
  if (run("command -v systemd-analyze").status != 0)
    GTEST_SKIP() << "systemd-analyze not installed";
  const fs::path dir = scratch("systemd");
  std::string copy = unit;
  const std::string installed = "/usr/local/bin/tg4", built = TG4_BINARY;
  for (auto at = copy.find(installed); at != std::string::npos;
       at = copy.find(installed, at + built.size()))
    copy.replace(at, installed.size(), built);
  std::ofstream(dir / "tg4.service") << copy;
  const auto verify = run("systemd-analyze verify " + (dir / "tg4.service").string());
  EXPECT_EQ(verify.status, 0) << verify.output;
  fs::remove_all(dir);
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
