#include "sim/symbol_market.hpp"

#include <algorithm>
#include <cmath>

namespace tg4::sim {

SymbolMarket::SymbolMarket(const SimSymbol& symbol, const PriceModel& model, PriceState start, std::uint64_t seed,
                           std::int64_t next_trade_id, core::Timestamp start_time, double events_per_second)
    : symbol_(symbol),
      model_(model),
      state_(start),
      rng_(seed),
      book_(symbol.instrument.price_increment),
      rate_(events_per_second > 0 ? events_per_second : 1.0),
      now_(core::floor_to(start_time, std::chrono::microseconds(1))),
      next_trade_id_(next_trade_id) {
  seed_book();
  next_event_ = now_ + next_gap();
}

core::Duration SymbolMarket::next_gap() {
  // Whole microseconds, the resolution of Kraken's timestamps; never two events at one instant.
  const auto us = std::max<std::int64_t>(1, std::llround(rng_.exponential(rate_) * 1e6));
  return std::chrono::microseconds(us);
}

std::int64_t SymbolMarket::fair_ticks() const {
  const double t = state_.price() / symbol_.instrument.price_increment.to_double();
  return std::max<std::int64_t>(1, std::llround(t));
}

core::Decimal SymbolMarket::level_qty(std::size_t rank_hint) {
  const auto& inst = symbol_.instrument;
  const double q = symbol_.typical_level_qty * rng_.lognormal(-0.3, 0.9) * (1.0 + static_cast<double>(rank_hint) / 300.0);
  const core::Decimal d = core::Decimal::from_double(q, inst.qty_precision);
  return d.is_positive() ? d : inst.qty_min;
}

core::Decimal SymbolMarket::trade_qty() {
  const auto& inst = symbol_.instrument;
  const double q = symbol_.typical_trade_qty * rng_.lognormal(-0.5, 1.1);
  const core::Decimal d = core::Decimal::from_double(q, inst.qty_precision);
  return d.is_positive() ? d : inst.qty_increment;
}

void SymbolMarket::seed_book() {
  const std::int64_t f = fair_ticks();
  const double gap = symbol_.level_gap_ticks;
  const auto step_for = [&](std::size_t rank) {
    const double mean = 1.0 + (gap - 1.0) * std::min(1.0, static_cast<double>(rank) / 50.0);
    return 1 + rng_.geometric(mean - 1.0);
  };
  std::int64_t bid = std::max<std::int64_t>(1, f - 1);
  for (std::size_t r = 0; r < kLevelsPerSide && bid >= 1; ++r) {
    book_.set(true, bid, level_qty(r));
    bid -= step_for(r + 1);
  }
  std::int64_t ask = std::max<std::int64_t>(bid + 1, f);
  ask = std::max<std::int64_t>(*book_.best(true) + 1, ask);
  for (std::size_t r = 0; r < kLevelsPerSide; ++r) {
    book_.set(false, ask, level_qty(r));
    ask += step_for(r + 1);
  }
}

void SymbolMarket::record(std::optional<LevelChange> change, MarketStep& out) {
  if (change) out.changes.push_back(*change);
}

void SymbolMarket::step(MarketStep& out) {
  out.clear();
  const double dt = static_cast<double>((next_event_ - now_).count()) / 1e9;
  now_ = next_event_;
  out.time = now_;
  model_.advance(state_, rng_, dt);

  const std::int64_t f = fair_ticks();
  const auto bb = book_.best(true);
  const auto ba = book_.best(false);
  const core::Decimal unbounded = core::Decimal::from_int(1'000'000'000'000LL);
  if (ba && f > *ba) {
    // The fair price moved through the asks: takers lift them, or makers pull them.
    if (rng_.chance(0.5)) take(core::Side::kBuy, unbounded, f, out);
    else pull(false, f, out);
  } else if (bb && f < *bb) {
    if (rng_.chance(0.5)) take(core::Side::kSell, unbounded, f, out);
    else pull(true, f, out);
  } else {
    const double u = rng_.uniform();
    if (u < 0.28) {
      const double mid = bb && ba ? 0.5 * static_cast<double>(*bb + *ba) : static_cast<double>(f);
      const double spread = bb && ba ? static_cast<double>(*ba - *bb) : 1.0;
      const double lean = std::clamp((static_cast<double>(f) - mid) / (spread + 1.0), -0.5, 0.5);
      const auto side = rng_.chance(0.5 + 0.6 * lean) ? core::Side::kBuy : core::Side::kSell;
      take(side, trade_qty(), side == core::Side::kBuy ? INT64_MAX : 0, out);
    } else if (u < 0.66) {
      add_liquidity(out);
    } else {
      cancel_liquidity(out);
    }
  }
  requote(out);
  maintain_depth(out);
  next_event_ = now_ + next_gap();
}

void SymbolMarket::take(core::Side side, core::Decimal qty, std::int64_t limit_ticks, MarketStep& out) {
  const bool buy = side == core::Side::kBuy;
  const auto ord_type = rng_.chance(0.75) ? core::OrderType::kMarket : core::OrderType::kLimit;
  core::Decimal remaining = qty;
  while (remaining.is_positive()) {
    const auto& levels = book_.side(!buy);
    if (levels.empty()) break;
    const BookLevel level = levels.front();
    if (buy ? level.ticks > limit_ticks : level.ticks < limit_ticks) break;
    const core::Decimal fill = core::min(level.qty, remaining);
    out.trades.push_back(MarketTrade{side, level.ticks, fill, ord_type, next_trade_id_++, now_});
    record(book_.set(!buy, level.ticks, level.qty - fill), out);
    remaining -= fill;
  }
}

void SymbolMarket::add_liquidity(MarketStep& out) {
  const bool bid = rng_.chance(0.5);
  const auto bb = book_.best(true);
  const auto ba = book_.best(false);
  const std::int64_t f = fair_ticks();
  std::int64_t t = 0;
  if (bb && ba && *ba - *bb > 1 && rng_.chance(0.6)) {
    // Improve the quote inside a wide spread, near the fair price.
    t = bid ? std::min(*ba - 1, std::max(*bb + 1, f - rng_.geometric(1.0)))
            : std::max(*bb + 1, std::min(*ba - 1, f + 1 + rng_.geometric(1.0)));
  } else {
    const auto best = book_.best(bid);
    const std::int64_t d = rng_.geometric(3.0 * symbol_.level_gap_ticks);
    if (best) t = bid ? *best - d : *best + d;
    else t = bid ? f - 1 : f + 1;
    if (bid && ba && t >= *ba) t = *ba - 1;
    if (!bid && bb && t <= *bb) t = *bb + 1;
  }
  if (t < 1) return;
  const core::Decimal existing = book_.qty_at(bid, t);
  const auto rank = book_.rank(bid, t);
  const core::Decimal add = level_qty(rank < 0 ? 0 : static_cast<std::size_t>(rank));
  record(book_.set(bid, t, existing.is_zero() ? add : existing + add), out);
}

void SymbolMarket::pull(bool bid, std::int64_t through_ticks, MarketStep& out) {
  // Up to a few stale quotes on the wrong side of the fair price are cancelled.
  for (int k = 0; k < 4; ++k) {
    const auto best = book_.best(bid);
    if (!best || (bid ? *best < through_ticks : *best > through_ticks)) break;
    record(book_.set(bid, *best, core::Decimal::zero()), out);
  }
}

void SymbolMarket::requote(MarketStep& out) {
  // Market makers step back in around the fair price after it moved or a taker cleared the touch, so
  // the spread stays a few ticks wide instead of trailing a trend.
  const std::int64_t f = fair_ticks();
  const auto bb = book_.best(true);
  if (bb && *bb < f - 1 && rng_.chance(0.7)) {
    const auto ba = book_.best(false);
    const std::int64_t t = std::max(*bb + 1, f - 1 - rng_.geometric(0.5));
    if (!ba || t < *ba) record(book_.set(true, t, book_.qty_at(true, t) + level_qty(0)), out);
  }
  const auto ba = book_.best(false);
  if (ba && *ba > f + 1 && rng_.chance(0.7)) {
    const auto bid = book_.best(true);
    const std::int64_t t = std::min(*ba - 1, f + 1 + rng_.geometric(0.5));
    if (!bid || t > *bid) record(book_.set(false, t, book_.qty_at(false, t) + level_qty(0)), out);
  }
}

void SymbolMarket::cancel_liquidity(MarketStep& out) {
  const bool bid = rng_.chance(0.5);
  const auto& levels = book_.side(bid);
  if (levels.size() < 2) return;
  const auto r = static_cast<std::size_t>(std::min<std::int64_t>(rng_.geometric(4.0), static_cast<std::int64_t>(levels.size()) - 1));
  const BookLevel level = levels[r];
  if (rng_.chance(0.45)) {
    record(book_.set(bid, level.ticks, core::Decimal::zero()), out);
    return;
  }
  const double keep = 0.2 + 0.7 * rng_.uniform();
  const core::Decimal left = core::Decimal::from_double(level.qty.to_double() * keep, symbol_.instrument.qty_precision);
  record(book_.set(bid, level.ticks, left), out);
}

void SymbolMarket::maintain_depth(MarketStep& out) {
  const double gap = symbol_.level_gap_ticks;
  for (const bool bid : {true, false}) {
    while (book_.side(bid).size() < kLevelsPerSide) {
      const auto& levels = book_.side(bid);
      const std::int64_t f = fair_ticks();
      std::int64_t t = 0;
      if (levels.empty()) {
        const auto other = book_.best(!bid);
        t = bid ? (other ? std::min(f, *other) - 1 : f - 1) : (other ? std::max(f, *other) + 1 : f + 1);
      } else {
        const std::int64_t step = 1 + rng_.geometric(gap - 1.0);
        t = bid ? levels.back().ticks - step : levels.back().ticks + step;
      }
      if (t < 1) break;  // a cheap pair cannot have levels below one tick
      record(book_.set(bid, t, level_qty(levels.size())), out);
    }
    while (book_.side(bid).size() > kLevelsPerSide + 40) {
      record(book_.set(bid, book_.side(bid).back().ticks, core::Decimal::zero()), out);
    }
  }
}

}  // namespace tg4::sim
