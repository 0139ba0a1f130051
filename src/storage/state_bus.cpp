#include "storage/state_bus.hpp"

#include <fmt/format.h>

namespace tg4::storage {

const char* topic_name(Topic topic) {
  switch (topic) {
    case Topic::kTicks:
      return "ticks";
    case Topic::kBars:
      return "bars";
    case Topic::kSignals:
      return "signals";
    case Topic::kDecisions:
      return "decisions";
    case Topic::kOrders:
      return "orders";
    case Topic::kFills:
      return "fills";
    case Topic::kAlerts:
      return "alerts";
  }
  return "unknown";
}

std::optional<Topic> parse_topic(std::string_view name) {
  for (const auto t : kAllTopics) {
    if (name == topic_name(t)) return t;
  }
  return std::nullopt;
}

std::string state_key(std::string_view env, std::string_view key) {
  return fmt::format("tg4:{}:state:{}", env, key);
}
std::string operator_key(std::string_view env, std::string_view key) {
  return fmt::format("tg4:{}:operator:{}", env, key);
}
std::string event_channel(std::string_view env, Topic topic) {
  return fmt::format("tg4:{}:events:{}", env, topic_name(topic));
}

std::chrono::seconds AgentOutputTtls::for_kind(std::string_view kind) const {
  if (kind == "regime") return regime;
  if (kind == "technical") return technical;
  if (kind == "sentiment") return sentiment;
  return decision;
}

}  // namespace tg4::storage
