#include "core/events.hpp"

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

}  // namespace tg4::core
