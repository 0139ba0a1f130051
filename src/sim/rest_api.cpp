#include "sim/rest_api.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <ctime>
#include <functional>

#include "sim/json_writer.hpp"

namespace tg4::sim {
namespace {

constexpr std::string_view kPublicPrefix = "/0/public/";
constexpr std::int64_t kNs = 1'000'000'000;

std::string upper(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return out;
}

std::optional<std::int64_t> parse_int(std::string_view text) {
  std::int64_t v = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || ptr != text.data() + text.size()) return std::nullopt;
  return v;
}

// Kraken's `since`: nanoseconds (the `last` cursor it hands out), or seconds, possibly fractional.
std::optional<std::int64_t> parse_since_ns(std::string_view text) {
  if (text.find('.') != std::string_view::npos) {
    const auto d = core::Decimal::parse(text);
    if (!d || d->is_negative()) return std::nullopt;
    return (d.value() * core::Decimal::from_int(kNs)).raw() / core::Decimal::kOne;
  }
  const auto v = parse_int(text);
  if (!v || *v < 0) return std::nullopt;
  return *v >= 100'000'000'000LL ? *v : *v * kNs;  // 1e11 s is year 5138: anything larger is ns
}

std::string ok(const std::function<void(JsonWriter&)>& result) {
  JsonWriter w(4096);
  w.begin_object().key("error").begin_array().end_array();
  w.key("result");
  result(w);
  w.end_object();
  return w.take();
}

// REST prices: Kraken writes trade and depth prices with at least five decimals ("83930.30000").
int rest_price_digits(const core::Instrument& inst) { return std::max(5, inst.price_precision); }

std::string seconds_text(std::int64_t ns) {  // 1790359840.939291 (microseconds, as Kraken's trade times)
  char buf[48];
  const auto n = std::snprintf(buf, sizeof(buf), "%lld.%06lld", static_cast<long long>(ns / kNs),
                               static_cast<long long>((ns % kNs) / 1000));
  return std::string(buf, static_cast<std::size_t>(n));
}

}  // namespace

net::HttpResponse RestApi::error(std::string_view kraken_error, int status) {
  JsonWriter w;
  w.begin_object().key("error").begin_array().string(kraken_error).end_array().end_object();
  return net::HttpResponse::json(status, w.take());
}

RestApi::Found RestApi::find_pair(std::string_view name) const {
  const std::string wanted = upper(name);
  for (auto& s : exchange_.symbols) {
    const auto& sym = s->symbol;
    const auto& inst = sym.instrument;
    if (wanted == inst.symbol) return {s.get(), inst.symbol};
    if (wanted == sym.rest_key || wanted == sym.rest_altname || wanted == upper(sym.rest_wsname) ||
        wanted == inst.base + inst.quote) {
      return {s.get(), sym.rest_key};
    }
  }
  return {};
}

net::HttpResponse RestApi::handle(const net::HttpRequest& request, std::string* endpoint) const {
  std::string_view path = request.path;
  const std::string_view method = path.substr(0, kPublicPrefix.size()) == kPublicPrefix ? path.substr(kPublicPrefix.size()) : "";
  const auto label = [&](std::string_view l) {
    if (endpoint != nullptr) *endpoint = std::string(l);
  };
  if (method == "AssetPairs") return label(method), asset_pairs(request);
  if (method == "OHLC") return label(method), ohlc(request);
  if (method == "Trades") return label(method), trades(request);
  if (method == "Depth") return label(method), depth(request);
  if (method == "Time") return label(method), time();
  if (method == "SystemStatus") return label(method), system_status();
  label("unknown");
  return error("EGeneral:Unknown method", 404);
}

net::HttpResponse RestApi::asset_pairs(const net::HttpRequest& request) const {
  std::vector<Found> wanted;
  if (const auto* pairs = request.query_param("pair"); pairs != nullptr && !pairs->empty()) {
    std::string_view rest = *pairs;
    while (!rest.empty()) {
      const auto comma = rest.find(',');
      const auto name = rest.substr(0, comma);
      const Found f = find_pair(name);
      if (f.state == nullptr) return error("EQuery:Unknown asset pair");
      wanted.push_back({f.state, f.state->symbol.rest_key});
      rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    }
  } else {
    for (auto& s : exchange_.symbols) wanted.push_back({s.get(), s->symbol.rest_key});
  }
  return net::HttpResponse::json(200, ok([&](JsonWriter& w) {
    w.begin_object();
    for (const auto& f : wanted) {
      const auto& sym = f.state->symbol;
      const auto& inst = sym.instrument;
      const bool quote_is_crypto = asset_precision(inst.quote) >= 8 && inst.quote != "USDT" && inst.quote != "USDC";
      const auto fee_pct = [](core::Decimal fraction) { return (fraction * core::Decimal::from_int(100)).to_string(); };
      w.key(f.result_key).begin_object();
      w.key("altname").string(sym.rest_altname);
      w.key("wsname").string(sym.rest_wsname);
      w.key("aclass_base").string("currency");
      w.key("base").string(sym.base_asset_id);
      w.key("aclass_quote").string("currency");
      w.key("quote").string(sym.quote_asset_id);
      w.key("lot").string("unit");
      w.key("cost_decimals").integer(quote_is_crypto ? 10 : 5);
      w.key("pair_decimals").integer(inst.price_precision);
      w.key("lot_decimals").integer(inst.qty_precision);
      w.key("lot_multiplier").integer(1);
      w.key("leverage_buy").begin_array().end_array();
      w.key("leverage_sell").begin_array().end_array();
      w.key("fees").begin_array().begin_array().integer(0).raw(fee_pct(inst.taker_fee)).end_array().end_array();
      w.key("fees_maker").begin_array().begin_array().integer(0).raw(fee_pct(inst.maker_fee)).end_array().end_array();
      w.key("fee_volume_currency").string("ZUSD");
      w.key("margin_call").integer(80);
      w.key("margin_stop").integer(40);
      w.key("ordermin").string(inst.qty_min.to_string());
      w.key("costmin").string(inst.cost_min.to_string());
      w.key("tick_size").string(inst.price_increment.to_string());
      w.key("status").string(inst.status);
      w.end_object();
    }
    w.end_object();
  }));
}

net::HttpResponse RestApi::ohlc(const net::HttpRequest& request) const {
  const auto* pair = request.query_param("pair");
  if (pair == nullptr || pair->empty()) return error("EGeneral:Invalid arguments:pair");
  const Found f = find_pair(*pair);
  if (f.state == nullptr) return error("EQuery:Unknown asset pair");
  int interval = 1;
  if (const auto* text = request.query_param("interval")) {
    const auto v = parse_int(*text);
    static constexpr int kValid[] = {1, 5, 15, 30, 60, 240, 1440, 10080, 21600};
    if (!v || std::find(std::begin(kValid), std::end(kValid), *v) == std::end(kValid)) {
      return error("EGeneral:Invalid arguments:interval");
    }
    interval = static_cast<int>(*v);
  }
  std::optional<std::int64_t> since_s;
  if (const auto* text = request.query_param("since"); text != nullptr && !text->empty()) {
    const auto ns = parse_since_ns(*text);
    if (!ns) return error("EGeneral:Invalid arguments:since");
    since_s = *ns / kNs;
  }
  const auto now = exchange_.now();
  const auto& history = *f.state->history;
  const auto bars = history.ohlc(interval, since_s, now, 720);
  const auto& inst = f.state->symbol.instrument;
  std::int64_t last = since_s.value_or(0);
  if (bars.size() >= 2) last = bars[bars.size() - 2].open_time_s;
  else if (bars.size() == 1) last = bars[0].open_time_s - static_cast<std::int64_t>(interval) * 60;
  return net::HttpResponse::json(200, ok([&](JsonWriter& w) {
    w.begin_object();
    w.key(f.result_key).begin_array();
    for (const auto& b : bars) {
      w.begin_array();
      w.integer(b.open_time_s);
      w.string(b.open.to_string(inst.price_precision));
      w.string(b.high.to_string(inst.price_precision));
      w.string(b.low.to_string(inst.price_precision));
      w.string(b.close.to_string(inst.price_precision));
      w.string(b.vwap.to_string(inst.price_precision));
      w.string(b.volume.to_string(inst.qty_precision));
      w.integer(b.count);
      w.end_array();
    }
    w.end_array();
    w.key("last").integer(last);
    w.end_object();
  }));
}

net::HttpResponse RestApi::trades(const net::HttpRequest& request) const {
  const auto* pair = request.query_param("pair");
  if (pair == nullptr || pair->empty()) return error("EGeneral:Invalid arguments:pair");
  const Found f = find_pair(*pair);
  if (f.state == nullptr) return error("EQuery:Unknown asset pair");
  std::optional<std::int64_t> since;
  if (const auto* text = request.query_param("since"); text != nullptr && !text->empty()) {
    since = parse_since_ns(*text);
    if (!since) return error("EGeneral:Invalid arguments:since");
  }
  std::size_t count = 1000;
  if (const auto* text = request.query_param("count")) {
    const auto v = parse_int(*text);
    if (!v || *v < 1 || *v > 1000) return error("EGeneral:Invalid arguments:count");
    count = static_cast<std::size_t>(*v);
  }
  const auto page = f.state->history->trades(since, count);
  const auto& inst = f.state->symbol.instrument;
  return net::HttpResponse::json(200, ok([&](JsonWriter& w) {
    w.begin_object();
    w.key(f.result_key).begin_array();
    for (const auto& t : page.trades) {
      const auto price = core::Decimal::from_raw(inst.price_increment.raw() * t.ticks);
      w.begin_array();
      w.string(price.to_string(rest_price_digits(inst)));
      w.string(t.qty.to_string(inst.qty_precision));
      w.raw(seconds_text(t.time.ns));
      w.string(t.side == core::Side::kBuy ? "b" : "s");
      w.string(t.ord_type == core::OrderType::kMarket ? "m" : "l");
      w.string("");
      w.integer(t.trade_id);
      w.end_array();
    }
    w.end_array();
    w.key("last").string(std::to_string(page.last_ns));
    w.end_object();
  }));
}

net::HttpResponse RestApi::depth(const net::HttpRequest& request) const {
  const auto* pair = request.query_param("pair");
  if (pair == nullptr || pair->empty()) return error("EGeneral:Invalid arguments:pair");
  const Found f = find_pair(*pair);
  if (f.state == nullptr) return error("EQuery:Unknown asset pair");
  std::size_t count = 100;
  if (const auto* text = request.query_param("count")) {
    const auto v = parse_int(*text);
    if (!v || *v < 1 || *v > 500) return error("EGeneral:Invalid arguments:count");
    count = static_cast<std::size_t>(*v);
  }
  const auto& inst = f.state->symbol.instrument;
  const auto& book = f.state->market->book();
  const std::int64_t now_s = exchange_.now().seconds();
  const auto side = [&](JsonWriter& w, bool bid) {
    w.begin_array();
    for (const auto& level : book.top(bid, count)) {
      w.begin_array();
      w.string(level.price.to_string(rest_price_digits(inst)));
      w.string(level.qty.to_string(inst.qty_precision));
      w.integer(now_s);
      w.end_array();
    }
    w.end_array();
  };
  return net::HttpResponse::json(200, ok([&](JsonWriter& w) {
    w.begin_object();
    w.key(f.result_key).begin_object();
    w.key("asks");
    side(w, false);
    w.key("bids");
    side(w, true);
    w.end_object();
    w.end_object();
  }));
}

net::HttpResponse RestApi::time() const {
  const std::int64_t now_s = exchange_.now().seconds();
  const std::time_t t = static_cast<std::time_t>(now_s);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  const std::size_t n = std::strftime(buf, sizeof(buf), "%a, %d %b %y %H:%M:%S +0000", &tm);
  return net::HttpResponse::json(200, ok([&](JsonWriter& w) {
    w.begin_object().key("unixtime").integer(now_s).key("rfc1123").string(std::string_view(buf, n)).end_object();
  }));
}

net::HttpResponse RestApi::system_status() const {
  return net::HttpResponse::json(200, ok([&](JsonWriter& w) {
    w.begin_object();
    w.key("status").string("online");
    w.key("timestamp").string(core::format_rfc3339(exchange_.now(), 0));
    w.end_object();
  }));
}

}  // namespace tg4::sim
