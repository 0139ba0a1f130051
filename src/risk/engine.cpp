// Engine::check: SPEC §7 rules 1-9 in order; the first failure decides.
#include "risk/engine.hpp"

#include <fmt/format.h>

#include <cassert>
#include <chrono>

#include "risk/rules_detail.hpp"

namespace tg4::risk {
namespace {

using detail::text;

const Decimal kHundred = Decimal::from_int(100);

Verdict make(VerdictStatus status, Rule rule, std::string reason, const RiskIntent& intent) {
  Verdict v;
  v.status = status;
  v.rule = rule;
  v.reason = std::move(reason);
  v.size_usd = intent.size_usd;
  v.leverage = intent.leverage;
  return v;
}

Verdict reject(Rule rule, std::string reason, const RiskIntent& intent) {
  return make(VerdictStatus::kRejected, rule, std::move(reason), intent);
}

// The work-in-progress of one check: size and leverage as rules 5 and 6 leave them.
struct Draft {
  Decimal size;
  Decimal leverage;
  Decimal stop_pct;  // rule 3's distance, reused by rule 5
  Rule first_change = Rule::kNone;
  std::vector<std::string> changes;

  void changed(Rule rule, std::string what) {
    if (first_change == Rule::kNone) first_change = rule;
    changes.push_back(std::move(what));
  }
  Decimal notional() const { return size * leverage; }
};

std::optional<Verdict> rule_trading_state(const RiskState& s, const RiskIntent& in) {
  if (s.trading_state == TradingState::kHalted) {
    std::string reason = fmt::format("trading is HALTED: {}",
                                     s.state_reason.empty() ? "no reason given" : s.state_reason);
    // Breaker reasons already say until when; an operator's halt does not.
    const std::string until = s.state_until.is_set() ? core::format_rfc3339(s.state_until, 0) : "";
    if (!until.empty() && reason.find(until) == std::string::npos) {
      reason += fmt::format(" (until {})", until);
    } else if (until.empty() && reason.find("manual reset") == std::string::npos) {
      reason += " (manual reset required)";
    }
    return make(VerdictStatus::kHalted, Rule::kTradingState, std::move(reason), in);
  }
  if (s.trading_state == TradingState::kReducing && !in.reduces_exposure) {
    return reject(
        Rule::kTradingState,
        fmt::format("trading is REDUCING ({}): only exposure-reducing intents are accepted",
                    s.state_reason.empty() ? "no reason given" : s.state_reason),
        in);
  }
  return std::nullopt;
}

std::optional<Verdict> rule_cooldown(const RiskState& s, const RiskIntent& in, Timestamp now) {
  std::string active;
  for (std::size_t i = 0; i < kCooldownCount; ++i) {
    const Cooldown& c = s.cooldowns[i];
    if (!c.active(now)) continue;
    const auto left = std::chrono::duration_cast<std::chrono::seconds>(c.until - now).count();
    if (!active.empty()) active += ", ";
    active += fmt::format("{} until {} ({} s left)", to_string(static_cast<CooldownReason>(i)),
                          core::format_rfc3339(c.until, 0), left);
  }
  if (active.empty()) return std::nullopt;
  return reject(Rule::kCooldown, "cool-down active: " + active, in);
}

std::optional<Verdict> rule_stop_loss(const RiskLimits& l, const RiskIntent& in, Draft& d) {
  if (!in.entry.is_positive())
    return reject(Rule::kStopLoss, fmt::format("entry price must be > 0, got {}", in.entry), in);
  if (in.stop_loss.is_zero()) {
    if (l.require_stop_loss) return reject(Rule::kStopLoss, "stop-loss required", in);
    return std::nullopt;  // without a stop there is no distance: rule 5 applies no risk cap
  }
  const bool buy = in.side == Side::kBuy;
  if (buy ? in.stop_loss >= in.entry : in.stop_loss <= in.entry) {
    return reject(Rule::kStopLoss,
                  fmt::format("stop-loss {} is on the wrong side of entry {} for a {}",
                              in.stop_loss, in.entry, core::to_string(in.side)),
                  in);
  }
  const Decimal risk_per_unit = (in.entry - in.stop_loss).abs();
  d.stop_pct = risk_per_unit * kHundred / in.entry;
  if (d.stop_pct < l.min_stop_pct || d.stop_pct > l.max_stop_pct) {
    return reject(Rule::kStopLoss,
                  fmt::format("stop-loss distance {}% of entry is outside {}%-{}%",
                              text(d.stop_pct), text(l.min_stop_pct), text(l.max_stop_pct)),
                  in);
  }
  if (!in.take_profit || in.take_profit->is_zero()) return std::nullopt;
  const Decimal tp = *in.take_profit;
  if (buy ? tp <= in.entry : tp >= in.entry) {
    return reject(Rule::kStopLoss,
                  fmt::format("take-profit {} is on the wrong side of entry {} for a {}", tp,
                              in.entry, core::to_string(in.side)),
                  in);
  }
  const Decimal rr = (tp - in.entry).abs() / risk_per_unit;
  if (rr < l.min_reward_risk) {
    return reject(Rule::kStopLoss,
                  fmt::format("reward:risk {} is below {}", text(rr), text(l.min_reward_risk)), in);
  }
  return std::nullopt;
}

std::optional<Verdict> rule_confidence(const RiskLimits& l, const RiskState& s,
                                       const RiskIntent& in) {
  if (in.confidence.is_negative() || in.confidence > Decimal::one()) {
    return reject(Rule::kConfidence, fmt::format("confidence {} is outside 0..1", in.confidence),
                  in);
  }
  const Decimal needed = detail::min_confidence(l, s.consecutive_losses, in.regime, in.strictness);
  if (in.confidence < needed) {
    return reject(
        Rule::kConfidence,
        fmt::format("confidence {} is below the minimum {} (regime {}, {} losses in a row, "
                    "strictness {})",
                    text(in.confidence), text(needed), to_string(in.regime), s.consecutive_losses,
                    to_string(in.strictness)),
        in);
  }
  return std::nullopt;
}

std::optional<Verdict> rule_size(const RiskLimits& l, const RiskState& s, const RiskIntent& in,
                                 Draft& d) {
  if (!in.size_usd.is_positive())
    return reject(Rule::kSize, fmt::format("size_usd must be > 0, got {}", in.size_usd), in);
  if (!s.equity.is_positive())
    return reject(Rule::kSize, fmt::format("equity {} leaves no room for a position", s.equity),
                  in);
  const Decimal cap = s.equity * l.max_position_pct / kHundred;
  if (d.size > cap) {
    d.changed(Rule::kSize, fmt::format("size {} capped at {}% of equity = {}", text(d.size),
                                       text(l.max_position_pct), text(cap)));
    d.size = cap;
  }
  // risk = size x stop distance <= max_risk_pct of equity
  const Decimal risk_cap =
      d.stop_pct.is_positive() ? s.equity * l.max_risk_pct / d.stop_pct : Decimal::max();
  if (d.size > risk_cap) {
    d.changed(Rule::kSize,
              fmt::format("size {} capped at {} so the risk at a {}% stop stays within "
                          "{}% of equity",
                          text(d.size), text(risk_cap), text(d.stop_pct), text(l.max_risk_pct)));
    d.size = risk_cap;
  }
  const auto scale = [&](Decimal factor, std::string_view why, std::string_view what = {}) {
    if (factor >= Decimal::one()) return;
    d.changed(Rule::kSize, fmt::format("size x {} ({}{})", text(factor), why, what));
    d.size = d.size * factor;
  };
  if (const auto* step = streak_step(l.size_streak_factor, s.consecutive_losses)) {
    scale(step->value, "loss streak of ", std::to_string(s.consecutive_losses));
  }
  if (s.volatility_spike) scale(l.volatility_size_factor, "volatility spike");
  scale(l.size_multiplier[static_cast<std::size_t>(in.regime)], "regime ", to_string(in.regime));
  if (d.size < in.size_usd)
    d.size = d.size.round_to_increment(l.size_increment, core::Rounding::kDown);
  if (!d.size.is_positive()) {
    return reject(Rule::kSize, fmt::format("size shrinks to 0 ({})", fmt::join(d.changes, "; ")),
                  in);
  }
  return std::nullopt;
}

std::optional<Verdict> rule_leverage(const RiskLimits& l, const RiskState& s, const RiskIntent& in,
                                     Draft& d) {
  if (in.leverage < Decimal::one())
    return reject(Rule::kLeverage, fmt::format("leverage must be >= 1, got {}", in.leverage), in);
  const Decimal cap = detail::leverage_cap(l, s, in.regime);
  if (d.leverage > cap) {
    d.changed(Rule::kLeverage,
              fmt::format("leverage {} capped at {} (regime {}, drawdown {}%, {} losses in a row)",
                          text(d.leverage), text(cap), to_string(in.regime), text(s.drawdown_pct),
                          s.consecutive_losses));
    d.leverage = cap;
  }
  return std::nullopt;
}

std::optional<Verdict> rule_total_exposure(const RiskLimits& l, const RiskState& s,
                                           const RiskIntent& in, const Draft& d) {
  Decimal total = d.notional();
  for (const auto& p : s.open_positions) total += p.exposure_usd.abs();
  const Decimal limit = s.equity * l.max_total_exposure_pct / kHundred;
  if (total <= limit) return std::nullopt;
  return reject(Rule::kTotalExposure,
                fmt::format("total exposure {} (open {} + new {}) exceeds {}% of equity = {}",
                            text(total), text(total - d.notional()), text(d.notional()),
                            text(l.max_total_exposure_pct), text(limit)),
                in);
}

std::optional<Verdict> rule_correlated(const RiskLimits& l, const RiskState& s,
                                       const RiskIntent& in, const Draft& d) {
  Decimal total = d.notional();
  for (const auto& p : s.open_positions) {
    const Decimal rho = l.correlation(in.symbol, p.symbol);
    if (rho > l.correlation_threshold) total += p.exposure_usd.abs() * rho;
  }
  const Decimal limit = s.equity * l.max_correlated_exposure_pct / kHundred;
  if (total <= limit) return std::nullopt;
  return reject(
      Rule::kCorrelatedExposure,
      fmt::format("correlated exposure {} for {} (new {}) exceeds {}% of equity = {}", text(total),
                  in.symbol, text(d.notional()), text(l.max_correlated_exposure_pct), text(limit)),
      in);
}

std::optional<Verdict> rule_order_rate(const RiskLimits& l, const RiskState& s,
                                       const RiskIntent& in, Timestamp now) {
  const int sent = detail::orders_last_minute(s, now);
  if (sent < l.max_orders_per_minute) return std::nullopt;
  return reject(Rule::kMarginAndLimits,
                fmt::format("order rate: {} orders in the last minute, limit {}", sent,
                            l.max_orders_per_minute),
                in);
}

std::optional<Verdict> rule_margin_and_limits(const RiskLimits& l, const RiskState& s,
                                              const RiskIntent& in, const Draft& d, Timestamp now) {
  if (d.size > s.available_margin) {
    return reject(Rule::kMarginAndLimits,
                  fmt::format("insufficient margin: size {} exceeds available {}", text(d.size),
                              text(s.available_margin)),
                  in);
  }
  int same = 0;
  for (const auto& p : s.open_positions) same += p.symbol == in.symbol ? 1 : 0;
  if (same >= l.max_positions_per_symbol) {
    return reject(Rule::kMarginAndLimits,
                  fmt::format("{} positions open in {}, limit {} per symbol", same, in.symbol,
                              l.max_positions_per_symbol),
                  in);
  }
  const int total = static_cast<int>(s.open_positions.size());
  if (total >= l.max_positions_total) {
    return reject(Rule::kMarginAndLimits,
                  fmt::format("{} positions open, limit {} in total", total, l.max_positions_total),
                  in);
  }
  return rule_order_rate(l, s, in, now);
}

// Exits and flattening only need the venue's order rate: blocking them on cool-downs, stops or
// exposure would keep risk on the book.
Verdict check_reducing(const RiskLimits& l, const RiskState& s, const RiskIntent& in,
                       Timestamp now) {
  if (in.size_usd.is_negative())
    return reject(Rule::kSize, fmt::format("size_usd must be >= 0, got {}", in.size_usd), in);
  if (auto v = rule_order_rate(l, s, in, now)) return *v;
  return make(VerdictStatus::kApproved, Rule::kNone,
              "exposure-reducing intent: rules 2-8 do not apply", in);
}

Verdict evaluate(const RiskLimits& l, const RiskState& s, const RiskIntent& in, Timestamp now) {
  if (in.is_cancel) return make(VerdictStatus::kApproved, Rule::kNone, "cancels always pass", in);
  if (auto v = rule_trading_state(s, in)) return *v;
  if (in.reduces_exposure) return check_reducing(l, s, in, now);
  if (auto v = rule_cooldown(s, in, now)) return *v;
  Draft d{in.size_usd, in.leverage, Decimal::zero(), Rule::kNone, {}};
  if (auto v = rule_stop_loss(l, in, d)) return *v;
  if (auto v = rule_confidence(l, s, in)) return *v;
  if (auto v = rule_size(l, s, in, d)) return *v;
  if (auto v = rule_leverage(l, s, in, d)) return *v;
  if (auto v = rule_total_exposure(l, s, in, d)) return *v;
  if (auto v = rule_correlated(l, s, in, d)) return *v;
  if (auto v = rule_margin_and_limits(l, s, in, d, now)) return *v;
  if (d.first_change == Rule::kNone)
    return make(VerdictStatus::kApproved, Rule::kNone, "all rules passed", in);
  Verdict v = make(VerdictStatus::kModified, d.first_change,
                   fmt::format("{}", fmt::join(d.changes, "; ")), in);
  v.size_usd = d.size;
  v.leverage = d.leverage;
  v.warnings = std::move(d.changes);
  return v;
}

}  // namespace

Verdict enforce_shrink_only(const RiskIntent& intent, Verdict verdict) {
  const bool grew = verdict.size_usd > intent.size_usd || verdict.leverage > intent.leverage;
  const bool same = verdict.size_usd == intent.size_usd && verdict.leverage == intent.leverage;
  const bool bad_modified = verdict.status == VerdictStatus::kModified && (grew || same);
  const bool bad_approved = verdict.status == VerdictStatus::kApproved && !same;
  if (!bad_modified && !bad_approved) return verdict;
  Verdict v;
  v.status = VerdictStatus::kRejected;
  v.rule = Rule::kInternal;
  v.reason = fmt::format(
      "internal error: {} verdict by rule {} would change size {} -> {} and leverage {} -> {}; "
      "only shrinking is allowed",
      to_string(verdict.status), rule_label(verdict.rule), intent.size_usd, verdict.size_usd,
      intent.leverage, verdict.leverage);
  v.size_usd = intent.size_usd;
  v.leverage = intent.leverage;
  return v;
}

Engine::Engine(RiskLimits limits) : limits_(std::move(limits)) {}

Verdict Engine::check(const RiskState& state, const RiskIntent& intent, Timestamp now) const {
  Verdict verdict = evaluate(limits_, state, intent, now);
  Verdict guarded = enforce_shrink_only(intent, std::move(verdict));
  assert(guarded.rule != Rule::kInternal && "risk verdict grew an intent");
  return guarded;
}

RiskEvent Engine::verdict_event(const RiskIntent& intent, const Verdict& verdict,
                                const RiskState& state, Timestamp now) {
  RiskEvent e;
  e.kind = RiskEvent::Kind::kVerdict;
  e.time = now;
  e.rule = verdict.rule;
  e.reason = verdict.reason;
  e.intent_id = intent.intent_id;
  e.symbol = intent.symbol;
  e.verdict = verdict.status;
  e.state_before = state.trading_state;
  e.state_after = state.trading_state;
  return e;
}

}  // namespace tg4::risk
