// The risk metric families of SPEC §11 as a scrape would see them.
#include "risk/risk_metrics.hpp"

#include <gtest/gtest.h>
#include <prometheus/text_serializer.h>

#include "risk/engine.hpp"
#include "risk_fixture.hpp"

namespace tg4::risk {
namespace {

using namespace core::literals;
using namespace testing;

std::string scrape(prometheus::Registry& registry) {
  return prometheus::TextSerializer().Serialize(registry.Collect());
}

bool has(const std::string& text, const std::string& line) {
  return text.find(line + "\n") != std::string::npos;
}

TEST(RiskMetrics, VerdictsBreakersStateAndCooldowns) {
  prometheus::Registry registry;
  RiskMetrics metrics(registry);
  const Engine engine;
  RiskState s = base_state(engine);

  std::string text = scrape(registry);
  EXPECT_TRUE(has(text, R"(tg4_risk_verdicts_total{rule="none",status="APPROVED"} 0)")) << text;
  EXPECT_TRUE(has(text, R"(tg4_risk_breaker_state{breaker="drawdown"} 0)")) << text;
  EXPECT_TRUE(has(text, R"(tg4_risk_cooldown_active{reason="volatility"} 0)")) << text;

  metrics.on_verdict(engine.check(s, base_intent(), t0()), 4e-7);
  RiskIntent no_stop = base_intent();
  no_stop.stop_loss = 0_d;
  metrics.on_verdict(engine.check(s, no_stop, t0()), 3e-7);
  metrics.on_verdict(engine.check(s, no_stop, t0()), 3e-7);

  (void)engine.on_trade_closed(s, -5_d, t0());
  (void)engine.on_equity(s, 9400_d, t0());  // daily breaker
  metrics.on_state(s, t0());

  text = scrape(registry);
  EXPECT_TRUE(has(text, R"(tg4_risk_verdicts_total{rule="none",status="APPROVED"} 1)")) << text;
  EXPECT_TRUE(has(text, R"(tg4_risk_verdicts_total{rule="3:stop_loss",status="REJECTED"} 2)"))
      << text;
  EXPECT_TRUE(has(text, "tg4_risk_check_seconds_count 3")) << text;
  EXPECT_TRUE(has(text, R"(tg4_risk_breaker_state{breaker="daily_loss"} 1)")) << text;
  EXPECT_TRUE(has(text, R"(tg4_risk_breaker_state{breaker="weekly_loss"} 0)")) << text;
  EXPECT_TRUE(has(text, "tg4_risk_trading_state 2")) << text;
  EXPECT_TRUE(has(text, R"(tg4_risk_cooldown_active{reason="loss"} 1)")) << text;
  EXPECT_TRUE(has(text, R"(tg4_risk_cooldown_active{reason="trade"} 1)")) << text;
  EXPECT_TRUE(has(text, R"(tg4_risk_cooldown_active{reason="volatility"} 0)")) << text;

  // Expiry shows without a state change: the gauges follow `now`.
  metrics.on_state(s, t0() + std::chrono::minutes(6));
  text = scrape(registry);
  EXPECT_TRUE(has(text, R"(tg4_risk_cooldown_active{reason="trade"} 0)")) << text;
  EXPECT_TRUE(has(text, R"(tg4_risk_cooldown_active{reason="loss"} 1)")) << text;
}

}  // namespace
}  // namespace tg4::risk
