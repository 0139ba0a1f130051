// Engine state updates and circuit breakers: every change re-applies the breakers and returns the
// events it caused, so the kernel can persist the state and the events together.
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>

#include "risk/engine.hpp"
#include "risk/rules_detail.hpp"

namespace tg4::risk {
namespace {

using detail::pct_of;
using detail::text;
using detail::update_drawdown;
using std::chrono::hours;

constexpr Duration kDay = hours(24);
constexpr Duration kWeek = hours(24 * 7);

// The day and week PnL of the current equity. The drawdown is left to apply_breakers, which every
// caller runs next (computing it here too cost a division per tick).
void recompute_pnl(RiskState& s) {
  if (s.day_start_equity.is_zero()) s.day_start_equity = s.equity;
  if (s.week_start_equity.is_zero()) s.week_start_equity = s.equity;
  s.daily_pnl = s.equity - s.day_start_equity;
  s.weekly_pnl = s.equity - s.week_start_equity;
  s.daily_pnl_pct = pct_of(s.daily_pnl, s.day_start_equity, s.daily_memo);
  s.weekly_pnl_pct = pct_of(s.weekly_pnl, s.week_start_equity, s.weekly_memo);
}

// One PnL period (a UTC day or an ISO week): a new period starts from the last known equity.
void roll_period(Timestamp period, Decimal equity, Timestamp& start, Decimal& start_equity,
                 Decimal& pnl, Decimal& pnl_pct) {
  if (!start.is_set()) {
    start = period;
    if (start_equity.is_zero()) start_equity = equity - pnl;
  } else if (period > start) {
    start = period;
    start_equity = equity;
    pnl = Decimal::zero();
    pnl_pct = Decimal::zero();
  }
}

void roll_periods(RiskState& s, Timestamp now) {
  roll_period(core::utc_day_start(now), s.equity, s.day_start, s.day_start_equity, s.daily_pnl,
              s.daily_pnl_pct);
  roll_period(core::iso_week_start(now), s.equity, s.week_start, s.week_start_equity, s.weekly_pnl,
              s.weekly_pnl_pct);
}

void expire_timers(RiskState& s, Timestamp now) {
  for (Cooldown& c : s.cooldowns) {
    if (c.until.is_set() && now >= c.until) c.until = {};
  }
  const Timestamp from = now - std::chrono::minutes(1);
  std::erase_if(s.order_times, [&](Timestamp t) { return t <= from; });
}

RiskEvent make_event(RiskEvent::Kind kind, Rule rule, std::string reason, Timestamp now,
                     TradingState state) {
  RiskEvent e;
  e.kind = kind;
  e.time = now;
  e.rule = rule;
  e.reason = std::move(reason);
  e.state_before = state;
  e.state_after = state;
  return e;
}

RiskEvent breaker_event(Breaker b, bool tripped, std::string reason, Timestamp now) {
  RiskEvent e = make_event(RiskEvent::Kind::kBreaker, Rule::kTradingState, std::move(reason), now,
                           TradingState::kActive);  // states set by the caller
  e.breaker = b;
  e.breaker_tripped = tripped;
  return e;
}

void trip(RiskState& s, Breaker b, Timestamp until, std::string reason, BreakerAction action,
          Timestamp now, std::vector<RiskEvent>& events) {
  BreakerStatus& status = s.breaker(b);
  status.tripped = true;
  status.since = now;
  status.until = until;
  status.reason = reason;
  RiskEvent e = breaker_event(b, true, std::move(reason), now);
  e.action = action;
  events.push_back(std::move(e));
}

void reset_breaker(RiskState& s, Breaker b, std::string why, Timestamp now,
                   std::vector<RiskEvent>& events) {
  BreakerStatus& status = s.breaker(b);
  if (!status.tripped) return;
  status = BreakerStatus{};
  events.push_back(
      breaker_event(b, false, fmt::format("{} breaker reset: {}", to_string(b), why), now));
}

// Effective state: the stricter of the operator's choice and the breakers.
void refresh_trading_state(RiskState& s) {
  const BreakerStatus* worst = nullptr;
  Timestamp until;
  bool manual_only = false;
  for (Breaker b : {Breaker::kDrawdown, Breaker::kWeeklyLoss, Breaker::kDailyLoss}) {
    const BreakerStatus& status = s.breaker(b);
    if (!status.tripped) continue;
    if (worst == nullptr) worst = &status;
    if (!status.until.is_set()) manual_only = true;
    if (status.until > until) until = status.until;
  }
  if (worst == nullptr || s.manual_state == TradingState::kHalted) {
    s.trading_state = s.manual_state;
    if (s.state_reason != s.manual_reason) s.state_reason = s.manual_reason;  // on every tick: no copy
    s.state_until = {};
    if (worst != nullptr) s.state_reason += "; " + worst->reason;
    return;
  }
  s.trading_state = TradingState::kHalted;
  s.state_reason = worst->reason;
  s.state_until = manual_only ? Timestamp{} : until;
}

void expire_breakers(RiskState& s, Timestamp now, std::vector<RiskEvent>& events) {
  for (std::size_t i = 0; i < kBreakerCount; ++i) {
    const BreakerStatus& status = s.breakers[i];
    if (status.tripped && status.until.is_set() && now >= status.until) {
      reset_breaker(s, static_cast<Breaker>(i),
                    fmt::format("expired at {}", core::format_rfc3339(status.until, 0)), now,
                    events);
    }
  }
}

void trip_breakers(const RiskLimits& l, RiskState& s, Timestamp now,
                   std::vector<RiskEvent>& events) {
  if (!s.breaker(Breaker::kDrawdown).tripped && s.drawdown_pct >= l.max_drawdown_pct) {
    trip(s, Breaker::kDrawdown, {},
         fmt::format("drawdown breaker: drawdown {}% from peak {} >= {}%; halted and flattening, "
                     "manual reset required",
                     text(s.drawdown_pct), text(s.peak_equity), text(l.max_drawdown_pct)),
         BreakerAction::kFlatten, now, events);
  }
  if (!s.breaker(Breaker::kWeeklyLoss).tripped && s.weekly_pnl_pct <= -l.weekly_loss_limit_pct) {
    const Timestamp until = core::iso_week_start(now) + kWeek;
    trip(s, Breaker::kWeeklyLoss, until,
         fmt::format("weekly loss breaker: weekly PnL {}% <= {}%; halted until {} and reducing "
                     "positions by {}%",
                     text(s.weekly_pnl_pct), text(-l.weekly_loss_limit_pct),
                     core::format_rfc3339(until, 0), text(l.weekly_reduce_positions_pct)),
         BreakerAction::kReducePositions, now, events);
    events.back().reduce_pct = l.weekly_reduce_positions_pct;
  }
  if (!s.breaker(Breaker::kDailyLoss).tripped && s.daily_pnl_pct <= -l.daily_loss_limit_pct) {
    const Timestamp until = core::utc_day_start(now) + kDay;
    trip(s, Breaker::kDailyLoss, until,
         fmt::format("daily loss breaker: daily PnL {}% <= {}%; halted until {}",
                     text(s.daily_pnl_pct), text(-l.daily_loss_limit_pct),
                     core::format_rfc3339(until, 0)),
         BreakerAction::kNone, now, events);
  }
}

void start_cooldown(RiskState& s, CooldownReason reason, Timestamp until, std::string why,
                    Timestamp now, std::vector<RiskEvent>& events) {
  Cooldown& c = s.cooldown(reason);
  if (c.until >= until) return;  // never shorten a running cool-down of the same reason
  c.until = until;
  RiskEvent e =
      make_event(RiskEvent::Kind::kCooldown, Rule::kCooldown, std::move(why), now, s.trading_state);
  e.cooldown = reason;
  e.cooldown_until = until;
  events.push_back(std::move(e));
}

void append(std::vector<RiskEvent>& to, std::vector<RiskEvent> from) {
  for (auto& e : from) to.push_back(std::move(e));
}

// "10 min", "20 s", "1 min 30 s": a cool-down shorter than a minute is not "0 min".
std::string length_of(Duration d) {
  const long seconds =
      static_cast<long>(std::chrono::duration_cast<std::chrono::seconds>(d).count());
  if (seconds < 60) return fmt::format("{} s", seconds);
  if (seconds % 60 == 0) return fmt::format("{} min", seconds / 60);
  return fmt::format("{} min {} s", seconds / 60, seconds % 60);
}

}  // namespace

std::vector<RiskEvent> Engine::apply_breakers(RiskState& state, Timestamp now) const {
  std::vector<RiskEvent> events;
  const TradingState before = state.trading_state;
  roll_periods(state, now);
  update_drawdown(state);
  expire_timers(state, now);
  expire_breakers(state, now, events);
  trip_breakers(limits_, state, now, events);
  refresh_trading_state(state);
  for (RiskEvent& e : events) {
    e.state_before = before;
    e.state_after = state.trading_state;
  }
  state.updated = now;
  return events;
}

std::vector<RiskEvent> Engine::on_equity(RiskState& state, Decimal equity, Timestamp now) const {
  if (state.equity.is_zero()) state.equity = equity;  // first mark: periods start here
  roll_periods(state, now);
  state.equity = equity;
  recompute_pnl(state);
  return apply_breakers(state, now);
}

std::vector<RiskEvent> Engine::on_withdrawal(RiskState& state, Decimal amount,
                                             Timestamp now) const {
  if (amount.is_positive()) {
    // A new day or week starts from the equity before the money left, as on_equity's would.
    roll_periods(state, now);
    state.equity -= amount;
    state.peak_equity -= amount;
    state.day_start_equity -= amount;
    state.week_start_equity -= amount;
    recompute_pnl(state);
  }
  return apply_breakers(state, now);
}

std::vector<RiskEvent> Engine::on_trade_closed(RiskState& state, Decimal pnl, Timestamp now) const {
  std::vector<RiskEvent> events;
  if (pnl.is_negative()) {
    ++state.consecutive_losses;
    state.consecutive_wins = 0;
    const Duration d = detail::loss_cooldown(limits_, state.consecutive_losses);
    start_cooldown(state, CooldownReason::kLoss, now + d,
                   fmt::format("loss cool-down {} after loss {} in a row (PnL {})", length_of(d),
                               state.consecutive_losses, text(pnl)),
                   now, events);
  } else {
    ++state.consecutive_wins;
    state.consecutive_losses = 0;
  }
  start_cooldown(
      state, CooldownReason::kTrade, now + limits_.trade_cooldown,
      fmt::format("trade cool-down {} after a closed trade", length_of(limits_.trade_cooldown)),
      now, events);
  append(events, apply_breakers(state, now));
  return events;
}

std::vector<RiskEvent> Engine::on_fill(RiskState& state, Timestamp now) const {
  std::vector<RiskEvent> events;
  start_cooldown(state, CooldownReason::kTrade, now + limits_.trade_cooldown,
                 fmt::format("trade cool-down {} after a fill", length_of(limits_.trade_cooldown)),
                 now, events);
  append(events, apply_breakers(state, now));
  return events;
}

std::vector<RiskEvent> Engine::on_volatility(RiskState& state, const std::string& symbol,
                                             double atr, double atr_mean20, Timestamp now) const {
  std::vector<RiskEvent> events;
  // Indicators still warming up (or broken) say nothing about volatility.
  if (std::isfinite(atr) && std::isfinite(atr_mean20) && atr_mean20 > 0.0) {
    const bool spike = atr > limits_.volatility_spike_factor * atr_mean20;
    std::vector<std::string>& spikes = state.volatility_spikes;
    const auto at = std::lower_bound(spikes.begin(), spikes.end(), symbol);
    const bool was = at != spikes.end() && *at == symbol;
    // Only the start of a symbol's spike starts the cool-down; afterwards rule 5 halves the
    // symbol's sizes while it lasts.
    if (spike && !was) {
      spikes.insert(at, symbol);
      start_cooldown(state, CooldownReason::kVolatility, now + limits_.volatility_cooldown,
                     fmt::format("volatility cool-down {}: {} ATR {:.6g} > {} x its 20-bar mean "
                                 "{:.6g}",
                                 length_of(limits_.volatility_cooldown), symbol, atr,
                                 limits_.volatility_spike_factor, atr_mean20),
                     now, events);
    } else if (!spike && was) {
      spikes.erase(at);
    }
  }
  append(events, apply_breakers(state, now));
  return events;
}

void Engine::on_order_sent(RiskState& state, Timestamp now) const {
  const Timestamp from = now - std::chrono::minutes(1);
  std::erase_if(state.order_times, [&](Timestamp t) { return t <= from; });
  state.order_times.push_back(now);
}

std::vector<RiskEvent> Engine::set_trading_state(RiskState& state, TradingState to,
                                                 std::string reason, Timestamp now) const {
  const TradingState before = state.trading_state;
  state.manual_state = to;
  state.manual_reason = std::move(reason);
  refresh_trading_state(state);
  RiskEvent e = make_event(RiskEvent::Kind::kState, Rule::kTradingState,
                           fmt::format("operator set {}: {}", to_string(to), state.manual_reason),
                           now, before);
  e.state_after = state.trading_state;
  std::vector<RiskEvent> events{std::move(e)};
  append(events, apply_breakers(state, now));
  return events;
}

std::vector<RiskEvent> Engine::manual_reset(RiskState& state, Timestamp now) const {
  std::vector<RiskEvent> events;
  const TradingState before = state.trading_state;
  for (std::size_t i = 0; i < kBreakerCount; ++i) {
    reset_breaker(state, static_cast<Breaker>(i), "manual reset", now, events);
  }
  state.manual_state = TradingState::kActive;
  state.manual_reason.clear();
  state.peak_equity = state.equity;
  state.day_start = core::utc_day_start(now);
  state.week_start = core::iso_week_start(now);
  state.day_start_equity = state.equity;
  state.week_start_equity = state.equity;
  recompute_pnl(state);
  refresh_trading_state(state);
  events.push_back(make_event(
      RiskEvent::Kind::kState, Rule::kTradingState,
      fmt::format("manual reset: breakers cleared, peak and day/week PnL restart at equity {}",
                  text(state.equity)),
      now, before));
  for (RiskEvent& ev : events) {
    ev.state_before = before;
    ev.state_after = state.trading_state;
  }
  append(events, apply_breakers(state, now));
  return events;
}

RiskState Engine::initial_state(Decimal equity, Timestamp now) const {
  RiskState state;
  state.equity = equity;
  state.peak_equity = equity;
  state.available_margin = equity;
  state.day_start = core::utc_day_start(now);
  state.week_start = core::iso_week_start(now);
  state.day_start_equity = equity;
  state.week_start_equity = equity;
  state.updated = now;
  return state;
}

}  // namespace tg4::risk
