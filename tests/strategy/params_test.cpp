#include <gtest/gtest.h>

#include "strategy/registry.hpp"

namespace tg4::strategy {
namespace {

const std::vector<ParamSpec> kSpecs{
    {"period", ParamKind::kInt, "14", 2, 100, ""},
    {"k", ParamKind::kDouble, "2.5", 0.1, 10, ""},
    {"long_only", ParamKind::kBool, "true", {}, {}, ""},
    {"label", ParamKind::kString, "x", {}, {}, ""},
    {"center", ParamKind::kDecimal, "0", 0, {}, ""},
};

std::string error_of(const std::map<std::string, std::string>& given) {
  auto p = Params::parse("demo", kSpecs, given);
  return p ? "" : p.error().message;
}

TEST(Params, DefaultsAndTypedGetters) {
  auto p =
      Params::parse("demo", kSpecs, {{"period", "20"}, {"long_only", "no"}, {"center", "0.1"}});
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_EQ(p->get_int("period"), 20);
  EXPECT_DOUBLE_EQ(p->get_double("k"), 2.5);
  EXPECT_FALSE(p->get_bool("long_only"));
  EXPECT_EQ(p->get_string("label"), "x");
  EXPECT_EQ(p->get_decimal("center"), core::Decimal::must("0.1"));  // exact, not via double
  EXPECT_EQ(p->values().at("long_only"), "false");
  EXPECT_THROW(p->get_double("period"), std::logic_error);  // wrong kind
  EXPECT_THROW(p->get_int("nope"), std::logic_error);
}

TEST(Params, ErrorsNameTheStrategyAndTheParameter) {
  EXPECT_EQ(
      error_of({{"perod", "3"}}),
      "strategy 'demo': unknown parameter 'perod' (known: period, k, long_only, label, center)");
  EXPECT_EQ(error_of({{"period", "3.5"}}),
            "strategy 'demo' parameter 'period': '3.5' is not an integer");
  EXPECT_EQ(error_of({{"period", "1"}}),
            "strategy 'demo' parameter 'period': 1 is outside [2, 100]");
  EXPECT_EQ(error_of({{"k", "abc"}}), "strategy 'demo' parameter 'k': 'abc' is not a number");
  EXPECT_EQ(error_of({{"k", "inf"}}), "strategy 'demo' parameter 'k': 'inf' is not a number");
  EXPECT_EQ(error_of({{"long_only", "maybe"}}),
            "strategy 'demo' parameter 'long_only': 'maybe' is not a boolean (true/false)");
  EXPECT_EQ(error_of({{"center", "-1"}}),
            "strategy 'demo' parameter 'center': -1 is outside [0, inf]");
  EXPECT_EQ(error_of({{"period", ""}}), "strategy 'demo' parameter 'period': '' is not an integer");
}

TEST(Registry, CreatesByNameAndRejectsBadParameters) {
  const StrategyRegistry registry = builtin_registry();
  auto ok = registry.create("ema_cross", {{"fast", "5"}, {"slow", "30"}, {"rr", "3"}});
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_EQ((*ok)->name(), "ema_cross");
  EXPECT_EQ((*ok)->params().get_int("fast"), 5);
  EXPECT_DOUBLE_EQ((*ok)->params().get_double("rr"), 3);

  auto unknown = registry.create("ema_crossover");
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().message,
            "unknown strategy 'ema_crossover' (known: bollinger_breakout, ema_cross, grid, "
            "llm_consensus, rsi_reversion, supertrend_follow)");
  auto bad = registry.create("ema_cross", {{"fats", "5"}});
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("unknown parameter 'fats'"), std::string::npos);
  auto order = registry.create("ema_cross", {{"fast", "30"}, {"slow", "20"}});
  ASSERT_FALSE(order);
  EXPECT_EQ(order.error().message,
            "strategy 'ema_cross': parameter 'fast' (30) must be smaller than 'slow' (20)");
  auto rr = registry.create("rsi_reversion", {{"rr", "1.2"}});
  ASSERT_FALSE(rr);  // below the risk engine's minimum reward:risk
  EXPECT_NE(rr.error().message.find("parameter 'rr'"), std::string::npos);
  auto levels = registry.create("rsi_reversion", {{"oversold", "80"}});
  ASSERT_FALSE(levels);
  EXPECT_NE(levels.error().message.find("'oversold' (80) must be below 'overbought' (70)"),
            std::string::npos);
  auto grid = registry.create("grid", {{"spacing_pct", "0.5"}});
  ASSERT_FALSE(grid);
  EXPECT_NE(grid.error().message.find("change 'spacing_pct' or 'rr'"), std::string::npos);
  for (const std::string& name : registry.names()) {
    auto s = registry.create(name);
    EXPECT_TRUE(s) << name << ": " << (s ? "" : s.error().message);  // defaults are valid
  }
}

// Bars exist only for 1 minute and the roll-ups (market::kRollupMinutes); a strategy on a 7-minute
// timeframe used to be accepted and then never saw a bar, so a backtest made no trade, silently.
TEST(Registry, TimeframeMustBeOneThatBarsExistFor) {
  const StrategyRegistry registry = builtin_registry();
  for (const std::string& name : registry.names()) {
    auto odd = registry.create(name, {{"timeframe", "7"}});
    ASSERT_FALSE(odd) << name;
    EXPECT_EQ(odd.error().message,
              "strategy '" + name +
                  "' parameter 'timeframe': 7 is not one of 1, 5, 15, 30, 60, 240, 720, 1440, 10080");
    for (const char* minutes : {"1", "5", "30", "720", "10080"}) {
      auto s = registry.create(name, {{"timeframe", minutes}});
      EXPECT_TRUE(s) << name << " " << minutes << ": " << (s ? "" : s.error().message);
    }
  }
}

}  // namespace
}  // namespace tg4::strategy
