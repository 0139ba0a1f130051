#pragma once
// The risk engine's vocabulary (SPEC §7): limits, state, intents, verdicts and events. Plain
// values, so the engine stays a pure function of its inputs and the state can be persisted and
// restored.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/decimal.hpp"
#include "core/events.hpp"
#include "core/time.hpp"

namespace tg4::risk {

using core::Decimal;
using core::Duration;
using core::Side;
using core::Timestamp;

// Market regimes. "trending" without a direction takes the bear leverage cap (the lower one).
enum class Regime : std::uint8_t {
  kBull,
  kBear,
  kTrending,
  kBreakout,
  kRanging,
  kVolatile,
  kChoppy,
  kUnknown
};
inline constexpr std::size_t kRegimeCount = 8;
const char* to_string(Regime r);
// Accepts "bull"/"trending_up"/"trending_bull", "bear"/"trending_down"/"trending_bear", "trending",
// "breakout"/"breakout_potential", "ranging", "volatile"/"volatile_bull"/"volatile_bear", "choppy",
// "unknown" (the regime agent's names, SPEC §6, included); nullopt otherwise.
std::optional<Regime> parse_regime(std::string_view text);

enum class Strictness : std::uint8_t { kRelaxed, kNormal, kStrict, kVeryStrict };
const char* to_string(Strictness s);
// "relaxed", "normal", "strict", "very_strict" (also "very strict", "very-strict").
std::optional<Strictness> parse_strictness(std::string_view text);

enum class TradingState : std::uint8_t { kActive, kReducing, kHalted };
const char* to_string(TradingState s);  // "ACTIVE", "REDUCING", "HALTED"
std::optional<TradingState> parse_trading_state(std::string_view text);

enum class CooldownReason : std::uint8_t { kLoss, kTrade, kVolatility };
inline constexpr std::size_t kCooldownCount = 3;
const char* to_string(CooldownReason r);  // "loss", "trade", "volatility"
std::optional<CooldownReason> parse_cooldown_reason(std::string_view text);

enum class Breaker : std::uint8_t { kDailyLoss, kWeeklyLoss, kDrawdown };
inline constexpr std::size_t kBreakerCount = 3;
const char* to_string(Breaker b);  // "daily_loss", "weekly_loss", "drawdown"

// What the app must do when a breaker trips (the engine itself never touches orders).
enum class BreakerAction : std::uint8_t {
  kNone,
  kReducePositions,  // close RiskEvent::reduce_pct percent of each position (SPEC: 50 %)
  kFlatten,
  kReducePositionsHalf = kReducePositions,  // earlier name, kept for existing callers
};
const char* to_string(BreakerAction a);  // "none", "reduce_positions", "flatten"

struct CorrelationPair {
  std::string a;
  std::string b;
  Decimal rho;
};

// A step that applies from `losses` consecutive losses on; the highest matching step wins.
template <typename T>
struct StreakStep {
  int losses = 1;
  T value{};
};

struct DrawdownStep {
  Decimal drawdown_pct;  // from peak equity, percent
  Decimal cap;
};

// Every number of SPEC §7; the defaults are the SPEC's (limits_from_config maps core::RiskSection).
// Percentages are in percent (5 = 5 %); multipliers, confidence and rho are fractions.
struct RiskLimits {
  // rule 2: cool-downs
  std::vector<StreakStep<Duration>> loss_cooldowns{
      {1, std::chrono::minutes(10)}, {3, std::chrono::minutes(30)}, {5, std::chrono::minutes(60)}};
  Duration trade_cooldown = std::chrono::minutes(5);
  Duration volatility_cooldown = std::chrono::minutes(15);
  double volatility_spike_factor = 3.0;  // ATR > factor x its 20-bar mean
  // rule 3: stop-loss distance and reward:risk
  bool require_stop_loss = true;
  Decimal min_stop_pct = Decimal::must("0.5");
  Decimal max_stop_pct = Decimal::must("5");
  Decimal min_reward_risk = Decimal::must("1.5");
  // rule 4: confidence, indexed by Regime
  std::array<Decimal, kRegimeCount> min_confidence{
      Decimal::must("0.55"), Decimal::must("0.55"), Decimal::must("0.55"), Decimal::must("0.60"),
      Decimal::must("0.60"), Decimal::must("0.65"), Decimal::must("0.75"), Decimal::must("0.70")};
  std::vector<StreakStep<Decimal>> confidence_streak_add{{3, Decimal::must("0.10")},
                                                         {5, Decimal::must("0.20")}};
  Decimal strictness_relaxed = Decimal::must("-0.05");
  Decimal strictness_strict = Decimal::must("0.05");
  Decimal strictness_very_strict = Decimal::must("0.10");
  // rule 5: size
  Decimal max_position_pct = Decimal::must("20");
  Decimal max_risk_pct = Decimal::must("2");
  std::vector<StreakStep<Decimal>> size_streak_factor{{5, Decimal::must("0.5")}};
  Decimal volatility_size_factor = Decimal::must("0.5");
  std::array<Decimal, kRegimeCount> size_multiplier{
      Decimal::must("1.0"),  Decimal::must("1.0"), Decimal::must("1.0"),  Decimal::must("0.75"),
      Decimal::must("0.75"), Decimal::must("0.5"), Decimal::must("0.25"), Decimal::must("0.5")};
  Decimal size_increment = Decimal::must("0.01");  // a shrunk size is rounded down to this
  // rule 6: leverage
  Decimal max_leverage = Decimal::must("5");
  std::array<Decimal, kRegimeCount> regime_leverage_cap{
      Decimal::must("5"), Decimal::must("3"), Decimal::must("3"), Decimal::must("3"),
      Decimal::must("2"), Decimal::must("2"), Decimal::must("1"), Decimal::must("1")};
  std::vector<DrawdownStep> drawdown_leverage_caps{{Decimal::must("5"), Decimal::must("3")},
                                                   {Decimal::must("10"), Decimal::must("2")},
                                                   {Decimal::must("15"), Decimal::must("1")}};
  std::vector<StreakStep<Decimal>> leverage_streak_caps{{3, Decimal::must("2")},
                                                        {5, Decimal::must("1")}};
  // rules 7 and 8: exposure
  Decimal max_total_exposure_pct = Decimal::must("80");
  Decimal max_correlated_exposure_pct = Decimal::must("40");
  Decimal correlation_threshold = Decimal::must("0.5");  // pairs with rho > this count
  std::vector<CorrelationPair> correlations{{"BTC/USDT", "XRP/USDT", Decimal::must("0.75")},
                                            {"BTC/USDT", "XRP/BTC", Decimal::must("0.60")},
                                            {"XRP/USDT", "XRP/BTC", Decimal::must("0.85")}};
  // rule 9: positions and order rate
  int max_positions_per_symbol = 2;
  int max_positions_total = 5;
  int max_orders_per_minute = 30;
  // circuit breakers: daily PnL <= -daily_loss_limit_pct halts, etc.
  Decimal daily_loss_limit_pct = Decimal::must("5");
  Decimal weekly_loss_limit_pct = Decimal::must("10");
  Decimal weekly_reduce_positions_pct = Decimal::must("50");
  Decimal max_drawdown_pct = Decimal::must("20");

  // rho between two symbols: 1 for the same symbol, 0 for pairs not in the table.
  Decimal correlation(std::string_view a, std::string_view b) const;
};

// The step for `losses` (highest `losses` <= the streak), or nullptr.
template <typename T>
const StreakStep<T>* streak_step(const std::vector<StreakStep<T>>& steps, int losses) {
  const StreakStep<T>* best = nullptr;
  for (const auto& step : steps) {
    if (step.losses <= losses && (best == nullptr || step.losses > best->losses)) best = &step;
  }
  return best;
}

struct OpenPosition {
  std::string symbol;
  Side side = Side::kBuy;
  Decimal exposure_usd;  // notional (size x leverage)
  Decimal leverage = Decimal::one();
};

struct Cooldown {
  Timestamp until;  // unset: none
  bool active(Timestamp now) const { return until.is_set() && now < until; }
};

struct BreakerStatus {
  bool tripped = false;
  Timestamp until;  // unset while tripped: manual reset only
  Timestamp since;
  std::string reason;  // why it tripped, with the numbers
};

// The last inputs and result of one of the state's percentages. Every tick recomputes them, with
// unchanged inputs most of the time (no position, or a second pass in the same tick); a division
// costs more than the whole rest of a breaker pass. Keyed by its inputs, so it is never stale.
struct PercentMemo {
  Decimal amount, base, percent;  // zeros: pct_of(0, 0) is 0
};

struct RiskState {
  // equity and PnL (reporting currency, e.g. USDT)
  Decimal equity;
  Decimal peak_equity;
  Decimal available_margin;
  Decimal day_start_equity;
  Decimal week_start_equity;
  Timestamp day_start;   // utc_day_start of the day the daily PnL belongs to
  Timestamp week_start;  // iso_week_start of the week the weekly PnL belongs to
  Decimal daily_pnl;     // equity - day_start_equity
  Decimal weekly_pnl;
  Decimal daily_pnl_pct;   // percent of day_start_equity
  Decimal weekly_pnl_pct;  // percent of week_start_equity
  Decimal drawdown_pct;    // percent below peak_equity (>= 0)
  // streaks
  int consecutive_losses = 0;
  int consecutive_wins = 0;
  // cool-downs, indexed by CooldownReason: each reason has its own expiry
  std::array<Cooldown, kCooldownCount> cooldowns{};
  // trading state: the effective one is the stricter of the operator's and the breakers'
  TradingState trading_state = TradingState::kActive;
  std::string state_reason;
  Timestamp state_until;  // unset: until changed (manual reset for drawdown/operator halts)
  TradingState manual_state = TradingState::kActive;  // set by the operator (pause/halt/resume)
  std::string manual_reason;
  std::array<BreakerStatus, kBreakerCount> breakers{};
  // volatility: the symbols whose last base-timeframe bar had ATR > factor x its mean, in name
  // order. Each symbol's spike is its own: another symbol's calm bar ends none (rule 5 halves the
  // sizes of the symbol's intents while it lasts).
  std::vector<std::string> volatility_spikes;
  // exposure
  std::vector<OpenPosition> open_positions;
  std::vector<Timestamp> order_times;  // orders sent in the last minute (rule 9 rate)
  Timestamp updated;
  // derived, never serialized: see PercentMemo
  PercentMemo daily_memo, weekly_memo, drawdown_memo;

  bool in_volatility_spike(std::string_view symbol) const {
    for (const std::string& s : volatility_spikes) {
      if (s == symbol) return true;
    }
    return false;
  }
  const Cooldown& cooldown(CooldownReason r) const {
    return cooldowns[static_cast<std::size_t>(r)];
  }
  Cooldown& cooldown(CooldownReason r) { return cooldowns[static_cast<std::size_t>(r)]; }
  const BreakerStatus& breaker(Breaker b) const { return breakers[static_cast<std::size_t>(b)]; }
  BreakerStatus& breaker(Breaker b) { return breakers[static_cast<std::size_t>(b)]; }
};

struct RiskIntent {
  std::string intent_id;
  std::string symbol;
  Side side = Side::kBuy;
  Decimal size_usd;  // margin committed; notional = size_usd x leverage
  Decimal entry;
  Decimal stop_loss;  // zero: none (rejected unless the intent reduces exposure)
  std::optional<Decimal> take_profit;
  Decimal leverage = Decimal::one();
  // What the venue may charge the order beyond its notional, in percent of the notional: the taker
  // fee and a slippage allowance. Rule 9 adds it to the size it compares with the funds.
  Decimal fee_pct;
  Decimal confidence;  // 0..1; zero unless said: rule 4 refuses an entry that says none
  Regime regime = Regime::kUnknown;
  Strictness strictness = Strictness::kNormal;
  bool reduces_exposure = false;  // exits, flattening: allowed while REDUCING, skip rules 2-9
  bool is_cancel = false;         // cancels always pass
};

// core::OrderIntent -> RiskIntent (confidence to 4 decimals; unknown regime/strictness text maps to
// unknown/normal).
RiskIntent intent_from_order(const core::OrderIntent& order);

enum class VerdictStatus : std::uint8_t { kApproved, kModified, kRejected, kHalted };
const char* to_string(VerdictStatus s);  // "APPROVED", ...

// The rule that decided a verdict; kNone for a clean approval.
enum class Rule : std::uint8_t {
  kNone = 0,
  kTradingState = 1,
  kCooldown = 2,
  kStopLoss = 3,
  kConfidence = 4,
  kSize = 5,
  kLeverage = 6,
  kTotalExposure = 7,
  kCorrelatedExposure = 8,
  kMarginAndLimits = 9,
  kInternal = 99,  // the engine caught its own bug (e.g. a MODIFIED that grew)
};
const char* rule_name(Rule r);   // "trading_state", "cooldown", ...
std::string rule_label(Rule r);  // "3:stop_loss"; "none" for kNone

struct Verdict {
  VerdictStatus status = VerdictStatus::kApproved;
  Rule rule = Rule::kNone;
  std::string reason;
  Decimal size_usd;
  Decimal leverage;
  std::vector<std::string> warnings;

  bool allows_order() const {
    return status == VerdictStatus::kApproved || status == VerdictStatus::kModified;
  }
};

// One verdict or state change, for the store (risk_events) and metrics. kOrderRefused: an order the
// verdict allowed did not go out (the order manager refused it) or the venue refused it; the kernel
// records it, so an approval in the record is never the last word on an order that was not placed.
struct RiskEvent {
  enum class Kind : std::uint8_t { kVerdict, kBreaker, kCooldown, kState, kOrderRefused };
  Kind kind = Kind::kVerdict;
  Timestamp time;
  Rule rule = Rule::kNone;
  std::string reason;
  // kVerdict
  std::string intent_id;
  std::string symbol;
  std::optional<VerdictStatus> verdict;
  std::optional<Regime> regime;  // the regime and strictness the intent was judged by
  Strictness strictness = Strictness::kNormal;
  // kBreaker
  std::optional<Breaker> breaker;
  bool breaker_tripped = false;  // false: reset/expired
  BreakerAction action = BreakerAction::kNone;
  Decimal reduce_pct;  // kReducePositions: the share of each position to close, percent
  // kCooldown
  std::optional<CooldownReason> cooldown;
  Timestamp cooldown_until;
  // kOrderRefused: who refused the order, "order_manager" or "venue"
  std::string refused_by;
  // state before and after
  TradingState state_before = TradingState::kActive;
  TradingState state_after = TradingState::kActive;
};
// "verdict", "breaker", "cooldown", "state", "order_refused"
const char* to_string(RiskEvent::Kind k);

}  // namespace tg4::risk
