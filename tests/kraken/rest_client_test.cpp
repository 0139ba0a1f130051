// kraken::RestClient against a canned Kraken REST server on 127.0.0.1: typed parsing of AssetPairs,
// OHLC, Trades and Depth (exact decimals and times), the signed GetWebSocketsToken call, retries on
// `EAPI:Rate limit exceeded`, errors that are not retried, and the local REST rate counter.
#include "kraken/rest_client.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <thread>

#include "net/http_server.hpp"
#include "net/ws_client.hpp"

namespace tg4::kraken {
namespace {

using namespace std::chrono_literals;
using core::Decimal;

constexpr const char* kAssetPairs = R"({"error":[],"result":{
 "XXBTZUSD":{"altname":"XBTUSD","wsname":"XBT/USD","aclass_base":"currency","base":"XXBT","aclass_quote":"currency",
  "quote":"ZUSD","lot":"unit","cost_decimals":5,"pair_decimals":1,"lot_decimals":8,"lot_multiplier":1,
  "leverage_buy":[2,3],"leverage_sell":[2,3],"fees":[[0,0.40],[10000,0.35]],"fees_maker":[[0,0.25],[10000,0.20]],
  "fee_volume_currency":"ZUSD","margin_call":80,"margin_stop":40,"ordermin":"0.00005","costmin":"0.5",
  "tick_size":"0.1","status":"online"},
 "XDGUSD":{"altname":"XDGUSD","wsname":"XDG/USD","base":"XXDG","quote":"ZUSD","pair_decimals":7,"lot_decimals":8,
  "leverage_buy":[],"fees":[[0,0.40]],"fees_maker":[[0,0.25]],"ordermin":"13","costmin":"0.5","status":"online"}}})";

constexpr const char* kOhlc = R"({"error":[],"result":{"XXBTZUSD":[
 [1688671200,"30306.1","30306.2","30305.7","30305.7","30306.1","3.39243896",23],
 [1688671260,"30304.5","30304.5","30300.0","30300.0","30300.3","4.42996871",18]],"last":1688671200}})";

constexpr const char* kTrades = R"({"error":[],"result":{"XXBTZUSD":[
 ["30243.40000","0.34507674",1688669597.8277369,"b","m","",61044952],
 ["30243.30000","0.00376086",1688669598.2804179,"s","l","",61044953]],"last":"1688669598280417900"}})";

constexpr const char* kDepth = R"({"error":[],"result":{"XXBTZUSD":{
 "asks":[["30384.10000","2.059",1688671659],["30387.90000","1.500",1688671380]],
 "bids":[["30297.00000","1.115",1688671636],["30296.70000","2.002",1688671674]]}}})";

struct Canned {
  Canned() : server(io.io(), {}) {
    const auto serve = [this](const char* name, std::string body) {
      server.route(
          "GET", std::string("/0/public/") + name, [this, name, body](const net::HttpRequest& r) {
            record(r);
            std::lock_guard lock(mutex);
            if (refusals > 0) {
              --refusals;
              return net::HttpResponse::json(200, R"({"error":["EAPI:Rate limit exceeded"]})");
            }
            (void)name;
            return net::HttpResponse::json(200, body);
          });
    };
    serve("AssetPairs", kAssetPairs);
    serve("OHLC", kOhlc);
    serve("Trades", kTrades);
    serve("Depth", kDepth);
    serve(
        "Time",
        R"({"error":[],"result":{"unixtime":1688669448,"rfc1123":"Thu, 06 Jul 23 18:50:48 +0000"}})");
    server.route("GET", "/0/public/Broken", [this](const net::HttpRequest& r) {
      record(r);
      return net::HttpResponse::json(200, R"({"error":["EQuery:Unknown asset pair"]})");
    });
    server.route("POST", "/0/private/GetWebSocketsToken", [this](const net::HttpRequest& r) {
      record(r);
      const auto* key = r.header("api-key");
      const auto* sign = r.header("api-sign");
      const auto nonce = r.body.substr(r.body.find('=') + 1);
      const auto expected = api_sign("/0/private/GetWebSocketsToken", nonce, r.body, secret);
      if (key == nullptr || *key != "the-key" || sign == nullptr || !expected ||
          *sign != *expected) {
        return net::HttpResponse::json(200, R"({"error":["EAPI:Invalid signature"]})");
      }
      return net::HttpResponse::json(200,
                                     R"({"error":[],"result":{"token":"tok123","expires":900}})");
    });
    if (!server.start()) throw std::runtime_error("server");
  }
  void record(const net::HttpRequest& r) {
    std::lock_guard lock(mutex);
    requests.push_back(r);
  }
  RestOptions options() const {
    RestOptions o;
    o.base_url = "http://127.0.0.1:" + std::to_string(server.port()) + "/";
    o.backoff = {10ms, 50ms, 2.0};
    o.jitter_seed = 5;
    o.rate_decay_per_second = 200;  // a refusal saturates the counter: 5 ms to drain one call
    return o;
  }
  std::vector<net::HttpRequest> recorded() {
    std::lock_guard lock(mutex);
    return requests;
  }
  void refuse(int n) {
    std::lock_guard lock(mutex);
    refusals = n;
  }

  std::string secret = base64_encode("a 64-byte secret would be usual, any length signs");
  net::IoThread io;
  std::mutex mutex;
  std::vector<net::HttpRequest> requests;
  int refusals = 0;
  net::HttpServer server;
};

TEST(RestClient, AssetPairsBecomeInstrumentsInWsV2Form) {
  Canned k;
  RestClient client(k.options());
  const auto pairs = client.asset_pairs();
  ASSERT_TRUE(pairs.ok()) << pairs.error().message;
  ASSERT_EQ(pairs->size(), 2u);
  const auto& btc = (*pairs)[0];
  EXPECT_EQ(btc.key, "XXBTZUSD");
  EXPECT_EQ(btc.altname, "XBTUSD");
  EXPECT_EQ(btc.wsname, "XBT/USD");
  const auto& i = btc.instrument;
  EXPECT_EQ(i.symbol, "BTC/USD");
  EXPECT_EQ(i.base, "BTC");
  EXPECT_EQ(i.quote, "USD");
  EXPECT_EQ(i.price_precision, 1);
  EXPECT_EQ(i.qty_precision, 8);
  EXPECT_EQ(i.price_increment, Decimal::must("0.1"));
  EXPECT_EQ(i.qty_increment, Decimal::must("0.00000001"));
  EXPECT_EQ(i.qty_min, Decimal::must("0.00005"));
  EXPECT_EQ(i.cost_min, Decimal::must("0.5"));
  EXPECT_EQ(i.taker_fee, Decimal::must("0.004"));
  EXPECT_EQ(i.maker_fee, Decimal::must("0.0025"));
  EXPECT_TRUE(i.marginable);
  EXPECT_EQ(i.status, "online");
  const auto& doge = (*pairs)[1].instrument;
  EXPECT_EQ(doge.symbol, "DOGE/USD");
  EXPECT_EQ(doge.price_increment, Decimal::must("0.0000001")) << "no tick_size: from pair_decimals";
  EXPECT_FALSE(doge.marginable);
}

TEST(RestClient, OhlcBarsAreExact) {
  Canned k;
  RestClient client(k.options());
  const auto page = client.ohlc("XBTUSD", "BTC/USD", 1, 1688671100);
  ASSERT_TRUE(page.ok()) << page.error().message;
  ASSERT_EQ(page->bars.size(), 2u);
  EXPECT_EQ(page->last, 1688671200);
  const auto& b = page->bars[1];
  EXPECT_EQ(b.symbol, "BTC/USD");
  EXPECT_EQ(b.interval_minutes, 1);
  EXPECT_EQ(b.open_time, core::Timestamp::from_seconds(1688671260));
  EXPECT_EQ(b.open.to_string(), "30304.5");
  EXPECT_EQ(b.low.to_string(), "30300");
  EXPECT_EQ(b.vwap.to_string(), "30300.3");
  EXPECT_EQ(b.volume.to_string(), "4.42996871");
  EXPECT_EQ(b.trades, 18);
  const auto r = k.recorded().back();
  EXPECT_EQ(*r.query_param("pair"), "XBTUSD");
  EXPECT_EQ(*r.query_param("interval"), "1");
  EXPECT_EQ(*r.query_param("since"), "1688671100");
}

TEST(RestClient, TradesKeepMicrosecondTimesAndTheCursor) {
  Canned k;
  RestClient client(k.options());
  const auto page = client.trades("XBTUSD", "BTC/USD", "1688669597000000000");
  ASSERT_TRUE(page.ok()) << page.error().message;
  ASSERT_EQ(page->trades.size(), 2u);
  EXPECT_EQ(page->last, "1688669598280417900");
  const auto& t = page->trades[0];
  EXPECT_EQ(t.symbol, "BTC/USD");
  EXPECT_EQ(t.price.to_string(), "30243.4");
  EXPECT_EQ(t.qty.to_string(), "0.34507674");
  EXPECT_EQ(t.time.ns, 1688669597827736900) << "no double rounding of the seconds";
  EXPECT_EQ(t.side, core::Side::kBuy);
  EXPECT_EQ(t.ord_type, core::OrderType::kMarket);
  EXPECT_EQ(t.trade_id, 61044952);
  EXPECT_EQ(page->trades[1].side, core::Side::kSell);
  EXPECT_EQ(page->trades[1].ord_type, core::OrderType::kLimit);
  EXPECT_EQ(*k.recorded().back().query_param("since"), "1688669597000000000");
}

TEST(RestClient, DepthSidesInOrder) {
  Canned k;
  RestClient client(k.options());
  const auto book = client.depth("XBTUSD", 2);
  ASSERT_TRUE(book.ok()) << book.error().message;
  ASSERT_EQ(book->asks.size(), 2u);
  ASSERT_EQ(book->bids.size(), 2u);
  EXPECT_EQ(book->asks[0].price.to_string(), "30384.1");
  EXPECT_EQ(book->bids[0].qty.to_string(), "1.115");
}

TEST(RestClient, ServerTimeIsTheExchangesClock) {
  Canned k;
  RestClient client(k.options());
  const auto now = client.server_time();
  ASSERT_TRUE(now.ok()) << now.error().message;
  EXPECT_EQ(*now, core::Timestamp::from_seconds(1688669448));
}

TEST(RestClient, RateLimitAnswersAreRetriedAfterBackoff) {
  Canned k;
  k.refuse(2);
  RestClient client(k.options());
  const auto page = client.ohlc("XBTUSD", "BTC/USD", 1);
  ASSERT_TRUE(page.ok()) << page.error().message;
  const auto s = client.stats();
  EXPECT_EQ(s.calls, 3u);
  EXPECT_EQ(s.retries, 2u);
  EXPECT_EQ(s.rate_limited, 2u);
}

TEST(RestClient, GivesUpAfterMaxAttemptsNamingTheError) {
  Canned k;
  k.refuse(100);
  auto o = k.options();
  o.max_attempts = 3;
  RestClient client(o);
  const auto page = client.ohlc("XBTUSD", "BTC/USD", 1);
  ASSERT_FALSE(page.ok());
  EXPECT_NE(page.error().message.find("EAPI:Rate limit exceeded"), std::string::npos)
      << page.error().message;
  EXPECT_NE(page.error().message.find("OHLC"), std::string::npos);
  EXPECT_EQ(client.stats().calls, 3u);
}

TEST(RestClient, OtherKrakenErrorsAreNotRetried) {
  Canned k;
  RestClient client(k.options());
  const auto r = client.call_public("Broken", {{"pair", "NOPE"}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "Kraken REST Broken: EQuery:Unknown asset pair");
  EXPECT_EQ(client.stats().calls, 1u);
}

TEST(RestClient, UnreachableServerIsRetriedThenReported) {
  auto o = Canned().options();  // the server is gone once the temporary is destroyed
  o.max_attempts = 2;
  RestClient client(o);
  const auto r = client.asset_pairs();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("AssetPairs"), std::string::npos) << r.error().message;
  EXPECT_EQ(client.stats().calls, 2u);
}

TEST(RestClient, WebSocketsTokenIsASignedPost) {
  Canned k;
  auto o = k.options();
  o.api_key = "the-key";
  o.api_secret = k.secret;
  RestClient client(o);
  const auto token = client.websockets_token();
  ASSERT_TRUE(token.ok()) << token.error().message;
  EXPECT_EQ(token->token, "tok123");
  EXPECT_EQ(token->expires_seconds, 900);
  const auto r = k.recorded().back();
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.body.rfind("nonce=", 0), 0u);
  EXPECT_NE(r.header("content-type")->find("application/x-www-form-urlencoded"), std::string::npos);
  // A second call carries a larger nonce.
  ASSERT_TRUE(client.websockets_token().ok());
  const auto r2 = k.recorded().back();
  EXPECT_GT(std::stoull(r2.body.substr(6)), std::stoull(r.body.substr(6)));
}

TEST(RestClient, PrivateCallsNeedKeys) {
  Canned k;
  RestClient client(k.options());
  const auto token = client.websockets_token();
  ASSERT_FALSE(token.ok());
  EXPECT_NE(token.error().message.find("api_key"), std::string::npos);
  EXPECT_TRUE(k.recorded().empty());
}

TEST(RestClient, TheLocalCounterMakesCallsWait) {
  Canned k;
  auto o = k.options();
  o.rate_max = 2;
  o.rate_decay_per_second = 10;  // one call per 100 ms once the burst is spent
  RestClient client(o);
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(client.depth("XBTUSD").ok());
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_GE(took, 250ms) << "3 calls over the burst at 10/s";
  EXPECT_GE(client.stats().waited, 250ms);
  EXPECT_EQ(client.stats().rate_limited, 0u);
}

TEST(RestClient, CancelEndsAWait) {
  Canned k;
  auto o = k.options();
  o.rate_max = 1;
  o.rate_decay_per_second = 0.01;  // the second call would wait 100 s
  RestClient client(o);
  ASSERT_TRUE(client.depth("XBTUSD").ok());
  std::thread canceller([&] {
    std::this_thread::sleep_for(100ms);  // let the call start waiting
    client.cancel();
  });
  const auto start = std::chrono::steady_clock::now();
  const auto r = client.depth("XBTUSD");
  canceller.join();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("cancelled"), std::string::npos);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
}

TEST(RestRateCounter, StarterTierBudget) {
  RestRateCounter c;  // max 15, decay 0.33/s
  const auto t0 = std::chrono::steady_clock::time_point{} + 1h;
  for (int i = 0; i < 15; ++i) {
    ASSERT_EQ(c.wait_for(1, t0).count(), 0) << i;
    c.add(1, t0);
  }
  EXPECT_DOUBLE_EQ(c.value(t0), 15.0);
  EXPECT_EQ(c.wait_for(1, t0).count(), 3031);  // ceil(1 / 0.33 s)
  EXPECT_EQ(c.wait_for(1, t0 + 3031ms).count(), 0);
  EXPECT_NEAR(c.value(t0 + 10s), 15 - 3.3, 1e-9);
  EXPECT_NEAR(c.value(t0 + 1h), 0.0, 1e-9) << "never below zero";
  c.saturate(t0 + 1h);
  EXPECT_DOUBLE_EQ(c.value(t0 + 1h), 15.0);
  EXPECT_EQ(RestRateCounter::cost_of("Ledgers"), 2.0);
  EXPECT_EQ(RestRateCounter::cost_of("TradesHistory"), 2.0);
  EXPECT_EQ(RestRateCounter::cost_of("OHLC"), 1.0);
}

TEST(V2Symbol, RenamesLegacyAssetCodes) {
  EXPECT_EQ(v2_symbol("XBT/USD"), "BTC/USD");
  EXPECT_EQ(v2_symbol("XDG/XBT"), "DOGE/BTC");
  EXPECT_EQ(v2_symbol("ETH/USDT"), "ETH/USDT");
}

}  // namespace
}  // namespace tg4::kraken
