// What a node makes of its market data for the operator (market data audit D1, D8, D9): the
// config's bar and freshness settings reach the pipeline, a symbol that goes quiet while the feed
// is up makes the node not ready until it speaks again, and the status panel shows prices at the
// book's precision and the stale symbols.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>

#include "app/node.hpp"
#include "app/node_config.hpp"
#include "app/session_runner.hpp"
#include "support/eventually.hpp"

namespace tg4::app {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

const core::Timestamp kT0 = core::parse_rfc3339("2026-01-01T00:00:00Z").value();

TEST(NodeMarketData, TheConfigsBarAndFreshnessSettingsReachThePipeline) {
  core::Config config;
  const kernel::PipelineOptions defaults = node_options_from_config(config, "paper").pipeline;
  EXPECT_EQ(defaults.bar_close_delay, 2s)
      << "feed.bar_close_delay: trades arrive after their minute";
  EXPECT_EQ(defaults.max_trade_ahead, 10s);
  EXPECT_EQ(defaults.stale_after, 60s);
  config.feed.bar_close_delay = 5s;
  config.feed.future_trade_tolerance = 3s;
  config.market.stale_after = 20s;
  const kernel::PipelineOptions set = node_options_from_config(config, "live").pipeline;
  EXPECT_EQ(set.bar_close_delay, 5s);
  EXPECT_EQ(set.max_trade_ahead, 3s);
  EXPECT_EQ(set.stale_after, 20s);
}

// The feed is up; BTC/USDT trades and XRP/BTC says nothing. Events carry the time (the node's clock
// follows them), so a minute of silence takes no minute.
class TwoSymbolSource final : public MarketSource {
 public:
  explicit TwoSymbolSource(kernel::Kernel& kernel) : kernel_(kernel) {}
  core::Status start() override {
    kernel_.post(core::MarketEvent{core::FeedState{"public", true, "", kT0}});
    for (int s = 10; s <= 70; s += 10) post_trade("BTC/USDT", s);
    return {};
  }
  void stop() override {}
  void resubscribe_book(const std::string&) override {}
  bool connected() const override { return true; }

  void post_trade(const std::string& symbol, int second) {
    core::Trade t;
    t.symbol = symbol;
    t.trade_id = ++id_;
    t.price = core::Decimal::must(symbol == "BTC/USDT" ? "30000" : "0.00000910");
    t.qty = core::Decimal::must("1");
    t.time = t.received = kT0 + std::chrono::seconds(second);
    kernel_.post(core::MarketEvent{t});
  }

 private:
  kernel::Kernel& kernel_;
  std::int64_t id_ = 0;
};

TEST(NodeMarketData, ASymbolQuietWhileTheFeedIsUpMakesTheNodeNotReady) {
  const fs::path dir = fs::temp_directory_path() / ("tg4_node_md_" + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  NodeOptions options;
  options.pipeline.scope = {"node-md", "paper"};
  options.pipeline.symbols = {"BTC/USDT", "XRP/BTC"};
  options.store_url = "sqlite:" + (dir / "tg4.db").string();
  options.writer.spool_path = dir / "store.spool";
  options.metrics_address = "127.0.0.1:0";
  options.api_enabled = false;
  options.continue_account = false;
  options.event_time_clock = true;
  options.clock_start = kT0;
  std::atomic<TwoSymbolSource*> source{nullptr};
  options.market_source =
      [&source](kernel::Kernel& kernel,
                prometheus::Registry&) -> core::Result<std::unique_ptr<MarketSource>> {
    auto made = std::make_unique<TwoSymbolSource>(kernel);
    source = made.get();
    return std::unique_ptr<MarketSource>(std::move(made));
  };
  auto node = Node::start(options);
  ASSERT_TRUE(node) << node.error().message;
  // The tick at 00:01:10 (before the trade of that second) has published the summary.
  ASSERT_TRUE(testing::eventually([&] { return (*node)->summary().time >= kT0 + 70s; }));
  EXPECT_FALSE((*node)->ready()) << "XRP/BTC has said nothing for 70 s";
  const kernel::PipelineSummary summary = (*node)->summary();
  EXPECT_TRUE(summary.markets.at("XRP/BTC").stale);
  EXPECT_NE(render_status(summary, "paper")
                .find("XRP/BTC    no valid book  STALE: no trade or book "
                      "update for 70 s"),
            std::string::npos)
      << render_status(summary, "paper");

  source.load()->post_trade("XRP/BTC", 71);
  source.load()->post_trade("BTC/USDT", 72);
  EXPECT_TRUE(testing::eventually([&] { return (*node)->ready(); }));
  node->reset();
  fs::remove_all(dir);
}

TEST(NodeMarketData, TheStatusPanelShowsPricesAsTheBookWritesThem) {
  kernel::PipelineSummary s;
  s.markets["XRP/BTC"] = {"0.00000909", "0.00000910", 0.4, false};
  s.markets["BTC/USDT"] = {"60000.0", "60000.5", 0.1, false};
  const std::string text = render_status(s, "paper");
  EXPECT_NE(text.find("  XRP/BTC    bid 0.00000909  ask 0.00000910\n"), std::string::npos) << text;
  EXPECT_NE(text.find("  BTC/USDT   bid 60000.0  ask 60000.5\n"), std::string::npos) << text;
  EXPECT_EQ(text.find("STALE"), std::string::npos);
}

}  // namespace
}  // namespace tg4::app
