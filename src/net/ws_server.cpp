#include "net/ws_server.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <deque>
#include <utility>

#include "net/ws_server_detail.hpp"

namespace tg4::net::detail {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;

// One server-side WebSocket. Every member is touched only on the stream's strand; the public calls
// post there. The transport, TCP or TLS, is the one its HTTP connection had.
class WsSession final : public WsConnection,
                        public Closable,
                        public std::enable_shared_from_this<WsSession> {
 public:
  WsSession(AnyStream&& next, HttpRequest upgrade, std::shared_ptr<WsEndpoint> endpoint,
            std::shared_ptr<SessionTracker> tracker, WsSessionSettings settings, std::uint64_t id)
      : ws_(std::move(next)),
        upgrade_(std::move(upgrade)),
        endpoint_(std::move(endpoint)),
        tracker_(std::move(tracker)),
        settings_(std::move(settings)),
        id_(id) {}

  void run(UpgradeRequest request) {
    if (!tracker_->add(id_, weak_from_this())) {
      beast::error_code ec;
      beast::get_lowest_layer(ws_).socket().close(ec);
      return;
    }
    // The HTTP read timeout no longer applies; the websocket's own timeouts (handshake, idle with
    // keep-alive pings) take over.
    beast::get_lowest_layer(ws_).expires_never();
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.set_option(websocket::stream_base::decorator(
        [name = settings_.server_name](websocket::response_type& res) { res.set(beast::http::field::server, name); }));
    ws_.read_message_max(settings_.max_message_bytes);
    ws_.async_accept(request,
                     [self = shared_from_this()](beast::error_code ec) { self->on_accept(ec); });
  }

  std::uint64_t id() const override { return id_; }
  const std::string& remote() const override { return upgrade_.remote; }
  const HttpRequest& upgrade_request() const override { return upgrade_; }
  std::size_t queued_bytes() const override { return queued_bytes_.load(std::memory_order_relaxed); }

  void send(std::shared_ptr<const std::string> text) override {
    asio::post(ws_.get_executor(), [self = shared_from_this(), text = std::move(text)]() mutable {
      self->enqueue(std::move(text));
    });
  }

  void close(std::string reason) override {
    asio::post(ws_.get_executor(), [self = shared_from_this(), reason = std::move(reason)] {
      self->start_close(websocket::close_code::normal, reason);
    });
  }

  void drop() override {
    asio::post(ws_.get_executor(), [self = shared_from_this()] { self->close_socket("dropped"); });
  }

  void pause(bool paused) override {
    asio::post(ws_.get_executor(),
               [self = shared_from_this(), paused] { self->set_paused(paused); });
  }

  void shutdown() override {
    asio::post(ws_.get_executor(), [self = shared_from_this()] {
      self->start_close(websocket::close_code::going_away, "server shutting down");
    });
  }

 private:
  void on_accept(beast::error_code ec) {
    if (ec) {  // the endpoint never saw this session: nothing to report to it
      tracker_->remove(id_);
      finished_ = true;
      return;
    }
    open_ = true;
    endpoint_->on_open(shared_from_this());
    do_read();
    if (!queue_.empty()) do_write();
  }

  void do_read() {
    if (reading_ || paused_ || finished_ || close_started_) return;
    reading_ = true;
    ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      self->on_read(ec);
    });
  }

  void on_read(beast::error_code ec) {
    reading_ = false;
    if (ec) {
      finish(ec == websocket::error::closed ? "closed by peer" : ec.message());
      return;
    }
    std::string text = beast::buffers_to_string(buffer_.data());
    buffer_.consume(buffer_.size());
    // A frame that arrives while stalled is lost, as it would be on a hung peer.
    if (!paused_ && !finished_) endpoint_->on_message(shared_from_this(), std::move(text));
    do_read();
  }

  void enqueue(std::shared_ptr<const std::string> text) {
    if (finished_ || close_started_) return;
    queued_bytes_.fetch_add(text->size(), std::memory_order_relaxed);
    queue_.push_back(std::move(text));
    if (queued_bytes_.load(std::memory_order_relaxed) > settings_.max_queue_bytes) {
      close_socket("write queue over " + std::to_string(settings_.max_queue_bytes) + " bytes: peer too slow");
      return;
    }
    do_write();
  }

  void do_write() {
    if (writing_ || paused_ || !open_ || finished_ || queue_.empty()) return;
    writing_ = true;
    ws_.text(true);
    ws_.async_write(
        asio::buffer(*queue_.front()),
        [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_write(ec); });
  }

  void on_write(beast::error_code ec) {
    writing_ = false;
    if (!queue_.empty()) {
      if (!finished_) queued_bytes_.fetch_sub(queue_.front()->size(), std::memory_order_relaxed);
      queue_.pop_front();
    }
    if (ec) {
      finish(ec.message());
      return;
    }
    if (close_pending_ && queue_.empty()) {
      send_close_frame();
      return;
    }
    do_write();
  }

  void set_paused(bool paused) {
    if (paused_ == paused) return;
    paused_ = paused;
    if (!paused_) {
      do_read();
      do_write();
    }
  }

  void start_close(websocket::close_code code, const std::string& reason) {
    if (finished_ || close_pending_ || close_started_) return;
    if (!open_) {  // still in the handshake: nothing to say goodbye to
      close_socket(reason);
      return;
    }
    close_reason_ = websocket::close_reason(code, reason);
    close_pending_ = true;
    paused_ = false;  // a stalled session still closes
    if (!writing_ && queue_.empty()) send_close_frame();
    else do_write();
  }

  void send_close_frame() {
    close_started_ = true;
    ws_.async_close(close_reason_, [self = shared_from_this()](beast::error_code ec) {
      // The read loop sees the peer's close reply and finishes; make sure a silent peer cannot keep
      // the session alive.
      self->close_socket(ec ? ec.message() : "closed");
    });
  }

  void close_socket(const std::string& reason) {
    beast::error_code ignored;
    beast::get_lowest_layer(ws_).socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
    beast::get_lowest_layer(ws_).socket().close(ignored);
    finish(reason);
  }

  void finish(const std::string& reason) {
    if (finished_) return;
    finished_ = true;
    beast::error_code ignored;  // whatever ended the session, the socket goes with it
    beast::get_lowest_layer(ws_).socket().close(ignored);
    tracker_->remove(id_);
    queued_bytes_.store(0, std::memory_order_relaxed);
    if (open_) endpoint_->on_close(shared_from_this(), reason);
    // The queue is left alone: a write in flight still points at its front frame.
  }

  websocket::stream<AnyStream> ws_;
  beast::flat_buffer buffer_;
  HttpRequest upgrade_;
  std::shared_ptr<WsEndpoint> endpoint_;
  std::shared_ptr<SessionTracker> tracker_;
  WsSessionSettings settings_;
  const std::uint64_t id_;
  std::deque<std::shared_ptr<const std::string>> queue_;
  std::atomic<std::size_t> queued_bytes_{0};
  websocket::close_reason close_reason_;
  bool open_ = false;
  bool reading_ = false;
  bool writing_ = false;
  bool paused_ = false;
  bool close_pending_ = false;
  bool close_started_ = false;
  bool finished_ = false;
};

}  // namespace

void start_ws_session(AnyStream stream, UpgradeRequest request, HttpRequest upgrade,
                      std::shared_ptr<WsEndpoint> endpoint, std::shared_ptr<SessionTracker> tracker,
                      WsSessionSettings settings) {
  const std::uint64_t id = tracker->next_id();
  auto session =
      std::make_shared<WsSession>(std::move(stream), std::move(upgrade), std::move(endpoint),
                                  std::move(tracker), std::move(settings), id);
  session->run(std::move(request));
}

}  // namespace tg4::net::detail
