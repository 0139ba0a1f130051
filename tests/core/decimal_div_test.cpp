// Decimal division against a reference long division. Quotients of divisors of 64 bits or more
// (|b| >= 2^64 units, i.e. >= 18.45) come from 3-by-2-word steps of long division on the
// hardware divide; this test checks them, in every rounding mode, against a bit-at-a-time
// shift-and-subtract division of the 256-bit numerator |a| * 10^18, over millions of operands
// from the cases where a division goes wrong (ties, exact quotients, word boundaries, powers of
// two, overflows). Products (the 256-bit |a| * |b| divided by 10^18 one word at a time), round()
// and to_double() are checked against the same reference, over the whole range.
#include <gtest/gtest.h>

#include <array>
#include <optional>
#include <random>

#include "core/decimal.hpp"

namespace tg4::core {
namespace {

using U128 = unsigned __int128;
using Raw = Decimal::Raw;

constexpr Rounding kModes[] = {Rounding::kHalfEven, Rounding::kDown, Rounding::kUp,
                               Rounding::kFloor, Rounding::kCeiling};

struct Wide {
  U128 high = 0;  // bits 128..255
  U128 low = 0;   // bits 0..127
  int bit(int i) const { return static_cast<int>(((i >= 128 ? high : low) >> (i % 128)) & 1U); }
};

// a * b exactly, by 64-bit halves.
Wide wide_product(U128 a, U128 b) {
  const U128 mask = ~static_cast<std::uint64_t>(0);
  const U128 a0 = a & mask, a1 = a >> 64, b0 = b & mask, b1 = b >> 64;
  const U128 p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
  const U128 middle = (p00 >> 64) + (p01 & mask) + (p10 & mask);
  Wide w;
  w.low = (middle << 64) | (p00 & mask);
  w.high = p11 + (p01 >> 64) + (p10 >> 64) + (middle >> 64);
  return w;
}

// n / d one bit at a time; nullopt when the quotient needs more than 128 bits.
std::optional<std::pair<U128, U128>> long_divide(const Wide& n, U128 d) {
  U128 q = 0, r = 0;
  for (int i = 255; i >= 0; --i) {
    const bool carry = (r >> 127) != 0;
    r = (r << 1) | static_cast<U128>(n.bit(i));
    if (carry || r >= d) {
      r -= d;
      if (i >= 128) return std::nullopt;
      q |= static_cast<U128>(1) << i;
    }
  }
  return std::make_pair(q, r);
}

U128 magnitude(Raw v) {
  return v < 0 ? static_cast<U128>(0) - static_cast<U128>(v) : static_cast<U128>(v);
}

// A quotient and remainder q, r of a division by d rounded in `mode` (`negative`: the sign of the
// exact result), or nullopt for an overflow.
std::optional<Raw> round_reference(U128 q, U128 r, U128 d, bool negative, Rounding mode) {
  const bool half_even_up = r > d - r || (r == d - r && (q & 1) != 0);
  const bool up = r != 0 && (mode == Rounding::kUp || (mode == Rounding::kFloor && negative) ||
                             (mode == Rounding::kCeiling && !negative) ||
                             (mode == Rounding::kHalfEven && half_even_up));
  if (up && ++q == 0) return std::nullopt;
  if (q > (static_cast<U128>(1) << 127) - 1) return std::nullopt;
  return negative ? -static_cast<Raw>(q) : static_cast<Raw>(q);
}

// n / d rounded in `mode` (`negative`: the sign of the exact result), or nullopt for an overflow.
std::optional<Raw> reference_quotient(const Wide& n, U128 d, bool negative, Rounding mode) {
  const auto qr = long_divide(n, d);
  if (!qr) return std::nullopt;
  return round_reference(qr->first, qr->second, d, negative, mode);
}

// The expected raw a / b in `mode`, or nullopt for an overflow.
std::optional<Raw> reference_div(Raw a, Raw b, Rounding mode) {
  return reference_quotient(wide_product(magnitude(a), static_cast<U128>(Decimal::kOne)),
                            magnitude(b), (a < 0) != (b < 0), mode);
}

// The expected raw a * b in `mode`, or nullopt for an overflow.
std::optional<Raw> reference_mul(Raw a, Raw b, Rounding mode) {
  return reference_quotient(wide_product(magnitude(a), magnitude(b)),
                            static_cast<U128>(Decimal::kOne), (a < 0) != (b < 0), mode);
}

// A magnitude of `bits` random bits (1..127, top bit set).
U128 random_magnitude(std::mt19937_64& rng, int bits) {
  U128 v = (static_cast<U128>(rng()) << 64) | rng();
  v >>= 128 - bits;
  return v | static_cast<U128>(1) << (bits - 1);
}

Raw with_random_sign(std::mt19937_64& rng, U128 magnitude) {
  const auto r = static_cast<Raw>(magnitude);
  return rng() % 2 == 0 ? r : -r;
}

// A magnitude of `bits` random bits (top bit set), with a random sign.
Raw random_raw(std::mt19937_64& rng, int bits) {
  return with_random_sign(rng, random_magnitude(rng, bits));
}

// a op b in `mode` (`op`: '*' or '/') against `expected` (nullopt: an overflow).
void expect_result(char op, Raw a, Raw b, Rounding mode, std::optional<Raw> expected) {
  const Decimal x = Decimal::from_raw(a), y = Decimal::from_raw(b);
  const auto got = op == '*' ? Decimal::checked_mul(x, y, mode) : Decimal::checked_div(x, y, mode);
  ASSERT_EQ(got.ok(), expected.has_value())
      << x << ' ' << op << ' ' << y << " mode " << static_cast<int>(mode);
  if (got.ok()) {
    ASSERT_TRUE(got->raw() == expected.value_or(0))
        << x << ' ' << op << ' ' << y << " = " << *got << ", expected "
        << Decimal::from_raw(expected.value_or(0)) << " mode " << static_cast<int>(mode);
  }
}

// a op b in every mode against the reference (`op`: '*' or '/').
void expect_operation(char op, Raw a, Raw b) {
  for (const Rounding mode : kModes) {
    expect_result(op, a, b, mode,
                  op == '*' ? reference_mul(a, b, mode) : reference_div(a, b, mode));
  }
}

void expect_division(Raw a, Raw b) { expect_operation('/', a, b); }
void expect_product(Raw a, Raw b) { expect_operation('*', a, b); }

TEST(DecimalDiv, WideDivisorsMatchLongDivisionInEveryMode) {
  std::mt19937_64 rng(17);
  for (int n = 0; n < 40'000; ++n) {
    const int b_bits = 65 + static_cast<int>(rng() % 63);  // 65..127: two-word divisors
    const int a_bits = 1 + static_cast<int>(rng() % 127);  // 1..127, overflowing quotients too
    expect_division(random_raw(rng, a_bits), random_raw(rng, b_bits));
  }
}

TEST(DecimalDiv, NarrowDivisorsMatchLongDivision) {
  std::mt19937_64 rng(18);
  for (int n = 0; n < 20'000; ++n) {
    expect_division(random_raw(rng, 1 + static_cast<int>(rng() % 127)),
                    random_raw(rng, 1 + static_cast<int>(rng() % 64)));
  }
}

TEST(DecimalDiv, EdgesOfTheTwoWordPath) {
  const Raw two64 = static_cast<Raw>(static_cast<U128>(1) << 64);
  const Raw max = Decimal::max().raw();
  const std::array<Raw, 9> divisors{
      two64,  two64 + 1, two64 - 1, max, max - 1, max / 2, static_cast<Raw>(Decimal::kOne) * 45'000,
      -two64, -max};
  const std::array<Raw, 8> dividends{
      1, -1, max, Decimal::min().raw(), two64, two64 - 1, static_cast<Raw>(Decimal::kOne), max / 3};
  for (const Raw b : divisors) {
    for (const Raw a : dividends) expect_division(a, b);
  }
  // Prices and quantities as the pipeline divides them: exact results stay exact.
  EXPECT_EQ(Decimal::must("500") / Decimal::must("44100.5"),
            Decimal::must("0.011337739934921373"));  // half-even, as Python decimal gives
  EXPECT_EQ(Decimal::must("90000") / Decimal::must("45000"), Decimal::must("2"));
  EXPECT_EQ(Decimal::must("1") / Decimal::must("40"), Decimal::must("0.025"));
}

// A product over 10^18 divides word by word; a leading word below 10^18 is taken as the remainder
// without a division. These products put the top word (bits 128 to 191) just below 10^18, where the
// quotient still fits 128 bits, and at or above it, where it does not; plus prices times
// quantities.
TEST(DecimalDiv, ProductsAroundTheLeadingWordOfTheOneWordDivision) {
  const U128 one = static_cast<U128>(Decimal::kOne);
  std::mt19937_64 rng(21);
  for (int n = 0; n < 20'000; ++n) {
    const U128 b = (static_cast<U128>(1) << 61) + (rng() >> 3);  // 2^61 to 2^62: a stays in range
    const U128 low = rng();
    // a = a_high * 2^64 + low: the top word of a_fits * b is top_below or one less, of a_over * b
    // at least one (the first quotient beyond 128 bits).
    const U128 top_below = one - 2 - rng() % 3;
    const U128 a_fits = (top_below << 64) / b << 64 | low;
    const U128 a_over = (((one + rng() % 3) << 64) / b + 1) << 64 | low;
    expect_product(static_cast<Raw>(a_fits), static_cast<Raw>(b));
    expect_product(static_cast<Raw>(a_over), static_cast<Raw>(b));
    expect_product(static_cast<Raw>(random_magnitude(rng, 76)),
                   static_cast<Raw>(random_magnitude(rng, 60)));
  }
  EXPECT_EQ(Decimal::must("30123.4") * Decimal::must("0.25"), Decimal::must("7530.85"));
  EXPECT_EQ(Decimal::must("0.000000000000000001") * Decimal::must("0.5"),
            Decimal::zero());  // tie: even
}

// A raw operand pair (a, b != 0) from the places a division goes wrong. Every case divides
// |a| * 10^18 by |b|; where b = f * 10^18 (f whole), a / b is exactly |a| / f raw units.
std::pair<Raw, Raw> division_case(std::mt19937_64& rng) {
  const auto bits = [&rng](int low, int high) {
    return low + static_cast<int>(rng() % (high - low + 1));
  };
  const auto small = [&rng](int n) { return static_cast<U128>(rng() % static_cast<unsigned>(n)); };
  const U128 one = Decimal::kOne, two64 = static_cast<U128>(1) << 64;
  U128 a = random_magnitude(rng, bits(1, 127)), b = 0;
  switch (rng() % 8) {
    case 0:  // any lengths: one-word divisors, and quotients beyond the range (overflow)
      b = random_magnitude(rng, bits(1, 127));
      break;
    case 1:  // two-word divisors
      b = random_magnitude(rng, bits(65, 127));
      break;
    case 2:  // divisors at the one-word boundary, 2^64 - 4 .. 2^64 + 4
      b = two64 - 4 + small(9);
      break;
    case 3: {  // powers of two, as raw counts or as whole numbers (2^k * 10^18)
      const int k = bits(0, 126);
      b = static_cast<U128>(1) << k;
      if (rng() % 2 == 0 && k < 66) b *= one;
      break;
    }
    case 4: {  // exact quotients q (b = f, a = q * f raw units) and a raw unit either side
      const int f_bits = bits(1, 66);
      const U128 f = random_magnitude(rng, f_bits);
      a = random_magnitude(rng, bits(1, 126 - f_bits)) * f + small(3) - 1;
      b = f * one;
      break;
    }
    case 5: {  // ties q + 1/2 (b = 2f, a = (2q + 1) f raw units), and a raw unit either side
      const int f_bits = bits(1, 65);
      const U128 f = random_magnitude(rng, f_bits);
      a = (2 * random_magnitude(rng, bits(1, 125 - f_bits)) + 1) * f + small(3) - 1;
      b = 2 * f * one;
      break;
    }
    case 6: {  // quotients k * 2^64 - 1 +- 2, whose last step's estimate may not fit a word
      const int f_bits = bits(1, 62);
      const U128 f = random_magnitude(rng, f_bits);
      const U128 q = random_magnitude(rng, bits(1, 63 - f_bits)) * two64 - 3 + small(5);
      a = q * f + random_magnitude(rng, bits(1, f_bits)) % f;
      b = f * one;
      break;
    }
    default:  // tiny operands and the ends of the range
      a = rng() % 4 == 0 ? (static_cast<U128>(1) << 127) - 1 - small(2) : 1 + small(1000);
      b = rng() % 4 == 0 ? (static_cast<U128>(1) << 127) - 1 - small(2) : 1 + small(1000);
  }
  return {with_random_sign(rng, a), with_random_sign(rng, b)};
}

// Millions of quotients against the bit-at-a-time long division, each in every rounding mode (2M
// operand pairs, 10M quotients, ~2 s optimised; an eighth in Debug and ASan builds, where the
// reference is slow).
TEST(DecimalDiv, MillionsOfQuotientsMatchLongDivisionInEveryMode) {
#ifdef NDEBUG
  constexpr int kPairs = 2'000'000;
#else
  constexpr int kPairs = 250'000;
#endif
  std::mt19937_64 rng(22);
  for (int n = 0; n < kPairs; ++n) {
    const auto [a, b] = division_case(rng);
    const U128 d = magnitude(b);
    const bool negative = (a < 0) != (b < 0);
    const auto qr = long_divide(wide_product(magnitude(a), static_cast<U128>(Decimal::kOne)), d);
    for (const Rounding mode : kModes) {
      const auto expected =
          qr ? round_reference(qr->first, qr->second, d, negative, mode) : std::nullopt;
      expect_result('/', a, b, mode, expected);
    }
    ASSERT_FALSE(HasFatalFailure());  // one mismatch is enough to read
  }
}

TEST(DecimalDiv, ZeroDivisorAndOverflowAreErrors) {
  for (const Rounding mode : kModes) {
    const auto quotient = Decimal::checked_div(Decimal::one(), Decimal::zero(), mode);
    ASSERT_FALSE(quotient.ok());
    EXPECT_EQ(quotient.error().message, "decimal division by zero");
    EXPECT_THROW(Decimal::div(Decimal::max(), Decimal::zero(), mode), DecimalOverflow);
  }
  EXPECT_THROW(Decimal::max() / Decimal::from_raw(1), DecimalOverflow);  // (2^127 - 1) * 10^18 units
}

TEST(DecimalDiv, ProductsOverTheWholeRangeMatchLongDivision) {
  std::mt19937_64 rng(19);
  for (int n = 0; n < 40'000; ++n) {
    // 1..127 bits each: products from one word to beyond the range (overflows too).
    expect_product(random_raw(rng, 1 + static_cast<int>(rng() % 127)),
                   random_raw(rng, 1 + static_cast<int>(rng() % 127)));
  }
  // The exact shortcuts (a factor of one or zero) and the range ends.
  const Raw one = static_cast<Raw>(Decimal::kOne);
  const Raw max = Decimal::max().raw();
  for (const Raw a : {Raw{0}, Raw{1}, Raw{-1}, one, -one, max, Decimal::min().raw(), max / 3}) {
    for (const Raw b : {Raw{0}, one, -one, Raw{2}, max}) {
      expect_product(a, b);
      expect_product(b, a);
      if (b != 0) expect_division(a, b);
    }
  }
}

TEST(DecimalDiv, RoundMatchesLongDivisionAtEveryPrecision) {
  std::mt19937_64 rng(20);
  for (int n = 0; n < 20'000; ++n) {
    const Raw a = random_raw(rng, 1 + static_cast<int>(rng() % 126));
    const int precision = static_cast<int>(rng() % 19);
    U128 unit = 1;
    for (int k = precision; k < Decimal::kScale; ++k) unit *= 10;
    for (const Rounding mode : kModes) {
      const auto q = reference_quotient(Wide{0, magnitude(a)}, unit, a < 0, mode);
      ASSERT_TRUE(q.has_value());
      ASSERT_TRUE(Decimal::from_raw(a).round(precision, mode).raw() == *q * static_cast<Raw>(unit))
          << Decimal::from_raw(a) << " to " << precision << " digits, mode " << static_cast<int>(mode);
    }
  }
}

TEST(DecimalDiv, ToDoubleSplitsWholeAndFraction) {
  std::mt19937_64 rng(21);
  for (int n = 0; n < 20'000; ++n) {
    const Raw a = random_raw(rng, 1 + static_cast<int>(rng() % 127));
    const auto qr = long_divide(Wide{0, magnitude(a)}, static_cast<U128>(Decimal::kOne));
    ASSERT_TRUE(qr.has_value());
    const double v = static_cast<double>(qr->first) + static_cast<double>(qr->second) / 1e18;
    ASSERT_EQ(Decimal::from_raw(a).to_double(), a < 0 ? -v : v) << Decimal::from_raw(a);
  }
}

}  // namespace
}  // namespace tg4::core
