// Property: over a million seeded random states and intents, a verdict never grows an intent.
// MODIFIED shrinks size or leverage (and never grows either), APPROVED and the refusals leave both
// unchanged, and the engine's internal guard never fires.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <random>

#include "risk/engine.hpp"
#include "risk_fixture.hpp"
#include "support/sanitized.hpp"

namespace tg4::risk {
namespace {

using namespace core::literals;
using testing::summary;
using testing::t0;

const Decimal kHundredth = Decimal::from_raw(Decimal::kOne / 100);

class Generator {
 public:
  explicit Generator(std::uint64_t seed) : rng_(seed) {}

  int uniform(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  bool coin(int percent_true) { return uniform(1, 100) <= percent_true; }
  // A decimal in [lo, hi] with `digits` fractional digits.
  Decimal decimal(std::int64_t lo, std::int64_t hi, int digits) {
    std::int64_t scale = 1;
    for (int i = 0; i < digits; ++i) scale *= 10;
    const auto units = std::uniform_int_distribution<std::int64_t>(lo * scale, hi * scale)(rng_);
    return Decimal::from_raw(static_cast<Decimal::Raw>(units) * (Decimal::kOne / scale));
  }

  RiskState state(const Engine& engine, Timestamp now) {
    RiskState s = engine.initial_state(decimal(0, 100'000, 2), now);
    s.peak_equity = s.equity + decimal(0, 30'000, 2);
    s.drawdown_pct = s.peak_equity.is_positive()
                         ? (s.peak_equity - s.equity) * Decimal::from_int(100) / s.peak_equity
                         : Decimal::zero();
    s.available_margin = coin(80) ? s.equity : decimal(0, 50'000, 2);
    s.consecutive_losses = uniform(0, 8);
    if (coin(20)) s.volatility_spikes = {"BTC/USDT", "XRP/USDT"};
    s.trading_state = coin(90) ? TradingState::kActive
                               : (coin(50) ? TradingState::kReducing : TradingState::kHalted);
    for (auto& c : s.cooldowns) {
      if (coin(5)) c.until = now + std::chrono::seconds(uniform(-600, 600));
    }
    static const char* kSymbols[] = {"BTC/USDT", "XRP/USDT", "XRP/BTC", "ETH/USDT"};
    const int positions = uniform(0, 6);
    for (int i = 0; i < positions; ++i) {
      s.open_positions.push_back({kSymbols[uniform(0, 3)], coin(50) ? Side::kBuy : Side::kSell,
                                  decimal(0, 20'000, 2), decimal(1, 5, 1)});
    }
    const int orders = coin(10) ? uniform(0, 40) : 0;
    for (int i = 0; i < orders; ++i)
      s.order_times.push_back(now - std::chrono::seconds(uniform(0, 90)));
    return s;
  }

  RiskIntent intent() {
    static const char* kSymbols[] = {"BTC/USDT", "XRP/USDT", "XRP/BTC", "ETH/USDT"};
    RiskIntent in;
    in.symbol = kSymbols[uniform(0, 3)];
    in.side = coin(50) ? Side::kBuy : Side::kSell;
    in.size_usd = coin(2) ? decimal(-10, 0, 2) : decimal(0, 60'000, 2);
    in.entry = decimal(0, 1000, 4);
    const Decimal stop_pct =
        coin(80) ? decimal(0, 5, 3) + Decimal::from_raw(Decimal::kOne / 2) : decimal(0, 7, 3);
    const Decimal away = in.entry * stop_pct * kHundredth;
    const bool right_side = coin(95);
    in.stop_loss =
        coin(3) ? Decimal::zero()
                : ((in.side == Side::kBuy) == right_side ? in.entry - away : in.entry + away);
    if (coin(70)) {
      const Decimal reward = away * decimal(0, 4, 2);
      in.take_profit = (in.side == Side::kBuy) == coin(95) ? in.entry + reward : in.entry - reward;
    }
    in.leverage = coin(3) ? decimal(0, 1, 2) : decimal(1, 10, 2);
    in.confidence = coin(80) ? decimal(50, 100, 0) * kHundredth : decimal(0, 1, 2);
    in.regime = static_cast<Regime>(uniform(0, static_cast<int>(kRegimeCount) - 1));
    in.strictness = static_cast<Strictness>(uniform(0, 3));
    in.reduces_exposure = coin(5);
    in.is_cancel = coin(1);
    return in;
  }

 private:
  std::mt19937_64 rng_;
};

TEST(RiskProperty, VerdictsNeverGrowAnIntent) {
  const int iterations = std::getenv("TG4_RISK_PROPERTY_N")
                             ? std::atoi(std::getenv("TG4_RISK_PROPERTY_N"))
                             : ::tg4::testing::samples(1'000'000);
  const Engine engine;
  Generator gen(20240313);
  std::array<int, 4> by_status{};
  const auto start = std::chrono::steady_clock::now();
  RiskState state;
  for (int i = 0; i < iterations; ++i) {
    // A fresh state every 16 intents keeps the state generation from dominating the run time.
    if (i % 16 == 0) state = gen.state(engine, t0() + std::chrono::minutes(i));
    const RiskIntent in = gen.intent();
    const Verdict v = engine.check(state, in, state.updated);
    ++by_status[static_cast<std::size_t>(v.status)];
    ASSERT_NE(v.rule, Rule::kInternal) << i << ": " << summary(v);
    ASSERT_LE(v.size_usd, in.size_usd) << i << ": " << summary(v);
    ASSERT_LE(v.leverage, in.leverage) << i << ": " << summary(v);
    if (v.status == VerdictStatus::kModified) {
      ASSERT_TRUE(v.size_usd < in.size_usd || v.leverage < in.leverage) << i << ": " << summary(v);
      ASSERT_TRUE(v.size_usd.is_positive()) << i << ": " << summary(v);
      ASSERT_FALSE(v.warnings.empty());
    } else {
      ASSERT_EQ(v.size_usd, in.size_usd) << i << ": " << summary(v);
      ASSERT_EQ(v.leverage, in.leverage) << i << ": " << summary(v);
    }
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  // Every outcome must actually occur, or the generator is not exploring the rules.
  for (int count : by_status) EXPECT_GT(count, iterations / 1000);
  std::printf("%d checks in %.2f s: approved %d, modified %d, rejected %d, halted %d\n", iterations,
              seconds, by_status[0], by_status[1], by_status[2], by_status[3]);
}

}  // namespace
}  // namespace tg4::risk
