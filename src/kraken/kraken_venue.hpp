#pragma once
// KrakenVenue: live orders on Kraken over the private WebSocket v2 session (SPEC §8), behind the
// same execution::Venue interface as the paper venue, so nothing above it differs in live mode.
//
// Session: a token from REST GetWebSocketsToken (fetched fresh for every connection, since Kraken
// only honours an unused token for 15 minutes), then ws-auth `executions` (open orders and the last
// 50 fills in its snapshot) and `balances`. Orders wait until the executions snapshot has arrived;
// when `dead_man_switch` is set, cancel_all_orders_after is renewed every third of it, so Kraken
// cancels every resting order if TG4 dies or is cut off for longer. A clean stop disarms it
// (timeout 0) before closing: resting orders, the stops of open positions among them, stay on
// Kraken while TG4 is down on purpose; a disarm that cannot be sent or goes unacknowledged within
// the stop's grace is logged as a warning with the time the switch may still fire. A lost
// connection is retried with exponential backoff and jitter; the new connection's snapshot tells
// what happened meanwhile.
//
// Requests carry a req_id and are matched to their answers. No answer within
// `unknown_outcome_timeout` means the outcome is unknown: the venue takes a fresh executions
// snapshot (unsubscribe + subscribe) and reports the true state from it. An add_order is sent once
// with its client id and never again unless Kraken said it did not take it (a rate-limit, busy or
// token refusal); an order whose add_order went unanswered and that the snapshot does not list is
// reported rejected, and revived if Kraken reports it later. Fills are emitted once per exec id.
//
// Threads: submit/cancel/amend/cancel_all run on the kernel thread, which builds each request (the
// instrument registry is read there only) and hands it to the venue's own io thread; everything
// else happens on that thread, and the sinks are called from it. The API key, secret and session
// token are never logged.
#include <prometheus/registry.h>
#include <spdlog/logger.h>

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/config.hpp"
#include "core/instrument.hpp"
#include "execution/venue.hpp"
#include "kraken/trading_orders.hpp"
#include "net/backoff.hpp"
#include "net/http_client.hpp"

namespace tg4::kraken {

struct KrakenVenueOptions {
  std::string ws_url = "wss://ws-auth.kraken.com/v2";
  std::string rest_url = "https://api.kraken.com";
  std::string api_key;     // never logged
  std::string api_secret;  // base64 as Kraken gives it; never logged
  net::ClientTlsOptions tls;
  std::chrono::milliseconds unknown_outcome_timeout{5000};  // no answer -> snapshot and reconcile
  std::chrono::milliseconds dead_man_switch{60'000};        // cancel_all_orders_after; 0 = off
  std::chrono::milliseconds message_deadline{10'000};       // no frame -> stalled, reconnect
  std::chrono::milliseconds ping_after{0};                  // 0: half the deadline
  std::chrono::milliseconds connect_timeout{10'000};
  std::chrono::milliseconds rest_timeout{10'000};
  // An order that could not be sent for this long (session down) is rejected instead of going out
  // late.
  std::chrono::milliseconds max_queue_age{10'000};
  std::chrono::milliseconds snapshot_timeout{15'000};  // request_snapshot()
  net::BackoffOptions reconnect_backoff;               // 1 s -> 60 s
  net::BackoffOptions retry_backoff{std::chrono::milliseconds(1000),
                                    std::chrono::milliseconds(30'000),
                                    2.0};          // rate-limit and busy answers
  int max_retries = 5;                             // per request, after rate-limit or busy answers
  std::chrono::milliseconds stable_after{10'000};  // a connection this old resets the backoff
  std::uint64_t jitter_seed = 0;                   // 0: random
  std::vector<std::string> symbols;  // when set, orders for other symbols are refused locally

  // An Error names the field and what would be valid (never the key or secret).
  core::Status validate() const;
  // feed.auth_url, rest.url/api_key/api_secret/timeout, execution.unknown_outcome_timeout and
  // dead_man_switch, feed.backoff_min/max.
  static KrakenVenueOptions from_config(const core::Config& config);
};

// Counters for tests and status output; read from any thread.
struct KrakenVenueStats {
  std::uint64_t token_fetches = 0;
  std::uint64_t connects = 0;
  std::uint64_t reconnects = 0;    // reconnect attempts scheduled
  std::uint64_t requests = 0;      // requests sent (subscriptions included)
  std::uint64_t orders_sent = 0;   // add_order frames sent (retries included)
  std::uint64_t retries = 0;       // requests sent again after a rate-limit, busy or token refusal
  std::uint64_t rate_limited = 0;  // rate-limit answers
  std::uint64_t timeouts = 0;      // requests unanswered within unknown_outcome_timeout
  std::uint64_t late_answers = 0;  // answers that came after that
  std::uint64_t reconciles = 0;    // executions snapshots taken to learn the true state
  std::uint64_t snapshots = 0;     // executions snapshots received
  std::uint64_t duplicates_refused = 0;  // submits of a client id that is already open
  // Refused add_orders not sent again: cancelled meanwhile (withdrawn) or older than max_queue_age.
  std::uint64_t resends_dropped = 0;
  std::uint64_t errors = 0;              // error answers
  std::uint64_t parse_errors = 0;
  std::uint64_t dead_man_renewals = 0;  // cancel_all_orders_after acknowledged
  // Fills reconciled by cum_qty (Kraken's snapshot holds only the last 50).
  TrackerStats fill_repairs;
  bool up = false;                      // connected and the executions snapshot received
};

class KrakenVenue final : public execution::Venue {
 public:
  // Connectivity of the private session as FeedState{"private", ...} (for the kernel's feed
  // status); called on the venue's io thread.
  using StateSink = std::function<void(core::FeedState)>;

  // `instruments` is read on the calling (kernel) thread only. `registry` may be null.
  KrakenVenue(KrakenVenueOptions options, const core::InstrumentRegistry& instruments,
              execution::ExecutionSink sink, StateSink state = {},
              prometheus::Registry* registry = nullptr,
              std::shared_ptr<spdlog::logger> log = nullptr);
  ~KrakenVenue() override;
  KrakenVenue(const KrakenVenue&) = delete;
  KrakenVenue& operator=(const KrakenVenue&) = delete;

  // Validates the options and starts connecting in the background (a failing first connection is
  // retried like any other). An Error for invalid options or an unusable CA option.
  core::Status start();
  // Disarms the dead man's switch and closes the session (bounded wait, 3 s at most), then joins
  // the threads; idempotent. Orders still open stay on Kraken (a failed disarm is logged).
  void stop();

  void submit(const execution::OrderRequest& request, core::Timestamp now) override;
  void cancel(const std::string& client_order_id, core::Timestamp now) override;
  void amend(const execution::OrderRequest& order, core::Decimal qty, core::Decimal price,
             core::Timestamp now) override;
  void cancel_all(core::Timestamp now) override;
  // Takes a fresh executions snapshot; `done` gets open orders, Kraken's recent fills and balances,
  // or an Error after snapshot_timeout.
  void request_snapshot(execution::SnapshotSink done) override;
  void restore_orders(const std::vector<execution::RestoredOrder>& orders,
                      core::Timestamp now) override;
  const char* name() const override { return "kraken"; }
  bool locks_balance_per_order() const override { return true; }

  KrakenVenueStats stats() const;
  const KrakenVenueOptions& options() const { return options_; }

 private:
  class Impl;
  void reject_locally(const execution::OrderRequest& request, const std::string& reason,
                      core::Timestamp now);

  KrakenVenueOptions options_;
  const core::InstrumentRegistry& instruments_;
  execution::ExecutionSink sink_;
  std::shared_ptr<spdlog::logger> log_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tg4::kraken
