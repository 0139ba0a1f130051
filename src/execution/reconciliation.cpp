#include "execution/reconciliation.hpp"

#include <algorithm>

#include "core/ids.hpp"
#include "core/instrument.hpp"

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

// What each client order id gains from the missed fills: quantity, and cost (price x quantity).
struct Gain {
  Decimal qty;
  Decimal cost;
};
std::map<std::string, Gain> missed_by_order(const ReconcilePlan& plan) {
  std::map<std::string, Gain> out;
  for (const core::Fill& fill : plan.missed_fills) {
    Gain& gain = out[fill.client_order_id];
    gain.qty += fill.qty;
    gain.cost += fill.price * fill.qty;
  }
  return out;
}

// A venue order that filled beyond our fills and the venue's recent fills (they fell out of its
// list while we were away, e.g. across a restart: Kraken lists the last 50): the rest becomes one
// catch-up fill, named as the Kraken venue names its own, at the price the venue's average implies.
// Its fee is not known (recorded as 0, said in the note). The Kraken venue does this itself, with
// Kraken's fee, for the orders it was handed at a restart (Venue::restore_orders): what remains
// here is for orders no venue caught up.
void add_catch_up(const ManagedOrder& ours, const core::OrderUpdate& venue, const Gain& gained,
                  const ReconcileInput& in, ReconcilePlan& plan) {
  const Decimal known = ours.filled + gained.qty;
  if (!(venue.filled_qty > known)) return;
  const std::string& id = ours.request.client_order_id;
  core::Fill fill;
  fill.exec_id = core::catch_up_exec_id(venue.venue_order_id.empty() ? id : venue.venue_order_id, venue.filled_qty);
  if (in.applied_exec_ids.contains(fill.exec_id)) return;
  fill.qty = venue.filled_qty - known;
  const Decimal known_cost = ours.avg_price * ours.filled + gained.cost;
  if (venue.avg_price.is_positive()) fill.price = (venue.avg_price * venue.filled_qty - known_cost) / fill.qty;
  const std::string what = "order " + id + ": the venue reports " + venue.filled_qty.to_string() +
                           " filled, fills known for " + known.to_string();
  if (!fill.price.is_positive()) {
    plan.notes.push_back(what + "; no average price to apply the rest at: check the position");
    return;
  }
  fill.client_order_id = id;
  fill.venue_order_id = venue.venue_order_id;
  fill.symbol = ours.request.symbol;
  fill.side = ours.request.side;
  const auto pair = core::split_symbol(fill.symbol);
  fill.fee_currency = pair ? pair->second : std::string();
  fill.time = in.now;
  fill.order_filled = venue.filled_qty;
  plan.missed_fills.push_back(fill);
  plan.notes.push_back(what + ": applied " + fill.qty.to_string() + " as one catch-up fill @ " + fill.price.to_string() +
                       " (" + fill.exec_id + "; fee unknown, recorded as 0)");
}

void match_venue_orders(const ReconcileInput& in, ReconcilePlan& plan) {
  const auto missed = missed_by_order(plan);
  std::map<std::string, const ManagedOrder*> local;
  for (const ManagedOrder& order : in.local_open) local[order.request.client_order_id] = &order;
  for (const core::OrderUpdate& venue : in.venue.open_orders) {
    const auto it = local.find(venue.client_order_id);
    if (it == local.end()) {
      const bool own_stop = is_own_stop(venue);
      const bool adopt = own_stop || (in.unknown_orders == UnknownOrderPolicy::kAdopt &&
                                      !venue.client_order_id.empty());
      (adopt ? plan.adopt : plan.cancel).push_back(venue);
      plan.notes.push_back(
          std::string(adopt ? "adopting" : "canceling") +
          (own_stop ? " TG4's own stop " : " unknown venue order ") +
          (venue.client_order_id.empty() ? venue.venue_order_id : venue.client_order_id) + " (" +
          venue.symbol + " " + core::to_string(venue.side) + " " + venue.qty.to_string() + ")" +
          (own_stop ? ", placed by a process whose record of it was lost" : ""));
      continue;
    }
    const ManagedOrder& ours = *it->second;
    // A report may be on its way to us (the venue is ahead by one message): young orders wait.
    if (in.now - ours.updated < in.in_flight) continue;
    const auto gained = missed.find(venue.client_order_id);
    add_catch_up(ours, venue, gained == missed.end() ? Gain{} : gained->second, in, plan);
    // A stop whose trigger moved without our hearing it (a trailing amend whose answer was lost), or
    // whose size did (shrunk for an exit just before a restart).
    const bool trigger_differs =
        venue.trigger_price.is_positive() && venue.trigger_price != ours.request.trigger_price;
    const bool qty_differs = venue.qty.is_positive() && venue.qty != ours.request.qty;
    if (ours.status != venue.status || ours.filled < venue.filled_qty || trigger_differs || qty_differs) {
      const std::string note =
          "order " + venue.client_order_id + ": ours " + core::to_string(ours.status) + " filled " +
          ours.filled.to_string() + ", venue " + core::to_string(venue.status) + " filled " +
          venue.filled_qty.to_string() +
          (trigger_differs ? ", trigger ours " + ours.request.trigger_price.to_string() + " venue " +
                                 venue.trigger_price.to_string()
                           : "") +
          (qty_differs ? ", quantity ours " + ours.request.qty.to_string() + " venue " + venue.qty.to_string() : "");
      plan.order_updates.push_back(venue);
      // The order manager takes a report of an unchanged status as news only with a reason.
      if (plan.order_updates.back().reason.empty()) plan.order_updates.back().reason = "reconciled: " + note;
      plan.notes.push_back(note);
    }
  }
}

core::OrderUpdate closing_update(const ManagedOrder& order, OrderStatus status, Decimal filled, const std::string& reason,
                                 core::Timestamp now) {
  const OrderRequest& r = order.request;
  return core::OrderUpdate{r.client_order_id, order.venue_order_id, r.symbol, r.side, r.type, status, r.qty, filled,
                           r.limit_price, order.avg_price, reason, now, {}, core::Refused::kNone};
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
    const Decimal filled = order.filled + (gained == missed.end() ? Decimal{} : gained->second.qty);
    const bool complete = filled >= order.request.qty;
    // With none of its fills among a venue's incomplete list, it may have filled all the same.
    const bool unverified = !complete && !in.venue.fills_complete && gained == missed.end();
    const std::string reason = complete     ? "filled while away (reconciliation)"
                               : unverified ? "not open at the venue at reconciliation, and its fills may be older "
                                              "than the venue's recent fills: check this order at the venue"
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

bool is_own_stop(const core::OrderUpdate& venue_order) {
  return venue_order.type == core::OrderType::kStopLoss &&
         core::ClientOrderIdGenerator::parse(venue_order.client_order_id).has_value();
}

}  // namespace tg4::execution
