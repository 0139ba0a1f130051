// A restart after a store outage (storage audit D1): what the previous run spooled is part of the
// account. The node replays the spool into the store before it reads the account, and refuses to
// start from the store alone when the store cannot be opened while a spool holds rows.
#include <gtest/gtest.h>
#include <prometheus/registry.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>

#include "app/node.hpp"
#include "execution/portfolio_state.hpp"
#include "risk/state_json.hpp"
#include "storage/spool.hpp"
#include "storage/writer.hpp"
#include "support/eventually.hpp"

namespace tg4::app {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

class NodeSpoolRestart : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("tg4_node_spool_" + std::to_string(getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    spool_ = dir_ / "spool" / "store.spool";
  }
  void TearDown() override { fs::remove_all(dir_); }

  // What a paper session wrote while the store was down: its session row and its account (12,345
  // USDT where the store knows no session at all), left in the spool by a writer that never reached
  // the store.
  void spool_an_outage_session() {
    prometheus::Registry registry;
    storage::WriterOptions options;
    options.spool_path = spool_;
    options.batch_interval = 5ms;
    options.reconnect_min = 5ms;
    options.reconnect_max = 10ms;
    storage::Writer writer(
        []() -> core::Result<std::unique_ptr<storage::Store>> {
          return core::Error::of("test: the database is down");
        },
        options, registry);
    storage::SessionRow session;
    session.session_id = "paper-outage";
    session.mode = "paper";
    session.started = core::Timestamp{1'700'000'000'000'000'000};
    session.ended = core::Timestamp{1'700'000'100'000'000'000};
    session.status = "stopped";
    ASSERT_TRUE(writer.push(session));
    execution::PortfolioState portfolio;
    portfolio.balances["USDT"] = core::Decimal::from_int(12345);
    storage::RiskStateRow state;
    state.session_id = "paper-outage";
    state.mode = "paper";
    state.updated = session.ended;
    state.state_json = risk::state_to_json_text(risk::RiskState{});
    state.portfolio_json = execution::portfolio_state_to_json(portfolio);
    ASSERT_TRUE(writer.push(state));
    writer.stop();
    ASSERT_EQ(writer.stats().rows_spooled, 2u);
  }

  NodeOptions options(const std::string& store_url) {
    NodeOptions o;
    o.command = "paper";
    o.pipeline.scope = {"paper-restarted", "paper"};
    o.store_url = store_url;
    o.writer.spool_path = spool_;
    o.metrics_address = "127.0.0.1:0";
    o.api_enabled = false;
    o.continue_account = true;
    return o;
  }

  fs::path dir_;
  fs::path spool_;
};

TEST_F(NodeSpoolRestart, TheSpoolIsReplayedBeforeTheAccountIsRestored) {
  ASSERT_NO_FATAL_FAILURE(spool_an_outage_session());
  auto node = Node::start(options("sqlite:" + (dir_ / "tg4.db").string()));
  ASSERT_TRUE(node) << node.error().message;
  EXPECT_EQ((*node)->writer().stats().spool_records, 0u);
  // The kernel restores the account on its thread, just after start.
  EXPECT_TRUE(testing::eventually([&] {
    return (*node)->summary().equity.to_string(2) == "12345.00";
  })) << "equity "
      << (*node)->summary().equity.to_string(2)
      << ": the account was restored from the store without the spooled session";
  (*node)->stop();
}

TEST_F(NodeSpoolRestart, AnUnreachableStoreWithASpoolRefusesToStartNamingBoth) {
  ASSERT_NO_FATAL_FAILURE(spool_an_outage_session());
  std::size_t batches = 0;
  {
    auto spool = storage::Spool::open(spool_, nullptr);
    ASSERT_TRUE(spool);
    batches = (*spool)->records();
  }
  ASSERT_GT(batches, 0u);
  // Port 1 on the loopback: nothing listens there, the connection is refused at once.
  auto node = Node::start(options("postgresql://tg4:s3cret@127.0.0.1:1/tg4?connect_timeout=2"));
  ASSERT_FALSE(node);
  const std::string& message = node.error().message;
  EXPECT_NE(message.find("unreachable"), std::string::npos) << message;
  EXPECT_NE(message.find(spool_.string()), std::string::npos) << message;
  EXPECT_NE(message.find(std::to_string(batches) + " batches"), std::string::npos) << message;
  EXPECT_EQ(message.find("s3cret"), std::string::npos) << message;
  // The spool is kept for the start that finds the store.
  auto spool = storage::Spool::open(spool_, nullptr);
  ASSERT_TRUE(spool);
  EXPECT_EQ((*spool)->records(), batches);
}

}  // namespace
}  // namespace tg4::app
