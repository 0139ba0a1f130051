#pragma once
// RestOrder: an order as Kraken's REST QueryOrders describes it. The venue asks for it when the
// WebSocket could not tell how an order ended (it closed while TG4 was away and its fills fell out
// of the snapshot's last 50); the tracker settles the order from it.
#include <string>

#include "core/decimal.hpp"

namespace tg4::kraken {

struct RestOrder {
  std::string order_id;  // Kraken's txid (the result's key)
  std::string cl_ord_id;
  std::string status;  // pending, open, closed (filled), canceled, expired
  core::Decimal vol;
  core::Decimal vol_exec;  // filled
  core::Decimal cost;      // of the filled part, in the quote currency
  core::Decimal fee;       // the order's total fee, in the quote currency
  core::Decimal avg_price;
};

}  // namespace tg4::kraken
