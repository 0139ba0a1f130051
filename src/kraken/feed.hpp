#pragma once
// Feed: Kraken's public WebSocket v2 market data as typed events (SPEC §3, DESIGN "The path of one
// event", step 1). It connects, subscribes to the configured channels for the configured symbols,
// parses every frame with FrameParser and hands each event to a sink (the kernel queue). It is
// never silently stale: a deadline on *any* frame (default 5 s; Kraken sends heartbeats about once
// a second, and the feed sends an application `ping` when it has heard nothing for a while) turns a
// silent connection into a stall, and every lost connection is retried with exponential backoff and
// jitter (1 s -> 60 s). Each new connection resubscribes everything, so books are rebuilt from
// fresh snapshots. `Exceeded msg rate` answers are retried after their own backoff.
//
// Threads: the feed runs its own io thread; the sink, the raw-frame tap and the logger are called
// there, one frame at a time, in arrival order. start(), stop(), resubscribe_book() and stats() may
// be called from any thread. Connectivity changes reach the sink as core::FeedState events.
#include <prometheus/registry.h>
#include <spdlog/logger.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "core/events.hpp"
#include "core/result.hpp"
#include "net/backoff.hpp"
#include "net/http_client.hpp"

namespace tg4::kraken {

// What to subscribe to. Channel names as Kraken spells them.
struct FeedChannels {
  bool book = true;
  int book_depth = 10;  // 10, 25, 100, 500, 1000
  bool trade = true;
  bool ticker = true;
  std::vector<int>
      ohlc_intervals;  // minutes: 1, 5, 15, 30, 60, 240, 1440, 10080, 21600; empty = none
  bool instrument = true;
  bool status = true;

  // "book,trade,ticker,ohlc,instrument,status": "book:25" sets the depth, "ohlc:1:5:60" the
  // intervals (bare "ohlc" is 1 minute), "all" everything. An Error names the bad token.
  static core::Result<FeedChannels> parse(std::string_view list);
  std::string to_string() const;
};

struct FeedOptions {
  std::string url = "wss://ws.kraken.com/v2";
  net::ClientTlsOptions tls;
  std::vector<std::string> symbols;  // "BTC/USD" (Kraken WS v2 form)
  FeedChannels channels;
  // The exchange's clock is not the wall clock (a simulator running faster than life, `tg4 demo`):
  // message age is measured on the exchange's timeline, from the newest exchange time seen.
  bool exchange_clock = false;
  std::chrono::milliseconds message_deadline{5000};  // no frame for this long -> stalled, reconnect
  // An application ping goes out when nothing arrived for this long (0: half the deadline).
  std::chrono::milliseconds ping_after{0};
  std::chrono::milliseconds connect_timeout{10'000};
  net::BackoffOptions reconnect_backoff;  // 1 s -> 60 s
  net::BackoffOptions rate_limit_backoff{std::chrono::milliseconds(1000),
                                         std::chrono::milliseconds(30'000), 2.0};
  // A connection that lived this long resets the reconnect backoff when it ends: an endpoint that
  // accepts and then drops at once is not hammered at the base rate.
  std::chrono::milliseconds stable_after{10'000};
  std::uint64_t jitter_seed = 0;  // 0: random
  std::string name = "public";    // FeedState.source and the metrics' `feed` label

  // An Error names the field and what would be valid.
  core::Status validate() const;
};

// Counters for tests, `tg4 record` and status output. Read from any thread.
struct FeedStats {
  std::uint64_t connects = 0;          // connections opened
  std::uint64_t reconnects = 0;        // reconnect attempts scheduled after a lost connection
  std::uint64_t stalls = 0;            // connections ended by the message deadline
  std::uint64_t frames = 0;            // frames received
  std::uint64_t parse_errors = 0;      // malformed frames
  std::uint64_t rate_limited = 0;      // `Exceeded msg rate` answers
  std::uint64_t subscribe_errors = 0;  // other refused subscriptions
  std::uint64_t book_snapshots = 0;
  std::uint64_t book_resubscribes = 0;  // resubscribe_book() requests sent
  std::uint64_t pings = 0;
  std::int64_t last_reconnect_ms = -1;  // lost connection -> first book snapshot on the next one
  bool up = false;
};

class Feed {
 public:
  using Sink = std::function<void(core::MarketEvent)>;
  // Every frame exactly as received, before parsing (what `tg4 record` writes).
  using RawSink = std::function<void(std::string_view frame, core::Timestamp received)>;

  // `sink` may be empty (only the raw tap is wanted). `registry` may be null (no metrics).
  Feed(FeedOptions options, Sink sink, prometheus::Registry* registry = nullptr,
       std::shared_ptr<spdlog::logger> log = nullptr);
  ~Feed();
  Feed(const Feed&) = delete;
  Feed& operator=(const Feed&) = delete;

  // Set before start().
  void set_raw_sink(RawSink raw);

  // Validates the options and starts connecting (in the background: a first connection that fails
  // is retried like any other). An Error for invalid options or a bad URL/CA option.
  core::Status start();
  // Closes the connection gracefully (bounded wait) and joins the io thread. Idempotent.
  void stop();

  // After a checksum mismatch: unsubscribe and subscribe that symbol's book only; its next frame is
  // a fresh snapshot. A resubscription already under way for the symbol is not repeated.
  // Thread-safe.
  void resubscribe_book(const std::string& symbol);

  FeedStats stats() const;
  const FeedOptions& options() const { return options_; }

 private:
  class Impl;
  FeedOptions options_;
  std::shared_ptr<Impl> impl_;
};

}  // namespace tg4::kraken
