// Decimal division against a reference long division. Quotients of divisors of 64 bits or more
// (|b| >= 2^64 units, i.e. >= 18.45) come from Knuth's algorithm D on 64-bit words; this test
// checks them, in every rounding mode, against a bit-at-a-time shift-and-subtract division of the
// 256-bit numerator |a| * 10^18, including the quotients too large for the range. Products (the
// 256-bit |a| * |b| divided by 10^18 one word at a time), round() and to_double() are checked
// against the same reference, over the whole range.
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

// n / d rounded in `mode` (`negative`: the sign of the exact result), or nullopt for an overflow.
std::optional<Raw> reference_quotient(const Wide& n, U128 d, bool negative, Rounding mode) {
  const auto qr = long_divide(n, d);
  if (!qr) return std::nullopt;
  auto [q, r] = *qr;
  const bool half_even_up = r > d - r || (r == d - r && (q & 1) != 0);
  const bool up = r != 0 && (mode == Rounding::kUp || (mode == Rounding::kFloor && negative) ||
                             (mode == Rounding::kCeiling && !negative) ||
                             (mode == Rounding::kHalfEven && half_even_up));
  if (up && ++q == 0) return std::nullopt;
  if (q > (static_cast<U128>(1) << 127) - 1) return std::nullopt;
  return negative ? -static_cast<Raw>(q) : static_cast<Raw>(q);
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

// A magnitude of `bits` random bits (top bit set), with a random sign.
Raw random_raw(std::mt19937_64& rng, int bits) {
  U128 v = (static_cast<U128>(rng()) << 64) | rng();
  v >>= 128 - bits;
  v |= static_cast<U128>(1) << (bits - 1);
  const Raw r = static_cast<Raw>(v);
  return rng() % 2 == 0 ? r : -r;
}

// a op b in every mode against the reference (`op`: '*' or '/').
void expect_operation(char op, Raw a, Raw b) {
  for (const Rounding mode : kModes) {
    const Decimal x = Decimal::from_raw(a), y = Decimal::from_raw(b);
    const auto expected = op == '*' ? reference_mul(a, b, mode) : reference_div(a, b, mode);
    const auto got = op == '*' ? Decimal::checked_mul(x, y, mode) : Decimal::checked_div(x, y, mode);
    ASSERT_EQ(got.ok(), expected.has_value()) << x << ' ' << op << ' ' << y << " mode " << static_cast<int>(mode);
    if (got.ok()) {
      ASSERT_TRUE(got->raw() == *expected) << x << ' ' << op << ' ' << y << " = " << *got << ", expected "
                                           << Decimal::from_raw(*expected) << " mode " << static_cast<int>(mode);
    }
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
