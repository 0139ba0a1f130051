#include "execution/rebalance.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>

namespace tg4::execution {

using core::Decimal;

namespace {

const Decimal kHundred = Decimal::from_int(100);
constexpr int kValueDigits = 8;  // every amount a plan carries, reporting currency

}  // namespace

RebalancePolicy RebalancePolicy::from(const core::PortfolioSection& section) {
  return {
      section.targets_pct,   section.drift_pct,
      section.min_trade_usd, section.batch_above_usd,
      section.batch_count,   std::chrono::duration_cast<core::Duration>(section.batch_interval)};
}

std::string Allocation::line() const {
  std::string out;
  for (const AssetAllocation& a : assets) {
    out += fmt::format("{}{} {} % (target {})", out.empty() ? "" : ", ", a.asset,
                       a.pct.to_string(2), a.target_pct.to_string());
  }
  return out;
}

Allocation allocation_of(const std::map<std::string, Decimal>& values,
                         const std::map<std::string, Decimal>& targets_pct) {
  Allocation out;
  for (const auto& [asset, target] : targets_pct) {
    const auto value = values.find(asset);
    const Decimal v = value == values.end() ? Decimal{} : core::max(Decimal{}, value->second);
    out.total += v;
    out.assets.push_back({asset, v, Decimal{}, target});
  }
  if (!out.total.is_positive()) return out;
  for (AssetAllocation& a : out.assets) {
    a.pct = (a.value * kHundred / out.total).round(2);
    if (a.drift_pct().abs() > out.max_drift_pct) {
      out.max_drift_pct = a.drift_pct().abs();
      out.most_drifted = a.asset;
    }
  }
  return out;
}

std::optional<RebalancePlan> plan_rebalance(const Allocation& allocation,
                                            const RebalancePolicy& policy,
                                            const std::string& reporting_currency) {
  if (!allocation.total.is_positive() || allocation.max_drift_pct <= policy.drift_pct) {
    return std::nullopt;
  }
  RebalancePlan plan;
  std::vector<RebalanceTrade> buys;
  for (const AssetAllocation& a : allocation.assets) {
    if (a.asset == reporting_currency) continue;
    const Decimal target_value =
        (allocation.total * a.target_pct / kHundred).round(kValueDigits, core::Rounding::kDown);
    const Decimal gap = target_value - a.value;
    if (gap.abs() < policy.min_trade || gap.is_zero()) continue;
    const RebalanceTrade trade{a.asset, gap.is_positive() ? core::Side::kBuy : core::Side::kSell,
                               gap.abs()};
    (trade.side == core::Side::kSell ? plan.trades : buys).push_back(trade);
    plan.total += trade.value;
  }
  plan.trades.insert(plan.trades.end(), buys.begin(), buys.end());
  if (plan.trades.empty()) return std::nullopt;
  plan.batches = plan.total > policy.batch_above ? std::max(1, policy.batch_count) : 1;
  const AssetAllocation& worst =
      *std::ranges::find(allocation.assets, allocation.most_drifted, &AssetAllocation::asset);
  plan.reason =
      fmt::format("{} is {} % of the allocation, {} points from its target {} % (more than {}): {}",
                  worst.asset, worst.pct.to_string(2), worst.drift_pct().abs().to_string(2),
                  worst.target_pct.to_string(), policy.drift_pct.to_string(), allocation.line());
  return plan;
}

Decimal batch_value(const RebalanceTrade& trade, int batches, int batch_index) {
  if (batches <= 1) return trade.value;
  const Decimal share =
      (trade.value / Decimal::from_int(batches)).round(kValueDigits, core::Rounding::kDown);
  if (batch_index < batches - 1) return share;
  return trade.value - share * Decimal::from_int(batches - 1);
}

}  // namespace tg4::execution
