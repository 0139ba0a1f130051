// WebSocket sessions of HttpServer over real sockets: echo, many concurrent sessions, ordered
// non-interleaved writes from other threads, pause/drop/close, shutdown with open sessions, TLS.
#include "net/ws_server.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <set>
#include <thread>

#include <fmt/format.h>

#include <boost/asio/executor_work_guard.hpp>

#include "net/http_server.hpp"
#include "net/tls_self_signed.hpp"
#include "support/ws_test_client.hpp"

namespace tg4::net {
namespace {

using namespace std::chrono_literals;
using testing::ReadStatus;
using testing::WsTestClient;

class IoThreads {
 public:
  explicit IoThreads(int n = 2) : work_(boost::asio::make_work_guard(io_)) {
    for (int i = 0; i < n; ++i) threads_.emplace_back([this] { io_.run(); });
  }
  ~IoThreads() {
    work_.reset();
    io_.stop();
    for (auto& t : threads_) t.join();
  }
  boost::asio::io_context& io() { return io_; }

 private:
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  std::vector<std::thread> threads_;
};

// Echoes every frame; remembers connections (weakly: a session owns its endpoint, so holding the
// connection strongly here would keep both alive forever) so a test can act on them.
class EchoEndpoint : public WsEndpoint {
 public:
  void on_open(const std::shared_ptr<WsConnection>& c) override {
    EXPECT_EQ(c->upgrade_request().path, "/ws");
    const std::lock_guard lock(mutex_);
    open_.push_back(c);
    ++opened_;
    cv_.notify_all();
  }
  void on_message(const std::shared_ptr<WsConnection>& c, std::string text) override { c->send(fmt::format("echo:{}", text)); }
  void on_close(const std::shared_ptr<WsConnection>& c, std::string_view) override {
    const std::lock_guard lock(mutex_);
    EXPECT_TRUE(closed_ids_.insert(c->id()).second) << "on_close twice for one connection";
    cv_.notify_all();
  }
  std::shared_ptr<WsConnection> wait_open(std::size_t n) {
    std::unique_lock lock(mutex_);
    cv_.wait_for(lock, 10s, [&] { return open_.size() >= n; });
    return open_.size() >= n ? open_[n - 1].lock() : nullptr;
  }
  bool wait_closed(std::size_t n) {
    std::unique_lock lock(mutex_);
    return cv_.wait_for(lock, 10s, [&] { return closed_ids_.size() >= n; });
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  std::vector<std::weak_ptr<WsConnection>> open_;
  std::set<std::uint64_t> closed_ids_;
  int opened_ = 0;
};

struct Fixture {
  explicit Fixture(HttpServerOptions opts = {}) : server(io.io(), std::move(opts)) {
    server.add_websocket("/ws", endpoint);
    const auto status = server.start();
    if (!status) throw std::runtime_error(status.error().message);
  }
  IoThreads io;
  std::shared_ptr<EchoEndpoint> endpoint = std::make_shared<EchoEndpoint>();
  HttpServer server;
};

TEST(WsServer, EchoesFramesInOrder) {
  Fixture f;
  WsTestClient client(f.server.port(), nullptr, "/ws");
  for (int i = 0; i < 20; ++i) client.send(fmt::format("m{}", i));
  for (int i = 0; i < 20; ++i) {
    const auto text = client.next();
    ASSERT_TRUE(text.has_value()) << i;
    EXPECT_EQ(*text, fmt::format("echo:m{}", i));
  }
}

TEST(WsServer, ManyConcurrentSessions) {
  Fixture f;
  constexpr int kClients = 24;
  std::vector<std::unique_ptr<WsTestClient>> clients;
  for (int i = 0; i < kClients; ++i) clients.push_back(std::make_unique<WsTestClient>(f.server.port(), nullptr, "/ws"));
  for (int i = 0; i < kClients; ++i) clients[i]->send(fmt::format("client{}", i));
  for (int i = 0; i < kClients; ++i) EXPECT_EQ(clients[i]->next().value_or("none"), fmt::format("echo:client{}", i));
  EXPECT_NE(f.endpoint->wait_open(kClients), nullptr);
  EXPECT_EQ(f.server.session_count(), static_cast<std::size_t>(kClients));
}

TEST(WsServer, SendsFromManyThreadsArriveWholeAndPerThreadInOrder) {
  Fixture f;
  WsTestClient client(f.server.port(), nullptr, "/ws");
  const auto connection = f.endpoint->wait_open(1);
  ASSERT_NE(connection, nullptr);
  constexpr int kThreads = 4;
  constexpr int kPerThread = 300;
  std::vector<std::thread> senders;
  for (int t = 0; t < kThreads; ++t) {
    senders.emplace_back([&, t] {
      // Large frames make interleaving visible if writes were not queued.
      const std::string pad(4000, static_cast<char>('a' + t));
      for (int i = 0; i < kPerThread; ++i) connection->send(fmt::format("{}:{}:{}", t, i, pad));
    });
  }
  for (auto& s : senders) s.join();
  std::vector<int> next(kThreads, 0);
  for (int n = 0; n < kThreads * kPerThread; ++n) {
    const auto text = client.next();
    ASSERT_TRUE(text.has_value()) << "frame " << n;
    const int t = (*text)[0] - '0';
    const auto second_colon = text->find(':', 2);
    ASSERT_EQ(std::stoi(text->substr(2, second_colon - 2)), next[t]) << "thread " << t << " out of order";
    ++next[t];
    EXPECT_EQ(text->substr(second_colon + 1), std::string(4000, static_cast<char>('a' + t)));
  }
}

TEST(WsServer, PauseHoldsTrafficAndResumeReleasesIt) {
  Fixture f;
  WsTestClient client(f.server.port(), nullptr, "/ws");
  const auto connection = f.endpoint->wait_open(1);
  ASSERT_NE(connection, nullptr);
  connection->pause(true);
  connection->send("held");
  std::string text;
  EXPECT_EQ(client.read(text, 300ms), ReadStatus::kTimeout);
  EXPECT_FALSE(client.closed());
  connection->pause(false);
  EXPECT_EQ(client.next().value_or("none"), "held");
  client.send("after");
  EXPECT_EQ(client.next().value_or("none"), "echo:after");
}

TEST(WsServer, DropClosesTcpWithoutACloseFrame) {
  Fixture f;
  WsTestClient client(f.server.port(), nullptr, "/ws");
  const auto connection = f.endpoint->wait_open(1);
  ASSERT_NE(connection, nullptr);
  connection->drop();
  std::string text;
  EXPECT_EQ(client.read(text, 5s), ReadStatus::kClosed);
  EXPECT_FALSE(client.closed_cleanly()) << client.close_error().message();
  EXPECT_TRUE(f.endpoint->wait_closed(1));
}

TEST(WsServer, CloseFlushesQueueThenSendsACloseFrame) {
  Fixture f;
  WsTestClient client(f.server.port(), nullptr, "/ws");
  const auto connection = f.endpoint->wait_open(1);
  ASSERT_NE(connection, nullptr);
  connection->send("last words");
  connection->close("bye");
  EXPECT_EQ(client.next().value_or("none"), "last words");
  std::string text;
  EXPECT_EQ(client.read(text, 5s), ReadStatus::kClosed);
  EXPECT_TRUE(client.closed_cleanly()) << client.close_error().message();
  EXPECT_TRUE(f.endpoint->wait_closed(1));
}

TEST(WsServer, StopClosesOpenSessionsCleanly) {
  Fixture f;
  WsTestClient a(f.server.port(), nullptr, "/ws");
  WsTestClient b(f.server.port(), nullptr, "/ws");
  ASSERT_NE(f.endpoint->wait_open(2), nullptr);
  f.server.stop();
  std::string text;
  EXPECT_EQ(a.read(text, 5s), ReadStatus::kClosed);
  EXPECT_EQ(b.read(text, 5s), ReadStatus::kClosed);
  EXPECT_TRUE(a.closed_cleanly());
  EXPECT_TRUE(f.endpoint->wait_closed(2));
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (f.server.session_count() > 0 && std::chrono::steady_clock::now() < deadline) std::this_thread::yield();
  EXPECT_EQ(f.server.session_count(), 0u);
}

TEST(WsServer, UpgradeOnAnUnknownPathIsRefused) {
  Fixture f;
  EXPECT_THROW(WsTestClient(f.server.port(), nullptr, "/other"), std::exception);
}

TEST(WsServer, SlowPeerOverTheQueueLimitIsDropped) {
  HttpServerOptions opts;
  opts.max_ws_queue_bytes = 64 * 1024;
  Fixture f(opts);
  WsTestClient client(f.server.port(), nullptr, "/ws");
  const auto connection = f.endpoint->wait_open(1);
  ASSERT_NE(connection, nullptr);
  connection->pause(true);  // nothing leaves, so the queue only grows
  for (int i = 0; i < 40; ++i) connection->send(std::string(4096, 'x'));
  EXPECT_TRUE(f.endpoint->wait_closed(1));
}

TEST(WsServer, WssWithTheSelfSignedCertificate) {
  const auto cert = generate_self_signed_certificate();
  ASSERT_TRUE(cert.ok());
  HttpServerOptions opts;
  opts.tls = make_server_tls_context(*cert).value();
  Fixture f(opts);
  testing::WssTestClient client(f.server.port(), testing::client_tls_context(cert->certificate_pem), "/ws", "localhost");
  client.send("secret");
  EXPECT_EQ(client.next().value_or("none"), "echo:secret");
}

}  // namespace
}  // namespace tg4::net
