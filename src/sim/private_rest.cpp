#include "sim/private_rest.hpp"

#include <algorithm>
#include <charconv>
#include <functional>

#include "kraken/signing.hpp"
#include "sim/json_writer.hpp"
#include "sim/private_wire.hpp"
#include "sim/rest_api.hpp"
#include "sim/sim_symbol.hpp"

namespace tg4::sim {
namespace {

constexpr std::string_view kPrivatePrefix = "/0/private/";
constexpr std::size_t kClosedPage = 50;

net::HttpResponse ok_response(const std::function<void(JsonWriter&)>& result) {
  JsonWriter w(1024);
  w.begin_object().key("error").begin_array().end_array();
  w.key("result").begin_object();
  result(w);
  w.end_object().end_object();
  return net::HttpResponse::json(200, w.take());
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<std::string> decode(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out.push_back(' ');
    } else if (s[i] == '%') {
      if (i + 2 >= s.size()) return std::nullopt;
      const int hi = hex_value(s[i + 1]);
      const int lo = hex_value(s[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

bool same(std::string_view a, std::string_view b) {
  // Constant time in the length of a matching signature: no early exit on the first wrong byte.
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (std::size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

const std::string* field(const std::map<std::string, std::string>& form, const std::string& key) {
  const auto it = form.find(key);
  return it == form.end() || it->second.empty() ? nullptr : &it->second;
}

// The order matches the userref / cl_ord_id filters of the request, if any.
bool matches(const SimOrder& o, const std::map<std::string, std::string>& form) {
  if (const auto* ref = field(form, "userref");
      ref && std::to_string(o.order_userref.value_or(0)) != *ref)
    return false;
  if (const auto* cl = field(form, "cl_ord_id"); cl && o.cl_ord_id != *cl) return false;
  return true;
}

std::optional<std::int64_t> to_int(const std::string& text) {
  std::int64_t v = 0;
  const auto* end = text.data() + text.size();
  if (std::from_chars(text.data(), end, v).ptr != end) return std::nullopt;
  return v;
}

}  // namespace

std::optional<std::map<std::string, std::string>> parse_form(std::string_view body) {
  std::map<std::string, std::string> out;
  while (!body.empty()) {
    const std::size_t amp = body.find('&');
    const std::string_view pair = body.substr(0, amp);
    body = amp == std::string_view::npos ? std::string_view() : body.substr(amp + 1);
    if (pair.empty()) continue;
    const std::size_t eq = pair.find('=');
    auto key = decode(pair.substr(0, eq));
    auto value = decode(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1));
    if (!key || !value) return std::nullopt;
    out.emplace(std::move(*key), std::move(*value));
  }
  return out;
}

const std::vector<std::string>& PrivateRest::methods() {
  static const std::vector<std::string> kMethods = {
      "GetWebSocketsToken", "Balance", "BalanceEx", "OpenOrders", "ClosedOrders", "QueryOrders"};
  return kMethods;
}

std::string PrivateRest::authenticate(const net::HttpRequest& request, const Form& form) {
  const auto& options = x_.exchange().options;
  const std::string* key = request.header("api-key");
  if (key == nullptr || *key != options.api_key) return "EAPI:Invalid key";
  const std::string* nonce_text = field(form, "nonce");
  std::uint64_t nonce = 0;
  if (nonce_text == nullptr ||
      std::from_chars(nonce_text->data(), nonce_text->data() + nonce_text->size(), nonce).ptr !=
          nonce_text->data() + nonce_text->size()) {
    return "EAPI:Invalid nonce";
  }
  const std::string* sign = request.header("api-sign");
  auto expected = kraken::api_sign(request.path, *nonce_text, request.body, options.api_secret);
  if (sign == nullptr || !expected || !same(*sign, *expected)) return "EAPI:Invalid signature";
  if (nonce <= last_nonce_) return "EAPI:Invalid nonce";
  last_nonce_ = nonce;
  return {};
}

net::HttpResponse PrivateRest::handle(const net::HttpRequest& request, std::string* endpoint) {
  const std::string_view path = request.path;
  const std::string method(path.substr(0, kPrivatePrefix.size()) == kPrivatePrefix ? path.substr(kPrivatePrefix.size())
                                                                     : "");
  const bool known = std::find(methods().begin(), methods().end(), method) != methods().end();
  if (endpoint != nullptr) *endpoint = known ? method : "unknown";
  if (!known) return RestApi::error("EGeneral:Unknown method", 404);
  const auto form = parse_form(request.body);
  if (!form) return RestApi::error("EGeneral:Invalid arguments:body is not form-encoded");
  if (const std::string error = authenticate(request, *form); !error.empty()) {
    x_.metrics().reject(error);
    return RestApi::error(error);
  }
  if (method == "GetWebSocketsToken") return token();
  if (method == "Balance" || method == "BalanceEx") return balance(method == "BalanceEx");
  if (method == "OpenOrders") return open_orders(*form);
  if (method == "ClosedOrders") return closed_orders(*form);
  return query_orders(*form);
}

net::HttpResponse PrivateRest::token() {
  const std::string token = x_.issue_token();
  const auto expires = x_.exchange().options.token_lifetime.count();
  return ok_response([&](JsonWriter& w) { w.key("token").string(token).key("expires").integer(expires); });
}

net::HttpResponse PrivateRest::balance(bool extended) {
  const Account& account = x_.account();
  return ok_response([&](JsonWriter& w) {
    for (const auto& [asset, amount] : account.balances()) {
      const int digits = asset_precision(asset);
      w.key(kraken_asset_id(asset));
      if (!extended) {
        w.string(amount.to_string(digits));
        continue;
      }
      w.begin_object();
      w.key("balance").string(amount.to_string(digits));
      w.key("hold_trade").string(account.held(asset).to_string(digits, core::Rounding::kUp));
      w.end_object();
    }
  });
}

net::HttpResponse PrivateRest::open_orders(const Form& form) {
  return ok_response([&](JsonWriter& w) {
    w.key("open").begin_object();
    for (const SimOrder* o : x_.engine().open_orders()) {
      if (!matches(*o, form)) continue;
      w.key(o->order_id);
      wire::rest_order(w, *o);
    }
    w.end_object();
  });
}

net::HttpResponse PrivateRest::closed_orders(const Form& form) {
  std::optional<std::int64_t> start, end, ofs;
  for (const auto& [key, out] :
       {std::pair<const char*, std::optional<std::int64_t>*>{"start", &start},
        {"end", &end},
        {"ofs", &ofs}}) {
    if (const auto* text = field(form, key)) {
      *out = to_int(*text);
      if (!*out || **out < 0)
        return RestApi::error(std::string("EGeneral:Invalid arguments:") + key);
    }
  }
  std::vector<const SimOrder*> selected;
  const auto& closed = x_.engine().closed_orders();
  for (auto it = closed.rbegin(); it != closed.rend(); ++it) {  // newest first
    const std::int64_t t = it->closed.seconds();
    if (!matches(*it, form) || (start && t < *start) || (end && t > *end)) continue;
    selected.push_back(&*it);
  }
  const std::size_t first =
      std::min<std::size_t>(static_cast<std::size_t>(ofs.value_or(0)), selected.size());
  const std::size_t last = std::min(selected.size(), first + kClosedPage);
  return ok_response([&](JsonWriter& w) {
    w.key("closed").begin_object();
    for (std::size_t i = first; i < last; ++i) {
      w.key(selected[i]->order_id);
      wire::rest_order(w, *selected[i]);
    }
    w.end_object();
    w.key("count").unsigned_integer(selected.size());
  });
}

net::HttpResponse PrivateRest::query_orders(const Form& form) {
  const std::string* txids = field(form, "txid");
  if (txids == nullptr) return RestApi::error("EGeneral:Invalid arguments:txid");
  std::vector<const SimOrder*> found;
  std::string_view rest = *txids;
  while (!rest.empty()) {
    const std::size_t comma = rest.find(',');
    const std::string_view id = rest.substr(0, comma);
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    const SimOrder* o = x_.engine().find(id);
    if (o == nullptr) return RestApi::error("EOrder:Invalid order");
    if (matches(*o, form)) found.push_back(o);
  }
  return ok_response([&](JsonWriter& w) {
    for (const SimOrder* o : found) {
      w.key(o->order_id);
      wire::rest_order(w, *o);
    }
  });
}

}  // namespace tg4::sim
