#pragma once
// UTC time as nanoseconds since the Unix epoch. One type for exchange, event and clock time, so a
// backtest's simulated clock and live time are interchangeable (DESIGN principle 2).
#include <chrono>
#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace tg4::core {

using Duration = std::chrono::nanoseconds;

struct Timestamp {
  std::int64_t ns = 0;

  static constexpr Timestamp from_seconds(std::int64_t s) { return {s * 1'000'000'000}; }
  static constexpr Timestamp from_millis(std::int64_t ms) { return {ms * 1'000'000}; }
  static constexpr Timestamp from_micros(std::int64_t us) { return {us * 1'000}; }
  // Seconds with a fraction, as Kraken's REST API gives them ("1688671200.1234").
  static Timestamp from_seconds_double(double s);
  // Floor division without negating (INT64_MIN has no positive counterpart).
  constexpr std::int64_t seconds() const {
    return ns / 1'000'000'000 - (ns % 1'000'000'000 < 0 ? 1 : 0);
  }
  constexpr std::int64_t millis() const { return ns / 1'000'000; }
  constexpr bool is_set() const { return ns != 0; }

  friend constexpr auto operator<=>(Timestamp, Timestamp) = default;
  friend constexpr Timestamp operator+(Timestamp t, Duration d) { return {t.ns + d.count()}; }
  friend constexpr Timestamp operator-(Timestamp t, Duration d) { return {t.ns - d.count()}; }
  friend constexpr Duration operator-(Timestamp a, Timestamp b) { return Duration(a.ns - b.ns); }
  Timestamp& operator+=(Duration d) { ns += d.count(); return *this; }
};

// RFC 3339 / ISO 8601: "2023-09-25T07:49:37.708706Z", "2023-09-25T09:49:37+02:00", "2023-09-25 07:49:37".
Result<Timestamp> parse_rfc3339(std::string_view text);
// "2023-09-25T07:49:37.708706Z" with `fraction_digits` (0, 3, 6 or 9) after the seconds.
std::string format_rfc3339(Timestamp t, int fraction_digits = 6);
// A timeout or delay for messages: "250 ms", or "3 s" when it is whole seconds.
std::string duration_text(std::chrono::milliseconds d);

// Start of the bucket of `width` containing t (floor), e.g. the minute of a trade. Buckets count
// from Monday 1970-01-05 00:00 UTC (1970-01-01 was a Thursday), so week-wide buckets start on
// Mondays; every width that divides a day gives the usual midnight-aligned buckets. Bars, the
// stores and the risk engine's periods all bucket with this one function.
inline constexpr Timestamp kBucketOrigin{Duration(std::chrono::hours(24 * 4)).count()};
constexpr Timestamp floor_to(Timestamp t, Duration width) {
  const std::int64_t w = width.count();
  // (t - origin) mod w, as a non-negative remainder; t - origin fits for any t after 1677-09-25
  const std::int64_t r = ((t.ns - kBucketOrigin.ns) % w + w) % w;
  return {t.ns - r};
}
// Inline: the risk engine asks for both on every tick, and a constant width divides by multiplying.
constexpr Timestamp utc_day_start(Timestamp t) { return floor_to(t, std::chrono::hours(24)); }
// Monday 00:00 UTC.
constexpr Timestamp iso_week_start(Timestamp t) { return floor_to(t, std::chrono::hours(24 * 7)); }
// Calendar fields in UTC.
struct CivilTime {
  int year, month, day, hour, minute, second;
  std::int64_t nanos;
};
CivilTime to_civil(Timestamp t);
Timestamp from_civil(const CivilTime& c);

}  // namespace tg4::core
