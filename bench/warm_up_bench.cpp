// The start-up warm-up of a paper or live node (Pipeline::warm_up): 30 days of stored 1m bars of
// the three default pairs, rolled up into every tracked timeframe and given to the market state
// (every indicator of SPEC §5) and to `ema_cross`, as `tg4 paper` does after a first start's
// backfill. What a start costs between the store read and trading.
#include <benchmark/benchmark.h>

#include <cmath>

#include "core/clock.hpp"
#include "kernel/kernel.hpp"
#include "kernel/pipeline.hpp"

namespace tg4::kernel {
namespace {

constexpr core::Timestamp kStart{1'767'225'600'000'000'000};  // 2026-01-01T00:00:00Z
constexpr int kDays = 30;

std::vector<core::Bar> stored_minutes() {
  std::vector<core::Bar> bars;
  const std::vector<std::pair<std::string, double>> pairs{
      {"BTC/USDT", 60'000}, {"XRP/USDT", 0.6}, {"XRP/BTC", 0.00001}};
  for (const auto& [symbol, base] : pairs) {
    for (int m = 0; m < kDays * 24 * 60; ++m) {
      const double price = base * (1 + 0.02 * std::sin(m / 240.0) + 0.005 * std::sin(m / 7.0));
      core::Bar b;
      b.symbol = symbol;
      b.open_time = kStart + std::chrono::minutes(m);
      b.open = core::Decimal::from_double(price, 8);
      b.close = core::Decimal::from_double(price * 1.0003, 8);
      b.high = core::Decimal::from_double(price * 1.001, 8);
      b.low = core::Decimal::from_double(price * 0.999, 8);
      b.volume = core::Decimal::from_int(3);
      b.quote_volume = b.close * b.volume;
      b.vwap = b.close;
      b.trades = 12;
      bars.push_back(std::move(b));
    }
  }
  return bars;
}

void BM_WarmUp30Days3Pairs(benchmark::State& state) {
  const std::vector<core::Bar> bars = stored_minutes();
  for (auto _ : state) {
    state.PauseTiming();
    core::SimulatedClock clock{kStart + std::chrono::days(kDays)};
    Kernel kernel(clock);
    PipelineOptions options;
    options.scope = {"bench", "paper"};
    auto pipeline = Pipeline::create(kernel, options, {}).value();
    std::vector<core::Bar> copy = bars;
    state.ResumeTiming();
    pipeline->warm_up(std::move(copy));
    benchmark::DoNotOptimize(pipeline->market().find("BTC/USDT"));
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * bars.size()));
}
BENCHMARK(BM_WarmUp30Days3Pairs)->Unit(benchmark::kMillisecond)->Iterations(3);

}  // namespace
}  // namespace tg4::kernel
