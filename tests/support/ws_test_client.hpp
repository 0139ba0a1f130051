#pragma once
// Small Beast clients for tests of servers: a WebSocket client whose reads wait with a deadline (so a
// test can tell "nothing arrived" from "connection closed" without sleeping), and a one-shot HTTP GET.
// Plain or TLS (trusting one PEM certificate, with hostname verification).
//
// Compiled once in tg4_test_support: instantiating Beast's WebSocket and TLS streams costs close to a
// minute of compiler time, which every test file including them used to pay again.
#include <boost/system/error_code.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace boost::asio::ssl {
class context;
}

namespace tg4::testing {

enum class ReadStatus { kMessage, kTimeout, kClosed };

// A TLS client context that trusts only `trusted_pem` and verifies the peer.
std::shared_ptr<boost::asio::ssl::context> client_tls_context(const std::string& trusted_pem);

// A WebSocket client of 127.0.0.1:port; over TLS when given a context (then `host` is the name sent
// in SNI and checked against the certificate). Connects and handshakes in the constructor.
class WsTestClient {
 public:
  explicit WsTestClient(std::uint16_t port, std::shared_ptr<boost::asio::ssl::context> tls = nullptr,
                        std::string path = "/v2", std::string host = "127.0.0.1");
  ~WsTestClient();
  WsTestClient(const WsTestClient&) = delete;
  WsTestClient& operator=(const WsTestClient&) = delete;

  // Sends one text frame; throws when it cannot be written within 10 s.
  void send(const std::string& text);
  // Waits up to `timeout` for the next text frame.
  ReadStatus read(std::string& out, std::chrono::milliseconds timeout);
  // The next frame, or nullopt on timeout/close.
  std::optional<std::string> next(std::chrono::milliseconds timeout = std::chrono::seconds(5));

  bool closed() const;
  boost::system::error_code close_error() const;
  // Whether the peer sent a WebSocket close frame (a clean close) rather than just dropping TCP.
  bool closed_cleanly() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

// The same client; the name says a TLS context is given.
using WssTestClient = WsTestClient;

struct HttpTestResponse {
  int status = 0;
  std::string body;
  std::string content_type;
  std::vector<std::pair<std::string, std::string>> headers;  // as sent
};

// One GET (or other method) on 127.0.0.1:port; throws on connection errors.
HttpTestResponse http_request(std::uint16_t port, const std::string& target, const std::string& method = "GET",
                              const std::string& body = {},
                              std::shared_ptr<boost::asio::ssl::context> tls = nullptr);

}  // namespace tg4::testing
