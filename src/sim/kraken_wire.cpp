#include "sim/kraken_wire.hpp"

#include <algorithm>

#include "sim/json_writer.hpp"

namespace tg4::sim::wire {
namespace {

void method_tail(JsonWriter& w, const MethodTimes& times) {
  w.key("time_in").string(core::format_rfc3339(times.in, 6));
  w.key("time_out").string(core::format_rfc3339(times.out, 6));
}

void levels(JsonWriter& w, std::string_view name, std::span<const core::PriceLevel> side, const core::Instrument& inst) {
  w.key(name).begin_array();
  for (const auto& l : side) {
    w.begin_object();
    w.key("price").number(l.price, inst.price_precision);
    w.key("qty").number(l.qty, inst.qty_precision);
    w.end_object();
  }
  w.end_array();
}

core::Decimal price_of(const core::Instrument& inst, std::int64_t ticks) {
  return core::Decimal::from_raw(inst.price_increment.raw() * ticks);
}

}  // namespace

std::string status(std::uint64_t connection_id, std::string_view system, std::string_view type) {
  JsonWriter w;
  w.begin_object().key("channel").string("status").key("type").string(type).key("data").begin_array();
  w.begin_object();
  w.key("version").string(kServerVersion);
  w.key("system").string(system);
  w.key("api_version").string(kApiVersion);
  w.key("connection_id").unsigned_integer(connection_id);
  w.end_object().end_array().end_object();
  return w.take();
}

std::string heartbeat() { return R"({"channel":"heartbeat"})"; }

std::string pong(std::optional<std::int64_t> req_id, const MethodTimes& times) {
  JsonWriter w;
  w.begin_object().key("method").string("pong");
  if (req_id) w.key("req_id").integer(*req_id);
  method_tail(w, times);
  w.end_object();
  return w.take();
}

std::string ack(std::string_view method, std::optional<std::int64_t> req_id, const AckResult& r,
                const MethodTimes& times) {
  JsonWriter w;
  w.begin_object().key("method").string(method);
  if (req_id) w.key("req_id").integer(*req_id);
  w.key("result").begin_object();
  w.key("channel").string(r.channel);
  if (r.depth) w.key("depth").integer(*r.depth);
  if (r.event_trigger) w.key("event_trigger").string(*r.event_trigger);
  if (r.interval) w.key("interval").integer(*r.interval);
  if (r.snapshot) w.key("snapshot").boolean(*r.snapshot);
  if (r.symbol) w.key("symbol").string(*r.symbol);
  if (!r.warnings.empty()) {
    w.key("warnings").begin_array();
    for (const auto& warning : r.warnings) w.string(warning);
    w.end_array();
  }
  w.end_object();
  w.key("success").boolean(true);
  method_tail(w, times);
  w.end_object();
  return w.take();
}

std::string error(std::string_view method, std::string_view message, std::optional<std::int64_t> req_id,
                  const std::optional<std::string>& symbol, const MethodTimes& times) {
  JsonWriter w;
  w.begin_object().key("error").string(message);
  if (!method.empty()) w.key("method").string(method);
  if (req_id) w.key("req_id").integer(*req_id);
  w.key("success").boolean(false);
  if (symbol) w.key("symbol").string(*symbol);
  method_tail(w, times);
  w.end_object();
  return w.take();
}

std::string book(const core::Instrument& inst, bool snapshot, std::span<const core::PriceLevel> bids,
                 std::span<const core::PriceLevel> asks, std::uint32_t checksum, core::Timestamp time) {
  JsonWriter w(64 + 48 * (bids.size() + asks.size()));
  w.begin_object().key("channel").string("book").key("type").string(snapshot ? "snapshot" : "update");
  w.key("data").begin_array().begin_object();
  w.key("symbol").string(inst.symbol);
  levels(w, "bids", bids, inst);
  levels(w, "asks", asks, inst);
  w.key("checksum").unsigned_integer(checksum);
  w.key("timestamp").string(core::format_rfc3339(time, 6));
  w.end_object().end_array().end_object();
  return w.take();
}

std::string trades(const core::Instrument& inst, bool snapshot, std::span<const MarketTrade> list) {
  JsonWriter w(64 + 160 * list.size());
  w.begin_object().key("channel").string("trade").key("type").string(snapshot ? "snapshot" : "update");
  w.key("data").begin_array();
  for (const auto& t : list) {
    w.begin_object();
    w.key("symbol").string(inst.symbol);
    w.key("side").string(core::to_string(t.side));
    w.key("price").number(price_of(inst, t.ticks), inst.price_precision);
    w.key("qty").number(t.qty, inst.qty_precision);
    w.key("ord_type").string(core::to_string(t.ord_type));
    w.key("trade_id").integer(t.trade_id);
    w.key("timestamp").string(core::format_rfc3339(t.time, 6));
    w.end_object();
  }
  w.end_array().end_object();
  return w.take();
}

std::string ticker(const core::Instrument& inst, bool snapshot, const TickerData& d) {
  JsonWriter w(400);
  const int pp = inst.price_precision;
  const int qp = inst.qty_precision;
  w.begin_object().key("channel").string("ticker").key("type").string(snapshot ? "snapshot" : "update");
  w.key("data").begin_array().begin_object();
  w.key("symbol").string(inst.symbol);
  w.key("bid").number(d.bid, pp);
  w.key("bid_qty").number(d.bid_qty, qp);
  w.key("ask").number(d.ask, pp);
  w.key("ask_qty").number(d.ask_qty, qp);
  w.key("last").number(d.last, pp);
  w.key("volume").number(d.volume, qp);
  w.key("vwap").number(d.vwap, pp);
  w.key("low").number(d.low, pp);
  w.key("high").number(d.high, pp);
  w.key("change").number(d.change, pp);
  w.key("change_pct").number(d.change_pct, 2);
  w.key("timestamp").string(core::format_rfc3339(d.timestamp, 6));
  w.end_object().end_array().end_object();
  return w.take();
}

std::string ohlc(const core::Instrument& inst, bool snapshot, std::span<const OutBar> bars, core::Timestamp sent) {
  JsonWriter w(96 + 300 * bars.size());
  const int pp = inst.price_precision;
  w.begin_object().key("channel").string("ohlc").key("type").string(snapshot ? "snapshot" : "update");
  w.key("timestamp").string(core::format_rfc3339(sent, 9));
  w.key("data").begin_array();
  for (const auto& b : bars) {
    const auto begin = core::Timestamp::from_seconds(b.open_time_s);
    const auto end = core::Timestamp::from_seconds(b.open_time_s + static_cast<std::int64_t>(b.interval_minutes) * 60);
    w.begin_object();
    w.key("symbol").string(inst.symbol);
    w.key("open").number(b.open, pp);
    w.key("high").number(b.high, pp);
    w.key("low").number(b.low, pp);
    w.key("close").number(b.close, pp);
    w.key("trades").integer(b.count);
    w.key("volume").number(b.volume, inst.qty_precision);
    w.key("vwap").number(b.vwap, pp);
    w.key("interval_begin").string(core::format_rfc3339(begin, 9));
    w.key("interval").integer(b.interval_minutes);
    w.key("timestamp").string(core::format_rfc3339(end, 6));
    w.end_object();
  }
  w.end_array().end_object();
  return w.take();
}

std::string instrument(std::span<const SimSymbol* const> symbols, std::string_view type) {
  std::vector<std::string> assets;
  for (const auto* s : symbols) {
    for (const auto& a : {s->instrument.base, s->instrument.quote}) {
      if (std::find(assets.begin(), assets.end(), a) == assets.end()) assets.push_back(a);
    }
  }
  JsonWriter w(512 + 512 * symbols.size());
  w.begin_object().key("channel").string("instrument").key("type").string(type);
  w.key("data").begin_object();
  w.key("assets").begin_array();
  for (const auto& a : assets) {
    const bool fiat = a == "USD" || a == "EUR" || a == "GBP";
    w.begin_object();
    w.key("id").string(a);
    w.key("status").string("enabled");
    w.key("precision").integer(asset_precision(a));
    w.key("precision_display").integer(fiat || a == "USDT" || a == "USDC" ? 2 : 5);
    w.key("borrowable").boolean(fiat || a == "BTC" || a == "ETH");
    w.key("collateral_value").float_style(fiat ? core::Decimal::one() : core::Decimal::must("0.95"));
    w.key("margin_rate").float_style(core::Decimal::must(fiat ? "0.015" : "0.02"));
    w.end_object();
  }
  w.end_array();
  w.key("pairs").begin_array();
  for (const auto* s : symbols) {
    const auto& i = s->instrument;
    w.begin_object();
    w.key("symbol").string(i.symbol);
    w.key("base").string(i.base);
    w.key("quote").string(i.quote);
    w.key("status").string(i.status);
    w.key("qty_precision").integer(i.qty_precision);
    w.key("qty_increment").float_style(i.qty_increment);
    w.key("price_precision").integer(i.price_precision);
    w.key("cost_precision").integer(asset_precision(i.quote) >= 8 ? 10 : 5);
    w.key("marginable").boolean(i.marginable);
    w.key("has_index").boolean(true);
    w.key("cost_min").float_style(i.cost_min);
    w.key("tick_size").float_style(i.price_increment);
    w.key("price_increment").float_style(i.price_increment);
    w.key("qty_min").float_style(i.qty_min);
    w.end_object();
  }
  w.end_array();
  w.end_object().end_object();
  return w.take();
}

}  // namespace tg4::sim::wire
