#pragma once
// The typed events that cross thread boundaries into the kernel (DESIGN "The path of one event").
// Market events come from a feed (live, simulator or replay); execution reports come from a venue
// (paper or Kraken). The kernel does not know which: backtest = paper = live.
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "core/decimal.hpp"
#include "core/instrument.hpp"
#include "core/time.hpp"

namespace tg4::core {

enum class Side : std::uint8_t { kBuy, kSell };
constexpr const char* to_string(Side s) { return s == Side::kBuy ? "buy" : "sell"; }
constexpr Side opposite(Side s) { return s == Side::kBuy ? Side::kSell : Side::kBuy; }

enum class OrderType : std::uint8_t {
  kMarket,
  kLimit,
  kStopLoss,
  kTakeProfit,
  kStopLossLimit,
  kTakeProfitLimit,
  kTrailingStop,
};
const char* to_string(OrderType t);  // Kraken WS v2 names: "market", "stop-loss-limit", ...
// Orders that wait for their trigger price before they act: stops, take-profits, trailing stops.
constexpr bool is_trigger_type(OrderType t) {
  return t == OrderType::kStopLoss || t == OrderType::kTakeProfit ||
         t == OrderType::kStopLossLimit || t == OrderType::kTakeProfitLimit ||
         t == OrderType::kTrailingStop;
}
// Orders with a limit price: limit, stop-loss-limit, take-profit-limit.
constexpr bool has_limit(OrderType t) {
  return t == OrderType::kLimit || t == OrderType::kStopLossLimit ||
         t == OrderType::kTakeProfitLimit;
}

enum class TimeInForce : std::uint8_t { kGtc, kIoc, kGtd };

enum class OrderStatus : std::uint8_t {
  kPendingNew,
  kNew,
  kPartiallyFilled,
  kFilled,
  kCanceled,
  kRejected,
  kExpired,
};
const char* to_string(OrderStatus s);
constexpr bool is_terminal(OrderStatus s) {
  return s == OrderStatus::kFilled || s == OrderStatus::kCanceled || s == OrderStatus::kRejected ||
         s == OrderStatus::kExpired;
}

// ---- market data -------------------------------------------------------------------------------

struct PriceLevel {
  Decimal price;
  Decimal qty;  // zero deletes the level in an update
};

// A book snapshot or update for one symbol, levels exactly as sent (no double anywhere).
struct BookDelta {
  std::string symbol;
  bool is_snapshot = false;
  std::vector<PriceLevel> bids;
  std::vector<PriceLevel> asks;
  std::uint32_t checksum = 0;  // Kraken's CRC32 over the top 10 levels after applying this message
  // Most fractional digits written in this message's prices and non-zero quantities (-1: none).
  // Kraken writes full precision, so a book without instrument data learns its checksum precisions.
  std::int8_t price_decimals = -1;
  std::int8_t qty_decimals = -1;
  Timestamp exchange_time;     // absent in snapshots
  Timestamp received;
};

struct Trade {
  std::string symbol;
  Side side = Side::kBuy;  // taker side
  Decimal price;
  Decimal qty;
  OrderType ord_type = OrderType::kMarket;
  std::int64_t trade_id = 0;
  Timestamp time;
  Timestamp received;
  // The price passed through every level between the symbol's previous trade and this one: true
  // for a backtested candle's trades after its open, which stand for a walk, not a jump. A stop or
  // target triggered on the way fills at its trigger, as it would have live, not at the extreme
  // the walk ended on. False for real trades: the gap between two of them was never tradable.
  bool continuous = false;
};

struct Ticker {
  std::string symbol;
  Decimal bid, bid_qty, ask, ask_qty, last, volume, vwap, low, high, change, change_pct;
  Timestamp received;
};

// An OHLCV bar: Kraken's `ohlc` channel, or our own aggregation from trades.
struct Bar {
  std::string symbol;
  std::int32_t interval_minutes = 1;
  Timestamp open_time;  // start of the interval
  Decimal open, high, low, close;
  Decimal volume;        // base
  Decimal quote_volume;  // sum of price * qty
  Decimal vwap;          // quote_volume / volume; zero when volume is zero
  std::int64_t trades = 0;
};

struct Ohlc {
  Bar bar;
  Timestamp received;
};

struct InstrumentUpdate {
  Instrument instrument;
};

struct VenueStatus {
  std::string system;  // "online", "maintenance", "cancel_only", "post_only"
  std::string api_version;
  std::uint64_t connection_id = 0;
  std::string version;
};

// Connectivity of a feed or venue session; the kernel uses it for "feed up/down" and to invalidate
// books until fresh snapshots arrive.
struct FeedState {
  std::string source;  // "public", "private"
  bool connected = false;
  std::string reason;
  Timestamp time;
};

// ---- orders and execution ----------------------------------------------------------------------

// What a strategy or agent wants; nothing is sent before risk::Engine gives a verdict on it.
struct OrderIntent {
  std::string intent_id;  // unique; the order's client id derives from it
  std::string source;     // strategy or agent name
  std::string symbol;
  Side side = Side::kBuy;
  OrderType type = OrderType::kMarket;
  Decimal size_quote;     // notional in the quote currency (SPEC risk intent `size_usd`)
  Decimal qty;            // base quantity; when non-zero it takes precedence over size_quote
  Decimal limit_price;    // for limit types
  Decimal entry;          // reference entry price
  Decimal stop_loss;      // zero = none (risk rule 3 rejects entries without one)
  Decimal take_profit;    // zero = none
  Decimal leverage = Decimal::one();
  double confidence = 1.0;
  std::string regime = "unknown";
  std::string strictness = "normal";
  bool reduce_only = false;  // exits and flattening: always exposure-reducing
  Timestamp created;
};

// Which request about an order the venue refused for good: an amend of its quantity, of its price
// (limit or trigger), or its cancel.
enum class Refused : std::uint8_t { kNone, kQuantity, kPrice, kCancel };

struct OrderUpdate {
  std::string client_order_id;
  std::string venue_order_id;
  std::string symbol;
  Side side = Side::kBuy;
  OrderType type = OrderType::kMarket;
  OrderStatus status = OrderStatus::kPendingNew;
  Decimal qty;
  Decimal filled_qty;
  Decimal limit_price;
  Decimal avg_price;
  std::string reason;  // rejection or cancel reason
  Timestamp time;
  // A stop's or take-profit's trigger as the venue holds it; zero when the report does not say.
  // The order manager takes it as the truth: a trailing stop's move counts once the venue has it.
  Decimal trigger_price;
  Refused refused = Refused::kNone;  // the order stands as reported
  // Rejected without a refusal: the venue never answered and lists no such order, or the order was
  // never sent. Sending it again is safe (a refusal's reason may recur; this has none).
  bool lost = false;
};

struct Fill {
  std::string client_order_id;
  std::string venue_order_id;
  std::string exec_id;  // unique per fill: the idempotency key in the store
  std::string symbol;
  Side side = Side::kBuy;
  Decimal price;
  Decimal qty;
  Decimal fee;
  std::string fee_currency;
  bool maker = false;
  Timestamp time;
  // A margin fill (paper venue with margin on) opens or reduces a margin position: the base
  // balance does not move; the PnL settles in the quote currency when the position is reduced.
  bool margin = false;
  Decimal leverage = Decimal::one();  // the margin position's leverage
  // The venue's filled quantity of the order once this fill is in (Kraken's cum_qty); zero when
  // not given. Lets reconciliation tell a fill a catch-up fill already covered.
  Decimal order_filled{};
};

// A catch-up fill (one fill for what a venue's order total shows beyond the fills seen) is named
// "catchup:<order id>:<the order's filled quantity it brings>": the name alone says what it covers.
std::string catch_up_exec_id(const std::string& order_id, Decimal order_filled);
struct CatchUp {
  std::string order_id;
  Decimal order_filled{};
};
std::optional<CatchUp> parse_catch_up_exec_id(const std::string& exec_id);

struct BalanceUpdate {
  std::string asset;
  Decimal balance;
  Timestamp time;
};

using MarketEvent = std::variant<BookDelta, Trade, Ticker, Ohlc, InstrumentUpdate, VenueStatus, FeedState>;
using ExecutionEvent = std::variant<OrderUpdate, Fill, BalanceUpdate>;

}  // namespace tg4::core
