#include "kernel/pipeline.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

#include "agents/regime_rule.hpp"
#include "agents/rule_advisor.hpp"
#include "agents/technical_rule.hpp"
#include "core/config.hpp"
#include "core/logging.hpp"
#include "execution/portfolio_state.hpp"
#include "execution/reconciliation.hpp"
#include "risk/state_json.hpp"
#include "strategy/registry.hpp"

namespace tg4::kernel {
namespace {

namespace json = boost::json;

storage::RiskEventRow risk_event_row(const risk::RiskEvent& event, const RecordScope& scope) {
  storage::RiskEventRow row;
  row.session_id = scope.session_id;
  row.mode = scope.mode;
  row.time = event.time;
  row.kind = risk::to_string(event.kind);
  row.intent_id = event.intent_id;
  row.symbol = event.symbol;
  if (event.verdict) row.verdict = risk::to_string(*event.verdict);
  row.rule = risk::rule_label(event.rule);
  row.reason = event.reason;
  if (event.breaker) {
    row.breaker = risk::to_string(*event.breaker);
    row.breaker_state = event.breaker_tripped ? "tripped" : "reset";
  }
  row.trading_state = risk::to_string(event.state_after);
  row.detail_json = json::serialize(risk::event_to_json(event));
  return row;
}

market::BarAggregatorOptions bar_options(const PipelineOptions& options, bool metrics_scraped) {
  market::BarAggregatorOptions out;
  out.rollups = options.bar_rollups;
  out.cross_check = metrics_scraped;  // its only output is a metric
  out.close_delay = options.bar_close_delay;
  out.max_ahead = options.max_trade_ahead;
  // A revision is for the store: without it, the kept bars would only cost a backtest time.
  out.revise_minutes = options.record_market_data ? options.bar_revise_minutes : 0;
  return out;
}

json::object ok(std::string action) {
  json::object out;
  out["ok"] = true;
  out["action"] = std::move(action);
  return out;
}

// An order as the venue is handed it (Venue::restore_orders): the order manager's view of it.
execution::RestoredOrder handed_to_venue(const execution::ManagedOrder& order, execution::FillsSoFar fills) {
  return {order.request, order.venue_order_id, order.status, order.filled, order.avg_price, std::move(fills)};
}

}  // namespace

// What a strategy sees: the market state, the portfolio, the kernel's clock, and submit(), which
// hands each intent to the risk engine before anything else happens.
class Pipeline::Context final : public strategy::StrategyContext {
 public:
  explicit Context(Pipeline& pipeline) : pipeline_(pipeline) {}
  core::Timestamp now() const override { return pipeline_.now(); }
  const market::SymbolMarket* market(std::string_view symbol) const override {
    // A strategy that declared it reads no market state (Strategy::needs) got one with the risk
    // engine's ATR only: it must not decide on indicators that were never computed.
    if (pipeline_.options_.indicators != market::IndicatorScope::kAll) {
      throw std::logic_error(fmt::format(
          "strategy '{}' reads ctx.market() but its needs() says market_state = false: declare it "
          "(or run with shortcuts off)",
          pipeline_.strategy_->name()));
    }
    return pipeline_.market_.find(symbol);
  }
  const execution::Portfolio& portfolio() const override { return pipeline_.portfolio_; }
  bool margin_enabled() const override { return pipeline_.margin_; }
  bool warming_up() const override { return pipeline_.warming_up_; }
  void submit(core::OrderIntent intent) override {
    if (pipeline_.warming_up_) return;  // a decision on history: nothing to trade
    if (intent.source.empty()) intent.source = std::string(pipeline_.strategy_->name());
    if (intent.created.ns == 0) intent.created = now();
    if (intent.intent_id.empty()) intent.intent_id = fmt::format("{}-{}", intent.source, ++sequence_);
    pipeline_.on_intent(std::move(intent));
  }
  void schedule_timer(std::string name, core::Timestamp at) override {
    pipeline_.timers_.push_back(pipeline_.kernel_.timers().at(at, [this, name = std::move(name), at] {
      pipeline_.strategy_->on_timer(*this, strategy::TimerEvent{name, at});
    }));
  }
  bool ask_advice(const std::string& symbol, int timeframe_minutes) override {
    return !pipeline_.warming_up_ && pipeline_.ask_advice(symbol, timeframe_minutes);
  }

 private:
  Pipeline& pipeline_;
  std::uint64_t sequence_ = 0;
};

core::Result<std::unique_ptr<Pipeline>> Pipeline::create(Kernel& kernel, PipelineOptions options,
                                                         PipelineOutputs outputs) {
  strategy::StrategyPtr strategy = std::move(outputs.strategy);
  if (!strategy) {
    auto made = strategy::builtin_registry().create(options.strategy, options.strategy_params);
    if (!made) return core::Error::of("strategy '" + options.strategy + "': " + made.error().message);
    strategy = std::move(made).value();
  }
  try {  // a venue factory reports a venue that cannot start by throwing
    return std::unique_ptr<Pipeline>(new Pipeline(kernel, std::move(options), std::move(outputs), std::move(strategy)));
  } catch (const std::exception& e) {
    return core::Error::of(e.what());
  }
}

Pipeline::Pipeline(Kernel& kernel, PipelineOptions options, PipelineOutputs outputs,
                   strategy::StrategyPtr strategy)
    : kernel_(kernel),
      options_(std::move(options)),
      outputs_(std::move(outputs)),
      own_registry_(outputs_.registry ? nullptr : std::make_unique<prometheus::Registry>()),
      registry_(outputs_.registry ? *outputs_.registry : *own_registry_),
      market_metrics_(registry_),
      bars_([this](const core::Bar& bar) { on_bar_closed(bar); },
            bar_options(options_, metrics_scraped())),
      market_(options_.timeframes, market::MarketState::kDefaultHistory, options_.indicators,
              regime_timeframe()),
      strategy_(std::move(strategy)),
      strategy_takes_trades_(strategy_->needs().trades),
      context_(std::make_unique<Context>(*this)),
      risk_(options_.limits),
      risk_metrics_(registry_),
      portfolio_(options_.reporting_currency),
      execution_metrics_(registry_),
      decisions_(
          prometheus::BuildCounter()
              .Name("tg4_decisions_total")
              .Help(
                  "Trading decisions (advice) received by the strategy, by who decided and action")
              .Register(registry_)),
      order_ids_(kernel.clock().now()),
      scoreboard_(options_.agents),
      regime_gauge_(
          prometheus::BuildGauge()
              .Name("tg4_regime")
              .Help(
                  "1 for each symbol's regime in force (regime detection agent), 0 for the others")
              .Register(registry_)),
      regime_changes_(prometheus::BuildCounter()
                          .Name("tg4_regime_changes_total")
                          .Help("Regime changes by symbol and the regime changed to")
                          .Register(registry_)),
      technical_bias_(
          prometheus::BuildGauge()
              .Name("tg4_technical_bias")
              .Help("Technical analysis agent's latest bias by symbol: 1 long, 0 neutral or not "
                    "read, -1 short")
              .Register(registry_)),
      technical_confidence_(
          prometheus::BuildGauge()
              .Name("tg4_technical_confidence")
              .Help("Confidence of the technical analysis agent's latest bias, 0..1")
              .Register(registry_)),
      sentiment_agent_(outputs_.sentiment_agent),
      sentiment_score_(
          prometheus::BuildGauge()
              .Name("tg4_sentiment_score")
              .Help("Sentiment agent's latest score by symbol, -1 (very negative) .. +1; 0 while "
                    "not read")
              .Register(registry_)),
      coordinator_verdicts_(
          prometheus::BuildCounter()
              .Name("tg4_coordinator_verdicts_total")
              .Help("Coordinator verdicts on decisions that conflict with the other agents' "
                    "views, by verdict (proceed, wait, abort, modify) and source (llm, rules, "
                    "timeout)")
              .Register(registry_)),
      bags_(options_.hodl, options_.reporting_currency),
      hodl_value_(prometheus::BuildGauge()
                      .Name("tg4_hodl_value")
                      .Help("Hodl bags' value in the reporting currency (coins at the last price, "
                            "cash held and pending)")
                      .Register(registry_)),
      hodl_pending_(
          prometheus::BuildGauge()
              .Name("tg4_hodl_pending")
              .Help(
                  "Hodl bags' cash set aside and waiting for its buy threshold, reporting currency")
              .Register(registry_)),
      hodl_coins_(prometheus::BuildGauge()
                      .Name("tg4_hodl_coins")
                      .Help("Coins the hodl bags hold, in each bag's asset")
                      .Register(registry_)),
      hodl_movements_(prometheus::BuildCounter()
                          .Name("tg4_hodl_movements_total")
                          .Help("Hodl bag movements audited: set_aside, capped, bought")
                          .Register(registry_)),
      allocation_pct_(prometheus::BuildGauge()
                          .Name("tg4_allocation_pct")
                          .Help("Portfolio rebalance: each targeted asset's share of the "
                                "holdings at the last check, %")
                          .Register(registry_)),
      allocation_target_pct_(prometheus::BuildGauge()
                                 .Name("tg4_allocation_target_pct")
                                 .Help("Portfolio rebalance: each asset's target share, %")
                                 .Register(registry_)),
      rebalance_orders_(prometheus::BuildCounter()
                            .Name("tg4_rebalance_orders_total")
                            .Help("Portfolio rebalance orders sent, by side")
                            .Register(registry_)),
      rebalances_(prometheus::BuildCounter()
                      .Name("tg4_rebalances_total")
                      .Help("Portfolio rebalances started (an asset drifted beyond "
                            "portfolio.drift_pct)")
                      .Register(registry_)
                      .Add({})),
      signals_(prometheus::BuildCounter()
                   .Name("tg4_strategy_signals_total")
                   .Help("Order intents the strategy emitted, by strategy, symbol and side (before "
                         "the risk verdict)")
                   .Register(registry_)) {
  if (!outputs_.advisor) outputs_.advisor = std::make_unique<agents::RuleAdvisor>();
  create_metric_series();
  check_agent_timeframe(regime_timeframe(), "agents.regime_timeframe_minutes",
                        "agents.regime_detection");
  check_agent_timeframe(technical_timeframe(), "agents.technical_timeframe_minutes",
                        "agents.technical_analysis");
  regime_agent_ = outputs_.regime_agent;
  if (regime_agent_ == nullptr) {
    rule_regime_agent_ = std::make_unique<agents::RuleRegimeAgent>();
    regime_agent_ = rule_regime_agent_.get();
  }
  technical_agent_ = outputs_.technical_agent;
  if (technical_agent_ == nullptr) {
    rule_technical_agent_ = std::make_unique<agents::RuleTechnicalAgent>();
    technical_agent_ = rule_technical_agent_.get();
  }
  if (options_.agents.coordinator) {
    coordinator_ = outputs_.coordinator_agent;
    if (coordinator_ == nullptr) {
      rule_coordinator_ = std::make_unique<agents::RuleCoordinator>();
      coordinator_ = rule_coordinator_.get();
    }
    count_no_verdicts_yet(outputs_.coordinator_agent != nullptr);
  }
  bars_.set_mismatch_sink(
      [this](const core::Bar& ours, const core::Bar&) { market_metrics_.on_bar_mismatch(ours.symbol); });
  market_.set_stale_after(options_.stale_after);
  bars_.set_revision_sink(
      [this](const core::Bar& bar, bool partial) { on_bar_revised(bar, partial); });
  bars_.set_id_reset_sink([this](const core::Trade& trade, std::int64_t highest) {
    on_trade_ids_reset(trade, highest);
  });
  for (const auto& symbol : options_.symbols) instruments_.upsert(core::default_instrument(symbol));
  auto book_view = [this](const std::string& symbol) -> std::optional<execution::BookView> {
    const auto it = books_.find(symbol);
    if (it == books_.end() || !it->second.valid()) return std::nullopt;
    return execution::BookView{it->second.bids(), it->second.asks()};
  };
  // Venue reports go through the kernel queue, as a live venue's would: an order's fills are
  // handled as their own events, never inside the call that sent it.
  execution::ExecutionSink to_kernel = [this](core::ExecutionEvent event) { kernel_.post(std::move(event)); };
  if (outputs_.venue) {
    venue_ = outputs_.venue(instruments_, std::move(to_kernel),
                            [this](core::FeedState state) { kernel_.post(std::move(state)); });
  } else {
    execution::PaperConfig paper_config = options_.paper;
    // Venue and exec ids must not repeat those of the session this one continues.
    if (paper_config.id_prefix.empty()) paper_config.id_prefix = "-" + options_.scope.session_id + "-";
    auto paper = std::make_unique<execution::PaperVenue>(instruments_, paper_config, book_view, std::move(to_kernel));
    paper_ = paper.get();
    venue_ = std::move(paper);
  }
  // Margin exists only at the paper venue (the Kraken venue trades spot; `tg4 live` refuses margin).
  margin_ = paper_ != nullptr && options_.paper.margin;
  if (rebalancing()) check_rebalance_markets();
  execution::OrderManagerConfig order_config = options_.orders;
  order_config.margin = margin_;
  orders_ = std::make_unique<execution::OrderManager>(
      *venue_, instruments_, [this] { return order_ids_.next(); }, order_config,
      [this](const execution::ManagedOrder& order) { on_order_changed(order); },
      [this](const std::string& problem) { on_order_problem(problem); },
      // Rule 9's order rate counts every order that goes out, whoever sent it: one count.
      [this](const execution::ManagedOrder&, core::Timestamp at) {
        risk_.on_order_sent(risk_state_, at);
      });
  subscribe();
}

Pipeline::~Pipeline() {
  // First: its worker may still hand answers to the kernel, which would call back into this (and
  // so may the coordinator's real-time deadlines).
  outputs_.advisor.reset();
  if (wall_alarm_) wall_alarm_->stop();
  for (const TimerId id : timers_) kernel_.timers().cancel(id);
  for (const auto& [symbol, pending] : coordinating_) kernel_.timers().cancel(pending.deadline);
}

void Pipeline::subscribe() {
  Bus& bus = kernel_.bus();
  subscriptions_.push_back(bus.subscribe<core::BookDelta>([this](const auto& e) { on_book(e); }));
  subscriptions_.push_back(bus.subscribe<core::Trade>([this](const auto& e) { on_trade(e); }));
  subscriptions_.push_back(bus.subscribe<core::Ticker>([this](const auto& e) { on_ticker(e); }));
  subscriptions_.push_back(bus.subscribe<core::Ohlc>([this](const auto& e) { on_ohlc(e); }));
  subscriptions_.push_back(bus.subscribe<core::InstrumentUpdate>([this](const auto& e) { on_instrument(e); }));
  subscriptions_.push_back(bus.subscribe<core::FeedState>([this](const auto& e) { on_feed_state(e); }));
  subscriptions_.push_back(bus.subscribe<core::OrderUpdate>([this](const auto& e) { on_execution(e); }));
  subscriptions_.push_back(bus.subscribe<core::Fill>([this](const auto& e) { on_execution(e); }));
  subscriptions_.push_back(bus.subscribe<core::BalanceUpdate>([this](const auto& e) { on_execution(e); }));
}

void Pipeline::restore(RestoredAccount account) { restored_ = std::move(account); }

void Pipeline::start() {
  if (started_) return;
  started_ = true;
  started_at_ = now();
  for (const storage::ModelScoreRow& row : restored_.model_scores)
    scoreboard_.seed(row);
  if (restored_.portfolio) {
    restore_account();
  } else {
    for (const auto& [asset, amount] : options_.starting_balances) {
      if (paper_ == nullptr) break;  // a real venue reports its own balances
      portfolio_.deposit(asset, amount);
      paper_->deposit(asset, amount);
    }
    risk_state_ = risk_.initial_state(portfolio_.equity(), now());
  }
  record_account_state();
  timers_.push_back(kernel_.timers().every(options_.tick, [this] { on_tick(); }));
  timers_.push_back(kernel_.timers().every(options_.snapshot_interval, [this] { on_snapshot(); }));
  if (options_.reconcile_interval.count() > 0) {
    timers_.push_back(kernel_.timers().every(options_.reconcile_interval, [this] { request_reconciliation(); }));
  }
  if (regime_timeframe() != 0) {
    start_regimes();
    // From the start: with warm-up history the first reading counts at once.
    const auto period = std::chrono::duration_cast<core::Duration>(options_.agents.regime_interval);
    timers_.push_back(kernel_.timers().every(period, now(), [this] { assess_regimes(); }));
  }
  if (technical_timeframe() != 0) {
    start_technicals();
    const auto period =
        std::chrono::duration_cast<core::Duration>(options_.agents.technical_interval);
    timers_.push_back(kernel_.timers().every(period, now(), [this] { analyse_symbols(); }));
  }
  if (rebalancing()) {
    // The first check one period after the start: the market has prices by then.
    const auto period =
        std::chrono::duration_cast<core::Duration>(options_.agents.rebalance_interval);
    timers_.push_back(kernel_.timers().every(period, [this] { check_rebalance(); }));
    note_rebalance(fmt::format("first check at {}", core::format_rfc3339(now() + period, 0)));
  }
  if (sentiment_agent_ != nullptr) {
    start_sentiments();
    const auto period =
        std::chrono::duration_cast<core::Duration>(options_.agents.sentiment_interval);
    timers_.push_back(kernel_.timers().every(period, now(), [this] { sense_symbols(); }));
  }
  reconciling_ = true;
  request_reconciliation();
  strategy_->on_start(*context_);
  publish_summary();
}

// The account of the previous session: portfolio, risk state, open orders (re-recorded under this
// session, so the next restart finds them here) and, for the paper venue, its wallet and book of
// open orders, which died with the process.
void Pipeline::restore_account() {
  portfolio_.restore(*restored_.portfolio);
  bags_.restore(restored_.portfolio->hodl);
  rebalance_batch_started_ = restored_.portfolio->rebalance_batch_started;
  risk_state_ = restored_.risk ? *restored_.risk
                               : risk_.initial_state(trading_equity(portfolio_.equity()), now());
  order_ids_.continue_after(restored_.last_order_counter);
  applied_exec_ids_ = restored_.applied_exec_ids;
  if (paper_ != nullptr) {
    for (const auto& [asset, amount] : portfolio_.balances()) paper_->deposit(asset, amount);
    for (const auto& [symbol, p] : portfolio_.positions()) {
      if (p.margin && p.is_open()) paper_->restore_margin_position(symbol, {p.qty, p.avg_price, p.leverage, p.margin_used()});
    }
  }
  std::vector<execution::RestoredOrder> at_venue;
  for (execution::ManagedOrder& order : restored_.open_orders) {
    const std::string id = order.request.client_order_id;
    if (!order.held_locally) {
      const auto fills = restored_.open_order_fills.find(id);
      at_venue.push_back(handed_to_venue(
          order, fills == restored_.open_order_fills.end() ? execution::FillsSoFar{} : fills->second));
    }
    if (order.source == execution::kHodlSource) {  // a bag's buy still on its way: not sent twice
      if (const core::Instrument* instrument = instruments_.find(order.request.symbol))
        bag_orders_[instrument->base] = id;
    }
    orders_->restore(std::move(order));
    if (has_record_sink()) record(order_row(*orders_->find(id), options_.scope));
  }
  for (const auto& [group, price] : restored_.entry_prices) orders_->restore_trail(group, price);
  const std::vector<std::string> owed = orders_->symbols_owed_at_restart();
  for (execution::ManagedOrder& stop : restored_.ended_stops) {
    // Still wanted while a closing order it made way for is on its way: recorded under this session
    // too, so that a second restart before that order ends still finds it to copy.
    if (has_record_sink() && std::ranges::find(owed, stop.request.symbol) != owed.end()) {
      record(order_row(stop, options_.scope));
    }
    orders_->remember_ended_stop(std::move(stop));
  }
  venue_->restore_orders(at_venue, now());
  log_->info("continuing session {}: {} open orders, equity {}", restored_.from_session,
             orders_->open_count(), portfolio_.equity().to_string(2));
}

// ---- reconciliation ------------------------------------------------------------------------------

void Pipeline::request_reconciliation() {
  if (reconcile_pending_) return;
  reconcile_pending_ = true;
  // A venue may answer inside the call (paper: its state is right here) or later on its own thread;
  // a later answer is handed to the kernel like any report.
  struct Answer {
    std::mutex mutex;
    bool inside_call = true;
    std::optional<core::Result<execution::VenueSnapshot>> immediate;
  };
  const auto answer = std::make_shared<Answer>();
  venue_->request_snapshot([this, answer](core::Result<execution::VenueSnapshot> snapshot) {
    {
      const std::lock_guard lock(answer->mutex);
      if (answer->inside_call) {
        answer->immediate.emplace(std::move(snapshot));
        return;
      }
    }
    kernel_.post(Task([this, snapshot = std::move(snapshot)]() mutable { reconcile(std::move(snapshot)); }));
  });
  std::optional<core::Result<execution::VenueSnapshot>> immediate;
  {
    const std::lock_guard lock(answer->mutex);
    answer->inside_call = false;
    immediate = std::move(answer->immediate);
  }
  if (immediate) reconcile(std::move(*immediate));
}

// OrderManager::cover_after_restart for each of `symbols`, with its position.
void Pipeline::cover_after_restart(const std::vector<std::string>& symbols) {
  for (const std::string& symbol : symbols) {
    orders_->cover_after_restart(symbol, portfolio_.position_qty(symbol), now());
  }
}

void Pipeline::reconcile(core::Result<execution::VenueSnapshot> snapshot) {
  reconcile_pending_ = false;
  if (!snapshot) {
    log_->error("reconciliation: venue snapshot failed: {}{}", snapshot.error().message,
                reconciling_ ? "; no new orders until it succeeds (retry in 5 s)" : "");
    if (reconciling_) timers_.push_back(kernel_.timers().after(std::chrono::seconds(5), [this] { request_reconciliation(); }));
    return;
  }
  apply_reconciliation(*snapshot);
  if (reconciling_) {
    // Paused (REDUCING) or halted, the node does not start trading: the log says so.
    if (risk_state_.trading_state == risk::TradingState::kActive) {
      log_->info("reconciliation with the {} venue complete: trading may start", venue_->name());
    } else {
      log_->info(
          "reconciliation with the {} venue complete; trading stays {} (no new entries until it is "
          "ACTIVE)",
          venue_->name(), risk::to_string(risk_state_.trading_state));
    }
  }
  reconciling_ = false;
  publish_summary();
}

void Pipeline::apply_reconciliation(const execution::VenueSnapshot& snapshot) {
  execution::ReconcileInput input;
  for (const execution::ManagedOrder* order : orders_->open_orders()) input.local_open.push_back(*order);
  input.applied_exec_ids = applied_exec_ids_;
  input.venue = snapshot;
  input.unknown_orders = options_.adopt_unknown_orders ? execution::UnknownOrderPolicy::kAdopt
                                                       : execution::UnknownOrderPolicy::kCancel;
  input.in_flight = options_.in_flight_grace;
  input.now = now();
  const execution::ReconcilePlan plan = execution::plan_reconciliation(input);
  for (const core::Fill& fill : plan.missed_fills) on_execution(fill);
  for (const core::OrderUpdate& update : plan.order_updates) on_execution(update);
  for (const core::OrderUpdate& order : plan.adopt) adopt(order);
  for (const core::OrderUpdate& order : plan.cancel) {
    venue_->cancel(order.client_order_id.empty() ? order.venue_order_id : order.client_order_id, now());
  }
  std::vector<std::string> notes = plan.notes;
  if (paper_ == nullptr) {
    venue_balances_seen_ = true;
    for (const auto& diff : execution::balance_differences(portfolio_.balances(), snapshot.balances)) {
      notes.push_back("balance " + diff.asset + ": ours " + diff.ours.to_string() + ", venue " + diff.venue.to_string() +
                      " (taking the venue's)");
      portfolio_.set_balance(diff.asset, diff.venue);
    }
  }
  // Stops and targets left over a position that no longer needs them (closed while we were away).
  std::set<std::string> symbols;
  for (const execution::ManagedOrder* order : orders_->open_orders()) symbols.insert(order->request.symbol);
  for (const std::string& symbol : symbols) {
    orders_->fit_protection(symbol, portfolio_.position_qty(symbol), now());
  }
  // After a restart, whatever happened while TG4 was down or died with it: the stops cover each
  // position again.
  if (reconciling_ && !restored_.empty()) {
    const std::vector<std::string> owed = orders_->symbols_owed_at_restart();
    std::set<std::string> symbols(owed.begin(), owed.end());
    for (const auto& [symbol, position] : portfolio_.positions()) {
      if (position.is_open()) symbols.insert(symbol);
    }
    cover_after_restart({symbols.begin(), symbols.end()});
  }
  for (const std::string& note : notes) log_->warn("reconciliation: {}", note);
  counters_.last_reconciliation = fmt::format("{} {}", core::format_rfc3339(now(), 0),
                                              notes.empty() ? std::string("clean")
                                                            : std::to_string(notes.size()) + " differences");
  if (!notes.empty()) record_account_state();
}

// A venue order we did not place (or lost track of) is tracked from now on as an entry of its own;
// a stop of TG4's own whose record was lost, as a stop.
void Pipeline::adopt(const core::OrderUpdate& venue_order) {
  execution::ManagedOrder order;
  order.request.client_order_id = venue_order.client_order_id;
  order.request.symbol = venue_order.symbol;
  order.request.side = venue_order.side;
  order.request.type = venue_order.type;
  order.request.qty = venue_order.qty;
  order.request.limit_price = venue_order.limit_price;
  order.request.trigger_price = venue_order.trigger_price;
  order.group = venue_order.client_order_id;
  order.source = "adopted";
  if (execution::is_own_stop(venue_order)) {  // TG4's own, placed to protect a position
    order.role = execution::OrderRole::kStopLoss;
    order.request.reduce_only = true;
    // The position's take-profit survived in the store without it: the stop rejoins its group (same
    // pair, side and quantity), so that the target's trigger frees the stop's coins.
    const auto orphans = orders_->orphan_targets(order.request.symbol, order.request.side);
    const auto same = std::ranges::find_if(orphans, [&](const execution::ManagedOrder* target) {
      return target->request.qty - target->filled == venue_order.qty - venue_order.filled_qty;
    });
    if (same != orphans.end()) order.group = (*same)->group;
  }
  order.status = venue_order.status;
  order.venue_order_id = venue_order.venue_order_id;
  order.filled = venue_order.filled_qty;
  order.avg_price = venue_order.avg_price;
  order.reason = "adopted at reconciliation";
  order.created = now();
  order.updated = now();
  if (has_record_sink()) record(order_row(order, options_.scope));
  // The venue tracks it as TG4's from now on (fills missed while away caught up); what it filled
  // before is the venue's history, not fills of ours.
  execution::FillsSoFar before;
  before.qty = order.filled;
  before.cost = order.filled * order.avg_price;
  before.fees_unknown = true;
  const execution::RestoredOrder handed = handed_to_venue(order, std::move(before));
  orders_->restore(std::move(order));
  venue_->restore_orders({handed}, now());
}

// Said in the log, counted for alerts, and kept (the latest few) for the status and the API.
void Pipeline::on_order_problem(const std::string& problem) {
  constexpr std::size_t kRecentProblems = 20;
  log_->warn("orders: {}", problem);
  ++counters_.order_problems;
  auto& recent = counters_.recent_problems;
  recent.push_back(core::format_rfc3339(now(), 0) + " " + problem);
  if (recent.size() > kRecentProblems) recent.erase(recent.begin());
  execution_metrics_.on_problem();
}

// The portfolio and risk state, persisted on every change so a restart continues exactly here.
void Pipeline::record_account_state() {
  if (!has_record_sink()) return;
  storage::RiskStateRow row;
  row.session_id = options_.scope.session_id;
  row.mode = options_.scope.mode;
  row.updated = now();
  refresh_risk_view();  // the positions and cash of now, not of the last intent judged
  row.state_json = risk::state_to_json_text(risk_state_);
  execution::PortfolioState state = portfolio_.state();
  state.hodl = bags_.state();
  state.rebalance_batch_started = rebalance_batch_started_;
  row.portfolio_json = execution::portfolio_state_to_json(state);
  record(std::move(row));
  saved_peak_equity_ = risk_state_.peak_equity;
  saved_day_start_ = risk_state_.day_start;
}

bool Pipeline::baselines_unsaved() const {
  return risk_state_.peak_equity != saved_peak_equity_ || risk_state_.day_start != saved_day_start_;
}

void Pipeline::finish() {
  for (const TimerId id : timers_) kernel_.timers().cancel(id);
  timers_.clear();
  on_tick();
  on_snapshot();
  publish_summary();
}

void Pipeline::warm_up(std::vector<core::Bar> bars) {
  // In time order across symbols, as the live bars come (a store answers one symbol at a time).
  std::ranges::stable_sort(bars, {}, [](const core::Bar& bar) { return bar.open_time; });
  warming_up_ = true;
  for (const core::Bar& bar : bars) bars_.on_history(bar);
  bars_.on_time(now());  // roll-ups whose bucket ended with the stored minutes
  warming_up_ = false;
}

// ---- market data ---------------------------------------------------------------------------------

void Pipeline::on_book(const core::BookDelta& delta) {
  ++counters_.market_events;
  auto it = books_.find(delta.symbol);
  if (it == books_.end()) {
    const core::Instrument* instrument = instruments_.find(delta.symbol);
    const core::Instrument fallback = core::default_instrument(delta.symbol);
    const core::Instrument& inst = instrument ? *instrument : fallback;
    it = books_.emplace(delta.symbol, market::OrderBook(delta.symbol, static_cast<std::size_t>(options_.book_depth)))
             .first;
    it->second.set_precision(inst.price_precision, inst.qty_precision);
  }
  market::OrderBook& book = it->second;
  const market::ApplyResult applied = book.apply(delta);
  if (metrics_scraped()) market_metrics_.on_book(delta.symbol, applied, book.valid());
  if (applied == market::ApplyResult::kChecksumMismatch) {
    ++counters_.checksum_mismatches;
    if (outputs_.resubscribe_book) outputs_.resubscribe_book(delta.symbol);
    return;
  }
  if (!book.valid()) return;
  note_market_data(delta.symbol);
  if (options_.indicators == market::IndicatorScope::kAll) {  // nothing else reads the features
    market_.symbol(delta.symbol).on_book(market::compute_book_features(book.bids(), book.asks()), now());
  }
  if (const auto mid = book.mid()) mark(delta.symbol, *mid);
  venue_->on_book(delta.symbol, now());
  strategy_->on_book(*context_, delta.symbol);
}

void Pipeline::on_trade(const core::Trade& trade) {
  if (!apply_market_trade(trade)) return;
  venue_->on_trade(trade, now());
  orders_->on_price(trade.symbol, trade.price, now());
  strategy_->on_trade(*context_, trade);
  if (options_.record_market_data) record(trade);
}

bool Pipeline::apply_market_trade(const core::Trade& trade) {
  ++counters_.market_events;
  ++counters_.trades_seen;
  const market::BarAggregator::TradeResult result = bars_.on_trade(trade);
  if (result != market::BarAggregator::TradeResult::kApplied && !judge_trade(trade, result))
    return false;
  note_market_data(trade.symbol);
  market_.on_trade(trade);
  mark(trade.symbol, trade.price);
  return true;
}

bool Pipeline::apply_if_quiet(std::span<const core::Trade> trades) {
  if (trades.empty()) return true;
  symbol_runs(trades, runs_);
  if (!quiet(runs_, trades.back().time)) return false;
  counters_.market_events += trades.size();
  counters_.trades_seen += trades.size();
  bars_.on_trades(trades);
  // The market state, the marks and the venue keep a symbol's last price: its last trade decides.
  for (const SymbolRun& run : runs_) {
    market_.on_trade(*run.last);
    if (run.last_positive != nullptr) mark(run.last_positive->symbol, run.last_positive->price);
    paper_->set_last_price(run.last->symbol, run.last->price);
  }
  kernel_.advance_clock_to(trades.back().time);  // no timer is due by then: it fires nothing
  return true;
}

void Pipeline::symbol_runs(std::span<const core::Trade> trades, std::vector<SymbolRun>& runs) {
  runs.clear();  // a few symbols at most
  for (const core::Trade& trade : trades) {
    auto it = std::find_if(runs.begin(), runs.end(), [&](const SymbolRun& r) { return r.symbol == trade.symbol; });
    if (it == runs.end()) it = runs.insert(runs.end(), SymbolRun{trade.symbol, trade.price, trade.price});
    it->low = core::min(it->low, trade.price);
    it->high = core::max(it->high, trade.price);
    it->last = &trade;
    if (trade.price.is_positive()) it->last_positive = &trade;  // Portfolio::set_mark skips the others
  }
}

bool Pipeline::quiet(const std::vector<SymbolRun>& runs, core::Timestamp until) const {
  if (paper_ == nullptr || strategy_takes_trades_ || options_.record_market_data || orders_->watches_prices()) return false;
  const std::optional<core::Timestamp> next_timer = kernel_.timers().next_deadline();
  if (next_timer && *next_timer <= until) return false;
  return std::all_of(runs.begin(), runs.end(),
                     [this](const SymbolRun& run) { return paper_->quiet_between(run.symbol, run.low, run.high); });
}

void Pipeline::on_ticker(const core::Ticker& ticker) {
  ++counters_.market_events;
  if (outputs_.state == nullptr) return;
  json::object out;
  out["symbol"] = ticker.symbol;
  out["bid"] = ticker.bid.to_string();
  out["ask"] = ticker.ask.to_string();
  out["last"] = ticker.last.to_string();
  out["volume"] = ticker.volume.to_string();
  out["time"] = core::format_rfc3339(ticker.received);
  std::string text = json::serialize(out);
  outputs_.state->set_state("ticker:" + ticker.symbol, text);
  outputs_.state->publish(storage::Topic::kTicks, std::move(text));
}

void Pipeline::on_ohlc(const core::Ohlc& ohlc) {
  ++counters_.market_events;
  bars_.on_kraken_ohlc(ohlc.bar);
}

void Pipeline::on_instrument(const core::InstrumentUpdate& update) {
  instruments_.upsert(update.instrument);
  // A book made before Kraken's instrument data came checks and shows prices at its precision.
  if (auto it = books_.find(update.instrument.symbol); it != books_.end())
    it->second.set_precision(update.instrument.price_precision, update.instrument.qty_precision);
  if (options_.record_market_data) record(update.instrument);
}

void Pipeline::on_feed_state(const core::FeedState& state) {
  // Only the public market-data session drives the books; the venue's private session reports its
  // own connectivity (a private disconnect leaves the books valid).
  if (state.source == "private") return on_venue_state(state);
  if (state.connected && !feed_connected_) feed_up_since_ = now();
  feed_connected_ = state.connected;
  // A reconnect rebuilds every book from fresh snapshots: until then none is trusted.
  if (!state.connected) {
    for (auto& [symbol, book] : books_) {
      book.invalidate();
      market_metrics_.on_book_invalidated(symbol);
    }
  }
}

// While the venue's session is down no new order can be placed or confirmed; once it is back,
// what happened meanwhile (fills, cancels by the dead man's switch) is reconciled before trading on.
void Pipeline::on_venue_state(const core::FeedState& state) {
  const bool was_down = venue_connected_ == false;
  venue_connected_ = state.connected;
  if (!state.connected) {
    // A venue that cannot come up says so at every attempt: the log hears each new reason once.
    const bool news = !was_down || state.reason != venue_down_reason_;
    venue_down_reason_ = state.reason.empty() ? std::string("down") : state.reason;
    if (news) {
      log_->warn("venue session down ({}): no new orders until it is back and reconciled",
                 venue_down_reason_);
    }
    if (started_) publish_summary();  // /status and /ready say it at once (start() publishes too)
    return;
  }
  venue_down_reason_.clear();
  venue_was_up_ = true;
  if (was_down && started_) {
    log_->info("venue session back: reconciling before any new order");
    reconciling_ = true;
    request_reconciliation();
  }
  if (started_) publish_summary();
}

void Pipeline::on_bar_closed(const core::Bar& bar) {
  if (warming_up_) return on_history_bar(bar);
  ++counters_.bars_closed;
  market_.on_bar(bar, now());
  // A partial minute (the one the node started in) is not stored as if whole: the store keeps
  // complete bars (the start-up backfill fills up to that minute), indicators still see it.
  if (bar.interval_minutes == 1 && options_.record_market_data && !bars_.closing_partial())
    record(bar);
  if (outputs_.state != nullptr && bar.interval_minutes == 1) {
    json::object out;
    out["symbol"] = bar.symbol;
    out["open_time"] = core::format_rfc3339(bar.open_time);
    out["close"] = bar.close.to_string();
    out["volume"] = bar.volume.to_string();
    outputs_.state->publish(storage::Topic::kBars, json::serialize(out));
  }
  if (metrics_scraped()) market_metrics_.on_bar(bar);
  if (bar.interval_minutes == options_.timeframes.front()) watch_volatility(bar);
  strategy_->on_bar(*context_, bar);
}

// A bar of the stored history: already stored and published when it was live, and too old to judge
// (the volatility breaker) or trade on; the indicators and the strategy's own learn from it.
void Pipeline::on_history_bar(const core::Bar& bar) {
  market_.on_bar(bar, bar.open_time);
  if (bar.interval_minutes == options_.timeframes.front()) {
    if (const std::optional<double> atr = bar_atr(bar)) remember_atr(bar.symbol, *atr);
  }
  strategy_->on_bar(*context_, bar);
}

std::optional<double> Pipeline::bar_atr(const core::Bar& bar) const {
  const market::SymbolMarket* symbol = market_.find(bar.symbol);
  const market::TimeframeState* tf = symbol ? symbol->timeframe(bar.interval_minutes) : nullptr;
  return tf != nullptr ? tf->indicators().atr_14 : std::nullopt;
}

void Pipeline::watch_volatility(const core::Bar& bar) {
  const std::optional<double> atr = bar_atr(bar);
  if (!atr) return;
  if (const std::optional<double> mean = remember_atr(bar.symbol, *atr))
    handle_risk_events(risk_.on_volatility(risk_state_, bar.symbol, *atr, *mean, now()));
}

std::optional<double> Pipeline::remember_atr(const std::string& symbol, double atr) {
  AtrWindow& history = atr_history_[symbol];
  std::vector<double>& values = history.values;
  const auto window = static_cast<std::size_t>(std::max(options_.volatility_mean_bars, 1));
  if (values.size() < window) {
    values.push_back(atr);
    return std::nullopt;
  }
  double sum = 0;
  for (std::size_t i = history.oldest; i < window; ++i) sum += values[i];
  for (std::size_t i = 0; i < history.oldest; ++i) sum += values[i];
  values[history.oldest] = atr;
  history.oldest = (history.oldest + 1) % window;
  return sum / static_cast<double>(window);
}

void Pipeline::mark(const std::string& symbol, core::Decimal price) { portfolio_.set_mark(symbol, price); }

// ---- decisions -----------------------------------------------------------------------------------

std::optional<core::Decimal> Pipeline::quote_to_reporting(const std::string& symbol,
                                                          core::Decimal quote_amount) const {
  const auto assets = core::split_symbol(symbol);
  if (!assets) return std::nullopt;
  return portfolio_.value_in_reporting(assets->second, quote_amount);
}

core::Decimal Pipeline::order_qty(const core::OrderIntent& intent, core::Decimal size_reporting) const {
  const core::Instrument* instrument = instruments_.find(intent.symbol);
  const auto one_quote = quote_to_reporting(intent.symbol, core::Decimal::one());
  if (instrument == nullptr || !one_quote || one_quote->is_zero() || intent.entry.is_zero()) return {};
  const core::Decimal quote = size_reporting / *one_quote;
  return instrument->round_qty(quote / intent.entry);
}

// What rule 9 adds to an intent's size: the taker fee the venue charges its order and, at the paper
// venue, the slippage of a market order without a book (the paper venue reserves the fee with a
// buy and refuses one it cannot pay; Kraken answers EOrder:Insufficient funds).
core::Decimal Pipeline::order_cost_pct(const core::OrderIntent& intent) const {
  const core::Instrument* instrument = instruments_.find(intent.symbol);
  if (instrument == nullptr) return {};
  const bool market = !core::has_limit(intent.type);
  if (paper_ != nullptr) return execution::order_cost_pct(options_.paper, *instrument, market);
  return instrument->taker_fee * core::Decimal::from_int(100);
}

// `cash` not committed to open buy orders: the paper venue tracks its reservations; for a real
// venue the open buys' remaining notional is subtracted from the reported balance.
core::Decimal Pipeline::venue_available(const std::string& cash) const {
  if (paper_ != nullptr) return paper_->available(cash);
  core::Decimal committed;
  for (const execution::ManagedOrder* order : orders_->open_orders()) {
    const execution::OrderRequest& r = order->request;
    const core::Instrument* instrument = instruments_.find(r.symbol);
    if (r.side != core::Side::kBuy || instrument == nullptr || instrument->quote != cash) continue;
    const core::Decimal price = r.limit_price.is_positive() ? r.limit_price : r.trigger_price;
    committed += (r.qty - order->filled) * price;
  }
  return portfolio_.balance(cash) - committed;
}

// What trading may spend of `cash`: the hodl bags' cash (held and pending) is not for trading,
// nor are the coins of open long positions (the BTC of a BTC/USDT position paid for an XRP/BTC
// buy would leave that position's stop and exit short of coins). The venue may already hold those
// back (coins locked by a resting stop): the smaller of the two counts.
core::Decimal Pipeline::available_cash(const std::string& cash) const {
  core::Decimal held;
  for (const auto& [symbol, position] : portfolio_.positions()) {
    const core::Instrument* instrument = instruments_.find(symbol);
    if (position.margin || !position.qty.is_positive() || instrument == nullptr ||
        instrument->base != cash)
      continue;
    held += position.qty;
  }
  const core::Decimal free =
      held.is_zero() ? venue_available(cash)
                     : core::min(venue_available(cash), portfolio_.balance(cash) - held);
  return free - reserved_for_bags(cash);
}

// What the operator reads (tg4 ctl risk, the persisted and published risk state) as of now: the
// positions rules 7-9 count and the free cash in the reporting currency. The engine refreshes them
// for each intent's own quote currency when it judges one (refresh_risk_inputs).
void Pipeline::refresh_risk_view() {
  refresh_risk_inputs(options_.reporting_currency);
}

void Pipeline::refresh_risk_inputs(const std::string& symbol) {
  std::vector<risk::OpenPosition> positions;
  for (const auto& [symbol, position] : portfolio_.positions()) {
    if (!position.is_open()) continue;
    positions.push_back({symbol, position.is_short() ? core::Side::kSell : core::Side::kBuy,
                         portfolio_.exposure(symbol).round(8), position.leverage});
  }
  risk_.set_positions(risk_state_, std::move(positions));
  // Rule 9 judges what pays for the intent: its symbol's quote currency (USDT for BTC/USDT, BTC for
  // XRP/BTC), valued in the reporting currency; on margin the venue's free margin in it (unrealised
  // PnL in, held margin out).
  const auto assets = core::split_symbol(symbol);
  const std::string& funding = assets ? assets->second : options_.reporting_currency;
  const core::Decimal amount =
      margin_ ? paper_->free_margin(funding) - reserved_for_bags(funding) : available_cash(funding);
  const auto value = portfolio_.value_in_reporting(funding, amount);
  risk_.set_available_margin(risk_state_, value.value_or(core::Decimal{}));
}

// The advisor works on its own threads (LLM calls take seconds); its answer comes back as a kernel
// task, in order with everything else, even when it answers inside the call (the rules).
bool Pipeline::ask_advice(const std::string& symbol, int timeframe_minutes) {
  const market::SymbolMarket* market = market_.find(symbol);
  if (market == nullptr) return false;
  const strategy::AdviceRequest request{symbol, timeframe_minutes, portfolio_.position_qty(symbol),
                                        now(), agent_views(symbol)};
  outputs_.advisor->ask(request, *market, [this](strategy::Advice advice) {
    kernel_.post(Task([this, advice = std::move(advice)] { on_advice(advice); }));
  });
  return true;
}

void Pipeline::on_advice(const strategy::Advice& advice) {
  const std::string action = strategy::to_string(advice.action);
  const std::string source = advice.by_models ? "llm" : "rules";
  if (metrics_scraped()) decisions_.Add({{"source", source}, {"action", action}}).Increment();
  if (has_record_sink()) {
    for (storage::DecisionRow& row : decision_rows(advice, options_.scope)) record(std::move(row));
  }
  if (outputs_.state != nullptr) {
    outputs_.state->publish(storage::Topic::kDecisions, json::serialize(advice_json(advice)));
  }
  if (const market::SymbolMarket* market = market_.find(advice.symbol); market && market->last_price()) {
    scoreboard_.add(advice, *market->last_price());
  }
  if (coordinate(advice)) return;
  act_on_advice(advice);
}

void Pipeline::act_on_advice(const strategy::Advice& advice) {
  const std::string action = strategy::to_string(advice.action);
  counters_.last_advice = fmt::format("{} {} {} at {:.2f} ({})", core::format_rfc3339(now(), 0), advice.symbol, action,
                                      advice.confidence, advice.source);
  log_->info("advice {}: {} at confidence {:.2f} ({}){}", advice.symbol, action, advice.confidence,
             advice.source, advice.reasoning.empty() ? "" : ": " + advice.reasoning);
  strategy_->on_advice(*context_, advice);
}

// The advisors' calls whose horizon has passed, judged against the price now (SPEC §6 scoring).
void Pipeline::score_calls(core::Timestamp now) {
  const auto price_of = [this](const std::string& symbol) -> std::optional<core::Decimal> {
    const market::SymbolMarket* market = market_.find(symbol);
    return market == nullptr ? std::nullopt : market->last_price();
  };
  for (agents::ModelScore& score : scoreboard_.score_due(now, price_of)) {
    if (has_record_sink()) record(std::move(score));
  }
}

// Every series SPEC §11 names exists from the start (at zero), so a rate or an alert has something
// to read before the first signal, decision or bag.
void Pipeline::create_metric_series() {
  const std::string strategy(strategy_->name());
  for (const auto& symbol : options_.symbols) {
    for (const char* side : {"buy", "sell"})
      signals_.Add({{"strategy", strategy}, {"symbol", symbol}, {"side", side}});
  }
  if (!strategy_asks_advice()) {
    for (const char* action : {"BUY", "SELL"})
      decisions_.Add({{"source", "strategy"}, {"action", action}});
  }
  for (const auto& [asset, share] : options_.hodl.split_pct) {
    hodl_value_.Add({{"asset", asset}});
    hodl_pending_.Add({{"asset", asset}});
    hodl_coins_.Add({{"asset", asset}});
  }
  for (const auto move :
       {execution::HodlMove::kSetAside, execution::HodlMove::kCapped, execution::HodlMove::kBought})
    hodl_movements_.Add({{"kind", execution::to_string(move)}});
}

// llm_consensus trades the advice it asks for: its decisions are the advice (counted in on_advice).
bool Pipeline::strategy_asks_advice() const {
  return options_.strategy == "llm_consensus";
}

void Pipeline::on_intent(core::OrderIntent intent) {
  ++counters_.intents;
  if (metrics_scraped()) {
    const char* side = core::to_string(intent.side);
    signals_.Add({{"strategy", intent.source}, {"symbol", intent.symbol}, {"side", side}})
        .Increment();
    // A built-in strategy decides itself: each of its intents is a decision, BUY or SELL.
    if (!strategy_asks_advice())
      decisions_
          .Add({{"source", "strategy"},
                {"action", intent.side == core::Side::kBuy ? "BUY" : "SELL"}})
          .Increment();
  }
  if (reconciling_ || venue_connected_ == false) {
    // SPEC §8: no new order before reconciliation completes, nor while the venue cannot be reached.
    ++counters_.rejected;
    counters_.last_decision =
        fmt::format("{} {} {} {} -> WAITING ({})", core::format_rfc3339(now(), 0), intent.source,
                    core::to_string(intent.side), intent.symbol, reconciling_ ? "reconciliation" : "venue down");
    return;
  }
  apply_regime(intent);
  if (intent.size_quote.is_zero() && !intent.qty.is_zero()) intent.size_quote = intent.qty * intent.entry;
  risk::RiskIntent risk_intent = risk::intent_from_order(intent);
  risk_intent.size_usd = quote_to_reporting(intent.symbol, intent.size_quote).value_or(core::Decimal{}).round(8);
  // On margin the risk engine's size is the margin committed (notional / leverage, SPEC §7 rule 7).
  if (margin_ && intent.leverage > core::Decimal::one()) risk_intent.size_usd = (risk_intent.size_usd / intent.leverage).round(8);
  risk_intent.fee_pct = order_cost_pct(intent);
  refresh_risk_inputs(intent.symbol);
  const auto started = std::chrono::steady_clock::now();
  const risk::Verdict verdict = risk_.check(risk_state_, risk_intent, now());
  if (metrics_scraped())
    risk_metrics_.on_verdict(verdict, std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  handle_risk_events({risk::Engine::verdict_event(risk_intent, verdict, risk_state_, now())});
  counters_.last_decision = fmt::format("{} {} {} {} -> {}", core::format_rfc3339(now(), 0), intent.source,
                                        core::to_string(intent.side), intent.symbol, risk::to_string(verdict.status));
  if (!verdict.allows_order()) {
    // A refusal says why on the status screen: "REJECTED" alone leaves the operator guessing.
    counters_.last_decision += ": " + verdict.reason;
    ++counters_.rejected;
    return;
  }
  ++counters_.approved;
  // An explicit quantity the risk engine left whole is sent as given: converting it to the
  // reporting currency and back can lose its last increment (an exit would leave dust behind).
  const bool whole = !intent.qty.is_zero() && verdict.size_usd >= risk_intent.size_usd &&
                     (!margin_ || verdict.leverage >= intent.leverage);
  const core::Decimal notional = margin_ ? verdict.size_usd * verdict.leverage : verdict.size_usd;
  core::Decimal qty = whole ? intent.qty : order_qty(intent, notional);
  // A spot sell never reaches the hodl bags' coins, nor while rebalancing the allocation's,
  // whatever quantity the strategy asked for.
  if (!margin_ && intent.side == core::Side::kSell && !qty.is_zero()) {
    qty = cap_spot_sell(intent.symbol, qty);
    if (qty.is_zero()) {
      // Nothing of the account's is the strategy's to sell: a decision, not a failure.
      counters_.last_decision += rebalancing() ? ": no position to sell (the other coins are the "
                                                 "hodl bag's or the allocation's)"
                                               : ": nothing to sell but the hodl bag's coins";
      return;
    }
  }
  if (qty.is_zero()) {
    if (!notional.is_positive()) {  // an intent for nothing (an exit of a flat position)
      counters_.last_decision += ": nothing to send (size 0)";
      return;
    }
    return order_refused(
        intent.intent_id, intent.symbol, "order_manager",
        fmt::format("{} {} of {} rounds to a quantity of zero", notional.to_string(2),
                    options_.reporting_currency, intent.symbol));
  }
  if (margin_) intent.leverage = verdict.leverage;
  auto sent = orders_->submit(intent, qty, now());
  if (!sent)
    return order_refused(intent.intent_id, intent.symbol, "order_manager", sent.error().message);
  ++counters_.orders_sent;
  reference_prices_[*sent] = intent.entry;
  sent_at_[*sent] = now();
}

// ---- execution -----------------------------------------------------------------------------------

void Pipeline::on_execution(const core::ExecutionEvent& event) {
  if (const auto* fill = std::get_if<core::Fill>(&event)) {
    // A venue may repeat a fill (a snapshot after a reconnect): each exec id counts once.
    if (!fill->exec_id.empty() && !applied_exec_ids_.insert(fill->exec_id).second) return;
  }
  const auto* balance = std::get_if<core::BalanceUpdate>(&event);
  if (balance != nullptr && paper_ == nullptr) venue_balances_seen_ = true;
  if (balance != nullptr && paper_ == nullptr && portfolio_.balance(balance->asset) != balance->balance) {
    portfolio_.set_balance(balance->asset, balance->balance);  // a real venue's balance is the truth
    record_account_state();  // and the account a restart continues from, trade or not
  }
  orders_->on_execution(event, now());
  if (const auto* update = std::get_if<core::OrderUpdate>(&event)) on_order_update(*update);
  if (const auto* fill = std::get_if<core::Fill>(&event)) on_fill(*fill);
}

void Pipeline::on_order_update(const core::OrderUpdate& update) {
  const auto sent = sent_at_.find(update.client_order_id);
  if (sent == sent_at_.end()) return;
  execution_metrics_.on_round_trip(std::chrono::duration<double>(update.time - sent->second).count());
  sent_at_.erase(sent);
}

void Pipeline::on_fill(const core::Fill& fill) {
  ++counters_.fills;
  fills_.push_back(fill);
  const core::Instrument* instrument = instruments_.find(fill.symbol);
  if (instrument == nullptr) return;
  const execution::ManagedOrder* order = orders_->find(fill.client_order_id);
  // A hodl bag's buy moves balances and its bag: no position, so no risk count, protection or trade.
  const bool bag = order != nullptr && order->source == execution::kHodlSource;
  // A rebalance's moves balances only, as a bag's does.
  const bool holding = order != nullptr && execution::is_holding_source(order->source);
  std::optional<execution::ClosedTrade> closed;
  if (bag) {
    on_bag_fill(fill, *instrument);
  } else if (holding) {
    portfolio_.apply_holding_fill(fill, *instrument);
  } else {
    closed = portfolio_.apply_fill(fill, *instrument);
  }
  if (metrics_scraped()) observe_fill(fill);
  if (has_record_sink()) record(fill_row(fill, options_.scope));
  if (!holding && order != nullptr && order->role == execution::OrderRole::kEntry) {
    handle_risk_events(risk_.on_fill(risk_state_, now()));
  }
  // Every fill of a position: the order manager fits the stops to it, and knows it for what a stop
  // placed again may cover (a lost stop placed for a position it last knew flat would be no stop).
  if (!bag && !holding) {
    orders_->fit_protection(fill.symbol, portfolio_.position_qty(fill.symbol), now());
  }
  if (closed) closed_trades_.push_back(*closed);
  // One outcome a trade, when its position is flat: an exit filled in three parts is one loss for
  // the streaks and cool-downs, not three, and one profit for the bags.
  if (closed && closed->ends_round_trip) {
    handle_risk_events(risk_.on_trade_closed(risk_state_, closed->round_trip_pnl, now()));
    set_aside(closed->round_trip_pnl, fill);
  }
  record_account_state();
  if (order != nullptr && order->source == strategy_->name()) strategy_->on_fill(*context_, fill);
  if (outputs_.state != nullptr) outputs_.state->publish(storage::Topic::kFills, json::serialize(fill_json(fill)));
}

// Fees in the reporting currency and slippage against the price the order was sent at.
void Pipeline::observe_fill(const core::Fill& fill) {
  const auto fee_reporting = portfolio_.value_in_reporting(fill.fee_currency, fill.fee).value_or(core::Decimal{});
  std::optional<double> slippage;
  if (const auto ref = reference_prices_.find(fill.client_order_id); ref != reference_prices_.end()) {
    const double sign = fill.side == core::Side::kBuy ? 1.0 : -1.0;
    slippage = sign * ((fill.price - ref->second) / ref->second).to_double() * 10'000.0;
  }
  execution_metrics_.on_fill(fill, fee_reporting.to_double(), slippage);
}

// An approved order that does not go out, or that the venue refuses, is said (log, status, order
// problem metric), recorded as a risk event next to the verdict that approved it, and counted.
void Pipeline::order_refused(const std::string& intent_id, const std::string& symbol,
                             const std::string& by, const std::string& why) {
  ++counters_.orders_refused;
  const std::string who = by == "venue" ? "venue" : "order manager";
  const std::string what = fmt::format("{} order{} refused by the {}: {}", symbol,
                                       intent_id.empty() ? "" : " of " + intent_id, who, why);
  on_order_problem(what);
  // Its own line: a venue's answer comes after other decisions may have been made.
  counters_.last_decision = core::format_rfc3339(now(), 0) + " " + what;
  risk::RiskEvent event;
  event.kind = risk::RiskEvent::Kind::kOrderRefused;
  event.time = now();
  event.intent_id = intent_id;
  event.symbol = symbol;
  event.reason = why;
  event.refused_by = by;
  event.state_before = event.state_after = risk_state_.trading_state;
  handle_risk_events({event});
}

void Pipeline::on_order_changed(const execution::ManagedOrder& order) {
  if (order.source == execution::kHodlSource) on_bag_order_changed(order);
  if (order.source == execution::kRebalanceSource) on_rebalance_order_changed(order);
  // A position's entry or exit the venue refused (stops and targets are the order manager's to
  // report: it places them again or says the position is unprotected).
  const bool entry_or_exit =
      order.role == execution::OrderRole::kEntry || order.role == execution::OrderRole::kExit;
  if (entry_or_exit && order.status == core::OrderStatus::kRejected &&
      venue_refusals_.insert(order.request.client_order_id).second) {
    order_refused(order.intent_id, order.request.symbol, "venue",
                  fmt::format("{} {} {} {}: {}", execution::to_string(order.role),
                              order.request.client_order_id, core::to_string(order.request.side),
                              order.request.qty.to_string(),
                              order.reason.empty() ? "no reason given" : order.reason));
  }
  if (metrics_scraped()) {
    execution_metrics_.on_order(order);
    execution_metrics_.set_open_orders(orders_->open_count());
  }
  if (has_record_sink()) {
    record(order_row(order, options_.scope));
    record(order_event_row(order, options_.scope));
  }
  if (outputs_.state != nullptr) {
    outputs_.state->publish(storage::Topic::kOrders, json::serialize(order_json(order)));
  }
}

// ---- time ----------------------------------------------------------------------------------------

void Pipeline::on_tick() {
  const core::Timestamp t = now();
  bars_.on_time(t);
  venue_->on_time(t);
  // Only a live node's status and metrics show it: a backtest's clock is its data's.
  if (metrics_scraped() || options_.summary_every_tick) watch_market_data(t);
  // An exit on its way at the restart has ended by now (its fills and status come together, and a
  // tick later): the stops cover what it left.
  if (orders_->awaits_cover()) cover_after_restart(orders_->symbols_awaiting_cover());
  if (scoreboard_.has_pending()) score_calls(t);
  // Valued once per tick: from here on nothing in this call changes balances or marks (venue
  // reports arrive as their own kernel events).
  // The risk engine judges trading's equity: the hodl bags are set aside, whatever their price
  // does.
  const core::Decimal equity = trading_equity(portfolio_.equity());
  handle_risk_events(risk_.on_equity(risk_state_, equity, t));
  // A peak reached by prices alone raises no risk event; the drawdown breaker measures from it,
  // so it is saved too (at most once a tick, and only while it rises).
  if (has_record_sink() && !reconciling_ && baselines_unsaved()) record_account_state();
  watch_store();
  buy_bags();
  if (rebalancing()) advance_rebalance();
  // Gauges in a private registry (a backtest's) are never scraped: the tick skips computing them.
  if (metrics_scraped()) {
    execution_metrics_.on_portfolio(portfolio_, equity, risk_state_.peak_equity);
    execution_metrics_.set_open_orders(orders_->open_count());
    risk_metrics_.on_state(risk_state_, t);
    observe_hodl();
  }
  if (options_.summary_every_tick) publish_summary(equity);
}

// DESIGN principle 5: never lose a record silently. When rows can be neither written nor spooled,
// no new exposure is taken until the store recovers; exits still pass.
void Pipeline::watch_store() {
  if (!outputs_.store_alert) return;
  const bool alert = outputs_.store_alert();
  if (alert && !reducing_for_store_ && risk_state_.manual_state == risk::TradingState::kActive) {
    reducing_for_store_ = true;
    handle_risk_events(risk_.set_trading_state(risk_state_, risk::TradingState::kReducing,
                                               "store alert: records cannot be written or spooled", now()));
  } else if (!alert && reducing_for_store_) {
    reducing_for_store_ = false;
    handle_risk_events(risk_.set_trading_state(risk_state_, risk::TradingState::kActive, "store recovered", now()));
  }
}

void Pipeline::on_snapshot() {
  const core::Timestamp t = now();
  if (has_record_sink()) {
    record(portfolio_row(portfolio_, risk_state_.peak_equity, options_.scope, t, hodl_value()));
    for (const auto& [symbol, position] : portfolio_.positions()) {
      record(position_row(position, portfolio_, options_.scope, t));
    }
  }
  if (outputs_.state == nullptr) return;
  outputs_.state->set_state("portfolio", json::serialize(portfolio_json()));
  outputs_.state->set_state("positions", json::serialize(positions_json()));
  outputs_.state->set_state("orders:open", json::serialize(orders_json(true)));
  outputs_.state->set_state("risk", json::serialize(risk_json()));
}

void Pipeline::handle_risk_events(const std::vector<risk::RiskEvent>& events) {
  bool state_changed = false;
  for (const auto& event : events) {
    if (outputs_.risk_events) outputs_.risk_events(event);
    if (has_record_sink()) record(risk_event_row(event, options_.scope));
    if (event.kind != risk::RiskEvent::Kind::kVerdict &&
        event.kind != risk::RiskEvent::Kind::kOrderRefused)
      state_changed = true;
    if (event.kind == risk::RiskEvent::Kind::kBreaker) log_breaker(event);
    if (event.kind == risk::RiskEvent::Kind::kBreaker && event.breaker_tripped) {
      if (outputs_.state != nullptr) {
        outputs_.state->publish(storage::Topic::kAlerts, json::serialize(risk::event_to_json(event)));
      }
      if (event.action == risk::BreakerAction::kFlatten) {
        orders_->cancel_all(now());
        reduce_positions(core::Decimal::one(), event.reason);
      } else if (event.action == risk::BreakerAction::kReducePositions) {
        reduce_positions(core::pct_to_fraction(event.reduce_pct), event.reason);
      }
    }
  }
  if (state_changed) record_account_state();
}

// The most important state change of the node, in the log at warning level with its reason (it is
// also stored, published on the alerts topic and in tg4_risk_breaker_state).
void Pipeline::log_breaker(const risk::RiskEvent& event) {
  const char* breaker = event.breaker ? risk::to_string(*event.breaker) : "?";
  if (event.breaker_tripped) {
    log_->warn("circuit breaker {} tripped: {}; trading {} -> {}, action {}{}", breaker,
               event.reason, risk::to_string(event.state_before),
               risk::to_string(event.state_after), risk::to_string(event.action),
               event.action == risk::BreakerAction::kReducePositions
                   ? " " + event.reduce_pct.to_string() + " %"
                   : "");
  } else {
    log_->warn("circuit breaker {} released: {}; trading {} -> {}", breaker, event.reason,
               risk::to_string(event.state_before), risk::to_string(event.state_after));
  }
}

void Pipeline::reduce_positions(const core::Decimal& fraction, const std::string& reason) {
  for (const auto& [symbol, position] : portfolio_.positions()) {
    if (!position.is_open()) continue;
    const core::Instrument* instrument = instruments_.find(symbol);
    if (instrument == nullptr) continue;
    const core::Decimal qty = instrument->round_qty(position.qty * fraction);
    if (qty.is_zero()) continue;
    if (auto sent = orders_->close_position(symbol, qty, reason, now()); !sent)
      order_refused("close:" + symbol, symbol, "order_manager", sent.error().message);
  }
}

void Pipeline::record(storage::Row row) {
  if (outputs_.record) outputs_.record(std::move(row));
}

void Pipeline::publish_summary() {
  publish_summary(trading_equity(portfolio_.equity()));
}

void Pipeline::publish_summary(core::Decimal equity) {
  PipelineSummary& s = counters_;
  s.time = now();
  s.trading_state = risk::to_string(risk_state_.trading_state);
  s.state_reason = risk_state_.state_reason;
  s.equity = equity.round(2);
  s.peak_equity = risk_state_.peak_equity.round(2);
  s.realised_pnl = portfolio_.realised_pnl().round(2);
  s.unrealised_pnl = portfolio_.unrealised_pnl().round(2);
  s.fees = portfolio_.fees_paid().round(2);
  s.drawdown = drawdown_ratio(equity, risk_state_.peak_equity);
  s.reconciling = reconciling_;
  s.open_positions = 0;
  for (const auto& [symbol, position] : portfolio_.positions()) s.open_positions += position.is_open() ? 1 : 0;
  s.open_orders = orders_->open_count();
  s.feed_connected = feed_connected_;
  s.venue_connected = venue_connected_;
  s.venue_problem = venue_connected_ == false ? venue_down_reason_ : std::string();
  s.venue_was_up = venue_was_up_;
  s.equity_confirmed = paper_ != nullptr || venue_balances_seen_;
  for (const auto& [symbol, tracker] : regimes_) s.regimes[symbol] = regime_line(tracker);
  for (const auto& [symbol, reading] : technicals_)
    s.technicals[symbol] = agents::technical_line(reading);
  for (const auto& [symbol, reading] : sentiments_)
    s.sentiments[symbol] = agents::sentiment_line(reading);
  publish_hodl(s);
  s.rebalance = rebalance_note_;
  publish_markets(s);
  std::lock_guard lock(summary_mutex_);
  summary_ = s;
}

json::object Pipeline::acted(json::object answer) {
  publish_summary();
  answer["trading_state"] = risk::to_string(risk_state_.trading_state);
  return answer;
}

PipelineSummary Pipeline::summary() const {
  std::lock_guard lock(summary_mutex_);
  return summary_;
}

// ---- operator actions ----------------------------------------------------------------------------

core::Result<json::object> Pipeline::pause(const std::string& reason) {
  handle_risk_events(risk_.set_trading_state(risk_state_, risk::TradingState::kReducing, reason, now()));
  return acted(ok("pause"));
}

core::Result<json::object> Pipeline::resume() {
  handle_risk_events(risk_.set_trading_state(risk_state_, risk::TradingState::kActive, "operator resume", now()));
  json::object out = ok("resume");  // acted() adds the trading_state it left
  if (risk_state_.trading_state != risk::TradingState::kActive) out["note"] = risk_state_.state_reason;
  return acted(std::move(out));
}

core::Result<json::object> Pipeline::halt(const std::string& reason, bool flatten_positions) {
  handle_risk_events(risk_.set_trading_state(risk_state_, risk::TradingState::kHalted, reason, now()));
  const std::size_t open = orders_->open_count();
  orders_->cancel_all(now());
  if (flatten_positions) reduce_positions(core::Decimal::one(), reason);
  json::object out = ok("halt");
  out["orders_canceled"] = open;
  out["flattened"] = flatten_positions;
  return acted(std::move(out));
}

core::Result<json::object> Pipeline::flatten(const std::string& reason) {
  orders_->cancel_all(now());
  reduce_positions(core::Decimal::one(), reason);
  return acted(ok("flatten"));
}

core::Result<json::object> Pipeline::close_position(const std::string& symbol, const std::string& reason) {
  const execution::Position* position = portfolio_.position(symbol);
  if (position == nullptr || !position->is_open()) return core::Error::of("no open position in " + symbol);
  auto id = orders_->close_position(symbol, position->qty, reason, now());
  if (!id) return id.error();
  json::object out = ok("close_position");
  out["client_order_id"] = *id;
  return acted(std::move(out));
}

core::Result<json::object> Pipeline::cancel_order(const std::string& client_order_id) {
  const execution::ManagedOrder* order = orders_->find(client_order_id);
  if (order == nullptr) return core::Error::of("unknown order " + client_order_id);
  if (core::is_terminal(order->status)) {
    return core::Error::of("order " + client_order_id + " is already " + core::to_string(order->status));
  }
  orders_->cancel_for_operator(client_order_id, now());
  return acted(ok("cancel_order"));
}

core::Result<json::object> Pipeline::risk_reset() {
  handle_risk_events(risk_.manual_reset(risk_state_, now()));
  return acted(ok("risk_reset"));
}

core::Result<json::object> Pipeline::run_agent(const std::string& name) {
  if (name == "rebalance") {
    if (!rebalancing())
      return core::Error::of("agent 'rebalance': agents.portfolio_rebalance is false");
    json::object out = ok("run_agent");
    out["agent"] = name;
    out["result"] = check_rebalance();
    out["rebalance"] = rebalance_json();
    return out;
  }
  if (name == "sentiment") {
    if (sentiment_agent_ == nullptr) {
      return core::Error::of(
          "agent 'sentiment': no sentiment agent (it needs llm.enabled and a provider with search: "
          "true)");
    }
    sense_symbols();
    json::object out = ok("run_agent");
    out["agent"] = name;
    json::array asked;
    for (const std::string& symbol : options_.symbols) asked.emplace_back(symbol);
    out["symbols"] = std::move(asked);
    return out;
  }
  if (name == "coordinator") {
    return core::Error::of(
        "agent 'coordinator': it is not run by hand; it runs when a trading decision would open or "
        "add to a position against the other agents' readings (technical, sentiment, regime) "
        "(docs/AGENTS.md, Coordinator)");
  }
  const bool regime = name == "regime";
  if (!regime && name != "technical") {
    return core::Error::of(
        fmt::format("agent '{}': the agents run by hand are regime, technical, sentiment and "
                    "rebalance; the "
                    "decision agent answers its "
                    "strategy (llm_consensus, on each closed bar of its timeframe), and `tg4 "
                    "decide --symbol S --once` runs "
                    "one decision cycle (docs/AGENTS.md)",
                    name));
  }
  if (regime && regime_timeframe() == 0)
    return core::Error::of("agent 'regime': agents.regime_detection is false");
  if (!regime && technical_timeframe() == 0)
    return core::Error::of("agent 'technical': agents.technical_analysis is false");
  json::array asked;
  for (const std::string& symbol : options_.symbols) {
    if (market_.find(symbol) != nullptr) asked.emplace_back(symbol);
  }
  if (regime) {
    assess_regimes();
  } else {
    analyse_symbols(true);
  }
  json::object out = ok("run_agent");
  out["agent"] = name;
  out["symbols"] = std::move(asked);  // without market data yet, a symbol is not asked
  return out;
}

// ---- views ---------------------------------------------------------------------------------------

json::object Pipeline::status_json() const {
  const PipelineSummary s = summary();
  json::object out;
  out["session_id"] = options_.scope.session_id;
  out["mode"] = options_.scope.mode;
  out["strategy"] = std::string(strategy_->name());
  out["time"] = core::format_rfc3339(s.time);
  out["trading_state"] = s.trading_state;
  out["state_reason"] = s.state_reason;
  out["feed_connected"] = s.feed_connected;
  // No balances from a real venue yet: the equity is unknown (null), never a zero taken for real;
  // `equity_confirmed` says which, and a restart's stored equity shows only with it false.
  if (s.equity_confirmed || !s.equity.is_zero())
    out["equity"] = s.equity.to_string();
  else
    out["equity"] = nullptr;
  out["equity_confirmed"] = s.equity_confirmed;
  out["realised_pnl"] = s.realised_pnl.to_string();
  out["unrealised_pnl"] = s.unrealised_pnl.to_string();
  out["drawdown"] = s.drawdown.to_string();
  out["open_positions"] = s.open_positions;
  out["open_orders"] = s.open_orders;
  out["intents"] = s.intents;
  out["orders_sent"] = s.orders_sent;
  out["orders_refused"] = s.orders_refused;
  out["fills"] = s.fills;
  out["last_decision"] = s.last_decision;
  out["last_advice"] = s.last_advice;
  out["last_coordination"] = s.last_coordination;
  json::object regimes;
  for (const auto& [symbol, line] : s.regimes) regimes[symbol] = line;
  out["regimes"] = std::move(regimes);
  json::object technicals;
  for (const auto& [symbol, line] : s.technicals) technicals[symbol] = line;
  out["technicals"] = std::move(technicals);
  json::object sentiments;
  for (const auto& [symbol, line] : s.sentiments) sentiments[symbol] = line;
  out["sentiments"] = std::move(sentiments);
  out["hodl_value"] = s.hodl_value.to_string();
  json::object hodl;
  for (const auto& [asset, line] : s.hodl) hodl[asset] = line;
  out["hodl"] = std::move(hodl);
  if (rebalancing()) out["rebalance"] = s.rebalance;
  if (s.venue_connected) out["venue_connected"] = *s.venue_connected;
  if (!s.venue_problem.empty()) out["venue_problem"] = s.venue_problem;
  out["reconciling"] = s.reconciling;
  out["last_reconciliation"] = s.last_reconciliation;
  out["order_problems"] = s.order_problems;
  json::array problems;
  for (const std::string& problem : s.recent_problems) problems.emplace_back(problem);
  out["recent_problems"] = std::move(problems);
  json::object markets;
  json::array stale;
  for (const auto& [symbol, line] : s.markets) {
    json::object m;
    m["bid"] = line.bid.empty() ? json::value(nullptr) : json::value(line.bid);
    m["ask"] = line.ask.empty() ? json::value(nullptr) : json::value(line.ask);
    m["data_age_seconds"] = line.data_age_seconds;
    m["stale"] = line.stale;
    markets[symbol] = std::move(m);
    if (line.stale) stale.emplace_back(symbol);
  }
  out["markets"] = std::move(markets);
  out["stale_symbols"] = std::move(stale);
  return out;
}

json::array Pipeline::positions_json() const {
  json::array out;
  for (const auto& [symbol, position] : portfolio_.positions()) {
    if (position.is_open()) out.push_back(position_json(position, portfolio_));
  }
  return out;
}

json::array Pipeline::orders_json(bool open_only) const {
  json::array out;
  for (const auto& [id, order] : orders_->orders()) {
    if (!open_only || !core::is_terminal(order.status)) out.push_back(order_json(order));
  }
  return out;
}

json::object Pipeline::risk_json() {
  refresh_risk_view();
  return risk::state_to_json(risk_state_);
}

json::object Pipeline::portfolio_json() const {
  json::object out = kernel::portfolio_json(portfolio_, risk_state_.peak_equity, hodl_value());
  // As /status: before a real venue's balances the equity is the store's, or unknown (null).
  const bool confirmed = paper_ != nullptr || venue_balances_seen_;
  out["equity_confirmed"] = confirmed;
  if (!confirmed && portfolio_.equity().is_zero()) out["equity"] = nullptr;
  out["hodl"] = hodl_json();
  out["rebalance"] = rebalance_json();
  return out;
}

}  // namespace tg4::kernel
