#include "support/ws_test_client.hpp"

#include <stdexcept>
#include <variant>

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

using PlainStream = beast::websocket::stream<beast::tcp_stream>;
using TlsStream = beast::websocket::stream<beast::ssl_stream<beast::tcp_stream>>;

std::shared_ptr<asio::ssl::context> client_tls_context(const std::string& trusted_pem) {
  auto ctx = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_client);
  ctx->add_certificate_authority(asio::buffer(trusted_pem));
  ctx->set_verify_mode(asio::ssl::verify_peer);
  return ctx;
}

class WsTestClient::Impl {
 public:
  Impl(std::uint16_t port, std::shared_ptr<asio::ssl::context> tls, const std::string& path,
       const std::string& host)
      : tls_(std::move(tls)), ws_(make_stream()) {
    std::visit([&](auto& ws) { connect(ws, port, path, host); }, ws_);
  }

  ~Impl() {
    beast::error_code ec;
    std::visit([&](auto& ws) { beast::get_lowest_layer(ws).socket().close(ec); }, ws_);
  }

  void send(const std::string& text) {
    bool done = false;
    beast::error_code result;
    std::visit(
        [&](auto& ws) {
          ws.text(true);
          ws.async_write(asio::buffer(text), [&](beast::error_code ec, std::size_t) {
            result = ec;
            done = true;
          });
        },
        ws_);
    wait([&] { return done; }, std::chrono::seconds(10));
    if (!done) throw std::runtime_error("websocket write timed out");
    if (result) throw std::runtime_error("websocket write failed: " + result.message());
  }

  ReadStatus read(std::string& out, std::chrono::milliseconds timeout) {
    if (closed_) return ReadStatus::kClosed;
    if (!pending_) {
      pending_ = true;
      std::visit(
          [this](auto& ws) {
            ws.async_read(buffer_, [this](beast::error_code ec, std::size_t) {
              pending_ = false;
              has_result_ = true;
              result_ = ec;
            });
          },
          ws_);
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

  bool closed() const { return closed_; }
  beast::error_code close_error() const { return close_error_; }

 private:
  std::variant<PlainStream, TlsStream> make_stream() {
    if (!tls_) return std::variant<PlainStream, TlsStream>(std::in_place_type<PlainStream>, io_);
    return std::variant<PlainStream, TlsStream>(std::in_place_type<TlsStream>, io_, *tls_);
  }

  template <class Stream>
  static void connect(Stream& ws, std::uint16_t port, const std::string& path, const std::string& host) {
    const asio::ip::tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), port);
    beast::get_lowest_layer(ws).expires_after(std::chrono::seconds(10));
    beast::get_lowest_layer(ws).connect(endpoint);
    if constexpr (std::is_same_v<Stream, TlsStream>) {
      auto& ssl = ws.next_layer();
      if (!SSL_set_tlsext_host_name(ssl.native_handle(), host.c_str())) throw std::runtime_error("SNI");
      ssl.set_verify_callback(asio::ssl::host_name_verification(host));
      ssl.handshake(asio::ssl::stream_base::client);
    }
    beast::get_lowest_layer(ws).expires_never();
    ws.handshake(host, path);
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
  std::variant<PlainStream, TlsStream> ws_;
  beast::flat_buffer buffer_;
  bool pending_ = false;
  bool has_result_ = false;
  bool closed_ = false;
  beast::error_code result_;
  beast::error_code close_error_;
};

WsTestClient::WsTestClient(std::uint16_t port, std::shared_ptr<asio::ssl::context> tls, std::string path,
                           std::string host)
    : impl_(std::make_unique<Impl>(port, std::move(tls), path, host)) {}

WsTestClient::~WsTestClient() = default;

void WsTestClient::send(const std::string& text) { impl_->send(text); }

ReadStatus WsTestClient::read(std::string& out, std::chrono::milliseconds timeout) {
  return impl_->read(out, timeout);
}

std::optional<std::string> WsTestClient::next(std::chrono::milliseconds timeout) {
  std::string text;
  if (read(text, timeout) != ReadStatus::kMessage) return std::nullopt;
  return text;
}

bool WsTestClient::closed() const { return impl_->closed(); }

boost::system::error_code WsTestClient::close_error() const { return impl_->close_error(); }

bool WsTestClient::closed_cleanly() const {
  return closed() && close_error() == beast::websocket::error::closed;
}

HttpTestResponse http_request(std::uint16_t port, const std::string& target, const std::string& method,
                              const std::string& body, std::shared_ptr<asio::ssl::context> tls) {
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
  HttpTestResponse out{static_cast<int>(res.result_int()),
                       res.body(),
                       std::string(res[http::field::content_type]),
                       {}};
  for (const auto& field : res) out.headers.emplace_back(field.name_string(), field.value());
  return out;
}

}  // namespace tg4::testing
