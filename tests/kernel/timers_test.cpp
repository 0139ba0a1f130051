#include "kernel/timers.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/time.hpp"

namespace tg4::kernel {
namespace {

using namespace std::chrono_literals;

core::Timestamp t0() {
  return *core::parse_rfc3339("2024-03-01T12:00:00Z");
}

TEST(Timers, FireInDeadlineOrderAtTheirDeadline) {
  core::SimulatedClock clock(t0());
  Timers timers(clock);
  std::vector<std::pair<std::string, core::Timestamp>> fired;
  const auto record = [&](std::string name) {
    return [&fired, &clock, name] { fired.emplace_back(name, clock.now()); };
  };
  timers.at(t0() + 3s, record("c"));
  timers.at(t0() + 1s, record("a"));
  timers.after(2s, record("b"));
  timers.at(t0() + 1s, record("a2"));  // same deadline: after "a", scheduled earlier
  EXPECT_EQ(timers.fire_due(t0() + 500ms), 0u);
  EXPECT_EQ(timers.fire_due(t0() + 2500ms), 3u);
  ASSERT_EQ(fired.size(), 3u);
  EXPECT_EQ(fired[0].first, "a");
  EXPECT_EQ(fired[0].second, t0() + 1s);
  EXPECT_EQ(fired[1].first, "a2");
  EXPECT_EQ(fired[2].first, "b");
  EXPECT_EQ(fired[2].second, t0() + 2s);
  EXPECT_EQ(timers.next_deadline(), t0() + 3s);
  EXPECT_EQ(timers.pending(), 1u);
}

TEST(Timers, PeriodicFiresEveryPeriodWithoutDrift) {
  core::SimulatedClock clock(t0());
  Timers timers(clock);
  std::vector<core::Timestamp> at;
  timers.every(10s, [&] { at.push_back(clock.now()); });
  timers.fire_due(t0() + 35s);  // a jump over several periods fires each one, in order
  ASSERT_EQ(at.size(), 3u);
  EXPECT_EQ(at[0], t0() + 10s);
  EXPECT_EQ(at[1], t0() + 20s);
  EXPECT_EQ(at[2], t0() + 30s);
  EXPECT_EQ(timers.next_deadline(), t0() + 40s);
}

TEST(Timers, CancelBeforeAndInsideCallbacks) {
  core::SimulatedClock clock(t0());
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
  timers.at(t0() + 500ms, [&] { timers.cancel(later); });
  later = timers.at(t0() + 700ms, [&] { ++victim; });
  timers.fire_due(t0() + 10s);
  EXPECT_EQ(one_shot, 0);
  EXPECT_EQ(periodic, 2);
  EXPECT_EQ(victim, 0);
  EXPECT_EQ(timers.pending(), 0u);
  EXPECT_FALSE(timers.next_deadline().has_value());
}

TEST(Timers, CallbacksMayScheduleTimersWithinTheSameFiring) {
  core::SimulatedClock clock(t0());
  Timers timers(clock);
  std::vector<int> order;
  timers.at(t0() + 1s, [&] {
    order.push_back(1);
    timers.after(1s, [&] { order.push_back(2); });  // due at +2s: fires in this fire_due
    timers.after(10s, [&] { order.push_back(3); });
  });
  EXPECT_EQ(timers.fire_due(t0() + 5s), 2u);
  EXPECT_EQ(order, (std::vector<int>{1, 2}));
  EXPECT_EQ(timers.pending(), 1u);
}

TEST(Timers, DailyUtcFiresAtMidnightEveryDay) {
  core::SimulatedClock clock(t0());
  Timers timers(clock);
  std::vector<std::string> resets;
  timers.daily_utc(0s, [&] { resets.push_back(core::format_rfc3339(clock.now(), 0)); });
  timers.fire_due(*core::parse_rfc3339("2024-03-03T23:59:59Z"));
  EXPECT_EQ(resets, (std::vector<std::string>{"2024-03-02T00:00:00Z", "2024-03-03T00:00:00Z"}));
}

TEST(Timers, RejectsNonPositivePeriod) {
  core::SimulatedClock clock(t0());
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
