#pragma once
// Kraken WebSocket v2 private messages (SPEC §8): the requests the live venue sends (add_order,
// amend_order, cancel_order, cancel_all, cancel_all_orders_after, executions/balances
// subscriptions) and a parser for what ws-auth.kraken.com/v2 answers (method responses, the
// `executions` and `balances` channels, heartbeats, status).
//
// Outbound: requests are built with Boost.JSON on the caller's thread without the session token or
// req_id, which the connection thread adds when it writes them (`serialize`). Prices and quantities
// stay exact: they are carried as decimal text and written as JSON numbers, never through double.
//
// Inbound: simdjson On-Demand over the raw number tokens, like the public codec; a malformed frame
// gives an Error naming the field path and byte offset and never throws. Not thread-safe: one
// parser per connection thread.
#include <boost/json/object.hpp>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/events.hpp"
#include "core/instrument.hpp"
#include "core/result.hpp"
#include "execution/venue.hpp"

namespace tg4::kraken {

// ---- outbound
// ------------------------------------------------------------------------------------

// A private request waiting for its token and req_id. `params` holds decimals as text (see
// serialize) and never the token.
struct TradingRequest {
  std::string method;  // "add_order", "amend_order", "cancel_order", "cancel_all", ...
  boost::json::object params;
  std::string client_order_id;  // the order it concerns; empty for account-wide requests
};

// The frame to send: {"method":...,"params":{...,"token":...},"req_id":...}. The decimal fields
// (order_qty, limit_price, trigger_price, display_qty, triggers.price) are written as JSON numbers
// exactly as their text.
std::string serialize(const TradingRequest& request, std::string_view token, std::int64_t req_id);

// Kraken's free-text cl_ord_id as TG4 makes it: 1..18 characters of [A-Za-z0-9-] (core/ids.hpp).
core::Status check_client_order_id(std::string_view id);

// add_order for `request` with qty and prices written at the instrument's precisions. An Error
// (nothing to send) names what Kraken would refuse: a bad client id, a non-positive quantity, a
// limit type without a limit price, a trigger type without a trigger price, GTD (no expiry time in
// an OrderRequest) or trailing-stop (the order manager trails its own stop-loss orders).
core::Result<TradingRequest> add_order_request(const execution::OrderRequest& request,
                                               const core::Instrument& instrument);
// amend_order by client id; Kraken requires order_qty. Empty optionals leave a field unchanged.
TradingRequest amend_order_request(const std::string& client_order_id, const std::string& qty_text,
                                   const std::optional<std::string>& limit_price_text,
                                   const std::optional<std::string>& trigger_price_text);
// cancel_order of one order: by Kraken's order id when `id` is one (an order found at Kraken without
// a client id, e.g. placed by hand, that reconciliation cancels), else by client id.
TradingRequest cancel_order_request(const std::string& id);
// Kraken's order id form, "OQCLML-BW3P3-BUCMWZ" (6-5-6 upper-case letters and digits). TG4's client
// ids have at most 18 characters, so the two never meet.
bool is_kraken_order_id(std::string_view id);
TradingRequest cancel_all_request();
// The dead man's switch: every order is cancelled `timeout_seconds` after the last such request
// (0 disarms it).
TradingRequest cancel_after_request(int timeout_seconds);
// executions with open orders and the last 50 fills in its snapshot, or balances with a snapshot.
TradingRequest subscribe_request(const std::string& channel);
TradingRequest unsubscribe_request(const std::string& channel);

// ---- inbound
// -------------------------------------------------------------------------------------

enum class ExecType : std::uint8_t {
  kPendingNew,
  kNew,
  kTrade,
  kFilled,
  kIcebergRefill,
  kCanceled,
  kExpired,
  kAmended,
  kRestated,
  kStatus,
  kOther,  // a type this parser does not know; its order fields are still applied
};
const char* to_string(ExecType type);

struct FeePaid {
  std::string asset;
  core::Decimal qty;
};

// One element of the executions channel: an order event, or a fill when exec_type is trade. Kraken
// sends only the fields that apply; absent ones stay empty.
struct ExecutionReport {
  ExecType exec_type = ExecType::kOther;
  std::string exec_type_text;
  std::optional<core::OrderStatus> order_status;
  std::string order_id;
  std::string cl_ord_id;
  std::string exec_id;
  std::optional<std::int64_t> trade_id;
  std::string symbol;
  std::optional<core::Side> side;
  std::optional<core::OrderType> order_type;
  std::optional<core::Decimal> order_qty;
  std::optional<core::Decimal> cum_qty;
  std::optional<core::Decimal> cum_cost;
  std::optional<core::Decimal> avg_price;
  std::optional<core::Decimal> limit_price;
  std::optional<core::Decimal> trigger_price;  // triggers.price: a stop's or take-profit's trigger
  std::optional<core::Decimal> last_qty;
  std::optional<core::Decimal> last_price;
  std::optional<core::Decimal> cost;
  std::optional<core::Decimal> fee_usd_equiv;  // the order's fees so far, in USD
  std::optional<bool> maker;  // liquidity_ind "m" / "t"
  std::vector<FeePaid> fees;
  std::string reason;
  core::Timestamp time;
};

struct ExecutionsMessage {
  bool snapshot = false;
  std::int64_t sequence = 0;
  std::vector<ExecutionReport> reports;
};

// One asset of a balances snapshot (balance only) or one ledger entry of an update.
struct BalanceEntry {
  std::string asset;
  core::Decimal balance;  // the asset's total after this entry (snapshot: across wallet types)
  // Snapshot: the sum of the asset's `spot` wallets, when Kraken lists its wallets (Earn wallets
  // are not tradable).
  std::optional<core::Decimal> spot;
  std::string wallet_type;  // update: "spot" or "earn" (empty when not given)
  std::optional<core::Decimal> amount;
  std::optional<core::Decimal> fee;
  std::string ledger_id;
  std::string type;  // "trade", "deposit", ...
  core::Timestamp time;
};

struct BalancesMessage {
  bool snapshot = false;
  std::int64_t sequence = 0;
  std::vector<BalanceEntry> entries;
};

// The answer to a request: {"method":...,"req_id":...,"success":...,"result":{...}} or
// {"error":...,"success":false,...}.
struct TradingResponse {
  std::string method;
  bool success = false;
  std::string error;
  std::optional<std::int64_t> req_id;
  // result fields, by method
  std::string order_id;
  std::string cl_ord_id;
  std::string amend_id;
  std::optional<std::int64_t> count;  // cancel_all
  std::string channel;                // subscribe / unsubscribe
  core::Timestamp current_time;       // cancel_all_orders_after
  core::Timestamp trigger_time;
  std::vector<std::string> warnings;
  core::Timestamp time_in;
  core::Timestamp time_out;
};

enum class TradingFrameKind : std::uint8_t {
  kResponse,
  kExecutions,
  kBalances,
  kHeartbeat,
  kStatus,
  kPong,
  kUnknownChannel,  // ignored
};

// Receives one frame's content; references are valid during the call only.
class TradingSink {
 public:
  virtual ~TradingSink() = default;
  virtual void on_response(const TradingResponse& /*response*/) {}
  virtual void on_executions(const ExecutionsMessage& /*message*/) {}
  virtual void on_balances(const BalancesMessage& /*message*/) {}
  virtual void on_heartbeat() {}
};

class TradingParser {
 public:
  TradingParser();
  ~TradingParser();
  TradingParser(const TradingParser&) = delete;
  TradingParser& operator=(const TradingParser&) = delete;

  // One frame exactly as received. An Error names the field path and byte offset; the parser is
  // ready for the next frame either way.
  core::Result<TradingFrameKind> parse(std::string_view frame, TradingSink& sink);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Kraken order_status / exec_type names; nullopt for names it does not list.
std::optional<core::OrderStatus> parse_order_status(std::string_view text);
ExecType parse_exec_type(std::string_view text);
std::optional<core::OrderType> parse_order_type(std::string_view text);

// What kind of failure a Kraken error text reports, for the venue's retry policy.
enum class TradingErrorKind : std::uint8_t {
  kRateLimit,       // back off and send the same request again
  kAuth,            // token refused or expired: new token, new connection, send again
  kDuplicateId,     // an open order already has this cl_ord_id
  kUnknownOrder,    // cancel/amend of an order that is not open
  kTransient,       // engine busy/unavailable: back off and retry
  kUnknownOutcome,  // Kraken may or may not have acted (internal error, deadline elapsed): reconcile
  kFinal,           // the request is refused for good (funds, arguments, market mode, ...)
};
TradingErrorKind classify_error(std::string_view error);
// A short, bounded label for metrics: "EOrder:Rate limit exceeded" -> "EOrder:Rate limit exceeded",
// "EGeneral:Invalid arguments:order_qty" -> "EGeneral:Invalid arguments".
std::string error_code(std::string_view error);

}  // namespace tg4::kraken
