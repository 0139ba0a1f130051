// Budget: the daily spend of SPEC §6, its warning once a day and the tier that leaves only local
// models once the day's budget is spent; the day rolls over at 00:00 UTC.
#include "llm/budget.hpp"

#include <gtest/gtest.h>

namespace tg4::llm {
namespace {

using namespace core::literals;

core::Timestamp at(int day, int hour, int minute = 0, int second = 0) {
  return core::from_civil({2024, 3, day, hour, minute, second, 0});
}

core::LlmProvider provider(bool local) {
  core::LlmProvider p;
  p.name = local ? "ollama" : "openai";
  p.local = local;
  return p;
}

TEST(Budget, DefaultsComeFromTheSection) {
  const Budget budget{core::LlmSection{}};
  EXPECT_EQ(budget.daily(), 5_d);
  EXPECT_EQ(budget.per_decision(), 0.5_d);
  EXPECT_EQ(budget.spent_today(at(1, 12)), 0_d);
  EXPECT_EQ(budget.tier(at(1, 12)), BudgetTier::kAll);
}

TEST(Budget, WarnsOnceADayAndLeavesOnlyLocalModelsWhenSpent) {
  Budget budget{core::LlmSection{}};
  EXPECT_FALSE(budget.spend(3.99_d, at(1, 9)));
  EXPECT_TRUE(budget.spend(0.01_d, at(1, 10)));  // reaches the 4.00 warning
  EXPECT_FALSE(budget.spend(0.5_d, at(1, 11)));  // already warned today
  EXPECT_EQ(budget.tier(at(1, 11)), BudgetTier::kAll);
  EXPECT_TRUE(budget.allows(provider(false), at(1, 11)));
  EXPECT_FALSE(budget.spend(0.5_d, at(1, 12)));  // 5.00: the whole budget
  EXPECT_EQ(budget.spent_today(at(1, 12)), 5_d);
  EXPECT_EQ(budget.tier(at(1, 12)), BudgetTier::kLocalOnly);
  EXPECT_FALSE(budget.allows(provider(false), at(1, 12)));
  EXPECT_TRUE(budget.allows(provider(true), at(1, 12)));
}

TEST(Budget, TheDayRollsOverAtMidnightUtc) {
  Budget budget{core::LlmSection{}};
  EXPECT_TRUE(budget.spend(6_d, at(1, 23, 59, 59)));
  EXPECT_EQ(budget.tier(at(1, 23, 59, 59) + std::chrono::nanoseconds(999'999'999)),
            BudgetTier::kLocalOnly);
  const core::Timestamp midnight = at(2, 0);
  EXPECT_EQ(budget.tier(midnight), BudgetTier::kAll);  // a const look already sees the new day
  EXPECT_EQ(budget.spent_today(midnight), 0_d);
  EXPECT_FALSE(budget.spend(1_d, midnight));
  EXPECT_EQ(budget.spent_today(midnight), 1_d);
  EXPECT_TRUE(budget.spend(3_d, at(2, 8)));  // the warning comes again on the new day
  EXPECT_FALSE(budget.spend(3_d, at(2, 9)));
  EXPECT_EQ(budget.tier(at(2, 9)), BudgetTier::kLocalOnly);
  EXPECT_EQ(budget.tier(at(5, 9)), BudgetTier::kAll);
}

TEST(Budget, AClockSteppedBackDoesNotGrantASecondBudget) {
  Budget budget{core::LlmSection{}};
  budget.spend(4.5_d, at(2, 0, 0, 1));
  budget.spend(1_d, at(1, 23, 59, 59));  // NTP stepped the clock back over midnight
  EXPECT_EQ(budget.spent_today(at(2, 0, 0, 2)), 5.5_d);
  EXPECT_EQ(budget.tier(at(2, 0, 0, 2)), BudgetTier::kLocalOnly);
}

TEST(Budget, ConfiguredLimits) {
  core::LlmSection section;
  section.daily_budget_usd = 1_d;
  section.budget_warn_usd = 0.25_d;
  section.max_cost_per_decision_usd = 0.1_d;
  Budget budget{section};
  EXPECT_EQ(budget.per_decision(), 0.1_d);
  EXPECT_TRUE(budget.spend(0.3_d, at(3, 1)));
  EXPECT_FALSE(budget.spend(0.69_d, at(3, 2)));
  EXPECT_EQ(budget.tier(at(3, 2)), BudgetTier::kAll);
  EXPECT_FALSE(budget.spend(0.01_d, at(3, 3)));
  EXPECT_EQ(budget.tier(at(3, 3)), BudgetTier::kLocalOnly);
}

TEST(Budget, AZeroBudgetIsLocalOnlyFromTheStart) {
  core::LlmSection section;
  section.daily_budget_usd = 0_d;
  const Budget budget{section};
  EXPECT_EQ(budget.tier(at(1, 0)), BudgetTier::kLocalOnly);
}

}  // namespace
}  // namespace tg4::llm
