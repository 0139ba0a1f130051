#pragma once
// Venue: where orders go. The paper venue (simulated fills on the kernel thread) and the Kraken venue
// (real orders over WS v2) implement the same interface, so the order manager, portfolio and risk code
// are identical in backtest, paper and live (DESIGN principle 2). Reports come back as core
// execution events through the sink, in the order they happened.
#include <functional>
#include <string>

#include "core/events.hpp"

namespace tg4::execution {

struct OrderRequest {
  std::string client_order_id;
  std::string symbol;
  core::Side side = core::Side::kBuy;
  core::OrderType type = core::OrderType::kMarket;
  core::Decimal qty;
  core::Decimal limit_price;    // limit types
  core::Decimal trigger_price;  // stop-loss / take-profit types
  core::TimeInForce tif = core::TimeInForce::kGtc;
  bool post_only = false;
  bool reduce_only = false;
};

using ExecutionSink = std::function<void(core::ExecutionEvent)>;

class Venue {
 public:
  virtual ~Venue() = default;
  virtual void submit(const OrderRequest& request, core::Timestamp now) = 0;
  virtual void cancel(const std::string& client_order_id, core::Timestamp now) = 0;
  // New quantity and/or price (limit or trigger, by order type); zero leaves a field unchanged.
  virtual void amend(const std::string& client_order_id, core::Decimal qty, core::Decimal price,
                     core::Timestamp now) = 0;
  virtual const char* name() const = 0;
};

}  // namespace tg4::execution
