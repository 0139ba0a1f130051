#include "net/ws_client.hpp"

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <deque>
#include <utility>

#include "core/time.hpp"
#include "net/any_stream.hpp"

namespace tg4::net {

const char* to_string(WsCloseInfo::Kind kind) {
  switch (kind) {
    case WsCloseInfo::Kind::kConnectFailed:
      return "connect_failed";
    case WsCloseInfo::Kind::kClosedByPeer:
      return "closed_by_peer";
    case WsCloseInfo::Kind::kError:
      return "error";
    case WsCloseInfo::Kind::kStalled:
      return "stalled";
    case WsCloseInfo::Kind::kClosedByUs:
      return "closed";
  }
  return "error";
}

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using Clock = std::chrono::steady_clock;
using Kind = WsCloseInfo::Kind;

// How long a graceful close may wait for the peer's close frame before the socket is cut.
constexpr std::chrono::seconds kCloseGrace{2};

// Every member is touched on the strand only; public calls post there. The transport, TCP or TLS,
// is chosen at run time (AnyStream), so Beast's WebSocket code is compiled once for both.
class WsSession final : public WsClient, public std::enable_shared_from_this<WsSession> {
 public:
  WsSession(asio::io_context& io, WsClientOptions options, WsHandlers handlers, ClientUrl url,
            std::shared_ptr<asio::ssl::context> tls)
      : options_(std::move(options)),
        handlers_(std::move(handlers)),
        url_(std::move(url)),
        tls_(std::move(tls)),
        strand_(asio::make_strand(io)),
        resolver_(strand_),
        ws_(make_transport()),
        connect_timer_(strand_),
        idle_timer_(strand_),
        close_timer_(strand_) {}

  void connect() override {
    asio::post(strand_, [self = shared_from_this()] { self->start(); });
  }

  void send(std::string text) override {
    asio::post(strand_, [self = shared_from_this(), text = std::move(text)]() mutable {
      self->enqueue(std::move(text));
    });
  }

  void close(std::string reason) override {
    asio::post(strand_, [self = shared_from_this(), reason = std::move(reason)]() mutable {
      self->start_close(std::move(reason));
    });
  }

  bool is_open() const override { return open_.load(std::memory_order_acquire); }
  const std::string& url() const override { return options_.url; }

 private:
  enum class State { kIdle, kConnecting, kOpen, kClosing, kDone };

  AnyStream make_transport() {
    if (tls_) return AnyStream(AnyStream::TlsStream(strand_, *tls_));
    return AnyStream(AnyStream::TcpStream(strand_));
  }

  std::string where() const { return url_.host + ":" + url_.port; }

  void start() {
    if (state_ != State::kIdle) return;
    state_ = State::kConnecting;
    connect_timer_.expires_after(options_.connect_timeout);
    connect_timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (!ec && self->state_ == State::kConnecting) {
        self->finish(Kind::kConnectFailed, "cannot connect to " + self->where() +
                                               ": timed out after " +
                                               core::duration_text(self->options_.connect_timeout));
      }
    });
    resolver_.async_resolve(url_.host, url_.port,
                            [self = shared_from_this()](beast::error_code ec, auto results) {
                              self->on_resolve(ec, std::move(results));
                            });
  }

  void on_resolve(beast::error_code ec, asio::ip::tcp::resolver::results_type results) {
    if (state_ != State::kConnecting) return;
    if (ec)
      return finish(Kind::kConnectFailed, "cannot resolve " + url_.host + ": " + ec.message());
    beast::get_lowest_layer(ws_).async_connect(
        results,
        [self = shared_from_this()](beast::error_code e, const auto&) { self->on_tcp(e); });
  }

  void on_tcp(beast::error_code ec) {
    if (state_ != State::kConnecting) return;
    if (ec)
      return finish(Kind::kConnectFailed, "cannot connect to " + where() + ": " + ec.message());
    auto* ssl = ws_.next_layer().tls();
    if (!ssl) return handshake();
    if (!is_ip_literal(url_.host) &&
        !SSL_set_tlsext_host_name(ssl->native_handle(), url_.host.c_str())) {
      return finish(Kind::kConnectFailed, "TLS: cannot set SNI host name '" + url_.host + "'");
    }
    ssl->set_verify_callback(asio::ssl::host_name_verification(url_.host));
    ssl->async_handshake(
        asio::ssl::stream_base::client, [self = shared_from_this()](beast::error_code e) {
          if (self->state_ != State::kConnecting) return;
          if (e) {
            return self->finish(Kind::kConnectFailed,
                                "TLS handshake with " + self->where() + " failed: " + e.message());
          }
          self->handshake();
        });
  }

  void handshake() {
    // Our own deadline on any frame replaces Beast's idle timeout and keep-alive pings: a peer that
    // answers pings but sends nothing else is stalled for a market feed.
    beast::get_lowest_layer(ws_).expires_never();
    websocket::stream_base::timeout timeouts{};
    timeouts.handshake_timeout = options_.connect_timeout;
    timeouts.idle_timeout = websocket::stream_base::none();
    timeouts.keep_alive_pings = false;
    ws_.set_option(timeouts);
    ws_.set_option(websocket::stream_base::decorator(
        [agent = options_.user_agent](websocket::request_type& req) {
          req.set(beast::http::field::user_agent, agent);
        }));
    ws_.read_message_max(options_.max_message_bytes);
    ws_.async_handshake(
        url_.host_header(), url_.target,
        [self = shared_from_this()](beast::error_code ec) { self->on_handshake(ec); });
  }

  void on_handshake(beast::error_code ec) {
    if (state_ != State::kConnecting) return;
    if (ec) {
      return finish(Kind::kConnectFailed, "WebSocket handshake with " + where() + url_.target +
                                              " failed: " + ec.message());
    }
    connect_timer_.cancel();
    state_ = State::kOpen;
    open_.store(true, std::memory_order_release);
    last_frame_ = Clock::now();
    arm_idle();
    if (handlers_.on_open) handlers_.on_open();
    if (state_ != State::kOpen) return;  // closed from inside on_open
    read();
    if (!queue_.empty() && !writing_) write_next();
  }

  void read() {
    ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      self->on_read(ec);
    });
  }

  void on_read(beast::error_code ec) {
    if (state_ == State::kDone) return;
    if (ec) {
      if (state_ == State::kClosing) return finish(Kind::kClosedByUs, close_reason_);
      if (ec == websocket::error::closed) {
        const auto& r = ws_.reason();
        std::string why = "closed by " + where() + " (code " + std::to_string(r.code);
        if (!r.reason.empty()) why += ": " + std::string(r.reason.data(), r.reason.size());
        return finish(Kind::kClosedByPeer, why + ")");
      }
      return finish(Kind::kError, "connection to " + where() + " lost: " + ec.message());
    }
    last_frame_ = Clock::now();
    const auto data = buffer_.cdata();
    if (handlers_.on_message) {
      handlers_.on_message(std::string_view(static_cast<const char*>(data.data()), data.size()));
    }
    buffer_.consume(buffer_.size());
    if (state_ == State::kOpen || state_ == State::kClosing) read();
  }

  void arm_idle() {
    if (options_.idle_timeout.count() <= 0) return;
    idle_timer_.expires_at(last_frame_ + options_.idle_timeout);
    idle_timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (ec || self->state_ != State::kOpen) return;
      // Re-armed lazily: a frame moves last_frame_ without touching the timer, so a busy feed costs
      // one timer wake-up per deadline, not one per frame.
      if (Clock::now() - self->last_frame_ >= self->options_.idle_timeout) {
        return self->finish(Kind::kStalled, "no frame from " + self->where() + " for " +
                                                core::duration_text(self->options_.idle_timeout) +
                                                " (stalled)");
      }
      self->arm_idle();
    });
  }

  void enqueue(std::string text) {
    if (state_ == State::kDone || state_ == State::kClosing) return;
    queue_.push_back(std::move(text));
    if (state_ == State::kOpen && !writing_) write_next();
  }

  void write_next() {
    writing_ = true;
    ws_.text(true);
    ws_.async_write(
        asio::buffer(queue_.front()),
        [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_write(ec); });
  }

  void on_write(beast::error_code ec) {
    writing_ = false;
    if (state_ == State::kDone) return;
    if (ec) {
      if (state_ == State::kClosing) return;  // the read side reports the end
      return finish(Kind::kError, "sending to " + where() + " failed: " + ec.message());
    }
    queue_.pop_front();
    if (!queue_.empty() && state_ == State::kOpen) write_next();
  }

  void start_close(std::string reason) {
    close_reason_ = reason.empty() ? "closed by client" : std::move(reason);
    if (state_ == State::kIdle || state_ == State::kConnecting) {
      return finish(Kind::kClosedByUs, close_reason_);
    }
    if (state_ != State::kOpen) return;
    state_ = State::kClosing;
    open_.store(false, std::memory_order_release);
    idle_timer_.cancel();
    close_timer_.expires_after(kCloseGrace);
    close_timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->finish(Kind::kClosedByUs, self->close_reason_);
    });
    ws_.async_close(websocket::close_reason(websocket::close_code::normal),
                    [self = shared_from_this()](beast::error_code e) {
                      if (e) self->finish(Kind::kClosedByUs, self->close_reason_);
                    });
  }

  void finish(Kind kind, std::string reason) {
    if (state_ == State::kDone) return;
    state_ = State::kDone;
    open_.store(false, std::memory_order_release);
    connect_timer_.cancel();
    idle_timer_.cancel();
    close_timer_.cancel();
    resolver_.cancel();
    beast::error_code ignored;
    beast::get_lowest_layer(ws_).socket().close(ignored);
    queue_.clear();
    // Handlers are let go after the last call: they often hold the owner, who holds us.
    WsHandlers handlers = std::move(handlers_);
    handlers_ = {};
    if (handlers.on_close) handlers.on_close(WsCloseInfo{kind, std::move(reason)});
  }

  WsClientOptions options_;
  WsHandlers handlers_;
  ClientUrl url_;
  std::shared_ptr<asio::ssl::context> tls_;
  asio::strand<asio::io_context::executor_type> strand_;
  asio::ip::tcp::resolver resolver_;
  websocket::stream<AnyStream> ws_;
  asio::steady_timer connect_timer_;
  asio::steady_timer idle_timer_;
  asio::steady_timer close_timer_;
  beast::flat_buffer buffer_;
  std::deque<std::string> queue_;
  bool writing_ = false;
  State state_ = State::kIdle;
  std::atomic<bool> open_{false};
  Clock::time_point last_frame_{};
  std::string close_reason_;
};

}  // namespace

core::Result<std::shared_ptr<WsClient>> WsClient::create(asio::io_context& io,
                                                         WsClientOptions options,
                                                         WsHandlers handlers) {
  auto url = parse_client_url(options.url, "ws", "wss");
  if (!url) return url.error();
  std::shared_ptr<asio::ssl::context> tls;
  if (url->tls) {
    auto context = make_client_tls_context(options.tls);
    if (!context) return context.error();
    tls = std::move(*context);
  }
  return std::shared_ptr<WsClient>(std::make_shared<WsSession>(
      io, std::move(options), std::move(handlers), std::move(*url), std::move(tls)));
}

}  // namespace tg4::net
