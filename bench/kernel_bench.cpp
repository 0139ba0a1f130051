// Kernel throughput: events queued and dispatched per second (target >= 10 M/s on one core), with
// the poster on the kernel thread and with 1 and 2 producer threads; bus publish and timer costs.
#include <benchmark/benchmark.h>
#include <time.h>

#include <atomic>
#include <thread>
#include <vector>

#include "core/clock.hpp"
#include "kernel/kernel.hpp"

namespace tg4::kernel {
namespace {

core::Trade sample_trade() {
  core::Trade t;
  t.symbol = "BTC/USD";
  t.price = core::Decimal::from_int(50000);
  t.qty = core::Decimal::one();
  return t;
}

// One thread posts a batch of range(0) trades with `post`, then the same thread dispatches them:
// queue + dispatch on one core.
template <typename Post>
void post_and_dispatch(benchmark::State& state, Post post) {
  const auto batch = static_cast<std::size_t>(state.range(0));
  core::LiveClock clock;
  Kernel kernel(clock);
  std::uint64_t seen = 0;
  auto s =
      kernel.bus().subscribe<core::Trade>([&](const core::Trade& t) { seen += t.trade_id + 1; });
  const core::Trade trade = sample_trade();
  for (auto _ : state) {
    post(kernel, trade, batch);
    kernel.run_until_empty();
  }
  benchmark::DoNotOptimize(seen);
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * batch));
}

void BM_KernelPostAndDispatchOneCore(benchmark::State& state) {
  post_and_dispatch(state, [](Kernel& kernel, const core::Trade& trade, std::size_t batch) {
    for (std::size_t i = 0; i < batch; ++i) kernel.post(trade);
  });
}
BENCHMARK(BM_KernelPostAndDispatchOneCore)->Arg(256)->Arg(4096);

// Same with post_batch(): a replay handing over events in blocks.
void BM_KernelPostBatchAndDispatchOneCore(benchmark::State& state) {
  std::vector<Event> events;
  post_and_dispatch(state, [&events](Kernel& kernel, const core::Trade& trade, std::size_t batch) {
    events.reserve(batch);
    for (std::size_t i = 0; i < batch; ++i) events.emplace_back(trade);
    kernel.post_batch(events);
  });
}
BENCHMARK(BM_KernelPostBatchAndDispatchOneCore)->Arg(4096);

double process_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

// N producer threads post; the kernel thread (the benchmark thread) dispatches until all is done.
// items_per_second is wall time (so it depends on free cores); cpu_ns_per_event is the CPU time
// of all threads together per event, the figure that holds on a busy machine.
void BM_KernelProducers(benchmark::State& state) {
  const int producers = static_cast<int>(state.range(0));
  constexpr int kPerProducer = 200'000;
  std::int64_t total = 0;
  const double cpu_before = process_cpu_seconds();
  for (auto _ : state) {
    core::LiveClock clock;
    Kernel kernel(clock);
    std::uint64_t seen = 0;
    auto s = kernel.bus().subscribe<core::Trade>([&](const core::Trade&) { ++seen; });
    std::atomic<int> done{0};
    std::vector<std::thread> threads;
    const core::Trade trade = sample_trade();
    for (int p = 0; p < producers; ++p) {
      threads.emplace_back([&] {
        for (int i = 0; i < kPerProducer; ++i) kernel.post(trade);
        if (done.fetch_add(1) + 1 == producers) kernel.stop();
      });
    }
    kernel.run();
    for (auto& t : threads) t.join();
    total += static_cast<std::int64_t>(seen);
  }
  state.SetItemsProcessed(total);
  state.counters["cpu_ns_per_event"] =
      (process_cpu_seconds() - cpu_before) * 1e9 / static_cast<double>(total);
}
BENCHMARK(BM_KernelProducers)->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMillisecond);

void BM_BusPublish(benchmark::State& state) {
  Bus bus;
  std::uint64_t seen = 0;
  auto s = bus.subscribe<core::Trade>([&](const core::Trade& t) { seen += t.trade_id + 1; });
  const core::Trade trade = sample_trade();
  for (auto _ : state) bus.publish(trade);
  benchmark::DoNotOptimize(seen);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_BusPublish);

// Scheduling a one-shot timer and canceling it, with `range(0)` other timers pending.
void BM_TimerScheduleCancel(benchmark::State& state) {
  core::SimulatedClock clock(core::Timestamp::from_seconds(1'700'000'000));
  Timers timers(clock);
  for (std::int64_t i = 0; i < state.range(0); ++i)
    timers.after(std::chrono::seconds(1000 + i), [] {});
  std::int64_t i = 0;
  for (auto _ : state) {
    const TimerId id = timers.after(std::chrono::milliseconds(++i % 997), [] {});
    timers.cancel(id);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_TimerScheduleCancel)->Arg(0)->Arg(10'000);

// Scheduling a one-shot timer and firing it as the simulated clock passes its deadline.
void BM_TimerScheduleFire(benchmark::State& state) {
  core::SimulatedClock clock(core::Timestamp::from_seconds(1'700'000'000));
  Timers timers(clock);
  std::uint64_t fired = 0;
  for (auto _ : state) {
    timers.after(std::chrono::milliseconds(1), [&] { ++fired; });
    timers.fire_due(clock.now() + std::chrono::milliseconds(1));
  }
  benchmark::DoNotOptimize(fired);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_TimerScheduleFire);

}  // namespace
}  // namespace tg4::kernel
