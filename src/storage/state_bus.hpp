#pragma once
// StateBus: the live projection of trading state and events (DESIGN principle 5: "Redis is a
// projection"). Two implementations: RedisBridge (Redis 7, SPEC §4 keys and channels) and
// LocalStateBus (the embedded default: in-process state and pub/sub). Callers are never blocked by
// the network: writes land in a local mirror at once and reach Redis from the bridge's own thread.
//
// Names: state `tg4:<env>:state:<key>`, operator data `tg4:<env>:operator:<key>`, events on the
// pub/sub channel `tg4:<env>:events:<topic>`. Values are JSON text.
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tg4::storage {

enum class Topic : std::uint8_t { kTicks, kBars, kSignals, kDecisions, kOrders, kFills, kAlerts };
inline constexpr Topic kAllTopics[] = {Topic::kTicks,     Topic::kBars,   Topic::kSignals,
                                       Topic::kDecisions, Topic::kOrders, Topic::kFills,
                                       Topic::kAlerts};
const char* topic_name(Topic topic);  // "ticks", "bars", …
std::optional<Topic> parse_topic(std::string_view name);

// Key and channel names (SPEC §4).
std::string state_key(std::string_view env, std::string_view key);     // tg4:<env>:state:<key>
std::string operator_key(std::string_view env, std::string_view key);  // tg4:<env>:operator:<key>
std::string event_channel(std::string_view env, Topic topic);          // tg4:<env>:events:<topic>

// The state keys of SPEC §4, relative to tg4:<env>:state:.
namespace keys {
inline std::string portfolio() {
  return "portfolio";
}
inline std::string positions() {
  return "positions";
}
inline std::string open_orders() {
  return "orders:open";
}
inline std::string risk() {
  return "risk";
}
inline std::string ticker(std::string_view symbol) {
  return "ticker:" + std::string(symbol);
}
inline std::string agent_output(std::string_view kind, std::string_view symbol) {
  return "agent:" + std::string(kind) + ":" + std::string(symbol);
}
// Operator data, relative to tg4:<env>:operator:.
inline std::string flag(std::string_view name) {
  return "flag:" + std::string(name);
}  // paused, halted
inline std::string api_session(std::string_view id) {
  return "session:" + std::string(id);
}
}  // namespace keys

// How long the latest agent outputs stay (SPEC §4 defaults; config may change them).
struct AgentOutputTtls {
  std::chrono::seconds regime{300};
  std::chrono::seconds technical{60};
  std::chrono::seconds sentiment{900};
  std::chrono::seconds decision{1800};
  // The TTL for an agent kind; unknown kinds get the decision TTL.
  std::chrono::seconds for_kind(std::string_view kind) const;
};

class StateBus {
 public:
  using Handler = std::function<void(Topic topic, std::string_view json)>;

  virtual ~StateBus() = default;

  // Latest value of a state key (ttl zero: no expiry). Never waits for the network.
  virtual void set_state(std::string key, std::string json, std::chrono::milliseconds ttl = {}) = 0;
  virtual void erase_state(std::string key) = 0;
  // From the local mirror (expired values are gone).
  virtual std::optional<std::string> state(std::string_view key) const = 0;

  // Publishes an event to every subscriber of `topic`. Events are live only: while Redis is down
  // they are counted and dropped (the durable record is the Store).
  virtual void publish(Topic topic, std::string json) = 0;
  // `handler` runs on the bus's delivery thread (the publishing thread for LocalStateBus): keep it
  // short. Returns an id for unsubscribe().
  virtual std::uint64_t subscribe(std::vector<Topic> topics, Handler handler) = 0;
  virtual void unsubscribe(std::uint64_t id) = 0;

  // Operator data (API sessions, pause/halt flags) that survives a restart of tg4.
  virtual void set_operator(std::string key, std::string json,
                            std::chrono::milliseconds ttl = {}) = 0;
  virtual void erase_operator(std::string key) = 0;
  virtual std::optional<std::string> operator_value(std::string_view key) const = 0;

  virtual bool connected() const = 0;
  // Waits until everything set or published so far has been handed to Redis (true at once for the
  // in-process bus); false on timeout or while disconnected.
  virtual bool flush(std::chrono::milliseconds timeout) = 0;

  // Agent output with its kind's TTL under keys::agent_output(kind, symbol).
  void set_agent_output(const AgentOutputTtls& ttls, std::string_view kind, std::string_view symbol,
                        std::string json) {
    set_state(keys::agent_output(kind, symbol), std::move(json),
              std::chrono::duration_cast<std::chrono::milliseconds>(ttls.for_kind(kind)));
  }
};

}  // namespace tg4::storage
