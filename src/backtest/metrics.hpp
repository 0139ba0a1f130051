#pragma once
// Backtest statistics (docs/backtesting.md "Metrics"): round trips rebuilt from the fills, and the
// summary figures from the round trips and the equity curve. Pure functions of their inputs.
#include <functional>
#include <string>
#include <vector>

#include "backtest/backtest.hpp"
#include "execution/portfolio.hpp"

namespace tg4::backtest {

// The role of the order a fill belongs to ("entry", "stop_loss", "take_profit", "exit"), by client
// id.
using RoleOf = std::function<std::string(const std::string& client_order_id)>;

struct RoundTrips {
  std::vector<RoundTrip> closed;
  // Positions still open at the end: entry side, time and quantities only (not trades).
  std::vector<RoundTrip> open;
};

// Rebuilds round trips (flat -> flat per symbol) from the fills in order. `closed_trades` are the
// portfolio's closed parts in the same order (one per position-reducing fill); their
// reporting-currency PnL is summed into each trip's net_pnl_reporting.
RoundTrips build_round_trips(const std::vector<core::Fill>& fills,
                             const std::vector<execution::ClosedTrade>& closed_trades,
                             const RoleOf& role_of);

// Fills in the equity-curve figures (initial/final equity, returns, CAGR, Sharpe, Sortino, Calmar,
// drawdown and its duration) over [summary.start, summary.end], and the trade figures (count, wins,
// win rate, profit factor, expectancy, exposure, holding time) of `trips`.
void compute_equity_metrics(Summary& summary, const std::vector<EquityPoint>& equity);
void compute_trade_metrics(Summary& summary, const RoundTrips& trips);

// Drawdown column of the equity curve: fraction below the running peak, 8 decimals.
void fill_drawdowns(std::vector<EquityPoint>& equity);

}  // namespace tg4::backtest
