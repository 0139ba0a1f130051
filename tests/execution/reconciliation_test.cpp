#include "execution/reconciliation.hpp"

#include <gtest/gtest.h>

namespace tg4::execution {
namespace {

using core::Decimal;
using core::OrderStatus;
using core::Side;
using namespace core::literals;
using namespace std::chrono_literals;

const core::Timestamp kNow{1'700'000'000'000'000'000};

ManagedOrder local(const std::string& id, OrderStatus status, Decimal qty, Decimal filled = {},
                   core::Timestamp updated = kNow - 60s) {
  ManagedOrder o;
  o.request.client_order_id = id;
  o.request.symbol = "BTC/USDT";
  o.request.side = Side::kBuy;
  o.request.type = core::OrderType::kLimit;
  o.request.qty = qty;
  o.request.limit_price = 50000_d;
  o.status = status;
  o.filled = filled;
  o.updated = updated;
  return o;
}

core::OrderUpdate at_venue(const std::string& id, OrderStatus status, Decimal qty, Decimal filled = {}) {
  core::OrderUpdate u;
  u.client_order_id = id;
  u.venue_order_id = "V-" + id;
  u.symbol = "BTC/USDT";
  u.status = status;
  u.qty = qty;
  u.filled_qty = filled;
  return u;
}

core::Fill venue_fill(const std::string& exec, const std::string& order, Decimal qty, std::int64_t second) {
  core::Fill f;
  f.exec_id = exec;
  f.client_order_id = order;
  f.symbol = "BTC/USDT";
  f.qty = qty;
  f.price = 50000_d;
  f.time = core::Timestamp{kNow.ns - 100'000'000'000 + second * 1'000'000'000};
  return f;
}

TEST(Reconciliation, IdenticalStateIsClean) {
  ReconcileInput in;
  in.now = kNow;
  in.local_open = {local("a", OrderStatus::kNew, 1_d)};
  in.venue.open_orders = {at_venue("a", OrderStatus::kNew, 1_d)};
  in.venue.recent_fills = {venue_fill("x1", "old", 1_d, 0)};
  in.applied_exec_ids = {"x1"};
  const ReconcilePlan plan = plan_reconciliation(in);
  EXPECT_TRUE(plan.clean());
  EXPECT_TRUE(plan.notes.empty());
}

TEST(Reconciliation, MissedFillsAreAppliedOldestFirstAndCloseTheirOrder) {
  ReconcileInput in;
  in.now = kNow;
  in.local_open = {local("a", OrderStatus::kNew, 1_d)};
  in.venue.recent_fills = {venue_fill("x2", "a", 0.6_d, 20), venue_fill("x1", "a", 0.4_d, 10)};
  const ReconcilePlan plan = plan_reconciliation(in);
  ASSERT_EQ(plan.missed_fills.size(), 2u);
  EXPECT_EQ(plan.missed_fills[0].exec_id, "x1");
  EXPECT_EQ(plan.missed_fills[1].exec_id, "x2");
  ASSERT_EQ(plan.order_updates.size(), 1u);  // no longer open at the venue, and fully filled
  EXPECT_EQ(plan.order_updates[0].status, OrderStatus::kFilled);
  EXPECT_EQ(plan.order_updates[0].filled_qty, 1_d);
}

// A catch-up fill ("catchup:O1:0.7") applied what Kraken's order total showed beyond the fills seen.
// After a restart Kraken lists one of those older trades again: within the catch-up, not missed;
// one that takes the order beyond it is.
TEST(Reconciliation, AFillACatchUpAlreadyCoveredIsNotMissed) {
  ReconcileInput in;
  in.now = kNow;
  in.applied_exec_ids = {core::catch_up_exec_id("O1", 0.7_d)};
  core::Fill covered = venue_fill("E3", "a", 0.3_d, 10);
  covered.venue_order_id = "O1";
  covered.order_filled = 0.5_d;
  core::Fill beyond = venue_fill("E4", "a", 0.2_d, 20);
  beyond.venue_order_id = "O1";
  beyond.order_filled = 0.9_d;
  core::Fill unknown_total = venue_fill("E5", "b", 0.1_d, 30);  // another order, no cum_qty given
  unknown_total.venue_order_id = "O2";
  in.venue.recent_fills = {covered, beyond, unknown_total};
  const ReconcilePlan plan = plan_reconciliation(in);
  ASSERT_EQ(plan.missed_fills.size(), 2u);
  EXPECT_EQ(plan.missed_fills[0].exec_id, "E4");
  EXPECT_EQ(plan.missed_fills[1].exec_id, "E5");
}

TEST(Reconciliation, CatchUpExecIdsReadBack) {
  const std::string id = core::catch_up_exec_id("OQCLML-BW3P3-BUCMWZ", 1.25_d);
  EXPECT_EQ(id, "catchup:OQCLML-BW3P3-BUCMWZ:1.25");
  const auto parsed = core::parse_catch_up_exec_id(id);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->order_id, "OQCLML-BW3P3-BUCMWZ");
  EXPECT_EQ(parsed->order_filled, 1.25_d);
  EXPECT_FALSE(core::parse_catch_up_exec_id("TXID-1"));
  EXPECT_FALSE(core::parse_catch_up_exec_id("catchup:"));
  EXPECT_FALSE(core::parse_catch_up_exec_id("catchup:O1:abc"));
}

TEST(Reconciliation, VanishedOrderWithoutFillsIsClosedButAYoungPendingOneWaits) {
  ReconcileInput in;
  in.now = kNow;
  in.in_flight = 5s;
  in.local_open = {local("gone", OrderStatus::kNew, 1_d, 0.25_d), local("young", OrderStatus::kPendingNew, 1_d, {}, kNow - 1s),
                   local("old", OrderStatus::kPendingNew, 1_d, {}, kNow - 6s)};
  const ReconcilePlan plan = plan_reconciliation(in);
  ASSERT_EQ(plan.order_updates.size(), 2u);
  EXPECT_EQ(plan.order_updates[0].client_order_id, "gone");
  EXPECT_EQ(plan.order_updates[0].status, OrderStatus::kCanceled);
  EXPECT_EQ(plan.order_updates[0].filled_qty, 0.25_d);
  EXPECT_EQ(plan.order_updates[1].client_order_id, "old");
}

// Across a restart Kraken's snapshot lists only its last 50 fills: an order that filled more than
// our fills and the listed ones gets one catch-up fill for the rest, at the price the venue's
// average implies, once (its exec id is the Kraken venue's own catch-up id).
TEST(Reconciliation, AFillBeyondTheVenuesRecentFillsBecomesOneCatchUpFill) {
  ReconcileInput in;
  in.now = kNow;
  ManagedOrder ours = local("a", OrderStatus::kPartiallyFilled, 1_d, 0.2_d);
  ours.avg_price = 50000_d;
  in.local_open = {ours};
  core::OrderUpdate venue = at_venue("a", OrderStatus::kPartiallyFilled, 1_d, 0.7_d);
  venue.avg_price = 50200_d;  // 35,140 for the 0.7
  in.venue.open_orders = {venue};
  in.venue.recent_fills = {venue_fill("x1", "a", 0.1_d, 5)};  // 0.1 @ 50,000, not applied yet
  const ReconcilePlan plan = plan_reconciliation(in);
  ASSERT_EQ(plan.missed_fills.size(), 2u);
  const core::Fill& rest = plan.missed_fills[1];
  EXPECT_EQ(rest.exec_id, core::catch_up_exec_id("V-a", 0.7_d));
  EXPECT_EQ(rest.qty, 0.4_d);
  EXPECT_EQ(rest.price, 50350_d);  // (35,140 - 10,000 - 5,000) / 0.4
  EXPECT_EQ(rest.side, Side::kBuy);
  EXPECT_EQ(rest.fee_currency, "USDT");
  EXPECT_EQ(rest.order_filled, 0.7_d);
  ASSERT_EQ(plan.order_updates.size(), 1u);
  bool said = false;
  for (const auto& note : plan.notes) said = said || note.find("fee unknown, recorded as 0") != std::string::npos;
  EXPECT_TRUE(said);

  in.applied_exec_ids = {"x1", rest.exec_id};  // applied, as a restart would find it in the store
  for (const core::Fill& f : plan_reconciliation(in).missed_fills) EXPECT_NE(f.exec_id, rest.exec_id);
  in.venue.open_orders[0].avg_price = {};  // no price to apply it at: said, not guessed
  in.applied_exec_ids.clear();
  const ReconcilePlan unpriced = plan_reconciliation(in);
  EXPECT_EQ(unpriced.missed_fills.size(), 1u);
  said = false;
  for (const auto& note : unpriced.notes) said = said || note.find("check the position") != std::string::npos;
  EXPECT_TRUE(said);
}

// A venue whose fill list may be incomplete (Kraken's last 50) cannot show that a vanished order did
// not fill: its write-off says to check it.
TEST(Reconciliation, AnOrderGoneFromAnIncompleteFillListIsFlaggedForACheck) {
  ReconcileInput in;
  in.now = kNow;
  in.local_open = {local("gone", OrderStatus::kNew, 1_d)};
  in.venue.fills_complete = false;
  ReconcilePlan plan = plan_reconciliation(in);
  ASSERT_EQ(plan.order_updates.size(), 1u);
  EXPECT_EQ(plan.order_updates[0].status, OrderStatus::kCanceled);
  EXPECT_NE(plan.order_updates[0].reason.find("check this order at the venue"), std::string::npos)
      << plan.order_updates[0].reason;
  in.venue.fills_complete = true;
  plan = plan_reconciliation(in);
  EXPECT_EQ(plan.order_updates[0].reason, "not open at the venue at reconciliation");
}

TEST(Reconciliation, VenueStateWinsForKnownOrders) {
  ReconcileInput in;
  in.now = kNow;
  in.local_open = {local("a", OrderStatus::kNew, 1_d)};
  in.venue.open_orders = {at_venue("a", OrderStatus::kPartiallyFilled, 1_d, 0.5_d)};
  const ReconcilePlan plan = plan_reconciliation(in);
  ASSERT_EQ(plan.order_updates.size(), 1u);
  EXPECT_EQ(plan.order_updates[0].status, OrderStatus::kPartiallyFilled);
  EXPECT_EQ(plan.order_updates[0].filled_qty, 0.5_d);
}

// A trailing amend whose answer was lost: the venue's trigger wins, and the note says both.
TEST(Reconciliation, AStopsTriggerAtTheVenueWins) {
  ReconcileInput in;
  in.now = kNow;
  ManagedOrder stop = local("s", OrderStatus::kNew, 1_d);
  stop.request.type = core::OrderType::kStopLoss;
  stop.request.trigger_price = 59000_d;
  in.local_open = {stop};
  core::OrderUpdate venue = at_venue("s", OrderStatus::kNew, 1_d);
  venue.trigger_price = 59500_d;
  in.venue.open_orders = {venue};
  const ReconcilePlan plan = plan_reconciliation(in);
  ASSERT_EQ(plan.order_updates.size(), 1u);
  EXPECT_EQ(plan.order_updates[0].trigger_price, 59500_d);
  ASSERT_EQ(plan.notes.size(), 1u);
  EXPECT_NE(plan.notes[0].find("trigger ours 59000 venue 59500"), std::string::npos) << plan.notes[0];
  in.venue.open_orders[0].trigger_price = 59000_d;
  EXPECT_TRUE(plan_reconciliation(in).order_updates.empty()) << "the same trigger is no difference";
}

// A stop shrunk at the venue (for an exit) whose answer never reached us: the venue's size is
// taken, with a reason so the order manager takes a report of an unchanged status as news.
TEST(Reconciliation, AnOrdersQuantityAtTheVenueWins) {
  ReconcileInput in;
  in.now = kNow;
  in.local_open = {local("s", OrderStatus::kNew, 0.1_d)};
  in.venue.open_orders = {at_venue("s", OrderStatus::kNew, 0.06_d)};
  const ReconcilePlan plan = plan_reconciliation(in);
  ASSERT_EQ(plan.order_updates.size(), 1u);
  EXPECT_EQ(plan.order_updates[0].qty, 0.06_d);
  EXPECT_NE(plan.order_updates[0].reason.find("reconciled: "), std::string::npos);
  ASSERT_EQ(plan.notes.size(), 1u);
  EXPECT_NE(plan.notes[0].find("quantity ours 0.1 venue 0.06"), std::string::npos) << plan.notes[0];
  in.venue.open_orders[0].qty = 0.1_d;
  EXPECT_TRUE(plan_reconciliation(in).clean()) << "the same size is no difference";
}

TEST(Reconciliation, AYoungOrderWhoseReportIsOnItsWayIsNotADifference) {
  ReconcileInput in;
  in.now = kNow;
  in.in_flight = 5s;
  in.local_open = {local("a", OrderStatus::kPendingNew, 1_d, {}, kNow - 1s)};
  in.venue.open_orders = {at_venue("a", OrderStatus::kNew, 1_d)};
  EXPECT_TRUE(plan_reconciliation(in).clean());
}

TEST(Reconciliation, UnknownVenueOrdersAreCanceledOrAdoptedByPolicy) {
  ReconcileInput in;
  in.now = kNow;
  in.venue.open_orders = {at_venue("stranger", OrderStatus::kNew, 2_d), at_venue("", OrderStatus::kNew, 3_d)};
  ReconcilePlan plan = plan_reconciliation(in);
  EXPECT_EQ(plan.cancel.size(), 2u);
  EXPECT_TRUE(plan.adopt.empty());

  in.unknown_orders = UnknownOrderPolicy::kAdopt;
  plan = plan_reconciliation(in);
  ASSERT_EQ(plan.adopt.size(), 1u);  // one with our kind of id is adopted
  EXPECT_EQ(plan.adopt[0].client_order_id, "stranger");
  ASSERT_EQ(plan.cancel.size(), 1u);  // one without a client id cannot be tracked: canceled
  EXPECT_EQ(plan.cancel[0].venue_order_id, "V-");
}

TEST(Reconciliation, BalanceDifferencesTreatMissingAsZero) {
  const auto diffs = balance_differences({{"USDT", 100_d}, {"BTC", 1_d}}, {{"USDT", 100_d}, {"XRP", 5_d}});
  ASSERT_EQ(diffs.size(), 2u);
  EXPECT_EQ(diffs[0].asset, "BTC");
  EXPECT_EQ(diffs[0].venue, Decimal{});
  EXPECT_EQ(diffs[1].asset, "XRP");
  EXPECT_EQ(diffs[1].ours, Decimal{});
}

TEST(Reconciliation, ATargetHeldLocallyIsNeverLookedForAtTheVenue) {
  ReconcileInput in;
  in.now = kNow;
  ManagedOrder target = local("t", OrderStatus::kNew, 1_d);
  target.held_locally = true;
  in.local_open = {local("s", OrderStatus::kNew, 1_d), target};
  in.venue.open_orders = {at_venue("s", OrderStatus::kNew, 1_d)};
  const ReconcilePlan plan = plan_reconciliation(in);
  EXPECT_TRUE(plan.order_updates.empty()) << plan.notes.front();
  EXPECT_TRUE(plan.cancel.empty());
}

}  // namespace
}  // namespace tg4::execution
