#include "kernel/timers.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/time.hpp"

namespace tg4::kernel {
namespace {

using namespace std::chrono_literals;

core::Timestamp noon() {
  return *core::parse_rfc3339("2024-03-01T12:00:00Z");
}

TEST(Timers, FireInDeadlineOrderAtTheirDeadline) {
  core::SimulatedClock clock(noon());
  Timers timers(clock);
  std::vector<std::pair<std::string, core::Timestamp>> fired;
  const auto record = [&](std::string name) {
    return [&fired, &clock, name] { fired.emplace_back(name, clock.now()); };
  };
  timers.at(noon() + 3s, record("c"));
  timers.at(noon() + 1s, record("a"));
  timers.after(2s, record("b"));
  timers.at(noon() + 1s, record("a2"));  // same deadline: after "a", scheduled earlier
  EXPECT_EQ(timers.fire_due(noon() + 500ms), 0u);
  EXPECT_EQ(timers.fire_due(noon() + 2500ms), 3u);
  ASSERT_EQ(fired.size(), 3u);
  EXPECT_EQ(fired[0].first, "a");
  EXPECT_EQ(fired[0].second, noon() + 1s);
  EXPECT_EQ(fired[1].first, "a2");
  EXPECT_EQ(fired[2].first, "b");
  EXPECT_EQ(fired[2].second, noon() + 2s);
  EXPECT_EQ(timers.next_deadline(), noon() + 3s);
  EXPECT_EQ(timers.pending(), 1u);
}

TEST(Timers, PeriodicFiresEveryPeriodWithoutDrift) {
  core::SimulatedClock clock(noon());
  Timers timers(clock);
  std::vector<core::Timestamp> at;
  timers.every(10s, [&] { at.push_back(clock.now()); });
  timers.fire_due(noon() + 35s);  // a jump over several periods fires each one, in order
  ASSERT_EQ(at.size(), 3u);
  EXPECT_EQ(at[0], noon() + 10s);
  EXPECT_EQ(at[1], noon() + 20s);
  EXPECT_EQ(at[2], noon() + 30s);
  EXPECT_EQ(timers.next_deadline(), noon() + 40s);
}

TEST(Timers, CancelBeforeAndInsideCallbacks) {
  core::SimulatedClock clock(noon());
  Timers timers(clock);
  int one_shot = 0, periodic = 0, victim = 0;
  const TimerId a = timers.after(1s, [&] { ++one_shot; });
  EXPECT_TRUE(timers.cancel(a));
  EXPECT_FALSE(timers.cancel(a));
  TimerId self = 0;
  self = timers.every(1s, [&] {
    if (++periodic == 2) timers.cancel(self);
  });
  TimerId later = 0;
  timers.at(noon() + 500ms, [&] { timers.cancel(later); });
  later = timers.at(noon() + 700ms, [&] { ++victim; });
  timers.fire_due(noon() + 10s);
  EXPECT_EQ(one_shot, 0);
  EXPECT_EQ(periodic, 2);
  EXPECT_EQ(victim, 0);
  EXPECT_EQ(timers.pending(), 0u);
  EXPECT_FALSE(timers.next_deadline().has_value());
}

TEST(Timers, CallbacksMayScheduleTimersWithinTheSameFiring) {
  core::SimulatedClock clock(noon());
  Timers timers(clock);
  std::vector<int> order;
  timers.at(noon() + 1s, [&] {
    order.push_back(1);
    timers.after(1s, [&] { order.push_back(2); });  // due at +2s: fires in this fire_due
    timers.after(10s, [&] { order.push_back(3); });
  });
  EXPECT_EQ(timers.fire_due(noon() + 5s), 2u);
  EXPECT_EQ(order, (std::vector<int>{1, 2}));
  EXPECT_EQ(timers.pending(), 1u);
}

TEST(Timers, DailyUtcFiresAtMidnightEveryDay) {
  core::SimulatedClock clock(noon());
  Timers timers(clock);
  std::vector<std::string> resets;
  timers.daily_utc(0s, [&] { resets.push_back(core::format_rfc3339(clock.now(), 0)); });
  timers.fire_due(*core::parse_rfc3339("2024-03-03T23:59:59Z"));
  EXPECT_EQ(resets, (std::vector<std::string>{"2024-03-02T00:00:00Z", "2024-03-03T00:00:00Z"}));
}

TEST(Timers, RejectsNonPositivePeriod) {
  core::SimulatedClock clock(noon());
  Timers timers(clock);
  EXPECT_THROW(timers.every(0s, [] {}), std::invalid_argument);
}

TEST(Timers, LiveClockFiresWhatIsDue) {
  core::LiveClock clock;
  Timers timers(clock);
  int fired = 0;
  timers.after(-1s, [&] { ++fired; });
  timers.after(1h, [&] { ++fired; });
  EXPECT_EQ(timers.fire_due(), 1u);
  EXPECT_EQ(fired, 1);
}

}  // namespace
}  // namespace tg4::kernel
