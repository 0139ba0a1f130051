// The order as the API and the state stream show it.
#include "kernel/trading_records.hpp"

#include <gtest/gtest.h>

namespace tg4::kernel {
namespace {

using namespace core::literals;

TEST(OrderJson, AStopShowsItsTriggerAndATrailingMoveOnItsWay) {
  execution::ManagedOrder stop;
  stop.request.client_order_id = "s1";
  stop.request.symbol = "BTC/USD";
  stop.request.side = core::Side::kSell;
  stop.request.type = core::OrderType::kStopLoss;
  stop.request.qty = 0.1_d;
  stop.request.trigger_price = 59000_d;
  stop.role = execution::OrderRole::kStopLoss;
  auto out = order_json(stop);
  EXPECT_EQ(out.at("trigger_price").as_string(), "59000");
  EXPECT_FALSE(out.contains("trigger_asked")) << "nothing on its way";
  stop.trigger_asked = 60085_d;
  out = order_json(stop);
  EXPECT_EQ(out.at("trigger_price").as_string(), "59000") << "the venue's until it confirms";
  EXPECT_EQ(out.at("trigger_asked").as_string(), "60085");
}

}  // namespace
}  // namespace tg4::kernel
