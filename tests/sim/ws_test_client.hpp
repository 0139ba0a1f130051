#pragma once
// Small Beast clients for tests of servers: a WebSocket client whose reads wait with a deadline (so a
// test can tell "nothing arrived" from "connection closed" without sleeping), and a one-shot HTTP GET.
// Plain or TLS (trusting one PEM certificate, with hostname verification).
#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

namespace tg4::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;

enum class ReadStatus { kMessage, kTimeout, kClosed };

inline std::shared_ptr<asio::ssl::context> client_tls_context(const std::string& trusted_pem) {
  auto ctx = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_client);
  ctx->add_certificate_authority(asio::buffer(trusted_pem));
  ctx->set_verify_mode(asio::ssl::verify_peer);
  return ctx;
}

template <class Next>
class BasicWsTestClient {
 public:
  using Stream = beast::websocket::stream<Next>;

  // Plain: BasicWsTestClient<beast::tcp_stream>(port); TLS: <beast::ssl_stream<beast::tcp_stream>>(port, ctx).
  explicit BasicWsTestClient(std::uint16_t port, std::shared_ptr<asio::ssl::context> tls = nullptr,
                             std::string path = "/v2", std::string host = "127.0.0.1")
      : tls_(std::move(tls)), ws_(make_stream()) {
    const asio::ip::tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), port);
    beast::get_lowest_layer(ws_).expires_after(std::chrono::seconds(10));
    beast::get_lowest_layer(ws_).connect(endpoint);
    if constexpr (!std::is_same_v<Next, beast::tcp_stream>) {
      auto& ssl = ws_.next_layer();
      if (!SSL_set_tlsext_host_name(ssl.native_handle(), host.c_str())) throw std::runtime_error("SNI");
      ssl.set_verify_callback(asio::ssl::host_name_verification(host));
      ssl.handshake(asio::ssl::stream_base::client);
    }
    beast::get_lowest_layer(ws_).expires_never();
    ws_.handshake(host, path);
  }

  ~BasicWsTestClient() {
    beast::error_code ec;
    beast::get_lowest_layer(ws_).socket().close(ec);
  }

  void send(const std::string& text) {
    bool done = false;
    beast::error_code result;
    ws_.text(true);
    ws_.async_write(asio::buffer(text), [&](beast::error_code ec, std::size_t) {
      result = ec;
      done = true;
    });
    wait([&] { return done; }, std::chrono::seconds(10));
    if (!done) throw std::runtime_error("websocket write timed out");
    if (result) throw std::runtime_error("websocket write failed: " + result.message());
  }

  // Waits up to `timeout` for the next text frame.
  ReadStatus read(std::string& out, std::chrono::milliseconds timeout) {
    if (closed_) return ReadStatus::kClosed;
    if (!pending_) {
      pending_ = true;
      ws_.async_read(buffer_, [this](beast::error_code ec, std::size_t) {
        pending_ = false;
        has_result_ = true;
        result_ = ec;
      });
    }
    wait([this] { return has_result_; }, timeout);
    if (!has_result_) return ReadStatus::kTimeout;
    has_result_ = false;
    if (result_) {
      closed_ = true;
      close_error_ = result_;
      return ReadStatus::kClosed;
    }
    out = beast::buffers_to_string(buffer_.data());
    buffer_.consume(buffer_.size());
    return ReadStatus::kMessage;
  }

  // The next frame, or nullopt on timeout/close.
  std::optional<std::string> next(std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
    std::string text;
    if (read(text, timeout) != ReadStatus::kMessage) return std::nullopt;
    return text;
  }

  bool closed() const { return closed_; }
  beast::error_code close_error() const { return close_error_; }
  // Whether the peer sent a WebSocket close frame (a clean close) rather than just dropping TCP.
  bool closed_cleanly() const { return closed_ && close_error_ == beast::websocket::error::closed; }

 private:
  Stream make_stream() {
    if constexpr (std::is_same_v<Next, beast::tcp_stream>) {
      return Stream(io_);
    } else {
      if (!tls_) throw std::invalid_argument("TLS client needs a context");
      return Stream(io_, *tls_);
    }
  }

  template <class Pred>
  void wait(Pred done, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    io_.restart();
    while (!done() && std::chrono::steady_clock::now() < deadline) {
      io_.run_one_until(deadline);
      if (io_.stopped()) io_.restart();
    }
  }

  asio::io_context io_;
  std::shared_ptr<asio::ssl::context> tls_;
  Stream ws_;
  beast::flat_buffer buffer_;
  bool pending_ = false;
  bool has_result_ = false;
  bool closed_ = false;
  beast::error_code result_;
  beast::error_code close_error_;
};

using WsTestClient = BasicWsTestClient<beast::tcp_stream>;
using WssTestClient = BasicWsTestClient<beast::ssl_stream<beast::tcp_stream>>;

struct HttpTestResponse {
  int status = 0;
  std::string body;
  std::string content_type;
};

// One GET (or other method) on 127.0.0.1:port; throws on connection errors.
inline HttpTestResponse http_request(std::uint16_t port, const std::string& target, const std::string& method = "GET",
                                     const std::string& body = {},
                                     std::shared_ptr<asio::ssl::context> tls = nullptr) {
  namespace http = beast::http;
  asio::io_context io;
  const asio::ip::tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), port);
  http::request<http::string_body> req{http::string_to_verb(method), target, 11};
  req.set(http::field::host, "localhost");
  req.body() = body;
  req.prepare_payload();
  http::response<http::string_body> res;
  beast::flat_buffer buffer;
  if (tls) {
    beast::ssl_stream<beast::tcp_stream> stream(io, *tls);
    beast::get_lowest_layer(stream).connect(endpoint);
    SSL_set_tlsext_host_name(stream.native_handle(), "localhost");
    stream.set_verify_callback(asio::ssl::host_name_verification("localhost"));
    stream.handshake(asio::ssl::stream_base::client);
    http::write(stream, req);
    http::read(stream, buffer, res);
  } else {
    beast::tcp_stream stream(io);
    stream.connect(endpoint);
    http::write(stream, req);
    http::read(stream, buffer, res);
  }
  return {static_cast<int>(res.result_int()), res.body(), std::string(res[http::field::content_type])};
}

}  // namespace tg4::testing
