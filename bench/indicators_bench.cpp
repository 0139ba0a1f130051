// Indicators per bar (SPEC §5, issue "Strategies and backtesting"): every indicator of IndicatorSet
// updated on each closed bar, in bars/s, over tests/data/candles_reference.csv repeated 200 times
// (100,000 bars, each repetition shifted in time so the session VWAP sees new days), and the same
// series through the npm technicalindicators package (tests/reference/bench.js, run by node when it
// and `npm ci` in tests/reference are there).
//
//   build/release/indicators_bench --benchmark_counters_tabular=true
// Rates are per wall-clock second, as bench.js measures node.
#include <benchmark/benchmark.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "market/candles_csv.hpp"
#include "market/indicators/indicator_set.hpp"
#include "market/indicators/market_state.hpp"

namespace {

using namespace tg4;
namespace fs = std::filesystem;

constexpr int kRepeats = 200;

fs::path source_dir() {
  // The benchmark runs from anywhere: find the repository from this file's location.
  return fs::path(__FILE__).parent_path().parent_path();
}

const std::vector<core::Bar>& series() {
  static const std::vector<core::Bar> bars = [] {
    const fs::path path = source_dir() / "tests/data/candles_reference.csv";
    auto loaded = market::read_candles_csv(path);
    if (!loaded) {
      std::fprintf(stderr, "%s\n", loaded.error().message.c_str());
      std::exit(1);
    }
    const std::vector<core::Bar>& one = loaded->bars;
    const auto span = (one.back().open_time - one.front().open_time) + std::chrono::minutes(1);
    std::vector<core::Bar> all;
    all.reserve(one.size() * kRepeats);
    for (int r = 0; r < kRepeats; ++r) {
      for (core::Bar b : one) {
        b.open_time = b.open_time + span * r;
        all.push_back(std::move(b));
      }
    }
    return all;
  }();
  return bars;
}

const std::vector<market::Ohlcv>& ohlcv_series() {
  static const std::vector<market::Ohlcv> bars = [] {
    std::vector<market::Ohlcv> out;
    for (const core::Bar& b : series()) out.push_back(market::to_ohlcv(b));
    return out;
  }();
  return bars;
}

// Every indicator, bars already converted to double.
void BM_IndicatorSet(benchmark::State& state) {
  const auto& bars = ohlcv_series();
  for (auto _ : state) {
    market::IndicatorSet set;
    for (const market::Ohlcv& b : bars) set.update(b);
    benchmark::DoNotOptimize(set.snapshot().ema_9);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(bars.size()));
  state.counters["bars_per_second"] = benchmark::Counter(
      static_cast<double>(bars.size()), benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_IndicatorSet)->Unit(benchmark::kMillisecond)->UseRealTime();

// What the kernel does per closed bar: Decimal -> double conversion, every indicator, bar history.
void BM_MarketStateOnBar(benchmark::State& state) {
  const auto& bars = series();
  for (auto _ : state) {
    market::MarketState market({1});
    for (const core::Bar& b : bars) market.on_bar(b, b.open_time);
    benchmark::DoNotOptimize(market.find(bars.front().symbol));
  }
  state.counters["bars_per_second"] = benchmark::Counter(
      static_cast<double>(bars.size()), benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_MarketStateOnBar)->Unit(benchmark::kMillisecond)->UseRealTime();

// The peer: technicalindicators computing the same columns on the same series under node.
void BM_TechnicalIndicatorsNode(benchmark::State& state) {
  const fs::path dir = source_dir() / "tests/reference";
  if (std::system("command -v node >/dev/null 2>&1") != 0 ||
      !fs::exists(dir / "node_modules/technicalindicators/package.json")) {
    state.SkipWithError("node or technicalindicators missing (npm ci in tests/reference)");
    return;
  }
  double rate = 0;
  for (auto _ : state) {
    const std::string command = "cd '" + dir.string() +
                                "' && node bench.js ../data/candles_reference.csv " +
                                std::to_string(kRepeats);
    FILE* pipe = popen(command.c_str(), "r");
    std::array<char, 512> line{};
    std::string out;
    while (pipe != nullptr && std::fgets(line.data(), line.size(), pipe) != nullptr)
      out += line.data();
    if (pipe == nullptr || pclose(pipe) != 0) {
      state.SkipWithError("bench.js failed");
      return;
    }
    const auto at = out.find("\"bars_per_second\":");
    if (at != std::string::npos) rate = std::atof(out.c_str() + at + 18);
  }
  state.counters["bars_per_second"] = rate;  // measured inside node, start-up excluded
}
BENCHMARK(BM_TechnicalIndicatorsNode)->Unit(benchmark::kMillisecond)->Iterations(1);

}  // namespace
