#include "kraken/trading_codec.hpp"

#include <simdjson.h>

#include <algorithm>
#include <boost/json/serialize.hpp>
#include <cctype>

#include "core/ids.hpp"
#include "kraken/codec_reader.hpp"

namespace tg4::kraken {

namespace json = boost::json;
using core::Decimal;
using core::OrderType;
using detail::Path;

// ---- outbound
// ------------------------------------------------------------------------------------

namespace {

// Fields written as JSON numbers from their decimal text.
constexpr std::string_view kDecimalKeys[] = {"order_qty", "limit_price", "trigger_price",
                                             "display_qty", "price"};

bool is_decimal_literal(std::string_view text) {
  std::size_t i = text.empty() || text[0] != '-' ? 0 : 1;
  bool digits = false;
  bool point = false;
  for (; i < text.size(); ++i) {
    const char c = text[i];
    if (c >= '0' && c <= '9') {
      digits = true;
    } else if (c == '.' && !point && digits) {
      point = true;
    } else {
      return false;
    }
  }
  return digits && text.back() != '.';
}

// Boost.JSON writes a compact `"key":"1.25"`; drop the quotes around each decimal value. Only
// keys of kDecimalKeys whose value is a plain decimal literal are touched, and the other string
// values of a request (client id, symbol, token) can never contain an unescaped quote.
std::string unquote_decimals(std::string text) {
  for (const auto key : kDecimalKeys) {
    const std::string pattern = "\"" + std::string(key) + "\":\"";
    std::size_t at = 0;
    while ((at = text.find(pattern, at)) != std::string::npos) {
      const std::size_t start = at + pattern.size();
      const std::size_t end = text.find('"', start);
      if (end == std::string::npos) break;
      if (is_decimal_literal(std::string_view(text).substr(start, end - start))) {
        text.erase(end, 1);
        text.erase(start - 1, 1);
      }
      at = start;
    }
  }
  return text;
}

std::string price_text(const core::Instrument& instrument, Decimal price) {
  return instrument.round_price(price).to_string(instrument.price_precision);
}

}  // namespace

std::string serialize(const TradingRequest& request, std::string_view token, std::int64_t req_id) {
  json::object params = request.params;
  params["token"] = token;
  json::object message{
      {"method", request.method}, {"params", std::move(params)}, {"req_id", req_id}};
  return unquote_decimals(json::serialize(message));
}

core::Status check_client_order_id(std::string_view id) {
  if (id.empty() || id.size() > core::kMaxClientOrderIdLength) {
    return core::Error::of("client order id '" + std::string(id) + "' must have 1 to " +
                           std::to_string(core::kMaxClientOrderIdLength) + " characters");
  }
  for (const char c : id) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-') {
      return core::Error::of("client order id '" + std::string(id) +
                             "' may only use letters, digits and '-'");
    }
  }
  return {};
}

core::Result<TradingRequest> add_order_request(const execution::OrderRequest& r,
                                               const core::Instrument& instrument) {
  const auto refuse = [&](const std::string& why) {
    return core::Error::of("order " + r.client_order_id + " (" + r.symbol + "): " + why);
  };
  if (auto ok = check_client_order_id(r.client_order_id); !ok) return ok.error();
  const Decimal qty = instrument.round_qty(r.qty);
  if (!qty.is_positive()) {
    return refuse("quantity " + r.qty.to_string() + " is not positive at the instrument's " +
                  std::to_string(instrument.qty_precision) + " decimals");
  }
  if (r.type == OrderType::kTrailingStop) {
    return refuse("trailing-stop is not sent to Kraken (the order manager trails a stop-loss)");
  }
  if (r.tif == core::TimeInForce::kGtd)
    return refuse("GTD needs an expiry time, which TG4 does not set");
  if (has_limit(r.type) && !r.limit_price.is_positive()) {
    return refuse(std::string(core::to_string(r.type)) + " needs a positive limit price");
  }
  if (is_trigger_type(r.type) && !r.trigger_price.is_positive()) {
    return refuse(std::string(core::to_string(r.type)) + " needs a positive trigger price");
  }
  TradingRequest out;
  out.method = "add_order";
  out.client_order_id = r.client_order_id;
  json::object& p = out.params;
  p["order_type"] = core::to_string(r.type);
  p["side"] = core::to_string(r.side);
  p["order_qty"] = qty.to_string(instrument.qty_precision);
  p["symbol"] = r.symbol;
  p["cl_ord_id"] = r.client_order_id;
  if (has_limit(r.type)) p["limit_price"] = price_text(instrument, r.limit_price);
  if (is_trigger_type(r.type)) {
    p["triggers"] = json::object{{"reference", "last"},
                                 {"price", price_text(instrument, r.trigger_price)},
                                 {"price_type", "static"}};
  }
  if (r.tif == core::TimeInForce::kIoc) p["time_in_force"] = "ioc";
  if (r.post_only && has_limit(r.type)) p["post_only"] = true;
  // reduce_only is not sent: on Kraken it reduces a *margin* position, and a spot order carrying it
  // is refused ("EOrder:Reduce only:No position exists"), which refused every exit, stop and target.
  // A spot sell cannot oversell anyway: it needs the base asset in the balance. (tg4 live trades
  // spot only; r.reduce_only stays the order manager's own notion of an exit.)
  return out;
}

TradingRequest amend_order_request(const std::string& client_order_id, const std::string& qty_text,
                                   const std::optional<std::string>& limit_price_text,
                                   const std::optional<std::string>& trigger_price_text) {
  TradingRequest out{"amend_order", {}, client_order_id};
  out.params["cl_ord_id"] = client_order_id;
  out.params["order_qty"] = qty_text;
  if (limit_price_text) out.params["limit_price"] = *limit_price_text;
  if (trigger_price_text) out.params["trigger_price"] = *trigger_price_text;
  return out;
}

TradingRequest cancel_order_request(const std::string& id) {
  TradingRequest out{"cancel_order", {}, id};
  out.params[is_kraken_order_id(id) ? "order_id" : "cl_ord_id"] = json::array{json::value(id)};
  return out;
}

bool is_kraken_order_id(std::string_view id) {
  if (id.size() != 19 || id[6] != '-' || id[12] != '-') return false;
  return std::all_of(id.begin(), id.end(), [](const char c) {
    return c == '-' || std::isdigit(static_cast<unsigned char>(c)) || (c >= 'A' && c <= 'Z');
  });
}

TradingRequest cancel_all_request() {
  return TradingRequest{"cancel_all", {}, {}};
}

TradingRequest cancel_after_request(int timeout_seconds) {
  TradingRequest out{"cancel_all_orders_after", {}, {}};
  out.params["timeout"] = timeout_seconds;
  return out;
}

TradingRequest subscribe_request(const std::string& channel) {
  TradingRequest out{"subscribe", {}, {}};
  out.params["channel"] = channel;
  if (channel == "executions") {
    out.params["snap_orders"] = true;
    out.params["snap_trades"] = true;
  } else {
    out.params["snapshot"] = true;
  }
  return out;
}

TradingRequest unsubscribe_request(const std::string& channel) {
  TradingRequest out{"unsubscribe", {}, {}};
  out.params["channel"] = channel;
  return out;
}

// ---- names
// ---------------------------------------------------------------------------------------

const char* to_string(ExecType type) {
  switch (type) {
    case ExecType::kPendingNew:
      return "pending_new";
    case ExecType::kNew:
      return "new";
    case ExecType::kTrade:
      return "trade";
    case ExecType::kFilled:
      return "filled";
    case ExecType::kIcebergRefill:
      return "iceberg_refill";
    case ExecType::kCanceled:
      return "canceled";
    case ExecType::kExpired:
      return "expired";
    case ExecType::kAmended:
      return "amended";
    case ExecType::kRestated:
      return "restated";
    case ExecType::kStatus:
      return "status";
    case ExecType::kOther:
      return "other";
  }
  return "other";
}

std::optional<core::OrderStatus> parse_order_status(std::string_view text) {
  // Kraken's names are core's.
  using core::OrderStatus;
  for (const auto s : {OrderStatus::kPendingNew, OrderStatus::kNew, OrderStatus::kPartiallyFilled,
                       OrderStatus::kFilled, OrderStatus::kCanceled, OrderStatus::kExpired,
                       OrderStatus::kRejected}) {
    if (text == core::to_string(s)) return s;
  }
  return std::nullopt;
}

ExecType parse_exec_type(std::string_view text) {
  for (const auto t : {ExecType::kPendingNew, ExecType::kNew, ExecType::kTrade, ExecType::kFilled,
                       ExecType::kIcebergRefill, ExecType::kCanceled, ExecType::kExpired,
                       ExecType::kAmended, ExecType::kRestated, ExecType::kStatus}) {
    if (text == to_string(t)) return t;
  }
  return ExecType::kOther;
}

std::optional<core::OrderType> parse_order_type(std::string_view text) {
  for (const auto t :
       {OrderType::kMarket, OrderType::kLimit, OrderType::kStopLoss, OrderType::kTakeProfit,
        OrderType::kStopLossLimit, OrderType::kTakeProfitLimit, OrderType::kTrailingStop}) {
    if (text == core::to_string(t)) return t;
  }
  return std::nullopt;
}

namespace {

bool contains(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

}  // namespace

TradingErrorKind classify_error(std::string_view error) {
  const std::string e = lower(error);
  if (contains(e, "rate limit") || contains(e, "too many requests") ||
      contains(e, "exceeded msg rate")) {
    return TradingErrorKind::kRateLimit;
  }
  if (contains(e, "esession:") || contains(e, "invalid session") || contains(e, "token") ||
      contains(e, "eapi:invalid key") || contains(e, "invalid nonce")) {
    return TradingErrorKind::kAuth;
  }
  if (contains(e, "duplicate")) return TradingErrorKind::kDuplicateId;
  if (contains(e, "unknown order") || contains(e, "order not found")) {
    return TradingErrorKind::kUnknownOrder;
  }
  // A market in cancel_only / post_only / limit_only mode refuses until Kraken changes it (see
  // SystemStatus): sending again for half a minute would only send the order late.
  if (contains(e, "market in ")) return TradingErrorKind::kFinal;
  // "Internal error" and an elapsed deadline do not say whether the engine took the request: an
  // add_order sent again could trade twice, so Kraken's own state decides.
  if (contains(e, "internal error") || contains(e, "deadline elapsed")) {
    return TradingErrorKind::kUnknownOutcome;
  }
  if (contains(e, "eservice:") || contains(e, "busy") || contains(e, "unavailable")) {
    return TradingErrorKind::kTransient;
  }
  return TradingErrorKind::kFinal;
}

std::string error_code(std::string_view error) {
  // Kraken's "ECategory:Message[:detail]": keep category and message, drop the detail.
  const auto first = error.find(':');
  if (first != std::string_view::npos) {
    const auto second = error.find(':', first + 1);
    if (second != std::string_view::npos) error = error.substr(0, second);
  }
  constexpr std::size_t kMax = 48;
  std::string out(error.substr(0, kMax));
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20) c = ' ';
  }
  return out.empty() ? std::string("unknown") : out;
}

// ---- inbound
// -------------------------------------------------------------------------------------

struct TradingParser::Impl {
  simdjson::ondemand::parser parser;
  std::vector<char> buffer;
  detail::Reader reader;

  // per frame
  std::string channel;
  bool has_channel = false;
  bool has_method = false;
  bool has_error = false;
  bool has_data = false;
  bool snapshot = false;
  std::int64_t sequence = 0;
  std::optional<bool> success;
  TradingResponse response;
  ExecutionsMessage executions;
  BalancesMessage balances;

  void reset() {
    channel.clear();
    has_channel = has_method = has_error = has_data = snapshot = false;
    sequence = 0;
    success.reset();
    response = TradingResponse{};
  }

  core::Result<TradingFrameKind> failure() { return core::Error::of(reader.error()); }

  bool read_optional_time(detail::value& v, const Path& at, core::Timestamp& out) {
    std::string_view text;
    if (!reader.string(v, at, text)) return false;
    if (text == "0" || text.empty()) return true;  // cancel_all_orders_after disarmed
    auto t = core::parse_rfc3339(text);
    if (!t) return reader.fail(at, t.error().message, text.data());
    out = *t;
    return true;
  }

  bool read_result(detail::value& v, const Path& at) {
    detail::object obj;
    if (!reader.get_object(v, at, obj)) return false;
    for (auto item : obj) {
      detail::field f;
      if (!reader.next(item, at, f)) return false;
      const auto key = f.key();
      const auto p = [&](const char* name) { return at.field(name); };
      bool ok = true;
      if (key.unsafe_is_equal("order_id")) {
        ok = reader.string(f.value(), p("order_id"), response.order_id);
      } else if (key.unsafe_is_equal("cl_ord_id")) {
        ok = reader.string(f.value(), p("cl_ord_id"), response.cl_ord_id);
      } else if (key.unsafe_is_equal("amend_id")) {
        ok = reader.string(f.value(), p("amend_id"), response.amend_id);
      } else if (key.unsafe_is_equal("count")) {
        std::int64_t n = 0;
        ok = reader.int64(f.value(), p("count"), n);
        response.count = n;
      } else if (key.unsafe_is_equal("channel")) {
        ok = reader.string(f.value(), p("channel"), response.channel);
      } else if (key.unsafe_is_equal("currentTime")) {
        ok = read_optional_time(f.value(), p("currentTime"), response.current_time);
      } else if (key.unsafe_is_equal("triggerTime")) {
        ok = read_optional_time(f.value(), p("triggerTime"), response.trigger_time);
      } else if (key.unsafe_is_equal("warnings")) {
        ok = read_strings(f.value(), p("warnings"), response.warnings);
      }
      if (!ok) return false;
    }
    return true;
  }

  bool read_strings(detail::value& v, const Path& at, std::vector<std::string>& out) {
    detail::array list;
    if (!reader.get_array(v, at, list)) return false;
    int i = 0;
    for (auto element : list) {
      detail::value s;
      const Path ep = at.element(i++);
      if (!reader.next(element, ep, s) || !reader.string(s, ep, out.emplace_back())) return false;
    }
    return true;
  }

  bool read_header(detail::field& f, const Path& root) {
    const auto key = f.key();
    if (key.unsafe_is_equal("channel")) {
      has_channel = true;
      return reader.string(f.value(), root.field("channel"), channel);
    }
    if (key.unsafe_is_equal("type")) {
      std::string_view type;
      if (!reader.string(f.value(), root.field("type"), type)) return false;
      if (type != "snapshot" && type != "update") {
        return reader.fail(root.field("type"), "expected \"snapshot\" or \"update\"", type.data());
      }
      snapshot = type == "snapshot";
      return true;
    }
    if (key.unsafe_is_equal("sequence"))
      return reader.int64(f.value(), root.field("sequence"), sequence);
    if (key.unsafe_is_equal("data")) {
      has_data = true;  // read on the second pass, once the channel is known
      return true;
    }
    if (key.unsafe_is_equal("method")) {
      has_method = true;
      return reader.string(f.value(), root.field("method"), response.method);
    }
    if (key.unsafe_is_equal("error")) {
      has_error = true;
      return reader.string(f.value(), root.field("error"), response.error);
    }
    if (key.unsafe_is_equal("success")) {
      bool ok = false;
      if (!reader.boolean(f.value(), root.field("success"), ok)) return false;
      success = ok;
      return true;
    }
    if (key.unsafe_is_equal("req_id")) {
      std::int64_t id = 0;
      if (!reader.int64(f.value(), root.field("req_id"), id)) return false;
      response.req_id = id;
      return true;
    }
    if (key.unsafe_is_equal("result")) return read_result(f.value(), root.field("result"));
    if (key.unsafe_is_equal("time_in"))
      return reader.time(f.value(), root.field("time_in"), response.time_in);
    if (key.unsafe_is_equal("time_out")) {
      return reader.time(f.value(), root.field("time_out"), response.time_out);
    }
    return true;
  }

  bool read_fees(detail::value& v, const Path& at, std::vector<FeePaid>& out) {
    detail::array list;
    if (!reader.get_array(v, at, list)) return false;
    int i = 0;
    for (auto element : list) {
      detail::value fee_value;
      const Path ep = at.element(i++);
      if (!reader.next(element, ep, fee_value)) return false;
      detail::object obj;
      if (!reader.get_object(fee_value, ep, obj)) return false;
      FeePaid fee;
      bool has_asset = false;
      bool has_qty = false;
      for (auto item : obj) {
        detail::field f;
        if (!reader.next(item, ep, f)) return false;
        if (f.key().unsafe_is_equal("asset")) {
          if (!reader.string(f.value(), ep.field("asset"), fee.asset)) return false;
          has_asset = true;
        } else if (f.key().unsafe_is_equal("qty")) {
          if (!reader.decimal(f.value(), ep.field("qty"), fee.qty)) return false;
          has_qty = true;
        }
      }
      if (!has_asset) return reader.missing(ep, "asset");
      if (!has_qty) return reader.missing(ep, "qty");
      out.push_back(std::move(fee));
    }
    return true;
  }

  // The trigger of a stop or take-profit: {"reference": "last", "price": 59000.0, "status": ...}.
  // Only its price is taken; the rest describes what Kraken does with it.
  bool read_triggers(detail::value& v, const Path& at, ExecutionReport& r) {
    detail::object obj;
    if (!reader.get_object(v, at, obj)) return false;
    for (auto item : obj) {
      detail::field f;
      if (!reader.next(item, at, f)) return false;
      if (f.key().unsafe_is_equal("price") &&
          !read_optional_decimal(f.value(), at.field("price"), r.trigger_price))
        return false;
    }
    return true;
  }

  bool read_optional_decimal(detail::value& v, const Path& at, std::optional<Decimal>& out) {
    Decimal d;
    if (!reader.decimal(v, at, d)) return false;
    out = d;
    return true;
  }

  bool read_report_field(detail::field& f, const Path& at, ExecutionReport& r) {
    const auto key = f.key();
    const auto field_path = [&](const char* name) { return at.field(name); };
    std::string_view text;
    if (key.unsafe_is_equal("exec_type")) {
      if (!reader.string(f.value(), field_path("exec_type"), r.exec_type_text)) return false;
      r.exec_type = parse_exec_type(r.exec_type_text);
      return true;
    }
    if (key.unsafe_is_equal("order_status")) {
      const Path p = field_path("order_status");
      if (!reader.string(f.value(), p, text)) return false;
      // A status Kraken may add later leaves the order's known status unchanged.
      r.order_status = parse_order_status(text);
      return true;
    }
    if (key.unsafe_is_equal("order_id"))
      return reader.string(f.value(), field_path("order_id"), r.order_id);
    if (key.unsafe_is_equal("cl_ord_id"))
      return reader.string(f.value(), field_path("cl_ord_id"), r.cl_ord_id);
    if (key.unsafe_is_equal("exec_id"))
      return reader.string(f.value(), field_path("exec_id"), r.exec_id);
    if (key.unsafe_is_equal("trade_id")) {
      std::int64_t id = 0;
      if (!reader.int64(f.value(), field_path("trade_id"), id)) return false;
      r.trade_id = id;
      return true;
    }
    if (key.unsafe_is_equal("symbol"))
      return reader.string(f.value(), field_path("symbol"), r.symbol);
    if (key.unsafe_is_equal("side")) {
      const Path p = field_path("side");
      if (!reader.string(f.value(), p, text)) return false;
      if (text != "buy" && text != "sell")
        return reader.fail(p, "expected \"buy\" or \"sell\"", text.data());
      r.side = text == "buy" ? core::Side::kBuy : core::Side::kSell;
      return true;
    }
    if (key.unsafe_is_equal("order_type")) {
      const Path p = field_path("order_type");
      if (!reader.string(f.value(), p, text)) return false;
      r.order_type = parse_order_type(text);
      // Types TG4 never sends (iceberg, settle-position, ...) are kept as unknown.
      return true;
    }
    if (key.unsafe_is_equal("liquidity_ind")) {
      const Path p = field_path("liquidity_ind");
      if (!reader.string(f.value(), p, text)) return false;
      if (text != "m" && text != "t") return reader.fail(p, "expected \"m\" or \"t\"", text.data());
      r.maker = text == "m";
      return true;
    }
    if (key.unsafe_is_equal("fees")) return read_fees(f.value(), field_path("fees"), r.fees);
    if (key.unsafe_is_equal("triggers")) return read_triggers(f.value(), field_path("triggers"), r);
    if (key.unsafe_is_equal("reason"))
      return reader.string(f.value(), field_path("reason"), r.reason);
    if (key.unsafe_is_equal("timestamp"))
      return reader.time(f.value(), field_path("timestamp"), r.time);
    struct DecimalField {
      const char* name;
      std::optional<Decimal> ExecutionReport::*member;
    };
    static constexpr DecimalField kDecimals[] = {
        {"order_qty", &ExecutionReport::order_qty},
        {"cum_qty", &ExecutionReport::cum_qty},
        {"cum_cost", &ExecutionReport::cum_cost},
        {"avg_price", &ExecutionReport::avg_price},
        {"limit_price", &ExecutionReport::limit_price},
        {"last_qty", &ExecutionReport::last_qty},
        {"last_price", &ExecutionReport::last_price},
        {"cost", &ExecutionReport::cost},
        {"fee_usd_equiv", &ExecutionReport::fee_usd_equiv},
    };
    for (const auto& d : kDecimals) {
      if (key.unsafe_is_equal(d.name))
        return read_optional_decimal(f.value(), field_path(d.name), r.*d.member);
    }
    return true;  // fields TG4 does not use (order_userref, margin, ...)
  }

  bool read_report(detail::value& v, const Path& at, ExecutionReport& r) {
    detail::object obj;
    if (!reader.get_object(v, at, obj)) return false;
    for (auto item : obj) {
      detail::field f;
      if (!reader.next(item, at, f) || !read_report_field(f, at, r)) return false;
    }
    if (r.order_id.empty() && r.cl_ord_id.empty()) return reader.missing(at, "order_id");
    if (r.exec_type == ExecType::kTrade) {
      if (r.exec_id.empty() && !r.trade_id) return reader.missing(at, "exec_id");
      if (!r.last_qty) return reader.missing(at, "last_qty");
      if (!r.last_price) return reader.missing(at, "last_price");
      // A trade of nothing, or at no price, would reach the books as a fill that divides by zero.
      if (!r.last_qty->is_positive()) return reader.fail(at, "trade with last_qty " + r.last_qty->to_string());
      if (!r.last_price->is_positive()) return reader.fail(at, "trade with last_price " + r.last_price->to_string());
    }
    return true;
  }

  bool read_balance(detail::value& v, const Path& at, BalanceEntry& b) {
    detail::object obj;
    if (!reader.get_object(v, at, obj)) return false;
    bool has_asset = false;
    bool has_balance = false;
    for (auto item : obj) {
      detail::field f;
      if (!reader.next(item, at, f)) return false;
      const auto key = f.key();
      bool ok = true;
      if (key.unsafe_is_equal("asset")) {
        ok = reader.string(f.value(), at.field("asset"), b.asset);
        has_asset = true;
      } else if (key.unsafe_is_equal("balance")) {
        ok = reader.decimal(f.value(), at.field("balance"), b.balance);
        has_balance = true;
      } else if (key.unsafe_is_equal("amount")) {
        ok = read_optional_decimal(f.value(), at.field("amount"), b.amount);
      } else if (key.unsafe_is_equal("fee")) {
        ok = read_optional_decimal(f.value(), at.field("fee"), b.fee);
      } else if (key.unsafe_is_equal("ledger_id")) {
        ok = reader.string(f.value(), at.field("ledger_id"), b.ledger_id);
      } else if (key.unsafe_is_equal("type")) {
        ok = reader.string(f.value(), at.field("type"), b.type);
      } else if (key.unsafe_is_equal("timestamp")) {
        ok = reader.time(f.value(), at.field("timestamp"), b.time);
      } else if (key.unsafe_is_equal("wallet_type")) {
        ok = reader.string(f.value(), at.field("wallet_type"), b.wallet_type);
      } else if (key.unsafe_is_equal("wallets")) {
        b.spot = core::Decimal::zero();
        ok = read_list(f.value(), at.field("wallets"), [&](detail::value& w, const Path& wp) {
          return read_wallet(w, wp, *b.spot);
        });
      }
      if (!ok) return false;
    }
    if (!has_asset) return reader.missing(at, "asset");
    if (!has_balance) return reader.missing(at, "balance");
    return true;
  }

  // One of a snapshot entry's wallets: a `spot` wallet's balance is added to `spot`.
  bool read_wallet(detail::value& v, const Path& at, core::Decimal& spot) {
    detail::object obj;
    if (!reader.get_object(v, at, obj)) return false;
    std::string type;
    std::optional<core::Decimal> balance;
    for (auto item : obj) {
      detail::field f;
      if (!reader.next(item, at, f)) return false;
      const auto key = f.key();
      bool ok = true;
      if (key.unsafe_is_equal("type")) {
        ok = reader.string(f.value(), at.field("type"), type);
      } else if (key.unsafe_is_equal("balance")) {
        ok = read_optional_decimal(f.value(), at.field("balance"), balance);
      }
      if (!ok) return false;
    }
    if (type.empty()) return reader.missing(at, "type");
    if (!balance) return reader.missing(at, "balance");
    if (type == "spot") spot += *balance;
    return true;
  }

  template <class ReadOne>
  bool read_list(detail::value& v, const Path& at, ReadOne read_one) {
    detail::array list;
    if (!reader.get_array(v, at, list)) return false;
    int i = 0;
    for (auto element : list) {
      detail::value item;
      const Path ep = at.element(i++);
      if (!reader.next(element, ep, item) || !read_one(item, ep)) return false;
    }
    return true;
  }

  bool read_data(simdjson::ondemand::document& doc, const Path& root, bool is_executions) {
    doc.rewind();
    detail::object obj;
    if (auto ec = doc.get_object().get(obj)) return reader.fail(root, ec);
    for (auto item : obj) {
      detail::field f;
      if (!reader.next(item, root, f)) return false;
      if (!f.key().unsafe_is_equal("data")) continue;
      const Path dp = root.field("data");
      if (is_executions) {
        return read_list(f.value(), dp, [&](detail::value& v, const Path& ep) {
          return read_report(v, ep, executions.reports.emplace_back());
        });
      }
      return read_list(f.value(), dp, [&](detail::value& v, const Path& ep) {
        return read_balance(v, ep, balances.entries.emplace_back());
      });
    }
    return true;
  }

  core::Result<TradingFrameKind> run(std::string_view frame, TradingSink& sink) {
    reset();
    const Path root{};
    simdjson::ondemand::document doc;
    detail::object obj;
    if (!detail::open_object(parser, buffer, frame, reader, doc, obj)) return failure();
    for (auto item : obj) {
      detail::field f;
      if (!reader.next(item, root, f) || !read_header(f, root)) return failure();
    }
    if (!detail::at_end(doc, reader)) return failure();
    if (has_channel) return channel_frame(doc, root, sink);
    if (has_method || has_error) {
      response.success = success.value_or(!has_error) && !has_error;
      if (response.method == "pong") return TradingFrameKind::kPong;
      sink.on_response(response);
      return TradingFrameKind::kResponse;
    }
    reader.fail(root, "neither 'channel', 'method' nor 'error' present");
    return failure();
  }

  core::Result<TradingFrameKind> channel_frame(simdjson::ondemand::document& doc, const Path& root,
                                               TradingSink& sink) {
    if (channel == "heartbeat") {
      sink.on_heartbeat();
      return TradingFrameKind::kHeartbeat;
    }
    if (channel == "status") return TradingFrameKind::kStatus;
    const bool is_executions = channel == "executions";
    if (!is_executions && channel != "balances") return TradingFrameKind::kUnknownChannel;
    if (!has_data) {
      reader.missing(root, "data");
      return failure();
    }
    executions.reports.clear();
    balances.entries.clear();
    if (!read_data(doc, root, is_executions)) return failure();
    if (is_executions) {
      executions.snapshot = snapshot;
      executions.sequence = sequence;
      sink.on_executions(executions);
      return TradingFrameKind::kExecutions;
    }
    balances.snapshot = snapshot;
    balances.sequence = sequence;
    sink.on_balances(balances);
    return TradingFrameKind::kBalances;
  }
};

TradingParser::TradingParser() : impl_(std::make_unique<Impl>()) {}
TradingParser::~TradingParser() = default;

core::Result<TradingFrameKind> TradingParser::parse(std::string_view frame, TradingSink& sink) {
  return impl_->run(frame, sink);
}

}  // namespace tg4::kraken
