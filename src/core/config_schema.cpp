// The schema table of Config: one row per key. Change a default in core/config.hpp, a range or a
// description here; docs/CONFIG.md is regenerated from both (`tg4 config docs`).
#include "core/config_schema.hpp"

#include <map>
#include <regex>

#include "core/address.hpp"
#include "core/config_fields.hpp"

namespace tg4::core::config_schema {
namespace {

// Path text and accessor from one expression, so they cannot disagree.
#define TG4_KEY(expr)           \
#expr, [](auto& c) -> auto& { \
    return c.expr;              \
  }
// Keys spelled differently from the member (`volatile` is a C++ keyword).
#define TG4_KEY_AS(name, expr) \
  name, [](auto& c) -> auto& { \
    return c.expr;             \
  }

using ms = std::chrono::milliseconds;
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

Decimal d(const char* text) {
  return Decimal::must(text);
}

Check<int> ints(int lo, int hi) {
  return Check<int>{}.at_least(lo).at_most(hi);
}
Check<Decimal> decs(const char* lo, const char* hi) {
  return Check<Decimal>{}.at_least(d(lo)).at_most(d(hi));
}
Check<Decimal> positive_upto(const char* hi) {
  return Check<Decimal>{}.above(Decimal::zero()).at_most(d(hi));
}
Check<Decimal> fraction() {
  return decs("0", "1");
}
Check<Decimal> percent() {
  return positive_upto("100");
}
Check<ConfigDuration> durs(ConfigDuration lo, ConfigDuration hi) {
  return Check<ConfigDuration>{}.at_least(lo).at_most(hi);
}

Check<std::string> matching(const char* pattern, std::string doc) {
  Check<std::string> c;
  c.custom_doc = doc;
  c.custom = [re = std::regex(pattern), doc](const std::string& v) -> std::optional<std::string> {
    if (std::regex_match(v, re)) return std::nullopt;
    return doc;
  };
  return c;
}
Check<std::string> one_of(std::vector<std::string> values) {
  Check<std::string> c;
  c.one_of = std::move(values);
  return c;
}

Check<std::string> symbol() {
  return matching("[A-Z0-9]{1,16}/[A-Z0-9]{1,16}", "BASE/QUOTE, e.g. BTC/USDT");
}
Check<std::string> asset() {
  return matching("[A-Z0-9]{1,16}", "an asset code, e.g. BTC");
}
Check<std::string> address() {
  Check<std::string> c = matching("([A-Za-z0-9.-]+|\\[[0-9A-Fa-f:.]+\\]):[0-9]{1,5}",
                                  "HOST:PORT, a port in 0..65535 (0: any free one)");
  // The pattern lets 5 digits through; the port must also fit, or 70000 binds 70000 - 65536.
  c.custom = [form = c.custom,
              doc = c.custom_doc](const std::string& v) -> std::optional<std::string> {
    if (auto wrong = form(v)) return wrong;
    if (!parse_host_port(v)) return doc;
    return std::nullopt;
  };
  return c;
}
Check<std::string> non_empty() {
  return matching(".+", "not empty");
}
Check<std::string> identifier() {
  return matching("[A-Za-z_][A-Za-z0-9_.-]*", "a name [A-Za-z0-9_.-]");
}
Check<std::string> url(const char* schemes, const char* doc) {
  return matching((std::string("(") + schemes + ")://[^\\s]+").c_str(), doc);
}

std::vector<Field<ApiToken>> token_fields() {
  return {
      required(
          field<ApiToken>(TG4_KEY(name), "Who the token belongs to (audit log).", identifier())),
      field<ApiToken>(TG4_KEY(role), "Role: viewer < trader < admin.",
                      one_of({"viewer", "trader", "admin"})),
      required(field<ApiToken>(TG4_KEY(sha256),
                               "Lowercase hex SHA-256 of the bearer token (the token itself is "
                               "never stored).",
                               matching("[0-9a-f]{64}", "64 lowercase hex digits"), Secret::kYes)),
  };
}

std::vector<Field<LlmProvider>> provider_fields() {
  return {
      required(field<LlmProvider>(TG4_KEY(name), "Unique provider name.", identifier())),
      field<LlmProvider>(TG4_KEY(kind),
                         "API dialect: OpenAI-compatible chat completions (OpenAI, DeepSeek, xAI, "
                         "Ollama, vLLM, llama.cpp) or Anthropic Messages."),
      required(field<LlmProvider>(TG4_KEY(base_url), "Base URL, e.g. https://api.openai.com/v1.",
                                  url("https?", "an http(s):// URL"), Secret::kUrl)),
      required(field<LlmProvider>(TG4_KEY(model), "Model name sent to the API.", non_empty())),
      field<LlmProvider>(TG4_KEY(api_key), "API key; use ${ENV}. Empty for local servers.", {},
                         Secret::kYes),
      field<LlmProvider>(TG4_KEY(local), "A local model: still used when over budget."),
      field<LlmProvider>(TG4_KEY(search), "Search-capable: may serve the sentiment agent."),
      field<LlmProvider>(TG4_KEY(input_usd_per_mtok), "Price of 1M input tokens, USD.",
                         decs("0", "10000")),
      field<LlmProvider>(TG4_KEY(output_usd_per_mtok), "Price of 1M output tokens, USD.",
                         decs("0", "10000")),
      field<LlmProvider>(TG4_KEY(requests_per_minute), "Client-side rate limit.", ints(1, 100000)),
  };
}

template <class Step>
std::vector<Field<Step>> streak_fields(const char* value_doc, Check<Decimal> value_check) {
  return {required(
              field<Step>(TG4_KEY(losses), "From this many consecutive losses on.", ints(1, 1000))),
          required(field<Step>(TG4_KEY(value), value_doc, value_check))};
}

std::vector<Field<LossStreakDuration>> cooldown_step_fields() {
  return {required(field<LossStreakDuration>(
              TG4_KEY(losses), "From this many consecutive losses on.", ints(1, 1000))),
          required(field<LossStreakDuration>(TG4_KEY(duration), "Cool-down length.",
                                             durs(ms(0), hours(24 * 7))))};
}

std::vector<Field<LossStreakCap>> loss_cap_fields() {
  return {required(field<LossStreakCap>(TG4_KEY(losses), "From this many consecutive losses on.",
                                        ints(1, 1000))),
          required(field<LossStreakCap>(TG4_KEY(cap), "Leverage cap.", ints(1, 10)))};
}

std::vector<Field<DrawdownCap>> drawdown_cap_fields() {
  return {required(field<DrawdownCap>(TG4_KEY(drawdown_pct), "From this drawdown from peak on, %.",
                                      percent())),
          required(field<DrawdownCap>(TG4_KEY(cap), "Leverage cap.", ints(1, 10)))};
}

std::vector<Field<Correlation>> correlation_fields() {
  return {required(field<Correlation>(TG4_KEY(a), "One symbol.", symbol())),
          required(field<Correlation>(TG4_KEY(b), "The other symbol.", symbol())),
          required(field<Correlation>(TG4_KEY(rho), "Correlation coefficient.", decs("-1", "1")))};
}

template <class Vec>
std::function<std::optional<std::string>(const Vec&)> unique_by_name(const char* what) {
  return [what](const Vec& items) -> std::optional<std::string> {
    std::set<std::string> names;
    for (const auto& item : items) {
      if (!names.insert(item.name).second) {
        return std::string(what) + " name \"" + item.name + "\" is used twice";
      }
    }
    return std::nullopt;
  };
}

// Two tokens with one hash are one bearer token: the first listed would always win (api::Auth),
// so the second entry's name and role could never apply.
std::optional<std::string> unique_tokens(const std::vector<ApiToken>& tokens) {
  if (auto names = unique_by_name<std::vector<ApiToken>>("token")(tokens)) return names;
  std::map<std::string, std::string> owner;  // sha256 -> the first token's name
  for (const auto& token : tokens) {
    const auto [it, added] = owner.emplace(token.sha256, token.name);
    if (!added) {
      return "tokens \"" + it->second + "\" and \"" + token.name +
             "\" have the same sha256, so the first would always win: give each its own token";
    }
  }
  return std::nullopt;
}

// Regime tables: one key per regime group.
template <class Acc>
void add_regime_decimals(std::vector<Field<Config>>& t, const std::string& base, Acc table,
                         const std::string& what, Check<Decimal> check) {
  const std::pair<const char*, Decimal RegimeDecimals::*> groups[] = {
      {"trending", &RegimeDecimals::trending}, {"ranging", &RegimeDecimals::ranging},
      {"breakout", &RegimeDecimals::breakout}, {"volatile", &RegimeDecimals::volatile_},
      {"choppy", &RegimeDecimals::choppy},     {"unknown", &RegimeDecimals::unknown}};
  for (const auto& [name, member] : groups) {
    t.push_back(field<Config>(
        base + "." + name, [table, member = member](auto& c) -> auto& { return table(c).*member; },
        what + " (" + name + " regime).", check));
  }
}

std::vector<Field<Config>> build_table() {
  std::vector<Field<Config>> t;
  const auto add = [&t](Field<Config> f) { t.push_back(std::move(f)); };

  // app
  add(field<Config>(TG4_KEY(app.mode),
                    "paper or live. Live also needs env TG4_LIVE=I_UNDERSTAND_THE_RISKS and "
                    "rest.api_key/api_secret (SPEC §8)."));
  add(field<Config>(TG4_KEY(app.env), "Environment name: Redis keys are tg4:<env>:...",
                    matching("[a-z0-9_-]{1,32}", "[a-z0-9_-], 1-32 characters")));
  add(field<Config>(TG4_KEY(app.reporting_currency), "Currency of equity and PnL reports.",
                    asset()));
  add(field<Config>(TG4_KEY(symbols), "Kraken spot pairs to trade (WS v2 names).", symbol()));

  // feed
  add(field<Config>(TG4_KEY(feed.url), "Public Kraken WebSocket v2 endpoint.",
                    url("wss?", "a ws:// or wss:// URL")));
  add(field<Config>(TG4_KEY(feed.auth_url), "Private (authenticated) WebSocket v2 endpoint.",
                    url("wss?", "a ws:// or wss:// URL")));
  {
    Check<int> depths;
    depths.one_of = {10, 25, 100, 500, 1000};
    add(field<Config>(TG4_KEY(feed.book_depth), "Order book depth subscribed.", depths));
  }
  add(field<Config>(TG4_KEY(feed.message_deadline),
                    "Reconnect when no message at all arrives for this long.",
                    durs(ms(100), minutes(10))));
  add(field<Config>(TG4_KEY(feed.backoff_min), "Reconnect backoff base (exponential, jittered).",
                    durs(ms(10), minutes(10))));
  add(field<Config>(TG4_KEY(feed.backoff_max), "Reconnect backoff cap.", durs(ms(100), hours(1))));
  add(field<Config>(
      TG4_KEY(feed.subscribe_ohlc),
      "Subscribe Kraken's ohlc channel as a cross-check of the bars built from trades."));
  {
    Check<int> intervals;
    intervals.one_of = {1, 5, 15, 30, 60, 240, 1440, 10080, 21600};
    add(field<Config>(TG4_KEY(feed.ohlc_intervals), "ohlc channel intervals, minutes.", intervals));
  }
  add(field<Config>(TG4_KEY(feed.bar_close_delay),
                    "A 1m bar built from trades closes this long after its minute ends: the grace "
                    "for trades that arrive after Kraken stamped them. A later trade revises the "
                    "stored bar of its minute (last hour) and is counted "
                    "(tg4_bar_late_trades_total).",
                    durs(seconds(0), minutes(1))));
  add(field<Config>(TG4_KEY(feed.future_trade_tolerance),
                    "A trade stamped further ahead of the local clock than this when it arrives is "
                    "rejected and counted (tg4_bar_rejected_trades_total{reason=\"future\"}); "
                    "keep the host's clock synchronised (NTP). 0s: off, for a simulator whose "
                    "clock runs ahead of this host's (tg4 sim --speed).",
                    durs(seconds(0), hours(1))));

  // market
  add(field<Config>(TG4_KEY(market.timeframes), "Bar timeframes rolled up from 1m bars.",
                    one_of({"1m", "5m", "15m", "30m", "1h", "4h", "12h", "1d", "1w"})));
  add(field<Config>(TG4_KEY(market.stale_after),
                    "A symbol with no trade or book update for this long while the feed is up is "
                    "stale: shown in the status, tg4_market_data_stale 1, /ready 503; the snapshot "
                    "quality flag too.",
                    durs(seconds(1), hours(1))));
  add(field<Config>(TG4_KEY(market.min_candles), "Fewer candles than this are flagged.",
                    ints(1, 100000)));

  // rest
  add(field<Config>(TG4_KEY(rest.url), "Kraken REST base URL.",
                    url("https?", "an http(s):// URL")));
  add(field<Config>(TG4_KEY(rest.api_key), "Kraken API key (live only); use ${KRAKEN_API_KEY}.", {},
                    Secret::kYes));
  add(field<Config>(TG4_KEY(rest.api_secret),
                    "Kraken API secret, base64 (live only); use ${KRAKEN_API_SECRET}.", {},
                    Secret::kYes));
  add(field<Config>(TG4_KEY(rest.rate_counter_max), "REST rate counter limit (Starter tier 15).",
                    positive_upto("1000")));
  add(field<Config>(TG4_KEY(rest.rate_decay_per_s), "REST rate counter decay per second.",
                    positive_upto("100")));
  add(field<Config>(TG4_KEY(rest.timeout), "Timeout of one REST request.",
                    durs(seconds(1), minutes(5))));

  // history
  add(field<Config>(TG4_KEY(history.backfill_on_start),
                    "Fill gaps since the newest stored bar at start."));
  add(field<Config>(TG4_KEY(history.backfill_days),
                    "Days fetched on a first start with an empty store.", ints(0, 3650)));
  add(field<Config>(TG4_KEY(history.ohlc_gap_limit),
                    "Gaps shorter than this come from /0/public/OHLC, longer ones from Trades.",
                    durs(minutes(1), hours(24 * 30))));
  add(field<Config>(TG4_KEY(history.ohlc_max_per_call), "Candles per OHLC call (Kraken max 720).",
                    ints(1, 720)));

  // storage
  add(field<Config>(TG4_KEY(storage.url),
                    "sqlite:PATH (embedded) or postgresql://USER:PASSWORD@HOST:PORT/DB. --store "
                    "overrides it.",
                    matching("(sqlite:.+|postgres(ql)?://.+)", "sqlite:PATH or postgresql://..."),
                    Secret::kUrl));
  add(field<Config>(TG4_KEY(storage.batch_rows), "Commit a batch at this many rows.",
                    ints(1, 1'000'000)));
  add(field<Config>(
      TG4_KEY(storage.batch_interval),
      "... or when this much time has passed (an order or fill is committed at once).",
      durs(ms(1), minutes(1))));
  add(field<Config>(TG4_KEY(storage.max_batch_rows), "Most rows in one transaction (backlogs).",
                    ints(1, 10'000'000)));
  add(field<Config>(TG4_KEY(storage.queue_capacity),
                    "Rows queued in memory; beyond this they are spooled to disk.",
                    ints(1, 100'000'000)));
  add(field<Config>(TG4_KEY(storage.spool_dir),
                    "Folder of the disk spool used while the store is down.", non_empty()));

  // redis
  add(field<Config>(TG4_KEY(redis.url),
                    "redis://[:PASSWORD@]HOST:PORT[/DB] or rediss://; empty = in-process state and "
                    "pub/sub. --redis overrides it.",
                    matching("(|rediss?://.+)", "empty, redis://... or rediss://..."),
                    Secret::kUrl));
  add(field<Config>(TG4_KEY(redis.password), "Password, when not in the URL.", {}, Secret::kYes));
  add(field<Config>(TG4_KEY(redis.tls), "Use TLS (same as a rediss:// URL)."));
  add(field<Config>(TG4_KEY(redis.ttl.regime), "TTL of the latest regime agent output.",
                    durs(seconds(1), hours(24 * 7))));
  add(field<Config>(TG4_KEY(redis.ttl.technical), "TTL of the latest technical agent output.",
                    durs(seconds(1), hours(24 * 7))));
  add(field<Config>(TG4_KEY(redis.ttl.sentiment), "TTL of the latest sentiment agent output.",
                    durs(seconds(1), hours(24 * 7))));
  add(field<Config>(TG4_KEY(redis.ttl.decision), "TTL of the latest trading decision.",
                    durs(seconds(1), hours(24 * 7))));

  // metrics
  add(field<Config>(TG4_KEY(metrics.enabled), "Serve Prometheus /metrics."));
  add(field<Config>(TG4_KEY(metrics.address), "HOST:PORT of /metrics. --metrics overrides it.",
                    address()));

  // api
  add(field<Config>(TG4_KEY(api.enabled), "Serve the operator HTTP API."));
  add(field<Config>(TG4_KEY(api.address), "HOST:PORT of the operator API (keep it on 127.0.0.1).",
                    address()));
  add(records<Config>(
      TG4_KEY(api.tokens), "Bearer tokens, stored as SHA-256 hashes; each name and each hash once.",
      token_fields(),
      std::function<std::optional<std::string>(const std::vector<ApiToken>&)>(unique_tokens)));
  add(field<Config>(TG4_KEY(api.requests_per_second),
                    "Sustained requests per wall-clock second per token (per client IP address "
                    "without a valid token).",
                    positive_upto("10000")));
  add(field<Config>(TG4_KEY(api.burst), "Rate-limit burst per principal.", decs("1", "100000")));
  add(field<Config>(TG4_KEY(api.max_body_bytes), "Request body cap, bytes.",
                    ints(1024, 64 * 1024 * 1024)));
  add(field<Config>(
      TG4_KEY(api.confirmation_ttl),
      "Lifetime of a destructive action's confirmation token (wall-clock time, also in the demo).",
      durs(seconds(1), hours(1))));
  add(field<Config>(TG4_KEY(api.tls_cert),
                    "PEM certificate for HTTPS (with tls_key); empty = HTTP."));
  add(field<Config>(TG4_KEY(api.tls_key), "PEM private key for HTTPS (with tls_cert)."));

  // risk (SPEC §7, in rule order)
  add(records<Config>(TG4_KEY(risk.cooldown.after_loss),
                      "Cool-down after a loss; the step with the most losses that applies wins.",
                      cooldown_step_fields()));
  add(field<Config>(TG4_KEY(risk.cooldown.after_trade), "Cool-down after any trade.",
                    durs(ms(0), hours(24 * 7))));
  add(field<Config>(TG4_KEY(risk.cooldown.volatility_spike), "Cool-down after a volatility spike.",
                    durs(ms(0), hours(24 * 7))));
  add(field<Config>(TG4_KEY(risk.volatility_spike_atr_multiple),
                    "A spike: ATR above this multiple of its mean.", decs("1", "100")));
  add(field<Config>(TG4_KEY(risk.volatility_spike_mean_bars), "Bars in the ATR mean.",
                    ints(2, 1000)));
  add(field<Config>(TG4_KEY(risk.require_stop_loss), "Reject entries without a stop-loss."));
  add(field<Config>(TG4_KEY(risk.min_stop_distance_pct), "Closest stop, % of entry.",
                    positive_upto("100")));
  add(field<Config>(TG4_KEY(risk.max_stop_distance_pct), "Farthest stop, % of entry.",
                    positive_upto("100")));
  add(field<Config>(TG4_KEY(risk.min_reward_risk), "Least reward:risk when a target is given.",
                    decs("0", "100")));
  add_regime_decimals(
      t, "risk.min_confidence", [](auto& c) -> auto& { return c.risk.min_confidence; },
      "Least confidence", fraction());
  add(records<Config>(TG4_KEY(risk.confidence_loss_streak_add),
                      "Added to the confidence minimum after loss streaks.",
                      streak_fields<LossStreakDecimal>("Added confidence.", fraction())));
  add(field<Config>(TG4_KEY(risk.strictness_relaxed), "Confidence adjustment, relaxed regime.",
                    decs("-1", "1")));
  add(field<Config>(TG4_KEY(risk.strictness_strict), "Confidence adjustment, strict regime.",
                    decs("-1", "1")));
  add(field<Config>(TG4_KEY(risk.strictness_very_strict),
                    "Confidence adjustment, very strict regime.", decs("-1", "1")));
  add(field<Config>(TG4_KEY(risk.max_position_pct), "Largest position, % of equity.", percent()));
  add(field<Config>(TG4_KEY(risk.max_risk_pct), "Largest risk (size x stop distance), % of equity.",
                    percent()));
  add(records<Config>(TG4_KEY(risk.size_loss_streak_factor), "Size factor after loss streaks.",
                      streak_fields<LossStreakDecimal>("Size factor.", fraction())));
  add(field<Config>(TG4_KEY(risk.volatility_spike_size_factor),
                    "Size factor of a symbol's intents during its spike.", fraction()));
  add_regime_decimals(
      t, "risk.size_multiplier", [](auto& c) -> auto& { return c.risk.size_multiplier; },
      "Size multiplier", decs("0", "2"));
  add(field<Config>(TG4_KEY(risk.max_leverage), "Leverage cap over all rules.", ints(1, 10)));
  add(field<Config>(TG4_KEY(risk.regime_leverage.trending_bull), "Leverage cap, bull trend.",
                    ints(1, 10)));
  add(field<Config>(TG4_KEY(risk.regime_leverage.trending_bear), "Leverage cap, bear trend.",
                    ints(1, 10)));
  add(field<Config>(TG4_KEY(risk.regime_leverage.breakout), "Leverage cap, breakout.",
                    ints(1, 10)));
  add(field<Config>(TG4_KEY(risk.regime_leverage.ranging), "Leverage cap, ranging.", ints(1, 10)));
  add(field<Config>(TG4_KEY_AS("risk.regime_leverage.volatile", risk.regime_leverage.volatile_),
                    "Leverage cap, volatile.", ints(1, 10)));
  add(field<Config>(TG4_KEY(risk.regime_leverage.choppy), "Leverage cap, choppy.", ints(1, 10)));
  add(field<Config>(TG4_KEY(risk.regime_leverage.unknown), "Leverage cap, unknown regime.",
                    ints(1, 10)));
  add(records<Config>(TG4_KEY(risk.drawdown_leverage_caps), "Leverage caps by drawdown from peak.",
                      drawdown_cap_fields()));
  add(records<Config>(TG4_KEY(risk.loss_streak_leverage_caps), "Leverage caps by loss streak.",
                      loss_cap_fields()));
  add(field<Config>(TG4_KEY(risk.max_total_exposure_pct),
                    "Total exposure including leverage, % of equity.", positive_upto("1000")));
  add(field<Config>(TG4_KEY(risk.max_correlated_exposure_pct),
                    "Correlated exposure (sum of exposure x rho), % of equity.",
                    positive_upto("1000")));
  add(field<Config>(TG4_KEY(risk.correlation_threshold), "Only pairs with rho above this count.",
                    fraction()));
  add(records<Config>(TG4_KEY(risk.correlations), "Correlation of pairs of symbols.",
                      correlation_fields()));
  add(field<Config>(TG4_KEY(risk.max_positions_per_symbol), "Open positions per symbol.",
                    ints(1, 100)));
  add(field<Config>(TG4_KEY(risk.max_positions_total), "Open positions in total.", ints(1, 1000)));
  add(field<Config>(
      TG4_KEY(risk.max_orders_per_minute),
      "Order rate limit (rule 9): every order sent counts; it holds back new entries and the hodl "
      "and rebalance orders, never an exit or a held position's stops and targets.",
      ints(1, 10000)));
  add(field<Config>(TG4_KEY(risk.daily_loss_limit_pct),
                    "HALT until the next UTC day at this daily loss, % of equity.", percent()));
  add(field<Config>(TG4_KEY(risk.weekly_loss_limit_pct),
                    "HALT until the next ISO week at this weekly loss, % of equity.", percent()));
  add(field<Config>(TG4_KEY(risk.weekly_reduce_positions_pct),
                    "Positions reduced by this % when the weekly breaker trips.",
                    decs("0", "100")));
  add(field<Config>(TG4_KEY(risk.max_drawdown_pct),
                    "HALT and flatten at this drawdown from peak (manual reset).", percent()));

  // execution
  add(field<Config>(TG4_KEY(execution.trailing_stop), "Attach a trailing stop to entries."));
  add(field<Config>(TG4_KEY(execution.trailing_activation_pct),
                    "Trailing stop activates at this profit, %.", decs("0", "100")));
  add(field<Config>(TG4_KEY(execution.trailing_distance_pct), "Trailing distance, %.",
                    positive_upto("100")));
  add(field<Config>(TG4_KEY(execution.unknown_outcome_timeout),
                    "An order request unanswered this long is queried and reconciled.",
                    durs(ms(100), minutes(5))));
  add(field<Config>(TG4_KEY(execution.dead_man_switch),
                    "Kraken cancel_after timeout, refreshed while running, disarmed on a clean stop (resting "
                    "orders stay); 0s = off.",
                    durs(ms(0), hours(24))));
  add(field<Config>(TG4_KEY(execution.reconcile_interval),
                    "Reconcile the venue's open orders, fills and balances with ours this often "
                    "(always at start, before any order); 0s = only at start.",
                    durs(ms(0), hours(24))));
  add(field<Config>(TG4_KEY(execution.adopt_unknown_orders),
                    "Venue orders we did not place: true adopts and tracks them, false cancels them."));
  add(field<Config>(
      TG4_KEY(execution.guard_stop_pct),
      "After a restart, a position that no stop at the venue covers and none can be copied for "
      "(its entry's record lost with a kill, say) gets a stop this % from the next trade's price; "
      "0 = only reported.",
      decs("0", "50")));
  add(field<Config>(TG4_KEY(execution.kraken_rate_counter_max),
                    "Kraken trading-rate counter limit per pair (Starter 60).", ints(1, 1000)));
  add(field<Config>(TG4_KEY(execution.kraken_rate_decay_per_s), "Counter decay per second.",
                    positive_upto("100")));
  add(field<Config>(TG4_KEY(execution.kraken_young_cancel_penalty),
                    "Extra counter cost of cancelling a young order.", ints(0, 100)));
  add(field<Config>(TG4_KEY(execution.kraken_young_order_age),
                    "An order younger than this is young.", durs(ms(0), minutes(5))));

  // paper
  add(field<Config>(TG4_KEY(paper.latency), "Simulated order latency.", durs(ms(0), minutes(1))));
  add(field<Config>(TG4_KEY(paper.slippage_bps),
                    "Slippage without an order book, basis points (also tg4 backtest "
                    "--slippage-bps). At most 1000 (10 %): a sell filled at the last price less "
                    "10000 bps or more would fill at zero or below, and beyond 10 % a fill says "
                    "more about the setting than about the market.",
                    decs("0", "1000")));
  add(field<Config>(
      TG4_KEY(paper.volume_share_pct),
      "Without an order book (candle backtests), the most of each trade's quantity "
      "market orders may take, % (also tg4 backtest --volume-share-pct); the rest "
      "waits for later trades, so an order larger than the market fills over several "
      "candles and not at all on a candle without volume. 0 = no limit: an order fills "
      "whole at once, whatever its size.",
      decs("0", "100")));
  add(field<Config>(TG4_KEY(paper.taker_fee_pct), "Taker fee, %.", decs("0", "10")));
  add(field<Config>(TG4_KEY(paper.maker_fee_pct), "Maker fee, %.", decs("0", "10")));
  add(field<Config>(TG4_KEY(paper.starting_balances), "Starting balances by asset.",
                    decs("0", "1000000000000"), Secret::kNo, asset()));
  add(field<Config>(TG4_KEY(paper.margin), "Margin on the paper venue (tg4 paper, tg4 backtest): shorts and leverage as Kraken-style margin positions; false = spot only. tg4 live refuses a config with margin (the Kraken venue trades spot only)."));

  // strategy
  add(field<Config>(TG4_KEY(strategy.name), "Strategy to run.", identifier()));
  add(field<Config>(TG4_KEY(strategy.params), "Strategy parameters, validated by the strategy.", {},
                    Secret::kNo, identifier()));

  // llm
  add(field<Config>(TG4_KEY(llm.enabled), "Use LLM agents; false = rule-based fallbacks only."));
  add(records<Config>(TG4_KEY(llm.providers), "LLM providers and models.", provider_fields(),
                      unique_by_name<std::vector<LlmProvider>>("provider")));
  add(field<Config>(TG4_KEY(llm.timeout),
                    "Time one model has to answer, retries and waits included.",
                    durs(seconds(1), minutes(10))));
  add(field<Config>(TG4_KEY(llm.max_retries), "Retries on 429 and 5xx only, within llm.timeout.",
                    ints(0, 10)));
  add(field<Config>(TG4_KEY(llm.retry_backoff), "First retry delay (doubles).",
                    durs(ms(0), minutes(1))));
  add(field<Config>(TG4_KEY(llm.daily_budget_usd),
                    "Daily LLM budget, USD; over it: local models, then rules.",
                    decs("0", "1000000")));
  add(field<Config>(TG4_KEY(llm.budget_warn_usd), "Warn at this daily spend, USD.",
                    decs("0", "1000000")));
  add(field<Config>(TG4_KEY(llm.max_cost_per_decision_usd), "Most spend on one decision, USD.",
                    decs("0", "1000000")));

  // agents (SPEC §6)
  const auto interval = durs(seconds(1), hours(24 * 7));
  add(field<Config>(TG4_KEY(agents.technical_interval), "Technical analysis agent period.",
                    interval));
  add(field<Config>(TG4_KEY(agents.regime_interval), "Regime detection agent period.", interval));
  add(field<Config>(TG4_KEY(agents.sentiment_interval), "Sentiment agent period.", interval));
  add(field<Config>(TG4_KEY(agents.decision_interval), "Trading decision period.", interval));
  add(field<Config>(TG4_KEY(agents.rebalance_interval),
                    "Portfolio rebalance check period (agents.portfolio_rebalance).", interval));
  add(field<Config>(TG4_KEY(agents.coordinator),
                    "Judge decisions that open or add to a position against the other agents' "
                    "views (proceed, wait, abort, modify); false: acted on as they come."));
  add(field<Config>(TG4_KEY(agents.coordinator_timeout), "Coordinator answer deadline, then wait.",
                    durs(ms(100), minutes(5))));
  add(field<Config>(
      TG4_KEY(agents.technical_analysis),
      "Read each symbol's indicators into a trend, signals and a bias (advice only)."));
  add(field<Config>(TG4_KEY(agents.portfolio_rebalance),
                    "Trade the holdings back to portfolio.targets_pct when an asset drifts; on, "
                    "the account moves into the targets' coins."));
  add(field<Config>(TG4_KEY(agents.regime_detection),
                    "Name each symbol's regime for the risk engine; false: every intent is judged as regime unknown."));
  {
    Check<int> tracked;  // the kernel's timeframes (kernel::PipelineOptions::timeframes)
    tracked.one_of = {1, 5, 15, 60, 240, 1440};
    add(field<Config>(TG4_KEY(agents.regime_timeframe_minutes), "Bars the regime is named on, minutes.", tracked));
    add(field<Config>(TG4_KEY(agents.technical_timeframe_minutes),
                      "Bars the technical agent reads, minutes.", tracked));
  }
  add(field<Config>(TG4_KEY(agents.regime_change_confidence), "Confidence a regime change needs.",
                    fraction()));
  add(field<Config>(TG4_KEY(agents.regime_change_runs), "... on this many consecutive runs.",
                    ints(1, 100)));
  add(field<Config>(TG4_KEY(agents.sentiment_max_providers),
                    "Sentiment: search-capable providers asked.", ints(0, 10)));
  add(field<Config>(TG4_KEY(agents.sentiment_provider_weight), "Weight of each sentiment answer.",
                    decs("0", "10")));
  add(field<Config>(TG4_KEY(agents.sentiment_breaker_failures),
                    "Sentiment failures that open its breaker.", ints(1, 100)));
  add(field<Config>(TG4_KEY(agents.sentiment_breaker_cooldown), "Sentiment breaker cool-down.",
                    durs(seconds(1), hours(24))));
  add(field<Config>(TG4_KEY(agents.min_valid_answers), "Valid model answers needed, else HOLD.",
                    ints(1, 100)));
  add(field<Config>(TG4_KEY(agents.min_agreement_pct), "Agreement at or below this % is HOLD.",
                    decs("0", "100")));
  add(field<Config>(TG4_KEY(agents.boost_unanimous), "Confidence boost when unanimous.",
                    fraction()));
  add(field<Config>(TG4_KEY(agents.boost_83), "Confidence boost at >= 83 % agreement.",
                    fraction()));
  add(field<Config>(TG4_KEY(agents.boost_67), "Confidence boost at >= 67 % agreement.",
                    fraction()));
  add(field<Config>(TG4_KEY(agents.score_horizons), "Each model answer is scored after these.",
                    durs(minutes(1), hours(24 * 30))));
  add(field<Config>(TG4_KEY(agents.hold_band_pct), "HOLD was right when |price change| < this %.",
                    decs("0", "100")));
  add(field<Config>(TG4_KEY(agents.degrade_reduced_failures), "Consecutive failures to REDUCED.",
                    ints(1, 1000)));
  add(field<Config>(TG4_KEY(agents.degrade_limited_failures), "Consecutive failures to LIMITED.",
                    ints(1, 1000)));
  add(field<Config>(TG4_KEY(agents.degrade_emergency_failures),
                    "Consecutive failures to EMERGENCY.", ints(1, 1000)));
  add(field<Config>(TG4_KEY(agents.recover_successes), "Successes to step back one level.",
                    ints(1, 1000)));

  // portfolio (SPEC §9)
  add(field<Config>(TG4_KEY(portfolio.targets_pct),
                    "Target allocation by asset, %; sums to 100 (agents.portfolio_rebalance). "
                    "Assets without a target are not counted or traded.",
                    decs("0", "100"), Secret::kNo, asset()));
  add(field<Config>(
      TG4_KEY(portfolio.drift_pct),
      "Rebalance when an asset drifts more than this many percentage points from its target.",
      percent()));
  add(field<Config>(TG4_KEY(portfolio.min_trade_usd),
                    "Rebalance trades below this are skipped (reporting currency).",
                    decs("0", "1000000000")));
  add(field<Config>(
      TG4_KEY(portfolio.batch_above_usd),
      "Rebalances whose trades total more than this are split in batches (reporting currency).",
      decs("0", "1000000000000")));
  add(field<Config>(TG4_KEY(portfolio.batch_count), "Number of rebalance batches.", ints(1, 100)));
  add(field<Config>(TG4_KEY(portfolio.batch_interval), "Time between rebalance batches.",
                    durs(ms(0), hours(24 * 7))));
  add(field<Config>(
      TG4_KEY(portfolio.hodl.profit_share_pct),
      "Share of each realised profit set aside in hodl bags, %; 0 turns the bags off.",
      decs("0", "100")));
  add(field<Config>(TG4_KEY(portfolio.hodl.min_profit_usd),
                    "Smallest realised profit that feeds the bags (reporting currency).",
                    decs("0", "1000000000")));
  add(field<Config>(TG4_KEY(portfolio.hodl.split_pct),
                    "Split of the hodl share by asset, %; sums to 100.", decs("0", "100"),
                    Secret::kNo, asset()));
  add(field<Config>(TG4_KEY(portfolio.hodl.buy_threshold_usd),
                    "Pending amount at which a bag buys its coin on COIN/<reporting currency>; "
                    "assets not listed hold their share as cash.",
                    decs("0", "1000000000"), Secret::kNo, asset()));
  add(field<Config>(TG4_KEY(portfolio.hodl.cap_per_allocation_usd),
                    "Largest share one profit sets aside; the rest stays with trading.",
                    decs("0", "1000000000000")));
  add(field<Config>(TG4_KEY(portfolio.hodl.cap_per_day_usd),
                    "Largest total set aside per UTC day; the rest stays with trading.",
                    decs("0", "1000000000000")));
  return t;
}

#undef TG4_KEY
#undef TG4_KEY_AS

const std::vector<Field<Config>>& table() {
  static const std::vector<Field<Config>> kTable = build_table();
  return kTable;
}

std::string flow_text(const YAML::Node& node) {
  YAML::Emitter out;
  out << YAML::Flow << node;
  return out.c_str();
}

// Rules between keys; each issue points at the key that would be changed to fix it.
void check_cross_fields(const Config& c, ReadContext& ctx) {
  const auto fail = [&ctx](const std::string& key, std::string message) {
    ctx.error_at_key(key, std::move(message));
  };
  if (c.symbols.empty()) fail("symbols", "expected at least one symbol");
  if (std::set<std::string>(c.symbols.begin(), c.symbols.end()).size() != c.symbols.size()) {
    fail("symbols", "a symbol is listed twice");
  }
  if (c.feed.backoff_min > c.feed.backoff_max) {
    fail("feed.backoff_max", "expected backoff_max >= backoff_min (" +
                                 format_duration(c.feed.backoff_min) + "), found " +
                                 format_duration(c.feed.backoff_max));
  }
  if (c.storage.batch_rows > c.storage.max_batch_rows) {
    fail("storage.max_batch_rows",
         "expected max_batch_rows >= batch_rows (" + std::to_string(c.storage.batch_rows) + ")");
  }
  if (c.storage.max_batch_rows > c.storage.queue_capacity) {
    fail("storage.queue_capacity", "expected queue_capacity >= max_batch_rows (" +
                                       std::to_string(c.storage.max_batch_rows) + ")");
  }
  if (c.api.tls_cert.empty() != c.api.tls_key.empty()) {
    fail(c.api.tls_cert.empty() ? "api.tls_key" : "api.tls_cert",
         "api.tls_cert and api.tls_key go together: set both or neither");
  }
  if (c.risk.min_stop_distance_pct >= c.risk.max_stop_distance_pct) {
    fail("risk.max_stop_distance_pct", "expected more than risk.min_stop_distance_pct (" +
                                           c.risk.min_stop_distance_pct.to_string() + ")");
  }
  const auto& a = c.agents;
  if (!(a.degrade_reduced_failures < a.degrade_limited_failures &&
        a.degrade_limited_failures < a.degrade_emergency_failures)) {
    fail("agents.degrade_limited_failures",
         "expected degrade_reduced_failures < degrade_limited_failures < "
         "degrade_emergency_failures");
  }
  if (c.llm.budget_warn_usd > c.llm.daily_budget_usd) {
    fail("llm.budget_warn_usd",
         "expected at most llm.daily_budget_usd (" + c.llm.daily_budget_usd.to_string() + ")");
  }
  if (c.llm.max_cost_per_decision_usd > c.llm.daily_budget_usd) {
    fail("llm.max_cost_per_decision_usd",
         "expected at most llm.daily_budget_usd (" + c.llm.daily_budget_usd.to_string() + ")");
  }
  // With the models on, a consensus must be reachable: with fewer models than valid answers needed
  // every decision would be HOLD, and the path would degrade to its rules while paying for calls.
  if (c.llm.enabled && c.llm.providers.empty()) {
    fail("llm.providers",
         "expected at least one provider while llm.enabled is true (or llm.enabled: false: the agents' rules decide)");
  } else if (c.llm.enabled && c.llm.providers.size() < static_cast<std::size_t>(c.agents.min_valid_answers)) {
    fail("agents.min_valid_answers", "expected at most the " + std::to_string(c.llm.providers.size()) +
                                         " providers of llm.providers: a consensus needs this many valid answers");
  }
  const auto sums_to_100 = [&](const std::map<std::string, Decimal>& shares,
                               const std::string& key) {
    Decimal sum;
    for (const auto& [asset, pct] : shares) sum += pct;
    if (!shares.empty() && sum != Decimal::from_int(100)) {
      fail(key, "expected the percentages to add up to 100, found " + sum.to_string());
    }
  };
  sums_to_100(c.portfolio.targets_pct, "portfolio.targets_pct");
  sums_to_100(c.portfolio.hodl.split_pct, "portfolio.hodl.split_pct");
  if (c.portfolio.targets_pct.empty()) fail("portfolio.targets_pct", "expected at least one asset");
}

}  // namespace

const std::vector<FieldDoc>& field_docs() {
  static const std::vector<FieldDoc> kDocs = [] {
    std::vector<FieldDoc> docs;
    const Config defaults{};
    for (const auto& f : table()) {
      FieldDoc doc = f.doc;
      doc.default_text = flow_text(f.write(defaults, false));
      docs.push_back(doc);
      for (auto element : f.element_docs) {
        element.path = f.doc.path + "[]." + element.path;
        docs.push_back(std::move(element));
      }
    }
    return docs;
  }();
  return kDocs;
}

void read_config(Config& config, const YAML::Node& root, const std::string& file,
                 const EnvLookup& env, std::vector<ConfigIssue>& issues) {
  ReadContext ctx(file, env, issues);
  for (const auto& f : table()) ctx.global_paths.push_back(f.doc.path);
  if (root.IsNull()) return;  // an empty file: every default
  if (!root.IsMap()) {
    ctx.error(root.Mark(), "",
              "expected a mapping of sections (app:, feed:, risk:, ...), found " + describe(root));
    return;
  }
  std::set<std::string> present;
  walk(config, root, "", "", table(), ctx, present, true);
  check_cross_fields(config, ctx);
}

std::optional<std::string> set_from_text(Config& config, std::string_view path,
                                         const std::string& text) {
  return set_from_node(config, path, YAML::Node(text));
}

std::optional<std::string> set_from_node(Config& config, std::string_view path,
                                         const YAML::Node& node) {
  const auto& fields = table();
  const auto f = std::find_if(fields.begin(), fields.end(),
                              [&](const Field<Config>& x) { return x.doc.path == path; });
  if (f == fields.end()) return "no config key " + std::string(path);
  // No ${ENV} expansion: the shell already expanded the command line.
  const EnvLookup no_env = [](const std::string&) { return std::optional<std::string>(); };
  std::vector<ConfigIssue> issues;
  ReadContext ctx("", no_env, issues);
  f->read(config, node, ctx, f->doc.path);
  if (issues.empty()) return std::nullopt;
  const ConfigIssue& first = issues.front();
  // Inside a map or list the entry is named: which of several flags was wrong.
  return first.key == path ? first.message : first.key + ": " + first.message;
}

YAML::Node write_config(const Config& config, bool redact) {
  YAML::Node root(YAML::NodeType::Map);
  for (const auto& f : table()) {
    // Descend to the parent section of the dotted path, creating sections in table order.
    std::vector<std::string> parts;
    std::size_t start = 0;
    for (std::size_t dot; (dot = f.doc.path.find('.', start)) != std::string::npos;
         start = dot + 1) {
      parts.push_back(f.doc.path.substr(start, dot - start));
    }
    YAML::Node node = root;
    for (const auto& part : parts) {
      YAML::Node child = node[part];
      if (!child.IsMap()) child = YAML::Node(YAML::NodeType::Map);
      node[part] = child;
      node.reset(child);
    }
    node[f.doc.path.substr(start)] = f.write(config, redact);
  }
  return root;
}

}  // namespace tg4::core::config_schema
