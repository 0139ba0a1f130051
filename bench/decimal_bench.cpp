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

// Times `op(inputs[i], inputs[i + 1])` over a ring of 4096 pre-made inputs.
template <class Input, class Op>
void cycle(benchmark::State& state, const std::vector<Input>& inputs, Op op) {
  std::size_t i = 0;
  for (auto _ : state) {
    auto result = op(inputs[i & 4095], inputs[(i + 1) & 4095]);
    ++i;
    benchmark::DoNotOptimize(result);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}

void BM_Parse(benchmark::State& state) {
  cycle(state, kraken_texts(4096),
        [](const std::string& t, const std::string&) { return Decimal::parse(t); });
}
BENCHMARK(BM_Parse);

void BM_ParseWithDigits(benchmark::State& state) {
  int digits = 0;
  cycle(state, kraken_texts(4096), [&digits](const std::string& t, const std::string&) {
    auto d = Decimal::parse(t, &digits);
    benchmark::DoNotOptimize(digits);
    return d;
  });
}
BENCHMARK(BM_ParseWithDigits);

// Exponent texts ("45281.5e0") take the general path: what parse cost before the 19-digit fast
// path.
void BM_ParseExponent(benchmark::State& state) {
  auto texts = kraken_texts(4096);
  for (auto& t : texts) t += "e0";
  cycle(state, texts, [](const std::string& t, const std::string&) { return Decimal::parse(t); });
}
BENCHMARK(BM_ParseExponent);

void BM_FormatWrite(benchmark::State& state) {
  char buf[64];
  cycle(state, decimals(4096), [&buf](Decimal v, Decimal) {
    const auto n = v.write(buf, 8);
    benchmark::DoNotOptimize(buf);
    return n;
  });
}
BENCHMARK(BM_FormatWrite);

void BM_FormatToString(benchmark::State& state) {
  cycle(state, decimals(4096), [](Decimal v, Decimal) { return v.to_string(); });
}
BENCHMARK(BM_FormatToString);

void BM_Mul(benchmark::State& state) {
  cycle(state, decimals(4096),
        [](Decimal a, Decimal b) { return Decimal::mul(a, b, Rounding::kHalfEven); });
}
BENCHMARK(BM_Mul);

void BM_Div(benchmark::State& state) {
  auto values = decimals(4096);
  for (auto& v : values) {
    if (v.is_zero()) v = Decimal::one();
  }
  cycle(state, values,
        [](Decimal a, Decimal b) { return Decimal::div(a, b, Rounding::kHalfEven); });
}
BENCHMARK(BM_Div);

// Indicators and strategies read bars as doubles: five conversions per bar and consumer.
void BM_ToDouble(benchmark::State& state) {
  cycle(state, decimals(4096), [](Decimal a, Decimal) { return a.to_double(); });
}
BENCHMARK(BM_ToDouble);

// Divisors above 2^64 units (18.45), the usual case: an equity, a price or a notional. Each pair
// is (dividend, divisor), both with 8 fractional digits, drawn from [low, high).
std::vector<std::pair<Decimal, Decimal>> wide_divisions(std::int64_t a_low, std::int64_t a_high,
                                                        std::int64_t b_low, std::int64_t b_high) {
  std::mt19937_64 rng(2);
  const auto draw = [&rng](std::int64_t low, std::int64_t high) {
    const auto units = static_cast<std::uint64_t>(high - low) * 100'000'000;
    return Decimal::from_raw(
        (static_cast<Decimal::Raw>(low) * 100'000'000 + static_cast<Decimal::Raw>(rng() % units)) *
        10'000'000'000);
  };
  std::vector<std::pair<Decimal, Decimal>> out;
  for (int i = 0; i < 4096; ++i) out.emplace_back(draw(a_low, a_high), draw(b_low, b_high));
  return out;
}

// A quotient below 18.45 (one word): a risk amount over an equity, a quantity over a price.
void BM_DivWideDivisorSmallQuotient(benchmark::State& state) {
  cycle(state, wide_divisions(1, 1'000, 10'000, 100'000), [](const auto& pair, const auto&) {
    return Decimal::div(pair.first, pair.second, Rounding::kHalfEven);
  });
}
BENCHMARK(BM_DivWideDivisorSmallQuotient);

// A quotient of two words: a notional over a quantity or a price.
void BM_DivWideDivisorLargeQuotient(benchmark::State& state) {
  cycle(state, wide_divisions(10'000, 1'000'000, 20, 100), [](const auto& pair, const auto&) {
    return Decimal::div(pair.first, pair.second, Rounding::kHalfEven);
  });
}
BENCHMARK(BM_DivWideDivisorLargeQuotient);

void BM_AddCompare(benchmark::State& state) {
  Decimal sum;
  cycle(state, decimals(4096), [&sum](Decimal v, Decimal) {
    if (v > sum) sum += v;
    return sum;
  });
}
BENCHMARK(BM_AddCompare);

}  // namespace
