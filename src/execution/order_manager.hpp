#pragma once
// OrderManager: every order's life on our side (SPEC §8). An approved entry is sent with a
// deterministic client id; once it fills, its stop-loss and take-profit are attached as an OCO pair
// (one filling cancels the other); an optional trailing stop follows the price once the trade is
// +activation in profit. Venue reports drive the state machine
// pending_new -> new -> partially_filled -> filled | canceled | rejected | expired; the venue's
// word is the truth, and illegal transitions are reported, not hidden.
//
// On a venue that locks the coins of every resting sell (Kraken spot), a stop and a take-profit on
// the same position cannot both rest there: the second is refused for insufficient funds. There the
// take-profit is held locally: it exists in our books (stored, restored after a restart) but not at
// the venue; when a trade reaches its trigger (Kraken triggers on the last trade price too), the
// stop is canceled and, once the venue confirms, the target goes out as a market order for what is
// left. Should the stop fill first, the local target is simply canceled.
// An exit meets the same lock: it is held until the venue has shrunk (or canceled) the stops it
// asked to free the exit's quantity, then sent; a second exit frees its coins from what the first
// left, never the same coins. A stop that fills meanwhile drops the waiting exit.
//
// On a margin venue (OrderManagerConfig::margin) a sell that is not reduce-only is an entry too: a
// short, protected by a buy stop above and a buy target below; orders carry the intent's leverage.
// Without margin a sell only ever reduces (spot).
#include <functional>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/instrument.hpp"
#include "core/result.hpp"
#include "execution/trading_rate_counter.hpp"
#include "execution/venue.hpp"

namespace tg4::execution {

// The source of a guard stop: one TG4 placed for a position it found without a stop after a
// restart.
inline constexpr std::string_view kGuardSource = "guard";
// How the reason of an order canceled at the operator's request begins (stored with it).
inline constexpr std::string_view kCanceledByOperator = "canceled by the operator";

// kHolding: an order for the account's holdings (a portfolio rebalance), neither an entry nor an
// exit of any position: it takes no protection and waits for no stop.
enum class OrderRole : std::uint8_t { kEntry, kStopLoss, kTakeProfit, kExit, kHolding };
const char* to_string(OrderRole role);

struct ManagedOrder {
  OrderRequest request;
  OrderRole role = OrderRole::kEntry;
  std::string intent_id;
  std::string group;  // the entry's client id: entry, stop and target share it
  std::string source;
  core::OrderStatus status = core::OrderStatus::kPendingNew;
  std::string venue_order_id;
  core::Decimal filled;
  core::Decimal avg_price;
  core::Decimal fees;  // the sum of its fills' fees (in their fee currency, the quote's on Kraken)
  core::Decimal stop_loss;    // entries: the plan for the protective pair
  core::Decimal take_profit;
  std::string reason;
  core::Timestamp created;
  core::Timestamp updated;
  std::int64_t event_seq = 0;  // per-order sequence of state changes (store key with the client id)
  bool held_locally = false;   // a take-profit not (yet) at the venue, see above
  bool triggered = false;      // held locally, price reached: waiting for the stop's cancel
  // A stop's trigger asked of the venue (trailing) and not yet confirmed; `request.trigger_price`
  // stays the venue's until it is.
  core::Decimal trigger_asked;
};

struct OrderManagerConfig {
  bool trailing_stop = false;
  core::Decimal trailing_activation = core::Decimal::must("0.01");  // +1 % in profit
  core::Decimal trailing_distance = core::Decimal::must("0.015");   // trails 1.5 %
  // Live: keep Kraken's per-pair counter below its limit (SPEC §8), the venue's own. TG4's order
  // rate (risk.max_orders_per_minute) is rule 9 of the risk engine, which every send is reported
  // to (OrderManager's `on_sent`); it is not applied here a second time.
  bool budget_kraken_rate_counter = false;
  TradingRateLimits kraken_limits{};
  bool margin = false;  // the venue trades margin (paper.margin): shorts and leverage
  // A position left without a stop after a restart gets one this far from the next price (see
  // cover_after_restart); zero: it is only said.
  core::Decimal guard_stop_distance = core::Decimal::must("0.05");
};

class OrderManager {
 public:
  using IdSource = std::function<std::string()>;
  using Listener = std::function<void(const ManagedOrder&)>;  // each state change, for store and metrics
  using ProblemListener = std::function<void(const std::string&)>;
  // Each order handed to the venue (a held order when it goes out), at the time it is sent.
  using SentListener = std::function<void(const ManagedOrder&, core::Timestamp)>;

  OrderManager(Venue& venue, const core::InstrumentRegistry& instruments, IdSource next_id,
               OrderManagerConfig config, Listener on_change, ProblemListener on_problem = {},
               SentListener on_sent = {});

  // Sends an approved entry (or, for a sell on spot, an exit) of `qty` base units; returns its client id.
  // On margin the order carries intent.leverage (the approved one); on spot leverage is 1.
  core::Result<std::string> submit(const core::OrderIntent& intent, core::Decimal qty, core::Timestamp now);
  // A spot order for the account's holdings (OrderRole::kHolding): sent as it is, a sell never
  // reduce-only nor held back for the symbol's stops, since it sells coins no position holds.
  core::Result<std::string> submit_holding(const core::OrderIntent& intent, core::Decimal qty,
                                           core::Timestamp now);
  // Cancels every open order of the symbol (orphaned stops and targets too) and sells `qty` at market.
  core::Result<std::string> close_position(const std::string& symbol, core::Decimal qty, const std::string& reason,
                                           core::Timestamp now);
  void cancel(const std::string& client_order_id, core::Timestamp now);
  // The operator's cancel (the API's cancel_order): remembered with the order, so that a restart
  // does not put a guard stop where the operator took the stop away (cover_after_restart).
  void cancel_for_operator(const std::string& client_order_id, core::Timestamp now);
  void cancel_all(core::Timestamp now);
  void cancel_symbol(const std::string& symbol, core::Timestamp now);
  // After a position shrank (an exit filled, a stop closed part of it): stops and targets never
  // cover more than what is held; on a flat position they are canceled (no orphans left behind).
  // `position_qty` is signed: sells protect a long (> 0), buys a short (< 0).
  void fit_protection(const std::string& symbol, core::Decimal position_qty, core::Timestamp now);

  void on_execution(const core::ExecutionEvent& event, core::Timestamp now);
  void on_price(const std::string& symbol, core::Decimal price, core::Timestamp now);
  // False when on_price can do nothing at any price: no target held here, no trailing stop.
  bool watches_prices() const {
    return !held_ids_.empty() || (config_.trailing_stop && !trails_.empty()) ||
           !guards_wanted_.empty();
  }

  // Held take-profits of `symbol` selling on `side` whose stop is gone (its record lost with a
  // kill, say): a stop that joins one's group (a guard, an adopted stop of TG4's own) frees its
  // coins when it triggers, as the lost stop would have.
  std::vector<const ManagedOrder*> orphan_targets(const std::string& symbol, core::Side side) const;

  // Restart: orders loaded from the store before reconciliation. A held exit that never went out is
  // canceled (its moment has passed: the strategy decides again). Either that or an exit or released
  // take-profit still on its way may owe the stops the coins they gave up for it: see
  // cover_after_restart.
  void restore(ManagedOrder order);
  // Restart: a stop that ended in the last session, the newest of its symbol and side: what
  // cover_after_restart copies when no stop of the position is open (kept apart from orders()).
  void remember_ended_stop(ManagedOrder stop);
  // Restart: the trailing stop of `group` (execution.trailing_stop) continues from its entry's
  // average price. The best price since is not kept: the stop's trigger holds what the trail had
  // gained, and a trail only ever tightens it. After restore() of the group's stop.
  void restore_trail(const std::string& group, core::Decimal entry_price);
  // Symbols with an order restore() found owing the stops (to pass to cover_after_restart).
  std::vector<std::string> symbols_owed_at_restart() const;
  // Once reconciliation has the venue's state after a restart, for each position and each symbol
  // owed: what the closing orders of the last process did not sell goes back to the stops, up to
  // the position (the memory of what they freed died with that process, so their end and the
  // venue's stops decide): the newest resting stop grows, or the newest stop is placed again. Said
  // either way. Otherwise a position the stops at the venue cover less than its size, by at least
  // the pair's minimum order, is said, whatever the cause, and so is one with nothing to copy; both
  // get a guard stop for what is uncovered, guard_stop_distance from the next price on_price sees
  // (a price from before the restart may be stale by minutes or hours), unless the operator
  // canceled a stop of the position (cancel_for_operator). An exit or released take-profit still on
  // its way leaves the symbol waiting (symbols_awaiting_cover): asked again once it has ended.
  void cover_after_restart(const std::string& symbol, core::Decimal position_qty, core::Timestamp now);
  std::vector<std::string> symbols_awaiting_cover() const;
  bool awaits_cover() const { return !awaiting_cover_.empty(); }

  const std::map<std::string, ManagedOrder>& orders() const { return orders_; }
  const ManagedOrder* find(const std::string& client_order_id) const;
  std::vector<const ManagedOrder*> open_orders() const;
  std::size_t open_count() const;

 private:
  core::Result<ManagedOrder> order_for(const core::OrderIntent& intent, core::Decimal qty) const;
  // kProtects: a stop or target of a position already held. Counted (on_sent, the Kraken counter),
  // but never refused by the Kraken counter's budget: a position must not lose its protection to a
  // burst of orders.
  enum class Sending : std::uint8_t { kAdmitted, kProtects };
  core::Result<std::string> send(ManagedOrder order, core::Timestamp now,
                                 Sending sending = Sending::kAdmitted);
  core::Result<ManagedOrder*> book(ManagedOrder order, core::OrderStatus status, core::Timestamp now);
  void count_send(const ManagedOrder& order, core::Timestamp now);
  core::Status admit(const std::string& symbol, core::Timestamp now);
  void on_update(const core::OrderUpdate& update, core::Timestamp now);
  void on_fill(const core::Fill& fill, core::Timestamp now);
  void attach_protection(const ManagedOrder& entry, core::Timestamp now);
  void resolve_oco(const ManagedOrder& exit, core::Timestamp now);
  void hold(ManagedOrder order, core::Timestamp now);
  void trigger_held_targets(const std::string& symbol, core::Decimal price, core::Timestamp now);
  bool release_if_unblocked(const std::string& group, core::Timestamp now);
  void release(ManagedOrder& target, core::Timestamp now);
  void resize(ManagedOrder& order, core::Decimal qty, core::Timestamp now);
  std::vector<std::string> venue_stops(const std::string& symbol) const;  // open stops resting at the venue
  core::Decimal resting_stop_qty(const std::string& symbol) const;
  core::Result<std::string> send_after_stops_shrink(ManagedOrder exit, core::Timestamp now);
  // The quantity `stop` will rest on once what TG4 asked of it lands: zero when its cancel is on
  // its way, else the last resize asked (its own once the venue confirms), lowered to what a held
  // exit asked it to shrink to.
  core::Decimal asked_qty(const ManagedOrder& stop) const;
  // Every stop the held exit shrank or canceled has done so at the venue: its coins are free.
  bool stops_released(const std::string& exit_id) const;
  core::Decimal uncovered(const std::string& symbol, core::Side stop_side) const;
  void shrink_stops(const std::string& exit_id, const std::string& symbol, core::Decimal by, core::Timestamp now);
  bool restore_stops_after_exit(const ManagedOrder& exit, core::Timestamp now);
  void on_stop_change(const ManagedOrder& stop, core::Timestamp now, core::Refused refused = core::Refused::kNone);
  void rearm_targets(const ManagedOrder& stop, core::Timestamp now);
  // A resting stop given back `by` of what an exit had freed, said with `why`.
  void grow_back(ManagedOrder& stop, core::Decimal by, const std::string& why, core::Timestamp now);
  void drop_exit(ManagedOrder& exit, const std::string& why, core::Timestamp now);
  void cancel_held(ManagedOrder& order, const std::string& reason, core::Timestamp now);
  void replace_stop(const ManagedOrder& gone, core::Decimal qty, core::Timestamp now);
  // Why a stop goes out again: the venue closed it (a few times per position at most, so a venue
  // that keeps doing so cannot make TG4 loop); it was lost on the way, never reaching Kraken (more
  // times in a row, as a connection that drops requests may do, and counted again from zero once a
  // stop of the position rests); or TG4 puts back coins it had freed for a closing order that did
  // not sell them (as many times as the strategy sends such orders).
  enum class StopAgain : std::uint8_t { kReplacesALoss, kResendsALostOne, kPutsBack };
  void place_stop_again(const ManagedOrder& gone, core::Decimal qty, const std::string& why,
                        StopAgain kind, core::Timestamp now);
  void trail_stops(const std::string& symbol, core::Decimal price, core::Timestamp now);
  void changed(ManagedOrder& order, core::Timestamp now);
  void track(const ManagedOrder& order);  // keeps open_ids_ in step with the order's status
  void problem(const std::string& text);
  const ManagedOrder* stop_canceled_by_operator(const std::string& symbol, core::Side side) const;
  void settle_qty(const ManagedOrder& order, const core::OrderUpdate& update);
  void want_guard(const std::string& symbol, core::Side side, const std::string& why);
  void place_guard(const std::string& symbol, core::Decimal price, core::Timestamp now);
  // A stop of `group` rests at the venue (not one held here): it locks the group's coins.
  bool has_venue_stop(const std::string& group) const;
  // `lost`: the order's rejection was no refusal (core::OrderUpdate::lost); a stop lost so goes out
  // again for `wanted`, what it was to rest on (asked_qty).
  void report_if_unprotected(const ManagedOrder& order, bool lost, core::Decimal wanted,
                             core::Timestamp now);
  static bool closes(const ManagedOrder& order);
  bool closing_in_flight(const std::string& symbol) const;
  bool give_back_after_restart(const std::string& symbol, core::Decimal position_qty, core::Timestamp now);
  const ManagedOrder* newest_stop(const std::string& symbol, core::Side side) const;
  void settle_trigger(ManagedOrder& order, const core::OrderUpdate& update);
  void note_fill_after_write_off(const ManagedOrder& order, core::Decimal filled_before, core::Decimal added);

  Venue& venue_;
  const core::InstrumentRegistry& instruments_;
  IdSource next_id_;
  OrderManagerConfig config_;
  const bool hold_targets_locally_;  // the venue locks coins per resting sell
  Listener on_change_;
  ProblemListener on_problem_;
  SentListener on_sent_;
  std::map<std::string, ManagedOrder> orders_;
  // Ids of the non-terminal orders of orders_, in the same order: open_orders() is asked on every
  // intent and tick, and orders_ keeps every order of the session.
  std::set<std::string> open_ids_;
  TradingRateCounter rate_counter_;
  struct Trail {
    core::Decimal entry;
    core::Decimal best;
    bool active = false;
    std::string symbol;
    bool long_side = true;  // the entry bought: the stop sells, and trails below the best price
  };
  std::map<std::string, Trail> trails_;  // by group
  std::set<std::string> held_ids_;        // the open targets held locally (on_price scans only these)
  // Open orders TG4 asked the venue to cancel: any other cancel of a stop (Kraken's dead man's
  // switch after an outage, a hand on the website) left a position unprotected.
  // When each was asked: the same cancel is not sent again for kCancelResendAfter (a flatten
  // cancels every order, then each position's close cancels its symbol's).
  std::map<std::string, core::Timestamp> cancel_requested_;
  std::set<std::string> operator_cancels_;  // of those, the ones the operator asked for
  // Orders whose resize (amend of the quantity) is on its way: the quantity asked, until the venue
  // next reports the order's quantity (settle_qty). A stop's asked_qty starts from it.
  std::map<std::string, core::Decimal> qty_asked_;
  std::set<std::string> revived_;  // written off with nothing filled, then filled (see on_update)
  std::map<std::string, int> stop_replacements_;  // by group, bounded by kMaxStopReplacements
  std::map<std::string, int> stop_resends_;       // by group, in a row, bounded by kMaxStopResends
  // By group: the stops canceled to free a triggered held target's coins, until the target ends.
  std::map<std::string, std::vector<std::string>> freed_stops_;
  // By strategy exit: the stops shrunk or canceled to free its coins and what each gave up, until
  // the exit ends; what it did not sell goes back to them.
  struct ShrunkStop {
    std::string id;
    core::Decimal before;  // its quantity when the exit came (after what earlier exits asked)
    core::Decimal freed;   // what the exit asked it to give up
    // The quantity the venue must confirm (at most) before the exit's coins are free: before -
    // freed, zero for a cancel. Raised when a stop is grown back for another exit's unsold coins.
    core::Decimal target;
  };
  std::map<std::string, std::vector<ShrunkStop>> shrunk_for_exit_;
  // Stops whose cancel for an exit was on its way when the exit was dropped: placed again once the
  // cancel lands.
  std::set<std::string> put_back_on_cancel_;
  // By symbol: the closing orders restore() found owing the stops (see cover_after_restart).
  std::map<std::string, std::vector<std::string>> owed_at_restart_;
  std::vector<ManagedOrder> ended_stops_;  // see remember_ended_stop
  std::set<std::string> awaiting_cover_;  // symbols cover_after_restart left for a closing order to end
  std::map<std::string, core::Decimal> positions_;  // by symbol, as last given to fit_protection
  // By symbol: the side of the guard stop it awaits (cover_after_restart, place_guard).
  std::map<std::string, core::Side> guards_wanted_;
};

}  // namespace tg4::execution
