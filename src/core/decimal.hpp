#pragma once
// Decimal: exact fixed-point money (DESIGN principle 3). A signed 128-bit count of 10^-18 units, so
// every Kraken price, quantity, fee and balance is held without rounding, and products and quotients
// are computed through 256-bit intermediates with an explicit rounding mode. Overflow is an error
// (exception from operators, Error from checked_*), never a wrap.
#include <compare>
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <stdexcept>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "core/result.hpp"

namespace tg4::core {

enum class Rounding : std::uint8_t {
  kHalfEven,  // banker's rounding: ties go to the even neighbour
  kDown,      // toward zero (truncate)
  kUp,        // away from zero
  kFloor,     // toward negative infinity
  kCeiling,   // toward positive infinity
};

class DecimalOverflow : public std::overflow_error {
 public:
  using std::overflow_error::overflow_error;
};

class Decimal {
 public:
  using Raw = __int128;
  static constexpr int kScale = 18;  // fractional digits held
  static constexpr Raw kOne = static_cast<Raw>(1'000'000'000'000'000'000LL);

  constexpr Decimal() = default;
  static constexpr Decimal from_raw(Raw raw) { return Decimal(raw); }
  static Decimal from_int(std::int64_t value) { return Decimal(static_cast<Raw>(value) * kOne); }
  // Nearest decimal with `digits` fractional digits (half-even). For simulators and conversions from
  // indicator math only: money never passes through double.
  static Decimal from_double(double value, int digits = 12);

  // Exact parse of a decimal text or a raw JSON number token: [-+]digits[.digits][e[-+]digits].
  // More than 18 fractional digits, garbage, or a value beyond the range is an Error naming the text.
  // `fraction_digits` receives the number of fractional digits as written ("0.10000000" -> 8).
  static Result<Decimal> parse(std::string_view text, int* fraction_digits = nullptr);
  // Throwing parse for tests, config and constants.
  static Decimal must(std::string_view text);

  constexpr Raw raw() const { return raw_; }
  double to_double() const;
  constexpr bool is_zero() const { return raw_ == 0; }
  constexpr bool is_negative() const { return raw_ < 0; }
  constexpr bool is_positive() const { return raw_ > 0; }
  constexpr int sign() const { return raw_ > 0 ? 1 : (raw_ < 0 ? -1 : 0); }
  constexpr Decimal abs() const { return raw_ < 0 ? Decimal(-raw_) : *this; }

  // Shortest exact text: no trailing zeros, no exponent ("45281", "0.1", "-0.00012").
  std::string to_string() const;
  // Exactly `precision` fractional digits (0..18), rounded with `mode`: to_string(8) of 0.1 is
  // "0.10000000".
  std::string to_string(int precision, Rounding mode = Rounding::kHalfEven) const;
  // Writes to_string(precision) into `out` (at least 64 bytes); returns the length. No allocation.
  std::size_t write(char* out, int precision) const;

  Decimal round(int precision, Rounding mode = Rounding::kHalfEven) const;
  // A multiple of `increment` (> 0), e.g. a quantity to the instrument's lot size.
  Decimal round_to_increment(Decimal increment, Rounding mode = Rounding::kHalfEven) const;

  // Sums are inline (bars, balances and PnL add on every trade); only their errors are out of line.
  static Result<Decimal> checked_add(Decimal a, Decimal b) {
    Raw out;
    if (__builtin_add_overflow(a.raw_, b.raw_, &out) || out < min().raw_) return overflow_error("addition");
    return Decimal(out);
  }
  // A sum of non-negative amounts (volumes, book quantities) that stops at max() instead of
  // failing: only absurd input comes near the range, and a total must still be given.
  static Decimal saturating_add(Decimal a, Decimal b) {
    Raw out;
    return __builtin_add_overflow(a.raw_, b.raw_, &out) ? max() : Decimal(out);
  }
  static Result<Decimal> checked_sub(Decimal a, Decimal b) {
    Raw out;
    if (__builtin_sub_overflow(a.raw_, b.raw_, &out) || out < min().raw_) return overflow_error("subtraction");
    return Decimal(out);
  }
  static Result<Decimal> checked_mul(Decimal a, Decimal b, Rounding mode = Rounding::kHalfEven);
  static Result<Decimal> checked_div(Decimal a, Decimal b, Rounding mode = Rounding::kHalfEven);
  static Decimal mul(Decimal a, Decimal b, Rounding mode);  // throws DecimalOverflow
  static Decimal div(Decimal a, Decimal b, Rounding mode);  // throws DecimalOverflow, zero division

  friend Decimal operator+(Decimal a, Decimal b) {
    Raw out;
    if (__builtin_add_overflow(a.raw_, b.raw_, &out) || out < min().raw_) throw_overflow("addition");
    return Decimal(out);
  }
  friend Decimal operator-(Decimal a, Decimal b) {
    Raw out;
    if (__builtin_sub_overflow(a.raw_, b.raw_, &out) || out < min().raw_) throw_overflow("subtraction");
    return Decimal(out);
  }
  friend Decimal operator*(Decimal a, Decimal b) { return mul(a, b, Rounding::kHalfEven); }
  friend Decimal operator/(Decimal a, Decimal b) { return div(a, b, Rounding::kHalfEven); }
  constexpr Decimal operator-() const { return Decimal(-raw_); }
  Decimal& operator+=(Decimal other) { return *this = *this + other; }
  Decimal& operator-=(Decimal other) { return *this = *this - other; }
  Decimal& operator*=(Decimal other) { return *this = *this * other; }
  Decimal& operator/=(Decimal other) { return *this = *this / other; }

  friend constexpr bool operator==(Decimal a, Decimal b) { return a.raw_ == b.raw_; }
  friend constexpr std::strong_ordering operator<=>(Decimal a, Decimal b) {
    return a.raw_ <=> b.raw_;
  }

  static constexpr Decimal zero() { return Decimal(0); }
  static constexpr Decimal one() { return Decimal(kOne); }
  static constexpr Decimal max() { return Decimal(~(static_cast<Raw>(1) << 127)); }
  static constexpr Decimal min() { return Decimal(-~(static_cast<Raw>(1) << 127)); }

 private:
  static Result<Decimal> overflow_error(const char* operation);  // "decimal overflow in <operation>"
  [[noreturn]] static void throw_overflow(const char* operation);  // DecimalOverflow, the same text
  constexpr explicit Decimal(Raw raw) : raw_(raw) {}
  Raw raw_ = 0;
};

inline Decimal min(Decimal a, Decimal b) { return b < a ? b : a; }
inline Decimal max(Decimal a, Decimal b) { return a < b ? b : a; }

std::ostream& operator<<(std::ostream& out, Decimal value);

// User-defined literal for constants and tests: 45281.5_d
namespace literals {
inline Decimal operator""_d(const char* text) { return Decimal::must(text); }
}  // namespace literals

}  // namespace tg4::core

template <>
struct std::hash<tg4::core::Decimal> {
  std::size_t operator()(tg4::core::Decimal d) const noexcept {
    const auto raw = static_cast<unsigned __int128>(d.raw());
    return std::hash<std::uint64_t>{}(static_cast<std::uint64_t>(raw) ^
                                      static_cast<std::uint64_t>(raw >> 64) * 0x9E3779B97F4A7C15ULL);
  }
};

template <>
struct fmt::formatter<tg4::core::Decimal> : fmt::formatter<std::string_view> {
  template <typename Context>
  auto format(tg4::core::Decimal d, Context& ctx) const {
    return fmt::formatter<std::string_view>::format(d.to_string(), ctx);
  }
};
