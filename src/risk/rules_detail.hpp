#pragma once
// Helpers shared by the rule checks and the state updates (not part of the engine's API).
#include <compare>
#include <string>

#include "risk/types.hpp"

namespace tg4::risk::detail {

// A limit as the exact fraction num / den (den a power of ten): comparing against it costs two
// integer multiplications instead of Decimal's 256-bit multiply-and-rescale, which keeps a check
// well under the 2 us budget. Falls back to Decimal arithmetic when the integers would overflow.
struct Ratio {
  Decimal value;  // num / den
  Decimal::Raw num = 0;
  Decimal::Raw den = 1;

  static Ratio of(Decimal value);
  static Ratio percent(Decimal pct);  // 20 (%) -> 1/5
};

// a <=> b x r, exactly.
std::strong_ordering compare(Decimal a, Decimal b, const Ratio& r);
inline bool at_most(Decimal a, Decimal b, const Ratio& r) {
  return compare(a, b, r) <= 0;
}
inline bool at_least(Decimal a, Decimal b, const Ratio& r) {
  return compare(a, b, r) >= 0;
}
// b x r rounded toward zero (a cap is never rounded up).
Decimal scaled(Decimal b, const Ratio& r);
// The largest multiple of `increment` (> 0) not above `value` (>= 0).
Decimal floor_to(Decimal value, Decimal increment);

// The engine's percentage limits as ratios, computed once per engine.
struct Ratios {
  Ratio min_stop;  // min_stop_pct / 100
  Ratio max_stop;  // max_stop_pct / 100
  Ratio min_reward_risk;
  Ratio max_position;  // max_position_pct / 100
  Ratio max_risk;      // max_risk_pct / 100
  Ratio max_total_exposure;
  Ratio max_correlated_exposure;

  static Ratios of(const RiskLimits& limits);
};

// A number for a reason text: rounded to 6 decimals, printed shortest by fmt ("2000", "0.077821").
// Display only: the verdict's own numbers are exact Decimals. num() can go straight into a
// fmt::format argument list, which saves a string per number on the check path.
double num(double value);
double num(Decimal value);
std::string text(double value);
std::string text(Decimal value);

// Rule 4: the regime's minimum + the loss-streak and strictness adjustments.
Decimal min_confidence(const RiskLimits& limits, int consecutive_losses, Regime regime,
                       Strictness strictness);

// Rule 6: min(max leverage, regime cap, drawdown cap, loss-streak cap).
Decimal leverage_cap(const RiskLimits& limits, const RiskState& state, Regime regime);

// Rule 9: orders sent in (now - 60 s, now].
int orders_last_minute(const RiskState& state, Timestamp now);

// Rule 2: how long the loss cool-down lasts after `consecutive_losses` losses in a row.
Duration loss_cooldown(const RiskLimits& limits, int consecutive_losses);

// amount x 100, exactly the product amount * 100 (an integer factor never rounds), without the
// 256-bit multiply and divide of the general product. Inline, as the two below: a tick runs them
// several times.
inline Decimal times_100(Decimal amount) {
  Decimal::Raw out = 0;
  if (__builtin_mul_overflow(amount.raw(), Decimal::Raw{100}, &out) || out < Decimal::min().raw()) {
    return amount * Decimal::from_int(100);  // throws the product's overflow error
  }
  return Decimal::from_raw(out);
}

// amount / base in percent (zero for a base that is not positive), remembered in `memo`: the same
// inputs give the remembered result without dividing again.
inline Decimal pct_of(Decimal amount, Decimal base, PercentMemo& memo) {
  if (amount == memo.amount && base == memo.base) return memo.percent;
  const Decimal percent =
      !base.is_positive() || amount.is_zero() ? Decimal::zero() : times_100(amount) / base;
  memo = {amount, base, percent};
  return percent;
}

// Raises the peak to the equity and sets the drawdown from the peak, in percent.
inline void update_drawdown(RiskState& s) {
  if (s.peak_equity < s.equity) s.peak_equity = s.equity;
  s.drawdown_pct = pct_of(s.peak_equity - s.equity, s.peak_equity, s.drawdown_memo);
}

}  // namespace tg4::risk::detail
