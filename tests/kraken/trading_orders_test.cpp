// OrderTracker: Kraken's executions reports become core events exactly once. Fills are emitted once
// per exec id (live, again in a snapshot after a reconnect), states only when they change, and an
// order a snapshot no longer lists is closed with the state its fills imply.
#include "kraken/trading_orders.hpp"

#include <gtest/gtest.h>

#include <variant>

namespace tg4::kraken {
namespace {

using core::Decimal;
using core::OrderStatus;
using Events = OrderTracker::Events;

Decimal dec(const char* text) {
  return Decimal::must(text);
}

const core::Timestamp kNow = core::Timestamp::from_seconds(1'700'000'000);

SentOrder sent(const std::string& id, std::uint64_t seq, const char* qty = "1",
               core::OrderType type = core::OrderType::kLimit) {
  return SentOrder{id, "BTC/USD", core::Side::kBuy, type, dec(qty), dec("100"), seq, {}};
}

ExecutionReport order_report(const std::string& id, const std::string& venue_id, OrderStatus status,
                             ExecType type = ExecType::kNew) {
  ExecutionReport r;
  r.exec_type = type;
  r.order_status = status;
  r.cl_ord_id = id;
  r.order_id = venue_id;
  r.symbol = "BTC/USD";
  r.side = core::Side::kBuy;
  r.order_type = core::OrderType::kLimit;
  r.order_qty = dec("1");
  r.limit_price = dec("100");
  return r;
}

ExecutionReport trade(const std::string& id, const std::string& venue_id,
                      const std::string& exec_id, const char* qty, const char* price,
                      OrderStatus status, bool with_client_id = true) {
  ExecutionReport r;
  r.exec_type = ExecType::kTrade;
  r.order_status = status;
  if (with_client_id) r.cl_ord_id = id;
  r.order_id = venue_id;
  r.exec_id = exec_id;
  r.trade_id = 42;
  r.symbol = "BTC/USD";
  r.side = core::Side::kBuy;
  r.last_qty = dec(qty);
  r.last_price = dec(price);
  r.maker = true;
  r.fees = {FeePaid{"USD", dec("0.01")}, FeePaid{"USD", dec("0.02")}};
  r.time = kNow;
  return r;
}

std::vector<core::Fill> fills(const Events& events) {
  std::vector<core::Fill> out;
  for (const auto& e : events) {
    if (const auto* f = std::get_if<core::Fill>(&e)) out.push_back(*f);
  }
  return out;
}

std::vector<core::OrderUpdate> updates(const Events& events) {
  std::vector<core::OrderUpdate> out;
  for (const auto& e : events) {
    if (const auto* u = std::get_if<core::OrderUpdate>(&e)) out.push_back(*u);
  }
  return out;
}

TEST(OrderTracker, AcceptedOrderFillsOnceAndCloses) {
  OrderTracker t;
  Events out;
  ASSERT_TRUE(t.on_sent(sent("t1", 1), kNow));
  t.on_report(order_report("t1", "O1", OrderStatus::kPendingNew, ExecType::kPendingNew), kNow, out);
  EXPECT_TRUE(out.empty()) << "pending_new repeats what the venue already reported";
  t.on_accepted("t1", "O1", kNow, out);
  ASSERT_EQ(updates(out).size(), 1u);
  EXPECT_EQ(updates(out)[0].status, OrderStatus::kNew);
  EXPECT_EQ(updates(out)[0].venue_order_id, "O1");
  out.clear();
  t.on_report(order_report("t1", "O1", OrderStatus::kNew), kNow, out);
  EXPECT_TRUE(out.empty()) << "no change, no event";

  t.on_report(trade("t1", "O1", "E1", "0.4", "100", OrderStatus::kPartiallyFilled), kNow, out);
  ASSERT_EQ(out.size(), 2u);
  const auto f = std::get<core::Fill>(out[0]);
  EXPECT_EQ(f.client_order_id, "t1");
  EXPECT_EQ(f.venue_order_id, "O1");
  EXPECT_EQ(f.exec_id, "E1");
  EXPECT_EQ(f.qty, dec("0.4"));
  EXPECT_EQ(f.price, dec("100"));
  EXPECT_EQ(f.fee, dec("0.03"));
  EXPECT_EQ(f.fee_currency, "USD");
  EXPECT_TRUE(f.maker);
  const auto u = std::get<core::OrderUpdate>(out[1]);
  EXPECT_EQ(u.status, OrderStatus::kPartiallyFilled);
  EXPECT_EQ(u.filled_qty, dec("0.4"));
  EXPECT_EQ(u.avg_price, dec("100"));
  out.clear();

  t.on_report(trade("t1", "O1", "E1", "0.4", "100", OrderStatus::kPartiallyFilled), kNow, out);
  EXPECT_TRUE(out.empty()) << "the same exec id again is no new fill";

  t.on_report(trade("t1", "O1", "E2", "0.6", "110", OrderStatus::kPartiallyFilled), kNow, out);
  auto ev = updates(out);
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].filled_qty, dec("1"));
  EXPECT_EQ(ev[0].avg_price, dec("106"));
  out.clear();
  auto done = order_report("t1", "O1", OrderStatus::kFilled, ExecType::kFilled);
  t.on_report(done, kNow, out);
  ASSERT_EQ(updates(out).size(), 1u);
  EXPECT_EQ(updates(out)[0].status, OrderStatus::kFilled);
  EXPECT_FALSE(t.is_open("t1"));
  EXPECT_TRUE(t.open_orders().empty());
}

TEST(OrderTracker, AnOpenClientIdCannotBeSentAgainButAClosedOneCan) {
  OrderTracker t;
  Events out;
  ASSERT_TRUE(t.on_sent(sent("t1", 1), kNow));
  EXPECT_FALSE(t.on_sent(sent("t1", 2), kNow));
  t.on_rejected("t1", "Kraken: EOrder:Insufficient funds", kNow, out);
  ASSERT_EQ(updates(out).size(), 1u);
  EXPECT_EQ(updates(out)[0].status, OrderStatus::kRejected);
  EXPECT_EQ(updates(out)[0].reason, "Kraken: EOrder:Insufficient funds");
  EXPECT_TRUE(t.on_sent(sent("t1", 3), kNow));
}

TEST(OrderTracker, AFillBeforeTheAckIsNotUndoneByTheAck) {
  OrderTracker t;
  Events out;
  t.on_sent(sent("m1", 1, "1", core::OrderType::kMarket), kNow);
  t.on_report(trade("m1", "O9", "E9", "1", "100", OrderStatus::kFilled), kNow, out);
  out.clear();
  t.on_accepted("m1", "O9", kNow, out);
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(t.find("m1")->state.status, OrderStatus::kFilled);
}

TEST(OrderTracker, ReconnectSnapshotAddsOnlyWhatIsNew) {
  OrderTracker t;
  Events out;
  t.on_sent(sent("t1", 1), kNow);
  t.on_accepted("t1", "O1", kNow, out);
  t.on_report(trade("t1", "O1", "E1", "0.4", "100", OrderStatus::kPartiallyFilled), kNow, out);
  out.clear();
  // While disconnected: another fill, then the rest of the order filled. The snapshot lists the
  // old fill again (without client id, by venue id), the new ones, and the order no longer open.
  std::vector<ExecutionReport> snap = {
      trade("t1", "O1", "E1", "0.4", "100", OrderStatus::kPartiallyFilled, false),
      trade("t1", "O1", "E2", "0.6", "100", OrderStatus::kFilled, false)};
  t.on_snapshot(snap, 10, false, kNow, out);
  const auto f = fills(out);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].exec_id, "E2");
  EXPECT_EQ(f[0].client_order_id, "t1") << "mapped by the venue id";
  const auto u = updates(out);
  ASSERT_EQ(u.size(), 1u);
  EXPECT_EQ(u[0].status, OrderStatus::kFilled);
  EXPECT_EQ(t.snapshot_fills().size(), 2u);
}

// The add_order answer (with Kraken's id) was lost; the snapshot's trade names only the order_id,
// its order report names both: the fill is ours, not a stranger order's.
TEST(OrderTracker, ASnapshotTradeWithoutClientIdFindsOurUnansweredOrder) {
  OrderTracker t;
  Events out;
  t.on_sent(sent("t5", 1), kNow);
  const std::vector<ExecutionReport> snap = {
      trade("t5", "O5", "E5", "0.4", "100", OrderStatus::kPartiallyFilled, false),
      order_report("t5", "O5", OrderStatus::kPartiallyFilled)};
  t.on_snapshot(snap, 10, false, kNow, out);
  const auto f = fills(out);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].client_order_id, "t5");
  EXPECT_EQ(t.find("t5")->state.filled_qty, dec("0.4"));
  EXPECT_EQ(t.find("#O5"), nullptr) << "no stranger order for it";
}

TEST(OrderTracker, UnansweredOrderMissingFromTheSnapshotIsRejectedThenRevived) {
  OrderTracker t;
  Events out;
  t.on_sent(sent("t2", 5), kNow);
  t.on_snapshot({}, 6, false, kNow, out);
  auto u = updates(out);
  ASSERT_EQ(u.size(), 1u);
  EXPECT_EQ(u[0].status, OrderStatus::kRejected);
  EXPECT_NE(u[0].reason.find("no answer"), std::string::npos);
  EXPECT_TRUE(u[0].lost) << "no refusal: the order manager may send it again";
  EXPECT_TRUE(t.open_orders().empty());
  out.clear();
  // Kraken had it after all: its report is the truth.
  t.on_report(order_report("t2", "O2", OrderStatus::kNew), kNow, out);
  u = updates(out);
  ASSERT_EQ(u.size(), 1u);
  EXPECT_EQ(u[0].status, OrderStatus::kNew);
  EXPECT_FALSE(u[0].lost);
  EXPECT_EQ(t.open_orders().size(), 1u);
}

TEST(OrderTracker, OrdersSentAfterTheSnapshotWasAskedForAreNotJudged) {
  OrderTracker t;
  Events out;
  t.on_sent(sent("t3", 7), kNow);
  t.on_snapshot({}, 7, false, kNow, out);
  EXPECT_TRUE(out.empty());
  t.on_resend("t3", std::numeric_limits<std::uint64_t>::max());
  t.on_snapshot({}, 100, false, kNow, out);
  EXPECT_TRUE(out.empty()) << "held for a resend";
  EXPECT_TRUE(t.is_open("t3"));
}

TEST(OrderTracker, AcknowledgedOrderMissingWithoutFullFillsIsCanceled) {
  OrderTracker t;
  Events out;
  t.on_sent(sent("t4", 1), kNow);
  t.on_accepted("t4", "O4", kNow, out);
  t.on_report(trade("t4", "O4", "E4", "0.25", "100", OrderStatus::kPartiallyFilled), kNow, out);
  out.clear();
  t.on_snapshot({}, 2, false, kNow, out);
  const auto u = updates(out);
  ASSERT_EQ(u.size(), 1u);
  EXPECT_EQ(u[0].status, OrderStatus::kCanceled);
  EXPECT_EQ(u[0].filled_qty, dec("0.25"));
}

TEST(OrderTracker, BaselineRecordsOthersOrdersAndLaterSnapshotsReportThem) {
  OrderTracker t;
  Events out;
  auto foreign = order_report("manual-1", "OX", OrderStatus::kNew);
  auto foreign_fill = trade("manual-1", "OX", "EX", "0.1", "100", OrderStatus::kPartiallyFilled);
  t.on_snapshot({foreign_fill, foreign}, 1, true, kNow, out);
  EXPECT_TRUE(out.empty()) << "the first snapshot is what start-up reconciliation reads";
  EXPECT_EQ(t.open_orders().size(), 1u);
  EXPECT_EQ(t.snapshot_fills().size(), 1u);
  // A later snapshot without it: closed while we were not looking.
  t.on_snapshot({foreign_fill}, 2, false, kNow, out);
  const auto u = updates(out);
  ASSERT_EQ(u.size(), 1u);
  EXPECT_EQ(u[0].client_order_id, "manual-1");
  EXPECT_EQ(u[0].status, OrderStatus::kCanceled);
  EXPECT_TRUE(fills(out).empty()) << "its fill was in the baseline";
}

TEST(OrderTracker, OrdersWithoutClientIdAreTrackedByVenueId) {
  OrderTracker t;
  Events out;
  auto r = order_report("", "OZ", OrderStatus::kNew);
  t.on_report(r, kNow, out);
  ASSERT_EQ(updates(out).size(), 1u);
  out.clear();
  r.order_status = OrderStatus::kCanceled;
  r.exec_type = ExecType::kCanceled;
  r.reason = "User requested";
  t.on_report(r, kNow, out);
  const auto u = updates(out);
  ASSERT_EQ(u.size(), 1u);
  EXPECT_EQ(u[0].venue_order_id, "OZ");
  EXPECT_EQ(u[0].status, OrderStatus::kCanceled);
  EXPECT_EQ(u[0].reason, "User requested");
}

TEST(OrderTracker, AmendsAreReportedAndRefusalsCarryTheReason) {
  OrderTracker t;
  Events out;
  t.on_sent(sent("t5", 1), kNow);
  t.on_accepted("t5", "O5", kNow, out);
  out.clear();
  auto amended = order_report("t5", "O5", OrderStatus::kNew, ExecType::kAmended);
  amended.order_qty = dec("2");
  amended.limit_price = dec("99.5");
  t.on_report(amended, kNow, out);
  auto u = updates(out);
  ASSERT_EQ(u.size(), 1u);
  EXPECT_EQ(u[0].qty, dec("2"));
  EXPECT_EQ(u[0].limit_price, dec("99.5"));
  out.clear();
  t.on_refused("t5", "amend_order refused by Kraken: EOrder:Invalid price", core::Refused::kPrice,
               kNow, out);
  u = updates(out);
  ASSERT_EQ(u.size(), 1u);
  EXPECT_EQ(u[0].status, OrderStatus::kNew);
  EXPECT_EQ(u[0].reason, "amend_order refused by Kraken: EOrder:Invalid price");
  EXPECT_EQ(u[0].refused, core::Refused::kPrice);
}

// A stop's trigger as Kraken holds it: as sent, then as an amend's answer or report says.
TEST(OrderTracker, AStopsTriggerFollowsWhatKrakenSays) {
  OrderTracker t;
  Events out;
  SentOrder stop = sent("s1", 1, "1", core::OrderType::kStopLoss);
  stop.trigger_price = dec("90");
  t.on_sent(stop, kNow);
  t.on_accepted("s1", "OS1", kNow, out);
  auto u = updates(out);
  ASSERT_EQ(u.size(), 1u);
  EXPECT_EQ(u[0].trigger_price, dec("90"));
  out.clear();
  t.on_amended("s1", dec("92.5"), kNow, out);  // the amend_order answer
  u = updates(out);
  ASSERT_EQ(u.size(), 1u);
  EXPECT_EQ(u[0].trigger_price, dec("92.5"));
  out.clear();
  auto amended = order_report("s1", "OS1", OrderStatus::kNew, ExecType::kAmended);
  amended.trigger_price = dec("92.5");
  t.on_report(amended, kNow, out);
  EXPECT_TRUE(updates(out).empty()) << "the report of the same amend is no news";
  amended.trigger_price = dec("93");  // a trader moved it on the website
  t.on_report(amended, kNow, out);
  u = updates(out);
  ASSERT_EQ(u.size(), 1u);
  EXPECT_EQ(u[0].trigger_price, dec("93"));
  EXPECT_EQ(u[0].refused, core::Refused::kNone);
}

TEST(OrderTracker, MemoryIsBounded) {
  OrderTracker t(4, 8);
  Events out;
  for (int i = 0; i < 50; ++i) {
    const std::string id = "t" + std::to_string(i);
    t.on_sent(sent(id, static_cast<std::uint64_t>(i + 1)), kNow);
    t.on_report(trade(id, "O" + std::to_string(i), "E" + std::to_string(i), "1", "100",
                      OrderStatus::kFilled),
                kNow, out);
  }
  EXPECT_EQ(t.find("t0"), nullptr) << "old closed orders are forgotten";
  EXPECT_NE(t.find("t49"), nullptr);
  EXPECT_FALSE(t.seen_exec("E0"));
  EXPECT_TRUE(t.seen_exec("E49"));
}

// ---- fills missed while away: Kraken's snapshot holds the open orders and only the last 50 fills

// A report with Kraken's totals for its order.
ExecutionReport with_totals(ExecutionReport r, const char* cum_qty, const char* cum_cost,
                            const char* fee_usd = nullptr) {
  r.cum_qty = dec(cum_qty);
  r.cum_cost = dec(cum_cost);
  if (fee_usd != nullptr) r.fee_usd_equiv = dec(fee_usd);
  return r;
}

// QueryOrders' answer for t1 (Kraken O1, 1 ordered): `status` with `vol_exec` filled for `cost`
// and `fee` in the quote currency.
RestOrder queried_t1(const char* status, const char* vol_exec, const char* cost, const char* fee) {
  RestOrder info;
  info.order_id = "O1";
  info.status = status;
  info.vol = dec("1");
  info.vol_exec = dec(vol_exec);
  info.cost = dec(cost);
  info.fee = dec(fee);
  return info;
}

// t1 (buy 1 BTC/USD, Kraken's O1) with one fill taken live: 0.2 @ 100, fee 0.03 USD.
OrderTracker tracker_with_one_fill(Events& out) {
  OrderTracker t;
  t.on_sent(sent("t1", 1), kNow);
  t.on_accepted("t1", "O1", kNow, out);
  t.on_report(with_totals(trade("t1", "O1", "E1", "0.2", "100", OrderStatus::kPartiallyFilled),
                          "0.2", "20", "0.03"),
              kNow, out);
  out.clear();
  return t;
}

TEST(OrderTracker, SnapshotCumQtyBeyondTheFillsTakenBecomesOneCatchUpFill) {
  Events out;
  OrderTracker t = tracker_with_one_fill(out);
  // While away: E2 (in the snapshot) and 0.3 more whose trades are older than the last 50. Kraken
  // lists fills newest first; the open order carries its totals.
  const std::vector<ExecutionReport> snap = {
      with_totals(order_report("t1", "O1", OrderStatus::kPartiallyFilled), "0.7", "72", "0.2"),
      with_totals(trade("t1", "O1", "E2", "0.2", "101", OrderStatus::kPartiallyFilled), "0.4",
                  "40.2")};
  t.on_snapshot(snap, 10, false, kNow, out);
  const auto f = fills(out);
  ASSERT_EQ(f.size(), 2u);
  EXPECT_EQ(f[0].exec_id, "E2") << "the snapshot's own fill first, exact";
  EXPECT_EQ(f[0].qty, dec("0.2"));
  EXPECT_EQ(f[1].exec_id, "catchup:O1:0.7");
  EXPECT_EQ(f[1].client_order_id, "t1");
  EXPECT_EQ(f[1].qty, dec("0.3"));
  EXPECT_EQ(f[1].price, dec("106")) << "(72 - 20 - 20.2) / 0.3";
  EXPECT_EQ(f[1].fee, dec("0.14")) << "fee_usd_equiv 0.2 less the 0.06 of the two fills";
  EXPECT_EQ(f[1].fee_currency, "USD");
  const auto u = updates(out);
  ASSERT_EQ(u.size(), 1u);
  EXPECT_EQ(u[0].filled_qty, dec("0.7"));
  EXPECT_EQ(t.snapshot_fills().size(), 2u) << "reconciliation sees the catch-up fill as applied";
  out.clear();
  t.on_snapshot(snap, 11, false, kNow, out);
  EXPECT_TRUE(out.empty()) << "the same snapshot again adds nothing";
}

// Without fee_usd_equiv the fee only QueryOrders knows; when it fails the fill goes out with 0.
TEST(OrderTracker, CatchUpPriceFallsBackOnAvgPriceAndFeeOnZero) {
  Events out;
  OrderTracker t = tracker_with_one_fill(out);
  auto open = order_report("t1", "O1", OrderStatus::kPartiallyFilled);
  open.cum_qty = dec("0.5");
  open.avg_price = dec("106");
  t.on_snapshot({open}, 10, false, kNow, out);
  EXPECT_TRUE(out.empty()) << "held for QueryOrders' fee";
  t.on_verify_failed(t.take_to_verify(), "QueryOrders failed (timeout)", kNow, out);
  const auto f = fills(out);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].qty, dec("0.3"));
  EXPECT_EQ(f[0].price, dec("110")) << "(106 * 0.5 - 20) / 0.3";
  EXPECT_EQ(f[0].fee, Decimal::zero()) << "no fee_usd_equiv";
}

// Connected, every fill comes as its own trade: a status event that announces a cum_qty before the
// trade making it is no missed fill, and the trade stays the exact one.
TEST(OrderTracker, ALiveStatusAheadOfItsTradeMakesNoCatchUp) {
  Events out;
  OrderTracker t = tracker_with_one_fill(out);
  t.on_report(with_totals(order_report("t1", "O1", OrderStatus::kFilled, ExecType::kFilled), "1", "100.8"),
              kNow, out);
  EXPECT_TRUE(fills(out).empty());
  out.clear();
  t.on_report(with_totals(trade("t1", "O1", "E2", "0.8", "101", OrderStatus::kFilled), "1", "100.8"),
              kNow, out);
  const auto f = fills(out);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].exec_id, "E2");
  EXPECT_EQ(f[0].qty, dec("0.8"));
  EXPECT_EQ(f[0].price, dec("101"));
  EXPECT_EQ(t.stats().catch_up_fills, 0u);
}

TEST(OrderTracker, LaterTradesAlreadyCoveredByACatchUpAreNotCountedTwice) {
  Events out;
  OrderTracker t = tracker_with_one_fill(out);
  t.on_snapshot({with_totals(order_report("t1", "O1", OrderStatus::kPartiallyFilled), "0.7", "71")},
                10, false, kNow, out);
  t.on_verified({queried_t1("open", "0.7", "71", "0.1")}, kNow, out);
  ASSERT_EQ(fills(out).size(), 1u);
  out.clear();
  // A trade of the missed part reported after all (a later snapshot, a late frame): covered.
  t.on_report(with_totals(trade("t1", "O1", "E3", "0.3", "102", OrderStatus::kPartiallyFilled),
                          "0.7", "71"),
              kNow, out);
  EXPECT_TRUE(fills(out).empty());
  // One that goes 0.2 beyond what was taken: only those 0.2, with their share of its fee.
  t.on_report(with_totals(trade("t1", "O1", "E4", "0.3", "110", OrderStatus::kPartiallyFilled),
                          "0.9", "104"),
              kNow, out);
  auto f = fills(out);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].exec_id, "E4");
  EXPECT_EQ(f[0].qty, dec("0.2"));
  EXPECT_EQ(f[0].price, dec("110"));
  EXPECT_EQ(f[0].fee, dec("0.02"));
  out.clear();
  // And one wholly beyond: all of it.
  t.on_report(with_totals(trade("t1", "O1", "E5", "0.1", "111", OrderStatus::kPartiallyFilled), "1",
                          "115.1"),
              kNow, out);
  f = fills(out);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].qty, dec("0.1"));
  EXPECT_EQ(t.find("t1")->state.filled_qty, dec("1"));
}

TEST(OrderTracker, ASnapshotListingFillsNewestFirstTakesThemAllWithoutCatchUp) {
  Events out;
  OrderTracker t = tracker_with_one_fill(out);
  auto e3 = with_totals(trade("t1", "O1", "E3", "0.3", "102", OrderStatus::kPartiallyFilled), "0.7",
                        "70.6");
  auto e2 = with_totals(trade("t1", "O1", "E2", "0.2", "101", OrderStatus::kPartiallyFilled), "0.4",
                        "40.2");
  e3.time = kNow + std::chrono::seconds(2);
  e2.time = kNow + std::chrono::seconds(1);
  t.on_snapshot(
      {with_totals(order_report("t1", "O1", OrderStatus::kPartiallyFilled), "0.7", "70.6"), e3, e2},
      10, false, kNow, out);
  const auto f = fills(out);
  ASSERT_EQ(f.size(), 2u);
  EXPECT_EQ(f[0].exec_id, "E2");
  EXPECT_EQ(f[1].exec_id, "E3");
  EXPECT_EQ(f[1].qty, dec("0.3"));
}

core::OrderUpdate update_of(const Events& events, const std::string& id) {
  for (const auto& u : updates(events)) {
    if (u.client_order_id == id) return u;
  }
  ADD_FAILURE() << "no update of " << id;
  return {};
}

// A full snapshot (50 fills) says nothing about an order that closed with no fill among them.
std::vector<ExecutionReport> others_fills(int n) {
  std::vector<ExecutionReport> out;
  for (int i = 0; i < n; ++i) {
    const std::string k = std::to_string(i);
    out.push_back(trade("", "OX" + k, "EX" + k, "0.01", "100", OrderStatus::kFilled, false));
  }
  return out;
}

// With fewer than 50 fills the snapshot holds every fill since the last one seen: the write-off
// stands. A full one may have pushed the order's fills out: Kraken's QueryOrders is asked, and
// when it cannot answer the write-off stands with a check on Kraken.
TEST(OrderTracker, AnOrderGoneFromAFullSnapshotIsWrittenOffUntilQueryOrdersSettlesIt) {
  for (const int n : {49, 50}) {
    Events out;
    OrderTracker t = tracker_with_one_fill(out);
    t.on_snapshot(others_fills(n), 10, false, kNow, out);
    const auto u = update_of(out, "t1");
    EXPECT_EQ(u.status, OrderStatus::kCanceled);
    if (n < 50) {
      EXPECT_EQ(u.reason, "no longer open at Kraken (closed while unobserved)");
      EXPECT_TRUE(t.take_to_verify().empty());
      continue;
    }
    EXPECT_NE(u.reason.find("closed while TG4 was disconnected"), std::string::npos) << u.reason;
    EXPECT_NE(u.reason.find("asking Kraken (QueryOrders)"), std::string::npos) << u.reason;
    EXPECT_EQ(t.take_to_verify(), std::vector<std::string>{"O1"});
    EXPECT_TRUE(t.take_to_verify().empty()) << "asked once";
    EXPECT_TRUE(t.take_warnings().empty()) << "nothing to check by hand yet";
    out.clear();
    t.on_verify_failed({"O1"}, "QueryOrders failed (EAPI:Invalid nonce)", kNow, out);
    const auto left = update_of(out, "t1");
    EXPECT_EQ(left.status, OrderStatus::kCanceled);
    EXPECT_NE(
        left.reason.find("QueryOrders failed (EAPI:Invalid nonce): check this order on Kraken"),
        std::string::npos)
        << left.reason;
    EXPECT_EQ(t.take_warnings().size(), 1u);
    EXPECT_EQ(t.stats().unverified_closes, 1u);
    EXPECT_EQ(t.stats().verified_closes, 0u);
  }
}

// QueryOrders says the order filled while TG4 was away: the rest of it is one catch-up fill, at the
// price of Kraken's cost and with Kraken's fee in the quote currency (the WebSocket gives an
// order's fee only in USD), and the order is filled.
TEST(OrderTracker, QueryOrdersSettlesAWriteOffWithItsFillAndFee) {
  Events out;
  OrderTracker t = tracker_with_one_fill(out);  // t1: 0.2 of 1 filled at 100, fee 0.03
  t.on_snapshot(others_fills(50), 10, false, kNow, out);
  ASSERT_EQ(t.take_to_verify(), std::vector<std::string>{"O1"});
  out.clear();
  RestOrder info = queried_t1("closed", "1", "100.8", "0.16");  // 20 seen, 80.8 for 0.8 at 101
  info.avg_price = dec("100.8");
  t.on_verified({info}, kNow, out);
  const auto f = fills(out);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].qty, dec("0.8"));
  EXPECT_EQ(f[0].price, dec("101"));
  EXPECT_EQ(f[0].fee, dec("0.13"));
  EXPECT_EQ(f[0].fee_currency, "USD");
  const auto u = update_of(out, "t1");
  EXPECT_EQ(u.status, OrderStatus::kFilled);
  EXPECT_EQ(u.filled_qty, dec("1"));
  EXPECT_NE(u.reason.find("Kraken (QueryOrders) has it closed with 1 filled"), std::string::npos)
      << u.reason;
  EXPECT_EQ(t.stats().verified_closes, 1u);
  EXPECT_EQ(t.stats().catch_up_fills, 1u);
  EXPECT_EQ(t.stats().unverified_closes, 0u);
  out.clear();
  t.on_verified({info}, kNow, out);  // the same answer again: settled already
  t.on_verify_failed({"O1"}, "late", kNow, out);
  EXPECT_TRUE(out.empty());
}

// "closed" with part of it filled (a market order Kraken could not fill in full): canceled, with
// what did fill.
TEST(OrderTracker, QueryOrdersClosedWithPartFilledIsCanceledWithItsFill) {
  Events out;
  OrderTracker t = tracker_with_one_fill(out);
  t.on_snapshot(others_fills(50), 10, false, kNow, out);
  t.take_to_verify();
  out.clear();
  t.on_verified({queried_t1("closed", "0.5", "50", "0.05")}, kNow, out);
  ASSERT_EQ(fills(out).size(), 1u);
  EXPECT_EQ(fills(out)[0].qty, dec("0.3"));
  const auto u = update_of(out, "t1");
  EXPECT_EQ(u.status, OrderStatus::kCanceled);
  EXPECT_EQ(u.filled_qty, dec("0.5"));
}

// An order Kraken never acknowledged has no Kraken id to look up: it is left for a person at once.
TEST(OrderTracker, AWriteOffWithoutAKrakenIdCannotBeLookedUp) {
  Events out;
  OrderTracker t;
  t.on_sent(sent("t9", 1), kNow);
  t.on_snapshot(others_fills(50), 10, false, kNow, out);
  const auto u = update_of(out, "t9");
  EXPECT_EQ(u.status, OrderStatus::kRejected);
  EXPECT_NE(u.reason.find("cannot be looked up: check this order on Kraken"), std::string::npos)
      << u.reason;
  EXPECT_TRUE(t.take_to_verify().empty());
  EXPECT_EQ(t.stats().unverified_closes, 1u);
}

TEST(OrderTracker, AnOrderWithAFillInAFullSnapshotIsSettledByIt) {
  Events out;
  OrderTracker t = tracker_with_one_fill(out);
  auto snap = others_fills(49);
  snap.push_back(with_totals(
      trade("t1", "O1", "E2", "0.3", "100", OrderStatus::kPartiallyFilled, false), "0.5", "50"));
  t.on_snapshot(snap, 10, false, kNow, out);
  EXPECT_TRUE(fills(out).size() == 50u) << "its fill and the 49 others'; no catch-up";
  const auto u = update_of(out, "t1");
  EXPECT_EQ(u.status, OrderStatus::kCanceled);
  EXPECT_EQ(u.filled_qty, dec("0.5"));
  EXPECT_EQ(u.reason, "no longer open at Kraken (closed while unobserved)");
}

#ifndef TG4_FILLS_FAIL_BEFORE
TEST(OrderTracker, CatchUpsCoveredTradesAndUnverifiedClosesAreCountedAndWarned) {
  Events out;
  OrderTracker t = tracker_with_one_fill(out);
  t.on_snapshot({with_totals(order_report("t1", "O1", OrderStatus::kPartiallyFilled), "0.7", "71")},
                10, false, kNow, out);
  t.on_verify_failed(t.take_to_verify(), "QueryOrders failed (timeout)", kNow, out);
  auto w = t.take_warnings();
  ASSERT_EQ(w.size(), 1u);
  EXPECT_NE(w[0].find("order t1 (Kraken O1, BTC/USD buy)"), std::string::npos) << w[0];
  EXPECT_NE(w[0].find("fee recorded as 0"), std::string::npos) << w[0];
  EXPECT_TRUE(t.take_warnings().empty());
  t.on_report(with_totals(trade("t1", "O1", "E3", "0.3", "102", OrderStatus::kPartiallyFilled),
                          "0.7", "71"),
              kNow, out);
  t.on_snapshot(others_fills(50), 11, false, kNow, out);
  t.on_verify_failed(t.take_to_verify(), "QueryOrders failed (timeout)", kNow, out);
  w = t.take_warnings();
  ASSERT_EQ(w.size(), 1u);
  EXPECT_NE(w[0].find("order t1 (Kraken O1, BTC/USD buy) written off as canceled with 0.7 filled"),
            std::string::npos)
      << w[0];
  EXPECT_EQ(t.stats().catch_up_fills, 1u);
  EXPECT_EQ(t.stats().covered_trades, 1u);
  EXPECT_EQ(t.stats().unverified_closes, 1u);
  // A covered trade is never offered to reconciliation as a fill it has not applied.
  t.on_snapshot({with_totals(trade("t1", "O1", "E3", "0.3", "102", OrderStatus::kPartiallyFilled),
                             "0.7", "71")},
                12, false, kNow, out);
  EXPECT_TRUE(t.snapshot_fills().empty());
}
#endif

// ---- fees of catch-ups, and orders restored after a restart

// Kraken's executions give an order's total fee only in USD (fee_usd_equiv, absent here): the
// catch-up waits for QueryOrders' fee, and its state with it (the fill must reach the kernel
// first).
TEST(OrderTracker, AnOpenOrdersCatchUpWithoutItsFeeWaitsForQueryOrders) {
  Events out;
  OrderTracker t = tracker_with_one_fill(out);
  t.on_snapshot({with_totals(order_report("t1", "O1", OrderStatus::kPartiallyFilled), "0.7", "71")},
                10, false, kNow, out);
  EXPECT_TRUE(out.empty()) << "neither the fill nor the state whose filled quantity includes it";
  EXPECT_EQ(t.take_to_verify(), std::vector<std::string>{"O1"});
  t.on_verified({queried_t1("open", "0.7", "71", "0.1")}, kNow, out);
  ASSERT_EQ(out.size(), 2u);
  const auto* fill = std::get_if<core::Fill>(&out[0]);
  ASSERT_NE(fill, nullptr) << "the fill first";
  EXPECT_EQ(fill->qty, dec("0.5"));
  EXPECT_EQ(fill->price, dec("102")) << "(71 - 20) / 0.5";
  EXPECT_EQ(fill->fee, dec("0.07")) << "QueryOrders' 0.1 less the 0.03 of the fill taken";
  const auto* update = std::get_if<core::OrderUpdate>(&out[1]);
  ASSERT_NE(update, nullptr);
  EXPECT_EQ(update->filled_qty, dec("0.7"));
  EXPECT_EQ(update->status, OrderStatus::kPartiallyFilled);
  out.clear();
  t.on_verified({queried_t1("open", "0.7", "71", "0.1")}, kNow, out);
  EXPECT_TRUE(out.empty()) << "settled once";
  EXPECT_EQ(t.stats().catch_up_fills, 1u);
}

// A fill that paid no fee, in whatever asset Kraken names, does not make t1's fees mixed: the
// catch-up still gets Kraken's fee (USD pair: fee_usd_equiv) less the fees taken.
TEST(OrderTracker, AFillThatPaidNoFeeDoesNotMixTheFeeCurrencies) {
  Events out;
  OrderTracker t;
  t.on_sent(sent("t1", 1), kNow);
  t.on_accepted("t1", "O1", kNow, out);
  ExecutionReport free = trade("t1", "O1", "E0", "0.1", "100", OrderStatus::kPartiallyFilled);
  free.fees = {FeePaid{"BTC", dec("0")}};
  t.on_report(with_totals(free, "0.1", "10", "0"), kNow, out);
  t.on_report(with_totals(trade("t1", "O1", "E1", "0.2", "100", OrderStatus::kPartiallyFilled),
                          "0.3", "30", "0.03"),
              kNow, out);
  out.clear();
  t.on_snapshot(
      {with_totals(order_report("t1", "O1", OrderStatus::kPartiallyFilled), "0.7", "71", "0.2")},
      10, false, kNow, out);
  const auto f = fills(out);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].qty, dec("0.4"));
  EXPECT_EQ(f[0].fee, dec("0.17")) << "0.2 less the 0.03 taken";
}

// t1 with one fill taken, then a snapshot showing 0.7 filled (a catch-up held for QueryOrders'
// fee), then a live trade E5 of 0.1 at 103 (Kraken's totals 0.8 for 81.3).
OrderTracker trade_behind_a_held_catch_up(Events& out) {
  OrderTracker t = tracker_with_one_fill(out);
  t.on_snapshot({with_totals(order_report("t1", "O1", OrderStatus::kPartiallyFilled), "0.7", "71")},
                10, false, kNow, out);
  t.on_report(with_totals(trade("t1", "O1", "E5", "0.1", "103", OrderStatus::kPartiallyFilled),
                          "0.8", "81.3"),
              kNow, out);
  return t;
}

// A live report of the order before QueryOrders answers waits behind the held catch-up. Here the
// answer has Kraken's newer totals, the live trade included: the catch-up takes them all, with the
// fee Kraken gives, and the trade, covered by it, is not taken twice.
TEST(OrderTracker, ALiveReportBeforeQueryOrdersAnswersWaitsForTheCatchUpsFee) {
  Events out;
  OrderTracker t = trade_behind_a_held_catch_up(out);
  EXPECT_TRUE(out.empty()) << "the trade waits for the catch-up, which waits for its fee";
  t.on_verified({queried_t1("open", "0.8", "81.3", "0.2")}, kNow, out);
  const auto f = fills(out);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].exec_id, "catchup:O1:0.8");
  EXPECT_EQ(f[0].qty, dec("0.6"));
  EXPECT_EQ(f[0].fee, dec("0.17")) << "QueryOrders' 0.2 less the 0.03 of the fill taken";
  EXPECT_EQ(updates(out).back().filled_qty, dec("0.8"));
  EXPECT_EQ(t.stats().covered_trades, 1u);
}

// The same, but QueryOrders answers with the snapshot's totals (asked before the trade): the
// catch-up goes first with its fee, then the trade as its own fill.
TEST(OrderTracker, ALiveTradeThatWaitedFollowsTheCatchUp) {
  Events out;
  OrderTracker t = trade_behind_a_held_catch_up(out);
  t.on_verified({queried_t1("open", "0.7", "71", "0.1")}, kNow, out);
  const auto f = fills(out);
  ASSERT_EQ(f.size(), 2u);
  EXPECT_EQ(f[0].exec_id, "catchup:O1:0.7");
  EXPECT_EQ(f[0].fee, dec("0.07"));
  EXPECT_EQ(f[1].exec_id, "E5");
  EXPECT_EQ(f[1].qty, dec("0.1"));
  EXPECT_EQ(updates(out).back().filled_qty, dec("0.8"));
}

// QueryOrders fails: the catch-up goes out without its fee (said), then what waited behind it.
TEST(OrderTracker, AReportThatWaitedIsAppliedWhenQueryOrdersFails) {
  Events out;
  OrderTracker t = trade_behind_a_held_catch_up(out);
  t.on_verify_failed(t.take_to_verify(), "QueryOrders failed (timeout)", kNow, out);
  const auto f = fills(out);
  ASSERT_EQ(f.size(), 2u);
  EXPECT_EQ(f[0].fee, Decimal::zero());
  EXPECT_EQ(f[1].exec_id, "E5");
  EXPECT_EQ(updates(out).back().filled_qty, dec("0.8"));
}

// t1 as the kernel restores it after a restart: 0.2 filled at 100 (exec E1, fee 0.03 USD).
execution::RestoredOrder restored_t1() {
  execution::RestoredOrder r;
  r.request.client_order_id = "t1";
  r.request.symbol = "BTC/USD";
  r.request.side = core::Side::kBuy;
  r.request.type = core::OrderType::kLimit;
  r.request.qty = dec("1");
  r.request.limit_price = dec("100");
  r.venue_order_id = "O1";
  r.status = OrderStatus::kPartiallyFilled;
  r.filled = dec("0.2");
  r.avg_price = dec("100");
  core::Fill e1;
  e1.exec_id = "E1";
  e1.price = dec("100");
  e1.qty = dec("0.2");
  e1.fee = dec("0.03");
  e1.fee_currency = "USD";
  r.fills.add(e1);
  return r;
}

// After a restart the tracker knows t1 as ours from the first snapshot: what Kraken filled while
// TG4 was down becomes one catch-up fill with Kraken's fee, and E1, listed again, is not news.
TEST(OrderTracker, ARestoredOrderIsCaughtUpFromItsFillsSoFar) {
  Events out;
  OrderTracker t;
  t.restore(restored_t1());
  t.on_snapshot(
      {with_totals(order_report("t1", "O1", OrderStatus::kPartiallyFilled), "0.7", "72", "0.2"),
       with_totals(trade("t1", "O1", "E1", "0.2", "100", OrderStatus::kPartiallyFilled), "0.2",
                   "20")},
      10, true, kNow, out);
  const auto f = fills(out);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].exec_id, "catchup:O1:0.7");
  EXPECT_EQ(f[0].qty, dec("0.5"));
  EXPECT_EQ(f[0].price, dec("104")) << "(72 - 20) / 0.5";
  EXPECT_EQ(f[0].fee, dec("0.17")) << "fee_usd_equiv 0.2 less the restored 0.03";
  EXPECT_EQ(update_of(out, "t1").filled_qty, dec("0.7"));
  EXPECT_EQ(t.stats().covered_trades, 0u) << "E1 was seen before the restart";
  out.clear();
  // A fill of it made while TG4 was down, in the next snapshot: booked, and said.
  (void)t.take_warnings();
  t.on_snapshot(
      {with_totals(order_report("t1", "O1", OrderStatus::kPartiallyFilled), "0.8", "82.5"),
       with_totals(trade("t1", "O1", "E9", "0.1", "105", OrderStatus::kPartiallyFilled), "0.8",
                   "82.5")},
      11, false, kNow, out);
  ASSERT_EQ(fills(out).size(), 1u);
  const auto said = t.take_warnings();
  ASSERT_EQ(said.size(), 1u);
  EXPECT_NE(said[0].find(
                "order t1 (Kraken O1, BTC/USD buy): fill E9 of 0.1 @ 105 made while TG4 was away"),
            std::string::npos)
      << said[0];
  EXPECT_EQ(t.open_orders().size(), 1u);
}

// Restored, then gone from a full snapshot: written off until QueryOrders says how it ended.
TEST(OrderTracker, ARestoredOrderGoneFromAFullSnapshotIsLookedUpWithQueryOrders) {
  Events out;
  OrderTracker t;
  t.restore(restored_t1());
  t.on_snapshot(others_fills(50), 10, true, kNow, out);
  EXPECT_EQ(update_of(out, "t1").status, OrderStatus::kCanceled);
  EXPECT_EQ(t.take_to_verify(), std::vector<std::string>{"O1"});
  out.clear();
  t.on_verified({queried_t1("closed", "1", "100.8", "0.16")}, kNow, out);
  const auto f = fills(out);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].qty, dec("0.8"));
  EXPECT_EQ(f[0].price, dec("101"));
  EXPECT_EQ(f[0].fee, dec("0.13"));
  EXPECT_EQ(update_of(out, "t1").status, OrderStatus::kFilled);
}

// A snapshot that came before the kernel restored t1 took it for someone else's (and said nothing);
// the next one, with t1 restored, catches it up.
TEST(OrderTracker, AnOrderRestoredAfterTheFirstSnapshotIsCaughtUpByTheNext) {
  Events out;
  OrderTracker t;
  const std::vector<ExecutionReport> snap = {
      with_totals(order_report("t1", "O1", OrderStatus::kPartiallyFilled), "0.7", "72", "0.2")};
  t.on_snapshot(snap, 10, true, kNow, out);
  EXPECT_TRUE(out.empty());
  t.restore(restored_t1());
  t.on_snapshot(snap, 11, false, kNow, out);
  const auto f = fills(out);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].qty, dec("0.5"));
  EXPECT_EQ(f[0].fee, dec("0.17"));
}

// Listed without its client id before the kernel restored it: one order, ours, and no stranger
// beside it that reconciliation would take for someone else's and cancel.
TEST(OrderTracker, ARestoredOrderMetFirstWithoutItsClientIdIsOneOrder) {
  Events out;
  OrderTracker t;
  const auto listed =
      with_totals(order_report("", "O1", OrderStatus::kPartiallyFilled), "0.7", "72", "0.2");
  t.on_snapshot({listed}, 10, true, kNow, out);
  t.restore(restored_t1());
  ASSERT_EQ(t.open_orders().size(), 1u);
  EXPECT_EQ(t.open_orders()[0].client_order_id, "t1");
  t.on_snapshot({listed}, 11, false, kNow, out);
  const auto f = fills(out);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].qty, dec("0.5"));
  EXPECT_EQ(f[0].fee, dec("0.17"));
}

// An order adopted at reconciliation: its fills before adoption are the venue's history, so a
// catch-up after a reconnect gets its quantity and price but no fee (said), without waiting for
// QueryOrders, which could not tell the fees apart either.
TEST(OrderTracker, AnAdoptedOrdersCatchUpHasNoFeeAndDoesNotWait) {
  Events out;
  OrderTracker t;
  execution::RestoredOrder adopted = restored_t1();
  adopted.fills = {};
  adopted.fills.qty = dec("0.2");
  adopted.fills.cost = dec("20");
  adopted.fills.fees_unknown = true;
  t.restore(adopted);
  t.on_snapshot({with_totals(order_report("t1", "O1", OrderStatus::kPartiallyFilled), "0.7", "72")},
                10, false, kNow, out);
  EXPECT_TRUE(t.take_to_verify().empty());
  const auto f = fills(out);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].qty, dec("0.5"));
  EXPECT_EQ(f[0].price, dec("104"));
  EXPECT_EQ(f[0].fee, Decimal::zero());
  const auto w = t.take_warnings();
  ASSERT_EQ(w.size(), 1u);
  EXPECT_NE(w[0].find("the order was adopted"), std::string::npos) << w[0];
}

// Sent before the restart and never answered: no Kraken id, and Kraken lists nothing of it.
TEST(OrderTracker, ARestoredOrderKrakenNeverAnsweredIsRejectedWhenASnapshotLacksIt) {
  Events out;
  OrderTracker t;
  execution::RestoredOrder r = restored_t1();
  r.venue_order_id.clear();
  r.status = OrderStatus::kPendingNew;
  r.filled = Decimal::zero();
  r.fills = {};
  t.restore(r);
  t.on_snapshot({}, 10, true, kNow, out);
  EXPECT_EQ(update_of(out, "t1").status, OrderStatus::kRejected);
}

}  // namespace
}  // namespace tg4::kraken
