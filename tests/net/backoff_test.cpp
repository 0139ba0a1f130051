// Backoff: exponential from the base to the cap, equal jitter within [d/2, d], reproducible by
// seed.
#include "net/backoff.hpp"

#include <gtest/gtest.h>

#include <set>

namespace tg4::net {
namespace {

using std::chrono::milliseconds;

TEST(Backoff, GrowsFromBaseToCapWithJitterInTheUpperHalf) {
  Backoff b({}, 42);  // base 1 s, cap 60 s
  const std::int64_t nominal[] = {1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000, 60000};
  for (const auto d : nominal) {
    EXPECT_EQ(b.nominal().count(), d);
    const auto delay = b.next().count();
    EXPECT_GE(delay, d / 2);
    EXPECT_LE(delay, d);
  }
  EXPECT_EQ(b.attempts(), 9);
  b.reset();
  EXPECT_EQ(b.nominal(), milliseconds(1000));
}

TEST(Backoff, SameSeedSameDelaysDifferentSeedsDiffer) {
  Backoff a({}, 7), b({}, 7), c({}, 8);
  bool any_difference = false;
  for (int i = 0; i < 10; ++i) {
    const auto x = a.next();
    EXPECT_EQ(x, b.next());
    any_difference |= x != c.next();
  }
  EXPECT_TRUE(any_difference);
}

TEST(Backoff, JitterSpreadsClientsThatFailTogether) {
  std::set<std::int64_t> first_delays;
  for (std::uint64_t seed = 0; seed < 50; ++seed)
    first_delays.insert(Backoff({}, seed).next().count());
  EXPECT_GT(first_delays.size(), 40u);
}

TEST(Backoff, NeverOverflowsOnALongOutage) {
  Backoff b({milliseconds(1000), milliseconds(60000), 2.0}, 1);
  for (int i = 0; i < 5000; ++i) {
    const auto d = b.next();
    ASSERT_GE(d.count(), 500);
    ASSERT_LE(d.count(), 60000);
  }
}

TEST(Backoff, OptionsAreSanitised) {
  Backoff b({milliseconds(0), milliseconds(0), 0.5}, 1);
  EXPECT_GE(b.next().count(), 0);
  EXPECT_EQ(b.options().base, milliseconds(1));
  EXPECT_EQ(b.options().cap, milliseconds(1));
  EXPECT_EQ(b.options().multiplier, 1.0);
}

}  // namespace
}  // namespace tg4::net
