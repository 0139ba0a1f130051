#pragma once
// The frames of Kraken's private API as the simulator writes them: WS v2 method results, the
// `executions` rows (fields per exec_type as Kraken sends them: full order details on pending_new
// and in snapshots, fills with exec_id/trade_id/liquidity_ind/fees on trade, reason on
// canceled/amended), the `balances` snapshot and ledger updates, and REST order info for
// OpenOrders/ClosedOrders/ QueryOrders. Prices and quantities are bare numbers at the pair's
// precisions, money at the asset's ledger precision, times RFC 3339 with microseconds.
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "sim/account.hpp"
#include "sim/json_writer.hpp"
#include "sim/kraken_wire.hpp"
#include "sim/matching_engine.hpp"

namespace tg4::sim::wire {

// {"method":..,"req_id":..,"result":{..},"success":true,"time_in":..,"time_out":..}; `result`
// writes the members of the result object (null: no result).
std::string method_result(std::string_view method, std::optional<std::int64_t> req_id,
                          const std::function<void(JsonWriter&)>& result, const MethodTimes& times);

// One executions frame. Snapshot rows of open orders carry the full order (exec_type "new").
std::string executions(std::span<const Execution* const> rows, bool snapshot,
                       std::uint64_t sequence);
// An executions snapshot row for an open order (as Kraken lists open orders on subscribe).
Execution open_order_row(const SimOrder& order, core::Timestamp now);

std::string balances_snapshot(const Account& account, std::uint64_t sequence);
std::string balances_update(std::span<const LedgerEntry> entries, std::uint64_t sequence);

// REST order info: the value under an order's txid.
void rest_order(JsonWriter& w, const SimOrder& order);

// "1688666559.8974": Kraken's REST times (seconds with 4 decimals).
std::string rest_time(core::Timestamp t);

}  // namespace tg4::sim::wire
