#pragma once
// risk::Engine: the deterministic veto of SPEC §7. It holds only limits; every call takes the state
// and the time explicitly, so the same inputs always give the same verdict and a backtest, paper
// and live session behave identically. No I/O and no clock reads happen here: the kernel owns the
// RiskState, calls the update functions on each change and persists the state and the returned
// events.
//
// check(): rules 1-9 in SPEC order, the first failure decides. Rules 5 (size) and 6 (leverage) may
// shrink the intent (MODIFIED); nothing ever grows it (enforced after every check).
// Updates (on_equity, on_withdrawal, on_trade_closed, on_fill, on_volatility, on_order_sent,
// set_trading_state, manual_reset) mutate the state, re-apply the circuit breakers and return the
// events they caused.
#include <optional>
#include <string>
#include <vector>

#include "risk/rules_detail.hpp"
#include "risk/types.hpp"

namespace tg4::risk {

class Engine {
 public:
  explicit Engine(RiskLimits limits = {});

  const RiskLimits& limits() const { return limits_; }

  // One verdict. `state` should have had apply_breakers(state, now) applied (every update does).
  Verdict check(const RiskState& state, const RiskIntent& intent, Timestamp now) const;

  // Rolls the day/week PnL anchors, expires breakers and cool-downs whose time has passed, and
  // trips the circuit breakers: daily loss <= -5 % -> HALTED until the next UTC day; weekly <= -10
  // % -> HALTED until the next ISO week + reduce positions by 50 %; drawdown >= 20 % -> HALTED +
  // flatten, manual reset only.
  std::vector<RiskEvent> apply_breakers(RiskState& state, Timestamp now) const;

  // New equity mark: peak, drawdown, daily/weekly PnL (with UTC-day and ISO-week resets).
  std::vector<RiskEvent> on_equity(RiskState& state, Decimal equity, Timestamp now) const;
  // Money that left trading without a trade (a hodl bag's share of a profit, SPEC §9): the equity
  // and what it is measured against (the peak, the day's and the week's start) move down by it
  // together, so the daily and weekly PnL and the drawdown see trading's gains and losses only.
  std::vector<RiskEvent> on_withdrawal(RiskState& state, Decimal amount, Timestamp now) const;
  void set_available_margin(RiskState& state, Decimal margin) const {
    state.available_margin = margin;
  }
  void set_positions(RiskState& state, std::vector<OpenPosition> positions) const {
    state.open_positions = std::move(positions);
  }
  // A position closed (pnl after fees): streaks, loss cool-down (10/30/60 min by streak) and the
  // trade cool-down (5 min).
  std::vector<RiskEvent> on_trade_closed(RiskState& state, Decimal pnl, Timestamp now) const;
  // An entry filled: the trade cool-down (5 min).
  std::vector<RiskEvent> on_fill(RiskState& state, Timestamp now) const;
  // A bar of `symbol`: its ATR > 3 x its 20-bar mean is a spike in that symbol; the start of a
  // symbol's spike starts the 15 min volatility cool-down (one for all symbols, SPEC §7 rule 2).
  std::vector<RiskEvent> on_volatility(RiskState& state, const std::string& symbol, double atr,
                                       double atr_mean20, Timestamp now) const;
  // An order went to the venue: every one counts in rule 9's rate (30/min), entries, exits, stops,
  // targets and the hodl bags' and rebalancing's orders alike; only new risk is refused by it.
  void on_order_sent(RiskState& state, Timestamp now) const;
  // Rule 9's order rate for an order no intent stands behind (a hodl bag's buy, a rebalance
  // order): why it must wait, or nullopt while the last minute has room.
  std::optional<std::string> order_rate_refusal(const RiskState& state, Timestamp now) const;
  // Operator pause/resume/halt. HALTED set here stays until manual_reset or another call.
  std::vector<RiskEvent> set_trading_state(RiskState& state, TradingState to, std::string reason,
                                           Timestamp now) const;
  // Operator reset (admin): clears every breaker, sets ACTIVE, restarts the peak and the day/week
  // PnL from the current equity. Streaks and cool-downs are kept.
  std::vector<RiskEvent> manual_reset(RiskState& state, Timestamp now) const;

  // A fresh state for `equity` at `now` (anchors set, margin = equity).
  RiskState initial_state(Decimal equity, Timestamp now) const;

  // The event recording a verdict, for the store.
  static RiskEvent verdict_event(const RiskIntent& intent, const Verdict& verdict,
                                 const RiskState& state, Timestamp now);

 private:
  RiskLimits limits_;
  detail::Ratios ratios_;  // the percentage limits as exact integer ratios (fast comparisons)
};

// The shrink-only guard check() applies to every verdict: a MODIFIED that grew (or changed nothing)
// or an APPROVED that changed size or leverage becomes REJECTED with rule kInternal.
Verdict enforce_shrink_only(const RiskIntent& intent, Verdict verdict);

}  // namespace tg4::risk
