#pragma once
// HttpServer: one listening port that serves plain HTTP routes and WebSocket upgrades (Boost.Beast
// over Asio), optionally over TLS. The Kraken simulator serves its WS v2 feed and REST API through
// it, and the operator API will reuse it, so routes are general: method + path in, status + headers +
// body out. Sessions run on per-connection strands of the io_context the owner runs; the server never
// starts threads itself.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>

#include "core/result.hpp"

namespace tg4::net {

class WsEndpoint;

using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
  std::string method;  // "GET"
  std::string target;  // as sent: "/0/public/OHLC?pair=XBTUSDT&interval=1"
  std::string path;    // percent-decoded path: "/0/public/OHLC"
  HeaderList query;    // percent-decoded query parameters, in order
  HeaderList headers;  // names lower-cased
  std::string body;
  std::string remote;  // "127.0.0.1:51234", "[::1]:51234"

  // First value of a query parameter / header (name lower-case), or nullptr.
  const std::string* query_param(std::string_view name) const;
  const std::string* header(std::string_view lower_name) const;
};

struct HttpResponse {
  int status = 200;
  HeaderList headers;  // Server, Content-Length and Connection are added by the server
  std::string body;

  static HttpResponse json(int status, std::string body);
  static HttpResponse text(int status, std::string body);
};

// Completes an asynchronous request exactly once, from any thread.
using HttpRespond = std::function<void(HttpResponse)>;
// Synchronous handlers run on the connection's strand and must not block.
using HttpHandler = std::function<HttpResponse(const HttpRequest&)>;
// Asynchronous handlers may hand the request to another thread and respond later.
using AsyncHttpHandler = std::function<void(HttpRequest, HttpRespond)>;

struct HttpServerOptions {
  std::string address = "127.0.0.1";  // loopback unless the operator asks otherwise
  std::uint16_t port = 0;             // 0 = ephemeral; port() reports the bound one
  std::shared_ptr<boost::asio::ssl::context> tls;  // null = plain HTTP/WS
  std::size_t max_body_bytes = 1 << 20;            // SPEC §10: request size cap 1 MB
  std::size_t max_ws_message_bytes = 1 << 20;
  std::size_t max_ws_queue_bytes = 64u << 20;  // a client this far behind is dropped
  std::chrono::seconds request_timeout{30};
  std::string server_name = "tg4";
  // Shapes the answers the server gives by itself, without a handler: 413 (over max_body_bytes,
  // found before a handler sees the request), 400 (bad target), 404 and 405 (no route), 500 (a
  // handler threw). Null: text/plain. The operator API makes them its JSON errors with its security
  // headers, as /openapi.json documents.
  std::function<HttpResponse(int status, const std::string& message)> error_response;
};

namespace detail {
struct ServerState;
}

class HttpServer {
 public:
  HttpServer(boost::asio::io_context& io, HttpServerOptions options);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Registration happens before start(); it is not synchronised with running sessions.
  void route(std::string method, std::string path, HttpHandler handler);
  void route_async(std::string method, std::string path, AsyncHttpHandler handler);
  // Answers requests no route matches (default: 404 text).
  void set_fallback(AsyncHttpHandler handler);
  // Upgrade requests on `path` become WebSocket sessions of `endpoint`.
  void add_websocket(std::string path, std::shared_ptr<WsEndpoint> endpoint);

  // Binds and starts accepting. An Error names the address and the reason (e.g. port in use).
  core::Status start();
  std::uint16_t port() const;
  bool is_tls() const;
  // Stops accepting and closes every session (WebSockets with a close frame). Thread-safe, does not
  // block; session_count() reaches zero once the io_context has run the closes.
  void stop();
  std::size_t session_count() const;

 private:
  std::shared_ptr<detail::ServerState> state_;
};

}  // namespace tg4::net
