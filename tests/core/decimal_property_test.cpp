// Decimal against independent references: text round trips of a million random values at 0-12
// fractional digits, arithmetic against __int128 on the scaled integers (with each rounding mode),
// overflow detection, and Kraken's texts keeping their exact digits.
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "core/decimal.hpp"
#include "decimal_raw.hpp"

namespace tg4::core {
namespace {

using raw::kOne;
using raw::pow10;
using raw::Raw;

std::string to_text(unsigned __int128 v) {
  char buf[48];
  char* p = buf + sizeof(buf);
  do {
    *--p = static_cast<char>('0' + static_cast<int>(v % 10));
    v /= 10;
  } while (v != 0);
  return std::string(p, buf + sizeof(buf));
}

// Reference formatting of `units` (a count of 10^-precision) with exactly `precision` digits,
// built digit by digit (independent of Decimal's own formatting).
std::string reference_text(Raw units, int precision) {
  const bool negative = units < 0;
  const auto magnitude = static_cast<unsigned __int128>(negative ? -units : units);
  const auto scale = static_cast<unsigned __int128>(pow10(precision));
  std::string out = negative ? "-" : "";
  out += to_text(magnitude / scale);
  if (precision > 0) {
    const std::string frac = to_text(magnitude % scale);
    out += '.';
    out.append(static_cast<std::size_t>(precision) - frac.size(), '0');
    out += frac;
  }
  return out;
}

// q = n / d rounded with `mode`, computed on exact integers.
Raw reference_divide(Raw n, Raw d, Rounding mode) {
  Raw q = n / d;
  const Raw r = n % d;
  if (r == 0) return q;
  const bool negative = (n < 0) != (d < 0);
  const Raw twice = (r < 0 ? -r : r) * 2;
  const Raw ad = d < 0 ? -d : d;
  bool away = false;
  switch (mode) {
    case Rounding::kDown:
      away = false;
      break;
    case Rounding::kUp:
      away = true;
      break;
    case Rounding::kFloor:
      away = negative;
      break;
    case Rounding::kCeiling:
      away = !negative;
      break;
    case Rounding::kHalfEven:
      away = twice > ad || (twice == ad && (q % 2 != 0));
      break;
  }
  if (away) q += negative ? -1 : 1;
  return q;
}

TEST(DecimalProperty, MillionRandomValuesRoundTripAtPrecisions0To12) {
  std::mt19937_64 rng(20240601);
  Raw kScaleOf[13];
  for (int p = 0; p <= 12; ++p) kScaleOf[p] = pow10(Decimal::kScale - p);
  int fraction_digits = -1;
  for (int i = 0; i < 1'000'000; ++i) {
    const int precision = static_cast<int>(rng() % 13);
    // Up to 18 significant digits (Kraken prices and quantities), signed.
    Raw units = static_cast<Raw>(rng() % 1'000'000'000'000'000'000ULL);
    if (rng() & 1) units = -units;
    const std::string text = reference_text(units, precision);
    const auto parsed = Decimal::parse(text, &fraction_digits);
    ASSERT_TRUE(parsed.ok()) << text;
    ASSERT_EQ(parsed->raw(), units * kScaleOf[precision]) << text;
    ASSERT_EQ(fraction_digits, precision) << text;
    char buf[64];
    const std::size_t n = parsed->write(buf, precision);
    ASSERT_EQ(std::string(buf, n), text);
    if (i % 16 == 0) {
      ASSERT_EQ(parsed->to_string(precision), text);
    }
    if (i % 16 == 1) {
      ASSERT_EQ(Decimal::must(parsed->to_string()), *parsed) << text;
    }
  }
}

TEST(DecimalProperty, AddSubMatchInt128) {
  std::mt19937_64 rng(7);
  for (int i = 0; i < 200'000; ++i) {
    const Raw a =
        static_cast<Raw>(static_cast<std::int64_t>(rng())) * static_cast<Raw>(rng() % 1000);
    const Raw b =
        static_cast<Raw>(static_cast<std::int64_t>(rng())) * static_cast<Raw>(rng() % 1000);
    const Decimal x = Decimal::from_raw(a), y = Decimal::from_raw(b);
    ASSERT_EQ((x + y).raw(), a + b);
    ASSERT_EQ((x - y).raw(), a - b);
    ASSERT_EQ((-x).raw(), -a);
    ASSERT_EQ(x < y, a < b);
  }
}

TEST(DecimalProperty, MulMatchesInt128InEveryRoundingMode) {
  std::mt19937_64 rng(11);
  const Rounding modes[] = {Rounding::kHalfEven, Rounding::kDown, Rounding::kUp, Rounding::kFloor,
                            Rounding::kCeiling};
  for (int i = 0; i < 200'000; ++i) {
    // |a|, |b| < 2^63: the exact product fits in __int128.
    const Raw a = static_cast<std::int64_t>(rng()) >> (rng() % 40);
    const Raw b = static_cast<std::int64_t>(rng()) >> (rng() % 40);
    const Rounding mode = modes[i % 5];
    const auto product = Decimal::checked_mul(Decimal::from_raw(a), Decimal::from_raw(b), mode);
    ASSERT_TRUE(product.ok());
    ASSERT_EQ(product->raw(), reference_divide(a * b, kOne, mode))
        << reference_text(a, 18) << " * " << reference_text(b, 18);
  }
}

TEST(DecimalProperty, DivMatchesInt128InEveryRoundingMode) {
  std::mt19937_64 rng(13);
  const Rounding modes[] = {Rounding::kHalfEven, Rounding::kDown, Rounding::kUp, Rounding::kFloor,
                            Rounding::kCeiling};
  for (int i = 0; i < 200'000; ++i) {
    // |a| < 2^66 so a * 10^18 fits in __int128; b != 0.
    Raw a = static_cast<Raw>(static_cast<std::int64_t>(rng())) * static_cast<Raw>(rng() % 8);
    Raw b = static_cast<std::int64_t>(rng()) >> (rng() % 60);
    if (b == 0) b = 3;
    const Rounding mode = modes[i % 5];
    const auto quotient = Decimal::checked_div(Decimal::from_raw(a), Decimal::from_raw(b), mode);
    ASSERT_TRUE(quotient.ok());
    ASSERT_EQ(quotient->raw(), reference_divide(a * kOne, b, mode))
        << reference_text(a, 18) << " / " << reference_text(b, 18);
  }
}

TEST(DecimalProperty, HalfEvenTiesGoToEven) {
  const auto half = Decimal::must("0.5");
  EXPECT_EQ(Decimal::must("2.5").round(0), Decimal::must("2"));
  EXPECT_EQ(Decimal::must("3.5").round(0), Decimal::must("4"));
  EXPECT_EQ(Decimal::must("-2.5").round(0), Decimal::must("-2"));
  EXPECT_EQ(Decimal::mul(Decimal::must("0.000000000000000001"), half, Rounding::kHalfEven),
            Decimal::zero());
  EXPECT_EQ(Decimal::mul(Decimal::must("0.000000000000000003"), half, Rounding::kHalfEven).raw(),
            2);
}

TEST(DecimalProperty, OverflowIsDetectedNeverWrapped) {
  const Decimal big = Decimal::max();
  EXPECT_FALSE(Decimal::checked_add(big, Decimal::from_raw(1)).ok());
  EXPECT_FALSE(Decimal::checked_sub(Decimal::min(), Decimal::from_raw(1)).ok());
  EXPECT_FALSE(Decimal::checked_mul(Decimal::must("1e10"), Decimal::must("1e11")).ok());
  EXPECT_FALSE(Decimal::checked_div(Decimal::must("1e20"), Decimal::must("0.01")).ok());
  EXPECT_FALSE(Decimal::checked_div(Decimal::one(), Decimal::zero()).ok());
  EXPECT_THROW(big + Decimal::one(), DecimalOverflow);
  EXPECT_THROW((void)(Decimal::must("1e10") * Decimal::must("1e11")), DecimalOverflow);
  EXPECT_FALSE(Decimal::parse("1e21").ok());
  EXPECT_FALSE(Decimal::parse("170141183460469231732").ok());
  EXPECT_FALSE(Decimal::parse("0.0000000000000000001").ok());  // 19 fractional digits
  // Near the edge, the checked results are exact.
  const auto sum = Decimal::checked_add(big, Decimal::from_raw(-1));
  ASSERT_TRUE(sum.ok());
  EXPECT_EQ(sum->raw(), big.raw() - 1);
  std::mt19937_64 rng(3);
  for (int i = 0; i < 10'000; ++i) {
    const Raw a = (static_cast<Raw>(rng()) << 62) | static_cast<Raw>(rng() >> 2);
    const Raw b = (static_cast<Raw>(rng()) << 62) | static_cast<Raw>(rng() >> 2);
    Raw expected = 0;
    const bool overflows = __builtin_add_overflow(a, b, &expected);
    const auto got = Decimal::checked_add(Decimal::from_raw(a), Decimal::from_raw(b));
    ASSERT_EQ(got.ok(), !overflows);
    if (got.ok()) {
      ASSERT_EQ(got->raw(), expected);
    }
  }
}

// An overflow says which operation overflowed, the same words whether it returns or throws.
TEST(DecimalProperty, OverflowMessagesNameTheOperation) {
  const Decimal big = Decimal::max();
  EXPECT_EQ(Decimal::checked_add(big, Decimal::from_raw(1)).error().message, "decimal overflow in addition");
  EXPECT_EQ(Decimal::checked_sub(Decimal::min(), Decimal::from_raw(1)).error().message,
            "decimal overflow in subtraction");
  EXPECT_EQ(Decimal::checked_mul(Decimal::must("1e10"), Decimal::must("1e11")).error().message,
            "decimal overflow in multiplication");
  EXPECT_EQ(Decimal::checked_div(Decimal::must("1e20"), Decimal::must("0.01")).error().message,
            "decimal overflow in division");
  const auto thrown = [](auto operation) -> std::string {
    try {
      (void)operation();
    } catch (const DecimalOverflow& e) {
      return e.what();
    }
    return "no exception";
  };
  EXPECT_EQ(thrown([&] { return big + Decimal::one(); }), "decimal overflow in addition");
  EXPECT_EQ(thrown([&] { return Decimal::min() - Decimal::one(); }), "decimal overflow in subtraction");
  EXPECT_EQ(thrown([] { return Decimal::must("1e10") * Decimal::must("1e11"); }),
            "decimal overflow in multiplication (10000000000 * 100000000000)");
  EXPECT_EQ(thrown([&] { return big.round(0, tg4::core::Rounding::kUp); }), "decimal overflow in round");
  EXPECT_EQ(thrown([&] { return big.round_to_increment(Decimal::must("0.3"), tg4::core::Rounding::kUp); }),
            "decimal overflow in round_to_increment");
}

TEST(DecimalProperty, KrakenTextsKeepTheirExactDigits) {
  int digits = -1;
  const auto price = Decimal::parse("45281.0", &digits);
  ASSERT_TRUE(price.ok());
  EXPECT_EQ(digits, 1);
  EXPECT_EQ(price->to_string(digits), "45281.0");
  EXPECT_EQ(price->to_string(), "45281");
  const auto qty = Decimal::parse("0.10000000", &digits);
  ASSERT_TRUE(qty.ok());
  EXPECT_EQ(digits, 8);
  EXPECT_EQ(qty->to_string(digits), "0.10000000");
  EXPECT_EQ(qty->to_string(), "0.1");
  for (const char* text : {"0.00001234", "1.00000000", "-0.5", "123456789.123456789", "0"}) {
    const auto v = Decimal::parse(text, &digits);
    ASSERT_TRUE(v.ok()) << text;
    EXPECT_EQ(v->to_string(digits), text);
  }
}

TEST(DecimalProperty, RejectsGarbage) {
  for (const char* text : {"", "-", ".", "1.2.3", "abc", "1,5", "1e", "--1", "1 ", " 1", "0x10"}) {
    EXPECT_FALSE(Decimal::parse(text).ok()) << "'" << text << "'";
  }
}

}  // namespace
}  // namespace tg4::core
