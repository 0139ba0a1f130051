#pragma once
// RedisBridge: the StateBus on Redis 7 (SPEC §4), over hiredis on threads of its own. Every state
// and operator value is kept in a local mirror; the publisher thread sends changed keys (SET … PX
// for TTLs, DEL for erasures) and queued events (PUBLISH) in pipelines, so callers never wait for
// Redis. When Redis is down: tg4_redis_up is 0, events are counted and dropped (they are live
// only), state changes accumulate in the mirror, and on reconnect (backoff) the full current state
// is written again, operator data (pause/halt flags, API sessions) is first read back from Redis so
// it survives a restart of tg4. A second connection receives subscribed events and re-subscribes
// after outages. TLS is not available: see redis_url.hpp.
#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>
#include <spdlog/logger.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <thread>

#include "core/result.hpp"
#include "storage/redis_url.hpp"
#include "storage/state_bus.hpp"

struct redisContext;

namespace tg4::storage {

struct RedisBridgeOptions {
  std::string url = "redis://127.0.0.1:6379";
  std::string env = "dev";  // the <env> of tg4:<env>:…
  std::chrono::milliseconds reconnect_min{100};
  std::chrono::milliseconds reconnect_max{1000};
  std::chrono::milliseconds io_timeout{2000};
  std::chrono::milliseconds ping_interval{500};  // an idle connection is checked this often
  std::size_t max_pending_events = 100'000;      // beyond this, events are dropped and counted
  std::size_t pipeline_max = 10'000;             // commands per round trip
  std::shared_ptr<spdlog::logger> log;
};

class RedisBridge final : public StateBus {
 public:
  // Fails only on a malformed URL; an unreachable Redis is retried in the background.
  static core::Result<std::unique_ptr<RedisBridge>> create(RedisBridgeOptions options,
                                                           prometheus::Registry& registry);
  ~RedisBridge() override;
  RedisBridge(const RedisBridge&) = delete;
  RedisBridge& operator=(const RedisBridge&) = delete;

  void set_state(std::string key, std::string json, std::chrono::milliseconds ttl = {}) override;
  void erase_state(std::string key) override;
  std::optional<std::string> state(std::string_view key) const override;
  void publish(Topic topic, std::string json) override;
  std::uint64_t subscribe(std::vector<Topic> topics, Handler handler) override;
  void unsubscribe(std::uint64_t id) override;
  void set_operator(std::string key, std::string json, std::chrono::milliseconds ttl = {}) override;
  void erase_operator(std::string key) override;
  std::optional<std::string> operator_value(std::string_view key) const override;
  bool connected() const override { return up_.load(std::memory_order_acquire); }
  bool flush(std::chrono::milliseconds timeout) override;

  // Waits until the first connection attempt has finished (connected or not), so start-up can read
  // operator flags restored from Redis. False on timeout.
  bool wait_first_attempt(std::chrono::milliseconds timeout);
  const std::string& env() const { return options_.env; }

 private:
  using WallClock = std::chrono::system_clock;
  struct Entry {
    std::string value;
    std::optional<WallClock::time_point> expires;
  };
  struct Event {
    Topic topic;
    std::string json;
  };
  struct Subscriber {
    std::vector<Topic> topics;
    std::shared_ptr<Handler> handler;
  };
  struct ContextDeleter {
    void operator()(redisContext* c) const;
  };
  using Context = std::unique_ptr<redisContext, ContextDeleter>;

  RedisBridge(RedisBridgeOptions options, RedisUrl url, prometheus::Registry& registry);
  core::Result<Context> connect();
  void set(std::string full_key, std::string json, std::chrono::milliseconds ttl);
  void erase(std::string full_key);
  std::optional<std::string> lookup(const std::string& full_key) const;
  void publisher_loop();
  bool on_connected(redisContext* c);
  bool send_round(redisContext* c, const std::vector<std::string>& keys, std::deque<Event>& events);
  void subscriber_loop();
  void mark_disconnected(const std::string& why);
  std::chrono::milliseconds next_backoff(std::chrono::milliseconds& backoff) const;

  RedisBridgeOptions options_;
  RedisUrl url_;
  std::shared_ptr<spdlog::logger> log_;
  prometheus::Gauge& up_gauge_;
  prometheus::Counter& published_;
  prometheus::Counter& dropped_;
  prometheus::Counter& reconnects_;

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable progress_;
  std::condition_variable sub_wake_;
  std::map<std::string, Entry, std::less<>> mirror_;  // full key -> value (state and operator)
  std::set<std::string> dirty_;                       // full keys to send (SET or DEL)
  std::set<std::string> operator_touched_;  // changed here: not overwritten by Redis's copy
  std::deque<Event> events_;
  bool in_flight_ = false;
  bool first_attempt_done_ = false;
  bool stopping_ = false;
  std::atomic<bool> up_{false};

  std::map<std::uint64_t, Subscriber> subscribers_;
  std::uint64_t next_subscriber_ = 1;
  std::uint64_t subscription_version_ = 0;

  std::thread publisher_;
  std::thread subscriber_;
};

}  // namespace tg4::storage
