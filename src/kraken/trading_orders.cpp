#include "kraken/trading_orders.hpp"

#include <algorithm>

namespace tg4::kraken {

using core::Decimal;
using core::OrderStatus;

namespace {

bool same_state(const core::OrderUpdate& a, const core::OrderUpdate& b) {
  return a.status == b.status && a.filled_qty == b.filled_qty && a.qty == b.qty &&
         a.limit_price == b.limit_price && a.trigger_price == b.trigger_price;
}

std::string exec_key(const ExecutionReport& r) {
  return !r.exec_id.empty() ? r.exec_id : std::to_string(r.trade_id.value_or(0));
}

std::string quote_of(const std::string& symbol) {
  const auto parts = core::split_symbol(symbol);
  return parts ? parts->second : std::string();
}

// "t1 (Kraken O1, BTC/USD buy)": what a person needs to find the order on Kraken.
std::string order_label(const core::OrderUpdate& s) {
  const std::string kraken = s.venue_order_id.empty() ? "" : "Kraken " + s.venue_order_id + ", ";
  return s.client_order_id + " (" + kraken + s.symbol + " " + core::to_string(s.side) + ")";
}

// Kraken's executions snapshot lists at most this many fills (snap_trades: "the last 50").
constexpr std::size_t kSnapshotTradesMax = 50;

// Kraken's cum_qty with the totals of the same report: a higher cum_qty replaces them all, an equal
// one fills in what was missing.
void merge_totals(VenueTotals& t, const ExecutionReport& r) {
  if (!r.cum_qty || *r.cum_qty < t.qty) return;
  const bool newer = *r.cum_qty > t.qty;
  t.qty = *r.cum_qty;
  const auto take = [newer](std::optional<Decimal>& mine, const std::optional<Decimal>& theirs) {
    if (newer || theirs) mine = theirs;
  };
  take(t.cost, r.cum_cost);
  take(t.avg_price, r.avg_price);
  take(t.fee_usd, r.fee_usd_equiv);
  if (newer) t.fee_quote.reset();  // QueryOrders' total is of fewer fills
}

// Whether a catch-up's fee can be exact at all: the fees taken are all known (not an adopted
// order's) and were paid in the quote currency, as Kraken's totals are.
bool fee_knowable(const TrackedOrder& order, const std::string& quote) {
  return !order.fees_unknown && !order.mixed_fee_currencies &&
         (order.applied_fee_currency.empty() || order.applied_fee_currency == quote);
}

// The fee a catch-up fill of `order` would carry, when it is exact: Kraken's total for the order
// less the fees taken. Kraken's executions give the total only as fee_usd_equiv (exact for a
// USD-quoted pair); REST QueryOrders gives it in the quote.
std::optional<Decimal> catch_up_fee(const TrackedOrder& order, const std::string& quote) {
  const bool quote_fees = fee_knowable(order, quote);
  const VenueTotals& v = order.venue;
  if (v.fee_quote && quote_fees)
    return core::max(*v.fee_quote - order.applied_fee, Decimal::zero());
  if (v.fee_usd && quote_fees && quote == "USD") {
    return core::max(*v.fee_usd - order.applied_fee, Decimal::zero());
  }
  return std::nullopt;
}

// Oldest first: Kraken lists a snapshot's fills newest first, and a trade's cum_qty only places it
// in its order's fills when the earlier ones were taken before it.
bool older_trade(const ExecutionReport* a, const ExecutionReport* b) {
  if (a->time != b->time) return a->time < b->time;
  return a->cum_qty.value_or(Decimal::zero()) < b->cum_qty.value_or(Decimal::zero());
}

}  // namespace

OrderTracker::OrderTracker(std::size_t max_closed_orders, std::size_t max_exec_ids)
    : max_closed_(max_closed_orders), max_exec_ids_(max_exec_ids) {}

std::string OrderTracker::key_of(const ExecutionReport& r) {
  return !r.cl_ord_id.empty() ? r.cl_ord_id : "#" + r.order_id;
}

const TrackedOrder* OrderTracker::find(const std::string& client_order_id) const {
  const auto it = orders_.find(client_order_id);
  return it == orders_.end() ? nullptr : &it->second;
}

bool OrderTracker::is_open(const std::string& client_order_id) const {
  const TrackedOrder* o = find(client_order_id);
  return o != nullptr && !core::is_terminal(o->state.status);
}

void OrderTracker::restore(const execution::RestoredOrder& r) {
  prune();
  const std::string& id = r.request.client_order_id;
  TrackedOrder& order = orders_[id];
  // A snapshot that listed it without its client id made it someone else's under Kraken's id:
  // one entry, ours, keeps Kraken's totals.
  if (const auto stranger = orders_.find("#" + r.venue_order_id);
      !r.venue_order_id.empty() && stranger != orders_.end()) {
    order.venue = stranger->second.venue;
    order.acknowledged = true;
    orders_.erase(stranger);
  }
  core::OrderUpdate& s = order.state;
  s.client_order_id = id;
  if (!r.venue_order_id.empty()) {
    s.venue_order_id = r.venue_order_id;
    by_venue_id_[r.venue_order_id] = id;
  }
  s.symbol = r.request.symbol;
  s.side = r.request.side;
  s.type = r.request.type;
  s.qty = r.request.qty;
  s.limit_price = r.request.limit_price;
  s.trigger_price = r.request.trigger_price;
  // As the kernel knows it: what a snapshot says beyond it is news.
  s.status = r.status;
  s.filled_qty = r.filled;
  s.avg_price = r.avg_price;
  order.filled_cost = r.fills.cost;
  order.applied_qty = r.fills.qty;
  order.applied_fee = r.fills.fee;
  order.applied_fee_currency = r.fills.fee_currency;
  order.mixed_fee_currencies = r.fills.mixed_fee_currencies;
  order.fees_unknown = r.fills.fees_unknown;
  order.ours = true;
  order.acknowledged =
      order.acknowledged || !s.venue_order_id.empty() || s.status != OrderStatus::kPendingNew;
  order.lost = false;
  order.sent_seq = 0;
  for (const std::string& exec_id : r.fills.exec_ids) {
    if (exec_ids_.count(exec_id) == 0) remember_exec(exec_id);
  }
}

bool OrderTracker::on_sent(const SentOrder& sent, core::Timestamp now) {
  prune();
  if (is_open(sent.client_order_id)) return false;
  TrackedOrder order;
  core::OrderUpdate& s = order.state;
  s.client_order_id = sent.client_order_id;
  s.symbol = sent.symbol;
  s.side = sent.side;
  s.type = sent.type;
  s.status = OrderStatus::kPendingNew;
  s.qty = sent.qty;
  s.limit_price = sent.limit_price;
  s.trigger_price = sent.trigger_price;
  s.time = now;
  order.ours = true;
  order.sent_seq = sent.seq;
  orders_[sent.client_order_id] = std::move(order);
  return true;
}

void OrderTracker::on_resend(const std::string& client_order_id, std::uint64_t seq) {
  const auto it = orders_.find(client_order_id);
  if (it != orders_.end()) it->second.sent_seq = seq;
}

void OrderTracker::on_accepted(const std::string& client_order_id, const std::string& order_id,
                               core::Timestamp now, Events& out) {
  const auto it = orders_.find(client_order_id);
  if (it == orders_.end()) return;
  TrackedOrder& order = it->second;
  const core::OrderUpdate before = order.state;
  order.acknowledged = true;
  if (!order_id.empty()) {
    order.state.venue_order_id = order_id;
    by_venue_id_[order_id] = client_order_id;
  }
  // A late answer to an order given up as lost: Kraken has it after all.
  if (order.lost) {
    order.lost = false;
    order.state.status = OrderStatus::kNew;
    order.state.reason = "accepted by Kraken after it had been given up";
  }
  // The executions stream may have reported more already (a market order's fill); never go back.
  if (order.state.status == OrderStatus::kPendingNew) order.state.status = OrderStatus::kNew;
  publish(order, before, now, out);
}

void OrderTracker::on_rejected(const std::string& client_order_id, const std::string& reason,
                               core::Timestamp now, Events& out) {
  close_unplaced(client_order_id, OrderStatus::kRejected, reason, now, out);
}

void OrderTracker::on_unsent(const std::string& client_order_id, const std::string& reason,
                             core::Timestamp now, Events& out) {
  const auto it = orders_.find(client_order_id);
  if (it != orders_.end() && !core::is_terminal(it->second.state.status)) it->second.lost = true;
  close_unplaced(client_order_id, OrderStatus::kRejected, reason, now, out);
}

void OrderTracker::on_withdrawn(const std::string& client_order_id, const std::string& reason,
                                core::Timestamp now, Events& out) {
  close_unplaced(client_order_id, OrderStatus::kCanceled, reason, now, out);
}

void OrderTracker::close_unplaced(const std::string& client_order_id, OrderStatus status,
                                  const std::string& reason, core::Timestamp now, Events& out) {
  const auto it = orders_.find(client_order_id);
  if (it == orders_.end() || core::is_terminal(it->second.state.status)) return;
  TrackedOrder& order = it->second;
  const core::OrderUpdate before = order.state;
  order.state.status = status;
  order.state.reason = reason;
  publish(order, before, now, out);
}

void OrderTracker::on_amended(const std::string& client_order_id, core::Decimal trigger_price,
                              core::Timestamp now, Events& out) {
  if (!trigger_price.is_positive()) return;
  const auto it = orders_.find(client_order_id);
  if (it == orders_.end() || core::is_terminal(it->second.state.status)) return;
  const core::OrderUpdate before = it->second.state;
  it->second.state.trigger_price = trigger_price;
  publish(it->second, before, now, out);
}

void OrderTracker::on_refused(const std::string& client_order_id, const std::string& reason,
                              core::Refused what, core::Timestamp now, Events& out) {
  const auto it = orders_.find(client_order_id);
  if (it == orders_.end() || core::is_terminal(it->second.state.status)) return;
  core::OrderUpdate update = it->second.state;
  update.reason = reason;
  update.time = now;
  update.refused = what;
  // The order manager only takes a same-state report as news for live orders.
  if (update.status == OrderStatus::kNew || update.status == OrderStatus::kPartiallyFilled) {
    out.emplace_back(std::move(update));
  }
}

TrackedOrder* OrderTracker::locate(const ExecutionReport& r) {
  if (!r.cl_ord_id.empty()) {
    if (const auto it = orders_.find(r.cl_ord_id); it != orders_.end()) return &it->second;
  }
  if (!r.order_id.empty()) {
    if (const auto v = by_venue_id_.find(r.order_id); v != by_venue_id_.end()) {
      if (const auto it = orders_.find(v->second); it != orders_.end()) return &it->second;
    }
    if (const auto it = orders_.find("#" + r.order_id); it != orders_.end()) return &it->second;
  }
  return nullptr;
}

TrackedOrder& OrderTracker::locate_or_add(const ExecutionReport& r) {
  if (TrackedOrder* found = locate(r)) return *found;
  const std::string key = key_of(r);
  TrackedOrder& order = orders_[key];
  order.state.client_order_id = r.cl_ord_id;
  order.state.venue_order_id = r.order_id;
  order.state.symbol = r.symbol;
  if (r.side) order.state.side = *r.side;
  if (r.order_type) order.state.type = *r.order_type;
  if (r.order_qty) order.state.qty = *r.order_qty;
  if (r.limit_price) order.state.limit_price = *r.limit_price;
  if (!r.order_id.empty()) by_venue_id_[r.order_id] = key;
  return order;
}

void OrderTracker::merge(TrackedOrder& order, const ExecutionReport& r) {
  core::OrderUpdate& s = order.state;
  order.acknowledged = true;
  if (order.lost) {
    order.lost = false;
    s.reason = "reported by Kraken after it had been given up";
  }
  if (!r.order_id.empty() && s.venue_order_id != r.order_id) {
    s.venue_order_id = r.order_id;
    by_venue_id_[r.order_id] = !s.client_order_id.empty() ? s.client_order_id : "#" + r.order_id;
  }
  if (s.symbol.empty()) s.symbol = r.symbol;
  if (r.order_qty && r.order_qty->is_positive()) s.qty = *r.order_qty;
  if (r.limit_price && r.limit_price->is_positive()) s.limit_price = *r.limit_price;
  if (r.trigger_price && r.trigger_price->is_positive()) s.trigger_price = *r.trigger_price;
  if (r.cum_qty && *r.cum_qty > s.filled_qty) s.filled_qty = *r.cum_qty;
  merge_totals(order.venue, r);
  if (r.avg_price && r.avg_price->is_positive()) s.avg_price = *r.avg_price;
  if (r.order_status) {
    // A trade event may still say partially_filled after an earlier `filled`; never reopen.
    const bool reopen = core::is_terminal(s.status) && !core::is_terminal(*r.order_status);
    // Nor back to pending_new: the add_order answer may have made it `new` before this report came.
    const bool unacknowledge = *r.order_status == OrderStatus::kPendingNew && s.status != OrderStatus::kPendingNew;
    if ((!reopen || s.status == OrderStatus::kRejected) && !unacknowledge) s.status = *r.order_status;
  }
  if (!r.reason.empty()) s.reason = r.reason;
  if (r.time.is_set()) s.time = r.time;
}

core::Fill OrderTracker::make_fill(const TrackedOrder& order, const ExecutionReport& r) const {
  core::Fill f;
  f.client_order_id = order.state.client_order_id;
  f.venue_order_id = !r.order_id.empty() ? r.order_id : order.state.venue_order_id;
  f.exec_id = exec_key(r);
  f.symbol = !r.symbol.empty() ? r.symbol : order.state.symbol;
  f.side = r.side.value_or(order.state.side);
  f.price = r.last_price.value_or(Decimal::zero());
  f.qty = r.last_qty.value_or(Decimal::zero());
  if (!r.fees.empty()) {
    // Kraken charges one asset per fill; several entries of it add up.
    f.fee_currency = r.fees.front().asset;
    for (const auto& fee : r.fees) {
      if (fee.asset == f.fee_currency) f.fee = f.fee + fee.qty;
    }
  } else {
    f.fee_currency = quote_of(f.symbol);
  }
  f.maker = r.maker.value_or(false);
  f.time = r.time;
  f.order_filled = r.cum_qty.value_or(Decimal::zero());
  return f;
}

bool OrderTracker::take_fill(TrackedOrder& order, const ExecutionReport& r, core::Fill& fill) {
  fill = make_fill(order, r);
  if (exec_ids_.count(fill.exec_id) > 0) return false;
  remember_exec(fill.exec_id);
  if (!trim_covered(order, r, fill)) return false;
  apply(order, fill);
  core::OrderUpdate& s = order.state;
  const Decimal by_fills = s.filled_qty + fill.qty;
  // cum_qty (when sent) is the venue's total; otherwise our sum of fills.
  s.filled_qty = r.cum_qty ? core::max(*r.cum_qty, s.filled_qty) : by_fills;
  if (!(r.avg_price && r.avg_price->is_positive()) && s.filled_qty.is_positive()) {
    s.avg_price = order.filled_cost / s.filled_qty;
  }
  return true;
}

// A trade's cum_qty is its order's filled quantity once it is done: what lies at or below the
// quantity taken already reached the kernel, as a catch-up fill. Only ours: others' fills are not
// all emitted (the first snapshot records them only).
bool OrderTracker::trim_covered(const TrackedOrder& order, const ExecutionReport& r,
                                core::Fill& fill) {
  if (!order.ours || !r.cum_qty) return true;
  const Decimal beyond = *r.cum_qty - order.applied_qty;
  if (beyond >= fill.qty) return true;
  if (!beyond.is_positive()) {
    ++stats_.covered_trades;
    covered_ids_.insert(fill.exec_id);  // never offered to reconciliation as a missed fill
    return false;
  }
  ++stats_.trimmed_trades;
  fill.fee = fill.fee * beyond / fill.qty;
  fill.qty = beyond;
  return true;
}

void OrderTracker::apply(TrackedOrder& order, const core::Fill& fill) {
  order.filled_cost = order.filled_cost + fill.price * fill.qty;
  order.applied_qty = order.applied_qty + fill.qty;
  order.applied_fee = order.applied_fee + fill.fee;
  // A fill that paid nothing says nothing of the currency (as FillsSoFar::add after a restart): its
  // fee asset does not make the fees mixed, which would cost a catch-up its fee.
  if (fill.fee.is_zero()) return;
  if (!order.applied_fee_currency.empty() && order.applied_fee_currency != fill.fee_currency) {
    order.mixed_fee_currencies = true;
  }
  order.applied_fee_currency = fill.fee_currency;
}

void OrderTracker::catch_up(TrackedOrder& order, core::Timestamp now, Events& out) {
  if (!order.ours || !(order.venue.qty > order.applied_qty)) return;
  std::string note;
  core::Fill fill = catch_up_fill(order, now, note);
  // Its exec id names the cum_qty it brings the order to: never twice, even for an order the
  // tracker forgot and met again.
  if (exec_ids_.count(fill.exec_id) > 0) return;
  remember_exec(fill.exec_id);
  warnings_.push_back(
      "order " + order_label(order.state) + ": Kraken reports " + order.venue.qty.to_string() +
      " filled, TG4 had fills for " + order.applied_qty.to_string() +
      " (fills missed while disconnected; Kraken's snapshot holds only the last 50): applied " +
      fill.qty.to_string() + " as one catch-up fill @ " + fill.price.to_string() + note);
  apply(order, fill);
  ++stats_.catch_up_fills;
  out.emplace_back(std::move(fill));
}

// The missing part's average price is Kraken's cum_cost (else avg_price * cum_qty) less the cost
// of the fills taken, over its quantity. It is an average, so it is not rounded to the price tick
// (Kraken's avg_price is not either).
core::Fill OrderTracker::catch_up_fill(const TrackedOrder& order, core::Timestamp now,
                                       std::string& note) {
  const core::OrderUpdate& s = order.state;
  const VenueTotals& v = order.venue;
  core::Fill f;
  f.client_order_id = s.client_order_id;
  f.venue_order_id = s.venue_order_id;
  f.exec_id = core::catch_up_exec_id(!s.venue_order_id.empty() ? s.venue_order_id : s.client_order_id, v.qty);
  f.symbol = s.symbol;
  f.side = s.side;
  f.qty = v.qty - order.applied_qty;
  f.time = now;
  f.order_filled = v.qty;
  std::optional<Decimal> total = v.cost;
  if (!total && v.avg_price) total = *v.avg_price * v.qty;
  if (total && (*total - order.filled_cost).is_positive()) {
    f.price = (*total - order.filled_cost) / f.qty;
  } else {
    note += "; price unknown (no usable cum_cost or avg_price): recorded as 0";
  }
  f.fee_currency = quote_of(s.symbol);
  if (const auto fee = catch_up_fee(order, f.fee_currency)) {
    f.fee = *fee;
  } else if (order.fees_unknown) {
    note += "; fee recorded as 0: the order was adopted, and its fees before that are not known";
  } else {
    note +=
        "; fee recorded as 0: Kraken's fee for them is not known in the quote currency "
        "(fee_usd_equiv is in USD, and QueryOrders did not answer first)";
  }
  return f;
}

bool OrderTracker::hold_catch_up(TrackedOrder& order, const core::OrderUpdate& before) {
  if (!order.ours || !(order.venue.qty > order.applied_qty)) return false;
  const std::string quote = quote_of(order.state.symbol);
  if (order.state.venue_order_id.empty() || !fee_knowable(order, quote) ||
      catch_up_fee(order, quote)) {
    return false;
  }
  if (!order.held_report) {
    order.held_report = before;
    to_verify_.push_back(order.state.venue_order_id);
  }
  return true;
}

void OrderTracker::release_catch_up(TrackedOrder& order, const RestOrder* info, core::Timestamp now,
                                    Events& out) {
  const core::OrderUpdate reported = *std::exchange(order.held_report, std::nullopt);
  if (info != nullptr && info->vol_exec > order.venue.qty) {
    // Filled further since the snapshot: Kraken's newer totals; the trades that tell of it will
    // find themselves covered.
    order.venue = VenueTotals{info->vol_exec, info->cost, info->avg_price, std::nullopt, info->fee};
    order.state.filled_qty = core::max(order.state.filled_qty, info->vol_exec);
    if (info->avg_price.is_positive()) order.state.avg_price = info->avg_price;
  } else if (info != nullptr && info->vol_exec == order.venue.qty) {
    order.venue.fee_quote = info->fee;
  }
  catch_up(order, now, out);
  publish(order, reported, now, out);
  for (const ExecutionReport& r : std::exchange(order.queued_reports, {}))
    apply_report(order, r, now, out);
}

void OrderTracker::release_held(core::Timestamp now, Events& out) {
  for (auto& [key, order] : orders_) {
    if (order.held_report) release_catch_up(order, nullptr, now, out);
  }
}

void OrderTracker::remember_exec(const std::string& exec_id) {
  exec_ids_.insert(exec_id);
  exec_order_.push_back(exec_id);
  while (exec_order_.size() > max_exec_ids_) {
    exec_ids_.erase(exec_order_.front());
    covered_ids_.erase(exec_order_.front());
    exec_order_.pop_front();
  }
}

void OrderTracker::publish(TrackedOrder& order, const core::OrderUpdate& before,
                           core::Timestamp now, Events& out) {
  if (same_state(before, order.state) &&
      !(order.state.reason != before.reason && core::is_terminal(order.state.status))) {
    return;
  }
  if (!order.state.time.is_set() || order.state.time < now) order.state.time = now;
  order.state.lost = order.lost && order.state.status == OrderStatus::kRejected;
  out.emplace_back(order.state);
  const std::string key = !order.state.client_order_id.empty() ? order.state.client_order_id
                                                               : "#" + order.state.venue_order_id;
  if (core::is_terminal(order.state.status) && !core::is_terminal(before.status)) closed(key);
}

void OrderTracker::closed(const std::string& key) {
  closed_.push_back(key);
}

// Forgets the oldest closed orders; called before anything iterates or holds references.
void OrderTracker::prune() {
  while (closed_.size() > max_closed_) {
    const auto it = orders_.find(closed_.front());
    if (it != orders_.end() && core::is_terminal(it->second.state.status)) {
      by_venue_id_.erase(it->second.state.venue_order_id);
      orders_.erase(it);
    }
    closed_.pop_front();
  }
}

void OrderTracker::on_report(const ExecutionReport& r, core::Timestamp now, Events& out) {
  prune();
  TrackedOrder& order = locate_or_add(r);
  // QueryOrders has not answered yet: the report waits behind the held catch-up, which must reach
  // the kernel first and whose fee the answer gives (a REST round trip, or its failure).
  if (order.held_report) {
    order.queued_reports.push_back(r);
    return;
  }
  apply_report(order, r, now, out);
}

void OrderTracker::apply_report(TrackedOrder& order, const ExecutionReport& r, core::Timestamp now,
                                Events& out) {
  const core::OrderUpdate before = order.state;
  merge(order, r);
  if (r.exec_type == ExecType::kTrade) {
    core::Fill fill;
    if (take_fill(order, r, fill)) out.emplace_back(std::move(fill));
  }
  // No catch-up here: while connected every fill comes as its own trade event, and a status event
  // may announce a cum_qty before the trade that makes it (the trade must stay the exact fill).
  // Fills are missed only across a disconnect, which always ends in a snapshot (on_snapshot).
  publish(order, before, r.time.is_set() ? r.time : now, out);
}

void OrderTracker::on_snapshot(const std::vector<ExecutionReport>& reports, std::uint64_t as_of_seq,
                               bool baseline, core::Timestamp now, Events& out) {
  prune();
  release_held(now, out);  // an earlier snapshot's, whose QueryOrders has not answered
  snapshot_fills_.clear();
  // Orders this snapshot touches, with their state before it, in first-touch order.
  std::vector<std::pair<TrackedOrder*, core::OrderUpdate>> touched;
  std::set<const TrackedOrder*> seen;
  const auto touch = [&](TrackedOrder& order) {
    if (seen.insert(&order).second) touched.emplace_back(&order, order.state);
  };
  // Kraken's ids first, from the order reports: a trade that names only its order_id then finds
  // our order (whose add_order answer, with that id, may have been lost) instead of becoming a
  // stranger's order that takes our fill.
  for (const auto& r : reports) {
    if (r.exec_type == ExecType::kTrade || r.cl_ord_id.empty() || r.order_id.empty()) continue;
    if (orders_.count(r.cl_ord_id) > 0) by_venue_id_.emplace(r.order_id, r.cl_ord_id);
  }
  std::vector<const ExecutionReport*> trades;
  for (const auto& r : reports) {
    if (r.exec_type != ExecType::kTrade) continue;
    trades.push_back(&r);
    touch(locate_or_add(r));
  }
  // Fills first: an order's quantity is settled before its state is judged.
  Events new_fills;
  const std::size_t trade_rows = trades.size();
  const std::set<const TrackedOrder*> traded =
      take_snapshot_trades(std::move(trades), baseline, new_fills);
  std::set<const TrackedOrder*> listed;  // open at Kraken in this snapshot
  for (const auto& r : reports) {
    if (r.exec_type == ExecType::kTrade) continue;
    TrackedOrder& order = locate_or_add(r);
    touch(order);
    listed.insert(&order);
    merge(order, r);
  }
  // After the snapshot's own (exact) fills: what cum_qty still has beyond them was missed.
  for (auto& [order, before] : touched) {
    if (hold_catch_up(*order, before)) continue;
    const std::size_t had = new_fills.size();
    catch_up(*order, now, new_fills);
    if (new_fills.size() > had) snapshot_fills_.push_back(std::get<core::Fill>(new_fills.back()));
  }
  // Open here, sent before the snapshot was asked for, yet not open at Kraken: closed meanwhile.
  // An order with a fill in the snapshot is settled by it (its cum_qty counts every earlier fill,
  // and a later one would be listed too), and so is any order when the snapshot has fewer than 50
  // fills: it then holds every fill since. A full snapshot says nothing about the others.
  const bool full = trade_rows >= kSnapshotTradesMax;
  snapshot_full_ = full;
  for (auto& [key, order] : orders_) {
    if (core::is_terminal(order.state.status) || listed.count(&order) > 0 ||
        order.sent_seq >= as_of_seq) {
      continue;
    }
    touch(order);
    close_unlisted(order, full && traded.count(&order) == 0);
  }
  for (auto& e : new_fills) out.push_back(std::move(e));
  // The first snapshot only records others' orders: start-up reconciliation reads them.
  for (auto& [order, before] : touched) {
    if (order->held_report) continue;
    if (!baseline || order->ours) publish(*order, before, now, out);
  }
}

std::set<const TrackedOrder*> OrderTracker::take_snapshot_trades(
    std::vector<const ExecutionReport*> trades, bool baseline, Events& new_fills) {
  std::stable_sort(trades.begin(), trades.end(), older_trade);
  std::set<const TrackedOrder*> traded;
  for (const ExecutionReport* r : trades) {
    TrackedOrder& order = locate_or_add(*r);
    traded.insert(&order);
    merge(order, *r);
    core::Fill fill;
    const bool fresh = take_fill(order, *r, fill);
    // Reconciliation adds the fills it has not applied: never one a catch-up fill covered.
    if (covered_ids_.count(fill.exec_id) == 0) snapshot_fills_.push_back(fill);
    if (!fresh || (baseline && !order.ours)) continue;
    // Heard only now: it happened while TG4 was disconnected or down, which a person should know.
    if (order.ours) {
      warnings_.push_back("order " + order_label(order.state) + ": fill " + fill.exec_id + " of " +
                          fill.qty.to_string() + " @ " + fill.price.to_string() +
                          " made while TG4 was away, taken from Kraken's snapshot");
    }
    new_fills.emplace_back(std::move(fill));
  }
  return traded;
}

void OrderTracker::close_unlisted(TrackedOrder& order, bool unverified) {
  core::OrderUpdate& s = order.state;
  if (s.qty.is_positive() && s.filled_qty >= s.qty) {
    s.status = OrderStatus::kFilled;
    return;
  }
  if (!order.acknowledged && !s.filled_qty.is_positive()) {
    s.status = OrderStatus::kRejected;
    s.reason = "no answer from Kraken, and it lists no such open order or fill";
    order.lost = true;
  } else {
    s.status = OrderStatus::kCanceled;
    s.reason = "no longer open at Kraken (closed while unobserved)";
  }
  if (!unverified) return;
  // Its fills may be older than the snapshot's 50: it may have filled. Kraken's REST QueryOrders
  // knows; until it answers, the write-off stands.
  order.unverified = true;
  if (s.venue_order_id.empty()) {
    return leave_unverified(order, "Kraken never gave its order id, so it cannot be looked up");
  }
  s.reason =
      "closed while TG4 was disconnected; Kraken's snapshot holds only the last 50 fills: "
      "asking Kraken (QueryOrders)";
  to_verify_.push_back(s.venue_order_id);
}

void OrderTracker::leave_unverified(TrackedOrder& order, const std::string& why) {
  core::OrderUpdate& s = order.state;
  order.unverified = false;
  s.reason =
      "closed while TG4 was disconnected; Kraken's snapshot holds only the last 50 fills and " +
      why + ": check this order on Kraken";
  ++stats_.unverified_closes;
  warnings_.push_back("order " + order_label(s) + " written off as " + core::to_string(s.status) +
                      " with " + s.filled_qty.to_string() + " filled: " + s.reason);
}

TrackedOrder* OrderTracker::by_venue_id(const std::string& order_id) {
  const auto key = by_venue_id_.find(order_id);
  if (key == by_venue_id_.end()) return nullptr;
  const auto it = orders_.find(key->second);
  return it == orders_.end() ? nullptr : &it->second;
}

void OrderTracker::on_verified(const std::vector<RestOrder>& orders, core::Timestamp now,
                               Events& out) {
  prune();
  for (const RestOrder& info : orders) {
    TrackedOrder* order = by_venue_id(info.order_id);
    if (order != nullptr && order->held_report) {
      release_catch_up(*order, &info, now, out);
      continue;
    }
    if (order == nullptr || !order->unverified) continue;
    const core::OrderUpdate before = order->state;
    if (info.status == "open" || info.status == "pending") {
      leave_unverified(*order, "QueryOrders lists it as " + info.status);
      publish(*order, before, now, out);
      continue;
    }
    order->unverified = false;
    if (info.vol_exec > order->venue.qty) {
      order->venue = VenueTotals{info.vol_exec, info.cost, info.avg_price, std::nullopt, info.fee};
    } else if (info.vol_exec == order->venue.qty) {
      order->venue.fee_quote = info.fee;
    }
    catch_up(*order, now, out);
    core::OrderUpdate& s = order->state;
    s.filled_qty = core::max(s.filled_qty, info.vol_exec);
    if (info.avg_price.is_positive()) s.avg_price = info.avg_price;
    // Kraken's "closed" is a finished order; filled only when all of it was.
    const Decimal size = info.vol.is_positive() ? info.vol : s.qty;
    const bool all_filled = info.status == "closed" && info.vol_exec >= size;
    s.status = all_filled                 ? OrderStatus::kFilled
               : info.status == "expired" ? OrderStatus::kExpired
                                          : OrderStatus::kCanceled;
    s.reason = "closed while TG4 was disconnected; Kraken (QueryOrders) has it " + info.status +
               " with " + info.vol_exec.to_string() + " filled";
    ++stats_.verified_closes;
    publish(*order, before, now, out);
  }
}

void OrderTracker::on_verify_failed(const std::vector<std::string>& order_ids,
                                    const std::string& why, core::Timestamp now, Events& out) {
  prune();
  for (const std::string& id : order_ids) {
    TrackedOrder* order = by_venue_id(id);
    if (order != nullptr && order->held_report) {
      release_catch_up(*order, nullptr, now, out);
      continue;
    }
    if (order == nullptr || !order->unverified) continue;
    const core::OrderUpdate before = order->state;
    leave_unverified(*order, why);
    publish(*order, before, now, out);
  }
}

std::vector<core::OrderUpdate> OrderTracker::open_orders() const {
  std::vector<core::OrderUpdate> out;
  for (const auto& [key, order] : orders_) {
    if (!core::is_terminal(order.state.status) && order.acknowledged && !order.lost) {
      out.push_back(order.state);
    }
  }
  return out;
}

}  // namespace tg4::kraken
