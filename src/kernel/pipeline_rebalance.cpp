// The portfolio rebalance's side of the Pipeline (SPEC §9, agents.portfolio_rebalance): every
// agents.rebalance_interval the holdings are valued against portfolio.targets_pct
// (execution::plan_rebalance), and a drift beyond portfolio.drift_pct starts a plan, carried out
// batch by batch on the tick: a batch's sells go first, its buys once the sells have ended, each at
// market on COIN/<reporting currency>; the next batch follows portfolio.batch_interval after.
//
// Rebalance orders are the account's, not trading's (OrderRole::kHolding): their fills move
// balances and make no position, so no strategy, exit or flatten sells what they bought, and a
// strategy's spot sell is capped at its own position. They pass no risk rule (they carry no stop
// and add no leverage) but wait, as the hodl bags' buys do, while trading is not ACTIVE, the venue
// is down or the account is being reconciled. Every plan, order and skip goes to the audit log.
#include <fmt/format.h>

#include <boost/json.hpp>
#include <stdexcept>

#include "kernel/pipeline.hpp"

namespace tg4::kernel {

namespace json = boost::json;
using core::Decimal;

namespace {

json::object plan_json(const execution::RebalancePlan& plan) {
  json::array trades;
  for (const execution::RebalanceTrade& t : plan.trades) {
    trades.push_back({{"asset", t.asset},
                      {"side", core::to_string(t.side)},
                      {"value", t.value.round(2).to_string()}});
  }
  return {{"trades", std::move(trades)},
          {"total", plan.total.round(2).to_string()},
          {"batches", plan.batches},
          {"reason", plan.reason}};
}

}  // namespace

void Pipeline::check_rebalance_markets() const {
  if (margin_) {
    throw std::runtime_error(
        "agents.portfolio_rebalance: rebalancing trades spot holdings, and paper.margin is on");
  }
  for (const auto& [asset, target] : options_.rebalance->targets_pct) {
    if (asset == options_.reporting_currency) continue;
    const std::string symbol = asset + "/" + options_.reporting_currency;
    if (instruments_.find(symbol) == nullptr) {
      throw std::runtime_error(fmt::format(
          "agents.portfolio_rebalance: portfolio.targets_pct has {} but symbols has no {}: add "
          "it, or drop {}'s target",
          asset, symbol, asset));
    }
  }
}

// Every targeted asset's holdings, in its own units: its balance less its hodl bag (the reporting
// currency less the bags' cash), each open spot position counted at its cost in the currency that
// paid for it.
std::map<std::string, Decimal> Pipeline::holding_amounts() const {
  const auto& targets = options_.rebalance->targets_pct;
  std::map<std::string, Decimal> amounts;
  for (const auto& [asset, target] : targets) {
    amounts[asset] = portfolio_.balance(asset) - bags_.coins(asset) - reserved_for_bags(asset);
  }
  for (const auto& [symbol, position] : portfolio_.positions()) {
    if (!position.is_open() || position.margin) continue;
    const core::Instrument* instrument = instruments_.find(symbol);
    if (instrument == nullptr) continue;
    if (const auto base = amounts.find(instrument->base); base != amounts.end())
      base->second -= position.qty;
    if (const auto quote = amounts.find(instrument->quote); quote != amounts.end())
      quote->second += position.qty * position.avg_price;
  }
  return amounts;
}

core::Result<execution::Allocation> Pipeline::allocation() const {
  std::map<std::string, Decimal> values;
  for (const auto& [asset, amount] : holding_amounts()) {
    const auto value = portfolio_.value_in_reporting(asset, core::max(Decimal{}, amount));
    if (!value) return core::Error::of(fmt::format("no price for {} yet", asset));
    values[asset] = *value;
  }
  return execution::allocation_of(values, options_.rebalance->targets_pct);
}

// Why a rebalance may not send orders now; empty when it may.
std::string Pipeline::rebalance_blocked() const {
  if (reconciling_) return "the account is being reconciled";
  if (venue_connected_ == false) return "the venue is down";
  if (risk_state_.trading_state != risk::TradingState::kActive)
    return fmt::format("trading is {}", risk::to_string(risk_state_.trading_state));
  return {};
}

// The timer's (and `run-agent rebalance`'s): the allocation valued and, beyond the drift, a plan.
// What it found is returned in words.
std::string Pipeline::check_rebalance() {
  if (rebalance_run_) {
    return note_rebalance(fmt::format("a rebalance is under way: {}", rebalance_progress()));
  }
  auto current = allocation();
  if (!current) {
    rebalance_check_due_ = true;  // asked again on the next tick
    return note_rebalance("waits: " + current.error().message);
  }
  observe_allocation(*current);
  last_allocation_ = *current;
  auto plan = execution::plan_rebalance(*current, *options_.rebalance, options_.reporting_currency);
  if (!plan) {
    rebalance_check_due_ = false;
    const std::string line =
        current->total.is_positive()
            ? fmt::format("within {} points of the targets: {}",
                          options_.rebalance->drift_pct.to_string(), current->line())
            : "nothing held in the targets' assets";
    return note_rebalance(line);
  }
  if (const std::string blocked = rebalance_blocked(); !blocked.empty()) {
    rebalance_check_due_ = true;
    // Tried again each tick: said once per reason, not at each new price.
    return note_rebalance(fmt::format("waits: {}; {}", blocked, plan->reason), "waits: " + blocked);
  }
  rebalance_check_due_ = false;
  ++counters_.rebalances;
  if (metrics_scraped()) rebalances_.Increment();
  log_->info("rebalance: {} -> {} trades totalling {} {} in {} batch(es)", plan->reason,
             plan->trades.size(), plan->total.to_string(2), options_.reporting_currency,
             plan->batches);
  record_rebalance("rebalance.planned", "", plan_json(*plan));
  // Its first batch keeps the interval from the last batch of the plan before (of this session or,
  // saved with the account, of the last): a crash loop must not send a batch at every start.
  const core::Timestamp first_batch_at =
      rebalance_batch_started_.is_set()
          ? std::max(now(), rebalance_batch_started_ + options_.rebalance->batch_interval)
          : now();
  rebalance_run_ = RebalanceRun{std::move(*plan), 0, first_batch_at, RebalancePhase::kDue, {}};
  advance_rebalance();
  return note_rebalance(fmt::format("started: {}", rebalance_progress()));
}

// On every tick: a due check runs, a due batch starts, a batch whose sells have ended buys.
void Pipeline::advance_rebalance() {
  if (!rebalance_run_) {
    if (rebalance_check_due_) check_rebalance();
    return;
  }
  RebalanceRun& run = *rebalance_run_;
  if (!run.open.empty()) return;  // this phase's orders are still on their way
  switch (run.phase) {
    case RebalancePhase::kDue: {
      if (now() < run.next_batch_at) return;
      if (const std::string blocked = rebalance_blocked(); !blocked.empty()) {
        note_rebalance(
            fmt::format("batch {} of {} waits: {}", run.batch + 1, run.plan.batches, blocked));
        return;
      }
      rebalance_batch_started_ = now();
      record_account_state();  // before its orders: a restart after them keeps the interval
      run.phase = RebalancePhase::kSelling;
      send_rebalance_orders(core::Side::kSell);
      if (!run.open.empty()) return;
      [[fallthrough]];
    }
    case RebalancePhase::kSelling:
      run.phase = RebalancePhase::kBuying;
      send_rebalance_orders(core::Side::kBuy);
      if (!run.open.empty()) return;
      [[fallthrough]];
    case RebalancePhase::kBuying:
      finish_rebalance_batch();
      return;
  }
}

void Pipeline::finish_rebalance_batch() {
  RebalanceRun& run = *rebalance_run_;
  ++run.batch;
  if (run.batch < run.plan.batches) {
    run.phase = RebalancePhase::kDue;
    run.next_batch_at = rebalance_batch_started_ + options_.rebalance->batch_interval;
    note_rebalance(rebalance_progress());
    return;
  }
  record_rebalance("rebalance.done", "", plan_json(run.plan));
  rebalance_run_.reset();
  const auto done = allocation();
  if (done) {
    observe_allocation(*done);
    last_allocation_ = *done;
  }
  note_rebalance(done ? "done: " + done->line() : "done");
}

void Pipeline::send_rebalance_orders(core::Side side) {
  RebalanceRun& run = *rebalance_run_;
  for (const execution::RebalanceTrade& trade : run.plan.trades) {
    if (trade.side != side) continue;
    const Decimal value = execution::batch_value(trade, run.plan.batches, run.batch);
    if (auto sent = send_rebalance_order(trade, value); sent) {
      run.open.insert(*sent);
    } else {
      record_rebalance("rebalance.skipped", trade.asset,
                       {{"side", core::to_string(side)},
                        {"value", value.round(2).to_string()},
                        {"batch", run.batch + 1},
                        {"why", sent.error().message}});
      log_->warn("rebalance {}: {} of {} {} skipped: {}", trade.asset, core::to_string(side),
                 value.to_string(2), options_.reporting_currency, sent.error().message);
    }
  }
}

// One market order of `value` (reporting currency) of the trade's coin; an Error says why none was
// sent.
core::Result<std::string> Pipeline::send_rebalance_order(const execution::RebalanceTrade& trade,
                                                         Decimal value) {
  const std::optional<HoldingMarket> market = holding_market(trade.asset);
  if (!market) {
    return core::Error::of(fmt::format("no {}/{} price", trade.asset, options_.reporting_currency));
  }
  const Decimal price = market->price;
  Decimal qty;
  if (trade.side == core::Side::kSell) {
    // Never more than the holdings: what positions and the hodl bag hold is not the allocation's.
    const Decimal held = holding_amounts()[trade.asset];
    qty = market->instrument->round_qty(core::min(value / price, core::max(Decimal{}, held)));
  } else {
    qty = market->buy_qty(core::min(value, available_cash(options_.reporting_currency)));
  }
  if (market->below_minimum(qty)) {
    return core::Error::of(
        fmt::format("{} {} is below the pair's minimum order", qty.to_string(), trade.asset));
  }
  auto sent = send_holding_order(
      *market,
      fmt::format("rebalance-{}-{}-{}", trade.asset, core::to_string(trade.side), now().ns),
      execution::kRebalanceSource, trade.side, qty);
  if (!sent) return sent.error();
  ++counters_.orders_sent;
  if (metrics_scraped()) rebalance_orders_.Add({{"side", core::to_string(trade.side)}}).Increment();
  record_rebalance("rebalance.order", trade.asset,
                   {{"client_order_id", *sent},
                    {"side", core::to_string(trade.side)},
                    {"qty", qty.to_string()},
                    {"price", price.to_string()},
                    {"value", value.round(2).to_string()},
                    {"batch", rebalance_run_->batch + 1}});
  log_->info("rebalance {}: {} {} {} at market (batch {} of {})", trade.asset,
             core::to_string(trade.side), qty.to_string(), trade.asset, rebalance_run_->batch + 1,
             rebalance_run_->plan.batches);
  return sent;
}

void Pipeline::on_rebalance_order_changed(const execution::ManagedOrder& order) {
  if (!core::is_terminal(order.status) || !rebalance_run_) return;
  if (rebalance_run_->open.erase(order.request.client_order_id) == 0) return;
  if (order.status == core::OrderStatus::kFilled) return;
  log_->warn("rebalance: order {} {}{}", order.request.client_order_id,
             core::to_string(order.status), order.reason.empty() ? "" : " (" + order.reason + ")");
}

std::string Pipeline::rebalance_progress() const {
  const RebalanceRun& run = *rebalance_run_;
  const std::string phase = run.phase == RebalancePhase::kDue
                                ? "due at " + core::format_rfc3339(run.next_batch_at, 0)
                                : (run.phase == RebalancePhase::kSelling ? "selling" : "buying");
  return fmt::format("batch {} of {} {} ({} {} in all)", run.batch + 1, run.plan.batches, phase,
                     run.plan.total.to_string(2), options_.reporting_currency);
}

// The status line; logged when `log_key` (the line itself unless given) changes.
std::string Pipeline::note_rebalance(const std::string& line, const std::string& log_key) {
  const std::string& key = log_key.empty() ? line : log_key;
  if (key != rebalance_logged_) log_->info("rebalance: {}", line);
  rebalance_logged_ = key;
  rebalance_note_ = line;
  return line;
}

void Pipeline::observe_allocation(const execution::Allocation& allocation) {
  if (!metrics_scraped()) return;
  for (const execution::AssetAllocation& a : allocation.assets) {
    allocation_pct_.Add({{"asset", a.asset}}).Set(a.pct.to_double());
    allocation_target_pct_.Add({{"asset", a.asset}}).Set(a.target_pct.to_double());
  }
}

void Pipeline::record_rebalance(const std::string& action, const std::string& target,
                                json::object params) {
  if (!has_record_sink()) return;
  storage::AuditLogRow row;
  row.time = now();
  row.actor = "tg4";
  row.role = "rebalance";
  row.action = action;
  row.target = target;
  row.params_json = json::serialize(params);
  row.result = action == "rebalance.skipped" ? "skipped" : "ok";
  record(std::move(row));
}

json::object Pipeline::rebalance_json() const {
  json::object out{{"enabled", rebalancing()}};
  if (!rebalancing()) return out;
  out["status"] = rebalance_note_;
  if (last_allocation_) {
    json::object assets;
    for (const execution::AssetAllocation& a : last_allocation_->assets) {
      assets[a.asset] = {{"value", a.value.round(2).to_string()},
                         {"pct", a.pct.to_string()},
                         {"target_pct", a.target_pct.to_string()}};
    }
    out["allocation"] = std::move(assets);
    out["total"] = last_allocation_->total.round(2).to_string();
  }
  if (rebalance_run_) {
    json::object run = plan_json(rebalance_run_->plan);
    run["batch"] = rebalance_run_->batch + 1;
    run["progress"] = rebalance_progress();
    out["plan"] = std::move(run);
  }
  return out;
}

}  // namespace tg4::kernel
