// The test servers of scripts/test are reachable and wired: PostgreSQL answers SELECT 1 (libpqxx),
// Redis answers PING (hiredis), and Prometheus scrapes tg4's /metrics (a real `tg4 sim` serving
// tg4_build_info on TG4_TEST_METRICS_ADDRESS, the target of the Prometheus config).
#include <fcntl.h>
#include <hiredis/hiredis.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <boost/json.hpp>
#include <chrono>
#include <fstream>
#include <optional>
#include <pqxx/pqxx>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "integration/storage_test_env.hpp"
#include "metrics/build_info.hpp"
#include "support/ws_test_client.hpp"
#include "storage/redis_url.hpp"

extern char** environ;

namespace tg4::integration {
namespace {

using namespace std::chrono_literals;
using storage::testing::eventually;

TEST(Servers, PostgresAnswersSelectOne) {
  TG4_NEED_ENV(url, "TG4_TEST_PG_URL");
  pqxx::connection connection(url);
  pqxx::work tx(connection);
  EXPECT_EQ(tx.exec1("SELECT 1")[0].as<int>(), 1);
}

TEST(Servers, RedisAnswersPing) {
  TG4_NEED_ENV(url, "TG4_TEST_REDIS_URL");
  const auto parsed = storage::parse_redis_url(url);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  redisContext* c = redisConnectWithTimeout(parsed->host.c_str(), parsed->port, timeval{5, 0});
  ASSERT_NE(c, nullptr);
  ASSERT_EQ(c->err, 0) << parsed->redacted << ": " << c->errstr;
  if (!parsed->password.empty()) {
    auto* auth = static_cast<redisReply*>(redisCommand(c, "AUTH %s", parsed->password.c_str()));
    ASSERT_NE(auth, nullptr);
    freeReplyObject(auth);
  }
  auto* reply = static_cast<redisReply*>(redisCommand(c, "PING"));
  ASSERT_NE(reply, nullptr) << c->errstr;
  EXPECT_EQ(std::string(reply->str, reply->len), "PONG");
  freeReplyObject(reply);
  redisFree(c);
}

// `tg4 <args>` with stderr in a file (shown when something fails); SIGTERM, then SIGKILL, at the
// end.
class Tg4Process {
 public:
  explicit Tg4Process(std::vector<std::string> args)
      : stderr_path_(::testing::TempDir() + "servers_test_tg4_" + std::to_string(::getpid()) +
                     ".log") {
    args.insert(args.begin(), TG4_BINARY);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 2, stderr_path_.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (posix_spawn(&pid_, TG4_BINARY, &actions, nullptr, argv.data(), environ) != 0) pid_ = -1;
    posix_spawn_file_actions_destroy(&actions);
  }
  ~Tg4Process() {
    if (running()) {
      ::kill(pid_, SIGTERM);
      if (!eventually([&] { return !running(); }, 10s)) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, nullptr, 0);
      }
    }
    std::remove(stderr_path_.c_str());
  }
  bool started() const { return pid_ > 0; }
  bool running() {
    if (pid_ <= 0 || exited_) return false;
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) exited_ = true;
    return !exited_;
  }
  std::string stderr_text() const {
    std::ifstream in(stderr_path_);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
  }

 private:
  std::string stderr_path_;
  pid_t pid_ = -1;
  bool exited_ = false;
};

std::uint16_t port_of_url(const std::string& url) {
  std::smatch m;
  if (!std::regex_search(url, m, std::regex(R"(^https?://[^/:]+:(\d+))"))) return 0;
  return static_cast<std::uint16_t>(std::stoi(m[1]));
}

// The newest sample of tg4_build_info Prometheus holds: its labels and sample time (unix seconds).
struct BuildInfoSample {
  boost::json::object labels;
  double time = 0;
};

std::optional<BuildInfoSample> query_build_info(std::uint16_t prometheus_port) {
  // timestamp(): the scrape time of the sample, so one left over from an earlier process is not
  // mistaken for ours.
  const auto response =
      testing::http_request(prometheus_port, "/api/v1/query?query=timestamp(tg4_build_info)");
  if (response.status != 200) return std::nullopt;
  const auto doc = boost::json::parse(response.body);
  const auto& result = doc.at("data").at("result").as_array();
  if (result.empty()) return std::nullopt;
  BuildInfoSample sample;
  sample.labels = result.back().at("metric").as_object();
  sample.time = std::stod(std::string(result.back().at("value").as_array().at(1).as_string()));
  return sample;
}

double unix_now() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

TEST(Servers, PrometheusScrapesTg4Metrics) {
  TG4_NEED_ENV(prometheus_url, "TG4_TEST_PROMETHEUS_URL");
  TG4_NEED_ENV(metrics_address, "TG4_TEST_METRICS_ADDRESS");
  const std::uint16_t prometheus_port = port_of_url(prometheus_url);
  ASSERT_NE(prometheus_port, 0) << "TG4_TEST_PROMETHEUS_URL '" << prometheus_url << "' has no port";

  const double started = unix_now();
  Tg4Process sim({"--metrics", metrics_address, "sim", "--port", "0", "--history-days", "0"});
  ASSERT_TRUE(sim.started()) << "cannot start " << TG4_BINARY;

  std::optional<BuildInfoSample> sample;
  std::string last_error;
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  while (std::chrono::steady_clock::now() < deadline) {
    ASSERT_TRUE(sim.running()) << "tg4 sim exited early:\n" << sim.stderr_text();
    try {
      sample = query_build_info(prometheus_port);
    } catch (const std::exception& e) {
      last_error = e.what();
    }
    // Scrape timestamps are whole milliseconds: allow that much rounding.
    if (sample && sample->time >= started - 0.001) break;
    sample.reset();
    std::this_thread::sleep_for(250ms);  // Prometheus scrapes every second: poll gently
  }
  ASSERT_TRUE(sample.has_value()) << "Prometheus at " << prometheus_url
                                  << " had no fresh tg4_build_info from " << metrics_address
                                  << " after 30 s " << last_error << "\n"
                                  << sim.stderr_text();
  // The labels of this build: the sample is from the binary under test.
  const auto label = [&](const char* name) {
    return std::string(sample->labels.at(name).as_string());
  };
  const auto& b = metrics::build_info();
  EXPECT_EQ(label("version"), b.version);
  EXPECT_EQ(label("git_sha"), b.git_sha);
  EXPECT_EQ(label("build_type"), b.build_type);
  EXPECT_EQ(label("compiler"), b.compiler);
}

}  // namespace
}  // namespace tg4::integration
