#include "execution/order_manager.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

namespace tg4::execution {

using core::Decimal;
using core::Error;
using core::OrderStatus;
using core::OrderType;
using core::Side;

const char* to_string(OrderRole role) {
  switch (role) {
    case OrderRole::kEntry: return "entry";
    case OrderRole::kStopLoss: return "stop_loss";
    case OrderRole::kTakeProfit: return "take_profit";
    case OrderRole::kExit: return "exit";
    case OrderRole::kHolding:
      return "holding";
  }
  return "unknown";
}

namespace {

// A cancel on its way is not sent again before this (see cancel()).
constexpr core::Duration kCancelResendAfter = std::chrono::seconds(10);

// Ended without a fill being the reason: refused, canceled, expired. TG4 writes an order off this
// way too (no answer from the venue, closed while it was not watching), and a venue may still
// report fills for it later.
bool written_off(OrderStatus status) {
  return status == OrderStatus::kRejected || status == OrderStatus::kCanceled || status == OrderStatus::kExpired;
}

// Legal forward moves of the state machine; anything else is reported (the venue still wins).
bool legal(OrderStatus from, OrderStatus to) {
  if (from == to) return to == OrderStatus::kPartiallyFilled || to == OrderStatus::kNew;
  if (core::is_terminal(from)) return false;
  if (from == OrderStatus::kPartiallyFilled) return to != OrderStatus::kPendingNew && to != OrderStatus::kNew;
  return to != OrderStatus::kPendingNew;
}

// "c7 of c4 (BTC/USDT)": an order, the position it belongs to and its pair, for the problem log.
std::string order_label(const ManagedOrder& order) {
  return order.request.client_order_id + " of " + order.group + " (" + order.request.symbol + ")";
}

}  // namespace

OrderManager::OrderManager(Venue& venue, const core::InstrumentRegistry& instruments,
                           IdSource next_id, OrderManagerConfig config, Listener on_change,
                           ProblemListener on_problem, SentListener on_sent)
    : venue_(venue),
      instruments_(instruments),
      next_id_(std::move(next_id)),
      config_(config),
      hold_targets_locally_(venue.locks_balance_per_order()),
      on_change_(std::move(on_change)),
      on_problem_(std::move(on_problem)),
      on_sent_(std::move(on_sent)),
      rate_counter_(config.kraken_limits) {}

// Only the venue's own limit: TG4's order rate is the risk engine's (rule 9), judged before an
// intent gets here.
core::Status OrderManager::admit(const std::string& symbol, core::Timestamp now) {
  if (config_.budget_kraken_rate_counter && !rate_counter_.can_add(symbol, 1.0, now)) {
    return Error::of("Kraken trading-rate counter for " + symbol + " would exceed its limit; waiting for decay");
  }
  return {};
}

// The order an intent asks for, `qty` rounded to the pair's increment; the caller sets its role.
core::Result<ManagedOrder> OrderManager::order_for(const core::OrderIntent& intent,
                                                   Decimal qty) const {
  const core::Instrument* instrument = instruments_.find(intent.symbol);
  if (instrument == nullptr) return Error::of("unknown symbol " + intent.symbol);
  const Decimal rounded = instrument->round_qty(qty);
  if (!rounded.is_positive()) {
    return Error::of("quantity " + qty.to_string() + " " + intent.symbol + " rounds to zero at increment " +
                     instrument->qty_increment.to_string());
  }
  ManagedOrder order;
  order.request.symbol = intent.symbol;
  order.request.side = intent.side;
  order.request.type = intent.type;
  order.request.qty = rounded;
  order.request.limit_price = intent.limit_price;
  order.intent_id = intent.intent_id;
  order.source = intent.source;
  return order;
}

core::Result<std::string> OrderManager::submit(const core::OrderIntent& intent, Decimal qty,
                                               core::Timestamp now) {
  auto made = order_for(intent, qty);
  if (!made) return made.error();
  ManagedOrder& order = *made;
  // Spot: a sell only reduces. Margin: a sell that is not reduce-only opens (or adds to) a short.
  const bool opens = !intent.reduce_only && (intent.side == Side::kBuy || config_.margin);
  order.request.reduce_only = !opens;
  order.request.leverage = config_.margin ? intent.leverage : Decimal::one();
  order.role = opens ? OrderRole::kEntry : OrderRole::kExit;
  order.stop_loss = intent.stop_loss;
  order.take_profit = intent.take_profit;
  if (order.role == OrderRole::kExit && hold_targets_locally_ && resting_stop_qty(intent.symbol).is_positive()) {
    return send_after_stops_shrink(std::move(order), now);
  }
  return send(std::move(order), now);
}

core::Result<std::string> OrderManager::submit_holding(const core::OrderIntent& intent, Decimal qty,
                                                       core::Timestamp now) {
  auto made = order_for(intent, qty);
  if (!made) return made.error();
  made->role = OrderRole::kHolding;
  return send(std::move(*made), now);
}

core::Result<std::string> OrderManager::send(ManagedOrder order, core::Timestamp now,
                                             Sending sending) {
  if (sending == Sending::kAdmitted) {
    if (auto ok = admit(order.request.symbol, now); !ok) return ok.error();
  }
  auto booked = book(std::move(order), OrderStatus::kPendingNew, now);
  if (!booked) return booked.error();
  const std::string id = (*booked)->request.client_order_id;
  count_send(**booked, now);
  venue_.submit((*booked)->request, now);
  return id;
}

// Gives the order its client id (and its own group unless it joins one), keeps it and reports it.
core::Result<ManagedOrder*> OrderManager::book(ManagedOrder order, OrderStatus status, core::Timestamp now) {
  order.request.client_order_id = next_id_();
  if (order.group.empty()) order.group = order.request.client_order_id;
  order.created = now;
  order.status = status;
  const std::string id = order.request.client_order_id;
  auto [it, inserted] = orders_.emplace(id, std::move(order));
  if (!inserted) return Error::of("client order id collision: " + id);
  changed(it->second, now);
  return &it->second;
}

void OrderManager::count_send(const ManagedOrder& order, core::Timestamp now) {
  if (config_.budget_kraken_rate_counter) rate_counter_.add(order.request.symbol, 1.0, now);
  if (on_sent_) on_sent_(order, now);
}

core::Result<std::string> OrderManager::close_position(const std::string& symbol, Decimal qty,
                                                       const std::string& reason, core::Timestamp now) {
  cancel_symbol(symbol, now);
  core::OrderIntent exit;
  exit.intent_id = "close:" + symbol;
  exit.source = reason;
  exit.symbol = symbol;
  exit.side = qty.is_negative() ? Side::kBuy : Side::kSell;
  exit.type = OrderType::kMarket;
  exit.reduce_only = true;
  return submit(exit, qty.abs(), now);
}

void OrderManager::cancel(const std::string& client_order_id, core::Timestamp now) {
  const auto it = orders_.find(client_order_id);
  if (it == orders_.end() || core::is_terminal(it->second.status)) return;
  if (it->second.held_locally) return cancel_held(it->second, "canceled", now);
  // Sent already: Kraken would refuse the second (EOrder:Unknown order once the first lands) and it
  // costs the rate counter. Later, it may be a retry of a cancel that was lost.
  const auto asked = cancel_requested_.find(client_order_id);
  if (asked != cancel_requested_.end() && now - asked->second < kCancelResendAfter) return;
  if (config_.budget_kraken_rate_counter) {
    rate_counter_.add(it->second.request.symbol, TradingRateCounter::cancel_penalty(now - it->second.created), now);
  }
  cancel_requested_[client_order_id] = now;
  venue_.cancel(client_order_id, now);
}

void OrderManager::cancel_for_operator(const std::string& client_order_id, core::Timestamp now) {
  const ManagedOrder* order = find(client_order_id);
  if (order == nullptr || core::is_terminal(order->status)) return;
  // One held here ends at once, with no report to come: only the venue's cancels are remembered.
  if (!order->held_locally) operator_cancels_.insert(client_order_id);
  cancel(client_order_id, now);
}

void OrderManager::cancel_all(core::Timestamp now) {
  const std::vector<std::string> ids(open_ids_.begin(), open_ids_.end());
  for (const auto& id : ids) cancel(id, now);
}

void OrderManager::cancel_symbol(const std::string& symbol, core::Timestamp now) {
  std::vector<std::string> ids;
  for (const std::string& id : open_ids_) {
    if (orders_.at(id).request.symbol == symbol) ids.push_back(id);
  }
  for (const auto& id : ids) cancel(id, now);
}

void OrderManager::fit_protection(const std::string& symbol, Decimal position_qty, core::Timestamp now) {
  positions_[symbol] = position_qty;
  // Flat: no trail on the symbol has anything left to protect (a position closed by a strategy's
  // exit, whose group is not the entry's, would otherwise leave its trail walked on every trade).
  if (position_qty.is_zero()) std::erase_if(trails_, [&](const auto& kv) { return kv.second.symbol == symbol; });
  std::vector<std::pair<std::string, Decimal>> changes;  // id -> new remaining (zero: cancel)
  for (const std::string& id : open_ids_) {
    const ManagedOrder& order = orders_.at(id);
    const bool protective = order.role == OrderRole::kStopLoss || order.role == OrderRole::kTakeProfit;
    if (!protective || order.request.symbol != symbol || core::is_terminal(order.status)) continue;
    // A stop: what it will rest on once TG4's requests land (a resize or cancel on its way counts).
    const Decimal asked = order.role == OrderRole::kStopLoss ? asked_qty(order) : order.request.qty;
    const Decimal remaining = asked - order.filled;
    const Decimal held = order.request.side == Side::kSell ? core::max(position_qty, Decimal{})
                                                           : core::max(-position_qty, Decimal{});
    if (remaining > held) changes.emplace_back(id, held);
  }
  for (const auto& [id, qty] : changes) {
    if (!qty.is_positive()) {
      cancel(id, now);
    } else {
      ManagedOrder& order = orders_.at(id);
      resize(order, order.filled + qty, now);
    }
  }
}

void OrderManager::on_execution(const core::ExecutionEvent& event, core::Timestamp now) {
  if (const auto* update = std::get_if<core::OrderUpdate>(&event)) on_update(*update, now);
  if (const auto* fill = std::get_if<core::Fill>(&event)) on_fill(*fill, now);
}

void OrderManager::on_fill(const core::Fill& fill, core::Timestamp now) {
  const auto it = orders_.find(fill.client_order_id);
  if (it == orders_.end()) return problem("fill for unknown order " + fill.client_order_id + " (exec " + fill.exec_id + ")");
  ManagedOrder& order = it->second;
  // Venues check this; a fill of nothing would divide by zero below and change no position anyway.
  if (!fill.qty.is_positive()) {
    return problem("fill " + fill.exec_id + " of order " + fill.client_order_id + " has quantity " +
                   fill.qty.to_string() + "; ignored");
  }
  // Fills are authoritative for quantities; the status comes with the venue's order update.
  const Decimal before = order.filled;
  note_fill_after_write_off(order, before, fill.qty);
  order.filled = before + fill.qty;
  order.avg_price = (order.avg_price * before + fill.price * fill.qty) / order.filled;
  order.fees += fill.fee;
  order.updated = now;
  if (order.role == OrderRole::kStopLoss && !held_ids_.empty()) on_stop_change(order, now);
}

void OrderManager::on_update(const core::OrderUpdate& update, core::Timestamp now) {
  const auto it = orders_.find(update.client_order_id);
  if (it == orders_.end()) {
    if (update.status != OrderStatus::kRejected) problem("report for unknown order " + update.client_order_id);
    return;
  }
  ManagedOrder& order = it->second;
  const OrderStatus previous = order.status;
  // What a stop was to rest on once TG4's requests landed: what goes out again if it is lost.
  const Decimal wanted = order.role == OrderRole::kStopLoss ? asked_qty(order) : order.request.qty;
  note_fill_after_write_off(order, order.filled, update.filled_qty - order.filled);
  // Fills after a write-off are news: they get the follow-up any fill gets (below), once, whatever
  // status the report still carries (a trade report may keep the write-off's).
  const bool revived = revived_.erase(update.client_order_id) > 0;
  const bool trigger_news = update.trigger_price.is_positive() && update.trigger_price != order.request.trigger_price;
  const bool refused = update.refused != core::Refused::kNone;
  if (!revived && !trigger_news && !refused && previous == update.status && update.reason.empty()) return;
  // A refused cancel of an order that has already ended (it filled first) is no news about it.
  if (!revived && core::is_terminal(previous) && update.status == OrderStatus::kRejected) return;
  if (!revived && !legal(previous, update.status)) {
    problem("order " + order.request.client_order_id + ": illegal transition " + core::to_string(previous) + " -> " +
            core::to_string(update.status) + "; taking the venue's state");
  }
  order.status = update.status;
  order.venue_order_id = update.venue_order_id.empty() ? order.venue_order_id : update.venue_order_id;
  if (update.filled_qty > order.filled) order.filled = update.filled_qty;
  if (update.avg_price.is_positive()) order.avg_price = update.avg_price;
  if (update.qty.is_positive()) order.request.qty = update.qty;
  settle_qty(order, update);
  if (!update.reason.empty()) order.reason = update.reason;
  if (core::is_terminal(order.status) &&
      operator_cancels_.erase(order.request.client_order_id) > 0 &&
      order.status == OrderStatus::kCanceled) {
    order.reason = std::string(kCanceledByOperator) +
                   (update.reason.empty() ? "" : " (" + update.reason + ")");
  }
  settle_trigger(order, update);
  // A stop of the position rests at the venue: the requests lost before it are behind us.
  if (order.role == OrderRole::kStopLoss && order.status == OrderStatus::kNew) {
    stop_resends_.erase(order.group);
  }
  // A cancel refused for good: the order rests, and its end, when it comes, is not of our asking.
  if (update.refused == core::Refused::kCancel) {
    cancel_requested_.erase(order.request.client_order_id);
    put_back_on_cancel_.erase(order.request.client_order_id);
    operator_cancels_.erase(order.request.client_order_id);
  }
  changed(order, now);
  // The venue would not shrink or cancel it: an exit waiting for its coins is dropped (on_stop_change).
  if (order.role == OrderRole::kStopLoss && !held_ids_.empty()) on_stop_change(order, now, update.refused);
  if (order.role == OrderRole::kStopLoss && update.refused == core::Refused::kCancel) rearm_targets(order, now);
  if (!core::is_terminal(order.status) || (core::is_terminal(previous) && !revived)) {
    if (order.role != OrderRole::kEntry && order.status == OrderStatus::kPartiallyFilled) resolve_oco(order, now);
    return;
  }
  const bool cancel_was_ours = cancel_requested_.erase(order.request.client_order_id) > 0;
  if (put_back_on_cancel_.erase(order.request.client_order_id) > 0 && !order.filled.is_positive()) {
    place_stop_again(order, order.request.qty,
                     "stop " + order_label(order) +
                         " was canceled to free coins for an exit that was then dropped",
                     StopAgain::kPutsBack, now);
  }
  const bool restored = order.role == OrderRole::kExit && restore_stops_after_exit(order, now);
  if (!order.filled.is_positive() && !restored) {
    report_if_unprotected(order, update.lost, wanted, now);
  }
  if (order.role == OrderRole::kTakeProfit) freed_stops_.erase(order.group);
  if (order.role == OrderRole::kEntry && order.filled.is_positive()) attach_protection(order, now);
  const bool protective = order.role == OrderRole::kStopLoss || order.role == OrderRole::kTakeProfit;
  // A stop that filled wins over a triggered local target; one we canceled for it lets it go out.
  if (protective && order.status == OrderStatus::kFilled) return resolve_oco(order, now);
  // The target released for what is left must not be canceled as this order's OCO sibling.
  if (protective && !held_ids_.empty() && release_if_unblocked(order.group, now)) return;
  const bool ended_unasked = order.status == OrderStatus::kCanceled || order.status == OrderStatus::kExpired;
  // A revived stop filled after all: its sibling is canceled below, nothing is placed again.
  if (order.role == OrderRole::kStopLoss && ended_unasked && !cancel_was_ours && !revived) {
    return replace_stop(order, wanted - order.filled, now);
  }
  if (protective && order.filled.is_positive()) resolve_oco(order, now);
}

// A resize on its way (qty_asked_) is settled by the venue's next word on the order's quantity:
// the resize landed, was refused, or (a request lost on the way, a reconciliation) the venue says
// what it holds; or the order ended. Its word then rules, not a request it may never have had.
void OrderManager::settle_qty(const ManagedOrder& order, const core::OrderUpdate& update) {
  if (update.qty.is_positive() || update.refused == core::Refused::kQuantity ||
      core::is_terminal(order.status)) {
    qty_asked_.erase(order.request.client_order_id);
  }
}

// The trigger the venue reports is the order's. A trailing move asked for counts once the venue
// has it; refused, the stop stays where the venue holds it (said: the position is protected less
// tightly than the trail wanted), and a later tick may ask again.
void OrderManager::settle_trigger(ManagedOrder& order, const core::OrderUpdate& update) {
  if (update.trigger_price.is_positive()) order.request.trigger_price = update.trigger_price;
  if (!order.trigger_asked.is_positive()) return;
  const bool refused = update.refused == core::Refused::kPrice;
  if (order.request.trigger_price == order.trigger_asked) {
    order.reason = "trailing stop moved to " + order.trigger_asked.to_string();
  } else if (refused) {
    problem("trailing stop " + order_label(order) + " not moved to " + order.trigger_asked.to_string() + ", it stays at " +
            order.request.trigger_price.to_string() + ": " + update.reason);
  } else if (!core::is_terminal(order.status)) {
    return;  // other news of the order while the move is on its way
  }
  order.trigger_asked = {};
}

// An order that ended with nothing filled and left a position without a stop at the venue. A
// refused stop is said, not retried (the venue's reason may recur); a stop lost on the way (never
// answered and not listed by the venue, or never sent) is placed again, a few times at most. A
// take-profit released once its stop had been canceled to free the coins (a venue that locks coins
// per order) that did not go through puts that stop back for what the position still holds: the
// exit failed, the risk did not. An exit of the strategy's that freed coins from several positions'
// stops is said.
void OrderManager::report_if_unprotected(const ManagedOrder& order, bool lost, Decimal wanted,
                                         core::Timestamp now) {
  const bool refused_stop = order.role == OrderRole::kStopLoss && order.status == OrderStatus::kRejected;
  if (refused_stop && lost) {
    return place_stop_again(
        order, wanted, "stop " + order_label(order) + " was lost on the way (" + order.reason + ")",
        StopAgain::kResendsALostOne, now);
  }
  const bool released_exit = hold_targets_locally_ && written_off(order.status) &&
                             (order.role == OrderRole::kExit ||
                              (order.role == OrderRole::kTakeProfit && order.request.type == OrderType::kMarket));
  const auto freed = order.role == OrderRole::kTakeProfit ? freed_stops_.find(order.group) : freed_stops_.end();
  // The stops freed for this target were its own position's: another position's stop resting on the
  // symbol does not cover it. Any other exit is said only when nothing on the symbol is protected.
  const bool puts_back = released_exit && freed != freed_stops_.end();
  if (!refused_stop && !puts_back && !(released_exit && resting_stop_qty(order.request.symbol).is_zero())) return;
  const std::string what = (refused_stop ? "stop " : "exit ") + order_label(order) + " was " +
                           core::to_string(order.status) +
                           (order.reason.empty() ? "" : " (" + order.reason + ")") +
                           (refused_stop ? "" : " after the stops were canceled to free its coins");
  // After a restart the stops it freed are not known: cover_after_restart, asked again, covers the
  // position now that the exit has ended, and says so.
  if (released_exit && !puts_back && owed_at_restart_.contains(order.request.symbol)) return;
  if (!puts_back) return problem(what + ": the position has no stop at the venue");
  for (const std::string& id : freed->second) {
    const ManagedOrder& stop = orders_.at(id);
    place_stop_again(stop, stop.request.qty - stop.filled, what, StopAgain::kPutsBack, now);
  }
}

// A strategy's exit that freed coins from stops (a venue that locks coins per order) and did not
// sell them all: each stop gets back what the unsold part had taken from it, newest first as they
// were shrunk, so the positions keep their protection. A stop still resting grows back, never past
// its size before the exit (a shrink the venue refused left it whole); one that was canceled is
// placed again. False when the exit shrank no stop.
bool OrderManager::restore_stops_after_exit(const ManagedOrder& exit, core::Timestamp now) {
  const auto it = shrunk_for_exit_.find(exit.request.client_order_id);
  if (it == shrunk_for_exit_.end()) return false;
  const std::vector<ShrunkStop> shrunk = std::move(it->second);
  shrunk_for_exit_.erase(it);
  Decimal unsold = exit.request.qty - exit.filled;
  if (!unsold.is_positive()) return true;
  const std::string why = "exit " + exit.request.client_order_id + " (" + exit.request.symbol + ") was " +
                          core::to_string(exit.status) + (exit.reason.empty() ? "" : " (" + exit.reason + ")") +
                          " with " + unsold.to_string() + " unsold after the stops were shrunk to free its coins";
  for (const ShrunkStop& gave : shrunk) {
    if (!unsold.is_positive()) break;
    ManagedOrder& stop = orders_.at(gave.id);
    if (core::is_terminal(stop.status)) {
      const Decimal back = core::min(gave.freed, unsold);
      unsold -= back;
      place_stop_again(stop, back, why, StopAgain::kPutsBack, now);
      continue;
    }
    if (cancel_requested_.contains(gave.id)) {  // its cancel is on its way: back once it lands
      put_back_on_cancel_.insert(gave.id);
      unsold -= core::min(gave.freed, unsold);
      continue;
    }
    const Decimal back = core::min(core::min(gave.freed, unsold), gave.before - asked_qty(stop));
    if (!back.is_positive()) continue;
    unsold -= back;
    grow_back(stop, back, why, now);
  }
  return true;
}

// An order written off with nothing filled that the venue then reports filled (Kraken accepted an
// add_order TG4 heard nothing about, and its first news is a snapshot's fill): remembered until its
// status is reported, so an entry gets its stop and target and a stop or target its OCO. One written
// off after a partial fill already had that follow-up for its part: the rest is reported, not acted on.
void OrderManager::note_fill_after_write_off(const ManagedOrder& order, Decimal filled_before, Decimal added) {
  if (!written_off(order.status) || !added.is_positive()) return;
  const std::string& id = order.request.client_order_id;
  if (filled_before.is_zero()) {
    revived_.insert(id);
    return;
  }
  if (!revived_.contains(id)) {
    problem("order " + id + " (" + order.request.symbol + ") filled " + added.to_string() + " more after it was " +
            core::to_string(order.status) + ": its protection does not cover that part");
  }
}

// A stop the venue closed without TG4 asking (Kraken's dead man's switch cancels every order after
// an outage longer than its timeout; a trader may cancel on the website) goes out again for what it
// still covered: the position it protected is still there. A few times per position at most, so a
// venue that keeps cancelling it cannot make TG4 loop; a refused stop (rejected) is not retried.
void OrderManager::replace_stop(const ManagedOrder& gone, Decimal qty, core::Timestamp now) {
  place_stop_again(gone, qty,
                   "stop " + order_label(gone) + " was " + core::to_string(gone.status) +
                       " at the venue, not by TG4" +
                       (gone.reason.empty() ? "" : " (" + gone.reason + ")"),
                   StopAgain::kReplacesALoss, now);
}

// Sends `gone` again for `qty` at most, and no more than the position leaves uncovered, saying
// `why` and what was done.
void OrderManager::place_stop_again(const ManagedOrder& gone, Decimal qty, const std::string& why,
                                    StopAgain kind, core::Timestamp now) {
  constexpr int kMaxStopReplacements = 3;
  constexpr int kMaxStopResends = 10;
  const Decimal remaining = core::min(qty, uncovered(gone.request.symbol, gone.request.side));
  if (!remaining.is_positive()) return;
  if (kind == StopAgain::kReplacesALoss &&
      ++stop_replacements_[gone.group] > kMaxStopReplacements) {
    return problem(why + "; not placed again: already replaced " + std::to_string(kMaxStopReplacements) +
                   " times, the position is unprotected");
  }
  if (kind == StopAgain::kResendsALostOne && ++stop_resends_[gone.group] > kMaxStopResends) {
    return problem(why + "; not placed again: lost " + std::to_string(kMaxStopResends) +
                   " times in a row, the position is unprotected");
  }
  ManagedOrder stop;
  stop.role = OrderRole::kStopLoss;
  stop.group = gone.group;
  stop.intent_id = gone.intent_id;
  stop.source = gone.source;
  stop.request = gone.request;
  stop.request.qty = remaining;
  const auto sent = send(std::move(stop), now, Sending::kProtects);
  if (!sent) return problem(why + "; placing the stop again failed: " + sent.error().message);
  problem(why + "; stop placed again as " + *sent + " for " + remaining.to_string());
}

// What the position holds on the side `stop_side` protects, when known, that neither a stop (at
// what it will rest on once TG4's requests land) nor a closing order on its way or held will sell:
// a stop for more would sell coins no position holds (a paper stop that triggered after the coins
// were sold ends canceled, "nothing left to sell"). Unknown: no bound.
Decimal OrderManager::uncovered(const std::string& symbol, Side stop_side) const {
  const auto known = positions_.find(symbol);
  if (known == positions_.end()) return Decimal::max();
  Decimal left = stop_side == Side::kSell ? core::max(known->second, Decimal{})
                                          : core::max(-known->second, Decimal{});
  for (const std::string& id : open_ids_) {
    const ManagedOrder& order = orders_.at(id);
    if (order.request.symbol != symbol || order.request.side != stop_side) continue;
    if (order.role == OrderRole::kStopLoss && !order.held_locally) {
      left -= asked_qty(order) - order.filled;
    }
    // A triggered target held here sells once its stop's cancel lands: its coins are spoken for.
    if (order.role == OrderRole::kExit || closes(order) || order.triggered) {
      left -= order.request.qty - order.filled;
    }
  }
  return left;
}

void OrderManager::attach_protection(const ManagedOrder& entry, core::Timestamp now) {
  const Side exit_side = core::opposite(entry.request.side);
  const core::Instrument* instrument = instruments_.find(entry.request.symbol);
  const auto protect = [&](OrderRole role, OrderType type, Decimal trigger) {
    if (!trigger.is_positive()) return;
    // To the pair's tick, as every other order: an entry restored from the store after a crash
    // carries its strategy's unrounded stop and target.
    if (instrument != nullptr) trigger = instrument->round_price(trigger);
    ManagedOrder child;
    child.role = role;
    child.group = entry.group;
    child.intent_id = entry.intent_id;
    child.source = entry.source;
    child.request.symbol = entry.request.symbol;
    child.request.side = exit_side;
    child.request.type = type;
    child.request.qty = entry.filled;
    child.request.trigger_price = trigger;
    child.request.reduce_only = true;
    child.request.leverage = entry.request.leverage;
    if (role == OrderRole::kTakeProfit && hold_targets_locally_) return hold(std::move(child), now);
    if (auto sent = send(std::move(child), now, Sending::kProtects); !sent) {
      problem("could not attach " + std::string(to_string(role)) + " to " + entry.request.client_order_id + ": " +
              sent.error().message);
    }
  };
  protect(OrderRole::kStopLoss, OrderType::kStopLoss, entry.stop_loss);
  protect(OrderRole::kTakeProfit, OrderType::kTakeProfit, entry.take_profit);
  if (config_.trailing_stop && entry.stop_loss.is_positive()) {
    trails_[entry.group] =
        Trail{entry.avg_price, entry.avg_price, false, entry.request.symbol, entry.request.side == Side::kBuy};
  }
}

void OrderManager::resolve_oco(const ManagedOrder& exit, core::Timestamp now) {
  // Only open orders can be siblings to act on: open_ids_, not every order of the session (a fill
  // scanned them all, quadratic over a long run). Copied: cancel() may close an order at once.
  const std::vector<std::string> open(open_ids_.begin(), open_ids_.end());
  for (const std::string& id : open) {
    ManagedOrder& sibling = orders_.at(id);
    if (sibling.group != exit.group || id == exit.request.client_order_id || core::is_terminal(sibling.status)) continue;
    if (sibling.role != OrderRole::kStopLoss && sibling.role != OrderRole::kTakeProfit) continue;
    if (core::is_terminal(exit.status)) {
      cancel(id, now);  // one side done: the other is an orphan
    } else {
      const Decimal remaining = exit.request.qty - exit.filled;  // shrink the other side to what is left
      if (remaining.is_positive() && remaining < sibling.request.qty) resize(sibling, remaining, now);
    }
  }
  if (core::is_terminal(exit.status)) trails_.erase(exit.group);
}

void OrderManager::on_price(const std::string& symbol, Decimal price, core::Timestamp now) {
  if (!held_ids_.empty()) trigger_held_targets(symbol, price, now);
  if (config_.trailing_stop) trail_stops(symbol, price, now);
  if (!guards_wanted_.empty()) place_guard(symbol, price, now);
}

void OrderManager::trail_stops(const std::string& symbol, Decimal price, core::Timestamp now) {
  // Collected first, then asked for: a venue may answer an amend at once, and that answer may end
  // orders (a fill, its OCO) while the trails and the open orders are being walked.
  std::vector<std::pair<std::string, Decimal>> moves;  // stop id -> trigger
  const core::Instrument* instrument = instruments_.find(symbol);
  for (auto& [group, trail] : trails_) {
    if (trail.symbol != symbol) continue;
    const bool long_side = trail.long_side;
    const bool better = long_side ? price > trail.best : price < trail.best;
    if (better) trail.best = price;
    const Decimal gain = long_side ? (trail.best - trail.entry) / trail.entry : (trail.entry - trail.best) / trail.entry;
    if (gain < config_.trailing_activation) continue;
    trail.active = true;
    const Decimal distance = Decimal::one() + (long_side ? -config_.trailing_distance : config_.trailing_distance);
    const Decimal new_stop = trail.best * distance;
    for (const std::string& id : open_ids_) {
      const ManagedOrder& order = orders_.at(id);
      if (order.group != group || order.role != OrderRole::kStopLoss) continue;
      // Against the move already asked for, so a tick does not ask for it again.
      const Decimal current = order.trigger_asked.is_positive() ? order.trigger_asked : order.request.trigger_price;
      const bool tighter = long_side ? new_stop > current : new_stop < current;
      if (!tighter) continue;
      const Decimal rounded = instrument ? instrument->round_price(new_stop) : new_stop;
      if (rounded != current) moves.emplace_back(id, rounded);
    }
  }
  for (const auto& [id, trigger] : moves) {
    ManagedOrder& order = orders_.at(id);
    if (core::is_terminal(order.status)) continue;
    order.trigger_asked = trigger;  // the stop moves when the venue says it has (settle_trigger)
    venue_.amend(order.request, {}, trigger, now);
  }
}

// --- Take-profits held locally (see the header) ---

void OrderManager::hold(ManagedOrder order, core::Timestamp now) {
  order.held_locally = true;
  order.reason = "take-profit held locally until a trade at " + order.request.trigger_price.to_string() +
                 " (the venue locks the coins of the resting stop)";
  // Live, in our hands: nothing is sent, so nothing is rate-limited.
  if (auto booked = book(std::move(order), OrderStatus::kNew, now); !booked) problem(booked.error().message);
}

void OrderManager::trigger_held_targets(const std::string& symbol, Decimal price, core::Timestamp now) {
  std::vector<std::string> reached;
  for (const std::string& id : held_ids_) {
    const ManagedOrder& target = orders_.at(id);
    if (target.triggered || target.request.symbol != symbol) continue;
    const Decimal trigger = target.request.trigger_price;
    const bool sells = target.request.side == Side::kSell;
    if (sells ? price >= trigger : price <= trigger) reached.push_back(id);
  }
  for (const std::string& id : reached) {
    ManagedOrder& target = orders_.at(id);
    target.triggered = true;
    target.reason = "take-profit triggered by a trade at " + price.to_string();
    changed(target, now);
    std::vector<std::string> stops;  // collected first: a venue may report a cancel synchronously
    for (const std::string& sibling : open_ids_) {
      const ManagedOrder& other = orders_.at(sibling);
      if (other.group == target.group && other.role == OrderRole::kStopLoss) stops.push_back(sibling);
    }
    freed_stops_[target.group] = stops;  // put back if the released target does not go through
    for (const std::string& stop : stops) cancel(stop, now);
    release_if_unblocked(target.group, now);
  }
}

// The stop a triggered target waits on will not be canceled: the target is held again and triggers
// at its price again (the stop still protects the position meanwhile). Waiting would hold it for ever.
void OrderManager::rearm_targets(const ManagedOrder& stop, core::Timestamp now) {
  for (const std::string& id : held_ids_) {
    ManagedOrder& target = orders_.at(id);
    if (target.group != stop.group || !target.triggered) continue;
    target.triggered = false;
    target.reason = "held again: the venue refused to cancel stop " + stop.request.client_order_id;
    changed(target, now);
    problem("take-profit " + order_label(target) + " not sent: the venue refused to cancel stop " +
            stop.request.client_order_id + " (" + stop.reason +
            "); the stop still protects the position, and the target triggers again at its price");
  }
}

// A triggered target goes out once no stop of its group rests at the venue (its coins are free).
bool OrderManager::release_if_unblocked(const std::string& group, core::Timestamp now) {
  ManagedOrder* target = nullptr;
  for (const std::string& id : held_ids_) {
    ManagedOrder& order = orders_.at(id);
    if (order.group == group && order.triggered) target = &order;
  }
  if (target == nullptr || has_venue_stop(group)) return false;
  release(*target, now);
  return true;
}

bool OrderManager::has_venue_stop(const std::string& group) const {
  return std::any_of(open_ids_.begin(), open_ids_.end(), [&](const std::string& id) {
    const ManagedOrder& order = orders_.at(id);
    return order.group == group && order.role == OrderRole::kStopLoss && !order.held_locally;
  });
}

void OrderManager::release(ManagedOrder& target, core::Timestamp now) {
  target.held_locally = false;
  target.triggered = false;
  target.status = OrderStatus::kPendingNew;
  if (target.role == OrderRole::kTakeProfit) {
    target.request.type = OrderType::kMarket;  // what Kraken's take-profit becomes at its trigger
    target.reason = "take-profit released to the venue as a market order";
  } else {
    target.reason = "sent: the venue's stops no longer hold its coins";
  }
  // Counted but never refused: a position must not lose its exit.
  count_send(target, now);
  changed(target, now);
  venue_.submit(target.request, now);
}

// --- Exits on a venue that locks coins per order ---

std::vector<std::string> OrderManager::venue_stops(const std::string& symbol) const {
  std::vector<std::string> stops;
  for (const std::string& id : open_ids_) {
    const ManagedOrder& order = orders_.at(id);
    const bool at_venue = order.role == OrderRole::kStopLoss && !order.held_locally;
    if (at_venue && order.request.symbol == symbol) stops.push_back(id);
  }
  return stops;
}

Decimal OrderManager::resting_stop_qty(const std::string& symbol) const {
  Decimal total;
  for (const std::string& id : venue_stops(symbol)) {
    const ManagedOrder& stop = orders_.at(id);
    total += stop.request.qty - stop.filled;
  }
  return total;
}

core::Result<std::string> OrderManager::send_after_stops_shrink(ManagedOrder exit, core::Timestamp now) {
  if (auto ok = admit(exit.request.symbol, now); !ok) return ok.error();
  const std::string symbol = exit.request.symbol;
  const Decimal qty = exit.request.qty;
  exit.held_locally = true;
  exit.triggered = true;
  exit.reason = "held until the venue's stops release " + qty.to_string() + " " + symbol;
  auto booked = book(std::move(exit), OrderStatus::kPendingNew, now);
  if (!booked) return booked.error();
  ManagedOrder& held = **booked;  // orders_ is a map that never erases: the reference stays valid
  const std::string id = held.request.client_order_id;
  shrink_stops(id, symbol, qty, now);
  if (held.held_locally && stops_released(id)) {
    release(held, now);  // the venue confirmed at once (or nothing had to move)
  }
  return id;
}

// Frees `by` coins: stops shrink (the newest first, as their positions are the newest) or go. Each
// gives from what it will rest on once earlier requests land, so two exits never free the same
// coins.
void OrderManager::shrink_stops(const std::string& exit_id, const std::string& symbol, Decimal by,
                                core::Timestamp now) {
  std::vector<std::string> stops = venue_stops(symbol);
  std::sort(stops.begin(), stops.end(),
            [&](const std::string& a, const std::string& b) { return orders_.at(a).created > orders_.at(b).created; });
  for (const std::string& id : stops) {
    if (!by.is_positive()) break;
    ManagedOrder& stop = orders_.at(id);
    const Decimal asked = asked_qty(stop);
    const Decimal remaining = asked - stop.filled;
    if (!remaining.is_positive()) continue;
    const Decimal freed = core::min(remaining, by);
    by -= freed;
    shrunk_for_exit_[exit_id].push_back({id, asked, freed, asked - freed});
    if (freed == remaining) {
      cancel(id, now);
    } else {
      resize(stop, asked - freed, now);
    }
  }
}

Decimal OrderManager::asked_qty(const ManagedOrder& stop) const {
  const std::string& id = stop.request.client_order_id;
  if (cancel_requested_.contains(id)) return Decimal{};
  const auto resizing = qty_asked_.find(id);
  Decimal asked = resizing == qty_asked_.end() ? stop.request.qty : resizing->second;
  for (const auto& [exit_id, shrunk] : shrunk_for_exit_) {
    if (!held_ids_.contains(exit_id)) continue;  // released or ended: what it asked has landed
    for (const ShrunkStop& gave : shrunk) {
      if (gave.id == id) asked = core::min(asked, gave.target);
    }
  }
  return asked;
}

bool OrderManager::stops_released(const std::string& exit_id) const {
  const auto it = shrunk_for_exit_.find(exit_id);
  if (it == shrunk_for_exit_.end()) return true;
  return std::all_of(it->second.begin(), it->second.end(), [&](const ShrunkStop& gave) {
    const ManagedOrder& stop = orders_.at(gave.id);
    return core::is_terminal(stop.status) || stop.request.qty <= gave.target;
  });
}

// A stop of a symbol with held exits changed. Once every stop an exit asked to shrink or go has
// done so at the venue, the exit is sent (the symbol's other stops, lost or placed again
// meanwhile, neither free its coins nor hold them). A stop that fills meanwhile is doing the exit's
// work on the same coins: the exit is dropped rather than risk selling twice (the strategy decides
// again on what is left).
void OrderManager::on_stop_change(const ManagedOrder& stop, core::Timestamp now, core::Refused refused) {
  std::vector<std::string> exits;
  for (const std::string& id : held_ids_) {
    const ManagedOrder& order = orders_.at(id);
    if (order.role == OrderRole::kExit && order.request.symbol == stop.request.symbol) exits.push_back(id);
  }
  for (const std::string& id : exits) {
    ManagedOrder& exit = orders_.at(id);
    if (stop.filled.is_positive()) {
      cancel_held(exit, "the stop sold first", now);
    } else if (refused == core::Refused::kQuantity || refused == core::Refused::kCancel) {
      drop_exit(exit,
                std::string("the venue refused to ") + (refused == core::Refused::kCancel ? "cancel" : "shrink") +
                    " stop " + stop.request.client_order_id + " to free its coins (" + stop.reason + ")",
                now);
    } else if (stops_released(id)) {
      release(exit, now);
    }
  }
}

void OrderManager::resize(ManagedOrder& order, Decimal qty, core::Timestamp now) {
  if (!order.held_locally) {
    // Before the call: a venue may answer inside it.
    qty_asked_[order.request.client_order_id] = qty;
    return venue_.amend(order.request, qty, {}, now);
  }
  order.request.qty = qty;
  changed(order, now);
}

// A held exit whose coins cannot be freed (the venue refused to shrink a stop): it never goes out,
// the stops it had shrunk get their coins back, and the strategy sees it canceled and may decide
// again. Waiting would hold it for ever.
void OrderManager::drop_exit(ManagedOrder& exit, const std::string& why, core::Timestamp now) {
  exit.status = OrderStatus::kCanceled;
  exit.reason = why + " (held locally, never at the venue)";
  changed(exit, now);
  problem("exit " + exit.request.client_order_id + " (" + exit.request.symbol + ") dropped: " + why);
  restore_stops_after_exit(exit, now);
}

void OrderManager::cancel_held(ManagedOrder& order, const std::string& reason, core::Timestamp now) {
  freed_stops_.erase(order.group);
  shrunk_for_exit_.erase(order.request.client_order_id);  // a stop sold the coins: nothing to give back
  order.status = OrderStatus::kCanceled;
  order.reason = reason + " (held locally, never at the venue)";
  changed(order, now);
}

void OrderManager::restore(ManagedOrder order) {
  const std::string id = order.request.client_order_id;
  const bool open = !core::is_terminal(order.status);
  const bool held_exit = open && order.held_locally && order.role == OrderRole::kExit;
  if (held_exit || (open && closes(order))) owed_at_restart_[order.request.symbol].push_back(id);
  if (held_exit) {
    order.status = OrderStatus::kCanceled;
    order.reason = "held exit not sent before the restart";
  }
  ManagedOrder& stored = orders_[id] = std::move(order);
  track(stored);
}

std::vector<std::string> OrderManager::symbols_owed_at_restart() const {
  std::vector<std::string> symbols;
  for (const auto& [symbol, ids] : owed_at_restart_) symbols.push_back(symbol);
  return symbols;
}

void OrderManager::cover_after_restart(const std::string& symbol, Decimal position_qty, core::Timestamp now) {
  positions_[symbol] = position_qty;
  if (closing_in_flight(symbol)) {
    awaiting_cover_.insert(symbol);  // its end decides what the stops must cover: asked again
    return;
  }
  awaiting_cover_.erase(symbol);
  if (give_back_after_restart(symbol, position_qty, now)) return;
  const core::Instrument* instrument = instruments_.find(symbol);
  const Decimal resting = resting_stop_qty(symbol);
  const Decimal uncovered = position_qty.abs() - resting;
  if (instrument == nullptr || uncovered < instrument->qty_min) return;
  const Side side = position_qty.is_negative() ? Side::kBuy : Side::kSell;
  const std::string why = fmt::format(
      "after the restart: position {} of {} has stops at the venue for {}: {} unprotected", symbol,
      position_qty.to_string(), resting.to_string(), uncovered.to_string());
  if (const ManagedOrder* canceled = stop_canceled_by_operator(symbol, side)) {
    return problem(why + "; no guard stop, since the operator canceled its stop " +
                   canceled->request.client_order_id);
  }
  want_guard(symbol, side, why);
}

// Of the stops known (this session's and the last session's newest ended ones), one on `side` of
// `symbol` that the operator canceled: a position left bare on purpose is not given a guard.
const ManagedOrder* OrderManager::stop_canceled_by_operator(const std::string& symbol,
                                                            Side side) const {
  const auto by_operator = [&](const ManagedOrder& order) {
    return order.role == OrderRole::kStopLoss && order.request.symbol == symbol &&
           order.request.side == side && order.status == OrderStatus::kCanceled &&
           order.reason.starts_with(kCanceledByOperator);
  };
  for (const auto& [id, order] : orders_) {
    if (by_operator(order)) return &order;
  }
  const auto ended = std::ranges::find_if(ended_stops_, by_operator);
  return ended == ended_stops_.end() ? nullptr : &*ended;
}

// Said either way; with a guard distance, a stop follows at the next price (place_guard).
void OrderManager::want_guard(const std::string& symbol, Side side, const std::string& why) {
  if (!config_.guard_stop_distance.is_positive()) return problem(why);
  guards_wanted_[symbol] = side;
  problem(fmt::format(
      "{}; a guard stop {} % from the next price will cover it (execution.guard_stop_pct)", why,
      (config_.guard_stop_distance * Decimal::must("100")).to_string()));
}

// The guard stop `symbol` awaits, for what its position holds that nothing covers (an exit or a
// stop may have come meanwhile), at guard_stop_distance from `price`.
void OrderManager::place_guard(const std::string& symbol, Decimal price, core::Timestamp now) {
  const auto wanted = guards_wanted_.find(symbol);
  if (wanted == guards_wanted_.end()) return;
  const Side side = wanted->second;
  guards_wanted_.erase(wanted);
  const core::Instrument* instrument = instruments_.find(symbol);
  if (instrument == nullptr) return;
  const Decimal distance = config_.guard_stop_distance;
  const Decimal trigger = instrument->round_price(
      price * (side == Side::kSell ? Decimal::one() - distance : Decimal::one() + distance));
  // A held take-profit whose stop is gone gets its own guard, in its group: its trigger then frees
  // the guard's coins as it would its stop's. The rest of what is uncovered gets one of its own.
  Decimal left = instrument->round_qty(uncovered(symbol, side));
  std::vector<std::pair<std::string, Decimal>> parts;  // group ("": its own) -> quantity
  for (const ManagedOrder* target : orphan_targets(symbol, side)) {
    const Decimal part = core::min(left, target->request.qty - target->filled);
    if (part < instrument->qty_min) continue;
    parts.emplace_back(target->group, part);
    left -= part;
  }
  if (left >= instrument->qty_min) parts.emplace_back("", left);
  for (const auto& [group, qty] : parts) {
    ManagedOrder stop;
    stop.role = OrderRole::kStopLoss;
    stop.group = group;
    stop.source = std::string(kGuardSource);
    stop.request.symbol = symbol;
    stop.request.side = side;
    stop.request.type = OrderType::kStopLoss;
    stop.request.qty = qty;
    stop.request.trigger_price = trigger;
    stop.request.reduce_only = true;
    stop.request.leverage = Decimal::one();
    if (const auto sent = send(std::move(stop), now, Sending::kProtects); !sent) {
      problem("guard stop for " + symbol + " not placed: " + sent.error().message);
    }
  }
}

std::vector<const ManagedOrder*> OrderManager::orphan_targets(const std::string& symbol,
                                                              Side side) const {
  std::vector<const ManagedOrder*> orphans;
  for (const std::string& id : held_ids_) {
    const ManagedOrder& target = orders_.at(id);
    if (target.role != OrderRole::kTakeProfit || target.triggered ||
        target.request.symbol != symbol || target.request.side != side) {
      continue;
    }
    if (!has_venue_stop(target.group)) orphans.push_back(&target);
  }
  return orphans;
}

// What the closing orders of the last process had yet to sell when they ended (see restore) goes back
// to the stops, up to what the position holds beyond them: the newest resting stop grows, or the
// newest stop (of this session or the last) is placed again. True when something was owed and said.
bool OrderManager::give_back_after_restart(const std::string& symbol, Decimal position_qty, core::Timestamp now) {
  const auto owed_ids = owed_at_restart_.extract(symbol);
  if (owed_ids.empty()) return false;
  Decimal owed;
  std::vector<std::string> what;
  Side side = Side::kSell;
  for (const std::string& id : owed_ids.mapped()) {
    const ManagedOrder& order = orders_.at(id);
    const Decimal unsold = order.request.qty - order.filled;
    if (!unsold.is_positive()) continue;
    owed += unsold;
    side = order.request.side;
    what.push_back(order.role == OrderRole::kExit && order.held_locally
                       ? fmt::format("exit {} ({}) was held when TG4 stopped and is dropped", id, symbol)
                       : fmt::format("{} {} ({}) was on its way when TG4 stopped and ended {}{} with {} unsold",
                                     order.role == OrderRole::kExit ? "exit" : "take-profit", id, symbol,
                                     core::to_string(order.status),
                                     order.reason.empty() ? "" : " (" + order.reason + ")",
                                     unsold.to_string()));
  }
  const Decimal gap = core::min(position_qty.abs() - resting_stop_qty(symbol), owed);
  if (!gap.is_positive()) return false;
  const std::string why =
      fmt::format("{}; the stops cover {} less than the position", fmt::join(what, "; "), gap.to_string());
  const ManagedOrder* newest = newest_stop(symbol, side);
  if (newest == nullptr) {
    want_guard(symbol, side,
               why + ", and no stop of it is known to copy: the position is unprotected");
  } else if (!core::is_terminal(newest->status)) {
    grow_back(orders_.at(newest->request.client_order_id), gap, why, now);
  } else {
    place_stop_again(*newest, gap, why, StopAgain::kPutsBack, now);
  }
  return true;
}

void OrderManager::restore_trail(const std::string& group, Decimal entry_price) {
  if (!config_.trailing_stop || !entry_price.is_positive()) return;
  for (const std::string& id : open_ids_) {
    const ManagedOrder& stop = orders_.at(id);
    if (stop.group != group || stop.role != OrderRole::kStopLoss) continue;
    trails_[group] = Trail{entry_price, entry_price, false, stop.request.symbol, stop.request.side == Side::kSell};
    return;
  }
}

void OrderManager::remember_ended_stop(ManagedOrder stop) { ended_stops_.push_back(std::move(stop)); }

// Of this session's stops and those that ended in the last one, the newest on `side` of `symbol`
// that can be copied: one that ended after it traded has had its trigger crossed.
const ManagedOrder* OrderManager::newest_stop(const std::string& symbol, Side side) const {
  const ManagedOrder* newest = nullptr;
  const auto consider = [&](const ManagedOrder& order) {
    const bool match =
        order.role == OrderRole::kStopLoss && order.request.symbol == symbol && order.request.side == side;
    const bool triggered = core::is_terminal(order.status) && order.filled.is_positive();
    if (match && !triggered && (newest == nullptr || order.created > newest->created)) newest = &order;
  };
  for (const auto& [id, order] : orders_) consider(order);
  for (const ManagedOrder& order : ended_stops_) consider(order);
  return newest;
}

std::vector<std::string> OrderManager::symbols_awaiting_cover() const {
  return {awaiting_cover_.begin(), awaiting_cover_.end()};
}

// An exit or a released take-profit at the venue: what it sells, or fails to, decides what the stops
// must cover.
bool OrderManager::closes(const ManagedOrder& order) {
  const bool closing = order.role == OrderRole::kExit ||
                       (order.role == OrderRole::kTakeProfit && order.request.type == OrderType::kMarket);
  return closing && !order.held_locally;
}

bool OrderManager::closing_in_flight(const std::string& symbol) const {
  return std::any_of(open_ids_.begin(), open_ids_.end(), [&](const std::string& id) {
    const ManagedOrder& order = orders_.at(id);
    return closes(order) && order.request.symbol == symbol;
  });
}

// The exits still held that shrank the same stop freed their coins from it all the same: what each
// waits for the stop to come down to rises with it.
void OrderManager::grow_back(ManagedOrder& stop, Decimal by, const std::string& why, core::Timestamp now) {
  const Decimal grown = asked_qty(stop) + by;
  for (auto& [exit_id, shrunk] : shrunk_for_exit_) {
    if (!held_ids_.contains(exit_id)) continue;
    for (ShrunkStop& gave : shrunk) {
      if (gave.id == stop.request.client_order_id) gave.target += by;
    }
  }
  resize(stop, grown, now);
  problem(why + "; stop " + stop.request.client_order_id + " grown back by " + by.to_string());
}

const ManagedOrder* OrderManager::find(const std::string& client_order_id) const {
  const auto it = orders_.find(client_order_id);
  return it == orders_.end() ? nullptr : &it->second;
}

std::vector<const ManagedOrder*> OrderManager::open_orders() const {
  std::vector<const ManagedOrder*> out;
  out.reserve(open_ids_.size());
  for (const std::string& id : open_ids_) out.push_back(&orders_.at(id));
  return out;
}

std::size_t OrderManager::open_count() const { return open_ids_.size(); }

void OrderManager::changed(ManagedOrder& order, core::Timestamp now) {
  order.updated = now;
  ++order.event_seq;
  track(order);
  if (on_change_) on_change_(order);
}

void OrderManager::track(const ManagedOrder& order) {
  const std::string& id = order.request.client_order_id;
  if (core::is_terminal(order.status)) {
    open_ids_.erase(id);
  } else {
    open_ids_.insert(id);
  }
  if (order.held_locally && !core::is_terminal(order.status)) {
    held_ids_.insert(id);
  } else {
    held_ids_.erase(id);
  }
}

void OrderManager::problem(const std::string& text) {
  if (on_problem_) on_problem_(text);
}

}  // namespace tg4::execution
