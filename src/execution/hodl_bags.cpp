#include "execution/hodl_bags.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <utility>

namespace tg4::execution {

using core::Decimal;

namespace {

constexpr std::int64_t kSecondsPerDay = 86'400;
constexpr int kAmountDigits = 8;  // cents of a cent: every amount a bag keeps

std::int64_t utc_day(core::Timestamp t) {
  const std::int64_t s = t.seconds();
  return s / kSecondsPerDay - (s % kSecondsPerDay < 0 ? 1 : 0);
}

Decimal percent_of(Decimal amount, Decimal pct) {
  return (amount * pct / Decimal::from_int(100)).round(kAmountDigits, core::Rounding::kDown);
}

}  // namespace

HodlPolicy HodlPolicy::from(const core::HodlSection& section) {
  return {section.profit_share_pct,  section.min_profit_usd,         section.split_pct,
          section.buy_threshold_usd, section.cap_per_allocation_usd, section.cap_per_day_usd};
}

const char* to_string(HodlMove move) {
  switch (move) {
    case HodlMove::kSetAside:
      return "set_aside";
    case HodlMove::kCapped:
      return "capped";
    case HodlMove::kBought:
      return "bought";
  }
  return "?";
}

HodlBags::HodlBags(HodlPolicy policy, std::string reporting_currency)
    : policy_(std::move(policy)), reporting_(std::move(reporting_currency)) {}

std::vector<HodlMovement> HodlBags::on_profit(Decimal profit, core::Timestamp time,
                                              const std::string& reference) {
  std::vector<HodlMovement> moves;
  if (!policy_.enabled() || !profit.is_positive() || profit < policy_.min_profit) return moves;
  const Decimal share =
      capped_share(percent_of(profit, policy_.profit_share_pct), time, moves, reference);
  if (!share.is_positive()) return moves;
  state_.set_aside_today += share;
  state_.set_aside_total += share;
  // Each bag its percentage, rounded down; the last bag takes the rest, so the parts sum to the
  // share.
  Decimal left = share;
  std::size_t index = 0;
  for (const auto& [asset, pct] : policy_.split_pct) {
    const bool last = ++index == policy_.split_pct.size();
    const Decimal part = last ? left : core::min(left, percent_of(share, pct));
    left -= part;
    if (!part.is_positive()) continue;
    HodlBag& bag = state_.bags[asset];
    const bool buys = buy_threshold(asset).has_value();
    (buys ? bag.pending : bag.cash) += part;
    moves.push_back(
        {HodlMove::kSetAside,
         asset,
         part,
         {},
         {},
         reference,
         time,
         fmt::format("{}% of a {} {} profit, {}% of it to {}{}",
                     policy_.profit_share_pct.to_string(), profit.to_string(2), reporting_,
                     pct.to_string(), asset, buys ? " (pending its buy)" : " (held)")});
  }
  refresh_due();
  return moves;
}

// The share the caps allow: at most cap_per_allocation, and what is left of the UTC day's cap.
Decimal HodlBags::capped_share(Decimal share, core::Timestamp time,
                               std::vector<HodlMovement>& moves, const std::string& reference) {
  const std::int64_t day = utc_day(time);
  if (day != state_.day) {
    state_.day = day;
    state_.set_aside_today = {};
  }
  const Decimal day_left = core::max(Decimal{}, policy_.cap_per_day - state_.set_aside_today);
  const Decimal allowed = core::min(share, core::min(policy_.cap_per_allocation, day_left));
  if (allowed < share) {
    const bool by_day = day_left < policy_.cap_per_allocation;
    moves.push_back(
        {HodlMove::kCapped,
         "",
         share - allowed,
         {},
         {},
         reference,
         time,
         fmt::format(
             "{} {} of the share stays with trading: {} cap of {} {}",
             (share - allowed).to_string(), reporting_, by_day ? "the daily" : "the per-allocation",
             (by_day ? policy_.cap_per_day : policy_.cap_per_allocation).to_string(), reporting_)});
  }
  return allowed;
}

std::vector<std::string> HodlBags::due() const {
  std::vector<std::string> assets;
  for (const auto& [asset, bag] : state_.bags) {
    const std::optional<Decimal> threshold = buy_threshold(asset);
    if (threshold && bag.pending.is_positive() && bag.pending >= *threshold) {
      assets.push_back(asset);
    }
  }
  return assets;
}

void HodlBags::refresh_due() {
  any_due_ = !due().empty();
}

HodlMovement HodlBags::on_bought(const std::string& asset, Decimal coins, Decimal cost,
                                 Decimal price, core::Timestamp time,
                                 const std::string& reference) {
  HodlBag& bag = state_.bags[asset];
  bag.coins += coins;
  bag.invested += cost;
  // A fill dearer than the headroom allowed takes the rest from trading cash, never a negative bag.
  bag.pending = core::max(Decimal{}, bag.pending - cost);
  refresh_due();
  return {HodlMove::kBought,
          asset,
          cost,
          coins,
          price,
          reference,
          time,
          fmt::format("bought {} {} at {} for {} {}; {} {} still pending", coins.to_string(), asset,
                      price.to_string(), cost.to_string(), reporting_, bag.pending.to_string(),
                      reporting_)};
}

Decimal HodlBags::reserved_cash() const {
  Decimal total;
  for (const auto& [asset, bag] : state_.bags) total += bag.cash + bag.pending;
  return total;
}

Decimal HodlBags::coins(const std::string& asset) const {
  const HodlBag* b = bag(asset);
  return b == nullptr ? Decimal{} : b->coins;
}

const HodlBag* HodlBags::bag(const std::string& asset) const {
  const auto it = state_.bags.find(asset);
  return it == state_.bags.end() ? nullptr : &it->second;
}

std::optional<Decimal> HodlBags::buy_threshold(const std::string& asset) const {
  const auto it = policy_.buy_threshold.find(asset);
  if (it == policy_.buy_threshold.end() || asset == reporting_) return std::nullopt;
  return it->second;
}

void HodlBags::restore(HodlState state) {
  state_ = std::move(state);
  refresh_due();
}

}  // namespace tg4::execution
