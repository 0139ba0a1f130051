#include <gtest/gtest.h>
#include <prometheus/registry.h>
#include <spdlog/sinks/ostream_sink.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "storage/local_state_bus.hpp"
#include "storage/redis_bridge.hpp"

#include "support/eventually.hpp"

namespace tg4::storage {
namespace {

using namespace std::chrono_literals;

using ::tg4::testing::eventually;

double gauge(prometheus::Registry& registry, const std::string& name) {
  for (const auto& f : registry.Collect()) {
    if (f.name == name && !f.metric.empty()) {
      return f.type == prometheus::MetricType::Gauge ? f.metric[0].gauge.value
                                                     : f.metric[0].counter.value;
    }
  }
  return -1;
}

TEST(StateNames, FollowTheSpec) {
  EXPECT_EQ(state_key("prod", keys::ticker("BTC/USDT")), "tg4:prod:state:ticker:BTC/USDT");
  EXPECT_EQ(state_key("prod", keys::open_orders()), "tg4:prod:state:orders:open");
  EXPECT_EQ(operator_key("prod", keys::flag("halted")), "tg4:prod:operator:flag:halted");
  EXPECT_EQ(event_channel("prod", Topic::kFills), "tg4:prod:events:fills");
  for (const auto t : kAllTopics) EXPECT_EQ(parse_topic(topic_name(t)), t);
  EXPECT_FALSE(parse_topic("nope"));
  const AgentOutputTtls ttls;
  EXPECT_EQ(ttls.for_kind("regime"), 300s);
  EXPECT_EQ(ttls.for_kind("technical"), 60s);
  EXPECT_EQ(ttls.for_kind("sentiment"), 900s);
  EXPECT_EQ(ttls.for_kind("decision"), 1800s);
}

TEST(RedisUrl, ParsesAndRefusesClearly) {
  auto full = parse_redis_url("redis://ops:p%40ss@10.0.0.5:6380/2");
  ASSERT_TRUE(full) << full.error().message;
  EXPECT_EQ(full->host, "10.0.0.5");
  EXPECT_EQ(full->port, 6380);
  EXPECT_EQ(full->username, "ops");
  EXPECT_EQ(full->password, "p@ss");
  EXPECT_EQ(full->db, 2);
  EXPECT_EQ(full->redacted, "redis://ops:***@10.0.0.5:6380/2");
  auto plain = parse_redis_url("redis://localhost");
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->port, 6379);
  EXPECT_TRUE(plain->password.empty());
  auto pass_only = parse_redis_url("redis://:secret@127.0.0.1:7000");
  ASSERT_TRUE(pass_only);
  EXPECT_EQ(pass_only->password, "secret");
  EXPECT_TRUE(pass_only->username.empty());

  auto tls = parse_redis_url("rediss://:secret@cache:6380");
  ASSERT_FALSE(tls);
  EXPECT_NE(tls.error().message.find("hiredis_ssl"), std::string::npos) << tls.error().message;
  EXPECT_EQ(tls.error().message.find("secret"), std::string::npos);
  auto port = parse_redis_url("redis://:pw@host:99999");
  ASSERT_FALSE(port);
  EXPECT_NE(port.error().message.find("redis://:***@host:99999"), std::string::npos)
      << port.error().message;
  EXPECT_FALSE(parse_redis_url("http://host"));
  EXPECT_FALSE(parse_redis_url("redis://host/abc"));
  EXPECT_FALSE(parse_redis_url("redis://"));
}

TEST(LocalStateBus, StateTtlsEventsAndOperatorDataThatSurvivesARestart) {
  const auto file = std::filesystem::temp_directory_path() /
                    ("tg4-operator-" + std::to_string(::getpid()) + ".json");
  std::filesystem::remove(file);
  {
    LocalStateBusOptions options;
    options.operator_file = file;
    LocalStateBus bus(options);
    EXPECT_TRUE(bus.connected());
    bus.set_state(keys::portfolio(), R"({"equity":"100"})");
    bus.set_agent_output(AgentOutputTtls{}, "regime", "BTC/USDT", R"({"regime":"trend"})");
    bus.set_state("short", "1", 1ms);
    EXPECT_EQ(bus.state(keys::portfolio()), R"({"equity":"100"})");
    EXPECT_EQ(bus.state(keys::agent_output("regime", "BTC/USDT")), R"({"regime":"trend"})");
    EXPECT_TRUE(eventually([&] { return !bus.state("short").has_value(); }));
    bus.erase_state(keys::portfolio());
    EXPECT_FALSE(bus.state(keys::portfolio()));

    std::vector<std::string> got;
    const auto id =
        bus.subscribe({Topic::kFills, Topic::kAlerts}, [&](Topic t, std::string_view json) {
          got.push_back(std::string(topic_name(t)) + " " + std::string(json));
        });
    bus.publish(Topic::kFills, "{\"n\":1}");
    bus.publish(Topic::kTicks, "{\"ignored\":true}");
    bus.unsubscribe(id);
    bus.publish(Topic::kAlerts, "{\"after\":true}");
    EXPECT_EQ(got, std::vector<std::string>{"fills {\"n\":1}"});

    bus.set_operator(keys::flag("paused"), R"({"by":"ops","reason":"maintenance"})");
    bus.set_operator(keys::api_session("abc"), "{}", 1h);
    bus.set_operator(keys::api_session("gone"), "{}", 1ms);
    EXPECT_TRUE(bus.flush(1s));
  }
  LocalStateBusOptions options;
  options.operator_file = file;
  LocalStateBus restarted(options);
  EXPECT_EQ(restarted.operator_value(keys::flag("paused")),
            R"({"by":"ops","reason":"maintenance"})");
  EXPECT_TRUE(restarted.operator_value(keys::api_session("abc")));
  EXPECT_TRUE(
      eventually([&] { return !restarted.operator_value(keys::api_session("gone")).has_value(); }));
  restarted.erase_operator(keys::flag("paused"));
  LocalStateBus again(options);
  EXPECT_FALSE(again.operator_value(keys::flag("paused")));
  std::filesystem::remove(file);
}

TEST(LocalStateBus, ACorruptOperatorFileIsReportedNotFatal) {
  const auto file = std::filesystem::temp_directory_path() /
                    ("tg4-operator-bad-" + std::to_string(::getpid()) + ".json");
  std::ofstream(file) << "{not json";
  LocalStateBusOptions options;
  options.operator_file = file;
  LocalStateBus bus(options);
  EXPECT_FALSE(bus.operator_value(keys::flag("paused")));
  std::filesystem::remove(file);
}

// A folder where the operator file should be is named as such, not as invalid JSON.
TEST(LocalStateBus, AFolderAsOperatorFileIsNamed) {
  const auto dir = std::filesystem::temp_directory_path() / ("tg4-operator-dir-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::ostringstream log_text;
  LocalStateBusOptions options;
  options.operator_file = dir;
  options.log = std::make_shared<spdlog::logger>("bus-test", std::make_shared<spdlog::sinks::ostream_sink_mt>(log_text));
  LocalStateBus bus(options);
  EXPECT_FALSE(bus.operator_value(keys::flag("paused")));
  EXPECT_NE(log_text.str().find(dir.string() + ": is a directory"), std::string::npos) << log_text.str();
  std::filesystem::remove_all(dir);
}

TEST(RedisBridge, ADownRedisNeverBlocksCallers) {
  // Nobody listens on port 1 of 127.0.0.1.
  prometheus::Registry registry;
  RedisBridgeOptions options;
  options.url = "redis://:pw@127.0.0.1:1";
  options.env = "unit";
  auto bridge = RedisBridge::create(options, registry);
  ASSERT_TRUE(bridge) << bridge.error().message;
  ASSERT_TRUE((*bridge)->wait_first_attempt(5s));
  EXPECT_FALSE((*bridge)->connected());
  const auto started = std::chrono::steady_clock::now();
  for (int i = 0; i < 10'000; ++i) {
    (*bridge)->set_state(keys::ticker("BTC/USDT"), std::to_string(i));
    (*bridge)->publish(Topic::kTicks, "{}");
  }
  EXPECT_LT(std::chrono::steady_clock::now() - started, 1s);
  EXPECT_EQ((*bridge)->state(keys::ticker("BTC/USDT")), "9999");
  EXPECT_FALSE((*bridge)->flush(10ms));
  EXPECT_EQ(gauge(registry, "tg4_redis_up"), 0);
  EXPECT_EQ(gauge(registry, "tg4_redis_events_dropped_total"), 10'000);
}

TEST(RedisBridge, AMalformedUrlIsRefusedAtCreation) {
  prometheus::Registry registry;
  RedisBridgeOptions options;
  options.url = "rediss://:topsecret@cache.example:6380";
  auto bridge = RedisBridge::create(options, registry);
  ASSERT_FALSE(bridge);
  EXPECT_EQ(bridge.error().message.find("topsecret"), std::string::npos);
  EXPECT_NE(bridge.error().message.find("rediss://:***@cache.example:6380"), std::string::npos);
}

}  // namespace
}  // namespace tg4::storage
