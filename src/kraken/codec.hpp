#pragma once
// FrameParser: Kraken WebSocket v2 public frames -> typed events (SPEC §3, DESIGN "The path of one
// event"). simdjson On-Demand over a reused parser and padded buffer; prices and quantities are
// read from the raw number tokens into core::Decimal (never through double), because the book
// checksum is computed from their exact decimal text.
//
// One parse() call handles one frame: events are delivered to a FrameSink (references valid only
// during the call), and the frame's kind or an Error is returned. An unknown channel is counted and
// ignored (kUnknownChannel); a malformed frame returns an Error naming the field path and the byte
// offset, is counted, and leaves the parser ready for the next frame. Not thread-safe: one parser
// per connection thread.
#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/events.hpp"
#include "core/result.hpp"
#include "core/time.hpp"

namespace tg4::kraken {

enum class FrameKind : std::uint8_t {
  kBook,
  kTrade,
  kTicker,
  kOhlc,
  kInstrument,
  kStatus,
  kHeartbeat,
  kMethod,  // a method response: subscribe/unsubscribe ack (success or error), any other method
  kPong,
  kError,           // {"error": ...} without a method (a request Kraken could not read)
  kUnknownChannel,  // a channel this parser does not know: counted, ignored
};
inline constexpr std::size_t kFrameKinds = 11;

// The Prometheus `channel` label of a kind: "book", "trade", ..., "method", "pong", "error",
// "unknown".
const char* channel_label(FrameKind kind);

// A method response: `{"method":"subscribe","result":{...},"success":true,...}` or a failure
// `{"error":"...","method":"subscribe","success":false,"symbol":...}`.
struct MethodResponse {
  std::string method;  // "subscribe", "unsubscribe", "pong", ...; empty when Kraken echoed none
  bool success = false;
  std::string error;  // when !success
  std::optional<std::int64_t> req_id;
  // result (acks) or the failed request's symbol (errors)
  std::string channel;
  std::string symbol;
  std::optional<int> depth;
  std::optional<int> interval;
  std::optional<bool> snapshot;
  std::string event_trigger;
  std::vector<std::string> warnings;
  core::Timestamp time_in;
  core::Timestamp time_out;
};

// Receives the events of one frame. Every reference is valid only during the call; copy to keep.
// Defaults ignore, so a sink overrides only what it consumes.
class FrameSink {
 public:
  virtual ~FrameSink() = default;
  virtual void on_book(const core::BookDelta& /*delta*/) {}
  virtual void on_trade(const core::Trade& /*trade*/) {}
  virtual void on_ticker(const core::Ticker& /*ticker*/) {}
  virtual void on_ohlc(const core::Ohlc& /*ohlc*/) {}
  // One per pair of an `instrument` snapshot or update; assets are not delivered.
  virtual void on_instrument(const core::InstrumentUpdate& /*update*/) {}
  virtual void on_status(const core::VenueStatus& /*status*/) {}
  virtual void on_heartbeat() {}
  // Acks, method errors, bare errors and pongs.
  virtual void on_method(const MethodResponse& /*response*/) {}
};

struct ParserStats {
  std::uint64_t frames = 0;        // parse() calls
  std::uint64_t parse_errors = 0;  // malformed frames
  std::array<std::uint64_t, kFrameKinds> by_kind{};

  std::uint64_t count(FrameKind kind) const { return by_kind[static_cast<std::size_t>(kind)]; }
};

class FrameParser {
 public:
  FrameParser();
  ~FrameParser();
  FrameParser(FrameParser&&) noexcept;
  FrameParser& operator=(FrameParser&&) noexcept;
  FrameParser(const FrameParser&) = delete;
  FrameParser& operator=(const FrameParser&) = delete;

  // Parses one frame, exactly as received. `received` stamps the events' `received` fields.
  core::Result<FrameKind> parse(std::string_view frame, core::Timestamp received, FrameSink& sink);

  const ParserStats& stats() const { return stats_; }
  void reset_stats() { stats_ = {}; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  ParserStats stats_;
};

}  // namespace tg4::kraken
