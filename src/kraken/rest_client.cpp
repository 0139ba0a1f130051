#include "kraken/rest_client.hpp"

#include <simdjson.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <set>

#include "kraken/codec_reader.hpp"

namespace tg4::kraken {
namespace {

using detail::Path;
using detail::Reader;
using simdjson::ondemand::array;
using simdjson::ondemand::field;
using simdjson::ondemand::object;
using simdjson::ondemand::value;
using std::chrono::milliseconds;
using SteadyClock = std::chrono::steady_clock;

constexpr std::int64_t kNanosPerSecond = 1'000'000'000;

// Private methods that only read: safe to send again after a transport failure.
const std::set<std::string, std::less<>> kReadOnlyPrivate = {
    "GetWebSocketsToken", "Balance",      "BalanceEx",    "TradeBalance",
    "OpenOrders",         "ClosedOrders", "QueryOrders",  "TradesHistory",
    "QueryTrades",        "Ledgers",      "QueryLedgers", "OpenPositions"};

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

// Kraken answers a rate problem or a passing outage with these; anything else will not improve.
bool rate_error(std::string_view e) {
  return starts_with(e, "EAPI:Rate limit exceeded") || starts_with(e, "EGeneral:Too many requests");
}
bool transient_error(std::string_view e) {
  return starts_with(e, "EService:Unavailable") || starts_with(e, "EService:Busy") ||
         starts_with(e, "EService:Deadline elapsed") ||
         starts_with(e, "EGeneral:Temporary lockout");
}

// "a,b,c": the list form Kraken's REST parameters take (pair=, txid=).
std::string comma_list(std::vector<std::string>::const_iterator first,
                       std::vector<std::string>::const_iterator last) {
  std::string out;
  for (auto it = first; it != last; ++it) out += (out.empty() ? "" : ",") + *it;
  return out;
}

std::string join(const std::vector<std::string>& parts) {
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : "; ") + p;
  return out;
}

// Seconds with a fraction, exactly: "1790359840.939291" -> nanoseconds.
core::Timestamp seconds_to_time(core::Decimal seconds) {
  const auto ns = (seconds * core::Decimal::from_int(kNanosPerSecond)).raw() / core::Decimal::kOne;
  return core::Timestamp{static_cast<std::int64_t>(ns)};
}

core::Decimal power_of_ten(int negative_exponent) {
  return core::Decimal::parse("1e-" + std::to_string(negative_exponent))
      .value_or(core::Decimal::zero());
}

// The error list of Kraken's envelope {"error":[...],"result":...}; an Error when the body is not
// such an envelope.
core::Result<std::vector<std::string>> envelope_errors(const std::string& body) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(body).get(doc) != simdjson::SUCCESS)
    return core::Error::of("the response is not JSON");
  simdjson::dom::array errors;
  if (doc["error"].get_array().get(errors) != simdjson::SUCCESS) {
    return core::Error::of("the response has no 'error' list");
  }
  std::vector<std::string> out;
  for (const auto e : errors) {
    std::string_view text;
    out.emplace_back(e.get_string().get(text) == simdjson::SUCCESS ? text : "(not a string)");
  }
  return out;
}

// Parses the body and hands the `result` value to `read(reader, value, path)`, which returns false
// after recording an error in the reader.
template <class Read>
core::Status parse_result(const std::string& body, const std::string& what, Read read) {
  simdjson::padded_string padded(body);
  simdjson::ondemand::parser parser;
  simdjson::ondemand::document doc;
  Reader reader;
  reader.reset(padded.data());
  const auto fail = [&] { return core::Error::of("Kraken REST " + what + ": " + reader.error()); };
  if (auto ec = parser.iterate(padded).get(doc))
    return core::Error::of("Kraken REST " + what + ": " + simdjson::error_message(ec));
  object root;
  if (auto ec = doc.get_object().get(root))
    return core::Error::of("Kraken REST " + what + ": " + simdjson::error_message(ec));
  const Path top{};
  bool found = false;
  for (auto item : root) {
    field f;
    if (!reader.next(item, top, f)) return fail();
    std::string_view key;
    if (f.unescaped_key().get(key) != simdjson::SUCCESS) continue;
    if (key != "result") continue;
    found = true;
    if (!read(reader, f.value(), top.field("result"))) return fail();
  }
  if (!found) return core::Error::of("Kraken REST " + what + ": the response has no 'result'");
  return {};
}

// Calls `row(reader, element, path)` for each element of an array value.
template <class Row>
bool each(Reader& reader, value v, const Path& at, Row row) {
  array a;
  if (!reader.get_array(v, at, a)) return false;
  int i = 0;
  for (auto item : a) {
    value element;
    const Path p = at.element(i++);
    if (!reader.next(item, p, element)) return false;
    if (!row(element, p)) return false;
  }
  return true;
}

// Calls `cell(index, value, path)` for each element of a row array.
template <class Cell>
bool cells(Reader& reader, value v, const Path& at, Cell cell) {
  array a;
  if (!reader.get_array(v, at, a)) return false;
  int i = 0;
  for (auto item : a) {
    value element;
    const Path p = at.element(i);
    if (!reader.next(item, p, element)) return false;
    if (!cell(i++, element, p)) return false;
  }
  return true;
}

// Calls `fn(key, value, path)` for each field of an object value.
template <class Fn>
bool fields(Reader& reader, value v, const Path& at, Fn fn) {
  object o;
  if (!reader.get_object(v, at, o)) return false;
  for (auto item : o) {
    field f;
    if (!reader.next(item, at, f)) return false;
    std::string_view key;
    if (auto ec = f.unescaped_key().get(key)) return reader.fail(at, ec);
    if (!fn(key, f.value(), at.field(key))) return false;
  }
  return true;
}

bool read_levels(Reader& reader, value v, const Path& at, std::vector<core::PriceLevel>& out) {
  return each(reader, v, at, [&](value row, const Path& p) {
    core::PriceLevel level;
    return cells(reader, row, p,
                 [&](int i, value c, const Path& cp) {
                   if (i == 0) return reader.decimal(c, cp, level.price);
                   if (i == 1) return reader.decimal(c, cp, level.qty);
                   return true;
                 }) &&
           (out.push_back(level), true);
  });
}

bool read_pair(Reader& reader, value pair, const Path& at, RestPair& out) {
  int pair_decimals = -1, lot_decimals = -1;
  std::optional<core::Decimal> tick;
  auto& inst = out.instrument;
  const bool ok = fields(reader, pair, at, [&](std::string_view key, value v, const Path& p) {
    if (key == "altname") return reader.string(v, p, out.altname);
    if (key == "wsname") return reader.string(v, p, out.wsname);
    if (key == "pair_decimals") return reader.integer(v, p, pair_decimals);
    if (key == "lot_decimals") return reader.integer(v, p, lot_decimals);
    if (key == "tick_size") return reader.decimal(v, p, tick.emplace());
    if (key == "ordermin") return reader.decimal(v, p, inst.qty_min);
    if (key == "costmin") return reader.decimal(v, p, inst.cost_min);
    if (key == "status") return reader.string(v, p, inst.status);
    if (key == "fees" || key == "fees_maker") {
      // [[volume, percent], ...]: the first tier is the fee without volume discounts.
      std::optional<core::Decimal> pct;
      const bool read = each(reader, v, p, [&](value tier, const Path& tp) {
        return cells(reader, tier, tp, [&](int i, value c, const Path& cp) {
          if (i != 1 || pct) return true;
          return reader.decimal(c, cp, pct.emplace());
        });
      });
      if (read && pct)
        (key == "fees" ? inst.taker_fee : inst.maker_fee) = *pct / core::Decimal::from_int(100);
      return read;
    }
    if (key == "leverage_buy") {
      int levels = 0;
      const bool read = each(reader, v, p, [&](value, const Path&) { return ++levels, true; });
      inst.marginable = levels > 0;
      return read;
    }
    return true;
  });
  if (!ok) return false;
  if (out.wsname.empty()) return reader.missing(at, "wsname");
  if (pair_decimals < 0) return reader.missing(at, "pair_decimals");
  if (lot_decimals < 0) return reader.missing(at, "lot_decimals");
  inst.symbol = v2_symbol(out.wsname);
  if (const auto parts = core::split_symbol(inst.symbol)) {
    inst.base = parts->first;
    inst.quote = parts->second;
  }
  inst.price_precision = pair_decimals;
  inst.qty_precision = lot_decimals;
  inst.price_increment = tick.value_or(power_of_ten(pair_decimals));
  inst.qty_increment = power_of_ten(lot_decimals);
  return true;
}

}  // namespace

// ---- rate counter ------------------------------------------------------------------------------

RestRateCounter::RestRateCounter(double max, double decay_per_second)
    : max_(std::max(1.0, max)), decay_(std::max(0.001, decay_per_second)) {}

void RestRateCounter::decay(TimePoint now) {
  if (at_ != TimePoint{} && now > at_) {
    const double seconds = std::chrono::duration<double>(now - at_).count();
    value_ = std::max(0.0, value_ - seconds * decay_);
  }
  if (now > at_) at_ = now;
}

double RestRateCounter::value(TimePoint now) {
  decay(now);
  return value_;
}

void RestRateCounter::add(double cost, TimePoint now) {
  decay(now);
  value_ += cost;
}

void RestRateCounter::saturate(TimePoint now) {
  decay(now);
  value_ = std::max(value_, max_);
}

milliseconds RestRateCounter::wait_for(double cost, TimePoint now) {
  decay(now);
  const double excess = value_ + cost - max_;
  if (excess <= 0.0) return milliseconds(0);
  return milliseconds(static_cast<std::int64_t>(std::ceil(excess / decay_ * 1000.0)));
}

double RestRateCounter::cost_of(std::string_view method) {
  return method == "Ledgers" || method == "QueryLedgers" || method == "TradesHistory" ? 2.0 : 1.0;
}

// ---- client -------------------------------------------------------------------------------------

std::string v2_symbol(std::string_view wsname) {
  const auto rename = [](std::string_view asset) -> std::string {
    if (asset == "XBT") return "BTC";
    if (asset == "XDG") return "DOGE";
    return std::string(asset);
  };
  const auto slash = wsname.find('/');
  if (slash == std::string_view::npos) return rename(wsname);
  return rename(wsname.substr(0, slash)) + "/" + rename(wsname.substr(slash + 1));
}

RestClient::RestClient(RestOptions options, std::shared_ptr<spdlog::logger> log)
    : options_(std::move(options)),
      log_(log ? std::move(log) : spdlog::default_logger()),
      http_(net::HttpClientOptions{options_.tls, options_.timeout, options_.user_agent, 64u << 20}),
      counter_(options_.rate_max, options_.rate_decay_per_second),
      backoff_(options_.backoff,
               options_.jitter_seed != 0 ? options_.jitter_seed : std::random_device{}()) {
  while (!options_.base_url.empty() && options_.base_url.back() == '/')
    options_.base_url.pop_back();
}

void RestClient::cancel() {
  std::lock_guard lock(mutex_);
  cancelled_ = true;
  cancel_cv_.notify_all();
}

RestStats RestClient::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

bool RestClient::wait(milliseconds delay) {
  std::unique_lock lock(mutex_);
  cancel_cv_.wait_for(lock, delay, [&] { return cancelled_; });
  return !cancelled_;
}

core::Result<std::string> RestClient::call_public(const std::string& method,
                                                  const net::ClientHeaders& query) {
  return call(method, false, query);
}

core::Result<std::string> RestClient::call_private(const std::string& method,
                                                   const net::ClientHeaders& params) {
  if (options_.api_key.empty() || options_.api_secret.empty()) {
    return core::Error::of("Kraken REST " + method +
                           ": a private call needs rest.api_key and rest.api_secret");
  }
  return call(method, true, params);
}

core::Result<std::string> RestClient::call(const std::string& method, bool is_private,
                                           const net::ClientHeaders& fields) {
  const std::string what = method;
  const bool repeatable = !is_private || kReadOnlyPrivate.count(method) > 0;
  const double cost = RestRateCounter::cost_of(method);
  std::string last_error;
  for (int attempt = 1; attempt <= std::max(1, options_.max_attempts); ++attempt) {
    {
      std::lock_guard lock(mutex_);
      if (cancelled_) return core::Error::of("Kraken REST " + what + ": cancelled");
    }
    // The local counter first: wait rather than be refused.
    for (auto w = counter_.wait_for(cost, SteadyClock::now()); w.count() > 0;
         w = counter_.wait_for(cost, SteadyClock::now())) {
      if (!wait(w)) return core::Error::of("Kraken REST " + what + ": cancelled");
      std::lock_guard lock(mutex_);
      stats_.waited += w;
    }
    counter_.add(cost, SteadyClock::now());

    net::HttpClientRequest request;
    if (is_private) {
      const std::string nonce = std::to_string(nonces_.next());
      net::ClientHeaders body{{"nonce", nonce}};
      body.insert(body.end(), fields.begin(), fields.end());
      const std::string path = "/0/private/" + method;
      request.method = "POST";
      request.url = options_.base_url + path;
      request.body = form_encode(body);
      auto sign = api_sign(path, nonce, request.body, options_.api_secret);
      if (!sign) return core::Error::of("Kraken REST " + what + ": " + sign.error().message);
      request.headers = {{"API-Key", options_.api_key},
                         {"API-Sign", *sign},
                         {"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}};
    } else {
      request.url = options_.base_url + "/0/public/" + method;
      if (!fields.empty()) request.url += "?" + form_encode(fields);
    }
    {
      std::lock_guard lock(mutex_);
      ++stats_.calls;
      if (attempt > 1) ++stats_.retries;
    }
    auto response = http_.request(request);
    bool retry = false;
    if (!response) {
      last_error = response.error().message;
      retry = repeatable;
    } else if (response->status == 429 || response->status >= 500) {
      last_error = "HTTP " + std::to_string(response->status);
      retry = true;
    } else {
      auto errors = envelope_errors(response->body);
      if (!errors) {
        return core::Error::of("Kraken REST " + what + ": HTTP " +
                               std::to_string(response->status) + ", " + errors.error().message);
      }
      if (errors->empty()) {
        backoff_.reset();
        return std::move(response->body);
      }
      last_error = join(*errors);
      const bool limited =
          std::any_of(errors->begin(), errors->end(), [](const auto& e) { return rate_error(e); });
      if (limited) {
        std::lock_guard lock(mutex_);
        ++stats_.rate_limited;
      }
      if (limited) counter_.saturate(SteadyClock::now());
      retry = limited || std::any_of(errors->begin(), errors->end(),
                                     [](const auto& e) { return transient_error(e); });
      if (!retry) return core::Error::of("Kraken REST " + what + ": " + last_error);
    }
    if (!retry || attempt == options_.max_attempts) break;
    const auto delay = backoff_.next();
    log_->warn("Kraken REST {}: {}; retrying in {} ms (attempt {} of {})", what, last_error,
               delay.count(), attempt + 1, options_.max_attempts);
    if (!wait(delay)) return core::Error::of("Kraken REST " + what + ": cancelled");
  }
  return core::Error::of("Kraken REST " + what + ": " + last_error);
}

core::Result<std::vector<RestPair>> RestClient::asset_pairs(const std::vector<std::string>& pairs) {
  net::ClientHeaders query;
  if (!pairs.empty()) query.emplace_back("pair", comma_list(pairs.begin(), pairs.end()));
  auto body = call_public("AssetPairs", query);
  if (!body) return body.error();
  std::vector<RestPair> out;
  auto status =
      parse_result(*body, "AssetPairs", [&](Reader& reader, value result, const Path& at) {
        return fields(reader, result, at, [&](std::string_view key, value v, const Path& p) {
          RestPair pair;
          pair.key = std::string(key);
          if (!read_pair(reader, v, p, pair)) return false;
          out.push_back(std::move(pair));
          return true;
        });
      });
  if (!status) return status.error();
  return out;
}

namespace {

// [time, open, high, low, close, vwap, volume, count]
bool read_bar(Reader& reader, value row, const Path& at, core::Bar& bar) {
  std::int64_t time = 0;
  int n = 0;
  const bool ok = cells(reader, row, at, [&](int i, value c, const Path& cp) {
    n = i + 1;
    switch (i) {
      case 0:
        return reader.int64(c, cp, time);
      case 1:
        return reader.decimal(c, cp, bar.open);
      case 2:
        return reader.decimal(c, cp, bar.high);
      case 3:
        return reader.decimal(c, cp, bar.low);
      case 4:
        return reader.decimal(c, cp, bar.close);
      case 5:
        return reader.decimal(c, cp, bar.vwap);
      case 6:
        return reader.decimal(c, cp, bar.volume);
      case 7:
        return reader.int64(c, cp, bar.trades);
      default:
        return true;
    }
  });
  if (!ok) return false;
  if (n < 8) return reader.fail(at, "expected [time, open, high, low, close, vwap, volume, count]");
  bar.open_time = core::Timestamp::from_seconds(time);
  return true;
}

// [price, volume, time, side, type, misc, trade_id]
bool read_trade(Reader& reader, value row, const Path& at, core::Trade& t) {
  int n = 0;
  const bool ok = cells(reader, row, at, [&](int i, value c, const Path& cp) {
    n = i + 1;
    std::string_view text;
    core::Decimal seconds;
    switch (i) {
      case 0:
        return reader.decimal(c, cp, t.price);
      case 1:
        return reader.decimal(c, cp, t.qty);
      case 2:
        if (!reader.decimal(c, cp, seconds)) return false;
        t.time = seconds_to_time(seconds);
        return true;
      case 3:
        if (!reader.string(c, cp, text)) return false;
        if (text != "b" && text != "s") return reader.fail(cp, "expected \"b\" or \"s\"");
        t.side = text == "b" ? core::Side::kBuy : core::Side::kSell;
        return true;
      case 4:
        if (!reader.string(c, cp, text)) return false;
        t.ord_type = text == "l" ? core::OrderType::kLimit : core::OrderType::kMarket;
        return true;
      case 6:
        return reader.int64(c, cp, t.trade_id);
      default:
        return true;
    }
  });
  if (!ok) return false;
  if (n < 5) return reader.fail(at, "expected [price, volume, time, side, type, misc, trade_id]");
  return true;
}

}  // namespace

core::Result<OhlcPage> RestClient::ohlc(const std::string& pair, const std::string& symbol,
                                        int interval_minutes, std::optional<std::int64_t> since) {
  net::ClientHeaders query{{"pair", pair}, {"interval", std::to_string(interval_minutes)}};
  if (since) query.emplace_back("since", std::to_string(*since));
  auto body = call_public("OHLC", query);
  if (!body) return body.error();
  OhlcPage page;
  auto status =
      parse_result(*body, "OHLC " + pair, [&](Reader& reader, value result, const Path& at) {
        return fields(reader, result, at, [&](std::string_view key, value v, const Path& p) {
          if (key == "last") return reader.int64(v, p, page.last);
          return each(reader, v, p, [&](value row, const Path& rp) {
            core::Bar bar;
            bar.symbol = symbol;
            bar.interval_minutes = interval_minutes;
            if (!read_bar(reader, row, rp, bar)) return false;
            page.bars.push_back(std::move(bar));
            return true;
          });
        });
      });
  if (!status) return status.error();
  return page;
}

core::Result<TradesPage> RestClient::trades(const std::string& pair, const std::string& symbol,
                                            const std::string& since, int count) {
  net::ClientHeaders query{{"pair", pair}};
  if (!since.empty()) query.emplace_back("since", since);
  if (count != 1000) query.emplace_back("count", std::to_string(count));
  auto body = call_public("Trades", query);
  if (!body) return body.error();
  TradesPage page;
  auto status =
      parse_result(*body, "Trades " + pair, [&](Reader& reader, value result, const Path& at) {
        return fields(reader, result, at, [&](std::string_view key, value v, const Path& p) {
          if (key == "last") return reader.string(v, p, page.last);
          return each(reader, v, p, [&](value row, const Path& rp) {
            core::Trade t;
            t.symbol = symbol;
            if (!read_trade(reader, row, rp, t)) return false;
            page.trades.push_back(std::move(t));
            return true;
          });
        });
      });
  if (!status) return status.error();
  return page;
}

core::Result<DepthSnapshot> RestClient::depth(const std::string& pair, int count) {
  auto body = call_public("Depth", {{"pair", pair}, {"count", std::to_string(count)}});
  if (!body) return body.error();
  DepthSnapshot book;
  auto status =
      parse_result(*body, "Depth " + pair, [&](Reader& reader, value result, const Path& at) {
        return fields(reader, result, at, [&](std::string_view, value v, const Path& p) {
          return fields(reader, v, p, [&](std::string_view side, value levels, const Path& sp) {
            if (side == "bids") return read_levels(reader, levels, sp, book.bids);
            if (side == "asks") return read_levels(reader, levels, sp, book.asks);
            return true;
          });
        });
      });
  if (!status) return status.error();
  return book;
}

core::Result<core::Timestamp> RestClient::server_time() {
  auto body = call_public("Time", {});
  if (!body) return body.error();
  std::int64_t unixtime = -1;
  auto status = parse_result(*body, "Time", [&](Reader& reader, value result, const Path& at) {
    const bool ok = fields(reader, result, at, [&](std::string_view key, value v, const Path& p) {
      return key == "unixtime" ? reader.int64(v, p, unixtime) : true;
    });
    return ok && (unixtime >= 0 || reader.missing(at, "unixtime"));
  });
  if (!status) return status.error();
  return core::Timestamp::from_seconds(unixtime);
}

namespace {

bool read_rest_order(Reader& reader, value v, const Path& at, RestOrder& order) {
  bool has_status = false;
  bool has_vol_exec = false;
  const bool ok = fields(reader, v, at, [&](std::string_view key, value f, const Path& p) {
    if (key == "status") {
      has_status = true;
      return reader.string(f, p, order.status);
    }
    if (key == "cl_ord_id") return reader.string(f, p, order.cl_ord_id);
    if (key == "vol") return reader.decimal(f, p, order.vol);
    if (key == "vol_exec") {
      has_vol_exec = true;
      return reader.decimal(f, p, order.vol_exec);
    }
    if (key == "cost") return reader.decimal(f, p, order.cost);
    if (key == "fee") return reader.decimal(f, p, order.fee);
    if (key == "price") return reader.decimal(f, p, order.avg_price);
    return true;  // descr, times, flags: not needed to settle fills
  });
  if (!ok) return false;
  if (!has_status) return reader.missing(at, "status");
  if (!has_vol_exec) return reader.missing(at, "vol_exec");
  return true;
}

}  // namespace

core::Result<std::vector<RestOrder>> RestClient::query_orders(
    const std::vector<std::string>& order_ids) {
  constexpr std::size_t kIdsPerCall = 50;
  std::vector<RestOrder> out;
  for (std::size_t first = 0; first < order_ids.size(); first += kIdsPerCall) {
    const auto begin = order_ids.begin() + static_cast<std::ptrdiff_t>(first);
    const auto end = order_ids.begin() +
                     static_cast<std::ptrdiff_t>(std::min(order_ids.size(), first + kIdsPerCall));
    auto body = call_private("QueryOrders", {{"txid", comma_list(begin, end)}});
    if (!body) return body.error();
    auto status =
        parse_result(*body, "QueryOrders", [&](Reader& reader, value result, const Path& at) {
          return fields(reader, result, at, [&](std::string_view key, value v, const Path& p) {
            RestOrder order;
            order.order_id = std::string(key);
            if (!read_rest_order(reader, v, p, order)) return false;
            out.push_back(std::move(order));
            return true;
          });
        });
    if (!status) return status.error();
  }
  return out;
}

core::Result<WebSocketsToken> RestClient::websockets_token() {
  auto body = call_private("GetWebSocketsToken", {});
  if (!body) return body.error();
  WebSocketsToken token;
  auto status =
      parse_result(*body, "GetWebSocketsToken", [&](Reader& reader, value result, const Path& at) {
        const bool ok =
            fields(reader, result, at, [&](std::string_view key, value v, const Path& p) {
              if (key == "token") return reader.string(v, p, token.token);
              if (key == "expires") return reader.int64(v, p, token.expires_seconds);
              return true;
            });
        return ok && (!token.token.empty() || reader.missing(at, "token"));
      });
  if (!status) return status.error();
  return token;
}

}  // namespace tg4::kraken
