#include "core/address.hpp"

#include <gtest/gtest.h>

namespace tg4::core {
namespace {

TEST(HostPort, ParsesHostAndPortInRange) {
  auto a = parse_host_port("127.0.0.1:8080");
  ASSERT_TRUE(a) << a.error().message;
  EXPECT_EQ(a->host, "127.0.0.1");
  EXPECT_EQ(a->port, 8080);
  a = parse_host_port("[::1]:0");
  ASSERT_TRUE(a) << a.error().message;
  EXPECT_EQ(a->host, "::1");
  EXPECT_EQ(a->port, 0);
  EXPECT_TRUE(parse_host_port("localhost:65535"));
}

// 70000 used to be taken modulo 65536 (port 4464) and "abc" threw out of the node as "stoi".
TEST(HostPort, RefusesPortsOutOfRangeAndOtherForms) {
  for (const char* bad : {"127.0.0.1:70000", "127.0.0.1:65536", "127.0.0.1:abc",
                          "127.0.0.1:", "127.0.0.1:-1", "127.0.0.1", ":80", "::1:80", "[::1:80"}) {
    const auto r = parse_host_port(bad);
    EXPECT_FALSE(r) << bad;
    if (!r) {
      EXPECT_NE(r.error().message.find(bad), std::string::npos) << r.error().message;
    }
  }
  EXPECT_NE(parse_host_port("127.0.0.1:70000").error().message.find("not a number in 0..65535"),
            std::string::npos);
}

}  // namespace
}  // namespace tg4::core
