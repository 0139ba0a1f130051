#pragma once
// The account a restarted node continues (issue 6 "kill -9, then restart: the same orders and
// positions"): read from the store before the pipeline starts. Paper and live accounts continue from
// the newest earlier session of the same mode: its portfolio (balances, positions at average cost,
// realised PnL, fees) and risk state, persisted on every change, and its open orders with their OCO
// links. The venue is then reconciled against it before any new order (Pipeline::start).
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "agents/regime.hpp"
#include "core/result.hpp"
#include "execution/order_manager.hpp"
#include "execution/portfolio.hpp"
#include "execution/venue.hpp"
#include "risk/types.hpp"
#include "storage/store.hpp"

namespace tg4::kernel {

struct RestoredAccount {
  std::string from_session;  // empty: nothing to continue (a first start)
  std::optional<execution::PortfolioState> portfolio;
  std::optional<risk::RiskState> risk;
  std::vector<execution::ManagedOrder> open_orders;
  // The newest stop of each symbol and side, when it has ended (canceled to free coins for an exit
  // or a take-profit, say): what OrderManager::cover_after_restart copies for a position left short.
  std::vector<execution::ManagedOrder> ended_stops;
  std::set<std::string> applied_exec_ids;  // fills already in the portfolio (for reconciliation)
  // By group (the entry's client id): the average price of the entry's fills, for each group with an
  // open order, in whichever session it filled (trailing stops continue from it).
  std::map<std::string, core::Decimal> entry_prices;
  // The fills of each open order (by client id), for the venue to continue from.
  std::map<std::string, execution::FillsSoFar> open_order_fills;
  std::uint64_t last_order_counter = 0;    // client ids continue after it
  // By symbol: the regime in force when that session stopped (its newest regime change), carried
  // over (RegimeTracker::carry_over); `time` is when it began. Rows that no longer parse are left
  // out and said in regime_problems.
  std::map<std::string, agents::RegimeReading> regimes;
  std::vector<std::string> regime_problems;
  // The model scoreboard as stored (it spans sessions and modes): scoring continues from it.
  std::vector<storage::ModelScoreRow> model_scores;

  bool empty() const { return from_session.empty(); }
};

// Reads the newest session of `mode` other than `current_session`. An Error names what could not be
// read (a store that fails, a state that no longer parses): starting on a half-restored account
// would be worse than not starting.
core::Result<RestoredAccount> load_account(storage::Store& store, const std::string& mode,
                                           const std::string& current_session);

// What the models' answers recorded since `since` cost (the verdict rows, which repeat their sum, are
// not counted): the day's LLM spend a restart continues, so a restart is not a fresh budget.
core::Result<core::Decimal> llm_spend_since(storage::Store& store, core::Timestamp since);

}  // namespace tg4::kernel
