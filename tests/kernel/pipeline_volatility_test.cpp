// The volatility watch through the pipeline (SPEC §7 rules 2 and 5): each symbol's 1-minute bars
// judge that symbol's ATR against its own 20-bar mean, and a spike is that symbol's. A calm
// BTC/USDT bar in the same minute as a spiking XRP/USDT one ends nothing, so XRP's spike starts
// the volatility cool-down once, not again on each of its bars (R2 D4).
#include <gtest/gtest.h>

#include "kernel/pipeline.hpp"
#include "pipeline_trades.hpp"

namespace tg4::kernel {
namespace {

using core::Decimal;
using namespace core::literals;
using namespace std::chrono_literals;
using testing::kStart;

TEST(PipelineVolatility, EachSymbolsSpikeIsItsOwn) {
  core::SimulatedClock clock(kStart);
  Kernel kernel(clock);
  PipelineOptions options;
  options.scope = {"v1", "paper"};
  options.symbols = {"BTC/USDT", "XRP/USDT"};
  options.reconcile_interval = 0s;
  options.agents.regime_detection = false;
  options.agents.technical_analysis = false;
  std::vector<risk::RiskEvent> cooldowns;
  PipelineOutputs outputs;
  outputs.risk_events = [&](const risk::RiskEvent& e) {
    if (e.kind == risk::RiskEvent::Kind::kCooldown) cooldowns.push_back(e);
  };
  outputs.strategy = std::make_unique<testing::BuyThenSell>();  // told nothing: it never trades
  auto pipeline = Pipeline::create(kernel, options, std::move(outputs)).value();
  testing::start_pipeline(kernel, *pipeline);

  // One trade a minute for each symbol, BTC first: moves of 0.1 % up and down, except XRP's
  // minutes 45 to 49, which swing 5 %.
  const auto trade = [&](const std::string& symbol, Decimal price, core::Timestamp at) {
    core::Trade t;
    t.symbol = symbol;
    t.price = price;
    t.qty = 1_d;
    t.time = t.received = at;
    kernel.advance_clock_to(at);
    kernel.post(t);
    kernel.run_until_empty();
  };
  bool xrp_spiked_at_50 = false;
  for (int minute = 0; minute < 70; ++minute) {
    const bool up = minute % 2 == 0;
    const bool swing = minute >= 45 && minute < 50;
    const core::Timestamp at = kStart + std::chrono::minutes(minute);
    trade("BTC/USDT", up ? 50050_d : 50000_d, at + 1s);
    trade("XRP/USDT", swing ? (up ? 0.525_d : 0.5_d) : (up ? 0.5005_d : 0.5_d), at + 2s);
    if (minute == 50) xrp_spiked_at_50 = pipeline->risk_state().in_volatility_spike("XRP/USDT");
  }
  kernel.advance_clock_to(kStart + 71min);
  kernel.run_until_empty();

  ASSERT_EQ(cooldowns.size(), 1u) << "one spike, one cool-down; the last: "
                                  << (cooldowns.empty() ? "" : cooldowns.back().reason);
  EXPECT_NE(cooldowns[0].reason.find("XRP/USDT"), std::string::npos) << cooldowns[0].reason;
  EXPECT_EQ(cooldowns[0].cooldown_until, cooldowns[0].time + 15min);
  EXPECT_TRUE(xrp_spiked_at_50) << "the spike outlasts its first bar";
  EXPECT_FALSE(pipeline->risk_state().in_volatility_spike("BTC/USDT"));
}

}  // namespace
}  // namespace tg4::kernel
