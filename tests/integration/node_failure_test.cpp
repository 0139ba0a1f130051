// A node whose trading kernel dies (an exception escaping an event handler) must not go on looking
// alive: it reports the failure, stops being ready, and the session runner stops it with exit 1 so
// a supervisor restarts it (the restart reconciles with the venue).
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <stdexcept>
#include <thread>

#include "app/command.hpp"
#include "app/node.hpp"
#include "app/session_runner.hpp"

namespace tg4::app {
namespace {

namespace fs = std::filesystem;

// A market source whose first "event" is a handler that throws on the kernel thread.
class ThrowingSource final : public MarketSource {
 public:
  explicit ThrowingSource(kernel::Kernel& kernel) : kernel_(kernel) {}
  core::Status start() override {
    kernel_.post(kernel::Task([] { throw std::runtime_error("boom in an event handler"); }));
    return {};
  }
  void stop() override {}
  void resubscribe_book(const std::string&) override {}
  bool connected() const override { return true; }

 private:
  kernel::Kernel& kernel_;
};

NodeOptions failing_node_options(const fs::path& dir) {
  NodeOptions options;
  options.command = "paper";
  options.pipeline.scope = {"kernel-failure", "paper"};
  options.store_url = "sqlite:" + (dir / "tg4.db").string();
  options.writer.spool_path = dir / "store.spool";
  options.metrics_address = "127.0.0.1:0";
  options.api_enabled = false;
  options.continue_account = false;
  options.market_source = [](kernel::Kernel& kernel,
                             prometheus::Registry&) -> core::Result<std::unique_ptr<MarketSource>> {
    return std::unique_ptr<MarketSource>(std::make_unique<ThrowingSource>(kernel));
  };
  return options;
}

TEST(NodeKernelFailure, TheNodeSaysSoStopsBeingReadyAndTheRunnerExitsOne) {
  const fs::path dir = fs::temp_directory_path() / ("tg4_node_failure_" + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  auto node = Node::start(failing_node_options(dir));
  ASSERT_TRUE(node) << node.error().message;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!(*node)->kernel_failure() && std::chrono::steady_clock::now() < deadline) std::this_thread::yield();
  ASSERT_TRUE((*node)->kernel_failure()) << "the failure was not reported within 10 s";
  EXPECT_NE((*node)->kernel_failure()->find("boom in an event handler"), std::string::npos);
  EXPECT_FALSE((*node)->ready());
  RunOptions run;
  run.duration = std::chrono::seconds(30);  // the failure, not the duration, must end the run
  const auto started = std::chrono::steady_clock::now();
  EXPECT_EQ(run_until_stopped(**node, run), kExitFailure);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(20));
  node->reset();
  fs::remove_all(dir);
}

}  // namespace
}  // namespace tg4::app
