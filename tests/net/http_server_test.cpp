// HttpServer over real sockets on 127.0.0.1: routing, query/header decoding, async handlers, limits,
// errors that name the address, keep-alive, TLS with the in-memory self-signed certificate.
#include "net/http_server.hpp"

#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "net/tls_self_signed.hpp"
#include "support/ws_test_client.hpp"

namespace tg4::net {
namespace {

using testing::http_request;

// An io_context with one thread, stopped and joined on destruction.
class IoThread {
 public:
  IoThread() : work_(boost::asio::make_work_guard(io_)), thread_([this] { io_.run(); }) {}
  ~IoThread() {
    work_.reset();
    io_.stop();
    thread_.join();
  }
  boost::asio::io_context& io() { return io_; }

 private:
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  std::thread thread_;
};

std::string describe(const HttpRequest& r) {
  std::string out = r.method + " " + r.path;
  for (const auto& [k, v] : r.query) out += " q:" + k + "=" + v;
  if (const auto* h = r.header("x-test")) out += " h:" + *h;
  if (!r.body.empty()) out += " body:" + r.body;
  return out;
}

TEST(HttpServer, ServesRoutesOnAnEphemeralPort) {
  IoThread io;
  HttpServer server(io.io(), {});
  server.route("GET", "/hello", [](const HttpRequest& r) { return HttpResponse::text(200, describe(r)); });
  server.route("POST", "/echo", [](const HttpRequest& r) { return HttpResponse::json(201, describe(r)); });
  ASSERT_TRUE(server.start().ok());
  ASSERT_GT(server.port(), 0);
  EXPECT_FALSE(server.is_tls());

  const auto get = http_request(server.port(), "/hello?pair=XBT%2FUSDT&empty&since=17");
  EXPECT_EQ(get.status, 200);
  EXPECT_EQ(get.body, "GET /hello q:pair=XBT/USDT q:empty= q:since=17");
  EXPECT_EQ(get.content_type, "text/plain; charset=utf-8");

  const auto post = http_request(server.port(), "/echo", "POST", "{\"a\":1}");
  EXPECT_EQ(post.status, 201);
  EXPECT_EQ(post.body, "POST /echo body:{\"a\":1}");
  EXPECT_EQ(post.content_type, "application/json");
  server.stop();
}

TEST(HttpServer, UnknownPathIs404AndWrongMethodIs405) {
  IoThread io;
  HttpServer server(io.io(), {});
  server.route("GET", "/only-get", [](const HttpRequest&) { return HttpResponse::text(200, "ok"); });
  ASSERT_TRUE(server.start().ok());
  const auto missing = http_request(server.port(), "/nope");
  EXPECT_EQ(missing.status, 404);
  EXPECT_NE(missing.body.find("/nope"), std::string::npos);
  const auto wrong = http_request(server.port(), "/only-get", "DELETE");
  EXPECT_EQ(wrong.status, 405);
  EXPECT_NE(wrong.body.find("DELETE"), std::string::npos);
}

TEST(HttpServer, FallbackAnswersUnroutedRequests) {
  IoThread io;
  HttpServer server(io.io(), {});
  server.set_fallback([](HttpRequest r, HttpRespond respond) { respond(HttpResponse::json(404, "{\"path\":\"" + r.path + "\"}")); });
  ASSERT_TRUE(server.start().ok());
  const auto res = http_request(server.port(), "/x/y");
  EXPECT_EQ(res.status, 404);
  EXPECT_EQ(res.body, "{\"path\":\"/x/y\"}");
}

TEST(HttpServer, AsyncHandlerMayRespondFromAnotherThread) {
  IoThread io;
  HttpServer server(io.io(), {});
  std::vector<std::thread> workers;
  std::mutex mutex;
  server.route_async("GET", "/later", [&](HttpRequest r, HttpRespond respond) {
    const std::lock_guard lock(mutex);
    workers.emplace_back([r = std::move(r), respond = std::move(respond)] {
      respond(HttpResponse::text(202, "answered off-strand for " + r.path));
    });
  });
  ASSERT_TRUE(server.start().ok());
  const auto res = http_request(server.port(), "/later");
  EXPECT_EQ(res.status, 202);
  EXPECT_EQ(res.body, "answered off-strand for /later");
  for (auto& t : workers) t.join();
}

TEST(HttpServer, HandlerExceptionBecomes500) {
  IoThread io;
  HttpServer server(io.io(), {});
  server.route("GET", "/boom", [](const HttpRequest&) -> HttpResponse { throw std::runtime_error("boom"); });
  ASSERT_TRUE(server.start().ok());
  EXPECT_EQ(http_request(server.port(), "/boom").status, 500);
}

TEST(HttpServer, BodyOverTheLimitIs413) {
  IoThread io;
  HttpServerOptions opts;
  opts.max_body_bytes = 1000;
  HttpServer server(io.io(), opts);
  server.route("POST", "/in", [](const HttpRequest& r) { return HttpResponse::text(200, std::to_string(r.body.size())); });
  ASSERT_TRUE(server.start().ok());
  EXPECT_EQ(http_request(server.port(), "/in", "POST", std::string(1000, 'x')).body, "1000");
  const auto big = http_request(server.port(), "/in", "POST", std::string(1001, 'x'));
  EXPECT_EQ(big.status, 413);
  EXPECT_NE(big.body.find("1000 bytes"), std::string::npos);
}

// The owner shapes the answers the server gives without a handler (the operator API: JSON errors).
TEST(HttpServer, ErrorResponseShapesTheServersOwnAnswers) {
  IoThread io;
  HttpServerOptions opts;
  opts.max_body_bytes = 1000;
  opts.error_response = [](int status, const std::string& message) {
    return HttpResponse::json(status, "{\"error\":\"" + message + "\"}");
  };
  HttpServer server(io.io(), opts);
  server.route("POST", "/in", [](const HttpRequest&) { return HttpResponse::text(200, "ok"); });
  ASSERT_TRUE(server.start().ok());
  const auto big = http_request(server.port(), "/in", "POST", std::string(1001, 'x'));
  EXPECT_EQ(big.status, 413);
  EXPECT_EQ(big.content_type, "application/json");
  EXPECT_EQ(big.body, "{\"error\":\"request too large: the limit is 1000 bytes\"}");
  const auto wrong = http_request(server.port(), "/in", "GET");
  EXPECT_EQ(wrong.status, 405);
  EXPECT_EQ(wrong.body, "{\"error\":\"method GET not allowed on /in\"}");
  EXPECT_EQ(http_request(server.port(), "/none").body, "{\"error\":\"not found: /none\"}");
}

TEST(HttpServer, KeepAliveServesSeveralRequestsOnOneConnection) {
  namespace http = boost::beast::http;
  IoThread io;
  HttpServer server(io.io(), {});
  int calls = 0;
  server.route("GET", "/n", [&](const HttpRequest&) { return HttpResponse::text(200, std::to_string(++calls)); });
  ASSERT_TRUE(server.start().ok());
  boost::asio::io_context client_io;
  boost::beast::tcp_stream stream(client_io);
  stream.connect({boost::asio::ip::make_address("127.0.0.1"), server.port()});
  boost::beast::flat_buffer buffer;
  for (int i = 1; i <= 3; ++i) {
    http::request<http::empty_body> req{http::verb::get, "/n", 11};
    req.set(http::field::host, "localhost");
    http::write(stream, req);
    http::response<http::string_body> res;
    http::read(stream, buffer, res);
    EXPECT_EQ(res.body(), std::to_string(i));
    EXPECT_TRUE(res.keep_alive());
  }
}

TEST(HttpServer, BusyPortIsAnErrorNamingTheAddress) {
  IoThread io;
  HttpServer first(io.io(), {});
  ASSERT_TRUE(first.start().ok());
  HttpServerOptions opts;
  opts.port = first.port();
  HttpServer second(io.io(), opts);
  const auto status = second.start();
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.error().message.find("127.0.0.1:" + std::to_string(first.port())), std::string::npos)
      << status.error().message;
  EXPECT_NE(status.error().message.find("in use"), std::string::npos) << status.error().message;
}

TEST(HttpServer, BadAddressIsAnError) {
  IoThread io;
  HttpServerOptions opts;
  opts.address = "not-an-ip";
  HttpServer server(io.io(), opts);
  const auto status = server.start();
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.error().message.find("not-an-ip"), std::string::npos);
}

TEST(HttpServer, StopClosesTheListener) {
  IoThread io;
  HttpServer server(io.io(), {});
  server.route("GET", "/x", [](const HttpRequest&) { return HttpResponse::text(200, "x"); });
  ASSERT_TRUE(server.start().ok());
  const auto port = server.port();
  EXPECT_EQ(http_request(port, "/x").status, 200);
  server.stop();
  // Once the acceptor is closed a new connection is refused.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  bool refused = false;
  while (!refused && std::chrono::steady_clock::now() < deadline) {
    try {
      http_request(port, "/x");
    } catch (const std::exception&) {
      refused = true;
    }
  }
  EXPECT_TRUE(refused);
}

TEST(SelfSignedCertificate, HasTheLoopbackNamesAndVerifiesAgainstItself) {
  const auto cert = generate_self_signed_certificate();
  ASSERT_TRUE(cert.ok()) << cert.error().message;
  EXPECT_NE(cert->certificate_pem.find("BEGIN CERTIFICATE"), std::string::npos);
  EXPECT_NE(cert->private_key_pem.find("PRIVATE KEY"), std::string::npos);
  BIO* bio = BIO_new_mem_buf(cert->certificate_pem.data(), static_cast<int>(cert->certificate_pem.size()));
  X509* x509 = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  ASSERT_NE(x509, nullptr);
  EXPECT_EQ(X509_check_host(x509, "localhost", 0, 0, nullptr), 1);
  EXPECT_EQ(X509_check_ip_asc(x509, "127.0.0.1", 0), 1);
  EXPECT_NE(X509_check_host(x509, "example.com", 0, 0, nullptr), 1);
  EVP_PKEY* key = X509_get_pubkey(x509);
  EXPECT_EQ(X509_verify(x509, key), 1);
  EVP_PKEY_free(key);
  X509_free(x509);
  // Two calls make two different certificates (fresh key, fresh serial).
  const auto other = generate_self_signed_certificate();
  ASSERT_TRUE(other.ok());
  EXPECT_NE(other->certificate_pem, cert->certificate_pem);
}

TEST(HttpServer, ServesHttpsWithTheSelfSignedCertificate) {
  const auto cert = generate_self_signed_certificate();
  ASSERT_TRUE(cert.ok());
  auto ctx = make_server_tls_context(*cert);
  ASSERT_TRUE(ctx.ok()) << ctx.error().message;
  IoThread io;
  HttpServerOptions opts;
  opts.tls = *ctx;
  HttpServer server(io.io(), opts);
  server.route("GET", "/secure", [](const HttpRequest&) { return HttpResponse::text(200, "over tls"); });
  ASSERT_TRUE(server.start().ok());
  EXPECT_TRUE(server.is_tls());
  const auto res = http_request(server.port(), "/secure", "GET", "", testing::client_tls_context(cert->certificate_pem));
  EXPECT_EQ(res.status, 200);
  EXPECT_EQ(res.body, "over tls");
  // A client that trusts a different certificate refuses the connection.
  const auto stranger = generate_self_signed_certificate();
  ASSERT_TRUE(stranger.ok());
  EXPECT_THROW(http_request(server.port(), "/secure", "GET", "", testing::client_tls_context(stranger->certificate_pem)),
               std::exception);
}

}  // namespace
}  // namespace tg4::net
