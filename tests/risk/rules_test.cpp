// SPEC §7 rules 1-9: each threshold at, just below and just above, with the SPEC limits.
#include <gtest/gtest.h>

#include <functional>
#include <optional>

#include "risk/engine.hpp"
#include "risk_fixture.hpp"

namespace tg4::risk {
namespace {

using namespace core::literals;
using namespace testing;
using std::chrono::minutes;
using std::chrono::seconds;
using V = VerdictStatus;

struct Case {
  const char* name;
  std::function<void(RiskState&, RiskIntent&)> setup;
  VerdictStatus status;
  Rule rule;
  std::optional<Decimal> size = std::nullopt;
  std::optional<Decimal> leverage = std::nullopt;
};

void run(const std::vector<Case>& cases, const RiskLimits& limits = {}) {
  const Engine engine(limits);
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    RiskState state = base_state(engine);
    RiskIntent intent = base_intent();
    c.setup(state, intent);
    const Verdict v = engine.check(state, intent, t0());
    EXPECT_EQ(v.status, c.status) << summary(v);
    EXPECT_EQ(v.rule, c.rule) << summary(v);
    if (c.size) {
      EXPECT_EQ(v.size_usd, *c.size) << summary(v);
    }
    if (c.leverage) {
      EXPECT_EQ(v.leverage, *c.leverage) << summary(v);
    }
    EXPECT_FALSE(v.reason.empty());
  }
}

const auto kNothing = [](RiskState&, RiskIntent&) {};

TEST(RiskRules, BaseIntentIsApprovedUnchanged) {
  run({{"base", kNothing, V::kApproved, Rule::kNone, 1000_d, 1_d}});
}

TEST(RiskRules, Rule1TradingState) {
  run({
      {"halted", [](RiskState& s, RiskIntent&) { s.trading_state = TradingState::kHalted; },
       V::kHalted, Rule::kTradingState},
      {"halted reducing intent",
       [](RiskState& s, RiskIntent& i) {
         s.trading_state = TradingState::kHalted;
         i.reduces_exposure = true;
       },
       V::kHalted, Rule::kTradingState},
      {"halted cancel passes",
       [](RiskState& s, RiskIntent& i) {
         s.trading_state = TradingState::kHalted;
         i.is_cancel = true;
       },
       V::kApproved, Rule::kNone},
      {"reducing rejects new exposure",
       [](RiskState& s, RiskIntent&) { s.trading_state = TradingState::kReducing; }, V::kRejected,
       Rule::kTradingState},
      {"reducing accepts an exit",
       [](RiskState& s, RiskIntent& i) {
         s.trading_state = TradingState::kReducing;
         i.reduces_exposure = true;
         i.stop_loss = 0_d;  // exits carry no stop
       },
       V::kApproved, Rule::kNone, 1000_d},
      {"exit skips cool-downs",
       [](RiskState& s, RiskIntent& i) {
         s.cooldown(CooldownReason::kLoss).until = t0() + minutes(5);
         i.reduces_exposure = true;
       },
       V::kApproved, Rule::kNone},
  });
}

TEST(RiskRules, Rule2CooldownsAtTheirExpiry) {
  std::vector<Case> cases;
  for (CooldownReason reason :
       {CooldownReason::kLoss, CooldownReason::kTrade, CooldownReason::kVolatility}) {
    cases.push_back({"1 ns before expiry",
                     [reason](RiskState& s, RiskIntent&) {
                       s.cooldown(reason).until = t0() + core::Duration(1);
                     },
                     V::kRejected, Rule::kCooldown});
    cases.push_back({"at expiry",
                     [reason](RiskState& s, RiskIntent&) { s.cooldown(reason).until = t0(); },
                     V::kApproved, Rule::kNone});
    cases.push_back({"1 ns after expiry",
                     [reason](RiskState& s, RiskIntent&) {
                       s.cooldown(reason).until = t0() - core::Duration(1);
                     },
                     V::kApproved, Rule::kNone});
  }
  run(cases);
}

TEST(RiskRules, Rule2ReasonNamesEveryActiveCooldown) {
  const Engine engine;
  RiskState s = base_state(engine);
  s.cooldown(CooldownReason::kLoss).until = t0() + minutes(10);
  s.cooldown(CooldownReason::kVolatility).until = t0() + minutes(15);
  const Verdict v = engine.check(s, base_intent(), t0());
  EXPECT_NE(v.reason.find("loss until 2024-03-13T12:10:00Z (600 s left)"), std::string::npos)
      << v.reason;
  EXPECT_NE(v.reason.find("volatility until 2024-03-13T12:15:00Z"), std::string::npos) << v.reason;
  EXPECT_EQ(v.reason.find("trade"), std::string::npos) << v.reason;
}

TEST(RiskRules, Rule3StopDistance) {
  const auto stop = [](const char* price, const char* target = nullptr) {
    return [=](RiskState&, RiskIntent& i) {
      i.stop_loss = Decimal::must(price);
      i.take_profit = target ? std::optional(Decimal::must(target)) : std::nullopt;
    };
  };
  run({
      {"no stop", stop("0"), V::kRejected, Rule::kStopLoss},
      {"0.49 %", stop("99.51"), V::kRejected, Rule::kStopLoss},
      {"0.5 %", stop("99.5"), V::kApproved, Rule::kNone},
      {"0.51 %", stop("99.49"), V::kApproved, Rule::kNone},
      {"4.99 %", stop("95.01"), V::kApproved, Rule::kNone},
      {"5 %", stop("95"), V::kApproved, Rule::kNone},
      {"5.01 %", stop("94.99"), V::kRejected, Rule::kStopLoss},
      {"stop above a buy", stop("102"), V::kRejected, Rule::kStopLoss},
      {"stop at entry", stop("100"), V::kRejected, Rule::kStopLoss},
  });
  run({{"sell 2 % stop above",
        [](RiskState&, RiskIntent& i) {
          i.side = Side::kSell;
          i.stop_loss = 102_d;
          i.take_profit = 97_d;
        },
        V::kApproved, Rule::kNone},
       {"sell stop below",
        [](RiskState&, RiskIntent& i) {
          i.side = Side::kSell;
          i.stop_loss = 98_d;
          i.take_profit = 97_d;
        },
        V::kRejected, Rule::kStopLoss}});
}

TEST(RiskRules, Rule3RewardToRisk) {
  const auto target = [](const char* price) {
    return [=](RiskState&, RiskIntent& i) { i.take_profit = Decimal::must(price); };
  };
  run({
      {"no target", [](RiskState&, RiskIntent& i) { i.take_profit.reset(); }, V::kApproved,
       Rule::kNone},
      {"1.495", target("102.99"), V::kRejected, Rule::kStopLoss},
      {"1.5", target("103"), V::kApproved, Rule::kNone},
      {"1.505", target("103.01"), V::kApproved, Rule::kNone},
      {"target below a buy", target("99"), V::kRejected, Rule::kStopLoss},
  });
}

TEST(RiskRules, Rule4ConfidencePerRegime) {
  const std::vector<std::pair<Regime, const char*>> minimums{
      {Regime::kBull, "0.55"},    {Regime::kBear, "0.55"},     {Regime::kTrending, "0.55"},
      {Regime::kRanging, "0.60"}, {Regime::kBreakout, "0.60"}, {Regime::kVolatile, "0.65"},
      {Regime::kChoppy, "0.75"},  {Regime::kUnknown, "0.70"}};
  const Engine engine;
  for (const auto& [regime, text] : minimums) {
    const Decimal min = Decimal::must(text);
    for (const auto& [delta, passes] : {std::pair{"-0.01", false}, {"0", true}, {"0.01", true}}) {
      SCOPED_TRACE(std::string(to_string(regime)) + " " + delta);
      RiskIntent in = base_intent();
      in.regime = regime;
      in.leverage = 1_d;
      in.confidence = min + Decimal::must(delta);
      const Verdict v = engine.check(base_state(engine), in, t0());
      if (passes) {
        EXPECT_TRUE(v.allows_order()) << summary(v);
      } else {
        EXPECT_EQ(v.rule, Rule::kConfidence) << summary(v);
        EXPECT_EQ(v.status, V::kRejected);
      }
    }
  }
}

TEST(RiskRules, Rule4LossStreakAndStrictnessAdjustments) {
  struct Row {
    int losses;
    Strictness strictness;
    const char* minimum;  // bull regime: 0.55 + adjustments
  };
  const std::vector<Row> rows{
      {0, Strictness::kNormal, "0.55"},     {2, Strictness::kNormal, "0.55"},
      {3, Strictness::kNormal, "0.65"},     {4, Strictness::kNormal, "0.65"},
      {5, Strictness::kNormal, "0.75"},     {9, Strictness::kNormal, "0.75"},
      {0, Strictness::kRelaxed, "0.50"},    {0, Strictness::kStrict, "0.60"},
      {0, Strictness::kVeryStrict, "0.65"}, {5, Strictness::kVeryStrict, "0.85"},
      {3, Strictness::kRelaxed, "0.60"},
  };
  const Engine engine;
  for (const Row& row : rows) {
    for (const auto& [delta, passes] : {std::pair{"-0.01", false}, {"0", true}, {"0.01", true}}) {
      SCOPED_TRACE(std::to_string(row.losses) + " losses, " + to_string(row.strictness) + " " +
                   delta);
      RiskState s = base_state(engine);
      s.consecutive_losses = row.losses;
      RiskIntent in = base_intent();
      in.strictness = row.strictness;
      in.confidence = Decimal::must(row.minimum) + Decimal::must(delta);
      const Verdict v = engine.check(s, in, t0());
      EXPECT_EQ(v.rule == Rule::kConfidence, !passes) << summary(v);
      EXPECT_EQ(v.allows_order(), passes) << summary(v);
    }
  }
}

TEST(RiskRules, Rule5SizeCapAt20PercentOfEquity) {
  const auto size = [](const char* usd) {
    return [=](RiskState&, RiskIntent& i) { i.size_usd = Decimal::must(usd); };
  };
  run({
      {"19.9999 %", size("1999.99"), V::kApproved, Rule::kNone, 1999.99_d},
      {"20 %", size("2000"), V::kApproved, Rule::kNone, 2000_d},
      {"20.0001 %", size("2000.01"), V::kModified, Rule::kSize, 2000_d},
      {"50 %", size("5000"), V::kModified, Rule::kSize, 2000_d},
      {"zero", size("0"), V::kRejected, Rule::kSize},
      {"negative", size("-5"), V::kRejected, Rule::kSize},
  });
}

TEST(RiskRules, Rule5RiskCapAt2PercentOfEquity) {
  // With the SPEC limits the 20 % cap always binds first (20 % x a 5 % stop = 1 % risk), so the 2 %
  // risk cap is tested with the position cap lifted: a 5 % stop allows 10000 x 2 % / 5 % = 4000.
  RiskLimits limits;
  limits.max_position_pct = 100_d;
  const auto size = [](const char* usd) {
    return [=](RiskState&, RiskIntent& i) {
      i.size_usd = Decimal::must(usd);
      i.stop_loss = 95_d;
      i.take_profit = 110_d;
    };
  };
  run({{"risk 1.9999 %", size("3999.99"), V::kApproved, Rule::kNone, 3999.99_d},
       {"risk 2 %", size("4000"), V::kApproved, Rule::kNone, 4000_d},
       {"risk 2.0001 %", size("4000.01"), V::kModified, Rule::kSize, 4000_d}},
      limits);
}

TEST(RiskRules, Rule5Multipliers) {
  run({
      {"4 losses: no halving", [](RiskState& s, RiskIntent&) { s.consecutive_losses = 4; },
       V::kApproved, Rule::kNone, 1000_d},
      {"5 losses: x 0.5", [](RiskState& s, RiskIntent&) { s.consecutive_losses = 5; }, V::kModified,
       Rule::kSize, 500_d},
      {"volatility spike: x 0.5",
       [](RiskState& s, RiskIntent&) { s.volatility_spikes = {"BTC/USDT"}; }, V::kModified,
       Rule::kSize, 500_d},
      {"another symbol's volatility spike: whole",
       [](RiskState& s, RiskIntent&) { s.volatility_spikes = {"XRP/USDT"}; }, V::kApproved,
       Rule::kNone, 1000_d},
      {"breakout x 0.75", [](RiskState&, RiskIntent& i) { i.regime = Regime::kBreakout; },
       V::kModified, Rule::kSize, 750_d},
      {"ranging x 0.75", [](RiskState&, RiskIntent& i) { i.regime = Regime::kRanging; },
       V::kModified, Rule::kSize, 750_d},
      {"volatile x 0.5", [](RiskState&, RiskIntent& i) { i.regime = Regime::kVolatile; },
       V::kModified, Rule::kSize, 500_d},
      {"choppy x 0.25", [](RiskState&, RiskIntent& i) { i.regime = Regime::kChoppy; }, V::kModified,
       Rule::kSize, 250_d},
      {"unknown x 0.5", [](RiskState&, RiskIntent& i) { i.regime = Regime::kUnknown; },
       V::kModified, Rule::kSize, 500_d},
      {"all together",
       [](RiskState& s, RiskIntent& i) {
         s.consecutive_losses = 5;
         s.volatility_spikes = {"BTC/USDT"};
         i.regime = Regime::kVolatile;
       },
       V::kModified, Rule::kSize, 125_d},
      {"cap then multiplier",
       [](RiskState&, RiskIntent& i) {
         i.size_usd = 9000_d;
         i.regime = Regime::kChoppy;
       },
       V::kModified, Rule::kSize, 500_d},
      {"shrunk size rounds down to cents",
       [](RiskState&, RiskIntent& i) {
         i.size_usd = 1000.05_d;
         i.regime = Regime::kChoppy;  // 250.0125
       },
       V::kModified, Rule::kSize, 250.01_d},
  });
}

TEST(RiskRules, Rule6LeverageCaps) {
  const auto lev = [](Regime regime, const char* leverage) {
    return [=](RiskState&, RiskIntent& i) {
      i.regime = regime;
      i.size_usd = 400_d;
      i.leverage = Decimal::must(leverage);
      i.confidence = 0.9_d;
    };
  };
  // Regime size multipliers apply too; sizes are given after them.
  run({
      {"bull 5", lev(Regime::kBull, "5"), V::kApproved, Rule::kNone, 400_d, 5_d},
      {"bull 5.01", lev(Regime::kBull, "5.01"), V::kModified, Rule::kLeverage, 400_d, 5_d},
      {"bear 3", lev(Regime::kBear, "3"), V::kApproved, Rule::kNone, 400_d, 3_d},
      {"bear 3.5", lev(Regime::kBear, "3.5"), V::kModified, Rule::kLeverage, 400_d, 3_d},
      {"breakout 4", lev(Regime::kBreakout, "4"), V::kModified, Rule::kSize, 300_d, 3_d},
      {"ranging 2", lev(Regime::kRanging, "2"), V::kModified, Rule::kSize, 300_d, 2_d},
      {"volatile 3", lev(Regime::kVolatile, "3"), V::kModified, Rule::kSize, 200_d, 2_d},
      {"choppy 2", lev(Regime::kChoppy, "2"), V::kModified, Rule::kSize, 100_d, 1_d},
      {"unknown 1.5", lev(Regime::kUnknown, "1.5"), V::kModified, Rule::kSize, 200_d, 1_d},
      {"below 1", lev(Regime::kBull, "0.5"), V::kRejected, Rule::kLeverage},
  });
}

TEST(RiskRules, Rule6DrawdownAndLossCaps) {
  struct Row {
    const char* drawdown;
    int losses;
    const char* cap;
  };
  const std::vector<Row> rows{
      {"4.99", 0, "5"},  {"5", 0, "3"},  {"9.99", 0, "3"}, {"10", 0, "2"},
      {"14.99", 0, "2"}, {"15", 0, "1"}, {"0", 2, "5"},    {"0", 3, "2"},
      {"0", 4, "2"},     {"0", 5, "1"},  {"5", 3, "2"},    {"10", 5, "1"},
  };
  const Engine engine;
  for (const Row& row : rows) {
    SCOPED_TRACE(std::string("drawdown ") + row.drawdown + ", losses " +
                 std::to_string(row.losses));
    RiskState s = base_state(engine);
    s.drawdown_pct = Decimal::must(row.drawdown);
    s.consecutive_losses = row.losses;
    RiskIntent in = base_intent();
    in.size_usd = 200_d;
    in.leverage = 5_d;
    const Verdict v = engine.check(s, in, t0());
    ASSERT_TRUE(v.allows_order()) << summary(v);
    EXPECT_EQ(v.leverage, Decimal::must(row.cap)) << summary(v);
  }
}

TEST(RiskRules, Rule7TotalExposure) {
  // Limit: 80 % of 10000 = 8000; the new intent adds 1000 x 1.
  const auto open = [](const char* exposure) {
    return [=](RiskState& s, RiskIntent&) {
      s.open_positions = {position("ETH/USDT", 4000_d),
                          position("SOL/USDT", Decimal::must(exposure))};
    };
  };
  run({
      {"7999.99", open("2999.99"), V::kApproved, Rule::kNone},
      {"8000", open("3000"), V::kApproved, Rule::kNone},
      {"8000.01", open("3000.01"), V::kRejected, Rule::kTotalExposure},
      {"leverage counts",
       [](RiskState& s, RiskIntent& i) {
         s.open_positions = {position("ETH/USDT", 6000_d)};
         i.leverage = 2.01_d;  // 2010 notional
       },
       V::kRejected, Rule::kTotalExposure},
  });
}

TEST(RiskRules, Rule8CorrelatedExposure) {
  // Limit: 40 % of 10000 = 4000; new BTC/USDT 1000 + XRP/USDT exposure x 0.75.
  const auto xrp = [](const char* exposure) {
    return [=](RiskState& s, RiskIntent&) {
      s.open_positions = {position("XRP/USDT", Decimal::must(exposure))};
    };
  };
  run({
      {"3999.9925", xrp("3999.99"), V::kApproved, Rule::kNone},
      {"4000", xrp("4000"), V::kApproved, Rule::kNone},
      {"4000.0075", xrp("4000.01"), V::kRejected, Rule::kCorrelatedExposure},
      {"XRP/BTC rho 0.6 counts",
       [](RiskState& s, RiskIntent&) { s.open_positions = {position("XRP/BTC", 5000.02_d)}; },
       V::kRejected, Rule::kCorrelatedExposure},
      {"same symbol counts fully",
       [](RiskState& s, RiskIntent&) { s.open_positions = {position("BTC/USDT", 3000.01_d)}; },
       V::kRejected, Rule::kCorrelatedExposure},
      {"uncorrelated does not count",
       [](RiskState& s, RiskIntent&) { s.open_positions = {position("ETH/USDT", 7000_d)}; },
       V::kApproved, Rule::kNone},
  });
  RiskLimits limits;
  limits.correlations = {{"BTC/USDT", "ETH/USDT", 0.5_d}};
  run({{"rho 0.5 exactly does not count",
        [](RiskState& s, RiskIntent&) { s.open_positions = {position("ETH/USDT", 7000_d)}; },
        V::kApproved, Rule::kNone}},
      limits);
}

TEST(RiskRules, Rule9MarginPositionsAndRate) {
  const auto orders = [](int n, core::Duration age) {
    return [=](RiskState& s, RiskIntent&) {
      for (int i = 0; i < n; ++i) s.order_times.push_back(t0() - age);
    };
  };
  const auto with_fees = [](Decimal available, Decimal leverage = 1_d) {
    return [=](RiskState& s, RiskIntent& i) {
      s.available_margin = available;
      i.fee_pct = 0.31_d;
      i.leverage = leverage;
    };
  };
  run({
      {"margin 1000", [](RiskState& s, RiskIntent&) { s.available_margin = 1000_d; }, V::kApproved,
       Rule::kNone},
      {"margin 999.99", [](RiskState& s, RiskIntent&) { s.available_margin = 999.99_d; },
       V::kRejected, Rule::kMarginAndLimits},
      // The venue's taker fee and slippage come on top of the size (0.31 % of 1000 = 3.1); on
      // margin they are on the notional: 1000 at leverage 2 takes 1000 + 0.31 % of 2000.
      {"margin 1003.1 with fees", with_fees(1003.1_d), V::kApproved, Rule::kNone},
      {"margin 1003.09 with fees", with_fees(1003.09_d), V::kRejected, Rule::kMarginAndLimits},
      {"leveraged, margin 1006.2", with_fees(1006.2_d, 2_d), V::kApproved, Rule::kNone},
      {"leveraged, margin 1006.19", with_fees(1006.19_d, 2_d), V::kRejected,
       Rule::kMarginAndLimits},
      {"1 in symbol",
       [](RiskState& s, RiskIntent&) { s.open_positions = {position("BTC/USDT", 100_d)}; },
       V::kApproved, Rule::kNone},
      {"2 in symbol",
       [](RiskState& s, RiskIntent&) {
         s.open_positions = {position("BTC/USDT", 100_d), position("BTC/USDT", 100_d)};
       },
       V::kRejected, Rule::kMarginAndLimits},
      {"4 in total",
       [](RiskState& s, RiskIntent&) {
         s.open_positions = {position("A/USD", 10_d), position("B/USD", 10_d),
                             position("C/USD", 10_d), position("D/USD", 10_d)};
       },
       V::kApproved, Rule::kNone},
      {"5 in total",
       [](RiskState& s, RiskIntent&) {
         s.open_positions = {position("A/USD", 10_d), position("B/USD", 10_d),
                             position("C/USD", 10_d), position("D/USD", 10_d),
                             position("E/USD", 10_d)};
       },
       V::kRejected, Rule::kMarginAndLimits},
      {"29 orders/min", orders(29, seconds(30)), V::kApproved, Rule::kNone},
      {"30 orders/min", orders(30, seconds(30)), V::kRejected, Rule::kMarginAndLimits},
      {"30 orders exactly 60 s ago", orders(30, seconds(60)), V::kApproved, Rule::kNone},
      {"30 orders 59.999 s ago", orders(30, std::chrono::milliseconds(59'999)), V::kRejected,
       Rule::kMarginAndLimits},
      // The rate limits new risk: an exit that waited for it would keep the risk on the book.
      {"rate does not hold back exits",
       [](RiskState& s, RiskIntent& i) {
         for (int n = 0; n < 30; ++n) s.order_times.push_back(t0());
         i.reduces_exposure = true;
       },
       V::kApproved, Rule::kNone},
  });
}

// What rule 9 says when the minute is full names the key that sets the limit; the same answer is
// given for an order no intent stands behind (a hodl bag's buy, a rebalance order).
TEST(RiskRules, TheOrderRateNamesItsConfigKeyAndAnswersOrdersWithoutAnIntent) {
  const Engine engine;
  RiskState s = base_state(engine);
  for (int n = 0; n < 29; ++n) engine.on_order_sent(s, t0() - seconds(10));
  EXPECT_FALSE(engine.order_rate_refusal(s, t0()));
  engine.on_order_sent(s, t0());
  const auto full = engine.order_rate_refusal(s, t0());
  ASSERT_TRUE(full);
  EXPECT_EQ(*full,
            "order rate: 30 orders in the last minute, limit 30 (risk.max_orders_per_minute)");
  const Verdict v = engine.check(s, base_intent(), t0());
  EXPECT_EQ(v.status, VerdictStatus::kRejected) << summary(v);
  EXPECT_EQ(v.reason, *full);
  EXPECT_FALSE(engine.order_rate_refusal(s, t0() + seconds(50))) << "the 29 are 60 s old";
}

TEST(RiskRules, FirstFailureDecides) {
  run({
      {"halted beats cool-down",
       [](RiskState& s, RiskIntent&) {
         s.trading_state = TradingState::kHalted;
         s.cooldown(CooldownReason::kTrade).until = t0() + minutes(1);
       },
       V::kHalted, Rule::kTradingState},
      {"cool-down beats missing stop",
       [](RiskState& s, RiskIntent& i) {
         s.cooldown(CooldownReason::kTrade).until = t0() + minutes(1);
         i.stop_loss = 0_d;
       },
       V::kRejected, Rule::kCooldown},
      {"stop beats confidence",
       [](RiskState&, RiskIntent& i) {
         i.stop_loss = 0_d;
         i.confidence = 0_d;
       },
       V::kRejected, Rule::kStopLoss},
      {"shrunk size then rejected by exposure",
       [](RiskState& s, RiskIntent& i) {
         i.size_usd = 5000_d;
         s.open_positions = {position("ETH/USDT", 7000_d)};
       },
       V::kRejected, Rule::kTotalExposure},
  });
}

TEST(RiskRules, ModifiedListsEveryChangeAsWarning) {
  const Engine engine;
  RiskState s = base_state(engine);
  s.consecutive_losses = 5;
  RiskIntent in = base_intent();
  in.leverage = 3_d;
  const Verdict v = engine.check(s, in, t0());
  ASSERT_EQ(v.status, V::kModified) << summary(v);
  EXPECT_EQ(v.rule, Rule::kSize);
  EXPECT_EQ(v.size_usd, 500_d);
  EXPECT_EQ(v.leverage, 1_d);
  ASSERT_EQ(v.warnings.size(), 2u);
  EXPECT_NE(v.warnings[0].find("loss streak"), std::string::npos);
  EXPECT_NE(v.warnings[1].find("leverage 3 capped at 1"), std::string::npos);
}

TEST(RiskRules, ShrinkOnlyGuardRejectsAGrowingVerdict) {
  const RiskIntent in = base_intent();
  Verdict grown;
  grown.status = V::kModified;
  grown.rule = Rule::kSize;
  grown.size_usd = 1000.01_d;
  grown.leverage = 1_d;
  const Verdict v = enforce_shrink_only(in, grown);
  EXPECT_EQ(v.status, V::kRejected);
  EXPECT_EQ(v.rule, Rule::kInternal);
  EXPECT_NE(v.reason.find("internal error"), std::string::npos);

  Verdict more_leverage = grown;
  more_leverage.size_usd = 900_d;
  more_leverage.leverage = 2_d;
  EXPECT_EQ(enforce_shrink_only(in, more_leverage).rule, Rule::kInternal);

  Verdict unchanged = grown;
  unchanged.size_usd = in.size_usd;
  EXPECT_EQ(enforce_shrink_only(in, unchanged).rule, Rule::kInternal);

  Verdict approved_changed;
  approved_changed.size_usd = 999_d;
  approved_changed.leverage = 1_d;
  EXPECT_EQ(enforce_shrink_only(in, approved_changed).rule, Rule::kInternal);

  Verdict shrunk = grown;
  shrunk.size_usd = 999.99_d;
  EXPECT_EQ(enforce_shrink_only(in, shrunk).status, V::kModified);
}

TEST(RiskRules, SameInputsSameVerdict) {
  const Engine engine;
  RiskState s = base_state(engine);
  s.consecutive_losses = 3;
  s.open_positions = {position("XRP/USDT", 1500_d)};
  RiskIntent in = base_intent();
  in.leverage = 4_d;
  const Verdict a = engine.check(s, in, t0());
  const Verdict b = engine.check(s, in, t0());
  EXPECT_EQ(a.status, b.status);
  EXPECT_EQ(a.rule, b.rule);
  EXPECT_EQ(a.reason, b.reason);
  EXPECT_EQ(a.size_usd, b.size_usd);
  EXPECT_EQ(a.leverage, b.leverage);
  EXPECT_EQ(a.warnings, b.warnings);
}

TEST(RiskRules, IntentFromOrder) {
  core::OrderIntent order;
  order.intent_id = "x";
  order.symbol = "XRP/USDT";
  order.side = Side::kSell;
  order.size_quote = 250_d;
  order.entry = 0.5_d;
  order.stop_loss = 0.51_d;
  order.leverage = 2_d;
  order.confidence = 0.65;
  order.regime = "choppy";
  order.strictness = "very_strict";
  const RiskIntent in = intent_from_order(order);
  EXPECT_EQ(in.size_usd, 250_d);
  EXPECT_FALSE(in.take_profit.has_value());
  EXPECT_EQ(in.confidence, 0.65_d);
  EXPECT_EQ(in.regime, Regime::kChoppy);
  EXPECT_EQ(in.strictness, Strictness::kVeryStrict);
  order.qty = 1000_d;  // base quantity wins: 1000 x 0.5
  order.regime = "sideways";
  EXPECT_EQ(intent_from_order(order).size_usd, 500_d);
  EXPECT_EQ(intent_from_order(order).regime, Regime::kUnknown);
}

}  // namespace
}  // namespace tg4::risk
