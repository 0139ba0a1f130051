#include "metrics/metrics_server.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <prometheus/counter.h>
#include <prometheus/registry.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>

#include "metrics/build_info.hpp"

namespace tg4::metrics {
namespace {

// A minimal HTTP/1.0 GET to 127.0.0.1:port: the response (headers and body), "" on failure.
std::string http_get(std::uint16_t port, const std::string& path) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return "";
  timeval timeout{10, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string response;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0) {
    const std::string request = "GET " + path + " HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
    if (::send(fd, request.data(), request.size(), 0) == static_cast<ssize_t>(request.size())) {
      char buf[4096];
      ssize_t n = 0;
      while ((n = ::recv(fd, buf, sizeof(buf), 0)) > 0)
        response.append(buf, static_cast<std::size_t>(n));
    }
  }
  ::close(fd);
  return response;
}

// A socket listening on 127.0.0.1 at a kernel-chosen port, to make that port "in use".
class Listener {
 public:
  Listener() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof(addr);
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
        ::listen(fd_, 1) == 0 &&
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
      port_ = ntohs(addr.sin_port);
    }
  }
  ~Listener() { ::close(fd_); }
  std::uint16_t port() const { return port_; }

 private:
  int fd_ = -1;
  std::uint16_t port_ = 0;
};

TEST(MetricsServer, ServesBuildInfoAndModuleMetricsOverHttp) {
  auto server = MetricsServer::start("127.0.0.1:0");
  ASSERT_TRUE(server.ok()) << server.error().message;
  const std::uint16_t port = (*server)->port();
  ASSERT_NE(port, 0);
  EXPECT_EQ((*server)->address(), "127.0.0.1:" + std::to_string(port));
  prometheus::BuildCounter()
      .Name("tg4_test_things_total")
      .Help("test")
      .Register((*server)->registry())
      .Add({})
      .Increment(3);

  const std::string response = http_get(port, "/metrics");
  EXPECT_NE(response.find("200 OK"), std::string::npos) << response;
  const BuildInfo& b = build_info();
  const std::string expected = "tg4_build_info{build_type=\"" + b.build_type + "\",compiler=\"" +
                               b.compiler + "\",git_sha=\"" + b.git_sha + "\",version=\"" +
                               b.version + "\"} 1";
  EXPECT_NE(response.find(expected), std::string::npos) << response;
  EXPECT_NE(response.find("tg4_test_things_total 3"), std::string::npos) << response;
  EXPECT_NE(response.find("tg4_process_start_time_seconds 1"), std::string::npos) << response;
}

TEST(MetricsServer, SharesTheRegistryItIsGiven) {
  auto registry = std::make_shared<prometheus::Registry>();
  auto server = MetricsServer::start("127.0.0.1:0", registry);
  ASSERT_TRUE(server.ok()) << server.error().message;
  EXPECT_EQ((*server)->shared_registry(), registry);
  prometheus::BuildCounter()
      .Name("tg4_shared_total")
      .Help("test")
      .Register(*registry)
      .Add({})
      .Increment();
  EXPECT_NE(http_get((*server)->port(), "/metrics").find("tg4_shared_total 1"), std::string::npos);
}

TEST(MetricsServer, PortInUseIsAnErrorNamingTheAddress) {
  Listener taken;
  ASSERT_NE(taken.port(), 0);
  const std::string address = "127.0.0.1:" + std::to_string(taken.port());
  auto server = MetricsServer::start(address);
  ASSERT_FALSE(server.ok());
  EXPECT_NE(server.error().message.find(address), std::string::npos) << server.error().message;
  EXPECT_NE(server.error().message.find("--metrics"), std::string::npos) << server.error().message;
  // The cause in an operator's words, not CivetWeb's ("null context when constructing
  // CivetServer").
  EXPECT_NE(server.error().message.find("the port is in use"), std::string::npos)
      << server.error().message;
  EXPECT_EQ(server.error().message.find("CivetServer"), std::string::npos)
      << server.error().message;
}

TEST(MetricsServer, RejectsMalformedAddresses) {
  for (const std::string bad :
       {"9464", "127.0.0.1:", "127.0.0.1:http", ":9464", "127.0.0.1:70000"}) {
    auto server = MetricsServer::start(bad);
    ASSERT_FALSE(server.ok()) << bad;
    EXPECT_NE(server.error().message.find("'" + bad + "'"), std::string::npos)
        << server.error().message;
  }
}

TEST(BuildInfo, IsFilledIn) {
  const BuildInfo& b = build_info();
  EXPECT_FALSE(b.version.empty());
  EXPECT_FALSE(b.git_sha.empty());
  EXPECT_FALSE(b.compiler.empty());
  EXPECT_FALSE(b.build_type.empty());
}

}  // namespace
}  // namespace tg4::metrics
