#include "kernel/trading_records.hpp"

#include <boost/json/serialize.hpp>

namespace tg4::kernel {
namespace {

namespace json = boost::json;

json::string text(const core::Decimal& value) { return json::string(value.to_string()); }

json::object balances_json(const execution::Portfolio& portfolio) {
  json::object balances;
  for (const auto& [asset, amount] : portfolio.balances()) balances[asset] = text(amount);
  return balances;
}

// The open position's profit at the mark price, in the quote currency.
core::Decimal unrealised(const execution::Position& position, core::Decimal mark) {
  return ((mark - position.avg_price) * position.qty).round(8);
}

}  // namespace

core::Decimal drawdown_ratio(core::Decimal equity, core::Decimal peak_equity) {
  if (peak_equity.is_zero() || equity >= peak_equity) return core::Decimal{};
  return ((peak_equity - equity) / peak_equity).round(8);
}

storage::OrderRow order_row(const execution::ManagedOrder& order, const RecordScope& scope) {
  storage::OrderRow row;
  const execution::OrderRequest& request = order.request;
  row.client_order_id = request.client_order_id;
  row.venue_order_id = order.venue_order_id;
  row.session_id = scope.session_id;
  row.mode = scope.mode;
  row.intent_id = order.intent_id;
  row.source = order.source;
  row.symbol = request.symbol;
  row.side = request.side;
  row.type = request.type;
  row.status = order.status;
  row.qty = request.qty;
  row.limit_price = request.limit_price;
  row.stop_price = request.trigger_price;
  row.leverage = request.leverage;
  row.filled_qty = order.filled;
  row.avg_price = order.avg_price;
  row.fees = order.fees;
  row.reason = order.reason;
  row.created = order.created;
  row.updated = order.updated;
  row.role = execution::to_string(order.role);
  row.group_id = order.group;
  row.plan_stop_loss = order.stop_loss;
  row.plan_take_profit = order.take_profit;
  row.held_by = order.held_locally ? "local" : "venue";
  return row;
}

storage::OrderEventRow order_event_row(const execution::ManagedOrder& order, const RecordScope& scope) {
  storage::OrderEventRow row;
  row.session_id = scope.session_id;
  row.mode = scope.mode;
  row.seq = order.event_seq;
  core::OrderUpdate& update = row.update;
  update.client_order_id = order.request.client_order_id;
  update.venue_order_id = order.venue_order_id;
  update.symbol = order.request.symbol;
  update.side = order.request.side;
  update.type = order.request.type;
  update.status = order.status;
  update.qty = order.request.qty;
  update.filled_qty = order.filled;
  update.limit_price = order.request.limit_price;
  update.avg_price = order.avg_price;
  update.reason = order.reason;
  update.time = order.updated;
  return row;
}

storage::FillRow fill_row(const core::Fill& fill, const RecordScope& scope) {
  return storage::FillRow{scope.session_id, scope.mode, fill};
}

storage::PositionRow position_row(const execution::Position& position, const execution::Portfolio& portfolio,
                                  const RecordScope& scope, core::Timestamp now) {
  storage::PositionRow row;
  row.session_id = scope.session_id;
  row.mode = scope.mode;
  row.symbol = position.symbol;
  row.qty = position.qty;
  row.avg_price = position.avg_price;
  row.realized_pnl = position.realised_pnl;
  const auto mark = portfolio.mark(position.symbol);
  row.mark_price = mark.value_or(core::Decimal{});
  if (mark && position.is_open()) row.unrealized_pnl = unrealised(position, *mark);
  row.opened = position.opened;
  row.updated = now;
  return row;
}

storage::PortfolioSnapshotRow portfolio_row(const execution::Portfolio& portfolio,
                                            core::Decimal peak_equity, const RecordScope& scope,
                                            core::Timestamp now, core::Decimal set_aside) {
  storage::PortfolioSnapshotRow row;
  row.session_id = scope.session_id;
  row.mode = scope.mode;
  row.time = now;
  row.currency = portfolio.reporting_currency();
  row.equity = portfolio.equity();
  row.cash = portfolio.balance(portfolio.reporting_currency());
  row.realized_pnl = portfolio.realised_pnl();
  row.unrealized_pnl = portfolio.unrealised_pnl();
  row.fees = portfolio.fees_paid();
  row.drawdown = drawdown_ratio(row.equity - set_aside, peak_equity);
  for (const auto& [symbol, position] : portfolio.positions()) {
    if (position.is_open()) row.exposure += portfolio.exposure(symbol);
  }
  row.balances_json = json::serialize(balances_json(portfolio));
  return row;
}

json::object order_json(const execution::ManagedOrder& order) {
  const execution::OrderRequest& request = order.request;
  json::object out;
  out["client_order_id"] = request.client_order_id;
  out["venue_order_id"] = order.venue_order_id;
  out["symbol"] = request.symbol;
  out["side"] = core::to_string(request.side);
  out["type"] = core::to_string(request.type);
  out["role"] = execution::to_string(order.role);
  if (order.held_locally) out["held_by"] = "local";
  out["status"] = core::to_string(order.status);
  out["qty"] = text(request.qty);
  out["filled"] = text(order.filled);
  out["avg_price"] = text(order.avg_price);
  if (!request.limit_price.is_zero()) out["limit_price"] = text(request.limit_price);
  if (!request.trigger_price.is_zero()) out["trigger_price"] = text(request.trigger_price);
  // A trailing move sent to the venue and not yet confirmed: trigger_price is still the venue's.
  if (!order.trigger_asked.is_zero()) out["trigger_asked"] = text(order.trigger_asked);
  if (request.leverage > core::Decimal::one()) out["leverage"] = text(request.leverage);  // margin
  out["source"] = order.source;
  out["reason"] = order.reason;
  out["created"] = core::format_rfc3339(order.created);
  out["updated"] = core::format_rfc3339(order.updated);
  return out;
}

json::object fill_json(const core::Fill& fill) {
  json::object out;
  out["exec_id"] = fill.exec_id;
  out["client_order_id"] = fill.client_order_id;
  out["symbol"] = fill.symbol;
  out["side"] = core::to_string(fill.side);
  out["price"] = text(fill.price);
  out["qty"] = text(fill.qty);
  out["fee"] = text(fill.fee);
  out["fee_currency"] = fill.fee_currency;
  out["maker"] = fill.maker;
  out["time"] = core::format_rfc3339(fill.time);
  return out;
}

json::object position_json(const execution::Position& position, const execution::Portfolio& portfolio) {
  json::object out;
  out["symbol"] = position.symbol;
  out["qty"] = text(position.qty);
  out["avg_price"] = text(position.avg_price);
  out["realised_pnl"] = text(position.realised_pnl);
  out["fees"] = text(position.fees);
  const auto mark = portfolio.mark(position.symbol);
  if (mark) {
    out["mark_price"] = text(*mark);
    out["unrealised_pnl"] = text(unrealised(position, *mark));
  }
  out["exposure"] = text(portfolio.exposure(position.symbol).round(8));
  out["opened"] = core::format_rfc3339(position.opened);
  if (position.margin) {  // paper.margin: a margin position (a short has a negative qty)
    out["margin"] = true;
    out["leverage"] = text(position.leverage);
    out["margin_used"] = text(position.margin_used().round(8));
  }
  return out;
}

json::object portfolio_json(const execution::Portfolio& portfolio, core::Decimal peak_equity,
                            core::Decimal set_aside) {
  const core::Decimal equity = portfolio.equity();
  json::object out;
  out["currency"] = portfolio.reporting_currency();
  out["equity"] = text(equity.round(8));
  if (!set_aside.is_zero()) out["trading_equity"] = text((equity - set_aside).round(8));
  out["peak_equity"] = text(peak_equity.round(8));
  out["drawdown"] = text(drawdown_ratio(equity - set_aside, peak_equity));
  out["realised_pnl"] = text(portfolio.realised_pnl().round(8));
  out["unrealised_pnl"] = text(portfolio.unrealised_pnl().round(8));
  out["fees"] = text(portfolio.fees_paid().round(8));
  out["balances"] = balances_json(portfolio);
  if (const core::Decimal used = portfolio.used_margin(); used.is_positive()) {  // margin positions open
    out["used_margin"] = text(used.round(8));
    out["free_margin"] = text((equity - used).round(8));
  }
  json::array unpriced;
  for (const auto& asset : portfolio.unpriced()) unpriced.emplace_back(asset);
  out["unpriced"] = std::move(unpriced);
  return out;
}

boost::json::object advice_json(const strategy::Advice& advice) {
  boost::json::object out;
  out["symbol"] = advice.symbol;
  out["action"] = strategy::to_string(advice.action);
  out["confidence"] = advice.confidence;
  const auto price = [&](const char* key, const std::optional<core::Decimal>& value) {
    if (value) out[key] = value->to_string();
  };
  price("entry", advice.entry);
  price("stop", advice.stop);
  price("target", advice.target);
  out["size_pct"] = advice.size_pct;
  out["reasoning"] = advice.reasoning;
  out["source"] = advice.source;
  return out;
}

namespace {

// One row per model asked; the verdict's row is the caller's, with the votes' prompt hash and cost.
std::vector<storage::DecisionRow> vote_rows(const std::vector<strategy::AdviceVote>& votes,
                                            const std::string& symbol, core::Timestamp time,
                                            const RecordScope& scope) {
  std::vector<storage::DecisionRow> rows;
  for (const strategy::AdviceVote& vote : votes) {
    storage::DecisionRow row;
    row.session_id = scope.session_id;
    row.mode = scope.mode;
    row.time = time;
    row.agent = vote.agent;
    row.provider = vote.provider;
    row.model = vote.model;
    row.symbol = symbol;
    row.prompt_hash = vote.prompt_hash;
    row.raw_response = vote.raw_response;
    row.parsed_json = vote.parsed_json;
    row.action = vote.action;
    row.confidence = vote.confidence;
    row.latency_us = vote.latency_us;
    row.tokens_in = vote.tokens_in;
    row.tokens_out = vote.tokens_out;
    row.cost = vote.cost_usd;
    row.error = vote.error;
    rows.push_back(std::move(row));
  }
  return rows;
}

storage::DecisionRow verdict_row(const std::vector<storage::DecisionRow>& votes, const RecordScope& scope,
                                 core::Timestamp time, const std::string& symbol) {
  storage::DecisionRow verdict;
  verdict.session_id = scope.session_id;
  verdict.mode = scope.mode;
  verdict.time = time;
  verdict.symbol = symbol;
  for (const storage::DecisionRow& vote : votes) {
    verdict.prompt_hash = vote.prompt_hash;
    verdict.cost += vote.cost;
  }
  return verdict;
}

// An agent's reading (regime, technical) as rows: one per model asked and one for the reading
// (provider "rules" or "consensus"; parsed_json says whether it `changed` what is in force).
template <typename Reading>
std::vector<storage::DecisionRow> reading_rows(const Reading& reading, const char* agent,
                                               boost::json::object parsed, std::string action,
                                               const RecordScope& scope, bool changed) {
  std::vector<storage::DecisionRow> rows =
      vote_rows(reading.votes, reading.symbol, reading.time, scope);
  storage::DecisionRow verdict = verdict_row(rows, scope, reading.time, reading.symbol);
  verdict.agent = agent;
  verdict.provider = reading.by_models ? "consensus" : "rules";
  verdict.model = reading.source;
  parsed["changed"] = changed;
  verdict.parsed_json = boost::json::serialize(parsed);
  verdict.action = std::move(action);
  verdict.confidence = reading.confidence;
  rows.push_back(std::move(verdict));
  return rows;
}

}  // namespace

std::vector<storage::DecisionRow> decision_rows(const strategy::Advice& advice,
                                                const RecordScope& scope) {
  std::vector<storage::DecisionRow> rows = vote_rows(advice.votes, advice.symbol, advice.asked, scope);
  storage::DecisionRow verdict = verdict_row(rows, scope, advice.asked, advice.symbol);
  verdict.agent = "decision";
  verdict.provider = advice.by_models ? "consensus" : "rules";
  verdict.model = advice.source;
  verdict.parsed_json = boost::json::serialize(advice_json(advice));
  verdict.action = strategy::to_string(advice.action);
  verdict.confidence = advice.confidence;
  rows.push_back(std::move(verdict));
  return rows;
}

boost::json::object regime_json(const agents::RegimeReading& reading) {
  boost::json::object out;
  out["symbol"] = reading.symbol;
  out["regime"] = agents::to_string(reading.regime);
  out["risk_regime"] = risk::to_string(agents::risk_regime(reading.regime));
  out["confidence"] = reading.confidence;
  out["size_multiplier"] = reading.size_multiplier;
  out["stop_multiplier"] = reading.stop_multiplier;
  out["target_multiplier"] = reading.target_multiplier;
  out["strictness"] = risk::to_string(reading.strictness);
  out["reasoning"] = reading.reasoning;
  out["source"] = reading.source;
  // A symbol not read yet has no reading time (its state key is set at start).
  if (reading.time.is_set()) out["time"] = core::format_rfc3339(reading.time, 0);
  return out;
}

std::vector<storage::DecisionRow> regime_rows(const agents::RegimeReading& reading,
                                              const RecordScope& scope, bool changed) {
  return reading_rows(reading, "regime", regime_json(reading), agents::to_string(reading.regime),
                      scope, changed);
}

boost::json::object technical_json(const agents::TechnicalReading& reading) {
  boost::json::object out;
  out["symbol"] = reading.symbol;
  out["known"] = reading.known;
  out["bias"] = agents::to_string(reading.bias);
  out["confidence"] = reading.confidence;
  out["trend"] = {{"direction", agents::to_string(reading.trend)},
                  {"strength", reading.trend_strength}};
  out["momentum"] = reading.momentum;
  out["rsi_signal"] = agents::to_string(reading.rsi_signal);
  out["macd_signal"] = agents::to_string(reading.macd_signal);
  out["support"] =
      reading.support ? boost::json::value(*reading.support) : boost::json::value(nullptr);
  out["resistance"] =
      reading.resistance ? boost::json::value(*reading.resistance) : boost::json::value(nullptr);
  out["reasoning"] = reading.reasoning;
  out["source"] = reading.source;
  if (reading.time.is_set()) out["time"] = core::format_rfc3339(reading.time, 0);
  return out;
}

std::vector<storage::DecisionRow> technical_rows(const agents::TechnicalReading& reading,
                                                 const RecordScope& scope, bool changed) {
  return reading_rows(reading, "technical", technical_json(reading),
                      agents::to_string(reading.bias), scope, changed);
}

boost::json::object sentiment_json(const agents::SentimentReading& reading) {
  boost::json::object out;
  out["symbol"] = reading.symbol;
  out["known"] = reading.known;
  out["bias"] = agents::to_string(reading.bias);
  out["score"] = reading.score;
  out["confidence"] = reading.confidence;
  boost::json::array events;
  for (const std::string& event : reading.key_events) events.emplace_back(event);
  out["key_events"] = std::move(events);
  out["reasoning"] = reading.reasoning;
  out["source"] = reading.source;
  if (reading.time.is_set()) out["time"] = core::format_rfc3339(reading.time, 0);
  return out;
}

std::vector<storage::DecisionRow> sentiment_rows(const agents::SentimentReading& reading,
                                                 const RecordScope& scope, bool changed) {
  return reading_rows(reading, "sentiment", sentiment_json(reading),
                      agents::to_string(reading.bias), scope, changed);
}

boost::json::object coordination_json(const agents::Coordination& coordination,
                                      const agents::CoordinationRequest& request, bool applied) {
  boost::json::object out;
  out["symbol"] = coordination.symbol;
  out["agent"] = "coordinator";
  out["verdict"] = agents::to_string(coordination.verdict);
  out["size_factor"] = coordination.size_factor;
  out["proposal"] = strategy::to_string(request.advice.action);
  out["proposed_by"] = request.advice.source;
  out["conflict"] = request.conflict.why;
  out["opposing"] = request.conflict.opposing;
  out["supporting"] = request.conflict.supporting;
  out["reasoning"] = coordination.reasoning;
  out["source"] = coordination.source;
  out["applied"] = applied;
  if (coordination.time.is_set()) out["time"] = core::format_rfc3339(coordination.time, 0);
  return out;
}

std::vector<storage::DecisionRow> coordination_rows(const agents::Coordination& coordination,
                                                    const agents::CoordinationRequest& request,
                                                    const RecordScope& scope, bool applied) {
  std::vector<storage::DecisionRow> rows =
      vote_rows(coordination.votes, coordination.symbol, coordination.time, scope);
  storage::DecisionRow verdict = verdict_row(rows, scope, coordination.time, coordination.symbol);
  verdict.agent = "coordinator";
  verdict.provider = coordination.by_models   ? "consensus"
                     : coordination.timed_out ? "timeout"
                                              : "rules";
  verdict.model = coordination.source;
  verdict.parsed_json = boost::json::serialize(coordination_json(coordination, request, applied));
  verdict.action = agents::to_string(coordination.verdict);
  rows.push_back(std::move(verdict));
  return rows;
}

}  // namespace tg4::kernel
