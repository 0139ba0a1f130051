// Circuit breakers, day/week resets on a simulated clock, cool-downs and trading-state changes.
#include <gtest/gtest.h>

#include "core/clock.hpp"
#include "risk/engine.hpp"
#include "risk_fixture.hpp"

namespace tg4::risk {
namespace {

using namespace core::literals;
using namespace testing;
using std::chrono::hours;
using std::chrono::minutes;

Timestamp at(const char* text) {
  return core::parse_rfc3339(text).value();
}

const RiskEvent* find_breaker(const std::vector<RiskEvent>& events, Breaker b, bool tripped) {
  for (const auto& e : events) {
    if (e.kind == RiskEvent::Kind::kBreaker && e.breaker == b && e.breaker_tripped == tripped)
      return &e;
  }
  return nullptr;
}

TEST(RiskBreakers, DailyLossAtJustBelowAndAboveFivePercent) {
  const Engine engine;
  struct Row {
    const char* equity;
    bool trips;
  };
  for (const Row& row :
       {Row{"9501", false}, Row{"9500", true}, Row{"9499", true}, Row{"9500.01", false}}) {
    SCOPED_TRACE(row.equity);
    RiskState s = base_state(engine);
    const auto events = engine.on_equity(s, Decimal::must(row.equity), t0() + minutes(1));
    EXPECT_EQ(s.breaker(Breaker::kDailyLoss).tripped, row.trips);
    EXPECT_EQ(s.trading_state == TradingState::kHalted, row.trips);
    if (!row.trips) continue;
    const RiskEvent* e = find_breaker(events, Breaker::kDailyLoss, true);
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(e->state_before, TradingState::kActive);
    EXPECT_EQ(e->state_after, TradingState::kHalted);
    EXPECT_EQ(s.state_until, at("2024-03-14T00:00:00Z"));
    EXPECT_NE(e->reason.find("daily loss breaker"), std::string::npos) << e->reason;
  }
}

TEST(RiskBreakers, DailyHaltEndsAtTheNextUtcDay) {
  const Engine engine;
  core::SimulatedClock clock(t0());
  RiskState s = base_state(engine);
  (void)engine.on_equity(s, 9400_d, clock.now());
  ASSERT_EQ(s.trading_state, TradingState::kHalted);
  EXPECT_EQ(engine.check(s, base_intent(), clock.now()).status, VerdictStatus::kHalted);

  clock.advance_to(at("2024-03-13T23:59:59.999999999Z"));
  (void)engine.apply_breakers(s, clock.now());
  EXPECT_EQ(s.trading_state, TradingState::kHalted);

  clock.advance_to(at("2024-03-14T00:00:00Z"));
  const auto events = engine.apply_breakers(s, clock.now());
  EXPECT_EQ(s.trading_state, TradingState::kActive);
  EXPECT_NE(find_breaker(events, Breaker::kDailyLoss, false), nullptr);
  EXPECT_EQ(s.day_start, at("2024-03-14T00:00:00Z"));
  EXPECT_EQ(s.day_start_equity, 9400_d);
  EXPECT_EQ(s.daily_pnl_pct, 0_d);
  EXPECT_EQ(s.weekly_pnl_pct, -6_d);  // same ISO week
  EXPECT_EQ(engine.check(s, base_intent(), clock.now()).status, VerdictStatus::kApproved);
}

TEST(RiskBreakers, DailyPnlResetsAtUtcMidnight) {
  const Engine engine;
  RiskState s = engine.initial_state(10000_d, at("2024-03-13T23:00:00Z"));
  (void)engine.on_equity(s, 9700_d, at("2024-03-13T23:59:59Z"));
  EXPECT_EQ(s.daily_pnl_pct, -3_d);
  EXPECT_EQ(s.daily_pnl, -300_d);
  // The new day starts from the last equity seen; 9700 -> 9400 is -3.09 %, not -6 %.
  (void)engine.on_equity(s, 9400_d, at("2024-03-14T00:00:01Z"));
  EXPECT_EQ(s.day_start_equity, 9700_d);
  EXPECT_EQ(s.daily_pnl, -300_d);
  EXPECT_EQ(s.daily_pnl_pct.round(4), Decimal::must("-3.0928"));
  EXPECT_EQ(s.trading_state, TradingState::kActive);
  EXPECT_EQ(s.weekly_pnl_pct, -6_d);
}

TEST(RiskBreakers, WeeklyLossHaltsUntilNextIsoWeekAndReducesPositions) {
  const Engine engine;
  core::SimulatedClock clock(at("2024-03-11T09:00:00Z"));  // Monday
  RiskState s = engine.initial_state(10000_d, clock.now());
  (void)engine.on_equity(s, 9600_d, clock.now());  // Mon -4 %
  clock.advance_to(at("2024-03-12T09:00:00Z"));
  (void)engine.on_equity(s, 9216_d, clock.now());  // Tue -4 %, week -7.84 %
  clock.advance_to(at("2024-03-13T09:00:00Z"));
  auto events = engine.on_equity(s, 9000.01_d, clock.now());  // week -9.9999 %
  EXPECT_EQ(s.trading_state, TradingState::kActive);
  events = engine.on_equity(s, 9000_d, clock.now());  // week -10 %, day -2.34 %
  const RiskEvent* e = find_breaker(events, Breaker::kWeeklyLoss, true);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->action, BreakerAction::kReducePositions);
  EXPECT_EQ(e->reduce_pct, 50_d);
  EXPECT_FALSE(s.breaker(Breaker::kDailyLoss).tripped);
  EXPECT_EQ(s.trading_state, TradingState::kHalted);
  EXPECT_EQ(s.state_until, at("2024-03-18T00:00:00Z"));

  clock.advance_to(at("2024-03-17T23:59:59Z"));  // Sunday: still halted
  (void)engine.apply_breakers(s, clock.now());
  EXPECT_EQ(s.trading_state, TradingState::kHalted);
  clock.advance_to(at("2024-03-18T00:00:00Z"));  // Monday: new week
  (void)engine.apply_breakers(s, clock.now());
  EXPECT_EQ(s.trading_state, TradingState::kActive);
  EXPECT_EQ(s.week_start, at("2024-03-18T00:00:00Z"));
  EXPECT_EQ(s.weekly_pnl_pct, 0_d);
}

TEST(RiskBreakers, WeeklyJustAboveTenPercentDoesNotTrip) {
  const Engine engine;
  RiskState s = base_state(engine);
  s.weekly_pnl_pct = Decimal::must("-9.99");
  (void)engine.apply_breakers(s, t0());
  EXPECT_FALSE(s.breaker(Breaker::kWeeklyLoss).tripped);
  s.weekly_pnl_pct = Decimal::must("-10.01");
  (void)engine.apply_breakers(s, t0());
  EXPECT_TRUE(s.breaker(Breaker::kWeeklyLoss).tripped);
}

TEST(RiskBreakers, DrawdownHaltsFlattensAndNeedsManualReset) {
  const Engine engine;
  struct Row {
    const char* equity;
    bool trips;
  };
  for (const Row& row : {Row{"8000.01", false}, Row{"8000", true}, Row{"7999.99", true}}) {
    SCOPED_TRACE(row.equity);
    // Peak from an earlier week; today's and this week's PnL are flat.
    RiskState s = engine.initial_state(Decimal::must(row.equity), t0());
    s.peak_equity = 10000_d;
    const auto events = engine.apply_breakers(s, t0());
    EXPECT_EQ(s.breaker(Breaker::kDrawdown).tripped, row.trips);
    EXPECT_FALSE(s.breaker(Breaker::kDailyLoss).tripped);
    if (!row.trips) continue;
    const RiskEvent* e = find_breaker(events, Breaker::kDrawdown, true);
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(e->action, BreakerAction::kFlatten);
    EXPECT_FALSE(s.state_until.is_set());

    // Time and recovery do not lift it.
    (void)engine.on_equity(s, 10000_d, t0() + hours(24 * 30));
    EXPECT_EQ(s.trading_state, TradingState::kHalted);
    const auto reset = engine.manual_reset(s, t0() + hours(24 * 30));
    EXPECT_EQ(s.trading_state, TradingState::kActive);
    EXPECT_NE(find_breaker(reset, Breaker::kDrawdown, false), nullptr);
    EXPECT_EQ(s.peak_equity, 10000_d);
    EXPECT_EQ(s.drawdown_pct, 0_d);
  }
}

TEST(RiskBreakers, ManualResetRestartsPeakAndKeepsStreaksAndCooldowns) {
  const Engine engine;
  RiskState s = base_state(engine);
  (void)engine.on_trade_closed(s, -10_d, t0());
  (void)engine.on_equity(s, 7000_d, t0());  // daily, weekly and drawdown all trip
  EXPECT_TRUE(s.breaker(Breaker::kDailyLoss).tripped);
  EXPECT_TRUE(s.breaker(Breaker::kWeeklyLoss).tripped);
  EXPECT_TRUE(s.breaker(Breaker::kDrawdown).tripped);
  EXPECT_NE(s.state_reason.find("drawdown"), std::string::npos) << s.state_reason;
  const auto events = engine.manual_reset(s, t0() + minutes(1));
  EXPECT_EQ(s.trading_state, TradingState::kActive);
  EXPECT_EQ(s.peak_equity, 7000_d);
  EXPECT_EQ(s.daily_pnl_pct, 0_d);
  EXPECT_EQ(s.weekly_pnl_pct, 0_d);
  EXPECT_EQ(s.consecutive_losses, 1);
  EXPECT_TRUE(s.cooldown(CooldownReason::kLoss).active(t0() + minutes(1)));
  for (const auto& e : events) EXPECT_EQ(e.state_before, TradingState::kHalted);
}

// The audit's winning day (R2 D2): the day started at 10878.93 with a long's profit unrealised; the
// take-profit closed it at 10968.98 and all of the 979.25 profit went to the hodl bags. Trading's
// equity is then 9989.73, but the day gained 90.05: the set-aside lowers the day's start, the
// week's start and the peak with the equity, and no breaker trips.
TEST(RiskBreakers, MoneySetAsideIsNoLossForTheBreakers) {
  const Engine engine;
  RiskState s = engine.initial_state(10000_d, at("2024-03-13T22:00:00Z"));
  (void)engine.on_equity(s, 10878.93_d, at("2024-03-13T23:59:00Z"));
  (void)engine.on_equity(s, 10878.93_d, at("2024-03-14T00:00:00Z"));  // the day rolls
  ASSERT_EQ(s.day_start_equity, 10878.93_d);
  (void)engine.on_equity(s, 10968.98_d, at("2024-03-14T00:04:30Z"));
  const auto events = engine.on_withdrawal(s, 979.25_d, at("2024-03-14T00:04:30Z"));
  EXPECT_TRUE(events.empty());
  EXPECT_EQ(s.trading_state, TradingState::kActive) << s.state_reason;
  EXPECT_EQ(s.equity, 9989.73_d);
  EXPECT_EQ(s.day_start_equity, 9899.68_d);
  EXPECT_EQ(s.daily_pnl, 90.05_d);
  EXPECT_TRUE(s.daily_pnl_pct.is_positive()) << s.daily_pnl_pct;
  EXPECT_EQ(s.weekly_pnl, 10968.98_d - 10000_d) << "the week's gain, without the set-aside";
  EXPECT_EQ(s.peak_equity, 9989.73_d);
  EXPECT_TRUE(s.drawdown_pct.is_zero()) << s.drawdown_pct;
  // The next mark of trading's equity (the account's less the bags) continues from there.
  (void)engine.on_equity(s, 9989.73_d, at("2024-03-14T00:04:31Z"));
  EXPECT_EQ(s.daily_pnl, 90.05_d);
  EXPECT_TRUE(s.drawdown_pct.is_zero()) << s.drawdown_pct;
  EXPECT_FALSE(s.breaker(Breaker::kDailyLoss).tripped);
}

// A set-aside is measured from where trading stands: a drawdown already there stays as deep in
// money, and one made by trading after it still trips.
TEST(RiskBreakers, ASetAsideKeepsTheDrawdownTradingMade) {
  const Engine engine;
  RiskState s = base_state(engine);
  (void)engine.on_equity(s, 12000_d, t0() + minutes(1));
  (void)engine.on_equity(s, 11000_d, t0() + minutes(2));
  (void)engine.on_withdrawal(s, 100_d, t0() + minutes(3));
  EXPECT_EQ(s.peak_equity, 11900_d);
  EXPECT_EQ(s.peak_equity - s.equity, 1000_d);
  (void)engine.on_equity(s, 9520_d, t0() + minutes(4));  // 20 % below 11900
  EXPECT_TRUE(s.breaker(Breaker::kDrawdown).tripped);
}

TEST(RiskBreakers, OperatorStateCombinesWithBreakers) {
  const Engine engine;
  RiskState s = base_state(engine);
  auto events = engine.set_trading_state(s, TradingState::kReducing, "operator pause", t0());
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events[0].kind, RiskEvent::Kind::kState);
  EXPECT_EQ(events[0].state_after, TradingState::kReducing);
  EXPECT_EQ(s.trading_state, TradingState::kReducing);
  (void)engine.on_equity(s, 9500_d, t0());  // daily breaker
  EXPECT_EQ(s.trading_state, TradingState::kHalted);
  (void)engine.apply_breakers(s, at("2024-03-14T00:00:00Z"));
  EXPECT_EQ(s.trading_state, TradingState::kReducing);  // back to the operator's choice
  (void)engine.set_trading_state(s, TradingState::kActive, "resume", at("2024-03-14T00:00:00Z"));
  EXPECT_EQ(s.trading_state, TradingState::kActive);
}

TEST(RiskCooldowns, LossCooldownLengthFollowsTheStreak) {
  const Engine engine;
  RiskState s = base_state(engine);
  const std::vector<std::pair<int, int>> expected{{1, 10}, {2, 10}, {3, 30},
                                                  {4, 30}, {5, 60}, {6, 60}};
  Timestamp now = t0();
  for (const auto& [losses, mins] : expected) {
    now += hours(2);
    (void)engine.on_trade_closed(s, -1_d, now);
    EXPECT_EQ(s.consecutive_losses, losses);
    EXPECT_EQ(s.cooldown(CooldownReason::kLoss).until, now + minutes(mins)) << losses;
    EXPECT_EQ(s.cooldown(CooldownReason::kTrade).until, now + minutes(5));
  }
  now += hours(2);
  (void)engine.on_trade_closed(s, 5_d, now);
  EXPECT_EQ(s.consecutive_losses, 0);
  EXPECT_EQ(s.consecutive_wins, 1);
  EXPECT_FALSE(s.cooldown(CooldownReason::kLoss).active(now));
  EXPECT_TRUE(s.cooldown(CooldownReason::kTrade).active(now));
}

TEST(RiskCooldowns, ReasonsDoNotOverwriteEachOther) {
  const Engine engine;
  RiskState s = base_state(engine);
  (void)engine.on_volatility(s, "BTC/USDT", 1.0, 1.0, t0());  // baseline: no spike
  (void)engine.on_trade_closed(s, -1_d, t0());    // loss 10 min, trade 5 min
  const auto spike = engine.on_volatility(s, "BTC/USDT", 3.01, 1.0, t0() + minutes(1));
  ASSERT_EQ(spike.size(), 1u);
  EXPECT_EQ(spike[0].cooldown, CooldownReason::kVolatility);
  (void)engine.on_fill(s, t0() + minutes(2));  // trade 5 min from t0 + 2
  EXPECT_EQ(s.cooldown(CooldownReason::kLoss).until, t0() + minutes(10));
  EXPECT_EQ(s.cooldown(CooldownReason::kTrade).until, t0() + minutes(7));
  EXPECT_EQ(s.cooldown(CooldownReason::kVolatility).until, t0() + minutes(16));

  // A later, shorter cool-down of the same reason never shortens a running one.
  RiskState long_loss = base_state(engine);
  for (int i = 0; i < 5; ++i) (void)engine.on_trade_closed(long_loss, -1_d, t0());
  EXPECT_EQ(long_loss.cooldown(CooldownReason::kLoss).until, t0() + minutes(60));
  (void)engine.on_trade_closed(long_loss, 1_d, t0() + minutes(1));
  (void)engine.on_trade_closed(long_loss, -1_d, t0() + minutes(2));  // 10 min
  EXPECT_EQ(long_loss.cooldown(CooldownReason::kLoss).until, t0() + minutes(60));

  // The check names the one still running once the others expire.
  const Verdict v = engine.check(s, base_intent(), t0() + minutes(12));
  EXPECT_EQ(v.rule, Rule::kCooldown);
  EXPECT_NE(v.reason.find("volatility"), std::string::npos);
  EXPECT_EQ(v.reason.find("loss"), std::string::npos);
  EXPECT_EQ(engine.check(s, base_intent(), t0() + minutes(16)).rule, Rule::kSize);  // spike: x 0.5
}

// A cool-down shorter than a minute says its seconds, not "0 min" (audit finding 12).
TEST(RiskCooldowns, ReasonsSayTheLengthInSecondsUnderAMinute) {
  RiskLimits limits;
  limits.trade_cooldown = std::chrono::seconds(20);
  const Engine engine(limits);
  RiskState s = base_state(engine);
  const auto events = engine.on_fill(s, t0());
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events[0].reason, "trade cool-down 20 s after a fill");
  limits.trade_cooldown = std::chrono::seconds(90);
  RiskState s2 = base_state(Engine(limits));
  EXPECT_EQ(Engine(limits).on_fill(s2, t0())[0].reason, "trade cool-down 1 min 30 s after a fill");
}

TEST(RiskCooldowns, VolatilitySpikeThresholdAndRisingEdge) {
  const Engine engine;
  struct Row {
    double atr;
    bool spike;
  };
  for (const Row& row : {Row{2.99, false}, Row{3.0, false}, Row{3.01, true}}) {
    RiskState s = base_state(engine);
    (void)engine.on_volatility(s, "BTC/USDT", row.atr, 1.0, t0());
    EXPECT_EQ(s.in_volatility_spike("BTC/USDT"), row.spike) << row.atr;
    EXPECT_EQ(s.cooldown(CooldownReason::kVolatility).active(t0()), row.spike) << row.atr;
  }
  RiskState s = base_state(engine);
  (void)engine.on_volatility(s, "BTC/USDT", 4.0, 1.0, t0());
  // Still spiking 10 min later: the cool-down is not extended.
  EXPECT_TRUE(engine.on_volatility(s, "BTC/USDT", 4.0, 1.0, t0() + minutes(10)).empty());
  EXPECT_EQ(s.cooldown(CooldownReason::kVolatility).until, t0() + minutes(15));
  (void)engine.on_volatility(s, "BTC/USDT", 1.0, 1.0, t0() + minutes(20));
  EXPECT_FALSE(s.in_volatility_spike("BTC/USDT"));
  // Warm-up values are ignored.
  (void)engine.on_volatility(s, "BTC/USDT", std::nan(""), 1.0, t0() + minutes(21));
  (void)engine.on_volatility(s, "BTC/USDT", 5.0, 0.0, t0() + minutes(21));
  EXPECT_FALSE(s.in_volatility_spike("BTC/USDT"));
}

// Each symbol's spike is its own (R2 D4): a calm BTC/USDT bar between two XRP/USDT spike bars ended
// "the" spike, so the next XRP bar started it again and restarted the cool-down, for as long as
// XRP spiked; and rule 5 halved whichever symbol's intent while the last bar seen spiked.
TEST(RiskCooldowns, AVolatilitySpikeIsItsSymbols) {
  const Engine engine;
  RiskState s = base_state(engine);
  const auto started = engine.on_volatility(s, "XRP/USDT", 4.0, 1.0, t0());
  ASSERT_EQ(started.size(), 1u);
  EXPECT_NE(started[0].reason.find("XRP/USDT ATR 4"), std::string::npos) << started[0].reason;
  for (int minute = 1; minute <= 10; ++minute) {
    SCOPED_TRACE(minute);
    EXPECT_TRUE(engine.on_volatility(s, "BTC/USDT", 1.0, 1.0, t0() + minutes(minute)).empty());
    EXPECT_TRUE(engine.on_volatility(s, "XRP/USDT", 4.0, 1.0, t0() + minutes(minute)).empty())
        << "XRP's spike goes on: no new cool-down";
  }
  EXPECT_EQ(s.cooldown(CooldownReason::kVolatility).until, t0() + minutes(15));
  EXPECT_EQ(s.volatility_spikes, std::vector<std::string>{"XRP/USDT"});

  // After the cool-down, rule 5 halves XRP/USDT's sizes only.
  const Timestamp later = t0() + minutes(16);
  RiskIntent btc = base_intent();
  EXPECT_EQ(engine.check(s, btc, later).status, VerdictStatus::kApproved);
  RiskIntent xrp = base_intent();
  xrp.symbol = "XRP/USDT";
  const Verdict halved = engine.check(s, xrp, later);
  EXPECT_EQ(halved.size_usd, 500_d) << summary(halved);
  EXPECT_EQ(halved.reason, "size x 0.5 (volatility spike in XRP/USDT)");

  // A spike in another symbol starts the cool-down again (one cool-down for all, SPEC §7 rule 2).
  ASSERT_EQ(engine.on_volatility(s, "BTC/USDT", 4.0, 1.0, later).size(), 1u);
  EXPECT_EQ(s.volatility_spikes, (std::vector<std::string>{"BTC/USDT", "XRP/USDT"}));
  (void)engine.on_volatility(s, "XRP/USDT", 1.0, 1.0, later + minutes(1));
  EXPECT_EQ(s.volatility_spikes, std::vector<std::string>{"BTC/USDT"});
}

TEST(RiskState, OrderTimesArePrunedAfterAMinute) {
  const Engine engine;
  RiskState s = base_state(engine);
  for (int i = 0; i < 30; ++i) engine.on_order_sent(s, t0() + std::chrono::seconds(i));
  EXPECT_EQ(engine.check(s, base_intent(), t0() + std::chrono::seconds(30)).rule,
            Rule::kMarginAndLimits);
  EXPECT_EQ(engine.check(s, base_intent(), t0() + std::chrono::seconds(60)).rule, Rule::kNone);
  engine.on_order_sent(s, t0() + std::chrono::seconds(75));
  EXPECT_EQ(s.order_times.size(), 15u);
}

TEST(RiskState, PeakAndDrawdownFollowEquity) {
  const Engine engine;
  RiskState s = base_state(engine);
  (void)engine.on_equity(s, 10500_d, t0());
  EXPECT_EQ(s.peak_equity, 10500_d);
  (void)engine.on_equity(s, 9975_d, t0() + minutes(1));
  EXPECT_EQ(s.peak_equity, 10500_d);
  EXPECT_EQ(s.drawdown_pct, 5_d);
  EXPECT_EQ(s.daily_pnl, -25_d);
  RiskIntent in = base_intent();
  in.leverage = 5_d;
  in.size_usd = 200_d;
  EXPECT_EQ(engine.check(s, in, t0() + minutes(1)).leverage, 3_d);  // drawdown cap
}

// The percentages remember their last inputs (PercentMemo): a state copied, restored or moved back
// and forth between equities must still get the percentages of its own numbers.
TEST(RiskState, PercentagesFollowTheirInputsNotTheLastComputation) {
  const Engine engine;
  RiskState s = base_state(engine);
  (void)engine.on_equity(s, 10000_d, t0());
  (void)engine.on_equity(s, 9500_d, t0() + minutes(1));
  EXPECT_EQ(s.drawdown_pct, 5_d);
  RiskState copy = s;
  copy.peak_equity = 20000_d;  // as a restored state may say
  (void)engine.on_equity(copy, 9500_d, t0() + minutes(2));
  EXPECT_EQ(copy.drawdown_pct, Decimal::must("52.5"));
  (void)engine.on_equity(s, 9500_d, t0() + minutes(2));
  EXPECT_EQ(s.drawdown_pct, 5_d);
  EXPECT_EQ(s.daily_pnl_pct, -5_d);
  (void)engine.on_equity(s, 9000_d, t0() + minutes(3));
  EXPECT_EQ(s.drawdown_pct, 10_d);
  EXPECT_EQ(s.weekly_pnl_pct, -10_d);
  (void)engine.on_equity(s, 9500_d, t0() + minutes(4));
  EXPECT_EQ(s.drawdown_pct, 5_d);
  EXPECT_EQ(s.daily_pnl_pct, -5_d);
}

}  // namespace
}  // namespace tg4::risk
