#pragma once
// Portfolio rebalancing (SPEC §9): the account's holdings are kept near a target allocation by
// asset (portfolio.targets_pct, BTC 33.33 / XRP 33.33 / USDT 33.34 % by default). When any asset
// drifts more than portfolio.drift_pct percentage points from its target, trades restore every
// target: sells first, trades under portfolio.min_trade_usd skipped, and a plan whose trades total
// more than portfolio.batch_above_usd split into portfolio.batch_count equal batches
// portfolio.batch_interval apart.
//
// What the allocation counts (the pipeline gathers it, see Pipeline::holdings): each targeted
// asset's balance less its hodl bag, with every open spot position counted at its cost in the
// currency that paid for it, so a strategy opening or closing a position does not move the
// allocation (only its profit or loss does). Assets without a target are neither counted nor
// traded.
//
// Pure and deterministic: the pipeline hands in values (reporting currency) and sends the orders.
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/config.hpp"
#include "core/decimal.hpp"
#include "core/events.hpp"
#include "core/time.hpp"
#include "execution/hodl_bags.hpp"

namespace tg4::execution {

// The source of a rebalance's orders (ManagedOrder::source).
inline constexpr std::string_view kRebalanceSource = "rebalance";

// Orders for the account's holdings, a hodl bag's buys and a rebalance's: their fills move balances
// and make no position (no trade, no risk count, no protection).
inline bool is_holding_source(std::string_view source) {
  return source == kHodlSource || source == kRebalanceSource;
}

struct RebalancePolicy {
  std::map<std::string, core::Decimal> targets_pct;  // by asset, summing to 100
  core::Decimal drift_pct;                           // percentage points
  core::Decimal min_trade;                           // reporting currency
  core::Decimal batch_above;                         // reporting currency
  int batch_count = 1;
  core::Duration batch_interval{};

  static RebalancePolicy from(const core::PortfolioSection& section);
};

struct AssetAllocation {
  std::string asset;
  core::Decimal value;  // reporting currency
  core::Decimal pct;    // of the allocation's total, 0..100 (2 decimals)
  core::Decimal target_pct;
  core::Decimal drift_pct() const { return pct - target_pct; }  // points; positive: above target
};

struct Allocation {
  core::Decimal total;                  // reporting currency
  std::vector<AssetAllocation> assets;  // in the targets' order (by asset name)
  // The largest |drift| and its asset; empty when the total is zero.
  core::Decimal max_drift_pct;
  std::string most_drifted;
  // "BTC 38.21 % (target 33.33), XRP 30.12 % (33.33), USDT 31.67 % (33.34)"
  std::string line() const;
};

// `values`: each targeted asset's value in the reporting currency (an asset missing counts zero).
Allocation allocation_of(const std::map<std::string, core::Decimal>& values,
                         const std::map<std::string, core::Decimal>& targets_pct);

struct RebalanceTrade {
  std::string asset;
  core::Side side = core::Side::kBuy;
  core::Decimal value;  // reporting currency, positive
};

struct RebalancePlan {
  std::vector<RebalanceTrade> trades;  // sells first, then buys, each by asset name
  core::Decimal total;                 // the trades' values summed
  int batches = 1;
  // Why: the allocation it restores and its largest drift, in words.
  std::string reason;
};

// The trades that bring `allocation` back to its targets, or nullopt when no asset drifts more than
// the policy allows (or every trade would be below its minimum). The reporting currency is the
// other side of every trade: it gets no trade of its own.
std::optional<RebalancePlan> plan_rebalance(const Allocation& allocation,
                                            const RebalancePolicy& policy,
                                            const std::string& reporting_currency);

// One batch's share of a trade: its value split evenly, the last batch taking what rounding left.
core::Decimal batch_value(const RebalanceTrade& trade, int batches, int batch_index);

}  // namespace tg4::execution
