#pragma once
// OrderTracker: the Kraken venue's picture of the account's orders, built from what it sent and
// what Kraken reported, turned into the core execution events the kernel consumes (SPEC §8). It
// decides what is news: a report that changes nothing emits nothing, a fill is emitted once per
// exec id however often it is reported (live, in a snapshot after a reconnect, in a reconciliation
// snapshot), and an order that a snapshot no longer lists is closed with the state its fills imply.
// Kraken's snapshot holds only the last 50 fills: when an order's cum_qty is beyond the fills
// emitted for it, the difference becomes one catch-up fill, and later trades it covers are dropped.
//
// Pure logic with no clock or I/O: the venue calls it on its connection thread only.
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

#include "core/events.hpp"
#include "execution/venue.hpp"
#include "kraken/rest_order.hpp"
#include "kraken/trading_codec.hpp"

namespace tg4::kraken {

// What the venue sent in an add_order.
struct SentOrder {
  std::string client_order_id;
  std::string symbol;
  core::Side side = core::Side::kBuy;
  core::OrderType type = core::OrderType::kMarket;
  core::Decimal qty;
  core::Decimal limit_price;
  std::uint64_t seq = 0;  // the venue's request sequence number
  core::Decimal trigger_price;  // stops and take-profits: as sent (rounded to the pair's tick)
};

// An order's totals as Kraken last reported them (cum_qty with the cost and fee of that report).
struct VenueTotals {
  core::Decimal qty;
  std::optional<core::Decimal> cost;
  std::optional<core::Decimal> avg_price;
  std::optional<core::Decimal> fee_usd;  // fee_usd_equiv: the order's fees in USD
  std::optional<core::Decimal> fee_quote;  // REST QueryOrders' fee: the order's fees in the quote
};

struct TrackedOrder {
  core::OrderUpdate state;    // as last reported to the kernel (or first seen, for others' orders)
  core::Decimal filled_cost;  // sum of price * qty over its fills, for the average price
  core::Decimal applied_qty;  // sum of qty over its fills taken (emitted, for ours)
  core::Decimal applied_fee;  // their fees, in applied_fee_currency
  std::string applied_fee_currency;
  bool mixed_fee_currencies = false;
  bool fees_unknown = false;  // adopted: fees before adoption were never TG4's (FillsSoFar)
  VenueTotals venue;
  bool ours = false;          // sent by this venue since it started, or restored as ours
  bool acknowledged = false;  // Kraken answered or reported it
  bool lost = false;  // reported rejected after an unanswered add_order; a report revives it
  std::uint64_t sent_seq = 0;  // add_order's sequence: snapshots requested earlier cannot judge it
  bool unverified = false;     // written off after a full snapshot, until QueryOrders settles it
  // A catch-up whose fee only QueryOrders can give (a non-USD pair): the state last reported to
  // the kernel, held while REST answers (the catch-up fill must reach the kernel before the state
  // whose filled quantity includes it).
  std::optional<core::OrderUpdate> held_report;
  // Live reports of the order that came while its catch-up was held: applied, in order, after it.
  std::vector<ExecutionReport> queued_reports;
};

// What the tracker did about fills that Kraken's reports and TG4's fills disagree on.
struct TrackerStats {
  std::uint64_t catch_up_fills = 0;     // cum_qty beyond the fills taken: one fill for the rest
  std::uint64_t covered_trades = 0;     // trades dropped: a catch-up fill already had them
  std::uint64_t trimmed_trades = 0;     // trades partly covered: only the rest taken
  std::uint64_t unverified_closes = 0;  // closed while away, its fills maybe beyond the snapshot,
                                        // and QueryOrders could not tell: check them on Kraken
  std::uint64_t verified_closes = 0;    // closed while away, settled by QueryOrders
};

class OrderTracker {
 public:
  using Events = std::vector<core::ExecutionEvent>;

  explicit OrderTracker(std::size_t max_closed_orders = 10'000, std::size_t max_exec_ids = 100'000);

  // Restart: orders the previous run sent, as the kernel restored them, are ours again (before the
  // first snapshot, or the next one judges them): their fills so far are applied, their exec ids
  // seen. An entry a snapshot made for them as someone else's keeps Kraken's totals.
  void restore(const execution::RestoredOrder& order);
  // add_order sent: a pending order. False (and nothing changes) when an open order already has
  // this client id; a closed one with the same id is replaced.
  bool on_sent(const SentOrder& order, core::Timestamp now);
  // add_order about to be sent again (seq), or held for a later resend (max): snapshots asked for
  // before `seq` cannot judge it.
  void on_resend(const std::string& client_order_id, std::uint64_t seq);
  // add_order answered with success: the venue's id; a still pending order becomes new.
  void on_accepted(const std::string& client_order_id, const std::string& order_id,
                   core::Timestamp now, Events& out);
  // add_order refused (or an order closed by a request refused for good): rejected with `reason`.
  void on_rejected(const std::string& client_order_id, const std::string& reason,
                   core::Timestamp now, Events& out);
  // An add_order that could not be sent (the session down too long, a resend too late): rejected
  // with `reason`, and lost (core::OrderUpdate::lost): Kraken never refused it.
  void on_unsent(const std::string& client_order_id, const std::string& reason, core::Timestamp now,
                 Events& out);
  // An add_order held for a resend and cancelled before it went out again: canceled with `reason`
  // (Kraken never took it).
  void on_withdrawn(const std::string& client_order_id, const std::string& reason,
                    core::Timestamp now, Events& out);
  // amend_order answered with success: Kraken holds the order at `trigger_price` now (the
  // executions report of the amend may say so too; whichever comes first is the news).
  void on_amended(const std::string& client_order_id, core::Decimal trigger_price,
                  core::Timestamp now, Events& out);
  // A refused amend or cancel: the order's current state again, with the reason attached and
  // `what` (an amend of its quantity or price, or its cancel) in the report's `refused`.
  void on_refused(const std::string& client_order_id, const std::string& reason, core::Refused what,
                  core::Timestamp now, Events& out);

  // One live executions update.
  void on_report(const ExecutionReport& report, core::Timestamp now, Events& out);
  // An executions snapshot (open orders and recent fills). Fills not seen before and changed orders
  // are emitted; the first snapshot of a venue (`baseline`) only records others' orders. Orders
  // open here, sent before sequence `as_of_seq` and absent from the snapshot are closed: filled
  // when their fills cover the quantity, rejected when Kraken never acknowledged them, else
  // canceled.
  void on_snapshot(const std::vector<ExecutionReport>& reports, std::uint64_t as_of_seq,
                   bool baseline, core::Timestamp now, Events& out);

  // Kraken ids of the orders written off since the last call whose fills a full snapshot could not
  // show, and of open orders whose catch-up waits for their fee: the venue asks REST QueryOrders.
  std::vector<std::string> take_to_verify() { return std::exchange(to_verify_, {}); }
  // QueryOrders' answer: each order still unverified is settled by it (a catch-up fill for what it
  // filled, with its fee; its final status), then emitted; a held catch-up takes its fee.
  void on_verified(const std::vector<RestOrder>& orders, core::Timestamp now, Events& out);
  // Those of `order_ids` still unverified (QueryOrders failed, or did not list them) stay written
  // off, counted and warned about: a person must check them on Kraken. A held catch-up goes out
  // with its fee unknown.
  void on_verify_failed(const std::vector<std::string>& order_ids, const std::string& why,
                        core::Timestamp now, Events& out);

  const TrackedOrder* find(const std::string& client_order_id) const;
  bool is_open(const std::string& client_order_id) const;
  // Open orders Kraken knows of (acknowledged, not lost).
  std::vector<core::OrderUpdate> open_orders() const;
  // Every fill of the last snapshot (Kraken's recent fills), mapped to client ids where known.
  const std::vector<core::Fill>& snapshot_fills() const { return snapshot_fills_; }
  // The last snapshot listed as many fills as Kraken sends (50): older ones may be missing.
  bool snapshot_full() const { return snapshot_full_; }
  bool seen_exec(const std::string& exec_id) const { return exec_ids_.count(exec_id) > 0; }
  const TrackerStats& stats() const { return stats_; }
  // What a person must hear about since the last call (fills of ours made while TG4 was away,
  // catch-up fills, unverifiable closes).
  std::vector<std::string> take_warnings() { return std::exchange(warnings_, {}); }

 private:
  void close_unplaced(const std::string& client_order_id, core::OrderStatus status,
                      const std::string& reason, core::Timestamp now, Events& out);
  TrackedOrder* locate(const ExecutionReport& report);
  TrackedOrder& locate_or_add(const ExecutionReport& report);
  void merge(TrackedOrder& order, const ExecutionReport& report);
  // The fill a trade report describes; false when its exec id was seen before.
  bool take_fill(TrackedOrder& order, const ExecutionReport& report, core::Fill& fill);
  core::Fill make_fill(const TrackedOrder& order, const ExecutionReport& report) const;
  // Drops the part of a trade of ours at or below the quantity already taken; false when nothing
  // is left.
  bool trim_covered(const TrackedOrder& order, const ExecutionReport& report, core::Fill& fill);
  static void apply(TrackedOrder& order, const core::Fill& fill);
  // One fill for what Kraken's cum_qty has beyond the fills taken for an order of ours.
  void catch_up(TrackedOrder& order, core::Timestamp now, Events& out);
  // True when a catch-up is due whose fee only QueryOrders can give: it is held (see held_report).
  bool hold_catch_up(TrackedOrder& order, const core::OrderUpdate& before);
  // The held catch-up goes out, with QueryOrders' totals when `info` has them, then the state.
  void release_catch_up(TrackedOrder& order, const RestOrder* info, core::Timestamp now,
                        Events& out);
  void release_held(core::Timestamp now, Events& out);
  void apply_report(TrackedOrder& order, const ExecutionReport& r, core::Timestamp now,
                    Events& out);
  // `note` gets what the fill could not know (price, fee).
  static core::Fill catch_up_fill(const TrackedOrder& order, core::Timestamp now,
                                  std::string& note);
  // The snapshot's trades, oldest first; returns the orders they name.
  std::set<const TrackedOrder*> take_snapshot_trades(std::vector<const ExecutionReport*> trades,
                                                     bool baseline, Events& new_fills);
  void close_unlisted(TrackedOrder& order, bool full_snapshot);
  // A write-off that stays unverified: counted, warned about, its reason saying `why`.
  void leave_unverified(TrackedOrder& order, const std::string& why);
  TrackedOrder* by_venue_id(const std::string& order_id);
  // Emits the order's state when it differs from what was last emitted.
  void publish(TrackedOrder& order, const core::OrderUpdate& before, core::Timestamp now,
               Events& out);
  void remember_exec(const std::string& exec_id);
  void closed(const std::string& key);
  void prune();
  static std::string key_of(const ExecutionReport& report);

  std::size_t max_closed_;
  std::size_t max_exec_ids_;
  std::map<std::string, TrackedOrder> orders_;      // by client id, or "#" + venue id without one
  std::map<std::string, std::string> by_venue_id_;  // venue id -> key
  std::deque<std::string> closed_;                  // keys of closed orders, oldest first
  std::unordered_set<std::string> exec_ids_;
  std::deque<std::string> exec_order_;
  std::unordered_set<std::string> covered_ids_;  // trades dropped by trim_covered
  std::vector<core::Fill> snapshot_fills_;
  bool snapshot_full_ = false;
  TrackerStats stats_;
  std::vector<std::string> warnings_;
  std::vector<std::string> to_verify_;
};

}  // namespace tg4::kraken
