#include "storage/local_state_bus.hpp"

#include <spdlog/spdlog.h>

#include <boost/json.hpp>
#include <fstream>

#include "core/text_file.hpp"

namespace tg4::storage {
namespace {

std::optional<std::chrono::system_clock::time_point> expiry(std::chrono::milliseconds ttl) {
  if (ttl.count() <= 0) return std::nullopt;
  return std::chrono::system_clock::now() + ttl;
}

}  // namespace

LocalStateBus::LocalStateBus(LocalStateBusOptions options)
    : options_(std::move(options)), log_(options_.log ? options_.log : spdlog::default_logger()) {
  load_operator_file();
}

std::optional<std::string> LocalStateBus::live_value(
    const std::map<std::string, Entry, std::less<>>& map, std::string_view key) {
  const auto it = map.find(key);
  if (it == map.end()) return std::nullopt;
  if (it->second.expires && *it->second.expires <= WallClock::now()) return std::nullopt;
  return it->second.value;
}

void LocalStateBus::set_state(std::string key, std::string json, std::chrono::milliseconds ttl) {
  std::lock_guard lock(mutex_);
  state_[std::move(key)] = Entry{std::move(json), expiry(ttl)};
}

void LocalStateBus::erase_state(std::string key) {
  std::lock_guard lock(mutex_);
  state_.erase(key);
}

std::optional<std::string> LocalStateBus::state(std::string_view key) const {
  std::lock_guard lock(mutex_);
  return live_value(state_, key);
}

void LocalStateBus::publish(Topic topic, std::string json) {
  std::vector<std::shared_ptr<Handler>> targets;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [id, s] : subscribers_) {
      if (std::find(s.topics.begin(), s.topics.end(), topic) != s.topics.end())
        targets.push_back(s.handler);
    }
  }
  for (const auto& h : targets) (*h)(topic, json);
}

std::uint64_t LocalStateBus::subscribe(std::vector<Topic> topics, Handler handler) {
  std::lock_guard lock(mutex_);
  const auto id = next_id_++;
  subscribers_[id] = Subscriber{std::move(topics), std::make_shared<Handler>(std::move(handler))};
  return id;
}

void LocalStateBus::unsubscribe(std::uint64_t id) {
  std::lock_guard lock(mutex_);
  subscribers_.erase(id);
}

void LocalStateBus::set_operator(std::string key, std::string json, std::chrono::milliseconds ttl) {
  std::lock_guard lock(mutex_);
  operator_[std::move(key)] = Entry{std::move(json), expiry(ttl)};
  save_operator_file();
}

void LocalStateBus::erase_operator(std::string key) {
  std::lock_guard lock(mutex_);
  operator_.erase(key);
  save_operator_file();
}

std::optional<std::string> LocalStateBus::operator_value(std::string_view key) const {
  std::lock_guard lock(mutex_);
  return live_value(operator_, key);
}

void LocalStateBus::load_operator_file() {
  if (options_.operator_file.empty() || !std::filesystem::exists(options_.operator_file)) return;
  const auto text = core::read_text_file(options_.operator_file);
  if (!text) {
    log_->error("state bus: {}; starting without its flags and sessions", text.error().message);
    return;
  }
  boost::system::error_code ec;
  const auto parsed = boost::json::parse(*text, ec);
  if (ec || !parsed.is_object()) {
    log_->error(
        "state bus: operator file {} is not valid JSON ({}); starting without its flags and "
        "sessions",
        options_.operator_file.string(), ec ? ec.message() : "not an object");
    return;
  }
  for (const auto& [key, v] : parsed.as_object()) {
    const auto* entry = v.if_object();
    const auto* value = entry ? entry->if_contains("value") : nullptr;
    if (!value || !value->is_string()) continue;
    Entry e{std::string(value->as_string()), std::nullopt};
    if (const auto* expires = entry->if_contains("expires_ms"); expires && expires->is_int64()) {
      e.expires = WallClock::time_point(std::chrono::milliseconds(expires->as_int64()));
    }
    operator_[std::string(key)] = std::move(e);
  }
}

void LocalStateBus::save_operator_file() {
  if (options_.operator_file.empty()) return;
  boost::json::object out;
  for (const auto& [key, e] : operator_) {
    boost::json::object entry{{"value", e.value}};
    if (e.expires) {
      entry["expires_ms"] =
          std::chrono::duration_cast<std::chrono::milliseconds>(e.expires->time_since_epoch())
              .count();
    }
    out[key] = std::move(entry);
  }
  // Write then rename: a crash leaves the old file or the new one, never half of one.
  std::error_code ec;
  if (options_.operator_file.has_parent_path())
    std::filesystem::create_directories(options_.operator_file.parent_path(), ec);
  const auto tmp = options_.operator_file.string() + ".tmp";
  {
    std::ofstream file(tmp, std::ios::trunc);
    file << boost::json::serialize(out);
    if (!file) {
      log_->error(
          "state bus: cannot write operator file {}: flags and sessions will not survive a restart",
          tmp);
      return;
    }
  }
  std::filesystem::rename(tmp, options_.operator_file, ec);
  if (ec)
    log_->error("state bus: cannot replace {}: {}", options_.operator_file.string(), ec.message());
}

}  // namespace tg4::storage
