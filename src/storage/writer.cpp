#include "storage/writer.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace tg4::storage {
namespace {

using Clock = std::chrono::steady_clock;

// The rows of `batch` in two halves, each table's rows in their order, the older ones first.
std::pair<Batch, Batch> split_batch(const Batch& batch) {
  std::pair<Batch, Batch> out;
  const std::size_t half = batch.size() / 2;
  std::size_t n = 0;
  batch.for_each_table([&](const auto& rows) {
    for (const auto& row : rows) (n++ < half ? out.first : out.second).add(row);
  });
  return out;
}

}  // namespace

std::string new_row_id(std::mt19937_64& rng) {
  return fmt::format("{:016x}{:016x}", rng(), rng());
}

Writer::Metrics::Metrics(prometheus::Registry& registry)
    : rows_written(
          prometheus::BuildCounter()
              .Name("tg4_store_rows_written_total")
              .Help("Rows committed to the store, by table (direct writes and spool replays)")
              .Register(registry)),
      rows_rejected(
          prometheus::BuildCounter()
              .Name("tg4_store_rows_rejected_total")
              .Help("Rows the database refused (kept in the .rejected spool file), by table")
              .Register(registry)),
      batch_seconds(
          prometheus::BuildHistogram()
              .Name("tg4_store_batch_seconds")
              .Help("Time to commit one batch to the store")
              .Register(registry)
              .Add({}, prometheus::Histogram::BucketBoundaries{0.0005, 0.001, 0.0025, 0.005, 0.01,
                                                               0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5,
                                                               5})),
      queue_depth(prometheus::BuildGauge()
                      .Name("tg4_store_queue_depth")
                      .Help("Rows waiting in the store writer's queue")
                      .Register(registry)
                      .Add({})),
      spool_bytes(prometheus::BuildGauge()
                      .Name("tg4_store_spool_bytes")
                      .Help("Bytes spooled to disk and not yet replayed into the store")
                      .Register(registry)
                      .Add({})),
      store_up(prometheus::BuildGauge()
                   .Name("tg4_store_up")
                   .Help("1 when the store writer has a working database connection")
                   .Register(registry)
                   .Add({})),
      timescaledb(
          prometheus::BuildGauge()
              .Name("tg4_store_timescaledb")
              .Help("1 when the store uses TimescaleDB hypertables and continuous aggregates")
              .Register(registry)
              .Add({})),
      alert(prometheus::BuildGauge()
                .Name("tg4_store_alert")
                .Help("1 when rows are held in memory because the spool cannot be written")
                .Register(registry)
                .Add({})) {}

Writer::Writer(StoreFactory factory, WriterOptions options, prometheus::Registry& registry)
    : factory_(std::move(factory)),
      options_(std::move(options)),
      log_(options_.log ? options_.log : spdlog::default_logger()),
      metrics_(registry),
      ids_(std::random_device{}()),
      backoff_(options_.reconnect_min) {
  if (options_.batch_rows == 0) options_.batch_rows = 1;
  options_.max_batch_rows = std::max(options_.max_batch_rows, options_.batch_rows);
  if (auto spool = Spool::open(options_.spool_path, log_)) {
    spool_ = std::move(*spool);
    spool_bytes_ = spool_->bytes();
    spool_records_ = spool_->records();
  } else {
    log_->error("store writer: {}; rows are at risk while the database is unreachable",
                spool.error().message);
  }
  for_each_row_type([&](auto tag) {
    const std::string table(TableTraits<typename decltype(tag)::type>::kName);
    metrics_.rows_written.Add({{"table", table}});
    metrics_.rows_rejected.Add({{"table", table}});
  });
  thread_ = std::thread([this] { run(); });
}

Writer::Writer(std::string url, WriterOptions options, prometheus::Registry& registry)
    : Writer(
          [url = std::move(url), log = options.log]() {
            OpenOptions open;
            open.log = log;
            return open_store(url, open);
          },
          options, registry) {}

Writer::~Writer() {
  stop();
}

core::Status Writer::check(const core::Bar& bar) {
  if (bar.interval_minutes == 1) return {};
  return core::Error::of(fmt::format(
      "store writer: {} bar of {} for {} not stored: only 1m bars are stored "
      "(higher timeframes are rolled up by query)",
      timeframe_name(bar.interval_minutes), core::format_rfc3339(bar.open_time, 0), bar.symbol));
}

void Writer::give_id(DecisionRow& row) {
  if (row.decision_id.empty()) row.decision_id = new_row_id(ids_);
}
void Writer::give_id(RiskEventRow& row) {
  if (row.event_id.empty()) row.event_id = new_row_id(ids_);
}
void Writer::give_id(AuditLogRow& row) {
  if (row.audit_id.empty()) row.audit_id = new_row_id(ids_);
}

Batch& Writer::slot_locked() {
  if (overflow_rows_ > 0 || queued_rows_ >= options_.queue_capacity) {
    // Full: keep the row (never drop) and let the writer move the backlog to the spool.
    if (overflow_open_.size() >= options_.max_batch_rows) {
      overflow_.push_back(std::move(overflow_open_));
      overflow_open_.clear();
    }
    ++overflow_rows_;
    return overflow_open_;
  }
  if (open_.size() >= options_.max_batch_rows) {
    queue_.push_back(std::move(open_));
    open_.clear();
  }
  ++queued_rows_;
  return open_;
}

bool Writer::counted_locked() {
  return overflow_rows_ == 1 || (overflow_rows_ == 0 && queued_rows_ == options_.batch_rows);
}

WriterStats Writer::stats() const {
  WriterStats s;
  {
    std::lock_guard lock(mutex_);
    s.queue_depth = queued_rows_ + overflow_rows_;
  }
  s.rows_written = rows_written_;
  s.rows_spooled = rows_spooled_;
  s.rows_rejected = rows_rejected_;
  s.spool_bytes = spool_bytes_;
  s.spool_records = spool_records_;
  s.held_batches = held_count_;
  s.store_up = store_up_;
  s.alert = alert_;
  return s;
}

bool Writer::idle_locked() const {
  return queued_rows_ == 0 && overflow_rows_ == 0 && !busy_ && spool_records_ == 0 &&
         held_count_ == 0;
}

bool Writer::flush(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  ++flush_requests_;
  wake_.notify_one();
  const bool done = idle_.wait_for(lock, timeout, [&] { return idle_locked(); });
  --flush_requests_;
  return done;
}

void Writer::stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ && !thread_.joinable()) return;
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
}

// ---- writer thread -----------------------------------------------------------------------------

void Writer::run() {
  ensure_store();
  replay();  // a spool left by a previous run goes first
  for (;;) {
    Batch batch;
    std::vector<Batch> overflow_batches;
    const bool stopping = take_batch(batch, overflow_batches);
    if (!batch.empty()) handle(std::move(batch));
    for (auto& b : overflow_batches) make_durable(std::move(b));
    if (!stopping) replay();
    update_gauges();
    {
      std::lock_guard lock(mutex_);
      busy_ = false;
      if (idle_locked()) idle_.notify_all();
      if (stopping && queued_rows_ == 0 && overflow_rows_ == 0) break;
    }
    idle_.notify_all();
  }
  if (!held_.empty()) {
    log_->error(
        "store writer: stopping with {} batches neither written nor spooled (the spool failed): "
        "they "
        "are lost",
        held_.size());
  }
}

bool Writer::take_batch(Batch& batch, std::vector<Batch>& overflow_batches) {
  // Pending spool or held work is retried as soon as the store can be tried again.
  auto wait = options_.batch_interval;
  if ((spool_ && !spool_->empty()) || !held_.empty()) {
    const auto until_connect =
        std::chrono::duration_cast<std::chrono::milliseconds>(next_connect_ - Clock::now());
    wait = store_
               ? std::chrono::milliseconds(0)
               : std::clamp(until_connect, std::chrono::milliseconds(1), options_.batch_interval);
  }
  std::unique_lock lock(mutex_);
  wake_.wait_for(lock, wait, [&] {
    return stopping_ || flush_requests_ > 0 || prompt_ || queued_rows_ >= options_.batch_rows ||
           overflow_rows_ > 0;
  });
  const bool stopping = stopping_;
  auto take = [&](std::deque<Batch>& closed, Batch& open) {
    for (auto& b : closed) overflow_batches.push_back(std::move(b));
    closed.clear();
    if (!open.empty()) overflow_batches.push_back(std::move(open));
    open.clear();
  };
  if (overflow_rows_ > 0) {
    // Overflow: the store is not keeping up. Everything queued goes to the spool, in order (queued
    // rows are older than overflow rows), and is replayed from there at the store's pace.
    take(queue_, open_);
    take(overflow_, overflow_open_);
    queued_rows_ = overflow_rows_ = 0;
    prompt_ = false;  // spooled: durable already
  } else if (!queue_.empty()) {
    batch = std::move(queue_.front());
    queue_.pop_front();
    queued_rows_ -= batch.size();
  } else {
    batch = std::move(open_);
    open_.clear();
    queued_rows_ = 0;
    prompt_ = false;  // the open batch holds the newest rows: the prompt ones go now
  }
  busy_ = !batch.empty() || !overflow_batches.empty();
  metrics_.queue_depth.Set(static_cast<double>(queued_rows_ + overflow_rows_));
  return stopping;
}

void Writer::handle(Batch batch) {
  // Behind spooled or held batches, new rows wait their turn on disk: order is kept.
  if ((spool_ && !spool_->empty()) || !held_.empty()) {
    make_durable(std::move(batch));
    return;
  }
  if (ensure_store() && write_now(batch)) return;
  make_durable(std::move(batch));
}

bool Writer::write_now(const Batch& batch) {
  const auto started = Clock::now();
  const auto status = store_->write(batch);
  metrics_.batch_seconds.Observe(std::chrono::duration<double>(Clock::now() - started).count());
  if (status) {
    count_written(batch);
    writable_again();
    return true;
  }
  if (store_->last_failure_transient()) {
    lose_store(status.error());
    return false;
  }
  if (batch.size() == 1) {
    reject(batch, status.error().message);
    return true;
  }
  // The database refused some row of the batch: write the halves apart, so that only the rows it
  // refuses are set aside, never the orders and fills that happened to share their batch. Halves
  // written before a later one fails on an outage are written again from the spool: writes are
  // idempotent.
  auto [first, second] = split_batch(batch);
  return write_now(first) && write_now(second);
}

void Writer::make_durable(Batch batch) {
  if (!spool_) {
    if (auto reopened = Spool::open(options_.spool_path, log_)) spool_ = std::move(*reopened);
  }
  if (held_.empty() && spool_) {
    const auto status = spool_->append(encode_batch(batch));
    if (status) {
      rows_spooled_ += batch.size();
      spool_bytes_ = spool_->bytes();
      spool_records_ = spool_->records();
      return;
    }
    log_->error(
        "store writer: {}; holding batches in memory and raising the storage alert (trading "
        "reduces)",
        status.error().message);
  }
  if (held_.empty() && !spool_) {
    log_->error(
        "store writer: no spool at {}; holding batches in memory and raising the storage alert "
        "(trading "
        "reduces)",
        options_.spool_path.string());
  }
  held_.push_back(std::move(batch));
  held_count_ = held_.size();
  alert_.store(true, std::memory_order_release);
}

bool Writer::ensure_store() {
  if (store_) return true;
  const auto now = Clock::now();
  if (now < next_connect_) return false;
  auto opened = factory_();
  if (!opened) {
    fail(opened.error().message);
    return false;
  }
  store_ = std::move(*opened);
  // Up once it takes a write: a server that lets us connect may still refuse every write (a
  // read-only standby, a full disk).
  store_up_ = !outage_;
  metrics_.timescaledb.Set(store_->timescaledb() ? 1 : 0);
  if (outage_)
    log_->debug("store writer: reconnected to {}; trying the spool again", store_->url());
  return true;
}

void Writer::lose_store(const core::Error& error) {
  store_.reset();
  fail(error.message);
}

void Writer::fail(const std::string& why) {
  const auto now = Clock::now();
  store_up_ = false;
  if (!outage_) {
    outage_ = true;
    outage_since_ = last_reminder_ = now;
    log_->error(
        "store writer: {}; batches go to the spool {} until the store takes writes again (retried "
        "every {} ms at most)",
        why, options_.spool_path.string(), options_.reconnect_max.count());
  } else if (now - last_reminder_ >= options_.outage_reminder) {
    last_reminder_ = now;
    log_->warn(
        "store writer: the store still takes no writes after {} s ({}); {} batches ({} bytes) wait "
        "in the spool {}",
        std::chrono::duration_cast<std::chrono::seconds>(now - outage_since_).count(), why,
        spool_ ? spool_->records() : 0, spool_ ? spool_->bytes() : 0, options_.spool_path.string());
  } else {
    log_->debug("store writer: still no writes: {}", why);
  }
  // The wait grows on every failure in a row (a reconnect that succeeds does not reset it: only a
  // write does), so a store that accepts connections but no writes is not hammered.
  next_connect_ = now + backoff_;
  backoff_ = std::min(backoff_ * 2, options_.reconnect_max);
}

void Writer::writable_again() {
  backoff_ = options_.reconnect_min;
  store_up_ = true;
  if (!outage_) return;
  outage_ = false;
  log_->info("store writer: {} takes writes again after {} s; replaying {} spooled batches",
             store_ ? store_->url() : std::string("the store"),
             std::chrono::duration_cast<std::chrono::seconds>(Clock::now() - outage_since_).count(),
             spool_ ? spool_->records() : 0);
}

void Writer::replay() {
  const auto deadline = Clock::now() + options_.replay_slice;
  while (spool_ && !spool_->empty() && Clock::now() < deadline) {
    if (!ensure_store()) return;
    auto front = spool_->front();
    if (!front) {
      log_->error("store writer: {}", front.error().message);
      return;
    }
    auto batch = decode_batch(**front);
    if (!batch) {
      log_->error(
          "store writer: spooled batch at the head of {} cannot be decoded ({}); moved to "
          "{}.rejected",
          spool_->path().string(), batch.error().message, spool_->path().string());
      if (!rejected_) {
        if (auto r = Spool::open(options_.spool_path.string() + ".rejected", log_))
          rejected_ = std::move(*r);
      }
      if (!rejected_ || !rejected_->append(**front))
        return;  // keep it at the head rather than lose it
    } else if (!write_now(*batch)) {
      return;
    }
    if (auto s = spool_->pop(); !s) log_->error("store writer: {}", s.error().message);
    spool_bytes_ = spool_->bytes();
    spool_records_ = spool_->records();
  }
  // Held batches (the spool failed) follow the spool's records.
  if (spool_ && spool_->empty()) {
    while (!held_.empty() && Clock::now() < deadline && ensure_store()) {
      if (!write_now(held_.front())) break;
      held_.pop_front();
    }
  }
  // Whatever is still held goes to the spool as soon as it accepts writes again.
  while (!held_.empty() && spool_ && spool_->append(encode_batch(held_.front()))) {
    rows_spooled_ += held_.front().size();
    held_.pop_front();
    spool_bytes_ = spool_->bytes();
    spool_records_ = spool_->records();
  }
  held_count_ = held_.size();
  if (held_.empty() && alert_.exchange(false)) log_->info("store writer: storage alert cleared");
}

void Writer::reject(const Batch& batch, const std::string& why) {
  const std::string path = options_.spool_path.string() + ".rejected";
  if (!rejected_) {
    if (auto r = Spool::open(path, log_)) rejected_ = std::move(*r);
  }
  const bool kept = rejected_ && rejected_->append(encode_batch(batch));
  const std::string where = kept ? fmt::format("kept in {} for inspection", path)
                                 : std::string("could not keep it on disk either");
  log_->error("store writer: the database refused {} rows as malformed ({}); {}", batch.size(), why,
              where);
  // The trading record missing a row is worse than a market trade missing: say which.
  for (const OrderRow& row : batch.rows<OrderRow>()) {
    log_->critical(
        "store writer: order {} ({} {}, status {}) is NOT in the store's record: the database "
        "refused it ({})",
        row.client_order_id, row.symbol, core::to_string(row.side), core::to_string(row.status),
        where);
  }
  for (const FillRow& row : batch.rows<FillRow>()) {
    log_->critical(
        "store writer: fill {} of order {} ({} {} at {}) is NOT in the store's record: the "
        "database refused it ({})",
        row.fill.exec_id, row.fill.client_order_id, row.fill.qty.to_string(), row.fill.symbol,
        row.fill.price.to_string(), where);
  }
  rows_rejected_ += batch.size();
  batch.for_each_table([&](const auto& rows) {
    using RowT = typename std::remove_cvref_t<decltype(rows)>::value_type;
    metrics_.rows_rejected.Add({{"table", std::string(TableTraits<RowT>::kName)}})
        .Increment(static_cast<double>(rows.size()));
  });
}

void Writer::count_written(const Batch& batch) {
  rows_written_ += batch.size();
  batch.for_each_table([&](const auto& rows) {
    using RowT = typename std::remove_cvref_t<decltype(rows)>::value_type;
    metrics_.rows_written.Add({{"table", std::string(TableTraits<RowT>::kName)}})
        .Increment(static_cast<double>(rows.size()));
  });
}

void Writer::update_gauges() {
  metrics_.spool_bytes.Set(static_cast<double>(spool_bytes_.load()));
  metrics_.store_up.Set(store_up_ ? 1 : 0);
  metrics_.alert.Set(alert_ ? 1 : 0);
}

}  // namespace tg4::storage
