// JSON forms: the SPEC §12 check state and intent, the verdict, and the persisted full state.
#include "risk/state_json.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "risk/engine.hpp"
#include "risk_fixture.hpp"

namespace tg4::risk {
namespace {

using namespace core::literals;
using namespace testing;
using std::chrono::minutes;

boost::json::value js(std::string_view text) {
  return boost::json::parse(text);
}

TEST(RiskJson, ShortStateTakesDefaults) {
  auto in = parse_state(js(R"({"equity": 5000})"), t0());
  ASSERT_TRUE(in.ok()) << in.error().message;
  EXPECT_EQ(in->now, t0());
  EXPECT_EQ(in->state.equity, 5000_d);
  EXPECT_EQ(in->state.peak_equity, 5000_d);
  EXPECT_EQ(in->state.available_margin, 5000_d);
  EXPECT_EQ(in->state.trading_state, TradingState::kActive);
  EXPECT_EQ(in->state.day_start, core::utc_day_start(t0()));

  auto empty = parse_state(js("{}"), t0());
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty->state.equity, 10000_d);
}

TEST(RiskJson, ShortStateFields) {
  auto in = parse_state(js(R"({
    "equity": 9000, "peak_equity": "10000", "daily_pnl_pct": -2.5, "weekly_pnl_pct": -4,
    "consecutive_losses": 3, "trading_state": "REDUCING", "volatility_spike": true,
    "available_margin": 4000.5,
    "open_positions": [{"symbol": "XRP/USDT", "side": "sell", "exposure_usd": 1500, "leverage": 2}],
    "cooldowns": [{"reason": "loss", "until": "2024-03-13T12:30:00Z"},
                  {"reason": "trade", "until": 1710333000}],
    "now": "2024-03-13T12:00:00Z"})"),
                        Timestamp{});
  ASSERT_TRUE(in.ok()) << in.error().message;
  const RiskState& s = in->state;
  EXPECT_EQ(in->now, t0());
  EXPECT_EQ(s.peak_equity, 10000_d);
  EXPECT_EQ(s.drawdown_pct, 10_d);
  EXPECT_EQ(s.daily_pnl_pct, -2.5_d);
  EXPECT_EQ(s.day_start_equity.round(6), Decimal::must("9230.769231"));
  EXPECT_EQ(s.weekly_pnl_pct, -4_d);
  EXPECT_EQ(s.week_start_equity, 9375_d);
  EXPECT_EQ(s.consecutive_losses, 3);
  EXPECT_EQ(s.manual_state, TradingState::kReducing);
  EXPECT_TRUE(in->volatility_spike) << "the judged symbol's: risk check adds the intent's";
  EXPECT_TRUE(s.volatility_spikes.empty());
  EXPECT_EQ(s.available_margin, 4000.5_d);
  ASSERT_EQ(s.open_positions.size(), 1u);
  EXPECT_EQ(s.open_positions[0].side, Side::kSell);
  EXPECT_EQ(s.open_positions[0].exposure_usd, 1500_d);
  EXPECT_EQ(s.cooldown(CooldownReason::kLoss).until, t0() + minutes(30));
  EXPECT_EQ(s.cooldown(CooldownReason::kTrade).until, Timestamp::from_seconds(1710333000));

  // The breakers keep the given percentages: applying them changes nothing here.
  RiskState copy = s;
  EXPECT_TRUE(Engine().apply_breakers(copy, in->now).empty());
  EXPECT_EQ(copy.daily_pnl_pct, -2.5_d);
  EXPECT_EQ(copy.trading_state, TradingState::kReducing);
}

TEST(RiskJson, StateErrorsNameTheField) {
  const std::vector<std::pair<const char*, const char*>> cases{
      {R"({"equity": "ten"})", "state.equity"},
      {R"({"equity": true})", "state.equity: expected a number"},
      {R"({"equity": -1})", "state.equity: must be >= 0"},
      {R"({"equty": 1})", "state.equty: unknown field"},
      {R"({"trading_state": "PAUSED"})", "state.trading_state: unknown value \"PAUSED\""},
      {R"({"consecutive_losses": 1.5})", "state.consecutive_losses: expected an integer"},
      {R"({"consecutive_losses": -1})", "state.consecutive_losses: expected a count"},
      {R"({"open_positions": {}})", "state.open_positions: expected an array"},
      {R"({"open_positions": [{"symbol": "A/B", "exposure_usd": []}]})",
       "state.open_positions[0].exposure_usd: expected a number"},
      {R"({"open_positions": [{"symbol": "A/B", "colour": 1}]})", "state.open_positions[0].colour"},
      {R"({"open_positions": [{"exposure_usd": 1}]})", "state.open_positions[0].symbol: missing"},
      {R"({"cooldowns": [{"reason": "boredom", "until": 0}]})", "state.cooldowns[0].reason"},
      {R"({"cooldowns": [{"until": 0}]})", "state.cooldowns[0].reason: missing"},
      {R"({"now": "yesterday"})", "state.now"},
      {R"([1, 2])", "state: expected an object, got an array"},
      {R"({"equity": 1e40})", "state.equity"},
  };
  for (const auto& [text, expected] : cases) {
    SCOPED_TRACE(text);
    auto in = parse_state(js(text), t0());
    ASSERT_FALSE(in.ok());
    EXPECT_NE(in.error().message.find(expected), std::string::npos) << in.error().message;
  }
}

TEST(RiskJson, Intent) {
  auto in = parse_intent(js(R"({"symbol": "XRP/USDT", "side": "sell", "size_usd": 250.75,
    "entry": 0.5234, "stop_loss": 0.5301, "take_profit": null, "leverage": 2, "confidence": 0.66,
    "regime": "choppy", "strictness": "strict"})"));
  ASSERT_TRUE(in.ok()) << in.error().message;
  EXPECT_EQ(in->symbol, "XRP/USDT");
  EXPECT_EQ(in->side, Side::kSell);
  EXPECT_EQ(in->size_usd, 250.75_d);
  EXPECT_EQ(in->entry, 0.5234_d);
  EXPECT_EQ(in->stop_loss, 0.5301_d);
  EXPECT_FALSE(in->take_profit.has_value());
  EXPECT_EQ(in->leverage, 2_d);
  EXPECT_EQ(in->confidence, 0.66_d);
  EXPECT_EQ(in->regime, Regime::kChoppy);
  EXPECT_EQ(in->strictness, Strictness::kStrict);

  auto defaults = parse_intent(js(R"({"confidence": 0.8})"));
  ASSERT_TRUE(defaults.ok());
  EXPECT_EQ(defaults->regime, Regime::kUnknown);
  EXPECT_EQ(defaults->leverage, 1_d);
  EXPECT_EQ(defaults->fee_pct, 0_d);

  const std::vector<std::pair<const char*, const char*>> bad{
      {R"({"side": "long"})", "intent.side: unknown value \"long\" (expected buy or sell)"},
      {R"({"size_usd": "1,000"})", "intent.size_usd"},
      {R"({"regime": "sideways"})", "intent.regime"},
      {R"({"strictness": 2})", "intent.strictness: expected a string"},
      {R"({"size": 10})", "intent.size: unknown field"},
      {R"({"is_cancel": "yes"})", "intent.is_cancel: expected true or false"},
  };
  for (const auto& [text, expected] : bad) {
    SCOPED_TRACE(text);
    auto r = parse_intent(js(text));
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().message.find(expected), std::string::npos) << r.error().message;
  }
}

// An entry without a confidence is no input for rule 4 (R2 D5): taken as 1 it passed every
// regime's minimum (choppy's 0.75 too), so it is refused, naming the field. Exits and cancels,
// which rule 4 does not judge, need none.
TEST(RiskJson, AnEntryMustSayItsConfidence) {
  const auto missing = parse_intent(js(R"({"symbol": "BTC/USDT", "side": "buy", "size_usd": 1000,
    "entry": 100, "stop_loss": 98, "take_profit": 104, "regime": "choppy"})"));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().message.rfind("intent.confidence: missing", 0), 0u)
      << missing.error().message;
  const auto exit =
      parse_intent(js(R"({"side": "sell", "size_usd": 1000, "reduces_exposure": true})"));
  ASSERT_TRUE(exit.ok()) << exit.error().message;
  EXPECT_TRUE(parse_intent(js(R"({"is_cancel": true})")).ok());
  // A C++ caller that forgets it gets rule 4's refusal, not a pass.
  const Engine engine;
  RiskIntent in = base_intent();
  in.confidence = RiskIntent{}.confidence;
  EXPECT_EQ(engine.check(base_state(engine), in, t0()).rule, Rule::kConfidence);
}

TEST(RiskJson, VerdictUsesExactNumbers) {
  Verdict v;
  v.status = VerdictStatus::kModified;
  v.rule = Rule::kSize;
  v.reason = "size \"capped\"";
  v.size_usd = 2000_d;
  v.leverage = 1.5_d;
  v.warnings = {"a", "b"};
  EXPECT_EQ(verdict_to_json(v),
            R"({"status":"MODIFIED","rule":"5:size","reason":"size \"capped\"","size_usd":2000,)"
            R"("leverage":1.5,"warnings":["a","b"]})");
  v = Verdict{};
  v.size_usd = 0.1_d;
  v.leverage = 1_d;
  EXPECT_EQ(
      verdict_to_json(v),
      R"({"status":"APPROVED","rule":"none","reason":"","size_usd":0.1,"leverage":1,"warnings":[]})");
}

TEST(RiskJson, FullStateRoundTrips) {
  const Engine engine;
  RiskState s = base_state(engine);
  (void)engine.on_trade_closed(s, -12.5_d, t0());
  (void)engine.on_volatility(s, "XRP/USDT", 5.0, 1.0, t0());
  (void)engine.on_volatility(s, "BTC/USDT", 5.0, 1.0, t0());
  (void)engine.on_equity(s, 9333.333333333333333333_d, t0() + minutes(1));  // daily breaker
  engine.on_order_sent(s, t0() + minutes(1));
  (void)engine.set_trading_state(s, TradingState::kReducing, "careful", t0() + minutes(1));
  s.open_positions = {position("BTC/USDT", 1234.5678_d, 2_d)};
  s.available_margin = 777_d;

  const std::string text = state_to_json_text(s);
  auto back = state_from_json_text(text);
  ASSERT_TRUE(back.ok()) << back.error().message << "\n" << text;
  const RiskState& r = *back;
  EXPECT_EQ(state_to_json_text(r), text);
  EXPECT_EQ(r.equity, s.equity);
  EXPECT_EQ(r.day_start_equity, s.day_start_equity);
  EXPECT_EQ(r.daily_pnl_pct, s.daily_pnl_pct);
  EXPECT_EQ(r.trading_state, TradingState::kHalted);
  EXPECT_EQ(r.manual_state, TradingState::kReducing);
  EXPECT_EQ(r.state_until, s.state_until);
  EXPECT_TRUE(r.breaker(Breaker::kDailyLoss).tripped);
  EXPECT_EQ(r.breaker(Breaker::kDailyLoss).reason, s.breaker(Breaker::kDailyLoss).reason);
  EXPECT_EQ(r.cooldown(CooldownReason::kLoss).until, s.cooldown(CooldownReason::kLoss).until);
  EXPECT_EQ(r.cooldown(CooldownReason::kVolatility).until,
            s.cooldown(CooldownReason::kVolatility).until);
  EXPECT_EQ(r.order_times, s.order_times);
  EXPECT_EQ(r.consecutive_losses, 1);
  EXPECT_EQ(r.volatility_spikes, (std::vector<std::string>{"BTC/USDT", "XRP/USDT"}));
  EXPECT_EQ(r.updated, s.updated);

  // Restored, the breaker still expires at the next UTC day and the operator's REDUCING returns.
  RiskState restored = r;
  (void)engine.apply_breakers(restored, core::parse_rfc3339("2024-03-14T00:00:00Z").value());
  EXPECT_EQ(restored.trading_state, TradingState::kReducing);
}

TEST(RiskJson, EventDetail) {
  const Engine engine;
  RiskState s = base_state(engine);
  s.weekly_pnl_pct = -11_d;
  const auto events = engine.apply_breakers(s, t0());
  ASSERT_EQ(events.size(), 1u);
  const auto o = event_to_json(events[0]);
  EXPECT_EQ(o.at("kind").as_string(), "breaker");
  EXPECT_EQ(o.at("breaker").as_string(), "weekly_loss");
  EXPECT_EQ(o.at("breaker_state").as_string(), "tripped");
  EXPECT_EQ(o.at("action").as_string(), "reduce_positions");
  EXPECT_EQ(o.at("reduce_pct").as_string(), "50");
  EXPECT_EQ(o.at("state_before").as_string(), "ACTIVE");
  EXPECT_EQ(o.at("state_after").as_string(), "HALTED");
}

}  // namespace
}  // namespace tg4::risk
