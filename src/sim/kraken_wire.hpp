#pragma once
// The frames of Kraken's WebSocket v2 public API, written exactly as Kraken writes them: key order,
// bare number tokens with the pair's precisions, RFC 3339 times with Kraken's digit counts (6, or 9
// for ohlc interval starts), method responses with time_in/time_out and the echoed req_id.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/events.hpp"
#include "core/instrument.hpp"
#include "core/time.hpp"
#include "sim/sim_symbol.hpp"
#include "sim/symbol_history.hpp"
#include "sim/symbol_market.hpp"

namespace tg4::sim::wire {

inline constexpr std::string_view kApiVersion = "v2";
inline constexpr std::string_view kServerVersion = "2.0.10";

struct AckResult {
  std::string channel;
  std::optional<int> depth;
  std::optional<std::string> event_trigger;
  std::optional<int> interval;
  std::optional<bool> snapshot;
  std::optional<std::string> symbol;
  std::vector<std::string> warnings;
};

struct MethodTimes {
  core::Timestamp in;
  core::Timestamp out;
};

struct TickerData {
  core::Decimal bid, bid_qty, ask, ask_qty, last, volume, vwap, low, high, change, change_pct;
  core::Timestamp timestamp;
};

std::string status(std::uint64_t connection_id, std::string_view system = "online", std::string_view type = "update");
std::string heartbeat();
std::string pong(std::optional<std::int64_t> req_id, const MethodTimes& times);
std::string ack(std::string_view method, std::optional<std::int64_t> req_id, const AckResult& result,
                const MethodTimes& times);
// A failed method: `method` empty when the request had none (malformed), `symbol` when the error
// concerns one symbol of the request.
std::string error(std::string_view method, std::string_view message, std::optional<std::int64_t> req_id,
                  const std::optional<std::string>& symbol, const MethodTimes& times);

std::string book(const core::Instrument& inst, bool snapshot, std::span<const core::PriceLevel> bids,
                 std::span<const core::PriceLevel> asks, std::uint32_t checksum, core::Timestamp time);
std::string trades(const core::Instrument& inst, bool snapshot, std::span<const MarketTrade> trades);
std::string ticker(const core::Instrument& inst, bool snapshot, const TickerData& data);
// `sent` is the message's own timestamp (9 digits), bars carry interval_begin and their end.
std::string ohlc(const core::Instrument& inst, bool snapshot, std::span<const OutBar> bars, core::Timestamp sent);
std::string instrument(std::span<const SimSymbol* const> symbols, std::string_view type = "snapshot");

}  // namespace tg4::sim::wire
