#pragma once
// MatchingEngine: the account's orders against the simulated market, deterministic and exact.
// - Market orders (and triggered stop-loss/take-profit) walk the public book's opposite levels as a
//   taker; marketable limits take up to their price, then rest. The simulated market is exogenous:
//   the account's orders neither show in the public book nor consume its liquidity.
// - Resting limits fill as makers, at their own price, when a simulated trade goes through them (a
//   sell trade below a resting buy's price, a buy trade above a resting sell's); the trade's
//   quantity is shared between the account's orders by price, then time (price-time priority).
// - Stop-loss / take-profit (and their -limit forms) trigger on the last trade price ("last";
// "index"
//   is accepted and means the same here), then become market or limit orders.
// - Post-only limits that would take are canceled ("Post only order"), as Kraken does; IOC
// remainders
//   are canceled; GTD orders expire. Open orders hold their cost (buy: price x qty x (1 + taker
//   fee)) or quantity (sell) of the account, so an order the account cannot pay is refused.
// - A fill costs price x qty rounded half-even to the quote asset's ledger precision; the fee,
// charged
//   in the quote asset, is cost x (maker or taker rate) rounded up to that precision.
// Errors are Kraken's own strings ("EOrder:Insufficient funds"), so sessions pass them on
// unchanged. Everything runs on the simulator's strand.
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/events.hpp"
#include "core/result.hpp"
#include "kraken/trading_codec.hpp"
#include "sim/account.hpp"
#include "sim/exchange.hpp"
#include "sim/random.hpp"

namespace tg4::sim {

// Kraken's exec_type values and names: the same ones the Kraken venue parses.
using ExecType = kraken::ExecType;
// Kraken's order_status names ("pending_new", "new", "partially_filled", "filled", "canceled",
// "expired").
const char* kraken_order_status(core::OrderStatus s);
// Kraken's order_type names ("market", "limit", "stop-loss", ...); nullopt for anything else.
std::optional<core::OrderType> parse_order_type(std::string_view name);

struct SimOrder {
  std::string order_id;   // "OQCLML-BW3P3-BUCMWZ"
  std::string cl_ord_id;  // empty: none
  std::optional<std::int64_t> order_userref;
  const SymbolState* market = nullptr;
  core::Side side = core::Side::kBuy;
  core::OrderType type = core::OrderType::kLimit;
  core::TimeInForce tif = core::TimeInForce::kGtc;
  core::Decimal order_qty;
  std::optional<core::Decimal> limit_price;
  std::optional<core::Decimal> trigger_price;
  std::string trigger_reference = "last";
  std::optional<core::Timestamp> expire_time;
  bool post_only = false;
  bool reduce_only = false;
  core::OrderStatus status = core::OrderStatus::kPendingNew;
  bool triggered = false;
  core::Timestamp trigger_time;
  core::Decimal cum_qty;
  core::Decimal cum_cost;
  core::Decimal fee_paid;
  core::Decimal held;  // of the pay asset (quote for a buy, base for a sell)
  core::Timestamp opened;
  core::Timestamp closed;
  std::string reason;
  std::uint64_t seq = 0;  // time priority
  bool amended = false;

  const core::Instrument& instrument() const { return market->symbol.instrument; }
  const std::string& symbol() const { return instrument().symbol; }
  core::Decimal remaining() const { return order_qty - cum_qty; }
  bool is_open() const { return !core::is_terminal(status); }
  bool is_trigger_type() const;
  bool has_limit() const;  // limit, stop-loss-limit, take-profit-limit
  // A resting limit the market can fill: limit orders, and -limit orders once triggered.
  bool limit_active() const { return has_limit() && (!is_trigger_type() || triggered); }
  // cum_cost / cum_qty at the pair's price precision; zero before any fill.
  core::Decimal avg_price() const;
};

struct Fill {
  std::string exec_id;  // "TJE7HC-DKBTI-5BFVKE"
  std::int64_t trade_id = 0;
  core::Decimal qty;
  core::Decimal price;
  core::Decimal cost;
  core::Decimal fee;
  bool maker = false;
  core::Timestamp time;
};

// One row of the executions channel: the order as it was right after the event.
struct Execution {
  ExecType type = ExecType::kNew;
  SimOrder order;
  std::optional<Fill> fill;
  core::Timestamp time;
  bool full = false;  // a snapshot row: the whole order whatever the exec_type
};

struct EngineEvents {
  std::vector<Execution> executions;
  std::vector<LedgerEntry> ledger;
  bool empty() const { return executions.empty() && ledger.empty(); }
};

// add_order's parameters once the session has checked their JSON types.
struct OrderRequest {
  std::string symbol;
  core::Side side = core::Side::kBuy;
  core::OrderType type = core::OrderType::kLimit;
  core::Decimal order_qty;
  std::optional<core::Decimal> limit_price;
  std::optional<core::Decimal> trigger_price;
  std::string trigger_reference = "last";
  core::TimeInForce tif = core::TimeInForce::kGtc;
  std::optional<core::Timestamp> expire_time;
  bool post_only = false;
  bool reduce_only = false;
  std::string cl_ord_id;
  std::optional<std::int64_t> order_userref;
};

struct AmendRequest {
  std::string order_id;  // one of order_id / cl_ord_id
  std::string cl_ord_id;
  std::optional<core::Decimal> order_qty;
  std::optional<core::Decimal> limit_price;
  std::optional<core::Decimal> trigger_price;
  std::optional<bool> post_only;
};

class MatchingEngine {
 public:
  MatchingEngine(Exchange& exchange, Account& account, std::uint64_t seed);

  // Places an order (the copy is the order right after placement); an Error is Kraken's refusal and
  // nothing changed.
  core::Result<SimOrder> add(const OrderRequest& request, EngineEvents& out);
  core::Result<SimOrder> amend(const AmendRequest& request, EngineEvents& out);
  // Cancels one open order by order_id or (when order_id is empty) cl_ord_id.
  core::Result<SimOrder> cancel(std::string_view order_id, std::string_view cl_ord_id,
                                EngineEvents& out);
  std::size_t cancel_all(std::string_view reason, EngineEvents& out);

  // A market event of one pair: fills resting limits traded through, fires triggers.
  void on_market(const SymbolState& state, const MarketStep& step, EngineEvents& out);
  // Expires GTD orders whose time has come.
  void on_time(core::Timestamp now, EngineEvents& out);

  const SimOrder* find(std::string_view order_id) const;  // open or closed
  const SimOrder* find_open_by_cl(std::string_view cl_ord_id) const;
  std::vector<const SimOrder*> open_orders() const;                       // by time priority
  const std::deque<SimOrder>& closed_orders() const { return closed_; }   // oldest first
  const std::deque<Execution>& recent_trades() const { return trades_; }  // oldest first, last 50

 private:
  SimOrder* find_open(std::string_view order_id, std::string_view cl_ord_id);
  core::Status validate(const OrderRequest& r, const SymbolState& state) const;
  core::Status check_price(const core::Instrument& inst, core::Decimal price,
                           const char* field) const;
  core::Decimal hold_for(const SimOrder& o) const;
  core::Decimal market_buy_cost(const SymbolState& state, core::Decimal qty) const;
  core::Decimal last_price(const SymbolState& state) const;
  bool marketable(const SimOrder& o) const;
  bool trigger_hit(const SimOrder& o, core::Decimal last) const;
  // Takes liquidity from the book up to the order's limit (none: any price) as a taker; true if the
  // account's funds stopped it.
  bool take(SimOrder& o, EngineEvents& out);
  // After placement, amendment or trigger: take if marketable, then rest, cancel or finish.
  void execute(SimOrder& o, EngineEvents& out);
  void fill(SimOrder& o, core::Decimal qty, core::Decimal price, bool maker, EngineEvents& out);
  void rehold(SimOrder& o);
  void emit(ExecType type, const SimOrder& o, EngineEvents& out,
            std::optional<Fill> f = std::nullopt);
  void close(SimOrder& o, core::OrderStatus status, ExecType type, std::string reason,
             EngineEvents& out);
  void fill_resting(const SymbolState& state, const MarketTrade& trade, EngineEvents& out);
  void fire_triggers(const SymbolState& state, core::Decimal last, EngineEvents& out);
  // Moves orders closed during a call from the open set to the closed history.
  void sweep();
  std::string new_id(char prefix);

  Exchange& exchange_;
  Account& account_;
  Random ids_;
  std::uint64_t next_seq_ = 1;
  std::int64_t next_trade_id_ = 1;
  std::map<std::uint64_t, SimOrder> open_;  // by seq: time priority
  std::unordered_map<std::string, std::uint64_t> open_by_id_;
  std::unordered_map<std::string, std::uint64_t> open_by_cl_;
  std::deque<SimOrder> closed_;
  std::deque<Execution> trades_;
  std::map<std::string, core::Decimal> last_;  // last trade price per symbol
};

}  // namespace tg4::sim
