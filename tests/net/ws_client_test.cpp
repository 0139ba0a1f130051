// WsClient against the real net::HttpServer on 127.0.0.1: frames both ways in order, sends from
// many threads, every way a connection ends (peer close, drop, stall, our close, refused, TLS
// refused), and TLS with the self-signed certificate trusted through ca_pem / ca_file.
#include "net/ws_client.hpp"

#include <gtest/gtest.h>

#include <boost/asio/ip/tcp.hpp>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "net/client_helpers.hpp"
#include "net/http_server.hpp"
#include "net/tls_self_signed.hpp"
#include "net/ws_server.hpp"

namespace tg4::net {
namespace {

using namespace std::chrono_literals;

// Echoes "echo:<text>"; the texts "close", "drop" and "pause" make the server do that instead.
class CommandEndpoint final : public WsEndpoint {
 public:
  void on_open(const std::shared_ptr<WsConnection>& c) override {
    std::lock_guard lock(mutex_);
    ++opened_;
    last_ = c;
    cv_.notify_all();
  }
  void on_message(const std::shared_ptr<WsConnection>& c, std::string text) override {
    if (text == "close") return c->close("bye");
    if (text == "drop") return c->drop();
    if (text == "pause") return c->pause(true);
    c->send("echo:" + text);
  }
  void on_close(const std::shared_ptr<WsConnection>&, std::string_view) override {
    std::lock_guard lock(mutex_);
    ++closed_;
    last_.reset();
    cv_.notify_all();
  }
  bool wait_closed(int n) {
    std::unique_lock lock(mutex_);
    return cv_.wait_for(lock, 10s, [&] { return closed_ >= n; });
  }
  std::shared_ptr<WsConnection> wait_open() {
    std::unique_lock lock(mutex_);
    cv_.wait_for(lock, 10s, [&] { return last_.lock() != nullptr; });
    return last_.lock();
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  std::weak_ptr<WsConnection> last_;  // weak: a connection holds its endpoint
  int opened_ = 0;
  int closed_ = 0;
};

// What one client saw, with waits that end on a condition or a deadline.
class Recorder {
 public:
  WsHandlers handlers() {
    return {[this] { note([&] { opened_ = true; }); },
            [this](std::string_view text) { note([&] { messages_.emplace_back(text); }); },
            [this](const WsCloseInfo& info) {
              note([&] {
                close_ = info;
                ++close_calls_;
              });
            }};
  }
  bool wait_open(std::chrono::milliseconds timeout = 10s) {
    return wait(timeout, [&] { return opened_; });
  }
  bool wait_messages(std::size_t n, std::chrono::milliseconds timeout = 10s) {
    return wait(timeout, [&] { return messages_.size() >= n; });
  }
  std::optional<WsCloseInfo> wait_close(std::chrono::milliseconds timeout = 10s) {
    std::unique_lock lock(mutex_);
    cv_.wait_for(lock, timeout, [&] { return close_.has_value(); });
    return close_;
  }
  std::vector<std::string> messages() {
    std::lock_guard lock(mutex_);
    return messages_;
  }
  int close_calls() {
    std::lock_guard lock(mutex_);
    return close_calls_;
  }

 private:
  template <class F>
  void note(F f) {
    std::lock_guard lock(mutex_);
    f();
    cv_.notify_all();
  }
  template <class Pred>
  bool wait(std::chrono::milliseconds timeout, Pred pred) {
    std::unique_lock lock(mutex_);
    return cv_.wait_for(lock, timeout, pred);
  }
  std::mutex mutex_;
  std::condition_variable cv_;
  bool opened_ = false;
  std::vector<std::string> messages_;
  std::optional<WsCloseInfo> close_;
  int close_calls_ = 0;
};

struct WsTestServer {
  explicit WsTestServer(std::shared_ptr<boost::asio::ssl::context> tls = nullptr)
      : server(io.io(), options(tls)) {
    server.add_websocket("/v2", endpoint);
    const auto status = server.start();
    if (!status) throw std::runtime_error(status.error().message);
  }
  static HttpServerOptions options(std::shared_ptr<boost::asio::ssl::context> tls) {
    HttpServerOptions o;
    o.tls = std::move(tls);
    return o;
  }
  std::string url(const std::string& host = "127.0.0.1") const {
    return std::string(server.is_tls() ? "wss" : "ws") + "://" + host + ":" +
           std::to_string(server.port()) + "/v2";
  }
  IoThread io;
  std::shared_ptr<CommandEndpoint> endpoint = std::make_shared<CommandEndpoint>();
  HttpServer server;
};

struct Client {
  explicit Client(WsClientOptions options) {
    auto c = WsClient::create(io.io(), std::move(options), recorder.handlers());
    if (!c) throw std::runtime_error(c.error().message);
    client = *c;
    client->connect();
  }
  ~Client() {
    client->close();
    recorder.wait_close(5s);
  }
  IoThread io;
  Recorder recorder;
  std::shared_ptr<WsClient> client;
};

WsClientOptions plain(const WsTestServer& s) {
  WsClientOptions o;
  o.url = s.url();
  return o;
}

TEST(WsClient, ExchangesFramesInOrder) {
  WsTestServer s;
  Client c(plain(s));
  ASSERT_TRUE(c.recorder.wait_open());
  EXPECT_TRUE(c.client->is_open());
  for (int i = 0; i < 50; ++i) c.client->send("m" + std::to_string(i));
  ASSERT_TRUE(c.recorder.wait_messages(50));
  const auto got = c.recorder.messages();
  for (int i = 0; i < 50; ++i) EXPECT_EQ(got[i], "echo:m" + std::to_string(i));
}

TEST(WsClient, FramesSentBeforeOpenWaitForIt) {
  WsTestServer s;
  IoThread io;
  Recorder r;
  auto c = WsClient::create(io.io(), plain(s), r.handlers()).value();
  c->send("early");
  c->connect();
  ASSERT_TRUE(r.wait_messages(1));
  EXPECT_EQ(r.messages()[0], "echo:early");
  c->close();
  ASSERT_TRUE(r.wait_close().has_value());
}

TEST(WsClient, SendIsThreadSafeAndKeepsPerThreadOrder) {
  WsTestServer s;
  Client c(plain(s));
  ASSERT_TRUE(c.recorder.wait_open());
  constexpr int kThreads = 4, kEach = 200;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) c.client->send(std::to_string(t) + ":" + std::to_string(i));
    });
  }
  for (auto& t : threads) t.join();
  ASSERT_TRUE(c.recorder.wait_messages(kThreads * kEach));
  std::vector<int> next(kThreads, 0);
  for (const auto& m : c.recorder.messages()) {
    const int t = m[5] - '0';
    EXPECT_EQ(std::stoi(m.substr(7)), next[t]++) << m;
  }
}

TEST(WsClient, PeerCloseIsReportedOnceWithTheReason) {
  WsTestServer s;
  Client c(plain(s));
  ASSERT_TRUE(c.recorder.wait_open());
  c.client->send("close");
  const auto info = c.recorder.wait_close();
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->kind, WsCloseInfo::Kind::kClosedByPeer) << info->reason;
  EXPECT_NE(info->reason.find("bye"), std::string::npos) << info->reason;
  EXPECT_FALSE(c.client->is_open());
  EXPECT_EQ(c.recorder.close_calls(), 1);
}

TEST(WsClient, DroppedConnectionIsAnError) {
  WsTestServer s;
  Client c(plain(s));
  ASSERT_TRUE(c.recorder.wait_open());
  c.client->send("drop");
  const auto info = c.recorder.wait_close();
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->kind, WsCloseInfo::Kind::kError) << info->reason;
  EXPECT_NE(info->reason.find("127.0.0.1:" + std::to_string(s.server.port())), std::string::npos);
}

TEST(WsClient, SilentOpenConnectionIsStalledAfterTheIdleDeadline) {
  WsTestServer s;
  auto o = plain(s);
  o.idle_timeout = 400ms;
  Client c(o);
  ASSERT_TRUE(c.recorder.wait_open());
  // Frames keep it alive past the deadline...
  for (int i = 0; i < 6; ++i) {
    c.client->send("tick");
    ASSERT_TRUE(c.recorder.wait_messages(static_cast<std::size_t>(i + 1)));
    std::this_thread::sleep_for(100ms);  // pacing the sender, not synchronisation
  }
  EXPECT_TRUE(c.client->is_open());
  // ...then the server stops reading and sending with the socket open.
  c.client->send("pause");
  const auto paused_at = std::chrono::steady_clock::now();
  const auto info = c.recorder.wait_close(5s);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->kind, WsCloseInfo::Kind::kStalled) << info->reason;
  EXPECT_NE(info->reason.find("400 ms"), std::string::npos) << info->reason;
  const auto detected = std::chrono::steady_clock::now() - paused_at;
  EXPECT_LT(detected, 1500ms);
}

TEST(WsClient, OurCloseSendsACloseFrame) {
  WsTestServer s;
  IoThread io;
  Recorder r;
  auto c = WsClient::create(io.io(), plain(s), r.handlers()).value();
  c->connect();
  ASSERT_TRUE(r.wait_open());
  ASSERT_NE(s.endpoint->wait_open(), nullptr);
  c->close("done");
  const auto info = r.wait_close();
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->kind, WsCloseInfo::Kind::kClosedByUs);
  EXPECT_EQ(info->reason, "done");
  EXPECT_TRUE(s.endpoint->wait_closed(1));
}

TEST(WsClient, RefusedConnectionNamesTheAddress) {
  const auto port = testing::unused_port();
  WsClientOptions o;
  o.url = "ws://127.0.0.1:" + std::to_string(port) + "/v2";
  Client c(o);
  const auto info = c.recorder.wait_close();
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->kind, WsCloseInfo::Kind::kConnectFailed);
  EXPECT_NE(info->reason.find("127.0.0.1:" + std::to_string(port)), std::string::npos)
      << info->reason;
}

TEST(WsClient, ConnectTimesOutWhenNobodyAnswersTheHandshake) {
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor silent(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
  WsClientOptions o;
  o.url = "ws://127.0.0.1:" + std::to_string(silent.local_endpoint().port()) + "/v2";
  o.connect_timeout = 300ms;
  Client c(o);
  const auto info = c.recorder.wait_close(5s);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->kind, WsCloseInfo::Kind::kConnectFailed);
  EXPECT_NE(info->reason.find("timed out"), std::string::npos) << info->reason;
}

TEST(WsClient, BadUrlsAreRejectedNamingTheUrl) {
  IoThread io;
  for (const std::string url : {"http://127.0.0.1/v2", "ws://", "not a url", "wss://host:0/x"}) {
    WsClientOptions o;
    o.url = url;
    const auto c = WsClient::create(io.io(), o, {});
    ASSERT_FALSE(c.ok()) << url;
    EXPECT_NE(c.error().message.find(url), std::string::npos) << c.error().message;
  }
}

TEST(WsClient, UrlDefaultsAndTargets) {
  const auto a = parse_client_url("wss://ws.kraken.com/v2", "ws", "wss").value();
  EXPECT_TRUE(a.tls);
  EXPECT_EQ(a.host, "ws.kraken.com");
  EXPECT_EQ(a.port, "443");
  EXPECT_EQ(a.target, "/v2");
  EXPECT_EQ(a.host_header(), "ws.kraken.com");
  const auto b = parse_client_url("http://127.0.0.1:8080?x=1", "http", "https").value();
  EXPECT_FALSE(b.tls);
  EXPECT_EQ(b.target, "/?x=1");
  EXPECT_EQ(b.host_header(), "127.0.0.1:8080");
  const auto c = parse_client_url("ws://[::1]:9/v2", "ws", "wss").value();
  EXPECT_EQ(c.host, "::1");
  EXPECT_EQ(c.host_header(), "[::1]:9");
  EXPECT_TRUE(is_ip_literal("::1"));
  EXPECT_FALSE(is_ip_literal("localhost"));
}

struct TlsServer {
  static std::shared_ptr<boost::asio::ssl::context> context(const SelfSignedCertificate& cert) {
    return make_server_tls_context(cert).value();
  }
  explicit TlsServer(SelfSignedOptions opts = {})
      : cert(generate_self_signed_certificate(opts).value()), server(context(cert)) {}
  SelfSignedCertificate cert;
  WsTestServer server;
};

TEST(WsClient, TlsWithTheServersCertificateTrusted) {
  TlsServer s;
  for (const std::string host : {"127.0.0.1", "localhost"}) {
    WsClientOptions o;
    o.url = s.server.url(host);
    o.tls.ca_pem = s.cert.certificate_pem;
    Client c(o);
    ASSERT_TRUE(c.recorder.wait_open()) << host;
    c.client->send("secret");
    ASSERT_TRUE(c.recorder.wait_messages(1));
    EXPECT_EQ(c.recorder.messages()[0], "echo:secret");
  }
}

TEST(WsClient, TlsTrustFromACaFile) {
  TlsServer s;
  const auto path = std::filesystem::temp_directory_path() /
                    ("tg4-ws-client-ca-" + std::to_string(getpid()) + ".pem");
  std::ofstream(path) << s.cert.certificate_pem;
  WsClientOptions o;
  o.url = s.server.url();
  o.tls.ca_file = path.string();
  Client c(o);
  EXPECT_TRUE(c.recorder.wait_open());
  std::filesystem::remove(path);
}

TEST(WsClient, TlsRefusesAnUntrustedCertificate) {
  TlsServer s;
  WsClientOptions o;
  o.url = s.server.url();  // system store only: the self-signed certificate is unknown
  Client c(o);
  const auto info = c.recorder.wait_close();
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->kind, WsCloseInfo::Kind::kConnectFailed);
  EXPECT_NE(info->reason.find("TLS handshake"), std::string::npos) << info->reason;
  EXPECT_NE(info->reason.find("certificate verify failed"), std::string::npos) << info->reason;
}

TEST(WsClient, TlsRefusesACertificateForAnotherName) {
  SelfSignedOptions opts;
  opts.common_name = "other.example";
  opts.dns_names = {"other.example"};
  opts.ip_addresses = {};
  TlsServer s(opts);
  WsClientOptions o;
  o.url = s.server.url();
  o.tls.ca_pem = s.cert.certificate_pem;  // trusted, but not issued for 127.0.0.1
  Client c(o);
  const auto info = c.recorder.wait_close();
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->kind, WsCloseInfo::Kind::kConnectFailed) << info->reason;
}

TEST(WsClient, MissingCaFileIsAnErrorNamingIt) {
  IoThread io;
  WsClientOptions o;
  o.url = "wss://127.0.0.1:1/v2";
  o.tls.ca_file = "/nonexistent/ca.pem";
  const auto c = WsClient::create(io.io(), o, {});
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.error().message.find("/nonexistent/ca.pem"), std::string::npos);
}

}  // namespace
}  // namespace tg4::net
