#pragma once
// RestClient: Kraken's REST API as typed calls (SPEC §3 History): public AssetPairs (->
// instruments), OHLC (max 720 bars a call, `since`), Trades (paginated by the `last` cursor),
// Depth, and the private GetWebSocketsToken (signed, see signing.hpp). Every call passes through a
// local copy of Kraken's REST call counter, so we wait instead of being refused; a refusal anyway
// (`EAPI:Rate limit exceeded`), a busy/unavailable service or a transport failure of an idempotent
// call is retried after an exponential backoff with jitter. Blocking; one caller at a time per
// client.
#include <spdlog/logger.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/events.hpp"
#include "core/instrument.hpp"
#include "core/result.hpp"
#include "kraken/rest_order.hpp"
#include "kraken/signing.hpp"
#include "net/backoff.hpp"
#include "net/http_client.hpp"

namespace tg4::kraken {

// Kraken's REST call counter: each call adds its cost, the counter decays continuously, and a call
// that would take it past the maximum must wait. Starter tier: max 15, decay 0.33/s; most calls
// cost 1, Ledgers/TradeHistory/QueryLedgers 2. Time is passed in, so tests need no clock.
class RestRateCounter {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  RestRateCounter(double max = 15.0, double decay_per_second = 0.33);

  // How long until a call of `cost` fits; zero when it fits now.
  std::chrono::milliseconds wait_for(double cost, TimePoint now);
  void add(double cost, TimePoint now);
  // Kraken said we are at its limit: the local copy is set to the maximum.
  void saturate(TimePoint now);
  double value(TimePoint now);
  double max() const { return max_; }

  // Cost of a REST method by Kraken's published table.
  static double cost_of(std::string_view method);

 private:
  void decay(TimePoint now);
  double max_;
  double decay_;
  double value_ = 0.0;
  TimePoint at_{};
};

struct RestOptions {
  std::string base_url = "https://api.kraken.com";
  net::ClientTlsOptions tls;
  std::chrono::milliseconds timeout{10'000};
  std::string api_key;     // private calls only; never logged
  std::string api_secret;  // base64, as Kraken gives it; never logged
  double rate_max = 15.0;
  double rate_decay_per_second = 0.33;
  int max_attempts = 6;  // per call, the first included
  net::BackoffOptions backoff;
  std::uint64_t jitter_seed = 0;  // 0: random
  std::string user_agent = "tg4";
};

// A pair as AssetPairs lists it, with the names REST and WS use for it.
struct RestPair {
  std::string key;              // "XXBTZUSD": how results are keyed
  std::string altname;          // "XBTUSD": what `pair=` accepts
  std::string wsname;           // "XBT/USD"
  core::Instrument instrument;  // symbol in WS v2 form: "BTC/USD"
};

struct OhlcPage {
  std::vector<core::Bar> bars;  // oldest first; the last one may still be forming
  std::int64_t last = 0;        // Kraken's `last`: the id to pass as `since` for newer bars
};

struct TradesPage {
  std::vector<core::Trade> trades;  // oldest first
  std::string last;                 // the cursor for the next page (nanoseconds, as text)
};

struct DepthSnapshot {
  std::vector<core::PriceLevel> bids;  // high -> low
  std::vector<core::PriceLevel> asks;  // low -> high
};

struct WebSocketsToken {
  std::string token;  // never logged
  std::int64_t expires_seconds = 0;
};

// "XBT/USD" -> "BTC/USD", "XDG/USD" -> "DOGE/USD": REST's wsname in WS v2 form.
std::string v2_symbol(std::string_view wsname);

struct RestStats {
  std::uint64_t calls = 0;              // HTTP requests sent
  std::uint64_t retries = 0;            // requests repeated after a retryable failure
  std::uint64_t rate_limited = 0;       // `EAPI:Rate limit exceeded` answers
  std::chrono::milliseconds waited{0};  // time spent waiting for the local counter
};

class RestClient {
 public:
  explicit RestClient(RestOptions options, std::shared_ptr<spdlog::logger> log = nullptr);
  RestClient(const RestClient&) = delete;
  RestClient& operator=(const RestClient&) = delete;

  // Every pair (or those named, in any form Kraken accepts).
  core::Result<std::vector<RestPair>> asset_pairs(const std::vector<std::string>& pairs = {});
  // `pair` as REST accepts it (altname); `symbol` is written into the bars. since: Unix seconds.
  core::Result<OhlcPage> ohlc(const std::string& pair, const std::string& symbol,
                              int interval_minutes,
                              std::optional<std::int64_t> since = std::nullopt);
  // since: the previous page's `last` (nanoseconds) or Unix seconds; empty = the newest trades.
  core::Result<TradesPage> trades(const std::string& pair, const std::string& symbol,
                                  const std::string& since = {}, int count = 1000);
  core::Result<DepthSnapshot> depth(const std::string& pair, int count = 100);
  // The exchange's clock (Time): "now" for history windows, whatever the local clock says.
  core::Result<core::Timestamp> server_time();
  // For the private WebSocket (executions, balances). Needs api_key and api_secret.
  core::Result<WebSocketsToken> websockets_token();
  // QueryOrders for Kraken order ids (txids), 50 a call as Kraken allows. Needs api_key and
  // api_secret. An id Kraken does not know fails the call ("EOrder:Invalid order").
  core::Result<std::vector<RestOrder>> query_orders(const std::vector<std::string>& order_ids);

  // Ends waits (rate counter, backoff) early: calls under way and later fail with "cancelled".
  void cancel();
  RestStats stats() const;

  // The raw envelope call, for methods without a typed wrapper: the `result` JSON text.
  core::Result<std::string> call_public(const std::string& method, const net::ClientHeaders& query);
  core::Result<std::string> call_private(const std::string& method,
                                         const net::ClientHeaders& params);

 private:
  core::Result<std::string> call(const std::string& method, bool is_private,
                                 const net::ClientHeaders& fields);
  // Waits until `delay` passed or cancel(); false when cancelled.
  bool wait(std::chrono::milliseconds delay);

  RestOptions options_;
  std::shared_ptr<spdlog::logger> log_;
  net::HttpClient http_;
  RestRateCounter counter_;
  net::Backoff backoff_;
  NonceSource nonces_;
  mutable std::mutex mutex_;
  std::condition_variable cancel_cv_;
  bool cancelled_ = false;
  RestStats stats_;
};

}  // namespace tg4::kraken
