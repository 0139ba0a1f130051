// The hodl bags' side of the Pipeline (SPEC §9): each realised profit sets its share aside
// (execution::HodlBags), a bag whose pending cash reaches its threshold buys its coin at market on
// `COIN/<reporting currency>`, and every movement goes to the audit log. Bag orders are not
// trading: their fills make no position, and nothing the strategy, risk or an operator's flatten
// does sells their coins. Trading equity (what the risk engine judges) is the account less the
// bags.
#include <fmt/format.h>

#include <boost/json.hpp>

#include "kernel/pipeline.hpp"

namespace tg4::kernel {

namespace json = boost::json;
using core::Decimal;

namespace {

// After a bag buy the venue refused or canceled, the next try waits this long.
constexpr auto kBagRetryDelay = std::chrono::minutes(15);

json::object movement_json(const execution::HodlMovement& m, const std::string& currency) {
  json::object out{{"amount", m.amount.to_string()},
                   {"currency", currency},
                   {"reference", m.reference},
                   {"note", m.note}};
  if (m.move == execution::HodlMove::kBought) {
    out["coins"] = m.coins.to_string();
    out["price"] = m.price.to_string();
  }
  return out;
}

}  // namespace

// A bag's cash (held and pending) and its coins at their last price (none without a price).
Decimal Pipeline::bag_value(const std::string& asset, const execution::HodlBag& bag) const {
  const Decimal coins = bag.coins.is_positive()
                            ? portfolio_.value_in_reporting(asset, bag.coins).value_or(Decimal{})
                            : Decimal{};
  return bag.cash + bag.pending + coins;
}

Decimal Pipeline::hodl_value() const {
  Decimal total;
  for (const auto& [asset, bag] : bags_.state().bags) total += bag_value(asset, bag);
  return total;
}

Decimal Pipeline::trading_equity(Decimal equity) const { return equity - hodl_value(); }

Decimal Pipeline::cap_spot_sell(const std::string& symbol, Decimal qty) const {
  if (rebalancing()) qty = core::min(qty, core::max(Decimal{}, portfolio_.position_qty(symbol)));
  const core::Instrument* instrument = instruments_.find(symbol);
  const Decimal coins = instrument == nullptr ? Decimal{} : bags_.coins(instrument->base);
  if (!coins.is_positive()) return qty;  // no bag of this coin: the venue judges the sell as before
  return core::min(qty, core::max(Decimal{}, portfolio_.balance(instrument->base) - coins));
}

Decimal Pipeline::reserved_for_bags(const std::string& asset) const {
  return asset == options_.reporting_currency ? bags_.reserved_cash() : Decimal{};
}

void Pipeline::set_aside(core::Decimal trade_pnl, const core::Fill& fill) {
  const auto moves = bags_.on_profit(trade_pnl, now(), fill.exec_id);
  if (moves.empty()) return;
  record_hodl(moves);
  // The share leaves trading's equity: not a loss, so the risk engine's peak and day and week
  // starts leave with it (else a winning day could trip the daily-loss breaker).
  Decimal moved;
  for (const execution::HodlMovement& m : moves) {
    if (m.move == execution::HodlMove::kSetAside) moved += m.amount;
  }
  handle_risk_events(risk_.on_withdrawal(risk_state_, moved, now()));
  buy_bags();
}

// Each due bag without a buy on its way buys, when trading may send orders at all.
void Pipeline::buy_bags() {
  if (!bags_.any_due() || reconciling_ || venue_connected_ == false || now() < bag_retry_after_)
    return;
  if (risk_state_.trading_state != risk::TradingState::kActive) return;
  for (const std::string& asset : bags_.due()) {
    if (!bag_orders_.contains(asset)) buy_bag(asset);
  }
}

void Pipeline::buy_bag(const std::string& asset) {
  const Decimal pending = bags_.bag(asset)->pending;
  const std::optional<HoldingMarket> market = margin_ ? std::nullopt : holding_market(asset);
  if (!market) {
    note_bag_wait(asset, margin_ ? "bags buy on a spot venue only (paper.margin is on)"
                                 : fmt::format("no {}/{} market with a price: add it to symbols",
                                               asset, options_.reporting_currency));
    return;
  }
  const Decimal qty = market->buy_qty(pending);
  if (market->below_minimum(qty)) {
    note_bag_wait(
        asset, fmt::format("{} {} buys {} {}, below the pair's minimum order", pending.to_string(2),
                           options_.reporting_currency, qty.to_string(), asset));
    return;
  }
  auto sent = send_holding_order(*market, fmt::format("hodl-{}-{}", asset, now().ns),
                                 execution::kHodlSource, core::Side::kBuy, qty);
  if (!sent) {
    bag_retry_after_ = now() + kBagRetryDelay;
    note_bag_wait(asset, "the buy was not sent: " + sent.error().message);
    return;
  }
  bag_orders_[asset] = *sent;
  bag_waits_.erase(asset);
  log_->info("hodl {}: buying {} {} at market ({} {} pending)", asset, qty.to_string(), asset,
             pending.to_string(2), options_.reporting_currency);
}

// Said once per reason, not on every tick that finds the bag still waiting.
void Pipeline::note_bag_wait(const std::string& asset, const std::string& why) {
  std::string& last = bag_waits_[asset];
  if (last == why) return;
  last = why;
  log_->warn("hodl {}: pending cash waits: {}", asset, why);
}

void Pipeline::on_bag_fill(const core::Fill& fill, const core::Instrument& instrument) {
  portfolio_.apply_holding_fill(fill, instrument);
  // The fee comes out of what the bag bought (charged in the coin) or out of its cash (in the
  // quote).
  const bool fee_in_coin = fill.fee_currency == instrument.base;
  const Decimal coins = fee_in_coin ? fill.qty - fill.fee : fill.qty;
  const Decimal quote_cost = fill.price * fill.qty + (fee_in_coin ? Decimal{} : fill.fee);
  const Decimal cost =
      portfolio_.value_in_reporting(instrument.quote, quote_cost).value_or(quote_cost);
  record_hodl(
      {bags_.on_bought(instrument.base, coins, cost, fill.price, now(), fill.client_order_id)});
}

void Pipeline::on_bag_order_changed(const execution::ManagedOrder& order) {
  if (!core::is_terminal(order.status)) return;
  const core::Instrument* instrument = instruments_.find(order.request.symbol);
  const std::string asset = instrument != nullptr ? instrument->base : order.request.symbol;
  bag_orders_.erase(asset);
  if (order.status == core::OrderStatus::kFilled) return;
  bag_retry_after_ = now() + kBagRetryDelay;
  log_->warn("hodl {}: buy {} {}{}; trying again after {}", asset, order.request.client_order_id,
             core::to_string(order.status), order.reason.empty() ? "" : " (" + order.reason + ")",
             core::format_rfc3339(bag_retry_after_, 0));
}

void Pipeline::record_hodl(const std::vector<execution::HodlMovement>& moves) {
  for (const execution::HodlMovement& m : moves) {
    ++counters_.hodl_movements;
    if (metrics_scraped())
      hodl_movements_.Add({{"kind", execution::to_string(m.move)}}).Increment();
    log_->info("hodl{}: {}", m.asset.empty() ? "" : " " + m.asset, m.note);
    if (!has_record_sink()) continue;
    storage::AuditLogRow row;
    row.time = m.time;
    row.actor = "tg4";
    row.role = "hodl";
    row.action = std::string("hodl.") + execution::to_string(m.move);
    row.target = m.asset;
    row.params_json = json::serialize(movement_json(m, options_.reporting_currency));
    row.result = "ok";
    record(std::move(row));
  }
}

void Pipeline::publish_hodl(PipelineSummary& s) const {
  s.hodl.clear();
  s.hodl_value = hodl_value().round(2);
  for (const auto& [asset, bag] : bags_.state().bags) {
    std::string line = bag.coins.is_positive() ? fmt::format("{} {}", bag.coins.to_string(), asset)
                                               : std::string();
    if (bag.cash.is_positive())
      line += fmt::format("{}{} {} held", line.empty() ? "" : ", ", bag.cash.to_string(2),
                          options_.reporting_currency);
    if (bag.pending.is_positive()) {
      line += fmt::format("{}{} {} pending", line.empty() ? "" : ", ", bag.pending.to_string(2),
                          options_.reporting_currency);
      if (const auto threshold = bags_.buy_threshold(asset)) line += " of " + threshold->to_string(2);
    }
    if (const auto wait = bag_waits_.find(asset); wait != bag_waits_.end() && !wait->second.empty())
      line += " (waits: " + wait->second + ")";
    s.hodl[asset] = line;
  }
}

void Pipeline::observe_hodl() {
  for (const auto& [asset, bag] : bags_.state().bags) {
    hodl_value_.Add({{"asset", asset}}).Set(bag_value(asset, bag).to_double());
    hodl_pending_.Add({{"asset", asset}}).Set(bag.pending.to_double());
    hodl_coins_.Add({{"asset", asset}}).Set(bag.coins.to_double());
  }
}

json::object Pipeline::hodl_json() const {
  json::object bags;
  for (const auto& [asset, bag] : bags_.state().bags) {
    json::object b{{"coins", bag.coins.to_string()},
                   {"cash", bag.cash.to_string()},
                   {"pending", bag.pending.to_string()},
                   {"invested", bag.invested.to_string()}};
    if (const auto threshold = bags_.buy_threshold(asset)) b["buy_threshold"] = threshold->to_string();
    if (bag.coins.is_positive()) {
      if (const auto v = portfolio_.value_in_reporting(asset, bag.coins))
        b["coins_value"] = v->round(2).to_string();
    }
    if (const auto order = bag_orders_.find(asset); order != bag_orders_.end())
      b["buying"] = order->second;
    if (const auto wait = bag_waits_.find(asset); wait != bag_waits_.end() && !wait->second.empty())
      b["waits"] = wait->second;
    bags[asset] = std::move(b);
  }
  return {{"enabled", bags_.policy().enabled()},
          {"currency", options_.reporting_currency},
          {"value", hodl_value().round(2).to_string()},
          {"set_aside_total", bags_.state().set_aside_total.to_string()},
          {"set_aside_today", bags_.state().set_aside_today.to_string()},
          {"bags", std::move(bags)}};
}

}  // namespace tg4::kernel
