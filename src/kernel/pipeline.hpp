#pragma once
// Pipeline: the trading path of DESIGN "The path of one event", on the kernel thread. It subscribes
// to the kernel's bus and turns market data into books, bars and indicators, runs the strategy,
// passes every intent through risk::Engine, sends approved ones to the OrderManager and its venue,
// and applies venue reports to orders, portfolio and risk state; each durable change goes to the
// record sink, the state bus and the metrics. The same Pipeline runs a backtest, paper and live
// session: only its clock, its event sources and its outputs differ.
//
// Everything here runs on the kernel thread; other threads reach it only by posting a Task.
#include <boost/json.hpp>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "agents/agent_views.hpp"
#include "agents/coordinator.hpp"
#include "agents/model_scoreboard.hpp"
#include "agents/regime_tracker.hpp"
#include "agents/sentiment.hpp"
#include "agents/technical.hpp"
#include "core/ids.hpp"
#include "core/logging.hpp"
#include "execution/execution_metrics.hpp"
#include "execution/order_manager.hpp"
#include "execution/paper_venue.hpp"
#include "execution/portfolio.hpp"
#include "kernel/account_restore.hpp"
#include "kernel/kernel.hpp"
#include "kernel/pipeline_options.hpp"
#include "kernel/wall_alarm.hpp"
#include "market/bar_aggregator.hpp"
#include "market/indicators/market_state.hpp"
#include "market/market_metrics.hpp"
#include "market/order_book.hpp"
#include "risk/engine.hpp"
#include "risk/risk_metrics.hpp"
#include "strategy/strategy.hpp"

namespace tg4::kernel {

class Pipeline {
 public:
  // Fails (an Error naming the strategy or parameter) when the strategy cannot be created.
  static core::Result<std::unique_ptr<Pipeline>> create(Kernel& kernel, PipelineOptions options,
                                                        PipelineOutputs outputs);
  ~Pipeline();
  Pipeline(const Pipeline&) = delete;
  Pipeline& operator=(const Pipeline&) = delete;

  // A restart: the account to continue (kernel thread, before start()).
  void restore(RestoredAccount account);
  // Deposits the starting balances (or restores the account), starts the strategy and the timers,
  // and asks the venue for the snapshot reconciliation needs; intents wait until it is done.
  // Kernel thread.
  void start();
  // Final records (portfolio snapshot, risk state); timers stop. Kernel thread.
  void finish();
  // The advisor answers no more (Advisor::stop); any thread, first thing when a node stops.
  void stop_advice() { outputs_.advisor->stop(); }

  // Warm-up (kernel thread, before start()): stored complete 1m bars, any symbols, go through the
  // bar aggregator as closed minutes, so every tracked timeframe's bars are rolled up from them
  // and the roll-ups in progress go on with the live minutes. Each bar reaches the market state
  // (indicators), the volatility watch's ATR window and the strategy's on_bar with
  // StrategyContext::warming_up() true: no intent, question or row comes of it.
  void warm_up(std::vector<core::Bar> bars);
  bool warming_up() const { return warming_up_; }

  // A backtest's shortcut (kernel thread, between events). `trades`: the market's next trades in
  // time order, all before the next timer. When none of them can make anything happen — the paper
  // venue has no order they could activate, trigger or fill, no target is held here, the strategy
  // takes no trades — they only move bars, market state, marks and the venue's last price: that is
  // done here, as posting them would, and true is returned. False: nothing was done; post them.
  bool apply_if_quiet(std::span<const core::Trade> trades);

  // ---- operator actions (kernel thread) ----
  core::Result<boost::json::object> pause(const std::string& reason);
  core::Result<boost::json::object> resume();
  core::Result<boost::json::object> halt(const std::string& reason, bool flatten);
  core::Result<boost::json::object> flatten(const std::string& reason);
  core::Result<boost::json::object> close_position(const std::string& symbol, const std::string& reason);
  core::Result<boost::json::object> cancel_order(const std::string& client_order_id);
  core::Result<boost::json::object> risk_reset();
  // Asks an agent now, for every symbol with market data, as its timer would: "regime" or
  // "technical". The readings come back through the kernel queue like the timer's (status, state
  // keys, decisions). An Error names the agents that can be run, or why this one is off.
  core::Result<boost::json::object> run_agent(const std::string& name);

  // ---- views (kernel thread) ----
  boost::json::object status_json() const;
  boost::json::array positions_json() const;
  boost::json::array orders_json(bool open_only) const;
  boost::json::object risk_json();             // refreshes the positions and margin it shows first
  boost::json::object portfolio_json() const;  // with the hodl bags under "hodl"
  boost::json::object hodl_json() const;
  boost::json::object rebalance_json() const;  // {"enabled": false} when off
  bool rebalancing() const { return options_.rebalance.has_value(); }
  bool hodl_enabled() const { return bags_.policy().enabled(); }

  // Any thread: the numbers of the last tick.
  PipelineSummary summary() const;

  const execution::Portfolio& portfolio() const { return portfolio_; }
  const execution::OrderManager& orders() const { return *orders_; }
  const risk::RiskState& risk_state() const { return risk_state_; }
  const market::MarketState& market() const { return market_; }
  const std::vector<execution::ClosedTrade>& closed_trades() const { return closed_trades_; }
  const std::vector<core::Fill>& fills() const { return fills_; }

 private:
  class Context;

  Pipeline(Kernel& kernel, PipelineOptions options, PipelineOutputs outputs, strategy::StrategyPtr strategy);
  void subscribe();

  // market data
  void on_book(const core::BookDelta& delta);
  void on_trade(const core::Trade& trade);
  // Bars, market state, mark: what any trade moves. False: a duplicate or rejected trade, which
  // nothing else may see.
  bool apply_market_trade(const core::Trade& trade);
  // market data quality (pipeline_market_data.cpp): what the bar aggregator said of a trade that
  // was not simply applied, counted and logged; false when the trade is to be kept from everything
  // else (a duplicate, an impossible or future one)
  bool judge_trade(const core::Trade& trade, market::BarAggregator::TradeResult result);
  void on_bar_revised(const core::Bar& bar, bool partial);
  void on_trade_ids_reset(const core::Trade& trade, std::int64_t highest);
  // Says something once per symbol and kind at `level`, then at debug: a flood of the same problem
  // must not flood the log (the metrics count every one).
  void say_once(spdlog::level::level_enum level, const char* kind, const std::string& symbol,
                const std::string& text);
  void note_market_data(const std::string& symbol) { last_data_[symbol] = now(); }
  // Each configured symbol's data age and staleness, exported, logged when it changes.
  void watch_market_data(core::Timestamp now);
  void publish_markets(PipelineSummary& s) const;
  // One symbol's share of a run of trades: its price range and last trades.
  struct SymbolRun {
    std::string_view symbol;
    core::Decimal low, high;
    const core::Trade* last = nullptr;
    const core::Trade* last_positive = nullptr;
  };
  static void symbol_runs(std::span<const core::Trade> trades, std::vector<SymbolRun>& runs);
  // Nothing can react to trades within the runs' ranges until `until` (see apply_if_quiet).
  bool quiet(const std::vector<SymbolRun>& runs, core::Timestamp until) const;
  void on_ticker(const core::Ticker& ticker);
  void on_ohlc(const core::Ohlc& ohlc);
  void on_instrument(const core::InstrumentUpdate& update);
  void on_feed_state(const core::FeedState& state);
  void on_venue_state(const core::FeedState& state);
  void on_bar_closed(const core::Bar& bar);
  void on_history_bar(const core::Bar& bar);
  void mark(const std::string& symbol, core::Decimal price);
  void watch_volatility(const core::Bar& bar);
  // ATR-14 of the bar's symbol and timeframe in the market state (which has the bar), once warm.
  std::optional<double> bar_atr(const core::Bar& bar) const;
  // Puts a base-timeframe ATR into the symbol's window; the window's mean before it, once full.
  std::optional<double> remember_atr(const std::string& symbol, double atr);

  // decisions
  bool ask_advice(const std::string& symbol, int timeframe_minutes);
  // The regime and technical agents' current views of the symbol, for the decision agent's
  // question.
  std::vector<std::string> agent_views(const std::string& symbol) const;
  // Kernel thread: recorded, judged by the coordinator when it conflicts with the other agents'
  // views, then the strategy's.
  void on_advice(const strategy::Advice& advice);
  void act_on_advice(const strategy::Advice& advice);  // shown, logged, handed to the strategy
  void score_calls(core::Timestamp now);
  void on_intent(core::OrderIntent intent);
  // Gives an intent without a regime its symbol's (and its strictness, when the intent's is normal).
  void apply_regime(core::OrderIntent& intent) const;

  // regimes (pipeline_regimes.cpp): the regime agent asked for every symbol, its readings through
  // each symbol's RegimeTracker
  int regime_timeframe() const;  // 0 when regime detection is off
  // Throws when an agent's timeframe is not tracked.
  void check_agent_timeframe(int timeframe, const char* key, const char* off) const;
  agents::RegimeTracker& regime_tracker(const std::string& symbol);  // created on first use
  void start_regimes();  // every symbol unknown, as it is until two readings agree
  void assess_regimes();
  void on_regime(const agents::RegimeReading& reading);
  void report_regime(const agents::RegimeTracker& tracker, bool changed);
  std::string regime_line(const agents::RegimeTracker& tracker) const;
  // technical analysis (pipeline_technical.cpp): the technical agent asked for every symbol every
  // agents.technical_interval; its latest reading kept, stored, published and shown
  int technical_timeframe() const;  // 0 when technical analysis is off
  void start_technicals();          // every symbol not read yet, shown and exported as such
  void analyse_symbols(
      bool force = false);  // force: ask even when no bar closed since the last time
  void on_technical(const agents::TechnicalReading& reading);
  void report_technical(const agents::TechnicalReading& reading, bool changed);
  // sentiment (pipeline_sentiment.cpp): the sentiment agent, when there is one, asked for every
  // symbol every agents.sentiment_interval; its latest reading kept, stored, published and shown
  void start_sentiments();
  void sense_symbols();
  void on_sentiment(const agents::SentimentReading& reading);
  void report_sentiment(const agents::SentimentReading& reading, bool changed);
  // coordinator (pipeline_coordinator.cpp): advice that would open or add to a position against
  // the other agents' views waits here for the coordinator's verdict (at most
  // agents.coordinator_timeout), one per symbol
  struct PendingCoordination {
    std::uint64_t id = 0;
    agents::CoordinationRequest request;
    strategy::Advice advice;  // as it came, with its votes
    TimerId deadline = 0;
  };
  // True: the advice is held for the verdict, which will hand it on (or hold it).
  bool coordinate(const strategy::Advice& advice);
  void count_no_verdicts_yet(bool by_models);
  std::vector<agents::CoordinationView> coordination_views(const std::string& symbol) const;
  // `asked`: the question the verdict answers, for the record of a verdict that came too late.
  void on_coordination(const std::string& symbol, std::uint64_t id,
                       agents::Coordination coordination,
                       const std::shared_ptr<const agents::CoordinationRequest>& asked);
  void coordination_deadline(const std::string& symbol, std::uint64_t id);
  void conclude(PendingCoordination pending, const agents::Coordination& coordination);
  void replace_pending(const std::string& symbol);
  // orders for the account's holdings (pipeline_holdings.cpp), of the bags and of rebalancing
  struct HoldingMarket {
    std::string symbol;  // COIN/<reporting currency>
    const core::Instrument* instrument = nullptr;
    core::Decimal price;  // its last
    // What `cash` buys, with room for the taker fee and some slippage; rounded to the increment.
    core::Decimal buy_qty(core::Decimal cash) const;
    bool below_minimum(core::Decimal qty) const;  // the pair's minimum quantity or cost
  };
  // The market `asset` trades on for the holdings; none without an instrument or a last price.
  std::optional<HoldingMarket> holding_market(const std::string& asset) const;
  core::Result<std::string> send_holding_order(const HoldingMarket& market, std::string intent_id,
                                               std::string_view source, core::Side side,
                                               core::Decimal qty);
  // hodl bags (pipeline_hodl.cpp): a share of each realised profit set aside, bought, audited
  // The bags in the reporting currency, coins at their last price.
  core::Decimal hodl_value() const;
  core::Decimal bag_value(const std::string& asset, const execution::HodlBag& bag) const;
  core::Decimal trading_equity(core::Decimal equity) const;  // the account's equity less the bags
  // A spot sell's quantity, at most the base balance less the coin's hodl bag, and while
  // rebalancing at most the symbol's position (the rest is the allocation's).
  core::Decimal cap_spot_sell(const std::string& symbol, core::Decimal qty) const;
  // A closed trade's share of profit into the hodl bags (the fill that ended it names the move).
  void set_aside(core::Decimal trade_pnl, const core::Fill& fill);
  void buy_bags();
  void buy_bag(const std::string& asset);
  void note_bag_wait(const std::string& asset, const std::string& why);
  void on_bag_fill(const core::Fill& fill, const core::Instrument& instrument);
  void on_bag_order_changed(const execution::ManagedOrder& order);
  void record_hodl(const std::vector<execution::HodlMovement>& moves);
  void publish_hodl(PipelineSummary& s) const;
  void observe_hodl();  // the tg4_hodl_* gauges
  // portfolio rebalance (pipeline_rebalance.cpp): the holdings kept near portfolio.targets_pct
  // Throws (the config's mistake, by key) when a target cannot be traded: margin, or no market.
  void check_rebalance_markets() const;
  std::map<std::string, core::Decimal> holding_amounts() const;
  core::Result<execution::Allocation> allocation()
      const;  // an Error names an asset without a price
  std::string rebalance_blocked() const;
  std::string check_rebalance();  // what it found, in words
  void advance_rebalance();       // every tick
  void finish_rebalance_batch();
  void send_rebalance_orders(core::Side side);
  core::Result<std::string> send_rebalance_order(const execution::RebalanceTrade& trade,
                                                 core::Decimal value);
  void on_rebalance_order_changed(const execution::ManagedOrder& order);
  std::string rebalance_progress() const;
  std::string note_rebalance(const std::string& line, const std::string& log_key = {});
  void observe_allocation(const execution::Allocation& allocation);
  void record_rebalance(const std::string& action, const std::string& target,
                        boost::json::object params);
  std::optional<core::Decimal> quote_to_reporting(const std::string& symbol, core::Decimal quote_amount) const;
  core::Decimal order_qty(const core::OrderIntent& intent, core::Decimal size_reporting) const;
  core::Decimal order_cost_pct(const core::OrderIntent& intent) const;  // rule 9's fee allowance
  void refresh_risk_inputs(const std::string& symbol);  // for an intent on `symbol`
  void refresh_risk_view();
  core::Decimal available_cash(const std::string& asset) const;   // less the hodl bags' cash
  core::Decimal venue_available(const std::string& asset) const;  // not committed to open buys
  core::Decimal reserved_for_bags(
      const std::string& asset) const;  // the bags' cash, in the reporting currency

  // execution
  void on_execution(const core::ExecutionEvent& event);
  void on_order_update(const core::OrderUpdate& update);
  void on_fill(const core::Fill& fill);
  void observe_fill(const core::Fill& fill);  // execution metrics of a fill
  void on_order_changed(const execution::ManagedOrder& order);
  // An order the risk verdict allowed that was not placed: `by` "order_manager" (it refused it) or
  // "venue" (the venue rejected it). Logged, counted, recorded as a risk event.
  void order_refused(const std::string& intent_id, const std::string& symbol, const std::string& by,
                     const std::string& why);

  // time
  void on_tick();
  void on_snapshot();
  void restore_account();
  void request_reconciliation();
  void reconcile(core::Result<execution::VenueSnapshot> snapshot);
  void cover_after_restart(const std::vector<std::string>& symbols);
  void apply_reconciliation(const execution::VenueSnapshot& snapshot);
  void adopt(const core::OrderUpdate& venue_order);
  void record_account_state();
  // The saved state's drawdown and period baselines differ from the live ones (a new peak reached
  // by prices alone, a new day): a kill -9 now would lose them.
  bool baselines_unsaved() const;
  void on_order_problem(const std::string& problem);
  void watch_store();
  void handle_risk_events(const std::vector<risk::RiskEvent>& events);
  void log_breaker(const risk::RiskEvent& event);
  void create_metric_series();
  bool strategy_asks_advice() const;
  void reduce_positions(const core::Decimal& fraction, const std::string& reason);
  void publish_summary();
  // An operator action's answer: the summary (what /status shows) is published at once, so a
  // status read after the answer shows the action, and the answer carries the state it left.
  boost::json::object acted(boost::json::object answer);
  void publish_summary(core::Decimal equity);  // equity: portfolio_.equity(), already computed
  // False when the metrics live in the pipeline's private registry, which nothing can read.
  bool metrics_scraped() const { return own_registry_ == nullptr; }
  void record(storage::Row row);
  // Rows are built only for a sink (PipelineOutputs::record).
  bool has_record_sink() const { return static_cast<bool>(outputs_.record); }
  core::Timestamp now() const { return kernel_.clock().now(); }

  Kernel& kernel_;
  std::shared_ptr<spdlog::logger> log_ = core::logger("pipeline");
  PipelineOptions options_;
  PipelineOutputs outputs_;
  std::unique_ptr<prometheus::Registry> own_registry_;
  prometheus::Registry& registry_;

  core::InstrumentRegistry instruments_;
  std::map<std::string, market::OrderBook> books_;
  market::MarketMetrics market_metrics_;
  market::BarAggregator bars_;
  market::MarketState market_;
  // Per symbol, the last 20 ATR values of the base timeframe: a spike is ATR > 3 x their mean. A
  // ring once full, summed oldest first as before (another order can round the mean differently).
  struct AtrWindow {
    std::vector<double> values;
    std::size_t oldest = 0;
  };
  std::map<std::string, AtrWindow> atr_history_;

  strategy::StrategyPtr strategy_;
  bool strategy_takes_trades_ = true;  // StrategyNeeds::trades
  std::vector<SymbolRun> runs_;        // apply_if_quiet's, reused: no allocation per candle
  std::unique_ptr<Context> context_;

  risk::Engine risk_;
  risk::RiskState risk_state_;
  risk::RiskMetrics risk_metrics_;

  execution::Portfolio portfolio_;
  std::unique_ptr<execution::Venue> venue_;
  execution::PaperVenue* paper_ = nullptr;  // venue_ when it is the paper venue, else null
  bool margin_ = false;  // paper venue with options_.paper.margin: shorts and leverage
  std::unique_ptr<execution::OrderManager> orders_;
  execution::ExecutionMetrics execution_metrics_;
  prometheus::Family<prometheus::Counter>& decisions_;     // tg4_decisions_total{source, action}
  std::map<std::string, core::Decimal> reference_prices_;  // client id -> price when sent (slippage)
  std::map<std::string, core::Timestamp> sent_at_;          // client id -> send time (round trip)
  std::set<std::string> venue_refusals_;  // entries and exits the venue rejected, counted once
  std::vector<execution::ClosedTrade> closed_trades_;
  std::vector<core::Fill> fills_;
  core::ClientOrderIdGenerator order_ids_;
  agents::ModelScoreboard scoreboard_;  // the advisors' calls, scored (SPEC §6)
  std::unique_ptr<agents::RegimeAgent> rule_regime_agent_;  // when outputs_.regime_agent is null
  agents::RegimeAgent* regime_agent_ = nullptr;
  std::map<std::string, agents::RegimeTracker, std::less<>> regimes_;
  prometheus::Family<prometheus::Gauge>& regime_gauge_;      // tg4_regime{symbol, regime}
  prometheus::Family<prometheus::Counter>& regime_changes_;  // tg4_regime_changes_total{symbol, regime}
  std::unique_ptr<agents::TechnicalAgent>
      rule_technical_agent_;  // when outputs_.technical_agent is null
  agents::TechnicalAgent* technical_agent_ = nullptr;
  std::map<std::string, agents::TechnicalReading, std::less<>>
      technicals_;                                               // the latest, by symbol
  std::map<std::string, std::uint64_t, std::less<>>
      technical_bars_asked_;                                     // bars closed when last asked
  prometheus::Family<prometheus::Gauge>& technical_bias_;        // tg4_technical_bias{symbol}
  prometheus::Family<prometheus::Gauge>& technical_confidence_;  // tg4_technical_confidence{symbol}
  agents::SentimentAgent* sentiment_agent_ = nullptr;            // null: no sentiment
  std::map<std::string, agents::SentimentReading, std::less<>>
      sentiments_;                                          // the latest, by symbol
  prometheus::Family<prometheus::Gauge>& sentiment_score_;  // tg4_sentiment_score{symbol}
  std::unique_ptr<agents::CoordinatorAgent> rule_coordinator_;  // when outputs_ has none
  agents::CoordinatorAgent* coordinator_ = nullptr;             // null: agents.coordinator false
  std::map<std::string, PendingCoordination, std::less<>> coordinating_;  // by symbol
  // The deadlines of a coordinator that answers in real time, under a simulated kernel clock.
  std::unique_ptr<WallAlarm> wall_alarm_;
  std::uint64_t coordinations_ = 0;
  // An answer given inside coordinate() (the rules): concluded at once, without a deadline.
  bool coordinating_now_ = false;
  std::optional<agents::Coordination> answered_now_;
  prometheus::Family<prometheus::Counter>&
      coordinator_verdicts_;  // tg4_coordinator_verdicts_total{verdict, source}

  execution::HodlBags bags_;
  std::map<std::string, std::string> bag_orders_;  // asset -> the client id of its buy on its way
  std::map<std::string, std::string> bag_waits_;   // asset -> why its due buy waits (said once)
  core::Timestamp bag_retry_after_;                // after a buy that failed
  prometheus::Family<prometheus::Gauge>& hodl_value_;        // tg4_hodl_value{asset}
  prometheus::Family<prometheus::Gauge>& hodl_pending_;      // tg4_hodl_pending{asset}
  prometheus::Family<prometheus::Gauge>& hodl_coins_;        // tg4_hodl_coins{asset}
  prometheus::Family<prometheus::Counter>& hodl_movements_;  // tg4_hodl_movements_total{kind}

  // A rebalance plan being carried out: its batch under way (or next), and that batch's phase.
  enum class RebalancePhase : std::uint8_t { kDue, kSelling, kBuying };
  struct RebalanceRun {
    execution::RebalancePlan plan;
    int batch = 0;
    core::Timestamp next_batch_at;  // kDue: when the batch may start
    RebalancePhase phase = RebalancePhase::kDue;
    std::set<std::string> open;  // the phase's orders not ended yet
  };
  std::optional<RebalanceRun> rebalance_run_;
  // When the last batch of any plan started (saved with the account): the next starts no sooner
  // than portfolio.batch_interval after it, across plans and restarts.
  core::Timestamp rebalance_batch_started_;
  // The risk state's peak and day in the last account state recorded (baselines_unsaved()).
  core::Decimal saved_peak_equity_;
  core::Timestamp saved_day_start_;
  bool rebalance_check_due_ = false;  // a check that could not decide, tried again each tick
  std::string rebalance_note_;        // the latest outcome, for the status
  std::string rebalance_logged_;      // what the log last said of it
  std::optional<execution::Allocation> last_allocation_;
  prometheus::Family<prometheus::Gauge>& allocation_pct_;  // tg4_allocation_pct{asset}
  prometheus::Family<prometheus::Gauge>&
      allocation_target_pct_;                                  // tg4_allocation_target_pct{asset}
  prometheus::Family<prometheus::Counter>& rebalance_orders_;  // tg4_rebalance_orders_total{side}
  prometheus::Counter& rebalances_;                            // tg4_rebalances_total
  prometheus::Family<prometheus::Counter>&
      signals_;  // tg4_strategy_signals_total{strategy, symbol, side}

  // Market data quality: when each symbol last had a trade or book update, when the feed last came
  // up, each symbol's age and staleness as of the last tick, and what the log has said once.
  std::map<std::string, core::Timestamp, std::less<>> last_data_;
  core::Timestamp feed_up_since_;
  core::Timestamp started_at_;
  struct DataFreshness {
    double age_seconds = 0;
    bool stale = false;
  };
  std::map<std::string, DataFreshness, std::less<>> freshness_;
  std::set<std::string> said_once_;

  std::vector<Subscription> subscriptions_;
  std::vector<TimerId> timers_;
  bool feed_connected_ = false;
  std::optional<bool> venue_connected_;  // set once a real venue reports its private session
  std::string venue_down_reason_;        // why that session is down (empty while it is up)
  bool venue_was_up_ = false;            // it came up at least once
  // A real venue's balances (its balances channel or a reconciliation) have come: until then the
  // equity is the store's, or none on a first start, and is not shown as if it were the account's.
  bool venue_balances_seen_ = false;
  bool reducing_for_store_ = false;  // we moved trading to REDUCING because the store cannot keep rows
  bool started_ = false;
  bool warming_up_ = false;  // on_bar_closed gets stored history (warm_up)
  RestoredAccount restored_;
  std::set<std::string> applied_exec_ids_;  // fills in the portfolio (a venue snapshot repeats them)
  bool reconciling_ = false;
  bool reconcile_pending_ = false;  // a snapshot request is out

  PipelineSummary counters_;  // kernel thread
  mutable std::mutex summary_mutex_;
  PipelineSummary summary_;  // published copy
};

}  // namespace tg4::kernel
