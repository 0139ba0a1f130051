// Decimal::parse edges. parse() has a fast path for texts of at most 19 digits with a short
// exponent or none, whose value needs at most 18 powers of ten, and a general path for everything
// else; these tests pin the boundary between them (19/20 digits, 18/19 fractional digits, leading
// zeros, signs, exponents), compare the two paths on random texts against an integer reference (20
// leading zeros after the sign always take the general path, and change neither the value nor the
// error), and fix the exact error message of each kind of bad input.
#include <gtest/gtest.h>

#include <optional>
#include <random>
#include <string>
#include <string_view>

#include "core/decimal.hpp"
#include "decimal_raw.hpp"

namespace tg4::core {
namespace {

using raw::kOne;
using raw::pow10;
using raw::Raw;

// Raw value of `text`, which must parse, and its fractional digit count.
Raw raw_of(std::string_view text, int* digits = nullptr) {
  const auto parsed = Decimal::parse(text, digits);
  EXPECT_TRUE(parsed.ok()) << text << ": " << (parsed.ok() ? "" : parsed.error().message);
  return parsed.ok() ? parsed->raw() : 0;
}

std::string error_of(std::string_view text) {
  const auto parsed = Decimal::parse(text);
  EXPECT_FALSE(parsed.ok()) << "'" << text << "' parsed";
  return parsed.ok() ? std::string() : parsed.error().message;
}

TEST(DecimalParse, NineteenDigitsAtTheFastPathLimit) {
  int digits = -1;
  EXPECT_EQ(raw_of("9999999999999999999", &digits), Raw{9'999'999'999'999'999'999ULL} * kOne);
  EXPECT_EQ(digits, 0);
  EXPECT_EQ(raw_of("9.999999999999999999", &digits), Raw{9'999'999'999'999'999'999ULL});
  EXPECT_EQ(digits, 18);
  EXPECT_EQ(raw_of("-1844674407370955161.5"), -Raw{18'446'744'073'709'551'615ULL} * pow10(17));
  // One digit more: the general path, still exact.
  EXPECT_EQ(raw_of("99999999999999999999"), (Raw{9'999'999'999'999'999'999ULL} * 10 + 9) * kOne);
  EXPECT_EQ(raw_of("18446744073709551616"), (Raw{1} << 64) * kOne);  // 2^64
  EXPECT_EQ(raw_of("12345678901234567890.123456789012345678"),
            Raw{1'234'567'890'123'456'789ULL} * 10 * kOne + Raw{123'456'789'012'345'678ULL});
}

TEST(DecimalParse, RangeEnds) {
  // |raw| <= 2^127 - 1 = 170141183460469231731.687303715884105727 units.
  // The last unit takes a 39th digit, beyond the 38 a text may have.
  EXPECT_EQ(raw_of("170141183460469231731.68730371588410572"), Decimal::max().raw() - 7);
  EXPECT_EQ(raw_of("-170141183460469231731.68730371588410572"), Decimal::min().raw() + 7);
  EXPECT_EQ(error_of("170141183460469231731.68730371588410573"),
            "invalid decimal '170141183460469231731.68730371588410573': out of range");
  EXPECT_EQ(error_of("170141183460469231731.687303715884105727"),
            "invalid decimal '170141183460469231731.687303715884105727': too many digits");
  EXPECT_EQ(error_of("170141183460469231732"),
            "invalid decimal '170141183460469231732': out of range");
  EXPECT_EQ(error_of("1e21"), "invalid decimal '1e21': out of range");
  EXPECT_EQ(raw_of("1e20"), pow10(20) * kOne);
}

TEST(DecimalParse, FractionalDigitLimit) {
  int digits = -1;
  EXPECT_EQ(raw_of("0.000000000000000001", &digits), 1);
  EXPECT_EQ(digits, 18);
  // 19 fractional digits are fine while the last is a zero, and the count keeps the written digits.
  EXPECT_EQ(raw_of("0.1000000000000000000", &digits), kOne / 10);
  EXPECT_EQ(digits, 19);
  EXPECT_EQ(raw_of("0.0000000000000000000", &digits), 0);
  EXPECT_EQ(digits, 19);
  EXPECT_EQ(error_of("0.0000000000000000001"),
            "invalid decimal '0.0000000000000000001': more than 18 fractional digits");
  EXPECT_EQ(error_of("1.5e-18"), "invalid decimal '1.5e-18': more than 18 fractional digits");
}

TEST(DecimalParse, LeadingZerosAreNotSignificant) {
  int digits = -1;
  EXPECT_EQ(raw_of("007", &digits), 7 * kOne);
  EXPECT_EQ(digits, 0);
  EXPECT_EQ(raw_of("00.10", &digits), kOne / 10);
  EXPECT_EQ(digits, 2);
  // Leading zeros push the text past 19 digits (general path) without counting toward 38.
  EXPECT_EQ(raw_of("0000000000000000000000000000000000000000001.5"), kOne + kOne / 2);
  EXPECT_EQ(raw_of("000000000000000000000.000000000000000001"), 1);
  EXPECT_EQ(raw_of("0"), 0);
  EXPECT_EQ(raw_of("-0.000"), 0);
}

TEST(DecimalParse, Signs) {
  int digits = -1;
  EXPECT_EQ(raw_of("+5"), 5 * kOne);
  EXPECT_EQ(raw_of("-5."), -5 * kOne);
  EXPECT_EQ(raw_of(".5", &digits), kOne / 2);
  EXPECT_EQ(digits, 1);
  EXPECT_EQ(raw_of("-.25"), -kOne / 4);
  EXPECT_EQ(raw_of("-0"), 0);
  EXPECT_EQ(error_of("+-1"), "invalid decimal '+-1': no digits");
  EXPECT_EQ(error_of("-"), "invalid decimal '-': no digits");
  EXPECT_EQ(error_of("1-"), "invalid decimal '1-': unexpected character");
}

TEST(DecimalParse, Exponents) {
  int digits = -1;
  EXPECT_EQ(raw_of("1.5e3", &digits), 1500 * kOne);
  EXPECT_EQ(digits, 1);
  EXPECT_EQ(raw_of("15E-1"), kOne + kOne / 2);
  EXPECT_EQ(raw_of("2e+2"), 200 * kOne);
  EXPECT_EQ(raw_of("1e-8"), kOne / 100'000'000);
  EXPECT_EQ(raw_of("1.5e-17"), 15);
  EXPECT_EQ(raw_of("-3e18"), -3 * kOne * pow10(18));  // 36 powers: the general path
  EXPECT_EQ(raw_of("1e0002"), 100 * kOne);            // four exponent digits: general
  EXPECT_EQ(raw_of("1200e-20"), 12);                  // shift -2, divisible: general
  EXPECT_EQ(raw_of("0e999"), 0);
  EXPECT_EQ(error_of("1.5e-18"), "invalid decimal '1.5e-18': more than 18 fractional digits");
  EXPECT_EQ(error_of("1e"), "invalid decimal '1e': empty exponent");
  EXPECT_EQ(error_of("1e-"), "invalid decimal '1e-': empty exponent");
  EXPECT_EQ(error_of("1e+x"), "invalid decimal '1e+x': unexpected character");
  EXPECT_EQ(error_of("1e5x"), "invalid decimal '1e5x': unexpected character");
  EXPECT_EQ(error_of("1e1000"), "invalid decimal '1e1000': out of range");
  EXPECT_EQ(error_of("1e1001"), "invalid decimal '1e1001': exponent out of range");
  EXPECT_EQ(error_of("e5"), "invalid decimal 'e5': no digits");
}

TEST(DecimalParse, ErrorMessagesNameTheTextAndTheReason) {
  EXPECT_EQ(error_of(""), "invalid decimal '': no digits");
  EXPECT_EQ(error_of("."), "invalid decimal '.': no digits");
  EXPECT_EQ(error_of("1.2.3"), "invalid decimal '1.2.3': unexpected character");
  EXPECT_EQ(error_of("12 "), "invalid decimal '12 ': unexpected character");
  EXPECT_EQ(error_of("1,5"), "invalid decimal '1,5': unexpected character");
  const std::string too_many(39, '9');
  EXPECT_EQ(error_of(too_many), "invalid decimal '" + too_many + "': too many digits");
  EXPECT_EQ(raw_of("0." + std::string(18, '0') + std::string(19, '0')), 0);
  // The text in the message is cut at 64 characters.
  const std::string long_garbage = std::string(70, '1') + "x";
  EXPECT_EQ(error_of(long_garbage),
            "invalid decimal '" + long_garbage.substr(0, 64) + "': too many digits");
}

TEST(DecimalParse, ReadsOnlyTheViewNotTheBytesAfterIt) {
  const std::string buffer = "1.57x";
  EXPECT_EQ(raw_of(std::string_view(buffer).substr(0, 3)), kOne + kOne / 2);
  EXPECT_EQ(raw_of(std::string_view(buffer).substr(0, 4)), kOne * 157 / 100);
  EXPECT_EQ(error_of(std::string_view(buffer).substr(0, 0)), "invalid decimal '': no digits");
}

// The expected raw value of units * 10^(exponent - fraction), or nullopt when it has more than 18
// fractional digits or is beyond the range.
std::optional<Raw> reference_value(Raw units, int fraction, int exponent) {
  const int shift = Decimal::kScale - fraction + exponent;
  if (units == 0) return Raw{0};
  if (shift < 0) {
    if (-shift > 38 || units % pow10(-shift) != 0) return std::nullopt;
    return units / pow10(-shift);
  }
  if (shift > 38 || units > Decimal::max().raw() / pow10(shift)) return std::nullopt;
  return units * pow10(shift);
}

// What follows "invalid decimal '<text>': ".
std::string reason(const Result<Decimal>& parsed) {
  const std::string& message = parsed.error().message;
  return message.substr(message.rfind("': ") + 3);
}

// Random texts of 1-20 digits (both sides of the 19-digit limit, 0-19 fractional digits), half of
// them with an exponent of -25..25 written in 1-4 digits: the text, the same text made to take the
// general path, and an independent integer reference agree on value, digits and error.
TEST(DecimalParse, FastAndGeneralPathsAgree) {
  std::mt19937_64 rng(11);
  for (int n = 0; n < 200'000; ++n) {
    const int whole = static_cast<int>(rng() % 21);
    const int fraction =
        whole == 20 ? 0 : static_cast<int>(rng() % static_cast<unsigned>(20 - whole));
    if (whole + fraction == 0) continue;
    std::string sign;
    if (const auto s = rng() % 3; s != 0) sign = s == 1 ? "-" : "+";
    std::string body;
    Raw units = 0;  // value in 10^-fraction
    for (int k = 0; k < whole + fraction; ++k) {
      if (k == whole && (fraction > 0 || rng() % 2 == 0)) body += '.';
      // Zeros often, so leading and trailing zeros are common.
      const int digit = rng() % 3 == 0 ? 0 : static_cast<int>(rng() % 10);
      body += static_cast<char>('0' + digit);
      units = units * 10 + digit;
    }
    int exponent = 0;
    if (rng() % 2 == 0) {
      exponent = static_cast<int>(rng() % 51) - 25;
      const std::string written = std::to_string(exponent < 0 ? -exponent : exponent);
      body += rng() % 2 == 0 ? 'e' : 'E';
      body += exponent < 0 ? "-" : (rng() % 2 == 0 ? "+" : "");
      body += std::string(rng() % 4 == 0 ? 4 - written.size() : 0, '0') + written;
    }
    const std::string text = sign + body;
    const std::string general_text = sign + std::string(20, '0') + body;
    int digits = -1;
    int digits_general = -1;
    const auto fast = Decimal::parse(text, &digits);
    const auto general = Decimal::parse(general_text, &digits_general);
    const auto expected = reference_value(units, fraction, exponent);
    ASSERT_EQ(fast.ok(), expected.has_value()) << text;
    ASSERT_EQ(general.ok(), expected.has_value()) << general_text;
    ASSERT_EQ(digits, fraction) << text;
    ASSERT_EQ(digits_general, fraction) << general_text;
    if (!expected) {
      ASSERT_EQ(reason(fast), reason(general)) << text;
      continue;
    }
    ASSERT_TRUE(fast->raw() == (sign == "-" ? -*expected : *expected)) << text;
    ASSERT_TRUE(general->raw() == fast->raw()) << text;
  }
}

}  // namespace
}  // namespace tg4::core
