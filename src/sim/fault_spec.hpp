#pragma once
// FaultSpec: what the simulator does wrong on purpose (`tg4 sim --faults SPEC`), so a client's
// reconnect, liveness, checksum and rate-limit handling can be exercised. SPEC is a comma-separated
// list of key=value: drop=10s (close the TCP connection N after it opened, so every N while the
// client reconnects), stall=30s (after N stop sending and reading, socket left open), stall_for=5s
// (resume after a stall; without it a stall lasts until the client gives up) - these three on
// public and private connections alike (ConnectionFaults) - corrupt_checksum=0.01, malformed=0.01,
// rate_limit=0.05 (probabilities per book message / per frame / per request). Private side
// (authenticated WS order entry), each for the next N order requests of the account:
// drop_before_ack=1 (the order is placed, then the TCP connection is dropped before its ack),
// reject=3 or reject=3:EOrder:Insufficient funds (refused with that error; default
// EGeneral:Internal error), order_rate_limit=2 (refused with EOrder:Rate limit exceeded),
// ack_delay=500ms (every order ack leaves that much after its executions updates), and
// reject_cancel=1 (the next N cancel_order requests refused with EGeneral:Permission denied: a
// refusal for good, the order stays open).
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace tg4::sim {

struct FaultSpec {
  std::optional<std::chrono::milliseconds> drop_after;
  std::optional<std::chrono::milliseconds> stall_after;
  std::optional<std::chrono::milliseconds> stall_for;
  double corrupt_checksum = 0.0;
  double malformed = 0.0;
  double rate_limit = 0.0;
  // Private side: counts of the next order requests affected, and the ack delay.
  int drop_before_ack = 0;
  int reject_orders = 0;
  std::string reject_error = "EGeneral:Internal error";
  int order_rate_limit = 0;
  int reject_cancels = 0;
  std::optional<std::chrono::milliseconds> ack_delay;

  // An Error names the offending token and what would be valid.
  static core::Result<FaultSpec> parse(std::string_view spec);
  bool any() const;
  std::string to_string() const;  // canonical form, parse(to_string()) round-trips
};

// "10s", "500ms", "2m", "1.5s", "1h"; a bare number is seconds.
core::Result<std::chrono::milliseconds> parse_duration(std::string_view text);

}  // namespace tg4::sim
