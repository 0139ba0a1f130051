#pragma once
// Test helpers for the simulator's private side: a blocking client of the authenticated WS endpoint
// over net::WsClient (frames are kept, and each wait takes the first unclaimed frame that matches,
// so an executions update that overtook a response is not lost), signed REST calls, and JSON
// reading that keeps every number's exact digits.
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/decimal.hpp"
#include "kraken/signing.hpp"
#include "net/http_client.hpp"
#include "net/ws_client.hpp"
#include "sim/private_request.hpp"

namespace tg4::testing {

using sim::JsonValue;
using Frame = JsonValue;
using Match = std::function<bool(const JsonValue&)>;

inline JsonValue parse_json(std::string_view text) {
  sim::PrivateRequestParser parser;
  auto parsed = parser.parse_object(text);
  if (!parsed) throw std::runtime_error("not a JSON object: " + std::string(text));
  return std::move(parsed).value();
}

// Text of a string, number or bool field ("" when absent).
inline std::string text(const JsonValue& v, std::string_view key) {
  const JsonValue* f = v.find(key);
  return f == nullptr ? std::string() : f->text;
}

inline bool has(const JsonValue& v, std::string_view key) {
  return v.find(key) != nullptr;
}

inline core::Decimal dec(const JsonValue& v, std::string_view key) {
  const JsonValue* f = v.find(key);
  if (f == nullptr) throw std::runtime_error("no field " + std::string(key));
  return core::Decimal::must(f->text);
}

inline const JsonValue& obj(const JsonValue& v, std::string_view key) {
  const JsonValue* f = v.find(key);
  if (f == nullptr) throw std::runtime_error("no field " + std::string(key));
  return *f;
}

// The rows of a channel frame's "data".
inline const std::vector<JsonValue>& rows(const JsonValue& frame) {
  return obj(frame, "data").items;
}

// Matchers.
inline Match response(std::int64_t req_id) {
  return [req_id](const JsonValue& f) {
    return has(f, "method") && text(f, "req_id") == std::to_string(req_id);
  };
}
inline Match channel(std::string name, std::string type = {}) {
  return [name, type](const JsonValue& f) {
    return text(f, "channel") == name && (type.empty() || text(f, "type") == type);
  };
}
// An executions frame with a row of this exec_type (and order id, when given).
inline Match execution(std::string exec_type, std::string order_id = {}) {
  return [exec_type, order_id](const JsonValue& f) {
    if (text(f, "channel") != "executions") return false;
    for (const auto& r : rows(f)) {
      if (text(r, "exec_type") == exec_type &&
          (order_id.empty() || text(r, "order_id") == order_id))
        return true;
    }
    return false;
  };
}
// The row of an executions frame with this exec_type and order id.
inline const JsonValue& row_of(const JsonValue& frame, const std::string& exec_type,
                               const std::string& order_id = {}) {
  for (const auto& r : rows(frame)) {
    if (text(r, "exec_type") == exec_type && (order_id.empty() || text(r, "order_id") == order_id))
      return r;
  }
  throw std::runtime_error("no " + exec_type + " row");
}

class PrivateClient {
 public:
  // `ca_pem`: the server's certificate for wss:// (the simulator's self-signed one).
  PrivateClient(const std::string& url, std::string token, const std::string& ca_pem = {})
      : token_(std::move(token)) {
    net::WsClientOptions options;
    options.url = url;
    options.tls.ca_pem = ca_pem;
    options.connect_timeout = std::chrono::seconds(5);
    net::WsHandlers handlers;
    handlers.on_open = [this] {
      std::lock_guard lock(mutex_);
      open_ = true;
      changed_.notify_all();
    };
    handlers.on_message = [this](std::string_view text) {
      std::lock_guard lock(mutex_);
      frames_.push_back(Slot{std::string(text), false});
      changed_.notify_all();
    };
    handlers.on_close = [this](const net::WsCloseInfo& info) {
      std::lock_guard lock(mutex_);
      closed_ = true;
      close_kind_ = info.kind;
      close_reason_ = info.reason;
      changed_.notify_all();
    };
    auto made = net::WsClient::create(io_.io(), options, handlers);
    if (!made) throw std::runtime_error(made.error().message);
    client_ = *made;
    client_->connect();
    std::unique_lock lock(mutex_);
    if (!changed_.wait_for(lock, std::chrono::seconds(5), [this] { return open_ || closed_; }) ||
        !open_) {
      throw std::runtime_error("could not connect to " + url + ": " + close_reason_);
    }
  }

  ~PrivateClient() {
    client_->close();
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, std::chrono::seconds(2), [this] { return closed_; });
    lock.unlock();
    io_.stop();
  }

  PrivateClient(const PrivateClient&) = delete;
  PrivateClient& operator=(const PrivateClient&) = delete;

  void send(std::string raw) { client_->send(std::move(raw)); }

  // {"method":m,"params":{<params>,"token":..},"req_id":id}; params is the inside of the object.
  void call(std::string_view method, std::int64_t req_id, std::string_view params = {}) {
    std::string p = params.empty() ? "" : std::string(params) + ",";
    send("{\"method\":\"" + std::string(method) + "\",\"params\":{" + p + "\"token\":\"" + token_ +
         "\"},\"req_id\":" + std::to_string(req_id) + "}");
  }

  // The first unclaimed frame that matches, waiting up to `timeout`; nullopt if none came.
  std::optional<JsonValue> wait(const Match& match,
                                std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    std::unique_lock lock(mutex_);
    std::size_t scanned = 0;
    for (;;) {
      for (; scanned < frames_.size(); ++scanned) {
        Slot& s = frames_[scanned];
        if (s.taken) continue;
        JsonValue frame = parse_json(s.text);
        if (match(frame)) {
          s.taken = true;
          return frame;
        }
      }
      if (changed_.wait_until(lock, deadline) == std::cv_status::timeout &&
          scanned == frames_.size()) {
        return std::nullopt;
      }
    }
  }

  // As wait(), but a missing frame fails the test with what was expected.
  JsonValue expect(const Match& match, const std::string& what,
                   std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    auto frame = wait(match, timeout);
    if (!frame) throw std::runtime_error("no frame: " + what + "\nframes:\n" + dump());
    return *frame;
  }

  // Calls and returns the response to it.
  JsonValue request(std::string_view method, std::int64_t req_id, std::string_view params = {}) {
    call(method, req_id, params);
    return expect(response(req_id), std::string(method) + " response " + std::to_string(req_id));
  }

  // Every executions row of one order received so far, in order, once a row of `last` exec_type is
  // among them (whichever frames they came in, claimed or not); throws if it does not come in time.
  std::vector<JsonValue> order_rows(const std::string& order_id, const std::string& last,
                                    std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    std::unique_lock lock(mutex_);
    for (;;) {
      std::vector<JsonValue> out;
      bool done = false;
      for (const auto& slot : frames_) {
        const JsonValue frame = parse_json(slot.text);
        if (testing::text(frame, "channel") != "executions") continue;
        for (const auto& r : obj(frame, "data").items) {
          if (testing::text(r, "order_id") != order_id) continue;
          out.push_back(r);
          done = done || testing::text(r, "exec_type") == last;
        }
      }
      if (done) return out;
      if (changed_.wait_until(lock, deadline) == std::cv_status::timeout) {
        lock.unlock();
        throw std::runtime_error("no " + last + " row for " + order_id + "\nframes:\n" + dump());
      }
    }
  }

  bool wait_closed(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [this] { return closed_; });
  }
  net::WsCloseInfo::Kind close_kind() {
    std::lock_guard lock(mutex_);
    return close_kind_;
  }

  std::string dump() {
    std::lock_guard lock(mutex_);
    std::string out;
    for (const auto& s : frames_) out += (s.taken ? "  [taken] " : "  ") + s.text + "\n";
    return out;
  }

 private:
  struct Slot {
    std::string text;
    bool taken = false;
  };
  std::string token_;
  net::IoThread io_;
  std::shared_ptr<net::WsClient> client_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<Slot> frames_;
  bool open_ = false;
  bool closed_ = false;
  net::WsCloseInfo::Kind close_kind_ = net::WsCloseInfo::Kind::kError;
  std::string close_reason_;
};

// A signed POST /0/private/<method>; `fields` are form fields after the nonce. Returns the body.
inline std::string private_post(const std::string& rest_url, const std::string& method,
                                std::uint64_t nonce, const std::string& key,
                                const std::string& secret, const std::string& fields = {},
                                const std::string& ca_pem = {}) {
  const std::string path = "/0/private/" + method;
  std::string body = "nonce=" + std::to_string(nonce) + (fields.empty() ? "" : "&" + fields);
  auto sign = kraken::api_sign(path, std::to_string(nonce), body, secret);
  if (!sign) throw std::runtime_error(sign.error().message);
  net::HttpClientOptions options;
  options.tls.ca_pem = ca_pem;
  net::HttpClient client(options);
  auto res = client.post(rest_url + path, body,
                         {{"API-Key", key},
                          {"API-Sign", *sign},
                          {"Content-Type", "application/x-www-form-urlencoded"}});
  if (!res) throw std::runtime_error(res.error().message);
  return res->body;
}

}  // namespace tg4::testing
