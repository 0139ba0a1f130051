// HttpClient against the real net::HttpServer on 127.0.0.1: GET/POST with headers and bodies, a
// kept-alive connection reused across requests, timeouts, refused connections, and HTTPS that
// trusts only what it is told to.
#include "net/http_client.hpp"

#include <gtest/gtest.h>

#include <boost/asio/ip/tcp.hpp>
#include <mutex>

#include "net/client_helpers.hpp"
#include "net/http_server.hpp"
#include "net/tls_self_signed.hpp"
#include "net/ws_client.hpp"

namespace tg4::net {
namespace {

using namespace std::chrono_literals;

struct HttpTestServer {
  explicit HttpTestServer(std::shared_ptr<boost::asio::ssl::context> tls = nullptr)
      : server(io.io(), options(tls)) {
    server.route("GET", "/0/public/Time", [](const HttpRequest& r) {
      std::string body = "{\"path\":\"" + r.path + "\"";
      for (const auto& [k, v] : r.query) body += ",\"" + k + "\":\"" + v + "\"";
      if (const auto* h = r.header("api-key")) body += ",\"api-key\":\"" + *h + "\"";
      if (const auto* h = r.header("user-agent")) body += ",\"agent\":\"" + *h + "\"";
      return HttpResponse::json(200, body + "}");
    });
    server.route("POST", "/0/private/Echo", [](const HttpRequest& r) {
      const auto* type = r.header("content-type");
      return HttpResponse::text(201, (type ? *type : std::string("-")) + "|" + r.body);
    });
    server.route_async("GET", "/never", [this](HttpRequest, HttpRespond respond) {
      std::lock_guard lock(mutex);
      parked.push_back(std::move(respond));  // answered at teardown, after the client gave up
    });
    const auto status = server.start();
    if (!status) throw std::runtime_error(status.error().message);
  }
  ~HttpTestServer() {
    std::lock_guard lock(mutex);
    for (auto& r : parked) r(HttpResponse::text(200, "late"));
  }
  static HttpServerOptions options(std::shared_ptr<boost::asio::ssl::context> tls) {
    HttpServerOptions o;
    o.tls = std::move(tls);
    return o;
  }
  std::string base(const std::string& host = "127.0.0.1") const {
    return std::string(server.is_tls() ? "https" : "http") + "://" + host + ":" +
           std::to_string(server.port());
  }
  IoThread io;
  std::mutex mutex;
  std::vector<HttpRespond> parked;
  HttpServer server;
};

TEST(HttpClient, GetsWithQueryAndHeadersOnOneKeptAliveConnection) {
  HttpTestServer s;
  HttpClient client;
  for (int i = 0; i < 3; ++i) {
    const auto r = client.get(s.base() + "/0/public/Time?pair=XBT%2FUSD&n=" + std::to_string(i),
                              {{"API-Key", "k1"}});
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->body, "{\"path\":\"/0/public/Time\",\"pair\":\"XBT/USD\",\"n\":\"" +
                           std::to_string(i) + "\",\"api-key\":\"k1\",\"agent\":\"tg4\"}");
    ASSERT_NE(r->header("content-type"), nullptr);
    EXPECT_EQ(*r->header("content-type"), "application/json");
  }
  EXPECT_EQ(client.connections_opened(), 1u);
}

TEST(HttpClient, PostsABody) {
  HttpTestServer s;
  HttpClient client;
  const auto r = client.post(s.base() + "/0/private/Echo", "nonce=1&x=y",
                             {{"Content-Type", "application/x-www-form-urlencoded"}});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->status, 201);
  EXPECT_EQ(r->body, "application/x-www-form-urlencoded|nonce=1&x=y");
}

TEST(HttpClient, AnyStatusIsAResponse) {
  HttpTestServer s;
  HttpClient client;
  const auto r = client.get(s.base() + "/missing");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 404);
  // The connection survives a 404 and serves the next request.
  EXPECT_TRUE(client.get(s.base() + "/0/public/Time").ok());
}

TEST(HttpClient, TimesOutNamingMethodUrlAndTimeout) {
  HttpTestServer s;
  HttpClientOptions o;
  o.timeout = 300ms;
  HttpClient client(o);
  const auto start = std::chrono::steady_clock::now();
  const auto r = client.get(s.base() + "/never?secret=1");
  ASSERT_FALSE(r.ok());
  EXPECT_LT(std::chrono::steady_clock::now() - start, 3s);
  EXPECT_NE(r.error().message.find("GET " + s.base() + "/never"), std::string::npos)
      << r.error().message;
  EXPECT_NE(r.error().message.find("timed out"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("300 ms"), std::string::npos) << r.error().message;
  EXPECT_EQ(r.error().message.find("secret"), std::string::npos) << "the query is not repeated";
  // The client recovers on a fresh connection.
  const auto ok = client.get(s.base() + "/0/public/Time");
  EXPECT_TRUE(ok.ok()) << ok.error().message;
}

TEST(HttpClient, RefusedConnectionNamesTheAddress) {
  const auto port = testing::unused_port();
  HttpClient client;
  const auto r = client.get("http://127.0.0.1:" + std::to_string(port) + "/x");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("127.0.0.1:" + std::to_string(port)), std::string::npos)
      << r.error().message;
}

TEST(HttpClient, ReconnectsAfterTheServerWentAway) {
  auto s = std::make_unique<HttpTestServer>();
  HttpClient client;
  ASSERT_TRUE(client.get(s->base() + "/0/public/Time").ok());
  s.reset();
  s = std::make_unique<HttpTestServer>();
  const auto r = client.get(s->base() + "/0/public/Time");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(client.connections_opened(), 2u);
}

TEST(HttpClient, BadUrlAndMethodAreErrors) {
  HttpClient client;
  EXPECT_FALSE(client.get("ftp://127.0.0.1/x").ok());
  HttpClientRequest r;
  r.method = "FETCH";
  r.url = "http://127.0.0.1:1/x";
  EXPECT_FALSE(client.request(r).ok());
}

TEST(HttpClient, HttpsTrustsTheGivenCertificateOnly) {
  const auto cert = generate_self_signed_certificate().value();
  HttpTestServer s(make_server_tls_context(cert).value());
  {
    HttpClient untrusting;
    const auto r = untrusting.get(s.base() + "/0/public/Time");
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().message.find("certificate verify failed"), std::string::npos)
        << r.error().message;
  }
  HttpClientOptions o;
  o.tls.ca_pem = cert.certificate_pem;
  HttpClient client(o);
  for (const std::string host : {"127.0.0.1", "localhost"}) {
    const auto r = client.get(s.base(host) + "/0/public/Time?h=" + host);
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->status, 200);
  }
}

}  // namespace
}  // namespace tg4::net
