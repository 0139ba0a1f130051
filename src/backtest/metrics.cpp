#include "backtest/metrics.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

namespace tg4::backtest {
namespace {

using core::Decimal;

constexpr double kDaysPerYear = 365.0;
constexpr double kSecondsPerDay = 86'400.0;
// CAGR (and Calmar, built on it) only for a period of at least a day.
constexpr double kMinDaysToAnnualise = 1.0;

// A ratio over a zero risk measure: unbounded for a gain, 0 for none, undefined for undefined.
double unbounded_ratio(double numerator) {
  if (std::isnan(numerator)) return numerator;
  return numerator > 0 ? std::numeric_limits<double>::infinity() : 0.0;
}
constexpr std::int64_t kNsPerDay = 86'400LL * 1'000'000'000;

double seconds(core::Duration d) {
  return static_cast<double>(d.count()) / 1e9;
}

double ratio(Decimal a, Decimal b) {
  return b.is_zero() ? 0.0 : a.to_double() / b.to_double();
}

// A trip being built for one symbol.
struct OpenTrip {
  RoundTrip trip;
  Decimal position;  // signed base quantity
  Decimal entry_notional, entry_qty, exit_notional, exit_qty;
};

Decimal average(Decimal notional, Decimal qty) {
  return qty.is_zero() ? Decimal{}
                       : Decimal::div(notional, qty, core::Rounding::kHalfEven).round(8);
}

void start_trip(OpenTrip& o, const core::Fill& fill) {
  o = OpenTrip{};
  o.trip.symbol = fill.symbol;
  o.trip.side = fill.side;
  o.trip.entry_time = fill.time;
}

void finish_trip(OpenTrip& o, core::Timestamp exit_time, std::string reason) {
  RoundTrip& t = o.trip;
  t.exit_time = exit_time;
  t.exit_reason = std::move(reason);
  t.qty = o.entry_qty;
  t.entry_price = average(o.entry_notional, o.entry_qty);
  t.exit_price = average(o.exit_notional, o.exit_qty);
  t.gross_pnl = t.side == core::Side::kBuy ? o.exit_notional - o.entry_notional
                                           : o.entry_notional - o.exit_notional;
  t.net_pnl = t.gross_pnl - t.fees;
  // The portfolio's figure carries the last digits of its average-price division: 8 decimals,
  // like the other money columns.
  t.net_pnl_reporting = t.net_pnl_reporting.round(8);
  t.return_pct = o.entry_notional.is_zero()
                     ? 0.0
                     : t.net_pnl.to_double() / o.entry_notional.to_double() * 100.0;
}

// Fee in the quote currency, as the portfolio books it (a base-currency fee at the fill price).
Decimal fee_in_quote(const core::Fill& fill) {
  const auto parts = core::split_symbol(fill.symbol);
  if (parts && fill.fee_currency == parts->first) return fill.fee * fill.price;
  return fill.fee;
}

}  // namespace

RoundTrips build_round_trips(const std::vector<core::Fill>& fills,
                             const std::vector<execution::ClosedTrade>& closed_trades,
                             const RoleOf& role_of) {
  RoundTrips out;
  std::map<std::string, OpenTrip> open;
  std::size_t closed_index = 0;
  for (const core::Fill& fill : fills) {
    OpenTrip& o = open[fill.symbol];
    const Decimal signed_qty = fill.side == core::Side::kBuy ? fill.qty : -fill.qty;
    const Decimal fee = fee_in_quote(fill);
    const bool opening =
        o.position.is_zero() || o.position.is_positive() == signed_qty.is_positive();
    if (opening) {
      if (o.position.is_zero()) start_trip(o, fill);
      o.entry_notional += fill.price * fill.qty;
      o.entry_qty += fill.qty;
      o.trip.fees += fee;
      ++o.trip.entry_fills;
      o.position += signed_qty;
      continue;
    }
    // Reducing: the portfolio recorded one ClosedTrade for this fill.
    const Decimal closed = core::min(fill.qty, o.position.abs());
    const Decimal closing_fee = closed == fill.qty ? fee : fee * closed / fill.qty;
    o.exit_notional += fill.price * closed;
    o.exit_qty += closed;
    o.trip.fees += closing_fee;
    ++o.trip.exit_fills;
    if (closed_index < closed_trades.size())
      o.trip.net_pnl_reporting += closed_trades[closed_index++].pnl_reporting;
    o.position += signed_qty;
    if (!o.position.is_zero() && o.position.is_positive() != signed_qty.is_positive())
      continue;  // still open
    finish_trip(o, fill.time, role_of(fill.client_order_id));
    out.closed.push_back(o.trip);
    if (o.position.is_zero()) {
      o = OpenTrip{};
      continue;
    }
    // Flipped through zero: the remainder opens the next trip at this fill.
    const Decimal rest = fill.qty - closed;
    start_trip(o, fill);
    o.entry_notional = fill.price * rest;
    o.entry_qty = rest;
    o.trip.fees = fee - closing_fee;
    o.trip.entry_fills = 1;
    o.position = fill.side == core::Side::kBuy ? rest : -rest;
  }
  for (auto& [symbol, o] : open) {
    if (o.position.is_zero()) continue;
    RoundTrip t = o.trip;
    t.qty = o.position.abs();
    t.entry_price = average(o.entry_notional, o.entry_qty);
    t.exit_reason = "open";
    out.open.push_back(std::move(t));
  }
  return out;
}

void fill_drawdowns(std::vector<EquityPoint>& equity) {
  // Decimal division is slow and the curve is mostly flat (at its peak, or unchanged while no
  // position is open): divide only when the equity or the peak moved.
  Decimal peak, last_equity, last_peak, last_drawdown;
  for (EquityPoint& p : equity) {
    peak = core::max(peak, p.equity);
    if (p.equity == peak || !peak.is_positive()) {
      p.drawdown = Decimal{};
      continue;
    }
    if (p.equity != last_equity || peak != last_peak) {
      last_drawdown = Decimal::div(peak - p.equity, peak, core::Rounding::kHalfEven).round(8);
      last_equity = p.equity;
      last_peak = peak;
    }
    p.drawdown = last_drawdown;
  }
}

void compute_equity_metrics(Summary& s, const std::vector<EquityPoint>& equity) {
  if (equity.empty()) return;
  s.initial_equity = equity.front().equity;
  s.final_equity = equity.back().equity;
  s.net_pnl = s.final_equity - s.initial_equity;
  s.total_return =
      s.initial_equity.is_positive() ? ratio(s.final_equity, s.initial_equity) - 1.0 : 0.0;
  const double days = seconds(s.end - s.start) / kSecondsPerDay;
  if (days < kMinDaysToAnnualise) {
    // A few hours' return raised to the power of a year is noise (0.2 % in 68 minutes: 1.45e7),
    // not a growth rate: undefined, null in the outputs.
    s.cagr = std::numeric_limits<double>::quiet_NaN();
  } else if (s.initial_equity.is_positive()) {
    const double growth = ratio(s.final_equity, s.initial_equity);
    s.cagr = growth <= 0 ? -1.0 : std::pow(growth, kDaysPerYear / days) - 1.0;
  }

  // Daily returns: equity at each UTC midnight strictly inside the period (the last sample at or
  // before it), then at the end; each against the previous one, starting from the initial equity.
  std::vector<double> returns;
  double previous = s.initial_equity.to_double();
  std::size_t i = 0;
  auto equity_at = [&](core::Timestamp t) {
    while (i + 1 < equity.size() && equity[i + 1].time <= t) ++i;
    return equity[i].equity.to_double();
  };
  core::Timestamp day = core::Timestamp{(s.start.ns / kNsPerDay + 1) * kNsPerDay};
  for (; day < s.end; day = day + std::chrono::hours(24)) {
    const double e = equity_at(day);
    if (previous > 0) returns.push_back(e / previous - 1.0);
    previous = e;
  }
  if (previous > 0) returns.push_back(s.final_equity.to_double() / previous - 1.0);
  if (returns.size() >= 2) {
    double mean = 0;
    for (const double r : returns) mean += r;
    mean /= static_cast<double>(returns.size());
    double var = 0, down = 0;
    for (const double r : returns) {
      var += (r - mean) * (r - mean);
      down += r < 0 ? r * r : 0.0;
    }
    const double stdev = std::sqrt(var / static_cast<double>(returns.size() - 1));
    const double downside = std::sqrt(down / static_cast<double>(returns.size()));
    const double annual = std::sqrt(kDaysPerYear);
    s.sharpe = stdev > 0 ? mean / stdev * annual : 0.0;
    // No losing day: the downside deviation is zero, and a gain over it unbounded (as a profit
    // factor without losses), not zero: a sweep ranked by Sortino puts such a run first.
    s.sortino = downside > 0 ? mean / downside * annual : unbounded_ratio(mean);
  }

  // Drawdown: the deepest fall below the running peak, and the longest time from a peak until the
  // equity first gets back to it (or the end).
  double peak = 0;
  core::Timestamp peak_time = equity.front().time;
  bool under = false;
  for (const EquityPoint& p : equity) {
    const double e = p.equity.to_double();
    if (e >= peak) {
      if (under)
        s.max_drawdown_duration_s =
            std::max(s.max_drawdown_duration_s, seconds(p.time - peak_time));
      peak = e;
      peak_time = p.time;
      under = false;
      continue;
    }
    under = true;
    if (peak > 0) s.max_drawdown = std::max(s.max_drawdown, (peak - e) / peak);
  }
  if (under)
    s.max_drawdown_duration_s = std::max(s.max_drawdown_duration_s, seconds(s.end - peak_time));
  s.calmar = s.max_drawdown > 0 ? s.cagr / s.max_drawdown : unbounded_ratio(s.cagr);
}

void compute_trade_metrics(Summary& s, const RoundTrips& trips) {
  s.trades = trips.closed.size();
  Decimal total;
  double holding = 0;
  for (const RoundTrip& t : trips.closed) {
    const Decimal pnl = t.net_pnl_reporting;
    total += pnl;
    if (pnl.is_positive()) {
      ++s.wins;
      s.gross_profit += pnl;
    } else if (pnl.is_negative()) {
      ++s.losses;
      s.gross_loss += pnl;
    }
    holding += seconds(t.exit_time - t.entry_time);
  }
  if (s.trades > 0) {
    s.win_rate = static_cast<double>(s.wins) / static_cast<double>(s.trades);
    s.expectancy = Decimal::div(total, Decimal::from_int(static_cast<std::int64_t>(s.trades)),
                                core::Rounding::kHalfEven)
                       .round(8);
    s.avg_holding_s = holding / static_cast<double>(s.trades);
  }
  if (s.gross_loss.is_negative()) {
    s.profit_factor = s.gross_profit.to_double() / -s.gross_loss.to_double();
  } else if (s.gross_profit.is_positive()) {
    s.profit_factor = std::numeric_limits<double>::infinity();
  }

  // Exposure: the union of the time any position was open, within the period.
  std::vector<std::pair<core::Timestamp, core::Timestamp>> spans;
  for (const RoundTrip& t : trips.closed) spans.emplace_back(t.entry_time, t.exit_time);
  for (const RoundTrip& t : trips.open) spans.emplace_back(t.entry_time, s.end);
  std::sort(spans.begin(), spans.end());
  core::Duration covered{0};
  core::Timestamp reach = s.start;
  for (auto [from, to] : spans) {
    from = std::max(from, reach);
    to = std::min(to, s.end);
    if (to <= from) continue;
    covered += to - from;
    reach = to;
  }
  const double period = seconds(s.end - s.start);
  s.exposure = period > 0 ? seconds(covered) / period : 0.0;
}

}  // namespace tg4::backtest
