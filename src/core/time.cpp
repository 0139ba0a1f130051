#include "core/time.hpp"

#include <cmath>
#include <cstdio>

namespace tg4::core {
namespace {

constexpr std::int64_t kNsPerSecond = 1'000'000'000;
constexpr std::int64_t kSecondsPerDay = 86'400;

// Howard Hinnant's days_from_civil / civil_from_days: exact proleptic Gregorian calendar.
constexpr std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

void civil_from_days(std::int64_t z, int& y, int& m, int& d) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  y = static_cast<int>(static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2));
}

bool read_int(std::string_view s, std::size_t& i, int width, int& out) {
  if (i + static_cast<std::size_t>(width) > s.size()) return false;
  out = 0;
  for (int k = 0; k < width; ++k, ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

bool expect(std::string_view s, std::size_t& i, char c) {
  if (i < s.size() && s[i] == c) {
    ++i;
    return true;
  }
  return false;
}

}  // namespace

Timestamp Timestamp::from_seconds_double(double s) {
  return {static_cast<std::int64_t>(std::llround(s * 1e6)) * 1000};
}

CivilTime to_civil(Timestamp t) {
  const std::int64_t secs = t.seconds();
  // The floor remainder, computed without secs * 1e9 (which overflows at the int64 ends).
  const std::int64_t nanos = ((t.ns % kNsPerSecond) + kNsPerSecond) % kNsPerSecond;
  std::int64_t days = secs / kSecondsPerDay;
  std::int64_t rem = secs % kSecondsPerDay;
  if (rem < 0) {
    rem += kSecondsPerDay;
    --days;
  }
  CivilTime c{};
  civil_from_days(days, c.year, c.month, c.day);
  c.hour = static_cast<int>(rem / 3600);
  c.minute = static_cast<int>(rem % 3600 / 60);
  c.second = static_cast<int>(rem % 60);
  c.nanos = nanos;
  return c;
}

Timestamp from_civil(const CivilTime& c) {
  const std::int64_t days = days_from_civil(c.year, static_cast<unsigned>(c.month), static_cast<unsigned>(c.day));
  const std::int64_t secs = days * kSecondsPerDay + c.hour * 3600 + c.minute * 60 + c.second;
  return {secs * kNsPerSecond + c.nanos};
}

Result<Timestamp> parse_rfc3339(std::string_view s) {
  const auto fail = [&](const char* why) {
    return Error::of("invalid RFC 3339 time '" + std::string(s.substr(0, 64)) + "': " + why +
                     " (expected e.g. 2024-01-31T23:59:59Z)");
  };
  CivilTime c{};
  std::size_t i = 0;
  if (!read_int(s, i, 4, c.year) || !expect(s, i, '-') || !read_int(s, i, 2, c.month) ||
      !expect(s, i, '-') || !read_int(s, i, 2, c.day)) {
    return fail("bad date");
  }
  if (c.month < 1 || c.month > 12 || c.day < 1 || c.day > 31) return fail("date out of range");
  static constexpr int kMonthDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (c.year % 4 == 0 && c.year % 100 != 0) || c.year % 400 == 0;
  if (c.day > kMonthDays[c.month - 1] + (c.month == 2 && leap ? 1 : 0)) return fail("no such day in that month");
  if (i == s.size()) return from_civil(c);
  if (!(expect(s, i, 'T') || expect(s, i, 't') || expect(s, i, ' '))) return fail("expected 'T'");
  if (!read_int(s, i, 2, c.hour) || !expect(s, i, ':') || !read_int(s, i, 2, c.minute) ||
      !expect(s, i, ':') || !read_int(s, i, 2, c.second)) {
    return fail("bad time of day");
  }
  if (c.hour > 23 || c.minute > 59 || c.second > 60) return fail("time out of range");
  if (expect(s, i, '.')) {
    std::int64_t scale = 100'000'000;
    bool any = false;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      c.nanos += (s[i] - '0') * scale;
      scale /= 10;
      ++i;
      any = true;
    }
    if (!any) return fail("empty fraction");
  }
  std::int64_t offset_seconds = 0;
  if (expect(s, i, 'Z') || expect(s, i, 'z')) {
  } else if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
    const int sign = s[i++] == '-' ? -1 : 1;
    int oh = 0, om = 0;
    if (!read_int(s, i, 2, oh) || !expect(s, i, ':') || !read_int(s, i, 2, om)) return fail("bad offset");
    offset_seconds = sign * (oh * 3600 + om * 60);
  }
  if (i != s.size()) return fail("trailing characters");
  Timestamp t = from_civil(c);
  t.ns -= offset_seconds * kNsPerSecond;
  return t;
}

namespace {

// Writes `value` (>= 0) as exactly `width` digits, zero-padded; returns the end.
char* put_digits(char* out, std::int64_t value, int width) {
  for (int i = width - 1; i >= 0; --i) {
    out[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
  return out + width;
}

// The general form, for what put_digits cannot write (a field out of its width or negative: only
// at the very ends of the int64 range, where the calendar arithmetic overflows).
std::string printf_rfc3339(const CivilTime& c, int fraction_digits) {
  char buf[48];
  int n = std::snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d", c.year, c.month, c.day,
                        c.hour, c.minute, c.second);
  if (fraction_digits > 0) {
    std::int64_t frac = c.nanos;
    for (int k = fraction_digits; k < 9; ++k) frac /= 10;
    n += std::snprintf(buf + n, sizeof(buf) - static_cast<std::size_t>(n), ".%0*lld",
                       fraction_digits, static_cast<long long>(frac));
  }
  buf[n++] = 'Z';
  return std::string(buf, static_cast<std::size_t>(n));
}

}  // namespace

std::string duration_text(std::chrono::milliseconds d) {
  if (d.count() % 1000 == 0) return std::to_string(d.count() / 1000) + " s";
  return std::to_string(d.count()) + " ms";
}

// Digits written directly rather than with snprintf (a few thousand instructions a call): every
// record row, JSON event and decision line formats times, several per order.
std::string format_rfc3339(Timestamp t, int fraction_digits) {
  const CivilTime c = to_civil(t);
  if (fraction_digits > 9) fraction_digits = 9;
  if (c.year < 0 || c.year > 9999 || c.nanos < 0 || c.nanos >= kNsPerSecond) {
    return printf_rfc3339(c, fraction_digits);
  }
  char buf[32];
  char* p = put_digits(buf, c.year, 4);
  *p++ = '-';
  p = put_digits(p, c.month, 2);
  *p++ = '-';
  p = put_digits(p, c.day, 2);
  *p++ = 'T';
  p = put_digits(p, c.hour, 2);
  *p++ = ':';
  p = put_digits(p, c.minute, 2);
  *p++ = ':';
  p = put_digits(p, c.second, 2);
  if (fraction_digits > 0) {
    std::int64_t frac = c.nanos;
    for (int k = fraction_digits; k < 9; ++k) frac /= 10;
    *p++ = '.';
    p = put_digits(p, frac, fraction_digits);
  }
  *p++ = 'Z';
  return std::string(buf, p);
}

}  // namespace tg4::core
