#pragma once
// Server side of a WebSocket: the connection handle an endpoint talks to, and the endpoint interface
// HttpServer hands upgraded sessions to. Each connection owns one write queue, so frames from any
// thread go out whole and in the order send() was called, never interleaved.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "net/http_server.hpp"

namespace tg4::net {

class WsConnection {
 public:
  virtual ~WsConnection() = default;

  virtual std::uint64_t id() const = 0;
  virtual const std::string& remote() const = 0;
  // The HTTP upgrade request (path, query, headers), e.g. for a token on a private endpoint.
  virtual const HttpRequest& upgrade_request() const = 0;

  // Queues a text frame. Thread-safe; frames leave in call order. Sharing one buffer between many
  // connections is the point of the shared_ptr: a market update is serialised once.
  virtual void send(std::shared_ptr<const std::string> text) = 0;
  void send(std::string text) { send(std::make_shared<const std::string>(std::move(text))); }
  // Graceful close: flushes the queue, then a close frame with `reason`.
  virtual void close(std::string reason = {}) = 0;
  // Abrupt close of the TCP socket, no close frame: what a network failure looks like to the peer.
  virtual void drop() = 0;
  // While paused nothing is read (so no request is handled and no ping answered) and queued frames
  // wait; the socket stays open. Resuming continues both. Used to simulate a stalled peer.
  virtual void pause(bool paused) = 0;
  virtual std::size_t queued_bytes() const = 0;
};

// Receives the life of each session on `path`. Calls for one connection come one at a time on that
// connection's strand: on_open, then on_message for each text frame, then on_close exactly once.
// A connection holds its endpoint, so an endpoint must let go of a connection at on_close (or hold it
// weakly); otherwise the two keep each other alive.
class WsEndpoint {
 public:
  virtual ~WsEndpoint() = default;
  virtual void on_open(const std::shared_ptr<WsConnection>& connection) = 0;
  virtual void on_message(const std::shared_ptr<WsConnection>& connection, std::string text) = 0;
  virtual void on_close(const std::shared_ptr<WsConnection>& connection, std::string_view reason) = 0;
};

}  // namespace tg4::net
