#include "sim/private_wire.hpp"

#include <fmt/format.h>

#include "sim/sim_symbol.hpp"

namespace tg4::sim::wire {
namespace {

using core::Decimal;

void times_tail(JsonWriter& w, const MethodTimes& times) {
  w.key("time_in").string(core::format_rfc3339(times.in, 6));
  w.key("time_out").string(core::format_rfc3339(times.out, 6));
}

const char* tif_name(core::TimeInForce t) {
  switch (t) {
    case core::TimeInForce::kIoc:
      return "IOC";
    case core::TimeInForce::kGtd:
      return "GTD";
    case core::TimeInForce::kGtc:
      break;
  }
  return "GTC";
}

int money_digits(const SimOrder& o) {
  return asset_precision(o.instrument().quote);
}
int price_digits(const SimOrder& o) {
  return o.instrument().price_precision;
}
int qty_digits(const SimOrder& o) {
  return o.instrument().qty_precision;
}

bool usd_quoted(const SimOrder& o) {
  const auto& q = o.instrument().quote;
  return q == "USD" || q == "USDT" || q == "USDC";
}

void ids(JsonWriter& w, const SimOrder& o) {
  w.key("order_id").string(o.order_id);
  if (!o.cl_ord_id.empty()) w.key("cl_ord_id").string(o.cl_ord_id);
  w.key("order_userref").integer(o.order_userref.value_or(0));
}

void triggers(JsonWriter& w, const SimOrder& o) {
  w.key("triggers").begin_object();
  w.key("reference").string(o.trigger_reference);
  w.key("price").number(*o.trigger_price, price_digits(o));
  w.key("price_type").string("static");
  w.key("status").string(o.triggered ? "triggered" : "untriggered");
  if (o.triggered) w.key("timestamp").string(core::format_rfc3339(o.trigger_time, 6));
  w.end_object();
}

void totals(JsonWriter& w, const SimOrder& o) {
  w.key("cum_qty").number(o.cum_qty, qty_digits(o));
  w.key("cum_cost").number(o.cum_cost, money_digits(o));
  w.key("avg_price").number(o.avg_price(), std::min(18, price_digits(o) + 4));
  if (usd_quoted(o)) w.key("fee_usd_equiv").number(o.fee_paid, money_digits(o));
}

// Everything about the order: pending_new rows and snapshot rows.
void details(JsonWriter& w, const SimOrder& o) {
  w.key("symbol").string(o.symbol());
  w.key("side").string(core::to_string(o.side));
  w.key("order_type").string(core::to_string(o.type));
  w.key("order_qty").number(o.order_qty, qty_digits(o));
  w.key("time_in_force").string(tif_name(o.tif));
  if (o.expire_time) w.key("expire_time").string(core::format_rfc3339(*o.expire_time, 6));
  if (o.has_limit()) {
    w.key("limit_price").number(*o.limit_price, price_digits(o));
    w.key("limit_price_type").string("static");
  }
  if (o.is_trigger_type()) triggers(w, o);
  w.key("post_only").boolean(o.post_only);
  w.key("reduce_only").boolean(o.reduce_only);
  w.key("fee_ccy_pref").string("fciq");
}

void row(JsonWriter& w, const Execution& e) {
  const SimOrder& o = e.order;
  w.begin_object();
  w.key("exec_type").string(to_string(e.type));
  ids(w, o);
  w.key("order_status").string(kraken_order_status(o.status));
  switch (e.type) {
    case ExecType::kPendingNew:
      details(w, o);
      w.key("cum_cost").number(o.cum_cost, money_digits(o));
      break;
    case ExecType::kNew:
      // Snapshot rows of open orders are "new" rows with the whole order; updates are short.
      if (e.full) {
        details(w, o);
        totals(w, o);
      }
      break;
    case ExecType::kTrade: {
      const Fill& f = *e.fill;
      w.key("exec_id").string(f.exec_id);
      w.key("trade_id").integer(f.trade_id);
      w.key("symbol").string(o.symbol());
      w.key("side").string(core::to_string(o.side));
      w.key("order_type").string(core::to_string(o.type));
      w.key("order_qty").number(o.order_qty, qty_digits(o));
      w.key("last_qty").number(f.qty, qty_digits(o));
      w.key("last_price").number(f.price, price_digits(o));
      w.key("liquidity_ind").string(f.maker ? "m" : "t");
      w.key("cost").number(f.cost, money_digits(o));
      totals(w, o);
      w.key("fees").begin_array().begin_object();
      w.key("asset").string(o.instrument().quote);
      w.key("qty").number(f.fee, money_digits(o));
      w.end_object().end_array();
      break;
    }
    case ExecType::kFilled:
      totals(w, o);
      break;
    case ExecType::kCanceled:
    case ExecType::kExpired:
      totals(w, o);
      w.key("cancel_reason").string(o.reason);
      w.key("reason").string(o.reason);
      break;
    case ExecType::kAmended:
      w.key("amended").boolean(true);
      w.key("reason").string("User requested");
      w.key("order_qty").number(o.order_qty, qty_digits(o));
      w.key("cum_qty").number(o.cum_qty, qty_digits(o));
      if (o.has_limit()) {
        w.key("limit_price").number(*o.limit_price, price_digits(o));
        w.key("limit_price_type").string("static");
      }
      if (o.is_trigger_type()) triggers(w, o);
      w.key("post_only").boolean(o.post_only);
      break;
    case ExecType::kRestated:
      w.key("reason").string("Order triggered");
      triggers(w, o);
      break;
    case ExecType::kIcebergRefill:  // the simulator has no iceberg orders and sends no status rows
    case ExecType::kStatus:
    case ExecType::kOther:
      break;
  }
  w.key("timestamp").string(core::format_rfc3339(e.time, 6));
  w.end_object();
}

}  // namespace

std::string method_result(std::string_view method, std::optional<std::int64_t> req_id,
                          const std::function<void(JsonWriter&)>& result,
                          const MethodTimes& times) {
  JsonWriter w(256);
  w.begin_object().key("method").string(method);
  if (req_id) w.key("req_id").integer(*req_id);
  if (result) {
    w.key("result").begin_object();
    result(w);
    w.end_object();
  }
  w.key("success").boolean(true);
  times_tail(w, times);
  w.end_object();
  return w.take();
}

std::string executions(std::span<const Execution* const> rows, bool snapshot,
                       std::uint64_t sequence) {
  JsonWriter w(128 + 400 * rows.size());
  w.begin_object()
      .key("channel")
      .string("executions")
      .key("type")
      .string(snapshot ? "snapshot" : "update");
  w.key("data").begin_array();
  for (const Execution* e : rows) row(w, *e);
  w.end_array();
  w.key("sequence").unsigned_integer(sequence);
  w.end_object();
  return w.take();
}

Execution open_order_row(const SimOrder& order, core::Timestamp now) {
  Execution e;
  e.type = ExecType::kNew;
  e.order = order;
  e.time = now;
  e.full = true;
  return e;
}

std::string balances_snapshot(const Account& account, std::uint64_t sequence) {
  JsonWriter w(512);
  w.begin_object().key("channel").string("balances").key("type").string("snapshot");
  w.key("data").begin_array();
  for (const auto& [asset, balance] : account.balances()) {
    const int digits = asset_precision(asset);
    w.begin_object();
    w.key("asset").string(asset);
    w.key("asset_class").string("currency");
    w.key("balance").number(balance, digits);
    w.key("wallets").begin_array().begin_object();
    w.key("type").string("spot").key("id").string("main").key("balance").number(balance, digits);
    w.end_object().end_array();
    w.end_object();
  }
  w.end_array();
  w.key("sequence").unsigned_integer(sequence);
  w.end_object();
  return w.take();
}

std::string balances_update(std::span<const LedgerEntry> entries, std::uint64_t sequence) {
  JsonWriter w(128 + 320 * entries.size());
  w.begin_object().key("channel").string("balances").key("type").string("update");
  w.key("data").begin_array();
  for (const auto& e : entries) {
    const int digits = asset_precision(e.asset);
    w.begin_object();
    w.key("ledger_id").string(e.ledger_id);
    w.key("ref_id").string(e.ref_id);
    w.key("timestamp").string(core::format_rfc3339(e.time, 6));
    w.key("type").string("trade");
    w.key("asset").string(e.asset);
    w.key("asset_class").string("currency");
    w.key("category").string("trade");
    w.key("wallet_type").string("spot");
    w.key("wallet_id").string("main");
    w.key("amount").number(e.amount, digits);
    w.key("fee").number(e.fee, digits);
    w.key("balance").number(e.balance, digits);
    w.end_object();
  }
  w.end_array();
  w.key("sequence").unsigned_integer(sequence);
  w.end_object();
  return w.take();
}

std::string rest_time(core::Timestamp t) {
  const std::int64_t ticks = t.ns / 100'000;  // 1e-4 s
  return fmt::format("{}.{:04d}", ticks / 10'000, ticks % 10'000);
}

void rest_order(JsonWriter& w, const SimOrder& o) {
  const auto& inst = o.instrument();
  const int pp = price_digits(o);
  const int qp = qty_digits(o);
  const int mp = money_digits(o);
  const std::string pair = kraken_asset_code(inst.base) + kraken_asset_code(inst.quote);
  const char* status = "open";
  switch (o.status) {
    case core::OrderStatus::kPendingNew:
      status = "pending";
      break;
    case core::OrderStatus::kFilled:
      status = "closed";
      break;
    case core::OrderStatus::kCanceled:
    case core::OrderStatus::kRejected:
      status = "canceled";
      break;
    case core::OrderStatus::kExpired:
      status = "expired";
      break;
    default:
      break;
  }
  // Kraken's descr.price is the trigger price of a trigger order and price2 its limit.
  const Decimal price =
      o.is_trigger_type() ? *o.trigger_price : o.limit_price.value_or(Decimal::zero());
  const Decimal price2 = o.is_trigger_type() && o.has_limit() ? *o.limit_price : Decimal::zero();
  std::string order_text = fmt::format("{} {} {} @ {}", core::to_string(o.side),
                                       o.order_qty.to_string(qp), pair, core::to_string(o.type));
  if (o.type != core::OrderType::kMarket) order_text += " " + price.to_string(pp);
  if (price2.is_positive()) order_text += " -> limit " + price2.to_string(pp);

  w.begin_object();
  w.key("refid").null();
  w.key("userref").integer(o.order_userref.value_or(0));
  if (!o.cl_ord_id.empty()) w.key("cl_ord_id").string(o.cl_ord_id);
  w.key("status").string(status);
  w.key("opentm").raw(rest_time(o.opened));
  w.key("starttm").integer(0);
  if (o.expire_time)
    w.key("expiretm").raw(rest_time(*o.expire_time));
  else
    w.key("expiretm").integer(0);
  w.key("descr").begin_object();
  w.key("pair").string(pair);
  w.key("type").string(core::to_string(o.side));
  w.key("ordertype").string(core::to_string(o.type));
  w.key("price").string(price.to_string(pp));
  w.key("price2").string(price2.to_string(pp));
  w.key("leverage").string("none");
  w.key("order").string(order_text);
  w.key("close").string("");
  w.end_object();
  w.key("vol").string(o.order_qty.to_string(qp));
  w.key("vol_exec").string(o.cum_qty.to_string(qp));
  w.key("cost").string(o.cum_cost.to_string(mp));
  w.key("fee").string(o.fee_paid.to_string(mp));
  w.key("price").string(o.avg_price().to_string(std::min(18, pp + 4)));
  w.key("stopprice").string((o.trigger_price ? *o.trigger_price : Decimal::zero()).to_string(pp));
  w.key("limitprice").string(price2.to_string(pp));
  w.key("misc").string("");
  w.key("oflags").string(o.post_only ? "fciq,post" : "fciq");
  if (!o.is_open()) {
    w.key("closetm").raw(rest_time(o.closed));
    if (o.reason.empty())
      w.key("reason").null();
    else
      w.key("reason").string(o.reason);
  }
  w.end_object();
}

}  // namespace tg4::sim::wire
