// Storage throughput (SPEC §4 targets): market trades into PostgreSQL (>= 200 k rows/s) and SQLite
// (>= 300 k rows/s), Redis publish (>= 100 k events/s). Reads the same variables as the integration
// tests (TG4_TEST_PG_URL, TG4_TEST_REDIS_URL); benchmarks whose server is not set are skipped.
//
//   build/release/storage_bench --benchmark_counters_tabular=true
#include <benchmark/benchmark.h>
#include <libpq-fe.h>
#include <prometheus/registry.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "storage/redis_bridge.hpp"
#include "storage/store.hpp"
#include "storage/writer.hpp"

namespace {

using namespace tg4;
using namespace std::chrono_literals;

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

core::Trade trade(std::int64_t id) {
  core::Trade t;
  t.symbol = id % 2 ? "BTC/USDT" : "XRP/USDT";
  t.side = id % 3 ? core::Side::kBuy : core::Side::kSell;
  t.price = core::Decimal::from_raw(core::Decimal::kOne * 45'000 + id * 1'000'000'000'000LL);
  t.qty = core::Decimal::must("0.00123456");
  t.ord_type = core::OrderType::kLimit;
  t.trade_id = id;
  t.time = core::Timestamp{1'700'000'000'000'000'000 + id * 1'000};
  t.received = t.time;
  return t;
}

// A fresh PostgreSQL database on the test server for one benchmark run, dropped afterwards.
class PgDatabase {
 public:
  PgDatabase(std::string admin, const std::string& name) : admin_(std::move(admin)), name_(name) {
    exec("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
    exec("CREATE DATABASE " + name_);
  }
  ~PgDatabase() { exec("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)"); }
  std::string url() const {
    return admin_.substr(0, admin_.find('/', admin_.find("://") + 3)) + "/" + name_;
  }

 private:
  void exec(const std::string& sql) const {
    PGconn* c = PQconnectdb(admin_.c_str());
    PQsetNoticeProcessor(
        c, [](void*, const char*) {}, nullptr);
    PQclear(PQexec(c, sql.c_str()));
    PQfinish(c);
  }
  std::string admin_, name_;
};

std::string scratch(const std::string& name) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("tg4-bench-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  return (dir / name).string();
}

// Store::write of one batch of market trades per iteration (one transaction).
void store_write(benchmark::State& state, const std::string& url) {
  spdlog::set_level(spdlog::level::warn);
  auto store = storage::open_store(url);
  if (!store) {
    state.SkipWithError(store.error().message.c_str());
    return;
  }
  const auto rows = state.range(0);
  std::int64_t next = 0;
  for (auto _ : state) {
    state.PauseTiming();
    storage::Batch batch;
    for (std::int64_t i = 0; i < rows; ++i) batch.add(trade(next++));
    state.ResumeTiming();
    if (auto s = (*store)->write(batch); !s) {
      state.SkipWithError(s.error().message.c_str());
      return;
    }
  }
  state.SetItemsProcessed(state.iterations() * rows);
}

// The whole path: push() from one thread, the writer's batches (1,000 rows, default), flush.
void writer_ingest(benchmark::State& state, const std::string& url) {
  spdlog::set_level(spdlog::level::warn);
  const auto rows = state.range(0);
  std::int64_t next = 0;
  for (auto _ : state) {
    state.PauseTiming();
    prometheus::Registry registry;
    storage::WriterOptions options;
    options.spool_path = scratch("writer.spool");
    options.queue_capacity =
        static_cast<std::size_t>(rows) + 1;  // measure the store, not the spool
    storage::Writer writer(url, options, registry);
    if (!writer.flush(30s)) {
      state.SkipWithError("store not reachable");
      return;
    }
    state.ResumeTiming();
    for (std::int64_t i = 0; i < rows; ++i) (void)writer.push(trade(next++));
    if (!writer.flush(600s)) {
      state.SkipWithError("flush timed out");
      return;
    }
    state.PauseTiming();
    writer.stop();
    state.ResumeTiming();
  }
  state.SetItemsProcessed(state.iterations() * rows);
}

void BM_SqliteWrite(benchmark::State& state) {
  const auto path = scratch("write.db");
  std::filesystem::remove(path);
  store_write(state, "sqlite:" + path);
}
BENCHMARK(BM_SqliteWrite)->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond);

void BM_SqliteWriterIngest(benchmark::State& state) {
  const auto path = scratch("writer.db");
  std::filesystem::remove(path);
  writer_ingest(state, "sqlite:" + path);
}
BENCHMARK(BM_SqliteWriterIngest)->Arg(200'000)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_PostgresWrite(benchmark::State& state) {
  const auto admin = env("TG4_TEST_PG_URL");
  if (admin.empty()) {
    state.SkipWithError("TG4_TEST_PG_URL is not set");
    return;
  }
  const PgDatabase db(admin, "tg4_bench_write_" + std::to_string(::getpid()));
  store_write(state, db.url());
}
BENCHMARK(BM_PostgresWrite)->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_PostgresWriterIngest(benchmark::State& state) {
  const auto admin = env("TG4_TEST_PG_URL");
  if (admin.empty()) {
    state.SkipWithError("TG4_TEST_PG_URL is not set");
    return;
  }
  const PgDatabase db(admin, "tg4_bench_writer_" + std::to_string(::getpid()));
  writer_ingest(state, db.url());
}
BENCHMARK(BM_PostgresWriterIngest)->Arg(200'000)->Unit(benchmark::kMillisecond)->UseRealTime();

// publish() of N events and flush() until Redis has acknowledged every PUBLISH.
void BM_RedisPublish(benchmark::State& state) {
  const auto url = env("TG4_TEST_REDIS_URL");
  if (url.empty()) {
    state.SkipWithError("TG4_TEST_REDIS_URL is not set");
    return;
  }
  spdlog::set_level(spdlog::level::warn);
  prometheus::Registry registry;
  storage::RedisBridgeOptions options;
  options.url = url;
  options.env = "bench";
  auto bridge = storage::RedisBridge::create(options, registry);
  if (!bridge || !(*bridge)->wait_first_attempt(5s) || !(*bridge)->connected()) {
    state.SkipWithError("redis not reachable");
    return;
  }
  const auto events = state.range(0);
  const std::string payload =
      R"({"symbol":"BTC/USDT","bid":"45000.1","ask":"45000.2","time":"2023-11-14T22:13:20Z"})";
  for (auto _ : state) {
    for (std::int64_t i = 0; i < events; ++i) (*bridge)->publish(storage::Topic::kTicks, payload);
    if (!(*bridge)->flush(60s)) {
      state.SkipWithError("flush timed out");
      return;
    }
  }
  state.SetItemsProcessed(state.iterations() * events);
}
BENCHMARK(BM_RedisPublish)->Arg(50'000)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
