#pragma once
// Config: the typed configuration of one TG4 node (SPEC §1-§12: every number there is a default
// here, not a constant in code). Loaded from YAML with ${ENV} / ${ENV:-default} expansion and
// validated against one schema table (core/config_schema.hpp) that also writes docs/CONFIG.md, so
// parsing, validation and documentation cannot drift apart.
//
// Units: money and percentages are Decimal. Keys ending in `_pct` hold percent units (20 = 20 %),
// `_bps` basis points, `_usd` US dollars; plain Decimals in [0, 1] are fractions (confidence,
// correlation, multipliers). Times are std::chrono::milliseconds, written "100ms", "5s", "10m",
// "12h", "30d" in YAML.
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "core/decimal.hpp"

namespace tg4::core {

using ConfigDuration = std::chrono::milliseconds;

namespace config_detail {
inline Decimal dec(const char* text) {
  return Decimal::must(text);
}
inline ConfigDuration sec(std::int64_t s) {
  return std::chrono::seconds(s);
}
inline ConfigDuration min(std::int64_t m) {
  return std::chrono::minutes(m);
}
inline ConfigDuration hours(std::int64_t h) {
  return std::chrono::hours(h);
}
}  // namespace config_detail

// 20 (percent) -> 0.2
inline Decimal pct_to_fraction(Decimal pct) {
  return pct / Decimal::from_int(100);
}

enum class TradingMode : std::uint8_t { kPaper, kLive };

struct AppSection {
  TradingMode mode = TradingMode::kPaper;  // live also needs TG4_LIVE and API keys (SPEC §8)
  std::string env = "dev";                 // the <env> of Redis keys tg4:<env>:...
  std::string reporting_currency = "USDT";
};

struct FeedSection {
  std::string url = "wss://ws.kraken.com/v2";
  std::string auth_url = "wss://ws-auth.kraken.com/v2";
  int book_depth = 10;                                      // one of 10, 25, 100, 500, 1000
  ConfigDuration message_deadline = config_detail::sec(5);  // any message, else reconnect
  ConfigDuration backoff_min = config_detail::sec(1);
  ConfigDuration backoff_max = config_detail::sec(60);
  bool subscribe_ohlc = true;  // Kraken's ohlc channel: a cross-check of our own bars
  std::vector<int> ohlc_intervals = {1, 5, 15, 60, 240, 1440};  // minutes
  // A 1m bar closes this long after its minute ends: trades reach us some time after Kraken
  // stamps them.
  ConfigDuration bar_close_delay = config_detail::sec(2);
  // A trade stamped further ahead of the local clock than this when it arrives is rejected.
  ConfigDuration future_trade_tolerance = config_detail::sec(10);
};

struct MarketSection {
  // Roll-ups of the 1m bars built from trades (SPEC §3).
  std::vector<std::string> timeframes = {"1m", "5m", "15m", "30m", "1h", "4h", "12h", "1d", "1w"};
  // No trade or book update for this long while the feed is up: the symbol is stale (status,
  // /metrics, /ready) and the snapshot quality flag is set (SPEC §5).
  ConfigDuration stale_after = config_detail::sec(60);
  int min_candles = 20;
};

struct RestSection {
  std::string url = "https://api.kraken.com";
  std::string api_key;                                  // secret; live trading only
  std::string api_secret;                               // secret; base64 as Kraken gives it
  Decimal rate_counter_max = config_detail::dec("15");  // Starter tier
  Decimal rate_decay_per_s = config_detail::dec("0.33");
  ConfigDuration timeout = config_detail::sec(10);
};

struct HistorySection {
  bool backfill_on_start = true;
  int backfill_days = 30;                                    // first start with an empty store
  ConfigDuration ohlc_gap_limit = config_detail::hours(12);  // beyond: /0/public/Trades
  int ohlc_max_per_call = 720;
};

struct StorageSection {
  std::string url = "sqlite:var/tg4.db";  // or postgresql://USER:PASSWORD@HOST/DB (secret part)
  int batch_rows = 1000;
  ConfigDuration batch_interval = std::chrono::milliseconds(200);
  int max_batch_rows = 10'000;
  int queue_capacity = 200'000;  // rows; beyond: spooled to disk
  std::string spool_dir = "var/spool";
};

struct RedisTtls {
  ConfigDuration regime = config_detail::sec(300);
  ConfigDuration technical = config_detail::sec(60);
  ConfigDuration sentiment = config_detail::sec(900);
  ConfigDuration decision = config_detail::sec(1800);
};

struct RedisSection {
  std::string url;       // empty: in-process state and pub/sub
  std::string password;  // secret; alternative to a password in the URL
  bool tls = false;
  RedisTtls ttl;
};

struct MetricsSection {
  bool enabled = true;
  std::string address = "127.0.0.1:9464";
};

struct ApiToken {
  std::string name;
  std::string role = "viewer";  // viewer | trader | admin
  std::string sha256;           // lowercase hex SHA-256 of the bearer token (secret)
};

struct ApiSection {
  bool enabled = true;
  std::string address = "127.0.0.1:8080";
  std::vector<ApiToken> tokens;
  Decimal requests_per_second = config_detail::dec("10");  // per principal, sustained
  Decimal burst = config_detail::dec("20");
  int max_body_bytes = 1024 * 1024;
  ConfigDuration confirmation_ttl = config_detail::sec(60);
  std::string tls_cert;  // PEM paths; both or neither
  std::string tls_key;
};

// Regime groups of SPEC §7 rules 4 and 5.
struct RegimeDecimals {
  Decimal trending;
  Decimal ranging;
  Decimal breakout;
  Decimal volatile_;  // YAML key `volatile`
  Decimal choppy;
  Decimal unknown;
};

// Regime leverage caps of SPEC §7 rule 6 (bull and bear trends differ).
struct RegimeLeverage {
  int trending_bull = 5;
  int trending_bear = 3;
  int breakout = 3;
  int ranging = 2;
  int volatile_ = 2;  // YAML key `volatile`
  int choppy = 1;
  int unknown = 1;
};

// A step that applies from `losses` consecutive losses on (the highest matching step wins).
struct LossStreakDuration {
  int losses = 1;
  ConfigDuration duration{};
};
struct LossStreakDecimal {
  int losses = 1;
  Decimal value;
};
struct LossStreakCap {
  int losses = 1;
  int cap = 1;
};
struct DrawdownCap {
  Decimal drawdown_pct;  // from peak equity
  int cap = 1;
};
struct Correlation {
  std::string a;
  std::string b;
  Decimal rho;
};

struct RiskCooldowns {
  std::vector<LossStreakDuration> after_loss = {
      {1, config_detail::min(10)}, {3, config_detail::min(30)}, {5, config_detail::min(60)}};
  ConfigDuration after_trade = config_detail::min(5);
  ConfigDuration volatility_spike = config_detail::min(15);
};

struct RiskSection {
  // Rule 2: cool-downs and what counts as a volatility spike.
  RiskCooldowns cooldown;
  Decimal volatility_spike_atr_multiple = config_detail::dec("3");  // ATR > 3 x its mean
  int volatility_spike_mean_bars = 20;
  // Rule 3: stops.
  bool require_stop_loss = true;
  Decimal min_stop_distance_pct = config_detail::dec("0.5");
  Decimal max_stop_distance_pct = config_detail::dec("5");
  Decimal min_reward_risk = config_detail::dec("1.5");
  // Rule 4: confidence.
  RegimeDecimals min_confidence = {config_detail::dec("0.55"), config_detail::dec("0.60"),
                                   config_detail::dec("0.60"), config_detail::dec("0.65"),
                                   config_detail::dec("0.75"), config_detail::dec("0.70")};
  std::vector<LossStreakDecimal> confidence_loss_streak_add = {{3, config_detail::dec("0.10")},
                                                               {5, config_detail::dec("0.20")}};
  Decimal strictness_relaxed = config_detail::dec("-0.05");
  Decimal strictness_strict = config_detail::dec("0.05");
  Decimal strictness_very_strict = config_detail::dec("0.10");
  // Rule 5: size.
  Decimal max_position_pct = config_detail::dec("20");  // of equity
  Decimal max_risk_pct = config_detail::dec("2");       // size x stop distance, of equity
  std::vector<LossStreakDecimal> size_loss_streak_factor = {{5, config_detail::dec("0.5")}};
  Decimal volatility_spike_size_factor = config_detail::dec("0.5");
  RegimeDecimals size_multiplier = {config_detail::dec("1.0"),  config_detail::dec("0.75"),
                                    config_detail::dec("0.75"), config_detail::dec("0.5"),
                                    config_detail::dec("0.25"), config_detail::dec("0.5")};
  // Rule 6: leverage.
  int max_leverage = 5;
  RegimeLeverage regime_leverage;
  std::vector<DrawdownCap> drawdown_leverage_caps = {
      {config_detail::dec("5"), 3}, {config_detail::dec("10"), 2}, {config_detail::dec("15"), 1}};
  std::vector<LossStreakCap> loss_streak_leverage_caps = {{3, 2}, {5, 1}};
  // Rules 7 and 8: exposure.
  Decimal max_total_exposure_pct = config_detail::dec("80");
  Decimal max_correlated_exposure_pct = config_detail::dec("40");
  Decimal correlation_threshold = config_detail::dec("0.5");  // only rho above this counts
  std::vector<Correlation> correlations = {{"BTC/USDT", "XRP/USDT", config_detail::dec("0.75")},
                                           {"BTC/USDT", "XRP/BTC", config_detail::dec("0.60")},
                                           {"XRP/USDT", "XRP/BTC", config_detail::dec("0.85")}};
  // Rule 9: limits.
  int max_positions_per_symbol = 2;
  int max_positions_total = 5;
  int max_orders_per_minute = 30;
  // Circuit breakers (loss limits are positive percentages of equity).
  Decimal daily_loss_limit_pct = config_detail::dec("5");
  Decimal weekly_loss_limit_pct = config_detail::dec("10");
  Decimal weekly_reduce_positions_pct = config_detail::dec("50");
  Decimal max_drawdown_pct = config_detail::dec("20");
};

struct ExecutionSection {
  bool trailing_stop = false;
  Decimal trailing_activation_pct = config_detail::dec("1");  // in profit
  Decimal trailing_distance_pct = config_detail::dec("1.5");
  ConfigDuration unknown_outcome_timeout = config_detail::sec(5);  // then query and reconcile
  ConfigDuration dead_man_switch = config_detail::sec(60);         // cancel_after; 0 = off
  ConfigDuration reconcile_interval = config_detail::sec(60);      // venue vs store; 0 = start only
  bool adopt_unknown_orders = false;                               // else they are canceled
  // After a restart, a position no known stop protects gets a stop this far from the next price.
  Decimal guard_stop_pct = config_detail::dec("5");  // SPEC §7 rule 3's widest stop; 0 = only said
  // Kraken's per-pair trading-rate counter (Starter tier), budgeted locally.
  int kraken_rate_counter_max = 60;
  Decimal kraken_rate_decay_per_s = config_detail::dec("1");
  int kraken_young_cancel_penalty = 8;
  ConfigDuration kraken_young_order_age = config_detail::sec(5);
};

struct PaperSection {
  ConfigDuration latency = std::chrono::milliseconds(100);
  Decimal slippage_bps = config_detail::dec("5");  // without a book
  Decimal taker_fee_pct = config_detail::dec("0.26");
  Decimal maker_fee_pct = config_detail::dec("0.16");
  std::map<std::string, Decimal> starting_balances = {{"USDT", config_detail::dec("10000")}};
  bool margin = false;
  Decimal volume_share_pct = config_detail::dec("0");  // without a book; 0 = no limit
};

struct StrategySection {
  std::string name = "ema_cross";
  std::map<std::string, std::string> params;  // strategy-specific, validated by the strategy
};

enum class LlmProviderKind : std::uint8_t { kOpenAi, kAnthropic };

struct LlmProvider {
  std::string name;
  LlmProviderKind kind = LlmProviderKind::kOpenAi;  // openai: any OpenAI-compatible server
  std::string base_url;
  std::string model;
  std::string api_key;  // secret; empty for local servers
  bool local = false;   // used when over budget (SPEC §6)
  bool search = false;  // search-capable: may serve the sentiment agent
  Decimal input_usd_per_mtok = config_detail::dec("0");
  Decimal output_usd_per_mtok = config_detail::dec("0");
  int requests_per_minute = 60;
};

struct LlmSection {
  bool enabled = false;  // false: rule-based fallbacks only
  std::vector<LlmProvider> providers;
  ConfigDuration timeout = config_detail::sec(30);
  int max_retries = 2;  // on 429 and 5xx only
  ConfigDuration retry_backoff = config_detail::sec(1);
  Decimal daily_budget_usd = config_detail::dec("5.00");
  Decimal budget_warn_usd = config_detail::dec("4.00");
  Decimal max_cost_per_decision_usd = config_detail::dec("0.50");
};

struct AgentsSection {
  ConfigDuration technical_interval = config_detail::sec(60);
  ConfigDuration regime_interval = config_detail::min(5);
  ConfigDuration sentiment_interval = config_detail::min(30);
  ConfigDuration decision_interval = config_detail::min(60);
  ConfigDuration rebalance_interval = config_detail::min(60);
  // The coordinator: a decision that would open or add to a position against the other agents'
  // views (technical bias, sentiment, regime) is judged before the strategy acts on it (proceed,
  // wait, abort, modify); without a verdict within coordinator_timeout, wait. Off: not judged.
  bool coordinator = true;
  ConfigDuration coordinator_timeout = config_detail::sec(10);
  // Technical analysis: each symbol's indicators on this timeframe read every technical_interval
  // into a trend, momentum, signals and a bias (advice: shown to people and to the decision
  // agent; nothing trades on it). Off: not read.
  bool technical_analysis = true;
  int technical_timeframe_minutes = 5;  // one of the tracked timeframes
  // Regime detection: each symbol's regime, named on this timeframe's bars every regime_interval,
  // sets the risk engine's regime tables for its intents (SPEC §7 rules 4-6). Off: every intent is
  // judged as regime "unknown", the strictest.
  bool regime_detection = true;
  // Portfolio rebalance (SPEC §9): every rebalance_interval the account's holdings are compared
  // with portfolio.targets_pct and traded back when an asset drifts more than portfolio.drift_pct.
  // Off by default: on, it moves the account into the targets' coins (with the defaults two thirds
  // of a USDT account go into BTC and XRP).
  bool portfolio_rebalance = false;
  int regime_timeframe_minutes = 15;  // one of the tracked timeframes: 1, 5, 15, 60, 240, 1440
  // Regime: a change needs this confidence on this many consecutive runs.
  Decimal regime_change_confidence = config_detail::dec("0.7");
  int regime_change_runs = 2;
  // Sentiment.
  int sentiment_max_providers = 2;
  Decimal sentiment_provider_weight = config_detail::dec("0.6");
  int sentiment_breaker_failures = 3;
  ConfigDuration sentiment_breaker_cooldown = config_detail::sec(300);
  // Decision consensus.
  int min_valid_answers = 4;
  Decimal min_agreement_pct = config_detail::dec("50");  // at or below: HOLD
  Decimal boost_unanimous = config_detail::dec("0.15");
  Decimal boost_83 = config_detail::dec("0.10");
  Decimal boost_67 = config_detail::dec("0.05");
  // Scoring of every model answer.
  std::vector<ConfigDuration> score_horizons = {config_detail::hours(1), config_detail::hours(4),
                                                config_detail::hours(24)};
  Decimal hold_band_pct = config_detail::dec("2");
  // Degradation NORMAL -> REDUCED -> LIMITED -> EMERGENCY.
  int degrade_reduced_failures = 3;
  int degrade_limited_failures = 6;
  int degrade_emergency_failures = 9;
  int recover_successes = 3;
};

struct HodlSection {
  Decimal profit_share_pct = config_detail::dec("10");
  Decimal min_profit_usd = config_detail::dec("1");
  std::map<std::string, Decimal> split_pct = {{"USDT", config_detail::dec("33.34")},
                                              {"XRP", config_detail::dec("33.33")},
                                              {"BTC", config_detail::dec("33.33")}};
  // Pending amounts buy when they reach these; assets not listed are held as they are.
  std::map<std::string, Decimal> buy_threshold_usd = {{"XRP", config_detail::dec("25")},
                                                      {"BTC", config_detail::dec("15")}};
  Decimal cap_per_allocation_usd = config_detail::dec("1000");
  Decimal cap_per_day_usd = config_detail::dec("5000");
};

struct PortfolioSection {
  std::map<std::string, Decimal> targets_pct = {{"BTC", config_detail::dec("33.33")},
                                                {"XRP", config_detail::dec("33.33")},
                                                {"USDT", config_detail::dec("33.34")}};
  Decimal drift_pct = config_detail::dec("5");
  Decimal min_trade_usd = config_detail::dec("10");
  Decimal batch_above_usd = config_detail::dec("500");
  int batch_count = 6;
  ConfigDuration batch_interval = config_detail::hours(4);
  HodlSection hodl;
};

struct Config {
  AppSection app;
  std::vector<std::string> symbols = {"BTC/USDT", "XRP/USDT", "XRP/BTC"};
  FeedSection feed;
  MarketSection market;
  RestSection rest;
  HistorySection history;
  StorageSection storage;
  RedisSection redis;
  MetricsSection metrics;
  ApiSection api;
  RiskSection risk;
  ExecutionSection execution;
  PaperSection paper;
  StrategySection strategy;
  LlmSection llm;
  AgentsSection agents;
  PortfolioSection portfolio;
};

const char* to_string(TradingMode mode);
const char* to_string(LlmProviderKind kind);

// One problem found while loading: where (file, 1-based line and column; 0 when unknown), which key
// (`risk.max_position_pct`, `api.tokens[1].role`) and what was expected versus found.
struct ConfigIssue {
  std::string file;
  int line = 0;
  int column = 0;
  std::string key;
  std::string message;

  // "config/tg4.yaml:12:3: risk.max_position_pct: expected a decimal in (0, 100], found 120"
  std::string to_string() const;
};

// Thrown only by the edge helpers that want an exception (load_config_or_throw).
class ConfigError : public std::runtime_error {
 public:
  explicit ConfigError(std::vector<ConfigIssue> issues);
  const std::vector<ConfigIssue>& issues() const { return issues_; }

 private:
  std::vector<ConfigIssue> issues_;
};

// Looks up an environment variable; tests pass their own.
using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;
EnvLookup process_env();

struct ConfigLoad {
  Config config;                    // defaults where the file said nothing or was wrong
  std::vector<ConfigIssue> issues;  // every problem, in file order; empty when ok
  bool ok() const { return issues.empty(); }
  std::string error_text() const;  // one issue per line
};

// Never throws: every problem (unreadable file, YAML syntax, types, ranges, unknown keys, missing
// environment variables, cross-field rules) comes back in `issues`.
ConfigLoad load_config_file(const std::string& path, const EnvLookup& env = process_env());
ConfigLoad parse_config(std::string_view yaml_text, const std::string& file_name,
                        const EnvLookup& env = process_env());
Config load_config_or_throw(const std::string& path, const EnvLookup& env = process_env());

// The configuration as YAML with every key; secrets are "***" (passwords in URLs too) unless
// `redact` is false.
std::string dump_config(const Config& config, bool redact = true);

// docs/CONFIG.md, generated from the schema.
std::string config_docs_markdown();
// A configuration file stating every default, each key under a comment with its description and
// allowed values (the start of config/tg4.yaml; `tg4 config template`).
std::string config_template_yaml();

}  // namespace tg4::core
