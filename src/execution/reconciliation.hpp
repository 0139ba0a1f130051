#pragma once
// Reconciliation (SPEC §8): what the venue holds against what we believe, after a restart and
// periodically. A pure planner: it compares, the pipeline applies the plan through the same paths a
// live report takes (fills and order updates go through the order manager and portfolio), so a
// reconciled account is indistinguishable from one that never lost contact.
//
// Rules, in order:
//  1. A venue fill whose exec id we never applied is a missed fill: applied, oldest first.
//  2. A venue open order we know: its status and filled quantity are taken from the venue.
//  3. A venue open order we don't know: adopted (tracked as an entry of source "adopted") or
//     canceled, by policy. A stop-loss whose client id is TG4's own (core::ClientOrderIdGenerator)
//     is adopted as a stop whatever the policy: a process killed just after placing it took its
//     record along (its commit races the send), and canceling it would leave its position bare.
//  4. An order we believe open that the venue does not list: filled if its fills cover it,
//     otherwise closed ("canceled") — unless it was sent less than `in_flight` ago (its ack may be
//     on the way).
//  5. Once the plan is applied, balances differing from the venue's (balance_differences) are
//     logged and set to the venue's: a real venue is the truth about money (the paper venue was
//     restored from the same record and agrees).
#include <map>
#include <set>
#include <string>
#include <vector>

#include "execution/order_manager.hpp"
#include "execution/venue.hpp"

namespace tg4::execution {

enum class UnknownOrderPolicy : std::uint8_t { kAdopt, kCancel };

struct ReconcileInput {
  std::vector<ManagedOrder> local_open;          // our open orders
  std::set<std::string> applied_exec_ids;        // fills already in the portfolio
  VenueSnapshot venue;
  UnknownOrderPolicy unknown_orders = UnknownOrderPolicy::kCancel;
  core::Duration in_flight = std::chrono::seconds(5);
  core::Timestamp now;
};

struct BalanceDifference {
  std::string asset;
  core::Decimal ours;
  core::Decimal venue;
};

struct ReconcilePlan {
  std::vector<core::Fill> missed_fills;             // oldest first
  std::vector<core::OrderUpdate> order_updates;     // for orders we track (rules 2 and 4)
  std::vector<core::OrderUpdate> adopt;             // venue orders to track from now on
  std::vector<core::OrderUpdate> cancel;            // venue orders to cancel
  std::vector<std::string> notes;                   // one line per difference, for the log

  bool clean() const { return missed_fills.empty() && order_updates.empty() && adopt.empty() && cancel.empty(); }
};

ReconcilePlan plan_reconciliation(const ReconcileInput& input);
// A stop-loss at the venue whose client id TG4 made (rule 3): adopted as a stop.
bool is_own_stop(const core::OrderUpdate& venue_order);
// Assets whose amounts differ (either side missing counts as zero), sorted by asset.
std::vector<BalanceDifference> balance_differences(const std::map<std::string, core::Decimal>& ours,
                                                   const std::map<std::string, core::Decimal>& venue);

}  // namespace tg4::execution
