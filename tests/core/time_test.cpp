// RFC 3339 parsing and formatting, calendar conversions and bucket boundaries, against known dates
// and random round trips.
#include "core/time.hpp"

#include <gtest/gtest.h>

#include <array>
#include <random>

namespace tg4::core {
namespace {

using namespace std::chrono_literals;

Timestamp must_parse(std::string_view text) {
  const auto t = parse_rfc3339(text);
  EXPECT_TRUE(t.ok()) << text << ": " << (t.ok() ? "" : t.error().message);
  return t.value_or(Timestamp{});
}

TEST(Time, ParsesTheFormsKrakenAndPeopleUse) {
  EXPECT_EQ(must_parse("1970-01-01T00:00:00Z").ns, 0);
  EXPECT_EQ(must_parse("2023-09-25T07:49:37.708706Z").ns, 1'695'628'177'708'706'000);
  EXPECT_EQ(must_parse("2023-09-25T09:49:37.708706+02:00"),
            must_parse("2023-09-25T07:49:37.708706Z"));
  EXPECT_EQ(must_parse("2023-09-25T02:19:37-05:30"), must_parse("2023-09-25T07:49:37Z"));
  EXPECT_EQ(must_parse("2023-09-25 07:49:37"), must_parse("2023-09-25T07:49:37Z"));
  EXPECT_EQ(must_parse("2023-09-25t07:49:37z"), must_parse("2023-09-25T07:49:37Z"));
  EXPECT_EQ(must_parse("2023-09-25"), must_parse("2023-09-25T00:00:00Z"));
  EXPECT_EQ(must_parse("2024-02-29T12:00:00.123456789Z").ns % 1'000'000'000, 123'456'789);
  EXPECT_EQ(must_parse("2024-02-29T12:00:00.1Z").ns % 1'000'000'000, 100'000'000);
  EXPECT_EQ(must_parse("1969-12-31T23:59:59Z").ns, -1'000'000'000);
}

TEST(Time, RejectsMalformedTimesWithAMessage) {
  for (const char* bad : {"", "2023", "2023-13-01T00:00:00Z", "2023-00-10", "2023-01-32",
                          "2023-01-01T24:00:00Z", "2023-01-01T00:60:00Z", "2023-01-01T00:00:00.Z",
                          "2023-01-01T00:00:00Zjunk", "2023-01-01X00:00:00Z", "2023-1-01",
                          "2023-01-01T00:00:00+0200", "2023-02-30", "2023-04-31", "2023-02-29"}) {
    const auto t = parse_rfc3339(bad);
    EXPECT_FALSE(t.ok()) << bad;
    if (!t.ok()) {
      EXPECT_NE(t.error().message.find("RFC 3339"), std::string::npos);
    }
  }
  EXPECT_TRUE(parse_rfc3339("2024-02-29").ok());  // a leap day
}

TEST(Time, FormatsWithTheRequestedFraction) {
  const Timestamp t = must_parse("2023-09-25T07:49:37.708706123Z");
  EXPECT_EQ(format_rfc3339(t, 0), "2023-09-25T07:49:37Z");
  EXPECT_EQ(format_rfc3339(t, 3), "2023-09-25T07:49:37.708Z");
  EXPECT_EQ(format_rfc3339(t), "2023-09-25T07:49:37.708706Z");
  EXPECT_EQ(format_rfc3339(t, 9), "2023-09-25T07:49:37.708706123Z");
  EXPECT_EQ(format_rfc3339(Timestamp{-1}, 9), "1969-12-31T23:59:59.999999999Z");
}

TEST(Time, RandomRoundTrips) {
  std::mt19937_64 rng(99);
  // 1950 .. 2200
  const std::int64_t lo = -631'152'000LL * 1'000'000'000;
  const std::int64_t hi = 7'258'118'400LL * 1'000'000'000;
  for (int i = 0; i < 100'000; ++i) {
    const Timestamp t{lo + static_cast<std::int64_t>(rng() % static_cast<std::uint64_t>(hi - lo))};
    const std::string text = format_rfc3339(t, 9);
    ASSERT_EQ(must_parse(text), t) << text;
    const CivilTime c = to_civil(t);
    ASSERT_EQ(from_civil(c), t);
    ASSERT_GE(c.nanos, 0);
    ASSERT_LT(c.nanos, 1'000'000'000);
    const Timestamp ms = must_parse(format_rfc3339(t, 3));
    ASSERT_EQ(ms, floor_to(t, 1ms)) << text;
  }
}

TEST(Time, BucketsDaysAndWeeks) {
  const Timestamp t = must_parse("2024-01-03T13:47:12.5Z");  // a Wednesday
  EXPECT_EQ(floor_to(t, 1min), must_parse("2024-01-03T13:47:00Z"));
  EXPECT_EQ(floor_to(t, 4h), must_parse("2024-01-03T12:00:00Z"));
  EXPECT_EQ(utc_day_start(t), must_parse("2024-01-03T00:00:00Z"));
  EXPECT_EQ(iso_week_start(t), must_parse("2024-01-01T00:00:00Z"));
  EXPECT_EQ(iso_week_start(must_parse("2024-01-01T00:00:00Z")), must_parse("2024-01-01T00:00:00Z"));
  EXPECT_EQ(iso_week_start(must_parse("2023-12-31T23:59:59Z")), must_parse("2023-12-25T00:00:00Z"));
  EXPECT_EQ(floor_to(Timestamp{-1}, 1s), Timestamp{-1'000'000'000});
  EXPECT_EQ(Timestamp{-1}.seconds(), -1);
  EXPECT_EQ(Timestamp::from_seconds_double(1688671200.1234).ns, 1'688'671'200'123'400'000);
}

// Buckets count from a Monday so weeks start on Mondays; a width that divides a day must still give
// the plain floor since the epoch (midnight-aligned minutes, hours, days).
TEST(Time, BucketsOfWidthsThatDivideADayAlignToTheEpoch) {
  std::mt19937_64 rng(7);
  const std::array<Duration, 7> widths{1ms, 1s, 1min, 5min, 4h, 12h, 24h};
  for (int i = 0; i < 10'000; ++i) {
    const Timestamp t{static_cast<std::int64_t>(rng() % 8'000'000'000'000'000'000ULL) - 4'000'000'000'000'000'000LL};
    for (const Duration w : widths) {
      const std::int64_t r = ((t.ns % w.count()) + w.count()) % w.count();
      ASSERT_EQ(floor_to(t, w), Timestamp{t.ns - r}) << t.ns << " " << w.count();
    }
    const Timestamp week = iso_week_start(t);
    ASSERT_LE(week, t);
    ASSERT_GT(week + 7 * 24h, t);
    ASSERT_EQ(to_civil(week).hour, 0);
    ASSERT_EQ(iso_week_start(week - 1ns) + 7 * 24h, week);
  }
}

}  // namespace
}  // namespace tg4::core
