// Decimal hot paths: parsing Kraken's price/quantity texts (target >= 50 M/s), formatting, and
// multiplication/division with rounding. Inputs are pre-generated so only Decimal is timed.
#include <benchmark/benchmark.h>

#include <random>
#include <string>
#include <vector>

#include "core/decimal.hpp"

namespace {

using tg4::core::Decimal;
using tg4::core::Rounding;

// Texts shaped like Kraken's: prices with 1-5 fractional digits, quantities with 8.
std::vector<std::string> kraken_texts(std::size_t n) {
  std::mt19937_64 rng(1);
  std::vector<std::string> out;
  out.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    const int frac = (i % 2 == 0) ? 1 + static_cast<int>(rng() % 5) : 8;
    const auto whole = (i % 2 == 0) ? rng() % 100'000 : rng() % 100;
    std::string f = std::to_string(rng() % 100'000'000);
    f = std::string(8 - f.size(), '0') + f;
    out.push_back(std::to_string(whole) + "." + f.substr(0, static_cast<std::size_t>(frac)));
  }
  return out;
}

std::vector<Decimal> decimals(std::size_t n) {
  std::vector<Decimal> out;
  for (const auto& t : kraken_texts(n)) out.push_back(Decimal::must(t));
  return out;
}

void BM_Parse(benchmark::State& state) {
  const auto texts = kraken_texts(4096);
  std::size_t i = 0;
  for (auto _ : state) {
    auto d = Decimal::parse(texts[i++ & 4095]);
    benchmark::DoNotOptimize(d);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_Parse);

void BM_ParseWithDigits(benchmark::State& state) {
  const auto texts = kraken_texts(4096);
  std::size_t i = 0;
  int digits = 0;
  for (auto _ : state) {
    auto d = Decimal::parse(texts[i++ & 4095], &digits);
    benchmark::DoNotOptimize(d);
    benchmark::DoNotOptimize(digits);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_ParseWithDigits);

void BM_FormatWrite(benchmark::State& state) {
  const auto values = decimals(4096);
  std::size_t i = 0;
  char buf[64];
  for (auto _ : state) {
    const auto n = values[i++ & 4095].write(buf, 8);
    benchmark::DoNotOptimize(n);
    benchmark::DoNotOptimize(buf);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_FormatWrite);

void BM_FormatToString(benchmark::State& state) {
  const auto values = decimals(4096);
  std::size_t i = 0;
  for (auto _ : state) {
    auto s = values[i++ & 4095].to_string();
    benchmark::DoNotOptimize(s);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_FormatToString);

void BM_Mul(benchmark::State& state) {
  const auto values = decimals(4096);
  std::size_t i = 0;
  for (auto _ : state) {
    auto p = Decimal::mul(values[i & 4095], values[(i + 1) & 4095], Rounding::kHalfEven);
    ++i;
    benchmark::DoNotOptimize(p);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_Mul);

void BM_Div(benchmark::State& state) {
  auto values = decimals(4096);
  for (auto& v : values) {
    if (v.is_zero()) v = Decimal::one();
  }
  std::size_t i = 0;
  for (auto _ : state) {
    auto q = Decimal::div(values[i & 4095], values[(i + 1) & 4095], Rounding::kHalfEven);
    ++i;
    benchmark::DoNotOptimize(q);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_Div);

void BM_AddCompare(benchmark::State& state) {
  const auto values = decimals(4096);
  std::size_t i = 0;
  Decimal sum;
  for (auto _ : state) {
    const Decimal v = values[i++ & 4095];
    if (v > sum) sum += v;
    benchmark::DoNotOptimize(sum);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_AddCompare);

}  // namespace
