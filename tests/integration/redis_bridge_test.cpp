// RedisBridge against real Redis 7 servers: the one scripts/test starts (TG4_TEST_REDIS_URL) and
// private ones started here on free ports (their PIDs go to $TG4_TEST_TMP/extra.pids so
// scripts/test stops them whatever happens).
#include "storage/redis_bridge.hpp"

#include <gtest/gtest.h>
#include <hiredis/hiredis.h>
#include <prometheus/registry.h>
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

#include "storage_test_env.hpp"

namespace tg4::storage {
namespace {

using namespace testing;
using namespace std::chrono_literals;

// A direct hiredis connection for checking what the bridge wrote.
class RedisClient {
 public:
  explicit RedisClient(int port, const std::string& password = "") {
    timeval tv{1, 0};
    c_ = redisConnectWithTimeout("127.0.0.1", port, tv);
    if (c_ && !c_->err && !password.empty()) run({"AUTH", password});
  }
  ~RedisClient() { redisFree(c_); }
  bool ok() const { return c_ && !c_->err; }
  // The reply as text: strings and status as they are, integers in decimal, nil as "(nil)".
  std::string run(const std::vector<std::string>& args) {
    if (!ok()) return "(no connection)";
    std::vector<const char*> argv;
    std::vector<std::size_t> len;
    for (const auto& a : args) {
      argv.push_back(a.data());
      len.push_back(a.size());
    }
    auto* r = static_cast<redisReply*>(
        redisCommandArgv(c_, static_cast<int>(argv.size()), argv.data(), len.data()));
    if (!r) return "(io error)";
    std::string out;
    switch (r->type) {
      case REDIS_REPLY_STRING:
      case REDIS_REPLY_STATUS:
      case REDIS_REPLY_ERROR:
        out.assign(r->str, r->len);
        break;
      case REDIS_REPLY_INTEGER:
        out = std::to_string(r->integer);
        break;
      case REDIS_REPLY_NIL:
        out = "(nil)";
        break;
      default:
        out = "(array)";
    }
    freeReplyObject(r);
    return out;
  }

 private:
  redisContext* c_ = nullptr;
};

int port_of(const std::string& url) {
  return std::stoi(url.substr(url.rfind(':') + 1));
}

// A redis-server of our own (for restarts and passwords), recorded in extra.pids.
class OwnRedis {
 public:
  OwnRedis(std::string dir, int port, std::string password = "")
      : dir_(std::move(dir)), port_(port), password_(std::move(password)) {}
  ~OwnRedis() { stop(SIGTERM); }

  bool start() {
    std::filesystem::create_directories(dir_);
    const std::string pidfile = dir_ + "/redis.pid";
    std::filesystem::remove(pidfile);
    std::string cmd = "redis-server --port " + std::to_string(port_) +
                      " --bind 127.0.0.1 --save '' --appendonly no --daemonize yes --dir " + dir_ +
                      " --logfile " + dir_ + "/redis.log --pidfile " + pidfile;
    if (!password_.empty()) cmd += " --requirepass " + password_;
    if (run_command(cmd).exit_code != 0) return false;
    if (!eventually([&] { return RedisClient(port_, password_).run({"PING"}) == "PONG"; }, 10s))
      return false;
    std::ifstream in(pidfile);
    in >> pid_;
    if (const auto tmp = env("TG4_TEST_TMP"))
      std::ofstream(*tmp + "/extra.pids", std::ios::app) << pid_ << "\n";
    return pid_ > 0;
  }
  void stop(int signal) {
    if (pid_ <= 0) return;
    ::kill(pid_, signal);
    const int pid = pid_;
    eventually([&] { return ::kill(pid, 0) != 0; }, 10s);
    pid_ = -1;
    forget(pid);
  }
  // A stopped server's PID leaves extra.pids, so cleanup never signals a recycled PID.
  static void forget(int pid) {
    const auto tmp = env("TG4_TEST_TMP");
    if (!tmp) return;
    const std::string path = *tmp + "/extra.pids";
    std::ifstream in(path);
    std::string kept, line;
    while (std::getline(in, line)) {
      if (line != std::to_string(pid)) kept += line + "\n";
    }
    std::ofstream(path, std::ios::trunc) << kept;
  }
  std::string url() const {
    return "redis://" + (password_.empty() ? "" : ":" + password_ + "@") +
           "127.0.0.1:" + std::to_string(port_);
  }
  int port() const { return port_; }

 private:
  std::string dir_;
  int port_;
  std::string password_;
  int pid_ = -1;
};

std::string scratch_dir(const std::string& name) {
  const auto base = env("TG4_TEST_TMP").value_or(std::filesystem::temp_directory_path().string());
  return base + "/h6-" + name + "-" + std::to_string(::getpid());
}

struct Received {
  std::mutex mutex;
  std::vector<std::string> events;
  void add(Topic t, std::string_view json) {
    std::lock_guard lock(mutex);
    events.push_back(std::string(topic_name(t)) + ":" + std::string(json));
  }
  bool has_prefix(const std::string& prefix) {
    std::lock_guard lock(mutex);
    for (const auto& e : events) {
      if (e.rfind(prefix, 0) == 0) return true;
    }
    return false;
  }
  bool has(const std::string& e) {
    std::lock_guard lock(mutex);
    return std::find(events.begin(), events.end(), e) != events.end();
  }
};

std::unique_ptr<RedisBridge> make_bridge(const std::string& url, const std::string& env_name,
                                         prometheus::Registry& registry) {
  RedisBridgeOptions options;
  options.url = url;
  options.env = env_name;
  options.reconnect_max = 500ms;
  options.ping_interval = 200ms;
  auto bridge = RedisBridge::create(options, registry);
  EXPECT_TRUE(bridge) << bridge.error().message;
  return bridge ? std::move(*bridge) : nullptr;
}

TEST(RedisBridgeLive, StateKeysWithTtlsAndEventsReachRedis) {
  TG4_NEED_ENV(url, "TG4_TEST_REDIS_URL");
  prometheus::Registry registry;
  const std::string env_name = "h6live" + std::to_string(::getpid());
  auto bridge = make_bridge(url, env_name, registry);
  ASSERT_TRUE(bridge);
  ASSERT_TRUE(eventually([&] { return bridge->connected(); }, 5s));
  Received received;
  bridge->subscribe({Topic::kFills, Topic::kDecisions},
                    [&](Topic t, std::string_view j) { received.add(t, j); });

  bridge->set_state(keys::portfolio(), R"({"equity":"10000"})");
  bridge->set_state(keys::positions(), "[]");
  bridge->set_state(keys::open_orders(), "[]");
  bridge->set_state(keys::risk(), R"({"trading_state":"NORMAL"})");
  bridge->set_state(keys::ticker("BTC/USDT"), R"({"bid":"1"})");
  const AgentOutputTtls ttls;
  bridge->set_agent_output(ttls, "regime", "BTC/USDT", R"({"regime":"range"})");
  bridge->set_agent_output(ttls, "technical", "BTC/USDT", "{}");
  bridge->set_agent_output(ttls, "sentiment", "BTC/USDT", "{}");
  bridge->set_agent_output(ttls, "decision", "BTC/USDT", "{}");
  ASSERT_TRUE(bridge->flush(5s));

  RedisClient redis(port_of(url));
  const auto key = [&](const std::string& k) { return state_key(env_name, k); };
  EXPECT_EQ(redis.run({"GET", key("portfolio")}), R"({"equity":"10000"})");
  EXPECT_EQ(redis.run({"GET", key("ticker:BTC/USDT")}), R"({"bid":"1"})");
  EXPECT_EQ(redis.run({"TTL", key("portfolio")}), "-1");
  const auto ttl_of = [&](const std::string& kind) {
    return std::stoi(redis.run({"TTL", key(keys::agent_output(kind, "BTC/USDT"))}));
  };
  EXPECT_GE(ttl_of("regime"), 298);
  EXPECT_LE(ttl_of("regime"), 300);
  EXPECT_GE(ttl_of("technical"), 58);
  EXPECT_LE(ttl_of("technical"), 60);
  EXPECT_GE(ttl_of("sentiment"), 898);
  EXPECT_GE(ttl_of("decision"), 1798);

  bridge->erase_state(keys::ticker("BTC/USDT"));
  ASSERT_TRUE(bridge->flush(5s));
  EXPECT_EQ(redis.run({"EXISTS", key("ticker:BTC/USDT")}), "0");

  // The subscription is live once an event comes back; publish until it does.
  int n = 0;
  ASSERT_TRUE(eventually(
      [&] {
        bridge->publish(Topic::kFills, "{\"n\":" + std::to_string(++n) + "}");
        return received.has_prefix("fills:");
      },
      5s));
  bridge->publish(Topic::kDecisions, R"({"action":"HOLD"})");
  bridge->publish(Topic::kTicks, R"({"not":"subscribed"})");
  EXPECT_TRUE(eventually([&] { return received.has(R"(decisions:{"action":"HOLD"})"); }, 5s));
  EXPECT_FALSE(received.has(R"(ticks:{"not":"subscribed"})"));

  // A plain Redis client sees the same channel names.
  EXPECT_EQ(
      redis.run({"PUBLISH", event_channel(env_name, Topic::kFills), "{\"from\":\"redis-cli\"}"}),
      "1");
  EXPECT_TRUE(eventually([&] { return received.has(R"(fills:{"from":"redis-cli"})"); }, 5s));
  for (const auto& k : {"portfolio", "positions", "orders:open", "risk"})
    redis.run({"DEL", key(k)});
}

TEST(RedisBridgeLive, RestartedRedisHasTheStateBackWithinTwoSecondsAndEventsFlowAgain) {
  TG4_NEED_ENV(url, "TG4_TEST_REDIS_URL");  // only to know the servers are meant to be there
  (void)url;
  OwnRedis server(scratch_dir("redis-restart"), free_port());
  ASSERT_TRUE(server.start());
  prometheus::Registry registry;
  auto bridge = make_bridge(server.url(), "h6restart", registry);
  ASSERT_TRUE(bridge);
  ASSERT_TRUE(eventually([&] { return bridge->connected(); }, 5s));
  Received received;
  bridge->subscribe({Topic::kAlerts}, [&](Topic t, std::string_view j) { received.add(t, j); });
  for (int i = 0; i < 50; ++i)
    bridge->set_state(keys::ticker("SYM" + std::to_string(i) + "/USD"), std::to_string(i));
  bridge->set_state(keys::portfolio(), R"({"equity":"1"})");
  bridge->set_agent_output(AgentOutputTtls{}, "regime", "BTC/USDT", "{}");
  bridge->set_operator(keys::flag("halted"), R"({"by":"ops"})");
  ASSERT_TRUE(bridge->flush(5s));

  server.stop(SIGKILL);  // a crash: nothing saved (no persistence), every key gone
  ASSERT_TRUE(eventually([&] { return !bridge->connected(); }, 5s));
  bridge->set_state(keys::portfolio(), R"({"equity":"2"})");  // changed while Redis was down
  bridge->publish(Topic::kAlerts, R"({"lost":true})");

  ASSERT_TRUE(server.start());
  const auto restarted = std::chrono::steady_clock::now();
  RedisClient redis(server.port());
  const auto back = [&] {
    return redis.run({"GET", state_key("h6restart", "portfolio")}) == R"({"equity":"2"})" &&
           redis.run({"GET", state_key("h6restart", "ticker:SYM49/USD")}) == "49" &&
           redis.run({"GET", operator_key("h6restart", "flag:halted")}) == R"({"by":"ops"})";
  };
  ASSERT_TRUE(eventually(back, 2s)) << "state not republished within 2 s of the restart";
  const auto took = std::chrono::steady_clock::now() - restarted;
  RecordProperty(
      "republish_ms",
      static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(took).count()));
  const int ttl = std::stoi(
      redis.run({"TTL", state_key("h6restart", keys::agent_output("regime", "BTC/USDT"))}));
  EXPECT_GT(ttl, 0);
  EXPECT_LE(ttl, 300);
  EXPECT_TRUE(bridge->connected());

  int n = 0;
  ASSERT_TRUE(eventually(
      [&] {
        bridge->publish(Topic::kAlerts, "{\"after\":" + std::to_string(++n) + "}");
        return received.has_prefix("alerts:{\"after\":");
      },
      5s))
      << "the subscriber did not receive events after the restart";
  EXPECT_FALSE(received.has(R"(alerts:{"lost":true})"));
}

TEST(RedisBridgeLive, OperatorFlagsSurviveATg4RestartAndAuthIsUsed) {
  TG4_NEED_ENV(url, "TG4_TEST_REDIS_URL");
  (void)url;
  OwnRedis server(scratch_dir("redis-auth"), free_port(), "h6-secret");
  ASSERT_TRUE(server.start());
  {
    prometheus::Registry registry;
    auto bridge = make_bridge(server.url(), "h6auth", registry);
    ASSERT_TRUE(bridge);
    ASSERT_TRUE(eventually([&] { return bridge->connected(); }, 5s));
    bridge->set_operator(keys::flag("paused"), R"({"reason":"maintenance"})");
    bridge->set_operator(keys::api_session("s1"), R"({"role":"admin"})", 60s);
    ASSERT_TRUE(bridge->flush(5s));
  }
  prometheus::Registry registry;
  auto restarted = make_bridge(server.url(), "h6auth", registry);
  ASSERT_TRUE(restarted);
  ASSERT_TRUE(restarted->wait_first_attempt(5s));
  EXPECT_TRUE(restarted->connected());
  EXPECT_EQ(restarted->operator_value(keys::flag("paused")), R"({"reason":"maintenance"})");
  EXPECT_EQ(restarted->operator_value(keys::api_session("s1")), R"({"role":"admin"})");
  restarted->erase_operator(keys::flag("paused"));
  ASSERT_TRUE(restarted->flush(5s));
  RedisClient redis(server.port(), "h6-secret");
  EXPECT_EQ(redis.run({"EXISTS", operator_key("h6auth", "flag:paused")}), "0");
  const int ttl = std::stoi(redis.run({"TTL", operator_key("h6auth", "session:s1")}));
  EXPECT_GT(ttl, 0);
  EXPECT_LE(ttl, 60);

  // A wrong password: never connected, callers still served locally, the error is logged.
  prometheus::Registry other;
  auto wrong =
      make_bridge("redis://:wrong@127.0.0.1:" + std::to_string(server.port()), "h6auth", other);
  ASSERT_TRUE(wrong);
  ASSERT_TRUE(wrong->wait_first_attempt(5s));
  EXPECT_FALSE(wrong->connected());
  wrong->set_state("x", "1");
  EXPECT_EQ(wrong->state("x"), "1");
}

}  // namespace
}  // namespace tg4::storage
