#pragma once
// Writer: carries rows from the kernel to the Store on its own thread (DESIGN "The path of one
// event", step 6). push() never blocks the kernel on I/O: it appends to a bounded queue under a
// short lock, and when the queue is full the row goes to an overflow list that the writer thread
// spools to disk, never dropped. The thread commits batches (default 1,000 rows or 200 ms) in one
// transaction each.
//
// Durability: while the database is unreachable, or a write fails on the connection, batches go to
// the Spool (fsync'ed) and are replayed in order when it returns; a spool left by a crash is
// replayed first at start-up. While the spool holds anything, new batches are appended behind it,
// so the store sees rows in arrival order. If the spool itself cannot be written, batches are held
// in memory and alert() turns true: the kernel reads it and moves trading to REDUCING.
//
// An outage is any failure the store calls transient: no connection, and also a server that takes
// connections but no writes (read-only standby, full disk, shutting down). The store counts as up
// (tg4_store_up) again only once a write succeeds; retries wait longer after each failure in a row
// (reconnect_min doubling to reconnect_max), and the error is logged once, then reminded every
// outage_reminder. Only rows the database refuses as malformed (a data or constraint error) are
// set aside: a refused batch is written again in halves until the refused rows stand alone, those
// go to PATH.rejected (tg4_store_rows_rejected_total), and a refused order or fill is logged as
// critical by its id.
#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <spdlog/logger.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

#include "storage/batch.hpp"
#include "storage/spool.hpp"
#include "storage/store.hpp"

namespace tg4::storage {

// A random 128-bit id in hex, for rows keyed by one (decisions, risk events, audit log) when no one
// gave them theirs: the writer gives them, as does anything that writes such rows itself.
std::string new_row_id(std::mt19937_64& rng);

struct WriterOptions {
  // A batch is committed when batch_rows rows are waiting or batch_interval has passed. When more
  // is waiting (a burst, a backlog after an outage) up to max_batch_rows go in one transaction: the
  // same latency for a trickle, far fewer round trips under load.
  std::size_t batch_rows = 1000;
  std::chrono::milliseconds batch_interval{200};
  std::size_t max_batch_rows = 10'000;
  std::size_t queue_capacity = 200'000;  // rows; beyond this push() overflows to the spool
  std::filesystem::path spool_path = "var/spool/store.spool";
  std::chrono::milliseconds reconnect_min{100};  // backoff between connection attempts
  std::chrono::milliseconds reconnect_max{2000};
  // While the store takes no writes the error is logged once, then reminded this often.
  std::chrono::milliseconds outage_reminder{60'000};
  std::chrono::milliseconds replay_slice{
      200};  // spool replay time per loop before new rows are looked at
  std::shared_ptr<spdlog::logger> log;
};

struct WriterStats {
  std::uint64_t rows_written = 0;  // committed to the store (direct or replayed)
  std::uint64_t rows_spooled = 0;  // appended to the spool
  std::uint64_t rows_rejected = 0;
  std::size_t queue_depth = 0;
  std::uint64_t spool_bytes = 0;
  std::size_t spool_records = 0;
  std::size_t held_batches = 0;  // in memory because the spool failed
  bool store_up = false;
  bool alert = false;
};

class Writer {
 public:
  using StoreFactory = std::function<core::Result<std::unique_ptr<Store>>()>;

  // `factory` opens a connection (again after an outage); it is called on the writer thread only.
  Writer(StoreFactory factory, WriterOptions options, prometheus::Registry& registry);
  // Opens `url` with open_store (migrations applied on each connection).
  Writer(std::string url, WriterOptions options, prometheus::Registry& registry);
  ~Writer();
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  // Queues one row. Never waits for I/O. Errors only for a row that cannot be stored (a bar that is
  // not 1-minute) or after stop(). Rows without an id (decisions, risk events, audit) get one here.
  // An order or a fill is committed at once, with whatever is queued before it, not at the end of
  // the batch interval: a `kill -9` then loses at most the moment a commit takes, where a restart
  // would otherwise meet orders at the venue that the record never had.
  template <typename RowT>
  core::Status push(RowT row) {
    if (auto s = check(row); !s) return s;
    constexpr bool prompt = std::is_same_v<RowT, OrderRow> || std::is_same_v<RowT, FillRow>;
    bool wake = false;
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return core::Error::of("store writer: stopped; row not queued");
      give_id(row);
      slot_locked().add(std::move(row));
      wake = counted_locked() || (prompt && !prompt_);
      prompt_ = prompt_ || prompt;
    }
    if (wake) wake_.notify_one();
    return {};
  }
  core::Status push(Row row) {
    return std::visit([this](auto&& r) { return push(std::move(r)); }, std::move(row));
  }

  // True when rows are held in memory because the spool cannot be written: trading must reduce.
  bool alert() const { return alert_.load(std::memory_order_acquire); }
  bool store_up() const { return store_up_.load(std::memory_order_acquire); }
  WriterStats stats() const;

  // Waits until everything pushed so far is committed (queue, spool and held batches empty);
  // false on timeout. For shutdown paths and tests.
  bool flush(std::chrono::milliseconds timeout);
  // Stops the thread after writing (or spooling) what is queued. The spool is kept for the next
  // start.
  void stop();

 private:
  struct Metrics {
    explicit Metrics(prometheus::Registry& registry);
    prometheus::Family<prometheus::Counter>& rows_written;
    prometheus::Family<prometheus::Counter>& rows_rejected;
    prometheus::Histogram& batch_seconds;
    prometheus::Gauge& queue_depth;
    prometheus::Gauge& spool_bytes;
    prometheus::Gauge& store_up;
    prometheus::Gauge& timescaledb;
    prometheus::Gauge& alert;
  };

  static core::Status check(const core::Bar& bar);
  template <typename RowT>
  static core::Status check(const RowT&) {
    return {};
  }
  void give_id(DecisionRow& row);
  void give_id(RiskEventRow& row);
  void give_id(AuditLogRow& row);
  template <typename RowT>
  void give_id(RowT&) {}
  Batch& slot_locked();   // where the next row goes (the open batch, or overflow when full)
  bool counted_locked();  // after adding a row: true when the writer should wake up
  void run();
  bool take_batch(Batch& batch, std::vector<Batch>& overflow_batches);
  void handle(Batch batch);
  void make_durable(Batch batch);
  bool write_now(const Batch& batch);
  bool ensure_store();
  void lose_store(const core::Error& error);
  void fail(const std::string& why);  // no connection, or a write failed on it: an outage
  void writable_again();              // a write succeeded: the outage, if any, is over
  void replay();
  void reject(const Batch& batch, const std::string& why);
  void count_written(const Batch& batch);
  void update_gauges();
  bool idle_locked() const;

  StoreFactory factory_;
  WriterOptions options_;
  std::shared_ptr<spdlog::logger> log_;
  Metrics metrics_;

  // Shared with producers.
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable idle_;
  // Rows are queued straight into batches (no per-row variant): closed batches of max_batch_rows,
  // then the open one. Overflow batches hold rows that arrived while the queue was full; they are
  // newer than everything queued, and order is kept.
  std::deque<Batch> queue_;
  Batch open_;
  std::size_t queued_rows_ = 0;
  std::deque<Batch> overflow_;
  Batch overflow_open_;
  std::size_t overflow_rows_ = 0;
  bool stopping_ = false;
  bool prompt_ = false;  // an order or fill is queued: commit without waiting for the interval
  bool busy_ = false;    // the thread holds rows not yet written or spooled
  int flush_requests_ = 0;
  std::mt19937_64 ids_;
  std::atomic<bool> alert_{false};
  std::atomic<bool> store_up_{false};
  std::atomic<std::uint64_t> rows_written_{0}, rows_spooled_{0}, rows_rejected_{0};
  std::atomic<std::uint64_t> spool_bytes_{0};
  std::atomic<std::size_t> spool_records_{0}, held_count_{0};

  // Writer thread only.
  std::unique_ptr<Store> store_;
  std::unique_ptr<Spool> spool_;
  std::unique_ptr<Spool> rejected_;
  std::deque<Batch>
      held_;  // the spool failed: kept in memory, in order, behind the spool's records
  std::chrono::steady_clock::time_point next_connect_{};
  std::chrono::milliseconds backoff_{};
  bool outage_ = false;  // from a failed connection or write to the next successful write
  std::chrono::steady_clock::time_point outage_since_{};
  std::chrono::steady_clock::time_point last_reminder_{};
  std::thread thread_;
};

}  // namespace tg4::storage
