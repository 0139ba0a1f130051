// OrderManager::open_orders() keeps an index of the open orders instead of scanning every order of
// the session. After each step of random submits, venue reports and restores, the index must equal
// the non-terminal orders of orders(), in the same order.
#include <gtest/gtest.h>

#include <random>

#include "execution/order_manager.hpp"

namespace tg4::execution {
namespace {

using core::OrderStatus;
using namespace core::literals;

// Takes orders and reports nothing: the test sends the reports.
class SilentVenue final : public Venue {
 public:
  void submit(const OrderRequest&, core::Timestamp) override {}
  void cancel(const std::string&, core::Timestamp) override {}
  void amend(const OrderRequest&, core::Decimal, core::Decimal, core::Timestamp) override {}
  void cancel_all(core::Timestamp) override {}
  void request_snapshot(SnapshotSink done) override { done(VenueSnapshot{}); }
  const char* name() const override { return "silent"; }
};

std::vector<const ManagedOrder*> scanned_open(const OrderManager& manager) {
  std::vector<const ManagedOrder*> out;
  for (const auto& [id, order] : manager.orders()) {
    if (!core::is_terminal(order.status)) out.push_back(&order);
  }
  return out;
}

TEST(OrderManagerOpenOrders, IndexFollowsEveryStatusChange) {
  core::InstrumentRegistry instruments;
  instruments.upsert(core::default_instrument("BTC/USDT"));
  SilentVenue venue;
  int next = 0;
  OrderManagerConfig config;
  OrderManager manager(
      venue, instruments, [&] { return "c" + std::to_string(++next); }, config,
      [](const ManagedOrder&) {}, [](const std::string&) {});
  const core::Timestamp now = core::Timestamp::from_seconds(1'700'000'000);
  const OrderStatus statuses[] = {OrderStatus::kNew,      OrderStatus::kPartiallyFilled,
                                  OrderStatus::kFilled,   OrderStatus::kCanceled,
                                  OrderStatus::kRejected, OrderStatus::kExpired};
  std::mt19937_64 rng(5);
  std::vector<std::string> ids;
  for (int step = 0; step < 3'000; ++step) {
    const auto action = rng() % 4;
    if (action == 0 || ids.empty()) {
      core::OrderIntent intent;
      intent.intent_id = "i" + std::to_string(step);
      intent.symbol = "BTC/USDT";
      auto id = manager.submit(intent, 0.01_d, now);
      ASSERT_TRUE(id) << id.error().message;
      ids.push_back(*id);
    } else if (action == 3) {
      ManagedOrder restored;
      restored.request.client_order_id =
          rng() % 2 == 0 ? ids[rng() % ids.size()] : "r" + std::to_string(step);
      restored.request.symbol = "BTC/USDT";
      restored.status = statuses[rng() % std::size(statuses)];
      manager.restore(restored);
    } else {
      core::OrderUpdate update;
      update.client_order_id = ids[rng() % ids.size()];
      update.symbol = "BTC/USDT";
      update.status = statuses[rng() % std::size(statuses)];
      update.reason = "step " + std::to_string(step);
      manager.on_execution(update, now);
    }
    ASSERT_EQ(manager.open_orders(), scanned_open(manager)) << "step " << step;
    ASSERT_EQ(manager.open_count(), scanned_open(manager).size()) << "step " << step;
  }
}

}  // namespace
}  // namespace tg4::execution
