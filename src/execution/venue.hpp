#pragma once
// Venue: where orders go. The paper venue (simulated fills on the kernel thread) and the Kraken venue
// (real orders over WS v2) implement the same interface, so the order manager, portfolio and risk code
// are identical in backtest, paper and live (DESIGN principle 2). Reports come back as core
// execution events through the sink, in the order they happened.
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "core/events.hpp"
#include "core/result.hpp"

namespace tg4::execution {

struct OrderRequest {
  std::string client_order_id;
  std::string symbol;
  core::Side side = core::Side::kBuy;
  core::OrderType type = core::OrderType::kMarket;
  core::Decimal qty;
  core::Decimal limit_price;    // limit types
  core::Decimal trigger_price;  // stop-loss / take-profit types
  core::TimeInForce tif = core::TimeInForce::kGtc;
  bool post_only = false;
  bool reduce_only = false;
  // Margin venues only (paper with margin on): notional / leverage is the margin the order holds.
  core::Decimal leverage = core::Decimal::one();
};

using ExecutionSink = std::function<void(core::ExecutionEvent)>;

// What the venue holds right now, for reconciliation against the store (SPEC §8 "Start-up
// reconciliation"): its open orders, the fills it reports for the recent past (Kraken's executions
// snapshot) and its balances.
struct VenueSnapshot {
  std::vector<core::OrderUpdate> open_orders;
  std::vector<core::Fill> recent_fills;
  // False when recent_fills may lack older fills (Kraken lists only the last 50): an order gone from
  // open_orders with none of its fills listed may have filled.
  bool fills_complete = true;
  std::map<std::string, core::Decimal> balances;
  core::Timestamp time;
};
// Called once per request, on any thread; an Error when the venue could not be reached.
using SnapshotSink = std::function<void(core::Result<VenueSnapshot>)>;

// What the store knows of a restored order's fills (its fills applied to the portfolio).
struct FillsSoFar {
  core::Decimal qty;
  core::Decimal cost;  // sum of price * qty
  core::Decimal fee;   // in fee_currency
  std::string fee_currency;  // empty while none of them paid a fee
  bool mixed_fee_currencies = false;
  std::vector<std::string> exec_ids;
  // An adopted order's: its fills before adoption were never TG4's, so their fees are not known
  // apart from the venue's total, and a catch-up after them gets none.
  bool fees_unknown = false;

  void add(const core::Fill& fill) {
    qty += fill.qty;
    cost += fill.price * fill.qty;
    fee += fill.fee;
    exec_ids.push_back(fill.exec_id);
    if (fill.fee.is_zero()) return;
    if (!fee_currency.empty() && fee_currency != fill.fee_currency) mixed_fee_currencies = true;
    fee_currency = fill.fee_currency;
  }
};

// An order the previous run left open at the venue (restart), or one TG4 adopted at
// reconciliation, as the order manager tracks it.
struct RestoredOrder {
  OrderRequest request;
  std::string venue_order_id;
  core::OrderStatus status = core::OrderStatus::kNew;
  core::Decimal filled;  // the venue's filled quantity as last reported
  core::Decimal avg_price;
  FillsSoFar fills;
};

class Venue {
 public:
  virtual ~Venue() = default;
  virtual void submit(const OrderRequest& request, core::Timestamp now) = 0;
  virtual void cancel(const std::string& client_order_id, core::Timestamp now) = 0;
  // New quantity and/or price (limit or trigger, by order type) of `order` (as the kernel knows it:
  // client id, symbol, type; restored orders too); zero leaves a field unchanged.
  virtual void amend(const OrderRequest& order, core::Decimal qty, core::Decimal price,
                     core::Timestamp now) = 0;
  // Cancels every open order at the venue (halt); a venue without a bulk cancel loops over its own.
  virtual void cancel_all(core::Timestamp now) = 0;
  // Asks for a VenueSnapshot; `done` gets it (or the error) exactly once.
  virtual void request_snapshot(SnapshotSink done) = 0;
  virtual const char* name() const = 0;
  // True where every resting sell locks its own coins (Kraken spot): a stop and a take-profit on
  // the same position cannot both rest there, so the order manager holds the take-profit itself.
  virtual bool locks_balance_per_order() const { return false; }
  // Restart: the orders the previous run left open, before the first snapshot is asked for (and
  // orders adopted at reconciliation). The paper venue rebuilds its book from them; the Kraken venue
  // treats them as its own (their fills missed while away are caught up, with Kraken's fee, as for
  // orders it sent itself).
  virtual void restore_orders(const std::vector<RestoredOrder>& /*orders*/, core::Timestamp /*now*/) {}

  // Market data in event order, for venues that simulate fills on it (paper); a real venue ignores it.
  virtual void on_book(const std::string& /*symbol*/, core::Timestamp /*now*/) {}
  virtual void on_trade(const core::Trade& /*trade*/, core::Timestamp /*now*/) {}
  virtual void on_time(core::Timestamp /*now*/) {}
};

}  // namespace tg4::execution
