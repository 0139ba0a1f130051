#pragma once
// The backtester (SPEC §12 `tg4 backtest`, DESIGN principle 2): recorded market data replayed
// through the same kernel, pipeline, strategy, risk engine and paper venue as paper and live
// trading, on a simulated clock. Candles are fed as trades along a fixed OHLC path, so the bar
// aggregator rebuilds the same bars and the paper venue matches on the same prices as it would
// live; recorded frames are fed as the parsed events they were live. Same inputs give the same
// bytes (no wall clock, no random ids, ordered containers only). docs/backtesting.md defines every
// metric and the candle path.
//
// MarketData is loaded once and read-only: independent run_backtest calls may share it from many
// threads (sweeps, walk-forward). run_backtest owns everything else it touches.
#include <boost/json.hpp>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "backtest/report_html.hpp"
#include "core/decimal.hpp"
#include "core/events.hpp"
#include "core/result.hpp"
#include "core/text_file.hpp"
#include "core/time.hpp"
#include "kernel/pipeline_options.hpp"
#include "strategy/registry.hpp"

namespace tg4::backtest {

// ---- data
// ----------------------------------------------------------------------------------------

enum class DataKind : std::uint8_t {
  kCandlesCsv,  // a candles CSV (SPEC §12 format or Kraken OHLCVT), one symbol
  kFrames,      // recorded Kraken WS v2 frames (JSONL), any symbols
  kStore,       // 1m (or coarser) bars from the store
};

struct DataSource {
  DataKind kind = DataKind::kCandlesCsv;
  std::filesystem::path path;        // CSV or frames file
  std::string store_url;             // kStore: sqlite:PATH or postgresql://...
  std::vector<std::string> symbols;  // CSV: exactly one (the file has none); store: one or more
  int timeframe_minutes = 0;         // store: bars read (0 = 1m); CSV: 0 = detect from the data
  core::Timestamp from{}, to{};      // store: query window (0 = all); applied again at run time
};

// "store:BTC/USDT,XRP/USDT[@1h]", a path ending in .jsonl/.ndjson (frames), anything else a candles
// CSV. `symbol` names a CSV's symbol; `store_url` is the --store URL.
core::Result<DataSource> parse_data_source(const std::string& text, const std::string& symbol,
                                           const std::string& store_url);

struct SymbolBars {
  std::string symbol;
  std::vector<core::Bar> bars;  // strictly increasing open_time, interval_minutes each
};

struct MarketData {
  DataKind kind = DataKind::kCandlesCsv;
  std::string description;  // "candles data/btc.csv (BTC/USDT, 1m, 1440 bars)"
  // Candles (CSV or store): one series per symbol, all of the same interval.
  int interval_minutes = 0;
  std::vector<SymbolBars> bars;
  // Frames: every parsed market event in file order (books, trades, instruments, candles).
  std::vector<core::MarketEvent> events;
  std::uint64_t frames = 0;
  int book_depth = 0;  // frames: the recorded subscription's depth (books are kept that deep)

  std::vector<std::string> symbols() const;  // sorted
  core::Timestamp first_time() const;        // first bar open / first event time
  core::Timestamp end_time() const;          // last bar's close / last event time
  std::size_t event_count() const;           // bars or events
};

// Reads the source. Errors name the file (and line) or the store URL and symbol. `store_failed`,
// when given, is set true when the error is the store's (it could not be opened or read: a runtime
// failure, exit 1) rather than the request's (exit 2). A store is opened read-only.
core::Result<MarketData> load_market_data(const DataSource& source, bool* store_failed = nullptr);

// The interval of a bar series: the smallest gap between consecutive open times, in minutes
// (0 for fewer than two bars).
int detect_interval_minutes(const std::vector<core::Bar>& bars);

// ---- a run
// ---------------------------------------------------------------------------------------

struct Progress {
  std::uint64_t done = 0;  // bars or events fed
  std::uint64_t total = 0;
};

struct BacktestSpec {
  std::string strategy = "ema_cross";
  std::map<std::string, std::string> params;  // validated against the strategy's specs
  // Where `strategy` is looked up (tests and tools add their own); null: the built-ins.
  const strategy::StrategyRegistry* registry = nullptr;
  std::vector<std::string> symbols;  // empty: every symbol of the data
  // Fees, slippage, latency, balances, limits, order settings. strategy, strategy_params, symbols,
  // scope, tick, snapshot_interval and record_market_data are set by run_backtest.
  kernel::PipelineOptions base;
  core::Timestamp from{}, to{};  // data window [from, to); 0 = unbounded
  // Bars (events) before trade_from only warm up indicators and the strategy: its intents are
  // dropped. 0 = trade from the start. Metrics cover [trade_from, end).
  core::Timestamp trade_from{};
  bool collect_charts = true;  // candles, overlays and markers for report.html (off in sweeps)
  // Skip work whose result nothing reads (docs/backtesting.md "Speed"): indicators and bars the
  // strategy does not use, and the kernel round trip of trades that meet no order. The outputs are
  // the same either way (a test holds them equal); off is the reference the test compares with.
  bool shortcuts = true;
  // Called on the running thread every few thousand events; may be empty.
  std::function<void(const Progress&)> on_progress;
};

// Every figure is defined in docs/backtesting.md. Money in the reporting currency (Decimal);
// ratios as doubles; durations in seconds.
struct Summary {
  std::string strategy;
  std::map<std::string, std::string> params;  // effective values, defaults included
  std::vector<std::string> symbols;
  std::string currency;
  core::Timestamp start, end;  // the measured period
  core::Decimal initial_equity, final_equity, net_pnl, fees;
  double total_return = 0;             // final / initial - 1
  double cagr = 0;                     // (final / initial)^(365 d / period) - 1; NaN under a day
  double sharpe = 0;                   // of daily returns, x sqrt(365)
  // mean daily return / downside deviation, x sqrt(365); inf without a losing day
  double sortino = 0;
  double calmar = 0;                   // cagr / max_drawdown; inf without a drawdown
  double max_drawdown = 0;             // largest peak-to-trough fall, fraction of the peak
  double max_drawdown_duration_s = 0;  // longest time below a previous peak
  std::uint64_t trades = 0;            // round trips
  std::uint64_t wins = 0, losses = 0;
  double win_rate = 0;       // wins / trades
  double profit_factor = 0;  // gross profit / gross loss (0 without losses and profits)
  core::Decimal expectancy;  // net_pnl of trades / trades
  core::Decimal gross_profit, gross_loss;
  double exposure = 0;       // fraction of the period with an open position
  double avg_holding_s = 0;  // mean round-trip holding time
  // rejected: intents refused by the risk engine, and orders it allowed that the order manager or
  // the venue refused.
  std::uint64_t orders = 0, fills = 0, intents = 0, rejected = 0;
  // Those refusals, by rule ("2:cooldown": 12) or "order_refused:order_manager" /
  // "order_refused:venue"; breakers tripped, by name.
  std::map<std::string, std::uint64_t> rejections, breakers;
  std::uint64_t bars = 0, events = 0;
  // The hodl bags at the end (Pipeline::hodl_json) when portfolio.hodl is on; empty when off. Their
  // value is in final_equity (the account's), their buys are orders and fills but no round trip.
  boost::json::object hodl;
};
boost::json::object to_json(const Summary& summary);

// A round trip: from flat to flat in one symbol.
struct RoundTrip {
  std::string symbol;
  core::Side side = core::Side::kBuy;  // of the entry (long = buy)
  core::Timestamp entry_time, exit_time;
  core::Decimal qty;                // base units entered
  core::Decimal entry_price;        // average
  core::Decimal exit_price;         // average
  core::Decimal gross_pnl;          // quote currency, before fees
  core::Decimal fees;               // quote currency, entry and exit
  core::Decimal net_pnl;            // quote currency
  core::Decimal net_pnl_reporting;  // reporting currency
  double return_pct = 0;            // net_pnl / entry notional x 100
  std::string exit_reason;          // role of the closing order: stop_loss, take_profit, exit, end
  std::size_t entry_fills = 0, exit_fills = 0;
};

// An order as it ended (orders.csv).
struct OrderRecord {
  std::string client_order_id, intent_id, symbol, side, type, role, status, reason;
  core::Timestamp created, updated;
  core::Decimal qty, filled, avg_price, limit_price, trigger_price, stop_loss, take_profit;
};

struct EquityPoint {
  core::Timestamp time;
  core::Decimal equity;
  core::Decimal cash;      // reporting currency
  core::Decimal drawdown;  // fraction of the running peak (within the measured period)
};

struct BacktestResult {
  Summary summary;
  std::vector<RoundTrip> trades;
  std::vector<OrderRecord> orders;
  std::vector<core::Fill> fills;
  std::vector<EquityPoint> equity;
  std::vector<SymbolChart> charts;  // candles of the trading timeframe, overlays, fill markers
  std::uint64_t direct_trades = 0;  // candle trades applied without a kernel round trip (shortcuts)
};

// One backtest. Thread-safe: no global state; `data` is only read. Errors: unknown strategy or
// parameter (naming it), a symbol without data, an interval the bar aggregator cannot rebuild.
core::Result<BacktestResult> run_backtest(const BacktestSpec& spec, const MarketData& data);

// summary.json, trades.csv, orders.csv, equity.csv (and report.html) into `dir` (created).
core::Status write_outputs(const BacktestResult& result, const std::filesystem::path& dir);

// The file contents, for tests and tools.
std::string summary_json_text(const Summary& summary);
std::string trades_csv(const std::vector<RoundTrip>& trades);
std::string orders_csv(const std::vector<OrderRecord>& orders);
std::string equity_csv(const std::vector<EquityPoint>& equity);

// Shared by every CSV the backtester writes (sweep.csv, walk_forward.csv too): a cell quoted when it
// holds a comma, quote or line break. Files go through core::write_text_file (never half written).
std::string csv_cell(const std::string& text);
// Every time the output files hold: RFC 3339 UTC with milliseconds; empty when unset.
std::string time_cell(core::Timestamp t);

}  // namespace tg4::backtest
