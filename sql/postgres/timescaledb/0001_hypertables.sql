-- TimescaleDB layer over sql/postgres/0001_init.sql. Applied (and recorded as
-- "timescaledb/0001_hypertables") only when the timescaledb extension exists; without it the same
-- tables stay plain PostgreSQL and bars are rolled up by query (date_bin). Tables keep their names and
-- columns, so the write and query paths do not change; only bars() reads the aggregates below.
-- Untested here (the extension is not packaged for this machine): keep it small.

-- market_trades: 1-day chunks, compressed after 7 days, dropped after 90 days (SPEC §4).
SELECT create_hypertable('market_trades', 'time', chunk_time_interval => INTERVAL '1 day',
                         migrate_data => true, if_not_exists => true);
ALTER TABLE market_trades SET (timescaledb.compress, timescaledb.compress_segmentby = 'symbol',
                               timescaledb.compress_orderby = 'time DESC, trade_id');
SELECT add_compression_policy('market_trades', INTERVAL '7 days', if_not_exists => true);
SELECT add_retention_policy('market_trades', INTERVAL '90 days', if_not_exists => true);

-- candles_1m: 7-day chunks, compressed after 30 days, dropped after 365 days.
SELECT create_hypertable('candles_1m', 'open_time', chunk_time_interval => INTERVAL '7 days',
                         migrate_data => true, if_not_exists => true);
ALTER TABLE candles_1m SET (timescaledb.compress, timescaledb.compress_segmentby = 'symbol',
                            timescaledb.compress_orderby = 'open_time DESC');
SELECT add_compression_policy('candles_1m', INTERVAL '30 days', if_not_exists => true);
SELECT add_retention_policy('candles_1m', INTERVAL '365 days', if_not_exists => true);

-- portfolio_snapshots: time-range reads per session; kept forever.
SELECT create_hypertable('portfolio_snapshots', 'time', chunk_time_interval => INTERVAL '7 days',
                         migrate_data => true, if_not_exists => true);

-- Continuous aggregates 5m … 1w over candles_1m, kept forever (no retention policy on them).
-- Refresh windows are bounded: start_offset (≤ 28 days) is far inside candles_1m's 365-day retention
-- and 30-day compression, so a refresh never recomputes a bucket whose raw rows were dropped (which
-- would empty that history) nor touches compressed chunks. end_offset leaves the bucket in progress
-- to real-time aggregation (materialized_only = false). WITH NO DATA: creation may then run inside
-- the migration's transaction; the policies fill them. time_bucket's weeks start on Monday, like
-- date_bin with the origin the plain path uses.
CREATE MATERIALIZED VIEW candles_5m WITH (timescaledb.continuous, timescaledb.materialized_only = false) AS
SELECT time_bucket(INTERVAL '5 minutes', open_time) AS bucket, symbol, first(open, open_time) AS open,
       max(high) AS high, min(low) AS low, last(close, open_time) AS close, sum(volume) AS volume,
       sum(quote_volume) AS quote_volume, sum(trades) AS trades,
       round(sum(vwap * volume), 18) AS vwap_volume
FROM candles_1m GROUP BY bucket, symbol WITH NO DATA;
SELECT add_continuous_aggregate_policy('candles_5m', start_offset => INTERVAL '1 day',
       end_offset => INTERVAL '5 minutes', schedule_interval => INTERVAL '5 minutes');

CREATE MATERIALIZED VIEW candles_15m WITH (timescaledb.continuous, timescaledb.materialized_only = false) AS
SELECT time_bucket(INTERVAL '15 minutes', open_time) AS bucket, symbol, first(open, open_time) AS open,
       max(high) AS high, min(low) AS low, last(close, open_time) AS close, sum(volume) AS volume,
       sum(quote_volume) AS quote_volume, sum(trades) AS trades,
       round(sum(vwap * volume), 18) AS vwap_volume
FROM candles_1m GROUP BY bucket, symbol WITH NO DATA;
SELECT add_continuous_aggregate_policy('candles_15m', start_offset => INTERVAL '2 days',
       end_offset => INTERVAL '15 minutes', schedule_interval => INTERVAL '15 minutes');

CREATE MATERIALIZED VIEW candles_30m WITH (timescaledb.continuous, timescaledb.materialized_only = false) AS
SELECT time_bucket(INTERVAL '30 minutes', open_time) AS bucket, symbol, first(open, open_time) AS open,
       max(high) AS high, min(low) AS low, last(close, open_time) AS close, sum(volume) AS volume,
       sum(quote_volume) AS quote_volume, sum(trades) AS trades,
       round(sum(vwap * volume), 18) AS vwap_volume
FROM candles_1m GROUP BY bucket, symbol WITH NO DATA;
SELECT add_continuous_aggregate_policy('candles_30m', start_offset => INTERVAL '2 days',
       end_offset => INTERVAL '30 minutes', schedule_interval => INTERVAL '30 minutes');

CREATE MATERIALIZED VIEW candles_1h WITH (timescaledb.continuous, timescaledb.materialized_only = false) AS
SELECT time_bucket(INTERVAL '1 hour', open_time) AS bucket, symbol, first(open, open_time) AS open,
       max(high) AS high, min(low) AS low, last(close, open_time) AS close, sum(volume) AS volume,
       sum(quote_volume) AS quote_volume, sum(trades) AS trades,
       round(sum(vwap * volume), 18) AS vwap_volume
FROM candles_1m GROUP BY bucket, symbol WITH NO DATA;
SELECT add_continuous_aggregate_policy('candles_1h', start_offset => INTERVAL '3 days',
       end_offset => INTERVAL '1 hour', schedule_interval => INTERVAL '1 hour');

CREATE MATERIALIZED VIEW candles_4h WITH (timescaledb.continuous, timescaledb.materialized_only = false) AS
SELECT time_bucket(INTERVAL '4 hours', open_time) AS bucket, symbol, first(open, open_time) AS open,
       max(high) AS high, min(low) AS low, last(close, open_time) AS close, sum(volume) AS volume,
       sum(quote_volume) AS quote_volume, sum(trades) AS trades,
       round(sum(vwap * volume), 18) AS vwap_volume
FROM candles_1m GROUP BY bucket, symbol WITH NO DATA;
SELECT add_continuous_aggregate_policy('candles_4h', start_offset => INTERVAL '7 days',
       end_offset => INTERVAL '4 hours', schedule_interval => INTERVAL '1 hour');

CREATE MATERIALIZED VIEW candles_1d WITH (timescaledb.continuous, timescaledb.materialized_only = false) AS
SELECT time_bucket(INTERVAL '1 day', open_time) AS bucket, symbol, first(open, open_time) AS open,
       max(high) AS high, min(low) AS low, last(close, open_time) AS close, sum(volume) AS volume,
       sum(quote_volume) AS quote_volume, sum(trades) AS trades,
       round(sum(vwap * volume), 18) AS vwap_volume
FROM candles_1m GROUP BY bucket, symbol WITH NO DATA;
SELECT add_continuous_aggregate_policy('candles_1d', start_offset => INTERVAL '14 days',
       end_offset => INTERVAL '1 day', schedule_interval => INTERVAL '1 hour');

CREATE MATERIALIZED VIEW candles_1w WITH (timescaledb.continuous, timescaledb.materialized_only = false) AS
SELECT time_bucket(INTERVAL '1 week', open_time) AS bucket, symbol, first(open, open_time) AS open,
       max(high) AS high, min(low) AS low, last(close, open_time) AS close, sum(volume) AS volume,
       sum(quote_volume) AS quote_volume, sum(trades) AS trades,
       round(sum(vwap * volume), 18) AS vwap_volume
FROM candles_1m GROUP BY bucket, symbol WITH NO DATA;
SELECT add_continuous_aggregate_policy('candles_1w', start_offset => INTERVAL '28 days',
       end_offset => INTERVAL '1 week', schedule_interval => INTERVAL '1 day');
