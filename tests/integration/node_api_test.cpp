// The operator API as the node serves it: answers the HTTP server gives before the API sees a
// request must look like the API's own (JSON errors, the security headers), as /openapi.json says.
#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/algorithm/string/predicate.hpp>
#include <filesystem>
#include <string>

#include "app/node.hpp"
#include "support/ws_test_client.hpp"

namespace tg4::app {
namespace {

namespace fs = std::filesystem;

class QuietSource final : public MarketSource {
 public:
  core::Status start() override { return {}; }
  void stop() override {}
  void resubscribe_book(const std::string&) override {}
  bool connected() const override { return true; }
};

std::string header(const testing::HttpTestResponse& r, const std::string& name) {
  for (const auto& [k, v] : r.headers) {
    if (boost::iequals(k, name)) return v;
  }
  return "(none)";
}

// A body over the cap is refused by the server while it reads it: it used to be text/plain
// without the security headers every other answer has.
TEST(NodeApi, ABodyOverTheCapIsAJsonErrorWithTheSecurityHeaders) {
  const fs::path dir = fs::temp_directory_path() / ("tg4_node_api_" + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  NodeOptions options;
  options.pipeline.scope = {"node-api", "paper"};
  options.store_url = "sqlite:" + (dir / "tg4.db").string();
  options.writer.spool_path = dir / "store.spool";
  options.metrics_address = "127.0.0.1:0";
  options.api_address = "127.0.0.1:0";
  options.api.max_body_bytes = 1024;
  options.continue_account = false;
  options.market_source = [](kernel::Kernel&,
                             prometheus::Registry&) -> core::Result<std::unique_ptr<MarketSource>> {
    return std::unique_ptr<MarketSource>(std::make_unique<QuietSource>());
  };
  auto node = Node::start(options);
  ASSERT_TRUE(node) << node.error().message;
  const std::string url = (*node)->api_url();
  const auto port = static_cast<std::uint16_t>(std::stoi(url.substr(url.rfind(':') + 1)));
  const auto r = testing::http_request(port, "/api/v1/pause", "POST", std::string(1100, 'x'));
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_EQ(r.body, "{\"error\":\"request too large: the limit is 1024 bytes\",\"status\":413}\n");
  EXPECT_EQ(header(r, "X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(header(r, "X-Frame-Options"), "DENY");
  EXPECT_EQ(header(r, "Cache-Control"), "no-store");
  EXPECT_EQ(header(r, "Referrer-Policy"), "no-referrer");
  EXPECT_EQ(header(r, "Content-Security-Policy"), "default-src 'none'; frame-ancestors 'none'");
  node->reset();
  fs::remove_all(dir);
}

}  // namespace
}  // namespace tg4::app
