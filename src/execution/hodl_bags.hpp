#pragma once
// HodlBags: the long-term holdings of SPEC §9, kept apart from trading. A share of each realised
// profit (by default 10 % of any profit of at least $1) is set aside and split between the bags
// (USDT 33.34, XRP 33.33, BTC 33.33 %). A bag with a buy threshold collects its share as pending
// cash until the threshold is reached (XRP $25, BTC $15), then buys its coin; a bag without one
// holds its share as cash (USDT). One allocation sets aside at most cap_per_allocation and a UTC
// day at most cap_per_day: what a cap cuts stays with trading.
//
// The system never sells a bag: its coins are not a position (no strategy, exit or flatten sells
// them), its cash is not available to trading, and risk exposure leaves it out. Every movement is
// returned to the caller, which writes it to the audit log.
//
// Amounts are in the reporting currency (USDT by default: the SPEC's dollars). Pure and
// deterministic: the pipeline feeds it profits and the bags' fills, and sends the buys it asks for.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/config.hpp"
#include "core/decimal.hpp"
#include "core/time.hpp"

namespace tg4::execution {

// The source of a bag's orders (ManagedOrder::source): what tells them from trading's.
inline constexpr std::string_view kHodlSource = "hodl";

struct HodlPolicy {
  core::Decimal profit_share_pct;  // zero: no bags
  core::Decimal min_profit;
  std::map<std::string, core::Decimal> split_pct;
  std::map<std::string, core::Decimal> buy_threshold;  // assets not listed hold their share as cash
  core::Decimal cap_per_allocation;
  core::Decimal cap_per_day;

  static HodlPolicy from(const core::HodlSection& section);
  bool enabled() const { return profit_share_pct.is_positive() && !split_pct.empty(); }
};

struct HodlBag {
  core::Decimal coins;     // bought and held, in the bag's asset
  core::Decimal cash;      // held as it is (a bag without a buy threshold), reporting currency
  core::Decimal pending;   // set aside for the next buy, reporting currency
  core::Decimal invested;  // spent on the coins so far, reporting currency (fees included)
  bool operator==(const HodlBag&) const = default;
};

// Everything a restart needs (written with the portfolio's state).
struct HodlState {
  std::map<std::string, HodlBag> bags;
  std::int64_t day = 0;           // the UTC day set_aside_today counts (days since 1970-01-01)
  core::Decimal set_aside_today;  // reporting currency
  core::Decimal set_aside_total;
  bool operator==(const HodlState&) const = default;
};

enum class HodlMove : std::uint8_t {
  kSetAside,  // a share of a profit went to a bag
  kCapped,    // a cap kept this much of the share with trading
  kBought,    // a bag's pending cash bought its coin
};
const char* to_string(HodlMove move);

struct HodlMovement {
  HodlMove move = HodlMove::kSetAside;
  std::string asset;      // the bag (empty for kCapped: the whole share)
  core::Decimal amount;   // reporting currency
  core::Decimal coins;    // kBought: what was bought
  core::Decimal price;    // kBought: the average fill price
  std::string reference;  // what caused it: the closing fill's or the buy order's id
  core::Timestamp time;
  std::string note;  // why, in words
};

class HodlBags {
 public:
  HodlBags(HodlPolicy policy, std::string reporting_currency);

  // A realised profit (reporting currency) closed at `time`: the movements it made, none when the
  // bags are off or the profit is below the minimum.
  std::vector<HodlMovement> on_profit(core::Decimal profit, core::Timestamp time,
                                      const std::string& reference);
  // Bags whose pending cash has reached their threshold, by asset name.
  std::vector<std::string> due() const;
  bool any_due() const { return any_due_; }
  // A bag buy filled: `coins` bought for `cost` (reporting currency, fees included).
  HodlMovement on_bought(const std::string& asset, core::Decimal coins, core::Decimal cost,
                         core::Decimal price, core::Timestamp time, const std::string& reference);

  // Reporting-currency cash the bags hold or wait to spend: not available to trading.
  core::Decimal reserved_cash() const;
  core::Decimal coins(const std::string& asset) const;
  const HodlBag* bag(const std::string& asset) const;
  // The pending cash at which `asset`'s bag buys; nullopt for a bag that holds its share as cash
  // (no threshold, or the reporting currency itself).
  std::optional<core::Decimal> buy_threshold(const std::string& asset) const;
  const HodlState& state() const { return state_; }
  void restore(HodlState state);
  const HodlPolicy& policy() const { return policy_; }
  const std::string& reporting_currency() const { return reporting_; }

 private:
  core::Decimal capped_share(core::Decimal share, core::Timestamp time,
                             std::vector<HodlMovement>& moves, const std::string& reference);
  void refresh_due();

  HodlPolicy policy_;
  std::string reporting_;
  HodlState state_;
  bool any_due_ = false;
};

}  // namespace tg4::execution
