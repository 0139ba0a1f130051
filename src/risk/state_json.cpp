#include "risk/state_json.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <functional>
#include <map>

#include "risk/rules_detail.hpp"

namespace tg4::risk {
namespace {

namespace json = boost::json;
using core::Error;
using core::Result;
using core::Status;

const char* kind_name(const json::value& v) {
  switch (v.kind()) {
    case json::kind::null:
      return "null";
    case json::kind::bool_:
      return "a boolean";
    case json::kind::int64:
    case json::kind::uint64:
    case json::kind::double_:
      return "a number";
    case json::kind::string:
      return "a string";
    case json::kind::array:
      return "an array";
    case json::kind::object:
      return "an object";
  }
  return "a value";
}

Error type_error(const std::string& path, const char* expected, const json::value& got) {
  return Error::of(fmt::format("{}: expected {}, got {}", path, expected, kind_name(got)));
}

Result<Decimal> read_decimal(const json::value& v, const std::string& path) {
  std::string text;
  if (v.is_int64()) return Decimal::from_int(v.get_int64());
  if (v.is_uint64()) {
    text = std::to_string(v.get_uint64());
  } else if (v.is_double()) {
    // The shortest text that round-trips the double: the digits as written for up to 15-17
    // significant digits. Exact money beyond that goes in a string.
    text = json::serialize(v);
  } else if (v.is_string()) {
    text = std::string(v.get_string());
  } else {
    return type_error(path, "a number (or a decimal string)", v);
  }
  auto parsed = Decimal::parse(text);
  if (!parsed) return Error::of(fmt::format("{}: {}", path, parsed.error().message));
  return parsed;
}

Result<Timestamp> read_timestamp(const json::value& v, const std::string& path) {
  if (v.is_null()) return Timestamp{};
  if (v.is_int64()) return Timestamp::from_seconds(v.get_int64());
  if (v.is_double()) return Timestamp::from_seconds_double(v.get_double());
  if (v.is_string()) {
    auto t = core::parse_rfc3339(v.get_string());
    if (!t) return Error::of(fmt::format("{}: {}", path, t.error().message));
    return t;
  }
  return type_error(path, "an RFC 3339 time string or Unix seconds", v);
}

Result<int> read_count(const json::value& v, const std::string& path) {
  if (v.is_int64() && v.get_int64() >= 0 && v.get_int64() <= 1'000'000) {
    return static_cast<int>(v.get_int64());
  }
  if (v.is_uint64() || v.is_int64()) {
    return Error::of(fmt::format("{}: expected a count in 0..1000000", path));
  }
  return type_error(path, "an integer", v);
}

Result<bool> read_bool(const json::value& v, const std::string& path) {
  if (v.is_bool()) return v.get_bool();
  return type_error(path, "true or false", v);
}

Result<std::string> read_string(const json::value& v, const std::string& path) {
  if (v.is_string()) return std::string(v.get_string());
  return type_error(path, "a string", v);
}

// Reads an enum from its name, naming the accepted values on failure.
template <typename E>
Result<E> read_enum(const json::value& v, const std::string& path,
                    std::optional<E> (*parse)(std::string_view), const char* accepted) {
  auto text = read_string(v, path);
  if (!text) return text.error();
  if (auto e = parse(*text)) return *e;
  return Error::of(fmt::format("{}: unknown value \"{}\" (expected {})", path, *text, accepted));
}

std::optional<Side> parse_side(std::string_view text) {
  if (text == "buy" || text == "BUY") return Side::kBuy;
  if (text == "sell" || text == "SELL") return Side::kSell;
  return std::nullopt;
}

// Field dispatch for one JSON object: every key must have a handler.
using Handler = std::function<Status(const json::value&, const std::string&)>;

Status read_object(const json::value& v, const std::string& path,
                   const std::map<std::string_view, Handler>& handlers) {
  if (!v.is_object()) return type_error(path, "an object", v);
  for (const auto& [key, value] : v.get_object()) {
    const std::string field = fmt::format("{}.{}", path, std::string_view(key));
    const auto it = handlers.find(std::string_view(key));
    if (it == handlers.end()) return Error::of(fmt::format("{}: unknown field", field));
    if (Status s = it->second(value, field); !s) return s;
  }
  return {};
}

Status read_array(const json::value& v, const std::string& path,
                  const std::function<Status(const json::value&, const std::string&)>& each) {
  if (!v.is_array()) return type_error(path, "an array", v);
  std::size_t i = 0;
  for (const auto& item : v.get_array()) {
    if (Status s = each(item, fmt::format("{}[{}]", path, i++)); !s) return s;
  }
  return {};
}

// Handler that stores a read value into `out`.
template <typename T, typename Reader>
Handler into(T& out, Reader reader) {
  return [&out, reader](const json::value& v, const std::string& path) -> Status {
    auto r = reader(v, path);
    if (!r) return r.error();
    out = std::move(*r);
    return {};
  };
}

// Handler that replaces `out` with an array's items, each read by `reader`.
template <typename T, typename Reader>
Handler list_into(std::vector<T>& out, Reader reader) {
  return [&out, reader](const json::value& v, const std::string& path) -> Status {
    out.clear();
    return read_array(v, path,
                      [&out, reader](const json::value& item, const std::string& at) -> Status {
                        auto r = reader(item, at);
                        if (!r) return r.error();
                        out.push_back(std::move(*r));
                        return {};
                      });
  };
}

Handler decimal_into(Decimal& out) {
  return into(out, read_decimal);
}
Handler time_into(Timestamp& out) {
  return into(out, read_timestamp);
}

Status read_position(const json::value& v, const std::string& path, OpenPosition& p) {
  const std::map<std::string_view, Handler> handlers{
      {"symbol", into(p.symbol, read_string)},
      {"side", into(p.side,
                    [](const json::value& x, const std::string& at) {
                      return read_enum<Side>(x, at, parse_side, "buy or sell");
                    })},
      {"exposure_usd", decimal_into(p.exposure_usd)},
      {"leverage", decimal_into(p.leverage)},
  };
  return read_object(v, path, handlers);
}

Status read_cooldown(const json::value& v, const std::string& path, RiskState& s) {
  std::optional<CooldownReason> reason;
  Timestamp until;
  const std::map<std::string_view, Handler> handlers{
      {"reason", into(reason,
                      [](const json::value& x, const std::string& at) {
                        return read_enum<CooldownReason>(x, at, parse_cooldown_reason,
                                                         "loss, trade or volatility");
                      })},
      {"until", time_into(until)},
  };
  if (Status st = read_object(v, path, handlers); !st) return st;
  if (!reason) return Error::of(fmt::format("{}.reason: missing", path));
  s.cooldown(*reason).until = until;
  return {};
}

std::optional<Breaker> parse_breaker(std::string_view text) {
  for (std::size_t i = 0; i < kBreakerCount; ++i) {
    if (text == to_string(static_cast<Breaker>(i))) return static_cast<Breaker>(i);
  }
  return std::nullopt;
}

Status read_breaker(const json::value& v, const std::string& path, RiskState& s) {
  std::optional<Breaker> which;
  BreakerStatus status;
  const std::map<std::string_view, Handler> handlers{
      {"breaker", into(which,
                       [](const json::value& x, const std::string& at) {
                         return read_enum<Breaker>(x, at, parse_breaker,
                                                   "daily_loss, weekly_loss or drawdown");
                       })},
      {"tripped", into(status.tripped, read_bool)},
      {"since", time_into(status.since)},
      {"until", time_into(status.until)},
      {"reason", into(status.reason, read_string)},
  };
  if (Status st = read_object(v, path, handlers); !st) return st;
  if (!which) return Error::of(fmt::format("{}.breaker: missing", path));
  s.breaker(*which) = std::move(status);
  return {};
}

Handler trading_state_into(TradingState& out) {
  return into(out, [](const json::value& x, const std::string& at) {
    return read_enum<TradingState>(x, at, parse_trading_state, "ACTIVE, REDUCING or HALTED");
  });
}

// Which optional fields the JSON named, so defaults can be derived from the others.
struct Given {
  bool peak = false, margin = false, day_start = false, week_start = false, manual_state = false;
  bool day_start_equity = false, week_start_equity = false, drawdown = false;
};

std::map<std::string_view, Handler> state_handlers(CheckInput& in, Given& given) {
  RiskState& s = in.state;
  const auto mark = [](Handler h, bool& flag) -> Handler {
    return [h = std::move(h), &flag](const json::value& v, const std::string& path) {
      flag = true;
      return h(v, path);
    };
  };
  return {
      {"version",
       [](const json::value& v, const std::string& path) -> Status {
         auto n = read_count(v, path);
         if (!n) return n.error();
         if (*n != 1) return Error::of(fmt::format("{}: unsupported version {}", path, *n));
         return {};
       }},
      {"now", time_into(in.now)},
      {"equity", decimal_into(s.equity)},
      {"peak_equity", mark(decimal_into(s.peak_equity), given.peak)},
      {"available_margin", mark(decimal_into(s.available_margin), given.margin)},
      {"day_start", mark(time_into(s.day_start), given.day_start)},
      {"week_start", mark(time_into(s.week_start), given.week_start)},
      {"day_start_equity", mark(decimal_into(s.day_start_equity), given.day_start_equity)},
      {"week_start_equity", mark(decimal_into(s.week_start_equity), given.week_start_equity)},
      {"daily_pnl", decimal_into(s.daily_pnl)},
      {"weekly_pnl", decimal_into(s.weekly_pnl)},
      {"daily_pnl_pct", decimal_into(s.daily_pnl_pct)},
      {"weekly_pnl_pct", decimal_into(s.weekly_pnl_pct)},
      {"drawdown_pct", mark(decimal_into(s.drawdown_pct), given.drawdown)},
      {"consecutive_losses", into(s.consecutive_losses, read_count)},
      {"consecutive_wins", into(s.consecutive_wins, read_count)},
      {"trading_state", trading_state_into(s.trading_state)},
      {"state_reason", into(s.state_reason, read_string)},
      {"state_until", time_into(s.state_until)},
      {"manual_state", mark(trading_state_into(s.manual_state), given.manual_state)},
      {"manual_reason", into(s.manual_reason, read_string)},
      {"volatility_spike", into(in.volatility_spike, read_bool)},
      {"volatility_spikes", list_into(s.volatility_spikes, read_string)},
      {"updated", time_into(s.updated)},
      {"open_positions",
       [&s](const json::value& v, const std::string& path) {
         s.open_positions.clear();
         return read_array(v, path, [&s](const json::value& item, const std::string& at) {
           return read_position(item, at, s.open_positions.emplace_back());
         });
       }},
      {"cooldowns",
       [&s](const json::value& v, const std::string& path) {
         return read_array(v, path, [&s](const json::value& item, const std::string& at) {
           return read_cooldown(item, at, s);
         });
       }},
      {"breakers",
       [&s](const json::value& v, const std::string& path) {
         return read_array(v, path, [&s](const json::value& item, const std::string& at) {
           return read_breaker(item, at, s);
         });
       }},
      {"order_times", list_into(s.order_times, read_timestamp)},
  };
}

// Start equity consistent with a PnL percentage: equity = start x (1 + pct/100).
Decimal start_equity(Decimal equity, Decimal pct) {
  const Decimal factor = Decimal::from_int(100) + pct;
  if (!factor.is_positive()) return equity;
  return equity * Decimal::from_int(100) / factor;
}

void fill_defaults(CheckInput& in, const Given& given) {
  RiskState& s = in.state;
  std::sort(s.volatility_spikes.begin(), s.volatility_spikes.end());  // the engine's order
  s.volatility_spikes.erase(std::unique(s.volatility_spikes.begin(), s.volatility_spikes.end()),
                            s.volatility_spikes.end());
  if (!given.peak || s.peak_equity < s.equity) s.peak_equity = s.equity;
  if (!given.margin) s.available_margin = s.equity;
  // A short-form state names the effective trading state; the operator's choice is that state.
  if (!given.manual_state && s.trading_state != TradingState::kActive) {
    s.manual_state = s.trading_state;
    s.manual_reason = s.state_reason.empty() ? "given in the risk state" : s.state_reason;
  }
  if (!given.day_start) s.day_start = core::utc_day_start(in.now);
  if (!given.week_start) s.week_start = core::iso_week_start(in.now);
  if (!given.day_start_equity) {
    s.day_start_equity = start_equity(s.equity, s.daily_pnl_pct);
    s.daily_pnl = s.equity - s.day_start_equity;
  }
  if (!given.week_start_equity) {
    s.week_start_equity = start_equity(s.equity, s.weekly_pnl_pct);
    s.weekly_pnl = s.equity - s.week_start_equity;
  }
  if (!given.drawdown) detail::update_drawdown(s);
}

Status validate_state(const RiskState& s) {
  if (s.equity.is_negative()) return Error::of("state.equity: must be >= 0");
  if (s.available_margin.is_negative()) return Error::of("state.available_margin: must be >= 0");
  for (std::size_t i = 0; i < s.open_positions.size(); ++i) {
    const OpenPosition& p = s.open_positions[i];
    if (p.symbol.empty())
      return Error::of(fmt::format("state.open_positions[{}].symbol: missing", i));
    if (p.leverage < Decimal::one()) {
      return Error::of(fmt::format("state.open_positions[{}].leverage: must be >= 1", i));
    }
  }
  return {};
}

json::string rfc(Timestamp t) {
  return t.is_set() ? json::string(core::format_rfc3339(t, 9)) : json::string();
}
json::value time_value(Timestamp t) {
  if (!t.is_set()) return nullptr;
  return json::value(rfc(t));
}
json::string dec(Decimal d) {
  return json::string(d.to_string());
}

}  // namespace

Result<json::value> parse_json_text(std::string_view text, std::string_view what) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec) return Error::of(fmt::format("{}: invalid JSON ({})", what, ec.message()));
  return v;
}

Result<CheckInput> parse_state(const json::value& v, Timestamp default_now) {
  CheckInput in;
  in.state.equity = Decimal::from_int(10'000);  // the paper default (SPEC §8)
  in.now = default_now;
  Given given;
  if (Status s = read_object(v, "state", state_handlers(in, given)); !s) return s.error();
  fill_defaults(in, given);
  if (Status s = validate_state(in.state); !s) return s.error();
  return in;
}

Result<RiskIntent> parse_intent(const json::value& v) {
  RiskIntent in;
  in.symbol = "BTC/USDT";
  std::optional<Decimal> take_profit;
  bool confidence_given = false;
  const std::map<std::string_view, Handler> handlers{
      {"intent_id", into(in.intent_id, read_string)},
      {"symbol", into(in.symbol, read_string)},
      {"side", into(in.side,
                    [](const json::value& x, const std::string& at) {
                      return read_enum<Side>(x, at, parse_side, "buy or sell");
                    })},
      {"size_usd", decimal_into(in.size_usd)},
      {"entry", decimal_into(in.entry)},
      {"stop_loss",
       [&in](const json::value& x, const std::string& at) -> Status {
         if (x.is_null()) return {};
         auto d = read_decimal(x, at);
         if (!d) return d.error();
         in.stop_loss = *d;
         return {};
       }},
      {"take_profit",
       [&take_profit](const json::value& x, const std::string& at) -> Status {
         if (x.is_null()) return {};
         auto d = read_decimal(x, at);
         if (!d) return d.error();
         take_profit = *d;
         return {};
       }},
      {"leverage", decimal_into(in.leverage)},
      {"fee_pct",
       [&in](const json::value& x, const std::string& at) -> Status {
         auto d = read_decimal(x, at);
         if (!d) return d.error();
         if (d->is_negative()) return Error::of(fmt::format("{}: must be >= 0", at));
         in.fee_pct = *d;
         return {};
       }},
      {"confidence",
       [&in, &confidence_given](const json::value& x, const std::string& at) -> Status {
         confidence_given = true;
         return decimal_into(in.confidence)(x, at);
       }},
      {"regime", into(in.regime,
                      [](const json::value& x, const std::string& at) {
                        return read_enum<Regime>(
                            x, at, parse_regime,
                            "bull, bear, trending, breakout, ranging, volatile, choppy or "
                            "unknown");
                      })},
      {"strictness", into(in.strictness,
                          [](const json::value& x, const std::string& at) {
                            return read_enum<Strictness>(x, at, parse_strictness,
                                                         "relaxed, normal, strict or very_strict");
                          })},
      {"reduces_exposure", into(in.reduces_exposure, read_bool)},
      {"is_cancel", into(in.is_cancel, read_bool)},
  };
  if (Status s = read_object(v, "intent", handlers); !s) return s.error();
  // Rule 4 judges it: a default would either pass every regime (1) or stand for no answer (0).
  // Exits and cancels skip rule 4 and need none.
  if (!confidence_given && !in.is_cancel && !in.reduces_exposure) {
    return Error::of(
        "intent.confidence: missing; rule 4 compares it (0..1) with the regime's minimum, so an "
        "entry must say it (exits, with reduces_exposure, and cancels need none)");
  }
  in.take_profit = take_profit;
  return in;
}

std::string verdict_to_json(const Verdict& v) {
  json::array warnings;
  for (const auto& w : v.warnings) warnings.emplace_back(w);
  // Numbers are written from the exact decimals: Boost.JSON would print doubles as "2E3".
  return fmt::format(
      R"({{"status":"{}","rule":{},"reason":{},"size_usd":{},"leverage":{},"warnings":{}}})",
      to_string(v.status), json::serialize(json::string(rule_label(v.rule))),
      json::serialize(json::string(v.reason)), v.size_usd.to_string(), v.leverage.to_string(),
      json::serialize(warnings));
}

json::object state_to_json(const RiskState& s) {
  json::array positions;
  for (const auto& p : s.open_positions) {
    positions.push_back(json::object{{"symbol", p.symbol},
                                     {"side", core::to_string(p.side)},
                                     {"exposure_usd", dec(p.exposure_usd)},
                                     {"leverage", dec(p.leverage)}});
  }
  json::array cooldowns;
  for (std::size_t i = 0; i < kCooldownCount; ++i) {
    if (!s.cooldowns[i].until.is_set()) continue;
    cooldowns.push_back(json::object{{"reason", to_string(static_cast<CooldownReason>(i))},
                                     {"until", rfc(s.cooldowns[i].until)}});
  }
  json::array breakers;
  for (std::size_t i = 0; i < kBreakerCount; ++i) {
    const BreakerStatus& b = s.breakers[i];
    breakers.push_back(json::object{{"breaker", to_string(static_cast<Breaker>(i))},
                                    {"tripped", b.tripped},
                                    {"since", time_value(b.since)},
                                    {"until", time_value(b.until)},
                                    {"reason", b.reason}});
  }
  json::array order_times;
  for (Timestamp t : s.order_times) order_times.emplace_back(rfc(t));
  json::array spikes;
  for (const std::string& symbol : s.volatility_spikes) spikes.emplace_back(symbol);
  return json::object{
      {"version", 1},
      {"equity", dec(s.equity)},
      {"peak_equity", dec(s.peak_equity)},
      {"available_margin", dec(s.available_margin)},
      {"day_start", time_value(s.day_start)},
      {"day_start_equity", dec(s.day_start_equity)},
      {"daily_pnl", dec(s.daily_pnl)},
      {"daily_pnl_pct", dec(s.daily_pnl_pct)},
      {"week_start", time_value(s.week_start)},
      {"week_start_equity", dec(s.week_start_equity)},
      {"weekly_pnl", dec(s.weekly_pnl)},
      {"weekly_pnl_pct", dec(s.weekly_pnl_pct)},
      {"drawdown_pct", dec(s.drawdown_pct)},
      {"consecutive_losses", s.consecutive_losses},
      {"consecutive_wins", s.consecutive_wins},
      {"cooldowns", std::move(cooldowns)},
      {"trading_state", to_string(s.trading_state)},
      {"state_reason", s.state_reason},
      {"state_until", time_value(s.state_until)},
      {"manual_state", to_string(s.manual_state)},
      {"manual_reason", s.manual_reason},
      {"breakers", std::move(breakers)},
      {"volatility_spikes", std::move(spikes)},
      {"open_positions", std::move(positions)},
      {"order_times", std::move(order_times)},
      {"updated", time_value(s.updated)},
  };
}

std::string state_to_json_text(const RiskState& state) {
  return json::serialize(state_to_json(state));
}

Result<RiskState> state_from_json_text(std::string_view text) {
  auto v = parse_json_text(text, "risk state");
  if (!v) return v.error();
  auto in = parse_state(*v, Timestamp{});
  if (!in) return in.error();
  return std::move(in->state);
}

json::object event_to_json(const RiskEvent& e) {
  json::object o{{"kind", to_string(e.kind)},
                 {"time", rfc(e.time)},
                 {"rule", rule_label(e.rule)},
                 {"reason", e.reason},
                 {"state_before", to_string(e.state_before)},
                 {"state_after", to_string(e.state_after)}};
  if (!e.intent_id.empty()) o["intent_id"] = e.intent_id;
  if (!e.symbol.empty()) o["symbol"] = e.symbol;
  if (e.verdict) o["verdict"] = to_string(*e.verdict);
  if (e.regime) {
    o["regime"] = to_string(*e.regime);
    o["strictness"] = to_string(e.strictness);
  }
  if (e.breaker) {
    o["breaker"] = to_string(*e.breaker);
    o["breaker_state"] = e.breaker_tripped ? "tripped" : "reset";
    o["action"] = to_string(e.action);
    if (e.action == BreakerAction::kReducePositions) o["reduce_pct"] = dec(e.reduce_pct);
  }
  if (e.cooldown) {
    o["cooldown"] = to_string(*e.cooldown);
    o["cooldown_until"] = rfc(e.cooldown_until);
  }
  if (!e.refused_by.empty()) o["refused_by"] = e.refused_by;
  return o;
}

}  // namespace tg4::risk
