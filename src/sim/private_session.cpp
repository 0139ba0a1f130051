#include "sim/private_session.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/steady_timer.hpp>
#include <set>

#include "sim/private_wire.hpp"

namespace tg4::sim {
namespace {

using Fields = std::set<std::string_view>;

const Fields kAddOrderFields = {
    "order_type",       "side",      "order_qty",     "symbol",      "limit_price",
    "limit_price_type", "triggers",  "time_in_force", "expire_time", "post_only",
    "reduce_only",      "cl_ord_id", "order_userref", "token",       "margin",
    "fee_preference",   "no_mpp",    "stp_type",      "deadline",    "sender_sub_id"};
const Fields kAmendFields = {
    "order_id",      "cl_ord_id",          "order_qty", "limit_price", "limit_price_type",
    "trigger_price", "trigger_price_type", "post_only", "deadline",    "token"};
const Fields kCancelFields = {"order_id", "cl_ord_id", "order_userref", "token"};
const Fields kTokenOnly = {"token"};
const Fields kCancelAfterFields = {"timeout", "token"};
const Fields kExecutionsFields = {"channel",      "token",       "snap_orders", "snap_trades",
                                  "order_status", "ratecounter", "snapshot"};
const Fields kBalancesFields = {"channel", "token", "snapshot"};
const std::set<std::string, std::less<>> kMethods = {
    "add_order", "amend_order", "cancel_order", "cancel_all", "cancel_all_orders_after",
    "subscribe", "unsubscribe", "ping"};

// An error text naming a field Kraken does not take for the method, or empty.
std::string unsupported(const JsonValue& params, const Fields& allowed, std::string_view method) {
  for (const auto& [key, value] : params.fields) {
    if (allowed.count(key) == 0)
      return "Unsupported field: '" + key + "' for the given msg type: " + std::string(method);
  }
  return {};
}

std::string missing(std::string_view field) {
  return "Missing field: '" + std::string(field) + "'";
}

// Reads add_order's params into an OrderRequest; an Error is the message for the client.
core::Result<OrderRequest> read_order(const JsonValue& p) {
  OrderRequest r;
  auto order_type = get_string(p, "order_type");
  if (!order_type) return order_type.error();
  if (!*order_type) return core::Error::of(missing("order_type"));
  const auto type = parse_order_type(**order_type);
  if (!type) {
    return core::Error::of(
        "EGeneral:Invalid arguments:order_type '" + **order_type +
        "' (market, limit, stop-loss, take-profit, stop-loss-limit, take-profit-limit)");
  }
  r.type = *type;
  auto side = get_string(p, "side");
  if (!side) return side.error();
  if (!*side) return core::Error::of(missing("side"));
  if (**side != "buy" && **side != "sell")
    return core::Error::of("EGeneral:Invalid arguments:side must be buy or sell");
  r.side = **side == "buy" ? core::Side::kBuy : core::Side::kSell;
  auto qty = get_decimal(p, "order_qty");
  if (!qty) return qty.error();
  if (!*qty) return core::Error::of(missing("order_qty"));
  r.order_qty = **qty;
  auto symbol = get_string(p, "symbol");
  if (!symbol) return symbol.error();
  if (!*symbol) return core::Error::of(missing("symbol"));
  r.symbol = **symbol;
  auto limit = get_decimal(p, "limit_price");
  if (!limit) return limit.error();
  r.limit_price = *limit;
  if (const JsonValue* t = p.find("triggers")) {
    if (!t->is(JsonValue::Kind::kObject))
      return core::Error::of("Triggers field must be an object");
    auto price = get_decimal(*t, "price");
    if (!price) return price.error();
    if (!*price) return core::Error::of(missing("triggers.price"));
    r.trigger_price = *price;
    auto reference = get_string(*t, "reference");
    if (!reference) return reference.error();
    if (*reference && **reference != "last" && **reference != "index") {
      return core::Error::of("EGeneral:Invalid arguments:triggers.reference must be last or index");
    }
    r.trigger_reference = reference->value_or("last");
    auto price_type = get_string(*t, "price_type");
    if (!price_type) return price_type.error();
    if (*price_type && **price_type != "static") {
      return core::Error::of("EGeneral:Invalid arguments:triggers.price_type " + **price_type +
                             " is not supported by the simulator (static only)");
    }
  }
  auto tif = get_string(p, "time_in_force");
  if (!tif) return tif.error();
  if (*tif) {
    if (**tif == "gtc")
      r.tif = core::TimeInForce::kGtc;
    else if (**tif == "ioc")
      r.tif = core::TimeInForce::kIoc;
    else if (**tif == "gtd")
      r.tif = core::TimeInForce::kGtd;
    else
      return core::Error::of("EGeneral:Invalid arguments:time_in_force must be gtc, ioc or gtd");
  }
  auto expire = get_string(p, "expire_time");
  if (!expire) return expire.error();
  if (*expire) {
    auto t = core::parse_rfc3339(**expire);
    if (!t)
      return core::Error::of("EGeneral:Invalid arguments:expire_time is not an RFC 3339 time");
    r.expire_time = *t;
  }
  for (const auto& [key, out] : {std::pair<const char*, bool*>{"post_only", &r.post_only},
                                 {"reduce_only", &r.reduce_only}}) {
    auto b = get_bool(p, key);
    if (!b) return b.error();
    *out = b->value_or(false);
  }
  auto margin = get_bool(p, "margin");
  if (!margin) return margin.error();
  if (margin->value_or(false))
    return core::Error::of("EGeneral:Invalid arguments:margin trading is not enabled");
  auto cl = get_string(p, "cl_ord_id");
  if (!cl) return cl.error();
  r.cl_ord_id = cl->value_or("");
  auto userref = get_int(p, "order_userref");
  if (!userref) return userref.error();
  r.order_userref = *userref;
  return r;
}

core::Result<AmendRequest> read_amend(const JsonValue& p) {
  AmendRequest r;
  auto id = get_string(p, "order_id");
  if (!id) return id.error();
  auto cl = get_string(p, "cl_ord_id");
  if (!cl) return cl.error();
  if (!*id && !*cl)
    return core::Error::of("EGeneral:Invalid arguments:order_id or cl_ord_id is required");
  if (*id && *cl)
    return core::Error::of("EGeneral:Invalid arguments:order_id and cl_ord_id cannot both be set");
  r.order_id = id->value_or("");
  r.cl_ord_id = cl->value_or("");
  for (const auto& [key, out] :
       {std::pair<const char*, std::optional<core::Decimal>*>{"order_qty", &r.order_qty},
        {"limit_price", &r.limit_price},
        {"trigger_price", &r.trigger_price}}) {
    auto d = get_decimal(p, key);
    if (!d) return d.error();
    *out = *d;
  }
  auto post = get_bool(p, "post_only");
  if (!post) return post.error();
  r.post_only = *post;
  return r;
}

}  // namespace

PrivateSession::PrivateSession(PrivateExchange& exchange,
                               std::shared_ptr<net::WsConnection> connection,
                               boost::asio::any_io_executor strand, std::uint64_t ordinal)
    : x_(exchange),
      connection_(std::move(connection)),
      strand_(std::move(strand)),
      connection_id_(derive_seed(exchange.exchange().options.seed, ordinal, 0xA075)),
      faults_(strand_, exchange.exchange(), connection_) {}

void PrivateSession::on_open() {
  x_.exchange().metrics.session_opened();
  x_.attach(std::static_pointer_cast<PrivateSession>(shared_from_this()));
  send(wire::status(connection_id_), "status");
  faults_.start(weak_from_this());
}

void PrivateSession::on_close() {
  if (closed_) return;
  closed_ = true;
  faults_.stop();
  x_.exchange().metrics.session_closed();
}

void PrivateSession::on_heartbeat() {
  send(*x_.exchange().heartbeat, "heartbeat");
}

void PrivateSession::send(std::string text, const char* channel) {
  if (silent()) return;
  connection_->send(std::move(text));
  x_.exchange().metrics.sent(channel);
}

void PrivateSession::fail(const Call& c, std::string_view message) {
  x_.metrics().reject(std::string(message));
  send(wire::error(c.request.method, message, c.request.req_id, std::nullopt,
                   {c.times.in, x_.exchange().now()}),
       "method");
}

void PrivateSession::respond(const Call& c, const std::function<void(JsonWriter&)>& result) {
  send(wire::method_result(c.request.method, c.request.req_id, result,
                           {c.times.in, x_.exchange().now()}),
       "method");
}

void PrivateSession::respond_order(std::string text) {
  const auto& delay = x_.faults().ack_delay;
  if (!delay) {
    send(std::move(text), "method");
    return;
  }
  x_.exchange().metrics.fault("ack_delay");
  auto timer = std::make_shared<boost::asio::steady_timer>(strand_, *delay);
  const std::weak_ptr<Session> weak = weak_from_this();
  timer->async_wait(
      [weak, timer, text = std::move(text)](const boost::system::error_code& ec) mutable {
        const auto self = std::static_pointer_cast<PrivateSession>(weak.lock());
        if (!ec && self) self->send(std::move(text), "method");
      });
}

void PrivateSession::on_message(std::string_view text) {
  if (silent()) return;
  Call c;
  c.times.in = x_.exchange().now();
  auto parsed = x_.parser().parse(text);
  if (!parsed) {
    x_.metrics().request("invalid");
    fail(c, parsed.error().message);
    return;
  }
  c.request = std::move(parsed).value();
  x_.metrics().request(kMethods.count(c.request.method) > 0 ? c.request.method : "other");
  if (x_.exchange().on_request) x_.exchange().on_request();
  handle(c);
}

void PrivateSession::handle(Call& c) {
  const std::string& m = c.request.method;
  if (kMethods.count(m) == 0) {
    fail(c, "Method(s) not found");
    return;
  }
  if (m == "ping") {
    if (c.request.has_params) {
      fail(c, "Unsupported field: 'params' for the given msg type: ping");
      return;
    }
    send(wire::pong(c.request.req_id, {c.times.in, x_.exchange().now()}), "method");
    return;
  }
  if (!c.request.has_params) {
    fail(c, missing("params"));
    return;
  }
  auto token = get_string(c.request.params, "token");
  if (!token) {
    fail(c, token.error().message);
    return;
  }
  if (const std::string error = x_.check_token(*token); !error.empty()) {
    fail(c, error);
    return;
  }
  if (m == "subscribe" || m == "unsubscribe")
    subscribe(c, m == "unsubscribe");
  else if (m == "add_order")
    add_order(c);
  else if (m == "amend_order")
    amend_order(c);
  else if (m == "cancel_order")
    cancel_order(c);
  else if (m == "cancel_all")
    cancel_all(c);
  else
    cancel_after(c);
}

bool PrivateSession::order_faults(const Call& c, bool is_add) {
  OrderFaults& f = x_.faults();
  if (f.rate_limit > 0) {
    --f.rate_limit;
    x_.exchange().metrics.fault("order_rate_limit");
    fail(c, "EOrder:Rate limit exceeded");
    return true;
  }
  if (is_add && f.reject > 0) {
    --f.reject;
    x_.exchange().metrics.fault("reject");
    fail(c, f.reject_error);
    return true;
  }
  if (c.request.method == "cancel_order" && f.reject_cancel > 0) {
    --f.reject_cancel;
    x_.exchange().metrics.fault("reject_cancel");
    fail(c, "EGeneral:Permission denied");
    return true;
  }
  return false;
}

void PrivateSession::subscribe(const Call& c, bool unsubscribe) {
  const JsonValue& p = c.request.params;
  auto channel = get_string(p, "channel");
  if (!channel) return fail(c, channel.error().message);
  if (!*channel) return fail(c, missing("channel"));
  const std::string& name = **channel;
  if (name != "executions" && name != "balances") return fail(c, "Channel " + name + " not found");
  const bool executions = name == "executions";
  if (auto bad = unsupported(p, executions ? kExecutionsFields : kBalancesFields, c.request.method);
      !bad.empty()) {
    return fail(c, bad);
  }
  bool& subscribed = executions ? executions_ : balances_;
  wire::AckResult ack;
  ack.channel = name;
  if (unsubscribe) {
    if (!subscribed) return fail(c, "Subscription Not Found");
    subscribed = false;
    send(wire::ack(c.request.method, c.request.req_id, ack, {c.times.in, x_.exchange().now()}),
         "method");
    return;
  }
  if (subscribed) return fail(c, "Already subscribed");
  bool snap_orders = true;
  bool snap_trades = false;
  bool snapshot = true;
  if (executions) all_statuses_ = true;
  for (const auto& [key, out] : {std::pair<const char*, bool*>{"snap_orders", &snap_orders},
                                 {"snap_trades", &snap_trades},
                                 {"snapshot", &snapshot},
                                 {"order_status", &all_statuses_}}) {
    auto b = get_bool(p, key);
    if (!b) return fail(c, b.error().message);
    if (*b) *out = **b;
  }
  if (auto b = get_bool(p, "ratecounter"); !b) return fail(c, b.error().message);
  if (executions) snapshot = snap_orders || snap_trades;
  subscribed = true;
  ack.snapshot = snapshot;
  send(wire::ack(c.request.method, c.request.req_id, ack, {c.times.in, x_.exchange().now()}),
       "method");
  if (!snapshot) return;
  const auto now = x_.exchange().now();
  if (!executions) {
    send(wire::balances_snapshot(x_.account(), ++balances_seq_), "balances");
    return;
  }
  std::vector<Execution> rows;
  if (snap_orders) {
    for (const SimOrder* o : x_.engine().open_orders())
      rows.push_back(wire::open_order_row(*o, now));
  }
  if (snap_trades) {
    const auto& trades = x_.engine().recent_trades();
    rows.insert(rows.end(), trades.rbegin(), trades.rend());  // newest first, as Kraken lists them
  }
  std::vector<const Execution*> ptrs;
  for (const auto& r : rows) ptrs.push_back(&r);
  send(wire::executions(ptrs, true, ++executions_seq_), "executions");
}

void PrivateSession::add_order(const Call& c) {
  if (auto bad = unsupported(c.request.params, kAddOrderFields, c.request.method); !bad.empty())
    return fail(c, bad);
  if (order_faults(c, true)) return;
  auto request = read_order(c.request.params);
  if (!request) return fail(c, request.error().message);
  EngineEvents events;
  auto placed = x_.engine().add(*request, events);
  if (!placed) return fail(c, placed.error().message);
  x_.metrics().order(core::to_string(placed->type));
  OrderFaults& f = x_.faults();
  if (f.drop_before_ack > 0) {
    // The order is in the book; the client never hears of it on this connection.
    --f.drop_before_ack;
    x_.exchange().logger->debug("sim: fault drop_before_ack: order {} placed", placed->order_id);
    faults_.drop_now("drop_before_ack");
    x_.publish(events);
    return;
  }
  const SimOrder& o = *placed;
  respond_order(wire::method_result(c.request.method, c.request.req_id,
                                    [&o](JsonWriter& w) {
                                      w.key("order_id").string(o.order_id);
                                      if (!o.cl_ord_id.empty())
                                        w.key("cl_ord_id").string(o.cl_ord_id);
                                      if (o.order_userref)
                                        w.key("order_userref").integer(*o.order_userref);
                                    },
                                    {c.times.in, x_.exchange().now()}));
  x_.publish(events);
}

void PrivateSession::amend_order(const Call& c) {
  if (auto bad = unsupported(c.request.params, kAmendFields, c.request.method); !bad.empty())
    return fail(c, bad);
  if (order_faults(c, false)) return;
  auto request = read_amend(c.request.params);
  if (!request) return fail(c, request.error().message);
  EngineEvents events;
  auto amended = x_.engine().amend(*request, events);
  if (!amended) return fail(c, amended.error().message);
  const SimOrder& o = *amended;
  const std::string amend_id =
      "A" + o.order_id.substr(1) + "-" + std::to_string(events.executions.size());
  respond_order(wire::method_result(c.request.method, c.request.req_id,
                                    [&](JsonWriter& w) {
                                      w.key("amend_id").string(amend_id);
                                      if (!request->order_id.empty())
                                        w.key("order_id").string(o.order_id);
                                      if (!request->cl_ord_id.empty())
                                        w.key("cl_ord_id").string(o.cl_ord_id);
                                    },
                                    {c.times.in, x_.exchange().now()}));
  x_.publish(events);
}

void PrivateSession::cancel_order(const Call& c) {
  const JsonValue& p = c.request.params;
  if (auto bad = unsupported(p, kCancelFields, c.request.method); !bad.empty()) return fail(c, bad);
  if (order_faults(c, false)) return;
  auto ids = get_strings(p, "order_id");
  if (!ids) return fail(c, ids.error().message);
  auto cls = get_strings(p, "cl_ord_id");
  if (!cls) return fail(c, cls.error().message);
  std::vector<std::string> by_userref;
  if (const JsonValue* refs = p.find("order_userref")) {
    if (!refs->is(JsonValue::Kind::kArray) || refs->items.empty()) {
      return fail(c, "Order_userref field must be a non-empty array of integers");
    }
    for (const auto& item : refs->items) {
      for (const SimOrder* o : x_.engine().open_orders()) {
        if (o->order_userref && std::to_string(*o->order_userref) == item.text)
          by_userref.push_back(o->order_id);
      }
    }
  }
  const int kinds = (*ids ? 1 : 0) + (*cls ? 1 : 0) + (p.find("order_userref") ? 1 : 0);
  if (kinds != 1) {
    return fail(
        c, "EGeneral:Invalid arguments:give exactly one of order_id, cl_ord_id or order_userref");
  }
  EngineEvents events;
  const bool by_cl = cls->has_value();
  const std::vector<std::string>& wanted = *ids ? **ids : by_cl ? **cls : by_userref;
  if (wanted.empty()) return fail(c, "EOrder:Unknown order");
  for (const auto& id : wanted) {
    auto canceled = by_cl ? x_.engine().cancel({}, id, events) : x_.engine().cancel(id, {}, events);
    if (!canceled) {
      fail(c, canceled.error().message);
      continue;
    }
    // Kraken answers each order of a multi-order cancel on its own.
    respond_order(wire::method_result(c.request.method, c.request.req_id,
                                      [&](JsonWriter& w) {
                                        if (by_cl)
                                          w.key("cl_ord_id").string(id);
                                        else
                                          w.key("order_id").string(id);
                                      },
                                      {c.times.in, x_.exchange().now()}));
  }
  x_.publish(events);
}

void PrivateSession::cancel_all(const Call& c) {
  if (auto bad = unsupported(c.request.params, kTokenOnly, c.request.method); !bad.empty())
    return fail(c, bad);
  if (order_faults(c, false)) return;
  EngineEvents events;
  const std::size_t n = x_.engine().cancel_all("User requested", events);
  respond_order(wire::method_result(c.request.method, c.request.req_id,
                                    [n](JsonWriter& w) { w.key("count").unsigned_integer(n); },
                                    {c.times.in, x_.exchange().now()}));
  x_.publish(events);
}

void PrivateSession::cancel_after(const Call& c) {
  if (auto bad = unsupported(c.request.params, kCancelAfterFields, c.request.method);
      !bad.empty()) {
    return fail(c, bad);
  }
  auto timeout = get_int(c.request.params, "timeout");
  if (!timeout) return fail(c, timeout.error().message);
  if (!*timeout) return fail(c, missing("timeout"));
  if (**timeout < 0 || **timeout > 86400) {
    return fail(c, "EGeneral:Invalid arguments:timeout must be 0 (off) to 86400 seconds");
  }
  const auto now = x_.exchange().now();
  const auto trigger = x_.set_dead_man(std::chrono::seconds(**timeout));
  respond(c, [&](JsonWriter& w) {
    w.key("currentTime").string(core::format_rfc3339(now, 0));
    w.key("triggerTime").string(trigger ? core::format_rfc3339(*trigger, 0) : "0");
  });
}

void PrivateSession::deliver(const EngineEvents& events) {
  if (silent()) return;
  if (executions_ && !events.executions.empty()) {
    std::vector<const Execution*> rows;
    for (const auto& e : events.executions) {
      const bool transition = e.type == ExecType::kNew || e.type == ExecType::kFilled ||
                              e.type == ExecType::kCanceled || e.type == ExecType::kExpired ||
                              e.type == ExecType::kTrade;
      if (all_statuses_ || transition) rows.push_back(&e);
    }
    if (!rows.empty()) send(wire::executions(rows, false, ++executions_seq_), "executions");
  }
  if (balances_ && !events.ledger.empty())
    send(wire::balances_update(events.ledger, ++balances_seq_), "balances");
}

}  // namespace tg4::sim
