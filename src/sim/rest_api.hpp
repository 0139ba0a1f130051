#pragma once
// RestApi: Kraken's public REST endpoints over the simulator's state, in Kraken's JSON envelope
// ({"error":[...],"result":{...}}, HTTP 200 even for errors, as Kraken does): AssetPairs, OHLC (max
// 720 bars, `since`, `last`), Trades (paginated by `since`/`last` in nanoseconds), Depth, Time and
// SystemStatus. History comes from SymbolHistory, so answers are a pure function of the seed and clock.
#include <string>
#include <string_view>

#include "net/http_server.hpp"
#include "sim/exchange.hpp"

namespace tg4::sim {

class RestApi {
 public:
  explicit RestApi(Exchange& exchange) : exchange_(exchange) {}

  // Answers a request for /0/public/<Method>; the endpoint label for metrics goes to `endpoint`.
  net::HttpResponse handle(const net::HttpRequest& request, std::string* endpoint = nullptr) const;

  net::HttpResponse asset_pairs(const net::HttpRequest& request) const;
  net::HttpResponse ohlc(const net::HttpRequest& request) const;
  net::HttpResponse trades(const net::HttpRequest& request) const;
  net::HttpResponse depth(const net::HttpRequest& request) const;
  net::HttpResponse time() const;
  net::HttpResponse system_status() const;

  static net::HttpResponse error(std::string_view kraken_error, int status = 200);

 private:
  struct Found {
    SymbolState* state = nullptr;
    std::string result_key;  // the name the result is keyed by
  };
  // The pair a request names (key, altname, wsname or v2 symbol), or the error response.
  Found find_pair(std::string_view name) const;

  Exchange& exchange_;
};

}  // namespace tg4::sim
