// format_rfc3339 writes its digits by hand; this checks it against the printf formats it replaced
// (rendered with fmt), over the whole int64 range of timestamps and every fraction width (negative
// and above 9 included).
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <limits>
#include <random>
#include <string>

#include "core/time.hpp"
#include "support/sanitized.hpp"

namespace tg4::core {
namespace {

// The text printf's "%04d-%02d-%02dT%02d:%02d:%02d" and ".%0*lld" gave, through fmt.
std::string reference_rfc3339(Timestamp t, int fraction_digits) {
  const CivilTime c = to_civil(t);
  std::string out = fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}", c.year, c.month, c.day,
                                c.hour, c.minute, c.second);
  const int digits = std::min(fraction_digits, 9);
  if (digits > 0) {
    std::int64_t frac = c.nanos;
    for (int k = digits; k < 9; ++k) frac /= 10;
    out += fmt::format(".{:0{}}", frac, digits);
  }
  return out + "Z";
}

TEST(TimeFormat, MatchesPrintfOverTheWholeRange) {
  std::mt19937_64 rng(9);
  constexpr auto kMin = std::numeric_limits<std::int64_t>::min();
  constexpr auto kMax = std::numeric_limits<std::int64_t>::max();
  std::vector<std::int64_t> times{kMin, kMin + 1, kMax, -1, 0, 1, 999'999'999, 1'000'000'000};
  for (int i = 0; i < ::tg4::testing::samples(200'000); ++i) {
    // Uniform over int64 (mostly far years), or near now, where the nanoseconds vary.
    times.push_back(i % 2 == 0 ? static_cast<std::int64_t>(rng())
                               : 1'767'225'600'000'000'000 +
                                     static_cast<std::int64_t>(rng() % (1ULL << 52)));
  }
  for (const std::int64_t ns : times) {
    for (int digits = -2; digits <= 12; ++digits) {
      ASSERT_EQ(format_rfc3339(Timestamp{ns}, digits), reference_rfc3339(Timestamp{ns}, digits))
          << ns << " with " << digits << " digits";
    }
  }
}

}  // namespace
}  // namespace tg4::core
