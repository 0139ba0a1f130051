#pragma once
// Session: one client connection of the simulator, whatever its protocol. The public market-data
// session is one kind; the private side (authenticated WS with executions/balances and order entry
// against a matching engine) will be another, served on its own path with its own factory. All calls
// happen on the simulator's strand.
#include <memory>
#include <string_view>

#include "net/ws_server.hpp"
#include "sim/exchange.hpp"

namespace tg4::sim {

class Session : public std::enable_shared_from_this<Session> {
 public:
  virtual ~Session() = default;
  virtual void on_open() = 0;
  virtual void on_message(std::string_view text) = 0;
  virtual void on_close() = 0;
  // A market event of one symbol (public data sessions fan it out to their subscriptions).
  virtual void on_step(StepFrames& /*frames*/) {}
  // One simulated heartbeat period has passed.
  virtual void on_heartbeat() {}
};

}  // namespace tg4::sim
