#include "kernel/account_restore.hpp"

#include <fmt/format.h>

#include <boost/json.hpp>
#include <map>
#include <utility>

#include "core/ids.hpp"
#include "execution/portfolio_state.hpp"
#include "risk/state_json.hpp"

namespace tg4::kernel {
namespace {

core::Result<execution::OrderRole> parse_role(const std::string& text) {
  for (const auto role : {execution::OrderRole::kEntry, execution::OrderRole::kStopLoss,
                          execution::OrderRole::kTakeProfit, execution::OrderRole::kExit,
                          execution::OrderRole::kHolding}) {
    if (text == execution::to_string(role)) return role;
  }
  return core::Error::of("unknown order role '" + text + "'");
}

core::Result<execution::ManagedOrder> to_managed(storage::Store& store, const storage::OrderRow& row) {
  auto role = parse_role(row.role);
  if (!role) return core::Error::of("order " + row.client_order_id + ": " + role.error().message);
  execution::ManagedOrder order;
  execution::OrderRequest& r = order.request;
  r.client_order_id = row.client_order_id;
  r.symbol = row.symbol;
  r.side = row.side;
  r.type = row.type;
  r.qty = row.qty;
  r.limit_price = row.limit_price;
  r.trigger_price = row.stop_price;
  r.leverage = row.leverage;
  r.reduce_only = *role != execution::OrderRole::kEntry && *role != execution::OrderRole::kHolding;
  order.role = *role;
  order.intent_id = row.intent_id;
  order.group = row.group_id.empty() ? row.client_order_id : row.group_id;
  order.source = row.source;
  order.status = row.status;
  order.venue_order_id = row.venue_order_id;
  order.filled = row.filled_qty;
  order.avg_price = row.avg_price;
  order.fees = row.fees;
  order.stop_loss = row.plan_stop_loss;
  order.take_profit = row.plan_take_profit;
  order.held_locally = row.held_by == "local";
  order.reason = row.reason;
  order.created = row.created;
  order.updated = row.updated;
  // Later events continue the order's sequence (order_events is keyed by id and sequence).
  auto events = store.order_events(row.client_order_id);
  if (!events) return core::Error::of("order " + row.client_order_id + " events: " + events.error().message);
  for (const auto& event : *events) order.event_seq = std::max(order.event_seq, event.seq);
  return order;
}

std::optional<storage::SessionRow> previous_session(const std::vector<storage::SessionRow>& sessions,
                                                    const std::string& mode, const std::string& current) {
  for (const auto& session : sessions) {  // newest first
    if (session.mode == mode && session.session_id != current) return session;
  }
  return std::nullopt;
}

core::Status restore_state(storage::Store& store, const std::string& session, RestoredAccount& account) {
  auto row = store.risk_state(session);
  if (!row) return core::Error::of("risk state of session " + session + ": " + row.error().message);
  if (!row->has_value()) return {};
  auto risk = risk::state_from_json_text((*row)->state_json);
  if (!risk) return core::Error::of("risk state of session " + session + ": " + risk.error().message);
  account.risk = std::move(*risk);
  if ((*row)->portfolio_json.empty()) return {};
  auto portfolio = execution::portfolio_state_from_json((*row)->portfolio_json);
  if (!portfolio) return core::Error::of("portfolio of session " + session + ": " + portfolio.error().message);
  account.portfolio = std::move(*portfolio);
  return {};
}

// A regime row's reading (provider "rules" or "consensus"), or why it cannot be read. `parsed`: its
// parsed_json, null when that is not a JSON object.
core::Result<agents::RegimeReading> regime_of(const storage::DecisionRow& row,
                                              const boost::json::object* parsed) {
  const auto problem = [&](const std::string& what) {
    return core::Error::of(fmt::format("regime row {} of {} at {}: {}", row.decision_id, row.symbol,
                                       core::format_rfc3339(row.time, 0), what));
  };
  auto regime = agents::parse_market_regime(row.action);
  if (!regime) return problem(regime.error().message);
  if (parsed == nullptr) return problem("parsed_json is not a JSON object");
  const boost::json::object& o = *parsed;
  agents::RegimeReading reading;
  reading.symbol = row.symbol;
  reading.regime = *regime;
  reading.confidence = row.confidence;
  reading.source = row.model;
  reading.by_models = row.provider == "consensus";
  reading.time = row.time;
  if (const auto* s = o.if_contains("strictness"); s != nullptr && s->is_string()) {
    const auto strictness = risk::parse_strictness(std::string_view(s->get_string()));
    if (!strictness) return problem("strictness '" + std::string(s->get_string()) + "' is not one");
    reading.strictness = *strictness;
  }
  if (const auto* r = o.if_contains("reasoning"); r != nullptr && r->is_string())
    reading.reasoning = r->get_string();
  return reading;
}

// Whether a regime row changed its symbol's regime: said by the row, else (rows written before it
// was) only the rules' rows did, being recorded on a change only.
bool changed_regime(const storage::DecisionRow& row, const boost::json::object* parsed) {
  const auto* changed = parsed != nullptr ? parsed->if_contains("changed") : nullptr;
  if (changed != nullptr && changed->is_bool()) return changed->get_bool();
  return row.provider == "rules";
}

// The newest regime change of each symbol in the session's decisions (newest first).
void restore_regimes(storage::Store& store, const storage::Scope& scope, RestoredAccount& account) {
  constexpr std::size_t kMostRows = 200'000;
  auto rows = store.decisions(scope, kMostRows);
  if (!rows) {
    account.regime_problems.push_back("decisions of session " + scope.session_id + ": " +
                                      rows.error().message);
    return;
  }
  for (const storage::DecisionRow& row : *rows) {
    if (row.agent != "regime" || (row.provider != "rules" && row.provider != "consensus")) continue;
    if (account.regimes.contains(row.symbol)) continue;
    boost::system::error_code ec;
    const boost::json::value parsed = boost::json::parse(row.parsed_json, ec);
    const boost::json::object* object = !ec && parsed.is_object() ? &parsed.as_object() : nullptr;
    if (!changed_regime(row, object)) continue;
    auto reading = regime_of(row, object);
    if (!reading) {
      account.regime_problems.push_back(reading.error().message);
      continue;
    }
    account.regimes.emplace(row.symbol, std::move(*reading));
  }
}

}  // namespace

core::Result<RestoredAccount> load_account(storage::Store& store, const std::string& mode,
                                           const std::string& current_session) {
  auto sessions = store.sessions(100);
  if (!sessions) return core::Error::of("sessions: " + sessions.error().message);
  const auto previous = previous_session(*sessions, mode, current_session);
  RestoredAccount account;
  auto scores = store.model_scores();
  if (!scores) return core::Error::of("model scores: " + scores.error().message);
  account.model_scores = std::move(*scores);
  if (!previous) return account;
  account.from_session = previous->session_id;
  if (auto s = restore_state(store, previous->session_id, account); !s) return s.error();

  // One read of the session's orders: the open ones are restored, all of them bound the id counter.
  storage::OrderQuery query;
  query.scope = {previous->session_id, mode};
  query.limit = 1'000'000;
  auto orders = store.orders(query);
  if (!orders) return core::Error::of("orders of session " + previous->session_id + ": " + orders.error().message);
  std::vector<std::string> ids;
  std::map<std::pair<std::string, core::Side>, const storage::OrderRow*> newest_stops;
  for (const auto& row : *orders) {
    ids.push_back(row.client_order_id);
    if (row.role == execution::to_string(execution::OrderRole::kStopLoss)) {
      const storage::OrderRow*& newest = newest_stops[{row.symbol, row.side}];
      if (newest == nullptr || row.created > newest->created) newest = &row;
    }
    if (core::is_terminal(row.status)) continue;
    auto order = to_managed(store, row);
    if (!order) return order.error();
    account.open_orders.push_back(std::move(*order));
  }
  for (const auto& [key, row] : newest_stops) {
    // An open one is restored above; one that traded had its trigger crossed: nothing to copy.
    if (!core::is_terminal(row->status) || row->filled_qty.is_positive()) continue;
    auto order = to_managed(store, *row);
    if (!order) return order.error();
    account.ended_stops.push_back(std::move(*order));
  }
  account.last_order_counter = core::ClientOrderIdGenerator::max_counter(ids);
  restore_regimes(store, {previous->session_id, mode}, account);

  auto fills = store.fills({"", mode}, storage::TimeRange{});
  if (!fills) return core::Error::of("fills: " + fills.error().message);
  std::set<std::string> open_ids;
  std::map<std::string, execution::FillsSoFar> entries;  // by group
  for (const auto& order : account.open_orders) {
    open_ids.insert(order.request.client_order_id);
    entries.try_emplace(order.group);
  }
  for (const auto& row : *fills) {
    account.applied_exec_ids.insert(row.fill.exec_id);
    if (open_ids.contains(row.fill.client_order_id)) account.open_order_fills[row.fill.client_order_id].add(row.fill);
    if (const auto entry = entries.find(row.fill.client_order_id); entry != entries.end()) entry->second.add(row.fill);
  }
  for (const auto& [group, filled] : entries) {
    if (filled.qty.is_positive()) account.entry_prices[group] = filled.cost / filled.qty;
  }
  return account;
}

core::Result<core::Decimal> llm_spend_since(storage::Store& store, core::Timestamp since) {
  constexpr std::size_t kMostRows = 200'000;  // a day of 1-minute questions to several models
  auto rows = store.decisions(storage::Scope{}, kMostRows);  // newest first
  if (!rows) return core::Error::of("decisions: " + rows.error().message);
  core::Decimal spent;
  for (const storage::DecisionRow& row : *rows) {
    if (row.time < since) break;
    if (row.provider != "consensus" && row.provider != "rules") spent += row.cost;
  }
  return spent;
}

}  // namespace tg4::kernel
