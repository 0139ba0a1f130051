#pragma once
// PrivateRest: Kraken's private REST endpoints on the simulator's port (POST /0/private/<Method>,
// form body with a nonce): GetWebSocketsToken, Balance, BalanceEx, OpenOrders (trades, userref,
// cl_ord_id filters), ClosedOrders (userref, cl_ord_id, start, end, ofs; newest first, 50 a page)
// and QueryOrders (txid list). Every call is checked as Kraken checks it: API-Key must be the
// account's key
// ("EAPI:Invalid key"), API-Sign = base64(HMAC-SHA512(base64decode(secret), path + SHA256(nonce +
// body))) ("EAPI:Invalid signature"), and the nonce must grow with every call of the key
// ("EAPI:Invalid nonce"). The secret is never logged.
#include <cstdint>
#include <map>
#include <string>

#include "net/http_server.hpp"
#include "sim/private_exchange.hpp"

namespace tg4::sim {

class PrivateRest {
 public:
  explicit PrivateRest(PrivateExchange& exchange) : x_(exchange) {}

  // The methods served, for route registration.
  static const std::vector<std::string>& methods();
  // Answers /0/private/<Method>; the endpoint label for metrics goes to `endpoint`.
  net::HttpResponse handle(const net::HttpRequest& request, std::string* endpoint = nullptr);

 private:
  using Form = std::map<std::string, std::string>;
  // Empty if the request is signed by the account's key with a fresh nonce, else Kraken's error.
  std::string authenticate(const net::HttpRequest& request, const Form& form);
  net::HttpResponse token();
  net::HttpResponse balance(bool extended);
  net::HttpResponse open_orders(const Form& form);
  net::HttpResponse closed_orders(const Form& form);
  net::HttpResponse query_orders(const Form& form);

  PrivateExchange& x_;
  std::uint64_t last_nonce_ = 0;
};

// key=value&... with %XX and '+' decoded; nullopt for a broken escape.
std::optional<std::map<std::string, std::string>> parse_form(std::string_view body);

}  // namespace tg4::sim
