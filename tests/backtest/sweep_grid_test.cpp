// ParamGrid: `--sweep` parsing (ranges and lists, good and bad), the combination order and the cap.
#include <gtest/gtest.h>

#include "backtest/param_grid.hpp"
#include "strategy/registry.hpp"

namespace tg4::backtest {
namespace {

using Values = std::vector<std::string>;

ParamAxis axis(std::string_view text) {
  auto parsed = ParamGrid::parse_axis(text);
  EXPECT_TRUE(parsed.ok()) << (parsed.ok() ? "" : parsed.error().message);
  return parsed.ok() ? *parsed : ParamAxis{};
}

std::string error_of(std::string_view text, std::size_t max = ParamGrid::kMaxCombinations) {
  auto parsed = ParamGrid::parse_axis(text, max);
  return parsed.ok() ? "<no error>" : parsed.error().message;
}

TEST(SweepGrid, IntegerRangeIncludesTheEndAndStaysInteger) {
  const auto a = axis("fast=5:20:5");
  EXPECT_EQ(a.name, "fast");
  EXPECT_EQ(a.values, (Values{"5", "10", "15", "20"}));
  EXPECT_EQ(a.flag, "--sweep fast=5:20:5");
}

TEST(SweepGrid, RangeStopsAtTheLastStepNotAboveTheEnd) {
  EXPECT_EQ(axis("k=1:10:4").values, (Values{"1", "5", "9"}));
  EXPECT_EQ(axis("k=7:7:1").values, (Values{"7"}));
  EXPECT_EQ(axis("k=-2:2:2").values, (Values{"-2", "0", "2"}));
}

TEST(SweepGrid, DecimalRangeIsExact) {
  // 0.1 + 0.1 + 0.1 is exactly 0.3 in Decimal, so the end is included (it would not be in double).
  EXPECT_EQ(axis("rr=0.1:0.3:0.1").values, (Values{"0.1", "0.2", "0.3"}));
  EXPECT_EQ(axis("m=1.5:3.0:0.75").values, (Values{"1.5", "2.25", "3"}));
  EXPECT_EQ(axis(" atr_mult = 1.0 : 2.0 : 0.5 ").values, (Values{"1", "1.5", "2"}));
}

TEST(SweepGrid, ListsKeepTheirOrderAndText) {
  EXPECT_EQ(axis("mode=b,a,c").values, (Values{"b", "a", "c"}));
  EXPECT_EQ(axis("k=1.50, 2").values, (Values{"1.50", "2"}));
  EXPECT_EQ(axis("k=3").values, (Values{"3"}));
}

TEST(SweepGrid, BadRangesNameTheFlag) {
  EXPECT_EQ(error_of("fast=5:20:0"), "--sweep fast=5:20:0: the step must be above zero, got 0");
  EXPECT_EQ(error_of("fast=5:20:-1"), "--sweep fast=5:20:-1: the step must be above zero, got -1");
  EXPECT_EQ(error_of("fast=20:5:1"), "--sweep fast=20:5:1: the start 20 is above the end 5");
  EXPECT_EQ(error_of("fast=5:20"), "--sweep fast=5:20: a range is start:end:step, e.g. 5:20:5");
  EXPECT_EQ(error_of("fast=a:20:1"), "--sweep fast=a:20:1: start 'a' is not a decimal number");
  EXPECT_EQ(error_of("fast=1:2:x"), "--sweep fast=1:2:x: step 'x' is not a decimal number");
  EXPECT_NE(error_of("fast").find("--sweep fast: expected name=start:end:step"), std::string::npos);
  EXPECT_NE(error_of("=1,2").find("expected name="), std::string::npos);
  EXPECT_EQ(error_of("fast="), "--sweep fast=: no values after '='");
  EXPECT_EQ(error_of("k=1,,2"), "--sweep k=1,,2: an empty value in the list");
  EXPECT_EQ(error_of("k=1,2,1"), "--sweep k=1,2,1: the value '1' is listed twice");
}

TEST(SweepGrid, TooManyValuesInOneRangeIsCapped) {
  const auto message = error_of("k=0:1:0.00001");
  EXPECT_NE(message.find("--sweep k=0:1:0.00001: more than 10000 values"), std::string::npos)
      << message;
  EXPECT_NE(message.find("capped at 10000 combinations"), std::string::npos) << message;
  // Exactly at the cap is fine; one above is not.
  EXPECT_EQ(axis("k=1:10000:1").values.size(), 10'000u);
  EXPECT_NE(error_of("k=1:10001:1").find("more than 10000"), std::string::npos);
  // An astronomically small step does not overflow or allocate first.
  EXPECT_NE(error_of("k=0:1000000000:0.000000000000000001").find("more than"), std::string::npos);
}

TEST(SweepGrid, CartesianProductFirstAxisSlowest) {
  auto grid = ParamGrid::parse({"fast=5,10", "slow=20:40:10", "mode=x"});
  ASSERT_TRUE(grid.ok()) << grid.error().message;
  ASSERT_EQ(grid->size(), 6u);
  EXPECT_EQ(grid->values(0), (Values{"5", "20", "x"}));
  EXPECT_EQ(grid->values(1), (Values{"5", "30", "x"}));
  EXPECT_EQ(grid->values(2), (Values{"5", "40", "x"}));
  EXPECT_EQ(grid->values(3), (Values{"10", "20", "x"}));
  EXPECT_EQ(grid->values(5), (Values{"10", "40", "x"}));
  const auto params = grid->params(4, {{"atr", "14"}});
  EXPECT_EQ(params, (ParamMap{{"atr", "14"}, {"fast", "10"}, {"slow", "30"}, {"mode", "x"}}));
}

TEST(SweepGrid, NoSweepIsOneCombinationOfTheFixedParams) {
  auto grid = ParamGrid::parse({});
  ASSERT_TRUE(grid.ok());
  EXPECT_EQ(grid->size(), 1u);
  EXPECT_TRUE(grid->values(0).empty());
  EXPECT_EQ(grid->params(0, {{"a", "1"}}), (ParamMap{{"a", "1"}}));
}

TEST(SweepGrid, GridAboveTheCapIsAnError) {
  auto grid = ParamGrid::parse({"a=1:100:1", "b=1:100:1", "c=1,2"});
  ASSERT_FALSE(grid.ok());
  EXPECT_NE(grid.error().message.find("more than 10000 combinations"), std::string::npos)
      << grid.error().message;
  EXPECT_NE(grid.error().message.find("--sweep c=1,2"), std::string::npos);
  EXPECT_TRUE(ParamGrid::parse({"a=1:100:1", "b=1:100:1"}).ok());
}

TEST(SweepGrid, ParameterSweptTwiceIsAnError) {
  auto grid = ParamGrid::parse({"a=1,2", "a=3:4:1"});
  ASSERT_FALSE(grid.ok());
  EXPECT_EQ(grid.error().message, "--sweep a=3:4:1: parameter 'a' is swept twice");
}

strategy::StrategyInfo toy_strategy() {
  strategy::StrategyInfo info;
  info.name = "toy";
  info.params = {{"fast", strategy::ParamKind::kInt, "9", 1.0, 500.0, ""},
                 {"rr", strategy::ParamKind::kDecimal, "2", 0.1, 10.0, ""}};
  return info;
}

TEST(SweepGrid, CheckAgainstTheStrategyCatchesBadGridsBeforeRunning) {
  const auto info = toy_strategy();
  auto ok = ParamGrid::parse({"fast=5:20:5", "rr=1:3:0.5"});
  ASSERT_TRUE(ok.ok());
  EXPECT_TRUE(ok->check(info, {}).ok());

  auto fractional = ParamGrid::parse({"fast=1:2:0.5"});
  ASSERT_TRUE(fractional.ok());
  const auto not_int = fractional->check(info, {});
  ASSERT_FALSE(not_int.ok());
  EXPECT_NE(not_int.error().message.find("--sweep fast=1:2:0.5: strategy 'toy' parameter 'fast'"),
            std::string::npos)
      << not_int.error().message;

  auto unknown = ParamGrid::parse({"slow=1,2"});
  ASSERT_TRUE(unknown.ok());
  const auto status = unknown->check(info, {});
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.error().message.find("unknown parameter 'slow'"), std::string::npos);

  auto out_of_range = ParamGrid::parse({"fast=400:600:100"});
  ASSERT_TRUE(out_of_range.ok());
  EXPECT_FALSE(out_of_range->check(info, {}).ok());

  // A swept name overrides the same fixed one (from --param or the config); the others are checked.
  EXPECT_TRUE(ok->check(info, {{"fast", "7"}}).ok());
  EXPECT_EQ(ok->params(0, {{"fast", "7"}}).at("fast"), "5");
  EXPECT_TRUE(ok->check(info, {{"rr", "99"}}).ok());  // out of range, but never used
  const auto bad_fixed = fractional->check(info, {{"rr", "99"}});
  ASSERT_FALSE(bad_fixed.ok());
  EXPECT_NE(bad_fixed.error().message.find("parameter 'rr'"), std::string::npos);
}

}  // namespace
}  // namespace tg4::backtest
