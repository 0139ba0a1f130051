#include "execution/reconciliation.hpp"

#include <algorithm>

namespace tg4::execution {
namespace {

using core::Decimal;
using core::OrderStatus;

// The filled quantity the applied catch-up fills brought each venue order to.
std::map<std::string, Decimal> caught_up(const std::set<std::string>& applied_exec_ids) {
  std::map<std::string, Decimal> out;
  for (const std::string& id : applied_exec_ids) {
    if (const auto c = core::parse_catch_up_exec_id(id)) out[c->order_id] = core::max(out[c->order_id], c->order_filled);
  }
  return out;
}

void add_missed_fills(const ReconcileInput& in, ReconcilePlan& plan) {
  const std::map<std::string, Decimal> caught = caught_up(in.applied_exec_ids);
  for (const core::Fill& fill : in.venue.recent_fills) {
    if (in.applied_exec_ids.contains(fill.exec_id)) continue;
    // Within what a catch-up fill already applied (a trade older than a snapshot's last 50 that
    // Kraken lists again later, after a restart): not missed.
    const auto c = caught.find(fill.venue_order_id);
    if (c != caught.end() && fill.order_filled.is_positive() && fill.order_filled <= c->second) continue;
    plan.missed_fills.push_back(fill);
    plan.notes.push_back("missed fill " + fill.exec_id + " of " + fill.client_order_id + ": " + fill.qty.to_string() +
                         " " + fill.symbol + " @ " + fill.price.to_string());
  }
  std::stable_sort(plan.missed_fills.begin(), plan.missed_fills.end(),
                   [](const core::Fill& a, const core::Fill& b) { return a.time < b.time; });
}

// Quantity each client order id gains from the missed fills.
std::map<std::string, Decimal> missed_by_order(const ReconcilePlan& plan) {
  std::map<std::string, Decimal> out;
  for (const core::Fill& fill : plan.missed_fills) out[fill.client_order_id] += fill.qty;
  return out;
}

void match_venue_orders(const ReconcileInput& in, ReconcilePlan& plan) {
  std::map<std::string, const ManagedOrder*> local;
  for (const ManagedOrder& order : in.local_open) local[order.request.client_order_id] = &order;
  for (const core::OrderUpdate& venue : in.venue.open_orders) {
    const auto it = local.find(venue.client_order_id);
    if (it == local.end()) {
      const bool adopt = in.unknown_orders == UnknownOrderPolicy::kAdopt && !venue.client_order_id.empty();
      (adopt ? plan.adopt : plan.cancel).push_back(venue);
      plan.notes.push_back(std::string(adopt ? "adopting" : "canceling") + " unknown venue order " +
                           (venue.client_order_id.empty() ? venue.venue_order_id : venue.client_order_id) + " (" +
                           venue.symbol + " " + core::to_string(venue.side) + " " + venue.qty.to_string() + ")");
      continue;
    }
    const ManagedOrder& ours = *it->second;
    // A report may be on its way to us (the venue is ahead by one message): young orders wait.
    if (in.now - ours.updated < in.in_flight) continue;
    // A stop whose trigger moved without our hearing it (a trailing amend whose answer was lost).
    const bool trigger_differs =
        venue.trigger_price.is_positive() && venue.trigger_price != ours.request.trigger_price;
    if (ours.status != venue.status || ours.filled < venue.filled_qty || trigger_differs) {
      plan.order_updates.push_back(venue);
      plan.notes.push_back("order " + venue.client_order_id + ": ours " + core::to_string(ours.status) + " filled " +
                           ours.filled.to_string() + ", venue " + core::to_string(venue.status) + " filled " +
                           venue.filled_qty.to_string() +
                           (trigger_differs ? ", trigger ours " + ours.request.trigger_price.to_string() + " venue " +
                                                  venue.trigger_price.to_string()
                                            : ""));
    }
  }
}

core::OrderUpdate closing_update(const ManagedOrder& order, OrderStatus status, Decimal filled, const std::string& reason,
                                 core::Timestamp now) {
  const OrderRequest& r = order.request;
  return core::OrderUpdate{r.client_order_id, order.venue_order_id, r.symbol, r.side, r.type, status, r.qty, filled,
                           r.limit_price, order.avg_price, reason, now, {}, false};
}

void close_vanished_orders(const ReconcileInput& in, ReconcilePlan& plan) {
  std::set<std::string> at_venue;
  for (const core::OrderUpdate& venue : in.venue.open_orders) at_venue.insert(venue.client_order_id);
  const auto missed = missed_by_order(plan);
  for (const ManagedOrder& order : in.local_open) {
    const std::string& id = order.request.client_order_id;
    if (at_venue.contains(id) || order.held_locally) continue;  // held locally: never at the venue
    if (order.status == OrderStatus::kPendingNew && in.now - order.updated < in.in_flight) continue;
    const auto gained = missed.find(id);
    const Decimal filled = order.filled + (gained == missed.end() ? Decimal{} : gained->second);
    const bool complete = filled >= order.request.qty;
    const std::string reason = complete ? "filled while away (reconciliation)"
                                        : "not open at the venue at reconciliation";
    plan.order_updates.push_back(
        closing_update(order, complete ? OrderStatus::kFilled : OrderStatus::kCanceled, filled, reason, in.now));
    plan.notes.push_back("order " + id + " (" + core::to_string(order.status) + ") is not open at the venue: " + reason);
  }
}

}  // namespace

ReconcilePlan plan_reconciliation(const ReconcileInput& input) {
  ReconcilePlan plan;
  add_missed_fills(input, plan);
  match_venue_orders(input, plan);
  close_vanished_orders(input, plan);
  return plan;
}

std::vector<BalanceDifference> balance_differences(const std::map<std::string, Decimal>& ours,
                                                   const std::map<std::string, Decimal>& venue) {
  std::set<std::string> assets;
  for (const auto& [asset, amount] : ours) assets.insert(asset);
  for (const auto& [asset, amount] : venue) assets.insert(asset);
  std::vector<BalanceDifference> out;
  for (const std::string& asset : assets) {
    const auto a = ours.find(asset);
    const auto b = venue.find(asset);
    const Decimal mine = a == ours.end() ? Decimal{} : a->second;
    const Decimal theirs = b == venue.end() ? Decimal{} : b->second;
    if (mine != theirs) out.push_back({asset, mine, theirs});
  }
  return out;
}

}  // namespace tg4::execution
