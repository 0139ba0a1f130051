-- TG4 schema, SQLite (the embedded default). Mirrors sql/postgres/0001_init.sql; the differences are
-- types only: exact decimals are TEXT (SQLite has no exact NUMERIC), times are INTEGER nanoseconds
-- since the Unix epoch (UTC), booleans INTEGER 0/1. Paper and live rows share every table and are
-- told apart by session_id and mode.

CREATE TABLE instruments (
  symbol          TEXT PRIMARY KEY,
  base            TEXT NOT NULL,
  quote           TEXT NOT NULL,
  price_precision INTEGER NOT NULL,
  qty_precision   INTEGER NOT NULL,
  price_increment TEXT NOT NULL,
  qty_increment   TEXT NOT NULL,
  qty_min         TEXT NOT NULL,
  cost_min        TEXT NOT NULL,
  maker_fee       TEXT NOT NULL,
  taker_fee       TEXT NOT NULL,
  marginable      INTEGER NOT NULL,
  status          TEXT NOT NULL
);

CREATE TABLE market_trades (
  time     INTEGER NOT NULL,
  symbol   TEXT NOT NULL,
  trade_id INTEGER NOT NULL,
  side     TEXT NOT NULL,
  price    TEXT NOT NULL,
  qty      TEXT NOT NULL,
  ord_type TEXT NOT NULL,
  received INTEGER,
  PRIMARY KEY (symbol, time, trade_id)
) WITHOUT ROWID;

CREATE TABLE candles_1m (
  open_time    INTEGER NOT NULL,
  symbol       TEXT NOT NULL,
  open         TEXT NOT NULL,
  high         TEXT NOT NULL,
  low          TEXT NOT NULL,
  close        TEXT NOT NULL,
  volume       TEXT NOT NULL,
  quote_volume TEXT NOT NULL,
  vwap         TEXT NOT NULL,
  trades       INTEGER NOT NULL,
  PRIMARY KEY (symbol, open_time)
) WITHOUT ROWID;

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
  qty             TEXT NOT NULL,
  limit_price     TEXT NOT NULL,
  stop_price      TEXT NOT NULL,
  filled_qty      TEXT NOT NULL,
  avg_price       TEXT NOT NULL,
  fees            TEXT NOT NULL,
  reason          TEXT NOT NULL,
  created         INTEGER,
  updated         INTEGER
);
CREATE INDEX orders_session_status ON orders (session_id, status);

CREATE TABLE order_events (
  client_order_id TEXT NOT NULL,
  seq             INTEGER NOT NULL,
  session_id      TEXT NOT NULL,
  mode            TEXT NOT NULL,
  venue_order_id  TEXT NOT NULL,
  symbol          TEXT NOT NULL,
  side            TEXT NOT NULL,
  order_type      TEXT NOT NULL,
  status          TEXT NOT NULL,
  qty             TEXT NOT NULL,
  filled_qty      TEXT NOT NULL,
  limit_price     TEXT NOT NULL,
  avg_price       TEXT NOT NULL,
  reason          TEXT NOT NULL,
  time            INTEGER,
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
  price           TEXT NOT NULL,
  qty             TEXT NOT NULL,
  fee             TEXT NOT NULL,
  fee_currency    TEXT NOT NULL,
  maker           INTEGER NOT NULL,
  time            INTEGER
);
CREATE INDEX fills_session_time ON fills (session_id, time);

CREATE TABLE positions (
  session_id     TEXT NOT NULL,
  mode           TEXT NOT NULL,
  symbol         TEXT NOT NULL,
  qty            TEXT NOT NULL,
  avg_price      TEXT NOT NULL,
  realized_pnl   TEXT NOT NULL,
  unrealized_pnl TEXT NOT NULL,
  mark_price     TEXT NOT NULL,
  opened         INTEGER,
  updated        INTEGER,
  PRIMARY KEY (session_id, symbol)
);

CREATE TABLE portfolio_snapshots (
  time           INTEGER NOT NULL,
  session_id     TEXT NOT NULL,
  mode           TEXT NOT NULL,
  currency       TEXT NOT NULL,
  equity         TEXT NOT NULL,
  cash           TEXT NOT NULL,
  realized_pnl   TEXT NOT NULL,
  unrealized_pnl TEXT NOT NULL,
  fees           TEXT NOT NULL,
  drawdown       TEXT NOT NULL,
  exposure       TEXT NOT NULL,
  balances_json  TEXT NOT NULL,
  PRIMARY KEY (session_id, time)
);

CREATE TABLE decisions (
  decision_id  TEXT PRIMARY KEY,
  session_id   TEXT NOT NULL,
  mode         TEXT NOT NULL,
  time         INTEGER,
  agent        TEXT NOT NULL,
  provider     TEXT NOT NULL,
  model        TEXT NOT NULL,
  symbol       TEXT NOT NULL,
  prompt_hash  TEXT NOT NULL,
  raw_response TEXT NOT NULL,
  parsed_json  TEXT NOT NULL,
  action       TEXT NOT NULL,
  confidence   REAL NOT NULL,
  latency_us   INTEGER NOT NULL,
  tokens_in    INTEGER NOT NULL,
  tokens_out   INTEGER NOT NULL,
  cost         TEXT NOT NULL,
  error        TEXT NOT NULL
);
CREATE INDEX decisions_session_time ON decisions (session_id, time);

CREATE TABLE model_scores (
  agent          TEXT NOT NULL,
  model          TEXT NOT NULL,
  score_window   TEXT NOT NULL,
  updated        INTEGER,
  decisions      INTEGER NOT NULL,
  wins           INTEGER NOT NULL,
  losses         INTEGER NOT NULL,
  score          REAL NOT NULL,
  pnl            TEXT NOT NULL,
  cost           TEXT NOT NULL,
  avg_latency_us INTEGER NOT NULL,
  PRIMARY KEY (agent, model, score_window)
);

CREATE TABLE risk_events (
  event_id      TEXT PRIMARY KEY,
  session_id    TEXT NOT NULL,
  mode          TEXT NOT NULL,
  time          INTEGER,
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
  updated    INTEGER,
  state_json TEXT NOT NULL
);

CREATE TABLE sessions (
  session_id  TEXT PRIMARY KEY,
  mode        TEXT NOT NULL,
  started     INTEGER,
  ended       INTEGER,
  status      TEXT NOT NULL,
  config_hash TEXT NOT NULL,
  version     TEXT NOT NULL,
  note        TEXT NOT NULL
);

CREATE TABLE data_sync_status (
  symbol            TEXT NOT NULL,
  source            TEXT NOT NULL,
  timeframe_minutes INTEGER NOT NULL,
  oldest            INTEGER,
  newest            INTEGER,
  synced_at         INTEGER,
  status            TEXT NOT NULL,
  message           TEXT NOT NULL,
  PRIMARY KEY (symbol, source, timeframe_minutes)
);

CREATE TABLE audit_log (
  audit_id    TEXT PRIMARY KEY,
  time        INTEGER,
  actor       TEXT NOT NULL,
  role        TEXT NOT NULL,
  action      TEXT NOT NULL,
  target      TEXT NOT NULL,
  params_json TEXT NOT NULL,
  result      TEXT NOT NULL,
  remote_addr TEXT NOT NULL
);
CREATE INDEX audit_log_time ON audit_log (time);
