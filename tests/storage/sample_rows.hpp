#pragma once
// Rows of every table with every column set to something distinctive (exact decimals with 18
// fractional digits, negative values, text with tabs, newlines, backslashes and non-ASCII, times
// with microseconds), for round-trip tests against both stores.
#include <string>

#include "storage/batch.hpp"

namespace tg4::storage::testing {

inline core::Timestamp micros(std::int64_t seconds, std::int64_t us) {
  return core::Timestamp{seconds * 1'000'000'000 + us * 1'000};
}
inline core::Decimal dec(const char* text) {
  return core::Decimal::must(text);
}

constexpr std::int64_t kBase = 1'700'000'000;  // 2023-11-14T22:13:20Z

inline core::Trade sample_trade(int i) {
  core::Trade t;
  t.symbol = i % 2 ? "BTC/USDT" : "XRP/BTC";
  t.side = i % 3 ? core::Side::kSell : core::Side::kBuy;
  t.price = dec("45281.123456789012345678");
  t.qty = dec("0.000000000000000001");
  t.ord_type = i % 2 ? core::OrderType::kLimit : core::OrderType::kMarket;
  t.trade_id = 1'000'000 + i;
  t.time = micros(kBase + i, 708706);
  t.received = micros(kBase + i, 900001);
  return t;
}

inline core::Bar sample_bar(int minute, const std::string& symbol = "BTC/USDT") {
  core::Bar b;
  b.symbol = symbol;
  b.interval_minutes = 1;
  b.open_time = core::Timestamp::from_seconds(kBase / 60 * 60 + minute * 60LL);
  b.open = dec("100") + core::Decimal::from_int(minute);
  b.high = b.open + dec("5.5");
  b.low = b.open - dec("3.25");
  b.close = b.open + dec("1.125");
  b.volume = dec("2.5");
  b.quote_volume = b.close * b.volume;
  b.vwap = b.close;
  b.trades = 7 + minute;
  return b;
}

inline core::Instrument sample_instrument(int i) {
  auto inst = core::default_instrument(i % 2 ? "XRP/USDT" : "BTC/USD");
  inst.qty_min = dec("0.00012345");
  inst.marginable = i % 2 == 0;
  inst.status = "online";
  return inst;
}

inline OrderRow sample_order(int i, const std::string& session = "paper-1") {
  OrderRow o;
  o.client_order_id = "cl-" + std::to_string(i);
  o.venue_order_id = "OABC-" + std::to_string(i);
  o.session_id = session;
  o.mode = session.rfind("live", 0) == 0 ? "live" : "paper";
  o.intent_id = "intent-" + std::to_string(i);
  o.source = "ema_cross";
  o.symbol = "BTC/USDT";
  o.side = core::Side::kSell;
  o.type = core::OrderType::kStopLossLimit;
  o.status = i % 2 ? core::OrderStatus::kNew : core::OrderStatus::kFilled;
  o.qty = dec("0.5");
  o.limit_price = dec("45000.1");
  o.stop_price = dec("44000.2");
  o.filled_qty = dec("0.25");
  o.avg_price = dec("45001.000000000000000001");
  o.fees = dec("-0.01");
  o.reason = "tab\there, newline\nthere, backslash \\ and café";
  o.created = micros(kBase + i, 1);
  o.updated = micros(kBase + i, 2);
  o.leverage = dec("2.5");
  return o;
}

inline OrderEventRow sample_order_event(int i, int seq) {
  OrderEventRow e;
  e.session_id = "paper-1";
  e.mode = "paper";
  e.seq = seq;
  e.update.client_order_id = "cl-" + std::to_string(i);
  e.update.venue_order_id = "OABC-" + std::to_string(i);
  e.update.symbol = "XRP/BTC";
  e.update.side = core::Side::kBuy;
  e.update.type = core::OrderType::kLimit;
  e.update.status = core::OrderStatus::kPartiallyFilled;
  e.update.qty = dec("100");
  e.update.filled_qty = dec("33.3");
  e.update.limit_price = dec("0.00001234");
  e.update.avg_price = dec("0.00001233");
  e.update.reason = "partial";
  e.update.time = micros(kBase + seq, 333);
  return e;
}

inline FillRow sample_fill(int i, const std::string& session = "paper-1") {
  FillRow f;
  f.session_id = session;
  f.mode = "paper";
  f.fill.client_order_id = "cl-" + std::to_string(i);
  f.fill.venue_order_id = "OABC-" + std::to_string(i);
  f.fill.exec_id = "exec-" + std::to_string(i);
  f.fill.symbol = "BTC/USDT";
  f.fill.side = core::Side::kBuy;
  f.fill.price = dec("45000.5");
  f.fill.qty = dec("0.1");
  f.fill.fee = dec("0.0117");
  f.fill.fee_currency = "USDT";
  f.fill.maker = true;
  f.fill.time = micros(kBase + i, 44);
  return f;
}

inline PositionRow sample_position(int i, const std::string& session = "paper-1") {
  PositionRow p;
  p.session_id = session;
  p.mode = "paper";
  p.symbol = i % 2 ? "BTC/USDT" : "XRP/USDT";
  p.qty = dec("1.5");
  p.avg_price = dec("44000");
  p.realized_pnl = dec("-12.345");
  p.unrealized_pnl = dec("99.99");
  p.mark_price = dec("45000");
  p.opened = micros(kBase, 5);
  p.updated = micros(kBase + i, 6);
  return p;
}

inline PortfolioSnapshotRow sample_snapshot(int i, const std::string& session = "paper-1") {
  PortfolioSnapshotRow s;
  s.session_id = session;
  s.mode = "paper";
  s.time = micros(kBase + i * 60, 0);
  s.currency = "USDT";
  s.equity = dec("10000.01");
  s.cash = dec("5000");
  s.realized_pnl = dec("1.1");
  s.unrealized_pnl = dec("-2.2");
  s.fees = dec("0.3");
  s.drawdown = dec("0.015");
  s.exposure = dec("4999.99");
  s.balances_json = R"({"BTC":"0.1","USDT":"5000"})";
  return s;
}

inline DecisionRow sample_decision(int i) {
  DecisionRow d;
  d.decision_id = "dec-" + std::to_string(i);
  d.session_id = "paper-1";
  d.mode = "paper";
  d.time = micros(kBase + i, 77);
  d.agent = "technical";
  d.provider = "anthropic";
  d.model = "claude-x";
  d.symbol = "BTC/USDT";
  d.prompt_hash = "sha256:abcdef";
  d.raw_response = "```json\n{\"action\": \"BUY\"}\n```";
  d.parsed_json = R"({"action":"BUY","confidence":0.7})";
  d.action = "BUY";
  d.confidence = 0.7000000000000001;
  d.latency_us = 1234567;
  d.tokens_in = 1500;
  d.tokens_out = 200;
  d.cost = dec("0.001234");
  d.error = i % 2 ? "" : "timeout after 30 s";
  return d;
}

inline ModelScoreRow sample_score(int i) {
  ModelScoreRow m;
  m.agent = "regime";
  m.model = "model-" + std::to_string(i);
  m.window = "7d";
  m.updated = micros(kBase + i, 8);
  m.decisions = 40;
  m.wins = 25;
  m.losses = 15;
  m.score = 0.625;
  m.pnl = dec("12.5");
  m.cost = dec("0.42");
  m.avg_latency_us = 800000;
  return m;
}

inline RiskEventRow sample_risk_event(int i) {
  RiskEventRow r;
  r.event_id = "risk-" + std::to_string(i);
  r.session_id = "paper-1";
  r.mode = "paper";
  r.time = micros(kBase + i, 9);
  r.kind = i % 2 ? "verdict" : "breaker";
  r.intent_id = "intent-" + std::to_string(i);
  r.symbol = "XRP/USDT";
  r.verdict = "REJECTED";
  r.rule = "max_position_pct";
  r.reason = "position would be 12 % > 10 %";
  r.breaker = "daily_loss";
  r.breaker_state = "tripped";
  r.trading_state = "REDUCING";
  r.detail_json = R"({"limit":"0.10"})";
  return r;
}

inline RiskStateRow sample_risk_state(const std::string& session = "paper-1") {
  RiskStateRow r;
  r.session_id = session;
  r.mode = "paper";
  r.updated = micros(kBase, 10);
  r.state_json = R"({"trading_state":"NORMAL","breakers":{}})";
  return r;
}

inline SessionRow sample_session(int i) {
  SessionRow s;
  s.session_id = "paper-" + std::to_string(i);
  s.mode = "paper";
  s.started = micros(kBase + i * 3600, 11);
  s.ended = i % 2 ? core::Timestamp{} : micros(kBase + i * 3600 + 60, 12);
  s.status = i % 2 ? "running" : "stopped";
  s.config_hash = "cfg-abc";
  s.version = "0.1.0";
  s.note = "";
  return s;
}

inline DataSyncStatusRow sample_sync(int i) {
  DataSyncStatusRow d;
  d.symbol = i % 2 ? "BTC/USDT" : "XRP/BTC";
  d.source = "kraken_rest_ohlc";
  d.timeframe_minutes = 1;
  d.oldest = micros(kBase - 86400, 0);
  d.newest = micros(kBase, 0);
  d.synced_at = micros(kBase + 5, 13);
  d.status = "ok";
  d.message = "";
  return d;
}

inline AuditLogRow sample_audit(int i) {
  AuditLogRow a;
  a.audit_id = "audit-" + std::to_string(i);
  a.time = micros(kBase + i, 14);
  a.actor = "ops-token";
  a.role = "admin";
  a.action = "halt";
  a.target = "trading";
  a.params_json = R"({"confirm":"xyz"})";
  a.result = "ok";
  a.remote_addr = "127.0.0.1";
  return a;
}

// `n` rows of every table (n >= 2).
inline Batch sample_batch(int n) {
  Batch b;
  for (int i = 0; i < n; ++i) {
    b.add(sample_trade(i));
    b.add(sample_bar(i));
    b.add(sample_order(i));
    b.add(sample_order_event(0, i));
    b.add(sample_fill(i));
    b.add(sample_snapshot(i));
    b.add(sample_decision(i));
    b.add(sample_score(i));
    b.add(sample_risk_event(i));
    b.add(sample_session(i));
    b.add(sample_audit(i));
  }
  b.add(sample_instrument(0));
  b.add(sample_instrument(1));
  b.add(sample_position(0));
  b.add(sample_position(1));
  b.add(sample_risk_state());
  b.add(sample_sync(0));
  b.add(sample_sync(1));
  return b;
}

}  // namespace tg4::storage::testing
