#pragma once
// FeedMetrics: the feed families of SPEC §11 that the Grafana "Market data" dashboard and the
// FeedDown alert read: messages by channel, parse errors, reconnects, feed up, message age; plus
// stalls, rate-limit answers and resubscriptions. Book checksum mismatches are counted where books
// are verified (tg4_book_checksum_mismatch_total, by the kernel's books), not here.
//
// Families are registered by name, so two feeds (or a feed and `tg4 record`) on one registry share
// them; the `feed` label tells them apart where it matters.
#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <array>
#include <string>

#include "kraken/codec.hpp"

namespace tg4::kraken {

class FeedMetrics {
 public:
  FeedMetrics(prometheus::Registry& registry, const std::string& feed);

  void message(FrameKind kind) { messages_[static_cast<std::size_t>(kind)]->Increment(); }
  void parse_error() { parse_errors_.Increment(); }
  // Seconds from the exchange's timestamp to our receipt (trades, book updates, ohlc).
  void age(double seconds) { age_.Observe(seconds); }
  void set_up(bool up) { up_.Set(up ? 1.0 : 0.0); }
  void reconnect() { reconnects_.Increment(); }
  void stall() { stalls_.Increment(); }
  void rate_limited() { rate_limited_.Increment(); }
  void resubscribe(bool checksum) {
    (checksum ? resubscribe_checksum_ : resubscribe_other_).Increment();
  }
  void subscribe_error() { subscribe_errors_.Increment(); }
  void reconnect_seconds(double seconds) { reconnect_seconds_.Observe(seconds); }

 private:
  std::array<prometheus::Counter*, kFrameKinds> messages_{};
  prometheus::Counter& parse_errors_;
  prometheus::Histogram& age_;
  prometheus::Gauge& up_;
  prometheus::Counter& reconnects_;
  prometheus::Counter& stalls_;
  prometheus::Counter& rate_limited_;
  prometheus::Counter& resubscribe_checksum_;
  prometheus::Counter& resubscribe_other_;
  prometheus::Counter& subscribe_errors_;
  prometheus::Histogram& reconnect_seconds_;
};

}  // namespace tg4::kraken
