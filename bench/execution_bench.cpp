// Execution latency (issue 6): intent -> paper venue p99 < 20 us, tick-to-order p99 < 50 us.
//
// The real kernel::Kernel and kernel::Pipeline with a paper venue, a 10-level BTC/USDT book fed as
// core::BookDelta messages with valid Kraken checksums, default risk limits and a strategy that
// submits one resting limit buy on every book update. Each iteration is timed on its own with
// CLOCK_MONOTONIC at three points:
//   t0  the bench posts the BookDelta to the kernel queue;
//   t1  the strategy, inside on_book, calls StrategyContext::submit(intent);
//   t2  the pipeline's venue receives the order (TimedVenue::submit, before it forwards to the
//       PaperVenue).
// tick-to-order = t2 - t0 (queue, dispatch, book apply + CRC32 check, book features, mark, paper
// venue on_book, strategy), intent -> venue = t2 - t1 (intent id, risk inputs, risk check, verdict
// record, sizing, order manager, order records and metrics). The paper venue's own submit is
// reported apart. Untimed between iterations: timers due by the next update's time fire (as they
// would between two live events), the order is canceled and its reports handled, rows dropped.
//
//   BM_LatencySameThread:   post, then Kernel::run_until_empty() on the same thread.
//   BM_LatencyKernelThread: Kernel::run() on its own thread; the bench thread posts and spins until
//                           the order arrives, so t2 - t0 includes waking the idle kernel thread.
//
//   build/release/bench/execution_bench --benchmark_counters_tabular=true
#include <benchmark/benchmark.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <random>
#include <thread>
#include <vector>

#include "execution/paper_venue.hpp"
#include "kernel/pipeline.hpp"
#include "market/order_book.hpp"
#include "sim/sim_book.hpp"

namespace {

using namespace tg4;
using core::Decimal;
using namespace core::literals;
using namespace std::chrono_literals;

const std::string kSymbol = "BTC/USDT";
const core::Timestamp kStart{1'767'225'600'000'000'000};  // 2026-01-01T00:00:00Z
// Far enough apart that the default 30 orders/minute (risk and order manager) always admit one.
constexpr core::Duration kUpdateSpacing = 2500ms;
constexpr std::size_t kDepth = 10;

std::int64_t clock_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

// A snapshot and `count` updates of a 10-level BTC/USDT book around 45,000.0, as the simulator's
// exchange book sends them to a depth-10 subscriber: the exchange book holds 25 levels a side, each
// update changes one or two levels within 30 ticks of the top (new quantities, inserts, removals,
// levels moving into view), and every message carries Kraken's checksum.
std::vector<core::BookDelta> book_stream(std::size_t count) {
  const core::Instrument instrument = core::default_instrument(kSymbol);
  std::mt19937_64 rng(7);
  const auto qty = [&] {
    return Decimal::from_raw(static_cast<Decimal::Raw>(rng() % 300'000'000 + 1) * 10'000'000'000LL);
  };
  sim::SimBook book(instrument.price_increment);
  for (std::int64_t i = 0; i < 25; ++i) {
    (void)book.set(true, 450'000 - 3 * i, qty());
    (void)book.set(false, 450'010 + 3 * i, qty());
  }
  const auto message = [&](core::BookDelta delta) {
    delta.symbol = kSymbol;
    delta.checksum = book.checksum(instrument.price_precision, instrument.qty_precision);
    return delta;
  };
  std::vector<core::BookDelta> out;
  core::BookDelta snapshot;
  snapshot.is_snapshot = true;
  snapshot.bids = book.top(true, kDepth);
  snapshot.asks = book.top(false, kDepth);
  snapshot.received = kStart;
  out.push_back(message(std::move(snapshot)));
  while (out.size() <= count) {
    const sim::DepthBoundary before = book.boundary(kDepth);
    std::vector<sim::LevelChange> changes;
    for (int c = 1 + static_cast<int>(rng() % 2); c > 0; --c) {
      const bool bid = rng() % 2 == 0;
      const auto offset = static_cast<std::int64_t>(rng() % 30);
      const bool remove = rng() % 4 == 0 && book.side(bid).size() > 15;
      if (auto change = book.set(bid, bid ? 450'000 - offset : 450'010 + offset,
                                 remove ? Decimal::zero() : qty())) {
        changes.push_back(*change);
      }
    }
    sim::DepthUpdate update = sim::depth_update(book, changes, before);
    if (update.empty()) continue;  // nothing a depth-10 subscriber sees
    core::BookDelta delta;
    delta.bids = std::move(update.bids);
    delta.asks = std::move(update.asks);
    delta.exchange_time = kStart + kUpdateSpacing * static_cast<std::int64_t>(out.size());
    delta.received = delta.exchange_time;
    out.push_back(message(std::move(delta)));
  }
  return out;
}

// Written on the kernel thread; `orders` is published last (release), so a reader that sees it
// change (acquire) sees the stamps of that order.
struct Probe {
  std::int64_t intent_ns = 0;
  std::int64_t venue_ns = 0;
  std::int64_t venue_done_ns = 0;
  std::string last_order;
  std::atomic<std::uint64_t> orders{0};
};

// The pipeline's venue: stamps the arrival of each order and hands it to a PaperVenue.
class TimedVenue final : public execution::Venue {
 public:
  TimedVenue(std::unique_ptr<execution::PaperVenue> paper, Probe& probe)
      : paper_(std::move(paper)), probe_(probe) {}

  void submit(const execution::OrderRequest& request, core::Timestamp now) override {
    probe_.venue_ns = clock_ns();
    paper_->submit(request, now);
    probe_.venue_done_ns = clock_ns();
    probe_.last_order = request.client_order_id;
    probe_.orders.fetch_add(1, std::memory_order_release);
  }
  void cancel(const std::string& id, core::Timestamp now) override { paper_->cancel(id, now); }
  void amend(const execution::OrderRequest& order, Decimal qty, Decimal price,
             core::Timestamp now) override {
    paper_->amend(order, qty, price, now);
  }
  void cancel_all(core::Timestamp now) override { paper_->cancel_all(now); }
  void request_snapshot(execution::SnapshotSink done) override {
    paper_->request_snapshot(std::move(done));
  }
  const char* name() const override { return "paper"; }
  void on_book(const std::string& symbol, core::Timestamp now) override {
    paper_->on_book(symbol, now);
  }
  void on_trade(const core::Trade& trade, core::Timestamp now) override {
    paper_->on_trade(trade, now);
  }
  void on_time(core::Timestamp now) override { paper_->on_time(now); }

 private:
  std::unique_ptr<execution::PaperVenue> paper_;
  Probe& probe_;
};

// One resting limit buy 2 % under the best bid on every book update (the snapshot included), with a
// 1 % stop and a 3 % target: approved by the default risk limits, never filled.
class IntentOnEveryBook final : public strategy::Strategy {
 public:
  explicit IntentOnEveryBook(Probe& probe) : Strategy(strategy::Params{}), probe_(probe) {}
  std::string_view name() const override { return "bench_every_book"; }
  void on_book(strategy::StrategyContext& ctx, const std::string& symbol) override {
    const market::SymbolMarket* market = ctx.market(symbol);
    if (market == nullptr || !market->book()) return;
    const Decimal bid = Decimal::from_double(market->book()->best_bid, 1);
    core::OrderIntent intent;
    intent.symbol = symbol;
    intent.side = core::Side::kBuy;
    intent.type = core::OrderType::kLimit;
    intent.limit_price = (bid * 0.98_d).round(1, core::Rounding::kDown);
    intent.entry = intent.limit_price;
    intent.stop_loss = intent.entry * 0.99_d;
    intent.take_profit = intent.entry * 1.03_d;
    intent.size_quote = 500_d;
    intent.confidence = 0.8;
    intent.regime = "bull";
    probe_.intent_ns = clock_ns();
    ctx.submit(std::move(intent));
  }

 private:
  Probe& probe_;
};

// A kernel on a simulated clock, its pipeline (default options but for no periodic
// reconciliation) and a mirror of the book for the paper venue's BookProvider.
struct Rig {
  Rig() : clock(kStart), kernel(clock), mirror(kSymbol, kDepth) {
    const core::Instrument instrument = core::default_instrument(kSymbol);
    mirror.set_precision(instrument.price_precision, instrument.qty_precision);
    kernel::PipelineOptions options;
    options.scope = {"bench", "paper"};
    options.symbols = {kSymbol};
    // A periodic snapshot request would walk every order of a long run; issue 6 times orders.
    options.reconcile_interval = 0s;
    kernel::PipelineOutputs outputs;
    outputs.strategy = std::make_unique<IntentOnEveryBook>(probe);
    outputs.record = [this](storage::Row row) { rows.push_back(std::move(row)); };
    outputs.venue = [this](const core::InstrumentRegistry& instruments, execution::ExecutionSink sink,
                           kernel::VenueStateSink) {
      execution::BookProvider books =
          [this](const std::string& symbol) -> std::optional<execution::BookView> {
        if (symbol != kSymbol || !mirror.valid()) return std::nullopt;
        return execution::BookView{mirror.bids(), mirror.asks()};
      };
      auto paper = std::make_unique<execution::PaperVenue>(instruments, execution::PaperConfig{},
                                                           std::move(books), std::move(sink));
      paper->deposit("USDT", Decimal::from_int(10'000));  // reaches the portfolio as a report
      return std::make_unique<TimedVenue>(std::move(paper), probe);
    };
    rows.reserve(4096);
    pipeline = kernel::Pipeline::create(kernel, options, std::move(outputs)).value();
    kernel.post(kernel::Task([this] { pipeline->start(); }));
    kernel.run_until_empty();
  }

  // Kernel thread: what happens before the update arrives.
  void prepare(const core::BookDelta& delta) {
    // A bad checksum needs no check here: the pipeline's book fails too, and no order comes.
    (void)mirror.apply(delta);
    kernel.advance_clock_to(core::Timestamp{std::max(delta.exchange_time.ns, clock.now().ns)});
  }
  // Kernel thread: cancels the order just placed.
  void cancel_last() {
    (void)pipeline->cancel_order(probe.last_order);
    rows.clear();
  }

  Probe probe;
  std::vector<storage::Row> rows;
  core::SimulatedClock clock;
  kernel::Kernel kernel;
  market::OrderBook mirror;
  std::unique_ptr<kernel::Pipeline> pipeline;
};

struct Samples {
  std::vector<std::int64_t> tick_to_intent, intent_to_venue, tick_to_order, paper_submit;
  void reserve(std::size_t n) {
    for (auto* v : {&tick_to_intent, &intent_to_venue, &tick_to_order, &paper_submit})
      v->reserve(n);
  }
  void add(std::int64_t t0, const Probe& p) {
    tick_to_intent.push_back(p.intent_ns - t0);
    intent_to_venue.push_back(p.venue_ns - p.intent_ns);
    tick_to_order.push_back(p.venue_ns - t0);
    paper_submit.push_back(p.venue_done_ns - p.venue_ns);
  }
};

double quantile(std::vector<std::int64_t>& ns, double q) {
  std::sort(ns.begin(), ns.end());
  return static_cast<double>(ns[static_cast<std::size_t>(q * static_cast<double>(ns.size() - 1))]) /
         1000.0;
}

void report(benchmark::State& state, const char* mode, Samples& s, const Rig& rig) {
  struct Row {
    const char* name;
    const char* key;
    std::vector<std::int64_t>* ns;
  };
  const Row rows[] = {{"tick -> intent", "tick_intent", &s.tick_to_intent},
                      {"intent -> venue", "intent_venue", &s.intent_to_venue},
                      {"tick -> order", "tick_order", &s.tick_to_order},
                      {"paper submit", "paper", &s.paper_submit}};
  std::printf("%s, %zu updates (us):\n", mode, s.tick_to_order.size());
  for (const Row& r : rows) {
    const double p50 = quantile(*r.ns, 0.50), p99 = quantile(*r.ns, 0.99);
    const double p999 = quantile(*r.ns, 0.999), max = static_cast<double>(r.ns->back()) / 1000.0;
    std::printf("  %-16s p50 %7.2f  p99 %7.2f  p99.9 %7.2f  max %8.2f\n", r.name, p50, p99, p999,
                max);
    state.counters[std::string(r.key) + "_p50_us"] = p50;
    state.counters[std::string(r.key) + "_p99_us"] = p99;
    state.counters[std::string(r.key) + "_p999_us"] = p999;
  }
  const kernel::PipelineSummary summary = rig.pipeline->summary();
  std::printf("  intents %llu, approved %llu, orders sent %llu\n",
              static_cast<unsigned long long>(summary.intents),
              static_cast<unsigned long long>(summary.approved),
              static_cast<unsigned long long>(summary.orders_sent));
}

constexpr std::size_t kWarmUp = 2'000;

// Timed updates per benchmark: 100,000, or TG4_BENCH_SAMPLES for a quick look.
std::size_t samples_wanted() {
  const char* env = std::getenv("TG4_BENCH_SAMPLES");
  const long long n = env == nullptr ? 0 : std::atoll(env);
  return n > 0 ? static_cast<std::size_t>(n) : 100'000;
}

// Runs `loop(rig, stream, samples)` on a fresh rig; it returns an error text or nullptr.
template <class Loop>
void run_latency(benchmark::State& state, const char* mode, Loop loop) {
  const std::vector<core::BookDelta> stream = book_stream(kWarmUp + samples_wanted());
  for (auto _ : state) {
    Rig rig;
    Samples samples;
    samples.reserve(samples_wanted());
    if (const char* error = loop(rig, stream, samples)) {
      state.SkipWithError(error);
      return;
    }
    report(state, mode, samples, rig);
  }
}

void BM_LatencySameThread(benchmark::State& state) {
  run_latency(
      state, "same thread", [](Rig& rig, const auto& stream, Samples& samples) -> const char* {
        for (std::size_t i = 0; i < stream.size(); ++i) {
          rig.prepare(stream[i]);
          const std::uint64_t before = rig.probe.orders.load(std::memory_order_relaxed);
          core::BookDelta delta = stream[i];  // the copy a feed would hand over, made before t0
          const std::int64_t t0 = clock_ns();
          rig.kernel.post(kernel::Event{std::move(delta)});
          rig.kernel.run_until_empty();
          if (rig.probe.orders.load(std::memory_order_relaxed) != before + 1) {
            return "a book update did not produce exactly one order";
          }
          if (i > kWarmUp) samples.add(t0, rig.probe);
          rig.cancel_last();
          rig.kernel.run_until_empty();
        }
        return nullptr;
      });
}

// Polls until `done` holds, yielding the core (on 2 cores the kernel thread may need this one);
// false after 5 s (a lost order must not hang the benchmark).
template <class Done>
bool spin_until(Done done) {
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::yield();
  }
  return true;
}

void BM_LatencyKernelThread(benchmark::State& state) {
  run_latency(state, "kernel thread",
              [](Rig& rig, const auto& stream, Samples& samples) -> const char* {
                std::thread kernel_thread([&rig] { rig.kernel.run(); });
                std::atomic<std::size_t> acked{0};
                bool ok = true;
                for (std::size_t i = 0; i < stream.size() && ok; ++i) {
                  rig.kernel.post(kernel::Task([&rig, &acked, &stream, i] {
                    rig.prepare(stream[i]);
                    acked.store(i + 1, std::memory_order_release);
                  }));
                  ok = spin_until([&] { return acked.load(std::memory_order_acquire) == i + 1; });
                  const std::uint64_t before = rig.probe.orders.load(std::memory_order_acquire);
                  core::BookDelta delta = stream[i];
                  const std::int64_t t0 = clock_ns();
                  rig.kernel.post(kernel::Event{std::move(delta)});
                  ok = ok && spin_until([&] {
                         return rig.probe.orders.load(std::memory_order_acquire) == before + 1;
                       });
                  if (ok && i > kWarmUp) samples.add(t0, rig.probe);
                  rig.kernel.post(kernel::Task([&rig] { rig.cancel_last(); }));
                }
                rig.kernel.stop();
                kernel_thread.join();
                return ok ? nullptr : "an order did not reach the venue within 5 s";
              });
}

BENCHMARK(BM_LatencySameThread)->Iterations(1)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_LatencyKernelThread)->Iterations(1)->Unit(benchmark::kMillisecond);

}  // namespace
