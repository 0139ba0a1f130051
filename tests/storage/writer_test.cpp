#include "storage/writer.hpp"

#include <gtest/gtest.h>
#include <prometheus/registry.h>
#include <spdlog/sinks/base_sink.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

#include "storage/sample_rows.hpp"
#include "storage/sql_store.hpp"
#include "support/eventually.hpp"

namespace tg4::storage {
namespace {

using namespace testing;
using namespace std::chrono_literals;

using ::tg4::testing::eventually;

double metric_value(prometheus::Registry& registry, const std::string& name,
                    const std::string& table = "") {
  for (const auto& family : registry.Collect()) {
    if (family.name != name) continue;
    for (const auto& m : family.metric) {
      bool match = table.empty();
      for (const auto& l : m.label) match = match || (l.name == "table" && l.value == table);
      if (!match) continue;
      if (family.type == prometheus::MetricType::Counter) return m.counter.value;
      if (family.type == prometheus::MetricType::Gauge) return m.gauge.value;
      if (family.type == prometheus::MetricType::Histogram)
        return static_cast<double>(m.histogram.sample_count);
    }
  }
  return -1;
}

// Keeps what the writer logs, for the tests that count its messages.
class KeptLines final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  std::size_t count(spdlog::level::level_enum level, const std::string& part = "") {
    std::lock_guard lock(mutex_);
    std::size_t n = 0;
    for (const auto& [l, text] : lines_) n += l == level && text.find(part) != std::string::npos;
    return n;
  }

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    lines_.emplace_back(msg.level, std::string(msg.payload.begin(), msg.payload.end()));
  }
  void flush_() override {}

 private:
  std::vector<std::pair<spdlog::level::level_enum, std::string>> lines_;
};

class WriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("tg4-writer-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    url_ = "sqlite:" + (dir_ / "tg4.db").string();
    auto reader = open_store(url_);
    ASSERT_TRUE(reader);
    reader_ = std::move(*reader);
  }
  void TearDown() override {
    reader_.reset();
    std::filesystem::remove_all(dir_);
  }

  WriterOptions options() {
    WriterOptions o;
    o.batch_rows = 100;
    o.batch_interval = 20ms;
    o.spool_path = dir_ / "spool" / "store.spool";
    o.reconnect_min = 5ms;
    o.reconnect_max = 20ms;
    return o;
  }
  // A store that is down while `up_` is false.
  Writer::StoreFactory switchable() {
    return [this]() -> core::Result<std::unique_ptr<Store>> {
      if (!up_) return core::Error::of("test: database down");
      return open_store(url_);
    };
  }
  std::size_t trade_count() {
    return reader_->trades("BTC/USDT", {})->size() + reader_->trades("XRP/BTC", {})->size();
  }

  std::filesystem::path dir_;
  std::string url_;
  std::unique_ptr<Store> reader_;
  std::atomic<bool> up_{true};
  prometheus::Registry registry_;
};

TEST_F(WriterTest, WritesBatchesAndCountsRowsByTable) {
  Writer writer(url_, options(), registry_);
  for (int i = 0; i < 250; ++i) ASSERT_TRUE(writer.push(sample_trade(i)));
  ASSERT_TRUE(writer.push(sample_order(1)));
  ASSERT_TRUE(writer.flush(5s));
  EXPECT_EQ(trade_count(), 250u);
  EXPECT_EQ(reader_->orders({})->size(), 1u);
  EXPECT_EQ(metric_value(registry_, "tg4_store_rows_written_total", "market_trades"), 250);
  EXPECT_EQ(metric_value(registry_, "tg4_store_rows_written_total", "orders"), 1);
  EXPECT_GE(metric_value(registry_, "tg4_store_batch_seconds"), 1);
  EXPECT_EQ(metric_value(registry_, "tg4_store_up"), 1);
  EXPECT_EQ(metric_value(registry_, "tg4_store_timescaledb"), 0);
  EXPECT_EQ(writer.stats().rows_spooled, 0u);
}

// Orders and fills do not wait for the batch interval (here far longer than the test's deadline):
// a kill just after an order went out must not take its row along. The trades queued before each go
// with it, in order.
TEST_F(WriterTest, OrdersAndFillsAreCommittedAtOnce) {
  WriterOptions o = options();
  o.batch_interval = 60s;
  Writer writer(url_, o, registry_);
  ASSERT_TRUE(writer.push(sample_trade(1)));
  ASSERT_TRUE(writer.push(sample_order(1)));
  EXPECT_TRUE(eventually([&] { return reader_->orders({})->size() == 1; }, 5s))
      << "the order waited";
  EXPECT_EQ(trade_count(), 1u) << "the trade queued before it went with it";
  ASSERT_TRUE(writer.push(sample_fill(1)));
  EXPECT_TRUE(eventually(
      [&] {
        return reader_->fills({"paper-1", "paper"}, {})->size() == 1;
      },
      5s))
      << "the fill waited";
}

TEST_F(WriterTest, RowsWithoutIdsGetOne) {
  Writer writer(url_, options(), registry_);
  auto d = sample_decision(1);
  d.decision_id.clear();
  auto r = sample_risk_event(1);
  r.event_id.clear();
  auto a = sample_audit(1);
  a.audit_id.clear();
  ASSERT_TRUE(writer.push(d));
  ASSERT_TRUE(writer.push(d));
  ASSERT_TRUE(writer.push(r));
  ASSERT_TRUE(writer.push(a));
  ASSERT_TRUE(writer.flush(5s));
  auto decisions = reader_->decisions({}, 10);
  ASSERT_EQ(decisions->size(), 2u);  // two pushes are two decisions
  EXPECT_EQ(decisions->at(0).decision_id.size(), 32u);
  EXPECT_NE(decisions->at(0).decision_id, decisions->at(1).decision_id);
  EXPECT_EQ(reader_->risk_events({}, 10)->size(), 1u);
  EXPECT_EQ(reader_->audit_log(10)->size(), 1u);
}

TEST_F(WriterTest, OnlyOneMinuteBarsAreAccepted) {
  Writer writer(url_, options(), registry_);
  auto bar = sample_bar(1);
  bar.interval_minutes = 5;
  auto status = writer.push(bar);
  ASSERT_FALSE(status);
  EXPECT_NE(status.error().message.find("only 1m bars"), std::string::npos);
}

TEST_F(WriterTest, AnOutageSpoolsToDiskAndReplaysInOrder) {
  up_ = false;
  Writer writer(switchable(), options(), registry_);
  // An order's life across many batches: the store must end with the last state.
  auto order = sample_order(7);
  const core::OrderStatus steps[] = {core::OrderStatus::kPendingNew, core::OrderStatus::kNew,
                                     core::OrderStatus::kPartiallyFilled,
                                     core::OrderStatus::kFilled};
  for (int round = 0; round < 4; ++round) {
    for (int i = 0; i < 150; ++i) ASSERT_TRUE(writer.push(sample_trade(round * 150 + i)));
    order.status = steps[round];
    ASSERT_TRUE(writer.push(order));
    ASSERT_TRUE(writer.flush(30ms) == false);
  }
  EXPECT_TRUE(eventually([&] { return writer.stats().rows_spooled == 604; }));
  EXPECT_FALSE(writer.store_up());
  EXPECT_FALSE(writer.alert());
  EXPECT_GT(metric_value(registry_, "tg4_store_spool_bytes"), 0);
  EXPECT_EQ(metric_value(registry_, "tg4_store_up"), 0);
  EXPECT_EQ(trade_count(), 0u);

  up_ = true;
  ASSERT_TRUE(writer.flush(10s));
  EXPECT_EQ(trade_count(), 600u);
  auto orders = reader_->orders({});
  ASSERT_EQ(orders->size(), 1u);
  EXPECT_EQ(orders->front().status, core::OrderStatus::kFilled);
  EXPECT_EQ(writer.stats().spool_bytes, 0u);
  EXPECT_TRUE(eventually([&] { return metric_value(registry_, "tg4_store_spool_bytes") == 0; }));
}

TEST_F(WriterTest, ASpoolLeftByACrashIsReplayedFirstAtStart) {
  up_ = false;
  {
    Writer writer(switchable(), options(), registry_);
    for (int i = 0; i < 120; ++i) ASSERT_TRUE(writer.push(sample_trade(i)));
    auto order = sample_order(3);
    order.status = core::OrderStatus::kNew;
    ASSERT_TRUE(writer.push(order));
    writer.stop();
    EXPECT_EQ(writer.stats().rows_spooled, 121u);
  }
  up_ = true;
  prometheus::Registry registry;
  Writer writer(switchable(), options(), registry);
  // A newer version of the order pushed after the restart must win over the spooled one.
  auto order = sample_order(3);
  order.status = core::OrderStatus::kCanceled;
  ASSERT_TRUE(writer.push(order));
  ASSERT_TRUE(writer.flush(10s));
  EXPECT_EQ(trade_count(), 120u);
  EXPECT_EQ(reader_->orders({})->front().status, core::OrderStatus::kCanceled);
}

TEST_F(WriterTest, QueueOverflowSpoolsAndLosesNothing) {
  auto o = options();
  o.queue_capacity = 50;
  o.batch_rows = 20;
  Writer writer(url_, o, registry_);
  for (int i = 0; i < 5000; ++i) ASSERT_TRUE(writer.push(sample_trade(i)));
  ASSERT_TRUE(writer.flush(20s));
  EXPECT_EQ(trade_count(), 5000u);
  EXPECT_GT(writer.stats().rows_spooled, 0u);
  EXPECT_EQ(writer.stats().rows_written, 5000u);
}

TEST_F(WriterTest, AnUnwritableSpoolRaisesTheAlertAndHoldsRowsUntilTheStoreReturns) {
  up_ = false;
  auto o = options();
  o.spool_path = "/dev/full";
  Writer writer(switchable(), o, registry_);
  for (int i = 0; i < 30; ++i) ASSERT_TRUE(writer.push(sample_trade(i)));
  ASSERT_TRUE(eventually([&] { return writer.alert(); }));
  EXPECT_GE(writer.stats().held_batches, 1u);
  EXPECT_TRUE(eventually([&] { return metric_value(registry_, "tg4_store_alert") == 1; }));
  up_ = true;
  ASSERT_TRUE(writer.flush(10s));
  EXPECT_FALSE(writer.alert());
  EXPECT_EQ(trade_count(), 30u);
}

TEST_F(WriterTest, RefusedRowsAreKeptAsideAndTheRestIsWritten) {
  Writer writer(url_, options(), registry_);
  auto bad = sample_trade(1);
  bad.time = {};  // NOT NULL key column
  ASSERT_TRUE(writer.push(bad));
  ASSERT_TRUE(writer.flush(5s));
  EXPECT_EQ(writer.stats().rows_rejected, 1u);
  EXPECT_EQ(metric_value(registry_, "tg4_store_rows_rejected_total", "market_trades"), 1);
  auto rejected = Spool::open(dir_ / "spool" / "store.spool.rejected", nullptr);
  ASSERT_TRUE(rejected);
  EXPECT_EQ((*rejected)->records(), 1u);
  ASSERT_TRUE(writer.push(sample_trade(2)));
  ASSERT_TRUE(writer.flush(5s));
  EXPECT_EQ(trade_count(), 1u);
}

// Malformed rows are set aside alone (storage audit D2): an order and a fill that shared their
// batch with a refused trade are written, not moved to .rejected with it.
TEST_F(WriterTest, OnlyTheRefusedRowsOfABatchAreSetAside) {
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  // The writer thread waits in its first connection while every row is queued: one batch.
  Writer writer(
      [&]() -> core::Result<std::unique_ptr<Store>> {
        released.wait();
        return open_store(url_);
      },
      options(), registry_);
  auto bad = sample_trade(0);
  bad.time = {};  // NOT NULL key column
  ASSERT_TRUE(writer.push(sample_order(1)));
  ASSERT_TRUE(writer.push(bad));
  for (int i = 1; i <= 40; ++i) ASSERT_TRUE(writer.push(sample_trade(i)));
  ASSERT_TRUE(writer.push(sample_fill(1)));
  release.set_value();
  ASSERT_TRUE(writer.flush(5s));
  EXPECT_EQ(writer.stats().rows_rejected, 1u);
  EXPECT_EQ(metric_value(registry_, "tg4_store_rows_rejected_total", "market_trades"), 1);
  EXPECT_EQ(metric_value(registry_, "tg4_store_rows_rejected_total", "orders"), 0);
  EXPECT_EQ(metric_value(registry_, "tg4_store_rows_rejected_total", "fills"), 0);
  EXPECT_EQ(trade_count(), 40u);
  EXPECT_EQ(reader_->orders({})->size(), 1u);
  EXPECT_EQ(reader_->fills({"paper-1", "paper"}, {})->size(), 1u);
  auto rejected = Spool::open(dir_ / "spool" / "store.spool.rejected", nullptr);
  ASSERT_TRUE(rejected);
  ASSERT_EQ((*rejected)->records(), 1u);
  auto record = (*rejected)->front();
  ASSERT_TRUE(record && *record);
  auto batch = decode_batch(**record);
  ASSERT_TRUE(batch);
  EXPECT_EQ(batch->size(), 1u);
  EXPECT_EQ(batch->rows<core::Trade>().size(), 1u);
}

// A database that cannot take the rows for a reason of its own (here a table gone missing; likewise
// read-only, full or corrupt) is an outage: the rows wait in the spool, none is set aside.
TEST_F(WriterTest, ADatabaseProblemIsAnOutageAndTheRowsWaitInTheSpool) {
  Writer writer(url_, options(), registry_);
  ASSERT_TRUE(writer.push(sample_fill(1)));
  ASSERT_TRUE(writer.flush(5s));
  auto* sql = dynamic_cast<SqlStore*>(reader_.get());
  ASSERT_NE(sql, nullptr);
  auto schema = sql->query(
      "SELECT sql FROM sqlite_master WHERE tbl_name = 'fills' AND sql IS NOT NULL ORDER BY type "
      "DESC",
      {});
  ASSERT_TRUE(schema);
  ASSERT_GE(schema->rows(), 1u);
  ASSERT_TRUE(sql->exec_script("DROP TABLE fills"));

  ASSERT_TRUE(writer.push(sample_fill(2)));
  ASSERT_TRUE(writer.push(sample_order(2)));
  ASSERT_TRUE(eventually([&] { return writer.stats().spool_records > 0 && !writer.store_up(); }));
  EXPECT_EQ(writer.stats().rows_rejected, 0u);
  EXPECT_TRUE(eventually([&] { return metric_value(registry_, "tg4_store_up") == 0; }));

  for (std::size_t r = 0; r < schema->rows(); ++r) ASSERT_TRUE(sql->exec_script(*schema->at(r, 0)));
  ASSERT_TRUE(writer.flush(10s));
  EXPECT_EQ(writer.stats().rows_rejected, 0u);
  EXPECT_EQ(reader_->fills({"paper-1", "paper"}, {})->size(), 1u);  // fill 1 went with the table
  EXPECT_EQ(reader_->orders({})->size(), 1u);
  EXPECT_TRUE(writer.store_up());
}

// A store that takes connections but no writes (a full disk, a read-only standby): one error, a
// growing wait between attempts, and "up" only once a write succeeds (storage audit D6: ~10 error
// and "reachable again" lines a second, tg4_store_up flapping).
TEST_F(WriterTest, AStoreThatTakesNoWritesIsRetriedLessAndLessOftenAndLoggedOnce) {
  auto sink = std::make_shared<KeptLines>();
  auto o = options();
  o.reconnect_min = 5ms;
  o.reconnect_max = 80ms;
  o.log = std::make_shared<spdlog::logger>("writer-test", sink);
  o.log->set_level(spdlog::level::debug);
  std::atomic<bool> writable{false};
  std::mutex mutex;
  std::vector<std::chrono::steady_clock::time_point> attempts;  // guarded by mutex
  Writer writer(
      [&]() -> core::Result<std::unique_ptr<Store>> {
        {
          std::lock_guard lock(mutex);
          attempts.push_back(std::chrono::steady_clock::now());
        }
        auto store = open_store(url_);
        if (store && !writable) {
          // SQLite's own read-only mode: every write fails with SQLITE_READONLY.
          auto status = dynamic_cast<SqlStore&>(**store).exec_script("PRAGMA query_only = ON");
          if (!status) return status.error();
        }
        return store;
      },
      o, registry_);
  ASSERT_TRUE(writer.push(sample_order(1)));
  const auto attempt_count = [&] {
    std::lock_guard lock(mutex);
    return attempts.size();
  };
  ASSERT_TRUE(eventually([&] { return attempt_count() >= 7; }, 10s));
  EXPECT_EQ(sink->count(spdlog::level::err), 1u) << "one error for the whole outage";
  EXPECT_EQ(sink->count(spdlog::level::info, "again"), 0u) << "no false recovery";
  EXPECT_EQ(metric_value(registry_, "tg4_store_up"), 0);
  EXPECT_FALSE(writer.store_up());
  EXPECT_EQ(writer.stats().rows_rejected, 0u);
  {
    // The n-th wait is at least reconnect_min * 2^(n-1), up to reconnect_max: lower bounds only.
    std::lock_guard lock(mutex);
    for (std::size_t i = 2; i < 7; ++i) {
      const auto least =
          std::min<std::chrono::milliseconds>(o.reconnect_min * (1 << (i - 2)), o.reconnect_max);
      EXPECT_GE(attempts[i] - attempts[i - 1], least) << "wait " << i;
    }
    EXPECT_GE(attempts[6] - attempts[5], 80ms) << "the wait grows to reconnect_max";
  }
  writable = true;
  ASSERT_TRUE(writer.flush(10s));
  EXPECT_TRUE(writer.store_up());
  EXPECT_EQ(sink->count(spdlog::level::info, "takes writes again"), 1u);
  EXPECT_EQ(reader_->orders({})->size(), 1u);
}

TEST_F(WriterTest, PushAfterStopIsAnError) {
  Writer writer(url_, options(), registry_);
  writer.stop();
  EXPECT_FALSE(writer.push(sample_trade(1)));
}

}  // namespace
}  // namespace tg4::storage
