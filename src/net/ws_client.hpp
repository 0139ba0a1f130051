#pragma once
// WsClient: one client WebSocket connection (Boost.Beast), ws:// over TCP or wss:// over OpenSSL
// with SNI and certificate verification (system CA store plus an optional extra CA). It runs on an
// io_context the owner runs on its own thread; every callback comes on that thread, one at a time.
//
// One object is one connection attempt: connect() starts it, on_open follows a successful
// handshake, on_message each frame, and on_close exactly once however it ends (connect failure,
// peer close, network error, stall, our close). Reconnecting is the owner's policy (kraken::Feed):
// it makes a new WsClient. A deadline on *any* message (idle_timeout) turns a silent but open
// connection into a close of kind kStalled, so a stalled peer is never mistaken for a quiet market.
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <thread>

#include "core/result.hpp"
#include "net/http_client.hpp"

namespace tg4::net {

struct WsClientOptions {
  std::string url;  // ws://HOST[:PORT]/PATH or wss://...
  ClientTlsOptions tls;
  std::chrono::milliseconds connect_timeout{10'000};  // resolve + TCP + TLS + WebSocket handshake
  std::chrono::milliseconds idle_timeout{0};  // no frame for this long -> kStalled; 0 = no deadline
  std::size_t max_message_bytes = 16u << 20;
  std::string user_agent = "tg4";
};

struct WsCloseInfo {
  enum class Kind {
    kConnectFailed,  // never opened: resolve, TCP, TLS or handshake failed
    kClosedByPeer,   // the peer sent a close frame
    kError,          // the connection broke (reset, EOF without close frame, write error)
    kStalled,        // no frame within idle_timeout
    kClosedByUs,     // close() was called
  };
  Kind kind = Kind::kError;
  std::string reason;  // for a person: what happened, with the URL's host
};
const char* to_string(WsCloseInfo::Kind kind);

struct WsHandlers {
  std::function<void()> on_open;
  // One text frame exactly as received; the view is valid during the call only.
  std::function<void(std::string_view)> on_message;
  std::function<void(const WsCloseInfo&)> on_close;
};

class WsClient {
 public:
  // An Error for a malformed URL or an unusable CA option; nothing is connected yet.
  static core::Result<std::shared_ptr<WsClient>> create(boost::asio::io_context& io,
                                                        WsClientOptions options,
                                                        WsHandlers handlers);
  virtual ~WsClient() = default;

  // Starts the connection attempt. Call once.
  virtual void connect() = 0;
  // Queues a text frame; frames leave whole and in call order. Thread-safe. Frames sent before
  // on_open wait for it; after close they are dropped.
  virtual void send(std::string text) = 0;
  // Graceful close (close frame, bounded wait), then on_close with kClosedByUs. Thread-safe.
  virtual void close(std::string reason = {}) = 0;
  // Open as seen from any thread (a close may already be under way).
  virtual bool is_open() const = 0;
  virtual const std::string& url() const = 0;
};

// An io_context with one thread running it until destruction (or stop()), which is where clients,
// their timers and callbacks live. Destruction stops the loop and joins the thread; handlers still
// pending are destroyed without running.
class IoThread {
 public:
  IoThread() : work_(boost::asio::make_work_guard(io_)), thread_([this] { io_.run(); }) {}
  ~IoThread() { stop(); }
  IoThread(const IoThread&) = delete;
  IoThread& operator=(const IoThread&) = delete;

  boost::asio::io_context& io() { return io_; }
  // Stops the loop and joins the thread; idempotent. Not callable from the loop's own thread.
  void stop() {
    work_.reset();
    io_.stop();
    if (thread_.joinable()) thread_.join();
  }
  bool in_thread() const { return std::this_thread::get_id() == thread_.get_id(); }

 private:
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  std::thread thread_;
};

}  // namespace tg4::net
