#include "core/events.hpp"

#include <string_view>

namespace tg4::core {

const char* to_string(OrderType t) {
  switch (t) {
    case OrderType::kMarket: return "market";
    case OrderType::kLimit: return "limit";
    case OrderType::kStopLoss: return "stop-loss";
    case OrderType::kTakeProfit: return "take-profit";
    case OrderType::kStopLossLimit: return "stop-loss-limit";
    case OrderType::kTakeProfitLimit: return "take-profit-limit";
    case OrderType::kTrailingStop: return "trailing-stop";
  }
  return "unknown";
}

const char* to_string(OrderStatus s) {
  switch (s) {
    case OrderStatus::kPendingNew: return "pending_new";
    case OrderStatus::kNew: return "new";
    case OrderStatus::kPartiallyFilled: return "partially_filled";
    case OrderStatus::kFilled: return "filled";
    case OrderStatus::kCanceled: return "canceled";
    case OrderStatus::kRejected: return "rejected";
    case OrderStatus::kExpired: return "expired";
  }
  return "unknown";
}

namespace {
constexpr std::string_view kCatchUpPrefix = "catchup:";
}  // namespace

std::string catch_up_exec_id(const std::string& order_id, Decimal order_filled) {
  return std::string(kCatchUpPrefix) + order_id + ":" + order_filled.to_string();
}

std::optional<CatchUp> parse_catch_up_exec_id(const std::string& exec_id) {
  if (!exec_id.starts_with(kCatchUpPrefix)) return std::nullopt;
  const std::size_t colon = exec_id.rfind(':');
  if (colon <= kCatchUpPrefix.size()) return std::nullopt;
  auto filled = Decimal::parse(std::string_view(exec_id).substr(colon + 1));
  if (!filled) return std::nullopt;
  return CatchUp{exec_id.substr(kCatchUpPrefix.size(), colon - kCatchUpPrefix.size()), *filled};
}

}  // namespace tg4::core
