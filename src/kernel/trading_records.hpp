#pragma once
// The trading state as records: rows for the store (storage/records.hpp) and JSON documents for the
// operator API and the Redis state keys. One place turns orders, fills, positions and the portfolio
// into both, so what the operator sees is exactly what is recorded.
#include <boost/json.hpp>
#include <string>
#include <vector>

#include "agents/coordinator.hpp"
#include "agents/regime.hpp"
#include "agents/sentiment.hpp"
#include "agents/technical.hpp"
#include "execution/order_manager.hpp"
#include "execution/portfolio.hpp"
#include "storage/records.hpp"
#include "strategy/advice.hpp"

namespace tg4::kernel {

// Which session and mode ("paper", "live", "backtest") every row belongs to.
struct RecordScope {
  std::string session_id;
  std::string mode;
};

storage::OrderRow order_row(const execution::ManagedOrder& order, const RecordScope& scope);
storage::OrderEventRow order_event_row(const execution::ManagedOrder& order,
                                       const RecordScope& scope);
storage::FillRow fill_row(const core::Fill& fill, const RecordScope& scope);
storage::PositionRow position_row(const execution::Position& position,
                                  const execution::Portfolio& portfolio, const RecordScope& scope,
                                  core::Timestamp now);
// `set_aside`: the hodl bags' value, in the equity but not in the drawdown (the risk engine's peak
// is trading's).
storage::PortfolioSnapshotRow portfolio_row(const execution::Portfolio& portfolio,
                                            core::Decimal peak_equity, const RecordScope& scope,
                                            core::Timestamp now, core::Decimal set_aside = {});

boost::json::object order_json(const execution::ManagedOrder& order);
boost::json::object fill_json(const core::Fill& fill);
boost::json::object position_json(const execution::Position& position,
                                  const execution::Portfolio& portfolio);
boost::json::object portfolio_json(const execution::Portfolio& portfolio, core::Decimal peak_equity,
                                   core::Decimal set_aside = {});

// An advice as the store keeps it: one row per model asked (agent "decision") and one for the
// verdict (provider "rules" when the fallback decided, else "consensus").
std::vector<storage::DecisionRow> decision_rows(const strategy::Advice& advice,
                                                const RecordScope& scope);
boost::json::object advice_json(const strategy::Advice& advice);

// A regime reading as the store keeps it: one row per model asked (agent "regime") and one for the
// reading (action: the regime's name; provider "rules" or "consensus").
// `changed`: the reading changed the symbol's regime (parsed_json "changed"; a restart continues
// the regime of the newest such row).
std::vector<storage::DecisionRow> regime_rows(const agents::RegimeReading& reading,
                                              const RecordScope& scope, bool changed);
boost::json::object regime_json(const agents::RegimeReading& reading);

// A technical reading as the store keeps it: one row per model asked (agent "technical") and one
// for the reading (action: its bias; provider "rules" or "consensus"). `changed`: the reading
// changed the symbol's bias (parsed_json "changed").
std::vector<storage::DecisionRow> technical_rows(const agents::TechnicalReading& reading,
                                                 const RecordScope& scope, bool changed);
boost::json::object technical_json(const agents::TechnicalReading& reading);

// A sentiment reading as the store keeps it: one row per model asked (agent "sentiment") and one
// for the reading (action: its bias; provider "consensus", or "rules" when no model answered).
std::vector<storage::DecisionRow> sentiment_rows(const agents::SentimentReading& reading,
                                                 const RecordScope& scope, bool changed);
boost::json::object sentiment_json(const agents::SentimentReading& reading);

// A coordinator's verdict as the store keeps it: one row per model asked (agent "coordinator") and
// one for the verdict (action: proceed, wait, abort or modify; provider "consensus", "rules" or
// "timeout"; model: who judged). `applied`: false for an answer that came after the deadline (or
// after a newer decision replaced the one it judged), recorded for its cost and ignored.
std::vector<storage::DecisionRow> coordination_rows(const agents::Coordination& coordination,
                                                    const agents::CoordinationRequest& request,
                                                    const RecordScope& scope, bool applied);
boost::json::object coordination_json(const agents::Coordination& coordination,
                                      const agents::CoordinationRequest& request, bool applied);

// Drawdown from the peak as a fraction (0 when there is no peak yet), rounded to 8 digits.
core::Decimal drawdown_ratio(core::Decimal equity, core::Decimal peak_equity);

}  // namespace tg4::kernel
