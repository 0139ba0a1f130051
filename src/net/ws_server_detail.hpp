#pragma once
// Internals shared by http_server.cpp and ws_server.cpp: session tracking for shutdown, and the hand
// over of an upgraded HTTP stream to a WebSocket session. Not for use outside src/net.
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "net/any_stream.hpp"
#include "net/http_server.hpp"
#include "net/ws_server.hpp"

namespace tg4::net::detail {

// Anything the server must be able to close on stop().
class Closable {
 public:
  virtual ~Closable() = default;
  virtual void shutdown() = 0;  // thread-safe; posts to the session's strand
};

class SessionTracker {
 public:
  // Registers a session; returns false when the server is already stopping (close it at once).
  bool add(std::uint64_t id, std::weak_ptr<Closable> session) {
    const std::lock_guard lock(mutex_);
    if (closed_) return false;
    sessions_[id] = std::move(session);
    return true;
  }
  void remove(std::uint64_t id) {
    const std::lock_guard lock(mutex_);
    sessions_.erase(id);
  }
  std::uint64_t next_id() {
    const std::lock_guard lock(mutex_);
    return next_id_++;
  }
  void close_all() {
    std::vector<std::shared_ptr<Closable>> live;
    {
      const std::lock_guard lock(mutex_);
      closed_ = true;
      for (auto& [id, weak] : sessions_) {
        if (auto s = weak.lock()) live.push_back(std::move(s));
      }
    }
    for (auto& s : live) s->shutdown();
  }
  std::size_t size() const {
    const std::lock_guard lock(mutex_);
    return sessions_.size();
  }

 private:
  mutable std::mutex mutex_;
  std::unordered_map<std::uint64_t, std::weak_ptr<Closable>> sessions_;
  std::uint64_t next_id_ = 1;
  bool closed_ = false;
};

struct WsSessionSettings {
  std::size_t max_message_bytes = 1 << 20;
  std::size_t max_queue_bytes = 64u << 20;
  std::string server_name = "tg4";
};

using UpgradeRequest = boost::beast::http::request<boost::beast::http::string_body>;

// Takes over an HTTP connection whose request was a WebSocket upgrade on `endpoint`'s path.
void start_ws_session(AnyStream stream, UpgradeRequest request, HttpRequest upgrade,
                      std::shared_ptr<WsEndpoint> endpoint, std::shared_ptr<SessionTracker> tracker,
                      WsSessionSettings settings);

}  // namespace tg4::net::detail
