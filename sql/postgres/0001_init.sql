-- TG4 schema, PostgreSQL (plain; sql/postgres/timescaledb/ adds hypertables when the extension exists).
-- Mirrors sql/sqlite/0001_init.sql; the differences are types only: exact decimals are NUMERIC, times
-- TIMESTAMPTZ (microseconds), booleans BOOLEAN. Paper and live rows share every table and are told
-- apart by session_id and mode. Unique keys of future hypertables include their time column, as
-- TimescaleDB requires.

CREATE TABLE instruments (
  symbol          TEXT PRIMARY KEY,
  base            TEXT NOT NULL,
  quote           TEXT NOT NULL,
  price_precision INTEGER NOT NULL,
  qty_precision   INTEGER NOT NULL,
  price_increment NUMERIC NOT NULL,
  qty_increment   NUMERIC NOT NULL,
  qty_min         NUMERIC NOT NULL,
  cost_min        NUMERIC NOT NULL,
  maker_fee       NUMERIC NOT NULL,
  taker_fee       NUMERIC NOT NULL,
  marginable      BOOLEAN NOT NULL,
  status          TEXT NOT NULL
);

CREATE TABLE market_trades (
  time     TIMESTAMPTZ NOT NULL,
  symbol   TEXT NOT NULL,
  trade_id BIGINT NOT NULL,
  side     TEXT NOT NULL,
  price    NUMERIC NOT NULL,
  qty      NUMERIC NOT NULL,
  ord_type TEXT NOT NULL,
  received TIMESTAMPTZ,
  PRIMARY KEY (symbol, time, trade_id)
);

CREATE TABLE candles_1m (
  open_time    TIMESTAMPTZ NOT NULL,
  symbol       TEXT NOT NULL,
  open         NUMERIC NOT NULL,
  high         NUMERIC NOT NULL,
  low          NUMERIC NOT NULL,
  close        NUMERIC NOT NULL,
  volume       NUMERIC NOT NULL,
  quote_volume NUMERIC NOT NULL,
  vwap         NUMERIC NOT NULL,
  trades       BIGINT NOT NULL,
  PRIMARY KEY (symbol, open_time)
);

CREATE TABLE orders (
  client_order_id TEXT PRIMARY KEY,
  venue_order_id  TEXT NOT NULL,
  session_id      TEXT NOT NULL,
  mode            TEXT NOT NULL,
  intent_id       TEXT NOT NULL,
  source          TEXT NOT NULL,
  symbol          TEXT NOT NULL,
  side            TEXT NOT NULL,
  order_type      TEXT NOT NULL,
  status          TEXT NOT NULL,
  qty             NUMERIC NOT NULL,
  limit_price     NUMERIC NOT NULL,
  stop_price      NUMERIC NOT NULL,
  filled_qty      NUMERIC NOT NULL,
  avg_price       NUMERIC NOT NULL,
  fees            NUMERIC NOT NULL,
  reason          TEXT NOT NULL,
  created         TIMESTAMPTZ,
  updated         TIMESTAMPTZ
);
CREATE INDEX orders_session_status ON orders (session_id, status);

CREATE TABLE order_events (
  client_order_id TEXT NOT NULL,
  seq             BIGINT NOT NULL,
  session_id      TEXT NOT NULL,
  mode            TEXT NOT NULL,
  venue_order_id  TEXT NOT NULL,
  symbol          TEXT NOT NULL,
  side            TEXT NOT NULL,
  order_type      TEXT NOT NULL,
  status          TEXT NOT NULL,
  qty             NUMERIC NOT NULL,
  filled_qty      NUMERIC NOT NULL,
  limit_price     NUMERIC NOT NULL,
  avg_price       NUMERIC NOT NULL,
  reason          TEXT NOT NULL,
  time            TIMESTAMPTZ,
  PRIMARY KEY (client_order_id, seq)
);

CREATE TABLE fills (
  exec_id         TEXT PRIMARY KEY,
  session_id      TEXT NOT NULL,
  mode            TEXT NOT NULL,
  client_order_id TEXT NOT NULL,
  venue_order_id  TEXT NOT NULL,
  symbol          TEXT NOT NULL,
  side            TEXT NOT NULL,
  price           NUMERIC NOT NULL,
  qty             NUMERIC NOT NULL,
  fee             NUMERIC NOT NULL,
  fee_currency    TEXT NOT NULL,
  maker           BOOLEAN NOT NULL,
  time            TIMESTAMPTZ
);
CREATE INDEX fills_session_time ON fills (session_id, time);

CREATE TABLE positions (
  session_id     TEXT NOT NULL,
  mode           TEXT NOT NULL,
  symbol         TEXT NOT NULL,
  qty            NUMERIC NOT NULL,
  avg_price      NUMERIC NOT NULL,
  realized_pnl   NUMERIC NOT NULL,
  unrealized_pnl NUMERIC NOT NULL,
  mark_price     NUMERIC NOT NULL,
  opened         TIMESTAMPTZ,
  updated        TIMESTAMPTZ,
  PRIMARY KEY (session_id, symbol)
);

CREATE TABLE portfolio_snapshots (
  time           TIMESTAMPTZ NOT NULL,
  session_id     TEXT NOT NULL,
  mode           TEXT NOT NULL,
  currency       TEXT NOT NULL,
  equity         NUMERIC NOT NULL,
  cash           NUMERIC NOT NULL,
  realized_pnl   NUMERIC NOT NULL,
  unrealized_pnl NUMERIC NOT NULL,
  fees           NUMERIC NOT NULL,
  drawdown       NUMERIC NOT NULL,
  exposure       NUMERIC NOT NULL,
  balances_json  TEXT NOT NULL,
  PRIMARY KEY (session_id, time)
);

CREATE TABLE decisions (
  decision_id  TEXT PRIMARY KEY,
  session_id   TEXT NOT NULL,
  mode         TEXT NOT NULL,
  time         TIMESTAMPTZ,
  agent        TEXT NOT NULL,
  provider     TEXT NOT NULL,
  model        TEXT NOT NULL,
  symbol       TEXT NOT NULL,
  prompt_hash  TEXT NOT NULL,
  raw_response TEXT NOT NULL,
  parsed_json  TEXT NOT NULL,
  action       TEXT NOT NULL,
  confidence   DOUBLE PRECISION NOT NULL,
  latency_us   BIGINT NOT NULL,
  tokens_in    BIGINT NOT NULL,
  tokens_out   BIGINT NOT NULL,
  cost         NUMERIC NOT NULL,
  error        TEXT NOT NULL
);
CREATE INDEX decisions_session_time ON decisions (session_id, time);

CREATE TABLE model_scores (
  agent          TEXT NOT NULL,
  model          TEXT NOT NULL,
  score_window   TEXT NOT NULL,
  updated        TIMESTAMPTZ,
  decisions      BIGINT NOT NULL,
  wins           BIGINT NOT NULL,
  losses         BIGINT NOT NULL,
  score          DOUBLE PRECISION NOT NULL,
  pnl            NUMERIC NOT NULL,
  cost           NUMERIC NOT NULL,
  avg_latency_us BIGINT NOT NULL,
  PRIMARY KEY (agent, model, score_window)
);

CREATE TABLE risk_events (
  event_id      TEXT PRIMARY KEY,
  session_id    TEXT NOT NULL,
  mode          TEXT NOT NULL,
  time          TIMESTAMPTZ,
  kind          TEXT NOT NULL,
  intent_id     TEXT NOT NULL,
  symbol        TEXT NOT NULL,
  verdict       TEXT NOT NULL,
  rule          TEXT NOT NULL,
  reason        TEXT NOT NULL,
  breaker       TEXT NOT NULL,
  breaker_state TEXT NOT NULL,
  trading_state TEXT NOT NULL,
  detail_json   TEXT NOT NULL
);
CREATE INDEX risk_events_session_time ON risk_events (session_id, time);

CREATE TABLE risk_state (
  session_id TEXT PRIMARY KEY,
  mode       TEXT NOT NULL,
  updated    TIMESTAMPTZ,
  state_json TEXT NOT NULL
);

CREATE TABLE sessions (
  session_id  TEXT PRIMARY KEY,
  mode        TEXT NOT NULL,
  started     TIMESTAMPTZ,
  ended       TIMESTAMPTZ,
  status      TEXT NOT NULL,
  config_hash TEXT NOT NULL,
  version     TEXT NOT NULL,
  note        TEXT NOT NULL
);

CREATE TABLE data_sync_status (
  symbol            TEXT NOT NULL,
  source            TEXT NOT NULL,
  timeframe_minutes INTEGER NOT NULL,
  oldest            TIMESTAMPTZ,
  newest            TIMESTAMPTZ,
  synced_at         TIMESTAMPTZ,
  status            TEXT NOT NULL,
  message           TEXT NOT NULL,
  PRIMARY KEY (symbol, source, timeframe_minutes)
);

CREATE TABLE audit_log (
  audit_id    TEXT PRIMARY KEY,
  time        TIMESTAMPTZ,
  actor       TEXT NOT NULL,
  role        TEXT NOT NULL,
  action      TEXT NOT NULL,
  target      TEXT NOT NULL,
  params_json TEXT NOT NULL,
  result      TEXT NOT NULL,
  remote_addr TEXT NOT NULL
);
CREATE INDEX audit_log_time ON audit_log (time);
