#include "agents/degradation.hpp"

#include <gtest/gtest.h>

namespace tg4::agents {
namespace {

using Level = DegradationLevel;

// Calls `step` n times; returns how many of them changed the level.
template <typename Step>
int repeat(int n, Step step) {
  int changes = 0;
  for (int i = 0; i < n; ++i) changes += step() ? 1 : 0;
  return changes;
}

TEST(Degradation, LevelNames) {
  EXPECT_STREQ(to_string(Level::kNormal), "NORMAL");
  EXPECT_STREQ(to_string(Level::kReduced), "REDUCED");
  EXPECT_STREQ(to_string(Level::kLimited), "LIMITED");
  EXPECT_STREQ(to_string(Level::kEmergency), "EMERGENCY");
}

TEST(Degradation, StepsDownAfter3And6And9ConsecutiveFailures) {
  Degradation d{core::AgentsSection{}};
  EXPECT_EQ(d.level(), Level::kNormal);
  EXPECT_EQ(repeat(2, [&] { return d.on_failure(); }), 0);
  EXPECT_EQ(d.level(), Level::kNormal);
  EXPECT_TRUE(d.on_failure());
  EXPECT_EQ(d.level(), Level::kReduced);
  EXPECT_EQ(d.consecutive_failures(), 3);
  EXPECT_EQ(repeat(2, [&] { return d.on_failure(); }), 0);
  EXPECT_TRUE(d.on_failure());
  EXPECT_EQ(d.level(), Level::kLimited);
  EXPECT_EQ(repeat(3, [&] { return d.on_failure(); }), 1);
  EXPECT_EQ(d.level(), Level::kEmergency);
  EXPECT_EQ(d.consecutive_failures(), 9);
  EXPECT_EQ(repeat(20, [&] { return d.on_failure(); }), 0);
  EXPECT_EQ(d.level(), Level::kEmergency);
}

TEST(Degradation, ASuccessResetsTheFailureCount) {
  Degradation d{core::AgentsSection{}};
  repeat(2, [&] { return d.on_failure(); });
  EXPECT_FALSE(d.on_success());
  EXPECT_EQ(d.consecutive_failures(), 0);
  repeat(2, [&] { return d.on_failure(); });
  EXPECT_EQ(d.level(), Level::kNormal);
  EXPECT_TRUE(d.on_failure());
  EXPECT_EQ(d.level(), Level::kReduced);
}

TEST(Degradation, EachRunOfThreeSuccessesStepsBackOneLevel) {
  Degradation d{core::AgentsSection{}};
  repeat(9, [&] { return d.on_failure(); });
  ASSERT_EQ(d.level(), Level::kEmergency);
  EXPECT_FALSE(d.on_success());
  EXPECT_FALSE(d.on_success());
  EXPECT_EQ(d.consecutive_successes(), 2);
  EXPECT_TRUE(d.on_success());
  EXPECT_EQ(d.level(), Level::kLimited);
  EXPECT_EQ(d.consecutive_successes(), 0);
  EXPECT_EQ(repeat(3, [&] { return d.on_success(); }), 1);
  EXPECT_EQ(d.level(), Level::kReduced);
  EXPECT_EQ(repeat(3, [&] { return d.on_success(); }), 1);
  EXPECT_EQ(d.level(), Level::kNormal);
  EXPECT_EQ(repeat(10, [&] { return d.on_success(); }), 0);
  EXPECT_EQ(d.level(), Level::kNormal);
}

TEST(Degradation, AFailureResetsTheSuccessCount) {
  Degradation d{core::AgentsSection{}};
  repeat(3, [&] { return d.on_failure(); });
  ASSERT_EQ(d.level(), Level::kReduced);
  repeat(2, [&] { return d.on_success(); });
  EXPECT_FALSE(d.on_failure());
  EXPECT_EQ(d.consecutive_successes(), 0);
  EXPECT_EQ(repeat(2, [&] { return d.on_success(); }), 0);
  EXPECT_EQ(d.level(), Level::kReduced);
  EXPECT_TRUE(d.on_success());
  EXPECT_EQ(d.level(), Level::kNormal);
}

TEST(Degradation, FailuresAfterAStepBackCountOnFromThatLevel) {
  Degradation d{core::AgentsSection{}};
  repeat(9, [&] { return d.on_failure(); });
  repeat(3, [&] { return d.on_success(); });
  ASSERT_EQ(d.level(), Level::kLimited);
  EXPECT_EQ(repeat(2, [&] { return d.on_failure(); }), 0);
  EXPECT_EQ(d.level(), Level::kLimited);
  EXPECT_TRUE(d.on_failure());
  EXPECT_EQ(d.level(), Level::kEmergency);
  EXPECT_EQ(d.consecutive_failures(), 3);
}

TEST(Degradation, ThresholdsComeFromTheConfig) {
  core::AgentsSection section;
  section.degrade_reduced_failures = 1;
  section.degrade_limited_failures = 2;
  section.degrade_emergency_failures = 4;
  section.recover_successes = 1;
  Degradation d{section};
  EXPECT_TRUE(d.on_failure());
  EXPECT_EQ(d.level(), Level::kReduced);
  EXPECT_TRUE(d.on_failure());
  EXPECT_EQ(d.level(), Level::kLimited);
  EXPECT_FALSE(d.on_failure());
  EXPECT_TRUE(d.on_failure());
  EXPECT_EQ(d.level(), Level::kEmergency);
  EXPECT_TRUE(d.on_success());
  EXPECT_EQ(d.level(), Level::kLimited);
  EXPECT_TRUE(d.on_success());
  EXPECT_TRUE(d.on_success());
  EXPECT_EQ(d.level(), Level::kNormal);
}

}  // namespace
}  // namespace tg4::agents
