#!/usr/bin/env python3
"""Writes the Grafana dashboards in dashboards/ from the panel tables below.

The JSON files are what Grafana loads and what tests/e2e/demo_test.cpp checks against a real
Prometheus scraping `tg4 demo` (tests/integration/deploy_test.cpp checks their structure); this script
only keeps them uniform. Run it after editing a table:
    python3 deploy/grafana/generate.py
A panel marked fault_only=True plots a metric that exists only once a fault happened (a breaker trips,
the spool grows) or only in live mode (the Kraken venue's): the test checks that its queries parse,
not that they return data. A panel marked llm_only=True plots a metric that exists only when the LLM
decision agents run (llm.enabled): the test checks that it returns data from a second demo, whose
llm_consensus strategy asks models on a fake LLM server.
"""
import json
import pathlib

PROMETHEUS = {"type": "prometheus", "uid": "tg4-prometheus"}
HERE = pathlib.Path(__file__).resolve().parent


def panel(title, exprs, unit="short", kind="timeseries", legend="", fault_only=False, llm_only=False,
          profit_only=False, rebalance_only=False, width=12, description=None, value_range=None):
    """One panel; exprs is a list of (expr, legend) or plain expr strings."""
    targets = []
    for ref, item in zip("ABCDEFGH", exprs):
        expr, fmt = item if isinstance(item, tuple) else (item, legend)
        targets.append({"refId": ref, "datasource": PROMETHEUS, "expr": expr, "legendFormat": fmt})
    result = {
        "type": kind,
        "title": title,
        "datasource": PROMETHEUS,
        "targets": targets,
        "fieldConfig": {"defaults": {"unit": unit}, "overrides": []},
        "options": {},
        "gridPos": {"w": width, "h": 8},
    }
    if fault_only:
        result["description"] = "fault_only: has data only after the fault it watches has happened"
    elif profit_only:
        result["description"] = ("profit_only: has data only once a realised profit has fed the hodl bags "
                                 "(portfolio.hodl, docs/PORTFOLIO.md)")
    elif llm_only:
        result["description"] = ("llm_only: has data only when the LLM decision agents run (llm.enabled; "
                                 "decisions also need a strategy that asks them, e.g. llm_consensus)")
    elif rebalance_only:
        result["description"] = ("rebalance_only: has data only when rebalancing is on "
                                 "(agents.portfolio_rebalance, docs/PORTFOLIO.md)")
    if description:  # says more than the flag's sentence (it keeps the flag's prefix, if any)
        result["description"] = description
    if value_range:
        result["fieldConfig"]["defaults"]["min"], result["fieldConfig"]["defaults"]["max"] = value_range
    return result


def llm_panel(title, exprs, **options):
    return panel(title, exprs, llm_only=True, **options)


def dashboard(uid, title, panels):
    x = y = 0
    for index, p in enumerate(panels, start=1):
        w = p["gridPos"]["w"]
        if x + w > 24:
            x, y = 0, y + 8
        p["id"] = index
        p["gridPos"].update({"x": x, "y": y})
        x += w
    return {
        "uid": uid,
        "title": title,
        "tags": ["tg4"],
        "timezone": "utc",
        "schemaVersion": 39,
        "version": 1,
        "editable": True,
        "refresh": "10s",
        "time": {"from": "now-6h", "to": "now"},
        "templating": {"list": []},
        "annotations": {"list": []},
        "panels": panels,
    }


DASHBOARDS = {
    "tg4-overview": dashboard("tg4-overview", "TG4 / Overview", [
        panel("Equity", [("tg4_portfolio_equity", "equity"), ("tg4_portfolio_peak_equity", "peak")]),
        panel("PnL", [("tg4_portfolio_realised_pnl", "realised"),
                      ("tg4_portfolio_unrealised_pnl", "unrealised"), ("tg4_portfolio_fees", "fees")]),
        panel("Drawdown from peak", ["tg4_portfolio_drawdown_ratio"], unit="percentunit", legend="drawdown"),
        panel("Open positions and orders", [("tg4_positions_open", "positions"),
                                            ("tg4_orders_open", "orders")]),
        panel("Trading state (0 active, 1 reducing, 2 halted)", ["tg4_risk_trading_state"],
              kind="stat", legend="state", width=8),
        panel("Balances", ["tg4_portfolio_balance"], legend="{{asset}}", width=8),
        panel("Exposure", ["tg4_portfolio_exposure"], legend="{{symbol}}", width=8),
        panel("Hodl bags (value, reporting currency)", [("sum(tg4_hodl_value)", "all bags"),
                                                        ("tg4_hodl_value", "{{asset}}")], profit_only=True),
        panel("Hodl bag movements", ["sum by (kind) (increase(tg4_hodl_movements_total[1h]))"],
              legend="{{kind}}", profit_only=True),
        panel("Allocation against targets (%)", [("tg4_allocation_pct", "{{asset}}"),
                                                 ("tg4_allocation_target_pct", "{{asset}} target")],
              unit="percent", rebalance_only=True),
        panel("Rebalance orders", [("sum by (side) (increase(tg4_rebalance_orders_total[1h]))", "{{side}}"),
                                   ("increase(tg4_rebalances_total[1h])", "rebalances started")],
              rebalance_only=True),
    ]),
    "tg4-market-data": dashboard("tg4-market-data", "TG4 / Market data", [
        panel("Messages per second by channel", ["sum by (channel) (rate(tg4_feed_messages_total[1m]))"],
              unit="ops", legend="{{channel}}"),
        panel("Feed up", ["tg4_feed_up"], kind="stat", legend="up"),
        panel("Message age p50 / p99", [
            ("histogram_quantile(0.5, sum by (le) (rate(tg4_feed_message_age_seconds_bucket[1m])))", "p50"),
            ("histogram_quantile(0.99, sum by (le) (rate(tg4_feed_message_age_seconds_bucket[1m])))", "p99")],
              unit="s"),
        panel("Reconnects", ["increase(tg4_feed_reconnects_total[5m])"], legend="reconnects"),
        panel("Parse errors", ["increase(tg4_feed_parse_errors_total[5m])"], legend="errors"),
        panel("Book checksum mismatches", ["sum by (symbol) (increase(tg4_book_checksum_mismatch_total[5m]))"],
              legend="{{symbol}}", fault_only=True),
        panel("Bar mismatches against Kraken ohlc", ["sum by (symbol) (increase(tg4_bar_mismatch_total[15m]))"],
              legend="{{symbol}}", fault_only=True),
    ]),
    "tg4-risk": dashboard("tg4-risk", "TG4 / Risk", [
        panel("Verdicts per minute by status", ["sum by (status) (rate(tg4_risk_verdicts_total[5m])) * 60"],
              legend="{{status}}"),
        panel("Rejections by rule", ["sum by (rule) (increase(tg4_risk_verdicts_total{status!=\"APPROVED\"}[1h]))"],
              legend="{{rule}}", fault_only=True),
        panel("Circuit breakers", ["tg4_risk_breaker_state"], legend="{{breaker}}"),
        panel("Trading state", ["tg4_risk_trading_state"], legend="state"),
        panel("Active cool-downs", ["tg4_risk_cooldown_active"], legend="{{reason}}"),
        panel("Risk check latency p99", [
            "histogram_quantile(0.99, sum by (le) (rate(tg4_risk_check_seconds_bucket[5m])))"],
              unit="s", legend="p99"),
        panel("Drawdown", ["tg4_portfolio_drawdown_ratio"], unit="percentunit", legend="drawdown"),
        # The row of the risk tables each symbol's intents are judged by (regime detection agent).
        panel("Regime by symbol (1: in force; unknown until two readings agree)",
              ["max by (symbol, regime) (tg4_regime) == 1"], legend="{{symbol}} {{regime}}"),
        panel("Technical bias by symbol (1 long, 0 neutral or not read, -1 short)",
              [("max by (symbol) (tg4_technical_bias)", "{{symbol}}"),
               ("max by (symbol) (tg4_technical_confidence)", "{{symbol}} confidence")],
              description="The technical analysis agent's latest reading (advice: nothing trades on it)"),
    ]),
    "tg4-execution": dashboard("tg4-execution", "TG4 / Execution", [
        panel("Orders by status", ["sum by (status) (increase(tg4_orders_total[15m]))"], legend="{{status}}"),
        panel("Fills per minute", ["rate(tg4_fills_total[5m]) * 60"], legend="fills"),
        panel("Fees paid", ["tg4_fees_paid_total"], legend="fees"),
        panel("Slippage p50 / p95 (bps)", [
            ("histogram_quantile(0.5, sum by (le) (rate(tg4_fill_slippage_bps_bucket[15m])))", "p50"),
            ("histogram_quantile(0.95, sum by (le) (rate(tg4_fill_slippage_bps_bucket[15m])))", "p95")]),
        panel("Order round trip p50 / p99", [
            ("histogram_quantile(0.5, sum by (le) (rate(tg4_order_round_trip_seconds_bucket[15m])))", "p50"),
            ("histogram_quantile(0.99, sum by (le) (rate(tg4_order_round_trip_seconds_bucket[15m])))", "p99")],
              unit="s"),
        panel("Open orders", ["tg4_orders_open"], legend="open"),
        panel("Order problems (stop placed again, exit dropped, no stop) per hour",
              ["increase(tg4_order_problems_total[1h])"], legend="problems"),
        panel("Kraken private session up", ["tg4_venue_up"], kind="stat", legend="up", fault_only=True),
        panel("Kraken fill repairs per hour by kind",
              ["sum by (kind) (increase(tg4_venue_fill_repairs_total[1h]))"], legend="{{kind}}", fault_only=True),
    ]),
    "tg4-agents-llm": dashboard("tg4-agents-llm", "TG4 / Agents & LLM", [
        llm_panel("Degradation (0 NORMAL, 1 REDUCED, 2 LIMITED, 3 EMERGENCY)",
                  ["tg4_agents_degradation_level"], kind="stat", legend="level", width=8),
        llm_panel("Today's LLM spend (UTC day) against the budget", [
            ("tg4_llm_budget_spent_usd", "spent"), ("tg4_llm_budget_warn_usd", "warning level"),
            ("tg4_llm_budget_daily_usd", "daily budget")], unit="currencyUSD", width=16),
        llm_panel("LLM requests per minute by outcome",
                  ["sum by (provider, model, outcome) (rate(tg4_llm_requests_total[5m])) * 60"],
                  legend="{{provider}}/{{model}} {{outcome}}"),
        llm_panel("LLM request latency p50 / p95", [
            ("histogram_quantile(0.5, sum by (le, provider, model) "
             "(rate(tg4_llm_request_duration_seconds_bucket[15m])))", "p50 {{provider}}/{{model}}"),
            ("histogram_quantile(0.95, sum by (le, provider, model) "
             "(rate(tg4_llm_request_duration_seconds_bucket[15m])))", "p95 {{provider}}/{{model}}")],
                  unit="s"),
        llm_panel("Tokens per minute, in (prompt) / out (answer)",
                  ["sum by (direction) (rate(tg4_llm_tokens_total[5m])) * 60"], legend="{{direction}}"),
        llm_panel("LLM cost per hour by model",
                  ["sum by (provider, model) (rate(tg4_llm_cost_usd_total[15m])) * 3600"],
                  unit="currencyUSD", legend="{{provider}}/{{model}}"),
        llm_panel("LLM retries (429, 5xx) per hour by model",
                  ["sum by (provider, model) (increase(tg4_llm_retries_total[1h]))"],
                  legend="{{provider}}/{{model}}"),
        llm_panel("Agent cycles per hour by outcome (decision, regime, technical, sentiment, coordinator)", [
            ("sum by (outcome) (increase(tg4_agents_cycles_total[1h]))", "decision {{outcome}}"),
            ("sum by (outcome) (increase(tg4_agents_regime_cycles_total[1h]))", "regime {{outcome}}"),
            ("sum by (outcome) (increase(tg4_agents_technical_cycles_total[1h]))", "technical {{outcome}}"),
            ("sum by (outcome) (increase(tg4_agents_sentiment_cycles_total[1h]))", "sentiment {{outcome}}"),
            ("sum by (outcome) (increase(tg4_agents_coordinator_cycles_total[1h]))",
             "coordinator {{outcome}}")]),
        llm_panel("Decisions per hour by source and action",
                  ["sum by (source, action) (increase(tg4_decisions_total[1h]))"],
                  legend="{{source}} {{action}}", width=24),
        llm_panel("News sentiment score by symbol (-1 .. +1; 0 while not read)",
                  ["max by (symbol) (tg4_sentiment_score)"], legend="{{symbol}}", value_range=(-1, 1),
                  description="llm_only: has data only when the sentiment agent runs (llm.enabled and a "
                              "provider with search: true)"),
        panel("Coordinator verdicts per hour (decisions against the other agents' views)",
              ["sum by (verdict, source) (increase(tg4_coordinator_verdicts_total[1h]))"],
              legend="{{verdict}} ({{source}})",
              description="Every decision that would open or add to a position against the regime, "
                          "technical or sentiment reading of its symbol: proceed, wait, abort or modify, "
                          "by the rules, the models (llm) or for want of an answer (timeout). Zero while "
                          "nothing conflicted; absent with agents.coordinator false."),
    ]),
    "tg4-infrastructure": dashboard("tg4-infrastructure", "TG4 / Infrastructure", [
        panel("Build", ["tg4_build_info"], kind="table", legend="{{version}} {{git_sha}}"),
        panel("Scrape up", ["up{job=\"tg4\"}"], kind="stat", legend="up"),
        panel("Kernel queue depth", ["tg4_kernel_queue_depth"], legend="depth"),
        panel("Kernel event latency p99", [
            "histogram_quantile(0.99, sum by (le) (rate(tg4_kernel_event_seconds_bucket[1m])))"],
              unit="s", legend="p99"),
        panel("Kernel events per second by type", ["sum by (type) (rate(tg4_kernel_events_total[1m]))"],
              unit="ops", legend="{{type}}"),
        panel("Store rows per second by table", ["sum by (table) (rate(tg4_store_rows_written_total[1m]))"],
              unit="ops", legend="{{table}}"),
        panel("Store batch latency p99", [
            "histogram_quantile(0.99, sum by (le) (rate(tg4_store_batch_seconds_bucket[5m])))"],
              unit="s", legend="p99"),
        panel("Store queue depth and spool", [("tg4_store_queue_depth", "queue rows"),
                                              ("tg4_store_spool_bytes", "spool bytes")]),
        # Redis up 0 with Redis configured 0 is a node without Redis (in-process state), not an outage.
        panel("Store, TimescaleDB, Redis up", [("tg4_store_up", "store"),
                                               ("tg4_store_timescaledb", "timescaledb"),
                                               ("tg4_redis_up", "redis"),
                                               ("tg4_redis_configured", "redis configured")], kind="stat"),
    ]),
}


def main():
    for uid, board in DASHBOARDS.items():
        path = HERE / "dashboards" / f"{uid}.json"
        path.write_text(json.dumps(board, indent=2) + "\n")
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
