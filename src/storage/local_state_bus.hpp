#pragma once
// LocalStateBus: the in-process StateBus of the embedded default (no Redis). State lives in memory;
// events go straight to subscribers on the publishing thread; operator data (pause/halt flags, API
// sessions) is also written to a small JSON file when one is configured, so it survives a restart
// like it would in Redis.
#include <spdlog/logger.h>

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>

#include "storage/state_bus.hpp"

namespace tg4::storage {

struct LocalStateBusOptions {
  std::filesystem::path operator_file;  // empty: operator data is not persisted
  std::shared_ptr<spdlog::logger> log;
};

class LocalStateBus final : public StateBus {
 public:
  explicit LocalStateBus(LocalStateBusOptions options = {});

  void set_state(std::string key, std::string json, std::chrono::milliseconds ttl = {}) override;
  void erase_state(std::string key) override;
  std::optional<std::string> state(std::string_view key) const override;
  void publish(Topic topic, std::string json) override;
  std::uint64_t subscribe(std::vector<Topic> topics, Handler handler) override;
  void unsubscribe(std::uint64_t id) override;
  void set_operator(std::string key, std::string json, std::chrono::milliseconds ttl = {}) override;
  void erase_operator(std::string key) override;
  std::optional<std::string> operator_value(std::string_view key) const override;
  bool connected() const override { return true; }
  bool flush(std::chrono::milliseconds) override { return true; }

 private:
  using WallClock = std::chrono::system_clock;
  struct Entry {
    std::string value;
    std::optional<WallClock::time_point> expires;
  };
  struct Subscriber {
    std::vector<Topic> topics;
    std::shared_ptr<Handler> handler;
  };
  static std::optional<std::string> live_value(const std::map<std::string, Entry, std::less<>>& map,
                                               std::string_view key);
  void load_operator_file();
  void save_operator_file();  // mutex_ held

  LocalStateBusOptions options_;
  std::shared_ptr<spdlog::logger> log_;
  mutable std::mutex mutex_;
  std::map<std::string, Entry, std::less<>> state_;
  std::map<std::string, Entry, std::less<>> operator_;
  std::map<std::uint64_t, Subscriber> subscribers_;
  std::uint64_t next_id_ = 1;
};

}  // namespace tg4::storage
