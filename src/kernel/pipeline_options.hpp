#pragma once
// What a Pipeline is built from: its options (every number a config default) and its outputs (where
// records, state and metrics go). Backtest, paper and live differ only here (DESIGN principle 2).
#include <prometheus/registry.h>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/config.hpp"
#include "core/instrument.hpp"
#include "execution/hodl_bags.hpp"
#include "execution/order_manager.hpp"
#include "execution/paper_venue.hpp"
#include "execution/rebalance.hpp"
#include "kernel/trading_records.hpp"
#include "market/bar_aggregator.hpp"
#include "market/indicators/indicator_set.hpp"
#include "risk/types.hpp"
#include "storage/records.hpp"
#include "storage/state_bus.hpp"
#include "strategy/strategy.hpp"

namespace tg4::kernel {

struct PipelineOptions {
  RecordScope scope{"session", "paper"};
  // The decision agents' settings: the kernel scores their calls (agents::ModelScoreboard).
  core::AgentsSection agents;
  std::vector<std::string> symbols{"BTC/USDT", "XRP/USDT", "XRP/BTC"};
  int book_depth = 10;  // the subscribed depth: books are truncated to it
  std::string reporting_currency = "USDT";
  std::map<std::string, core::Decimal> starting_balances{{"USDT", core::Decimal::from_int(10'000)}};
  std::vector<int> timeframes{1, 5, 15, 60, 240, 1440};  // the first is the strategies' base
  // The market state's indicators: all of SPEC §5, or (a backtest whose strategy does not read
  // them) only what the risk engine needs.
  market::IndicatorScope indicators = market::IndicatorScope::kAll;
  // The roll-up bars built from 1m bars and handed to the market state and the strategy. A backtest
  // narrows them to the timeframes its strategy uses.
  std::vector<int> bar_rollups{market::kRollupMinutes.begin(), market::kRollupMinutes.end()};
  execution::PaperConfig paper;
  execution::OrderManagerConfig orders;
  risk::RiskLimits limits;
  std::string strategy = "ema_cross";
  std::map<std::string, std::string> strategy_params;
  // An intent's regime while its symbol's is not known (or agents.regime_detection is off): the
  // risk engine's strictest sizing.
  std::string regime = "unknown";
  // How long the agents' latest outputs stay under their state keys (redis.ttl.*).
  storage::AgentOutputTtls agent_ttls;
  // The hodl bags (SPEC §9, portfolio.hodl). Off unless set: a node and tg4 backtest set the
  // config's.
  execution::HodlPolicy hodl;
  // Portfolio rebalancing (SPEC §9, agents.portfolio_rebalance): nullopt, off (the default).
  std::optional<execution::RebalancePolicy> rebalance;
  // Bars from trades (market data, SPEC §3). A backtest keeps the defaults: its clock is the
  // trades' own time, so nothing arrives after its minute or ahead of the clock.
  // A minute closes this long after it ends on the clock (feed.bar_close_delay): the grace for
  // trades that reach us after their minute.
  core::Duration bar_close_delay{0};
  // A trade stamped further ahead of the local time it arrived is rejected
  // (feed.future_trade_tolerance); 0: not checked.
  core::Duration max_trade_ahead{0};
  // With record_market_data: a trade later than the grace revises its minute's bar when the minute
  // is one of the last this many closed, and the bar is stored again.
  std::size_t bar_revise_minutes = 60;
  // A symbol with no trade or book update for this long while the feed is up is stale: shown in the
  // status, exported, and the node is not ready (market.stale_after).
  core::Duration stale_after = std::chrono::seconds(60);
  int volatility_mean_bars = 20;  // ATR spike: ATR > factor x its mean over this many bars
  core::Duration tick = std::chrono::seconds(1);                // bar closing, equity, breakers
  core::Duration snapshot_interval = std::chrono::seconds(10);  // portfolio rows and state keys
  bool record_market_data =
      true;  // trades and 1m bars to the store (off in backtests from the store)
  // The summary (status line, /status) is refreshed every tick; a backtest reads it once, at the
  // end: off, it is refreshed at start, on reconciliation and on finish() only.
  bool summary_every_tick = true;
  // Reconciliation with the venue (SPEC §8): at start (no order before it completes) and then at
  // this interval (0 = only at start). Venue orders we don't know are adopted or canceled.
  core::Duration reconcile_interval = std::chrono::seconds(60);
  bool adopt_unknown_orders = false;
  core::Duration in_flight_grace = std::chrono::seconds(5);  // a pending order this young is not judged
};

// Connectivity of a real venue's own session, as FeedState{"private", ...}.
using VenueStateSink = std::function<void(core::FeedState)>;
// Builds the venue orders go to, given the instruments and the sinks its reports and connectivity
// must reach (both thread-safe: they post to the kernel queue). Empty in PipelineOutputs: the paper venue.
using VenueFactory = std::function<std::unique_ptr<execution::Venue>(
    const core::InstrumentRegistry& instruments, execution::ExecutionSink sink, VenueStateSink state)>;

struct PipelineOutputs {
  // Where orders go; empty: a PaperVenue funded with PipelineOptions::starting_balances.
  VenueFactory venue;
  // A ready strategy (tests, benchmarks); null: PipelineOptions::strategy from the built-in registry.
  strategy::StrategyPtr strategy;
  // Durable rows (storage::Writer::push); empty: not recorded, and not even built (a backtest keeps
  // its own orders and fills: a JSON account state per fill was a tenth of its time).
  std::function<void(storage::Row)> record;
  // Every risk event (verdicts, breakers, state changes) as it happens; empty: none. A backtest
  // counts rejections and breakers from them.
  std::function<void(const risk::RiskEvent&)> risk_events;
  // State keys and pub/sub (Redis or in-process); null: none.
  storage::StateBus* state = nullptr;
  // Metrics registry; null: a private one.
  prometheus::Registry* registry = nullptr;
  // True while the store can neither write nor spool (rows held in memory): new entries stop
  // (REDUCING) until it clears. Empty: never.
  std::function<bool()> store_alert;
  // Asks the feed to resubscribe one symbol's book after a checksum mismatch; empty: none.
  std::function<void(const std::string& symbol)> resubscribe_book;
  // Answers the strategy's ask_advice (the LLM decision agents); null: their rule-based fallback
  // (agents::RuleAdvisor), which answers at once and deterministically, as a backtest needs.
  std::unique_ptr<strategy::Advisor> advisor;
  // Names each symbol's regime every agents.regime_interval (the regime detection agent); null: its
  // rule-based fallback (agents::RuleRegimeAgent). Not owned: it is usually the advisor above.
  agents::RegimeAgent* regime_agent = nullptr;
  // Reads each symbol's indicators every agents.technical_interval (the technical analysis agent);
  // null: its rule-based fallback (agents::RuleTechnicalAgent). Not owned, like regime_agent.
  agents::TechnicalAgent* technical_agent = nullptr;
  // Asks search-capable models about each symbol every agents.sentiment_interval (the sentiment
  // agent); null: no sentiment (it has no rule-based reading). Not owned, like regime_agent.
  agents::SentimentAgent* sentiment_agent = nullptr;
  // Judges a decision that conflicts with the other agents' views (the coordinator, when
  // agents.coordinator); null: its rule-based fallback (agents::RuleCoordinator), which answers at
  // once and deterministically, as a backtest needs. Not owned, like regime_agent.
  agents::CoordinatorAgent* coordinator_agent = nullptr;
};

// A copy of the numbers the status view and /status show, refreshed by the kernel every tick.
struct PipelineSummary {
  core::Timestamp time;
  std::string trading_state = "ACTIVE";
  std::string state_reason;
  core::Decimal equity;
  core::Decimal peak_equity;
  core::Decimal realised_pnl;
  core::Decimal unrealised_pnl;
  core::Decimal fees;
  core::Decimal drawdown;
  std::size_t open_positions = 0;
  std::size_t open_orders = 0;
  std::uint64_t market_events = 0;
  std::uint64_t trades_seen = 0;
  std::uint64_t bars_closed = 0;
  std::uint64_t intents = 0;
  std::uint64_t approved = 0;
  std::uint64_t rejected = 0;
  std::uint64_t orders_sent = 0;
  // Entries and exits the risk verdict allowed that were not placed: refused by the order manager
  // (the Kraken rate counter's budget, a quantity that rounds to zero) or rejected by the venue.
  std::uint64_t orders_refused = 0;
  std::uint64_t fills = 0;
  std::uint64_t checksum_mismatches = 0;
  bool feed_connected = false;
  std::optional<bool> venue_connected;  // a real venue's private session (none for paper)
  // Why that session is down, as the venue said it ("no WebSocket token: Kraken REST
  // GetWebSocketsToken: EAPI:Invalid key (...)"); empty while it is up, and for paper.
  std::string venue_problem;
  bool venue_was_up = false;  // the private session came up at least once in this session
  // False while a real venue has not reported the account's balances: `equity` is then only what
  // the store last knew (zero on a first start), not the account's.
  bool equity_confirmed = true;
  bool reconciling = false;          // no new order until the venue has been reconciled
  std::string last_reconciliation;   // "12:03:01 clean" or "12:03:01 3 differences"
  std::string last_decision;  // "12:03:01 ema_cross BUY BTC/USDT -> APPROVED"
  // The advisor's latest answer: "12:03:01 BTC/USDT BUY at 0.95 (llm consensus 4 of 5)"; empty when
  // the strategy asks none.
  std::string last_advice;
  // The coordinator's latest verdict: "12:03:01 BTC/USDT BUY -> wait (rules): technical short 0.70
  // opposes"; empty while it has judged nothing.
  std::string last_coordination;
  // Each symbol's regime as the risk engine uses it: "trending_bull 0.82 since 12:05:00 (rules)".
  std::map<std::string, std::string> regimes;
  // Each symbol's latest technical reading: "long 0.72 (rules): trend up 0.56, momentum +0.30, RSI
  // neutral, MACD bullish, support 41000, resistance 42500".
  std::map<std::string, std::string> technicals;
  // Each symbol's latest sentiment: "long +0.45 at 0.70 (llm 2 of 2): ETF inflows; ...".
  std::map<std::string, std::string> sentiments;
  // The hodl bags: their value (reporting currency, coins at the last price), and one line per bag,
  // "0.00031 BTC, 3.33 USDT pending of 15.00"; the movements audited so far.
  core::Decimal hodl_value;
  std::map<std::string, std::string> hodl;
  std::uint64_t hodl_movements = 0;
  // Portfolio rebalancing, when on: the allocation as last checked and what the rebalance is doing
  // ("BTC 38.21 % (target 33.33), ...; batch 2 of 6 at 16:00:00"); empty when off.
  std::string rebalance;
  std::uint64_t rebalances = 0;  // plans started
  // What the order manager could not handle as planned (a stop placed again, an exit dropped, a
  // position left without a stop): how many so far, and the latest, oldest first, with their time.
  std::uint64_t order_problems = 0;
  std::vector<std::string> recent_problems;
  // Each configured symbol's market data: the best bid and ask of its book while it is valid (as
  // text at the book's price precision, trailing zeros kept; empty otherwise), and its freshness.
  struct MarketLine {
    std::string bid, ask;
    double data_age_seconds = 0;  // since its last trade or book update (since the start if none)
    bool stale = false;           // the feed is up, and no trade or book update for stale_after
  };
  std::map<std::string, MarketLine> markets;
  bool any_stale() const {
    for (const auto& [symbol, line] : markets) {
      if (line.stale) return true;
    }
    return false;
  }
};

}  // namespace tg4::kernel
