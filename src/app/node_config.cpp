#include "app/node_config.hpp"

#include "app/history_backfill.hpp"
#include "risk/limits_config.hpp"

namespace tg4::app {

execution::PaperConfig paper_config_from_config(const core::PaperSection& p) {
  execution::PaperConfig paper;
  paper.slippage_bps = p.slippage_bps;
  paper.latency = std::chrono::duration_cast<core::Duration>(p.latency);
  paper.taker_fee = core::pct_to_fraction(p.taker_fee_pct);
  paper.maker_fee = core::pct_to_fraction(p.maker_fee_pct);
  paper.margin = p.margin;
  paper.volume_share_pct = p.volume_share_pct;
  return paper;
}

execution::OrderManagerConfig order_config_from_config(const core::Config& config) {
  execution::OrderManagerConfig orders;
  const auto& e = config.execution;
  orders.trailing_stop = e.trailing_stop;
  orders.trailing_activation = core::pct_to_fraction(e.trailing_activation_pct);
  orders.trailing_distance = core::pct_to_fraction(e.trailing_distance_pct);
  orders.guard_stop_distance = core::pct_to_fraction(e.guard_stop_pct);
  orders.budget_kraken_rate_counter = config.app.mode == core::TradingMode::kLive;
  return orders;
}

NodeOptions node_options_from_config(const core::Config& config, const std::string& command) {
  NodeOptions node;
  node.llm = config.llm;
  node.pipeline.agents = config.agents;
  node.command = command;
  kernel::PipelineOptions& p = node.pipeline;
  p.scope.mode = command == "live" ? "live" : "paper";
  p.symbols = config.symbols;
  p.book_depth = config.feed.book_depth;
  p.bar_close_delay = std::chrono::duration_cast<core::Duration>(config.feed.bar_close_delay);
  p.max_trade_ahead =
      std::chrono::duration_cast<core::Duration>(config.feed.future_trade_tolerance);
  p.stale_after = std::chrono::duration_cast<core::Duration>(config.market.stale_after);
  p.reporting_currency = config.app.reporting_currency;
  p.starting_balances = config.paper.starting_balances;
  p.hodl = execution::HodlPolicy::from(config.portfolio.hodl);
  if (config.agents.portfolio_rebalance)
    p.rebalance = execution::RebalancePolicy::from(config.portfolio);
  p.paper = paper_config_from_config(config.paper);
  p.orders = order_config_from_config(config);
  p.limits = risk::limits_from_config(config.risk);
  p.volatility_mean_bars = config.risk.volatility_spike_mean_bars;
  p.strategy = config.strategy.name;
  const auto seconds = [](const core::ConfigDuration& d) { return std::chrono::duration_cast<std::chrono::seconds>(d); };
  p.agent_ttls = {seconds(config.redis.ttl.regime), seconds(config.redis.ttl.technical),
                  seconds(config.redis.ttl.sentiment), seconds(config.redis.ttl.decision)};
  p.strategy_params = config.strategy.params;
  p.reconcile_interval = std::chrono::duration_cast<core::Duration>(config.execution.reconcile_interval);
  p.adopt_unknown_orders = config.execution.adopt_unknown_orders;
  p.in_flight_grace = std::chrono::duration_cast<core::Duration>(config.execution.unknown_outcome_timeout);
  node.backfill.enabled = config.history.backfill_on_start;
  node.backfill.days = config.history.backfill_days;
  node.backfill.history = config.history;
  node.backfill.rest = rest_options_from_config(config);
  node.backfill.rest.max_attempts = 3;  // REST down must not hold the start for minutes
  node.store_url = config.storage.url;
  node.writer.batch_rows = static_cast<std::size_t>(config.storage.batch_rows);
  node.writer.batch_interval = config.storage.batch_interval;
  node.writer.max_batch_rows = static_cast<std::size_t>(config.storage.max_batch_rows);
  node.writer.queue_capacity = static_cast<std::size_t>(config.storage.queue_capacity);
  node.writer.spool_path = std::filesystem::path(config.storage.spool_dir) / "store.spool";
  node.redis_url = config.redis.url;
  node.redis_env = config.app.env;
  node.metrics_address = config.metrics.address;
  node.api_enabled = config.api.enabled;
  node.api_address = config.api.address;
  for (const auto& token : config.api.tokens) {
    node.api_tokens.push_back({token.name, token.sha256, api::parse_role(token.role).value_or(api::Role::kViewer)});
  }
  node.api_tls_cert = config.api.tls_cert;
  node.api_tls_key = config.api.tls_key;
  node.api.max_body_bytes = static_cast<std::size_t>(config.api.max_body_bytes);
  node.api.requests_per_second = config.api.requests_per_second.to_double();
  node.api.burst = config.api.burst.to_double();
  node.api.confirmation_ttl = std::chrono::duration_cast<core::Duration>(config.api.confirmation_ttl);
  return node;
}

}  // namespace tg4::app
