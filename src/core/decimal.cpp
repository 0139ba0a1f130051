#include "core/decimal.hpp"

#include <array>
#include <cmath>
#include <ostream>

namespace tg4::core {
namespace {

using U128 = unsigned __int128;
using Raw = Decimal::Raw;

constexpr U128 kMaxMagnitude = (static_cast<U128>(1) << 127) - 1;  // |raw| allowed

constexpr std::array<U128, 39> make_powers() {
  std::array<U128, 39> p{};
  p[0] = 1;
  for (std::size_t i = 1; i < p.size(); ++i) p[i] = p[i - 1] * 10;
  return p;
}
constexpr auto kPow10 = make_powers();

U128 magnitude(Raw v) { return v < 0 ? static_cast<U128>(0) - static_cast<U128>(v) : static_cast<U128>(v); }

// (hi:lo) / d for hi < d, so the quotient fits in 64 bits. On x86-64 that is one `div`
// instruction; written as a 128-bit division, the compiler calls __udivmodti4 (twice, for the
// quotient and the remainder), which every product and quotient here paid several times.
std::uint64_t divide_2by1(std::uint64_t hi, std::uint64_t lo, std::uint64_t d, std::uint64_t& rem) {
#if defined(__x86_64__)
  std::uint64_t q = 0, r = 0;
  __asm__("divq %[d]" : "=a"(q), "=d"(r) : [d] "rm"(d), "a"(lo), "d"(hi) : "cc");
  rem = r;
  return q;
#else
  const U128 n = (static_cast<U128>(hi) << 64) | lo;
  const auto q = static_cast<std::uint64_t>(n / d);
  rem = static_cast<std::uint64_t>(n - static_cast<U128>(q) * d);
  return q;
#endif
}

// n / d and n % d for a 64-bit divisor, in two one-word steps.
U128 divide_by_word(U128 n, std::uint64_t d, std::uint64_t& rem) {
  const auto hi = static_cast<std::uint64_t>(n >> 64);
  const std::uint64_t q_hi = hi / d;
  const std::uint64_t q_lo = divide_2by1(hi % d, static_cast<std::uint64_t>(n), d, rem);
  return (static_cast<U128>(q_hi) << 64) | q_lo;
}

// Applies `mode` to a truncated quotient q with remainder r of a division by d (r < d).
// `negative` is the sign of the exact result. Returns false if rounding up overflows.
bool round_quotient(U128& q, U128 r, U128 d, bool negative, Rounding mode) {
  if (r == 0) return true;
  bool up = false;
  switch (mode) {
    case Rounding::kDown: up = false; break;
    case Rounding::kUp: up = true; break;
    case Rounding::kFloor: up = negative; break;
    case Rounding::kCeiling: up = !negative; break;
    case Rounding::kHalfEven: {
      const U128 rest = d - r;  // r > rest  <=>  2r > d, without overflowing 2r
      up = r > rest || (r == rest && (q & 1) != 0);
      break;
    }
  }
  if (up) {
    if (q == ~static_cast<U128>(0)) return false;
    ++q;
  }
  return true;
}

// Every overflow's message starts the same way: "decimal overflow in <operation>".
std::string overflow_message(const char* operation) {
  return std::string("decimal overflow in ") + operation;
}

Result<Decimal> make_signed(U128 magnitude_value, bool negative, const char* what) {
  if (magnitude_value > kMaxMagnitude) return Error::of(overflow_message(what));
  const Raw v = static_cast<Raw>(magnitude_value);
  return Decimal::from_raw(negative ? -v : v);
}

// 256-bit unsigned number as four 64-bit limbs, most significant first.
struct U256 {
  std::array<std::uint64_t, 4> limb{};  // limb[0] is the highest
};

U256 multiply(U128 a, U128 b) {
  const std::uint64_t a_lo = static_cast<std::uint64_t>(a), a_hi = static_cast<std::uint64_t>(a >> 64);
  const std::uint64_t b_lo = static_cast<std::uint64_t>(b), b_hi = static_cast<std::uint64_t>(b >> 64);
  const U128 ll = static_cast<U128>(a_lo) * b_lo;
  const U128 lh = static_cast<U128>(a_lo) * b_hi;
  const U128 hl = static_cast<U128>(a_hi) * b_lo;
  const U128 hh = static_cast<U128>(a_hi) * b_hi;
  U256 out;
  const U128 mid = (ll >> 64) + static_cast<std::uint64_t>(lh) + static_cast<std::uint64_t>(hl);
  out.limb[3] = static_cast<std::uint64_t>(ll);
  out.limb[2] = static_cast<std::uint64_t>(mid);
  const U128 high = hh + (lh >> 64) + (hl >> 64) + (mid >> 64);
  out.limb[1] = static_cast<std::uint64_t>(high);
  out.limb[0] = static_cast<std::uint64_t>(high >> 64);
  return out;
}

// n / d for a 64-bit divisor: quotient must fit in 128 bits, else false.
bool divide_small(const U256& n, std::uint64_t d, U128& quotient, U128& remainder) {
  std::uint64_t rem = 0;
  std::array<std::uint64_t, 4> q{};
  std::size_t i = 0;
  // While the remainder is zero, a word below d has a zero quotient word and is the remainder
  // itself: leading zero words and the small top word of the usual product (a price times a
  // quantity, three words) need no division, which leaves two instead of three.
  while (i < 4 && rem == 0 && n.limb[i] < d) rem = n.limb[i++];
  for (; i < 4; ++i) q[i] = divide_2by1(rem, n.limb[i], d, rem);  // rem < d: each fits a word
  if (q[0] != 0 || q[1] != 0) return false;
  quotient = (static_cast<U128>(q[2]) << 64) | q[3];
  remainder = rem;
  return true;
}

// One step of long division by a two-word divisor: (r:w) / d, where d is normalised (top bit set)
// and r < d, so the quotient fits a word; r becomes the remainder. Dividing the top two words by
// d's top word gives an estimate at most 2 too large (Knuth, TAOCP 4.3.1, theorem B). Its
// remainder, extended by w and less estimate * d's low word, is the step's remainder: with a
// two-word divisor that one 128-bit subtraction is all of algorithm D's test and multiply-subtract,
// and each unit the estimate is too large shows as a negative remainder that adding d repairs.
std::uint64_t divide_3by2(U128& r, std::uint64_t w, U128 d) {
  const auto d_hi = static_cast<std::uint64_t>(d >> 64), d_lo = static_cast<std::uint64_t>(d);
  const auto r_hi = static_cast<std::uint64_t>(r >> 64), r_lo = static_cast<std::uint64_t>(r);
  std::uint64_t q = ~std::uint64_t{0};
  std::uint64_t rest = 0;  // r - q * d_hi, modulo 2^64
  bool rest_carry = false;
  if (r_hi < d_hi) {
    q = divide_2by1(r_hi, r_lo, d_hi, rest);  // one hardware division
  } else {
    // r_hi == d_hi (as r < d): the estimate would not fit a word and is capped at 2^64 - 1, which
    // leaves rest = r_lo + d_hi. When that carries, the remainder is >= 2^128 - q * d_lo > 0: the
    // estimate is exact and the remainder, below d, is right modulo 2^128.
    rest_carry = __builtin_add_overflow(r_lo, d_hi, &rest);
  }
  const U128 top = (static_cast<U128>(rest) << 64) | w;
  const U128 product = static_cast<U128>(q) * d_lo;
  bool negative = !rest_carry && product > top;
  r = top - product;  // the remainder modulo 2^128, exact once it is not negative
  while (negative) {  // at most twice
    --q;
    const U128 sum = r + d;
    negative = sum >= r;  // no carry out of the addition: still below zero
    r = sum;
  }
  return q;
}

// n / d for a divisor of two words (d >= 2^64) and n < 2^192, which every Decimal numerator
// |a| * 10^18 < 2^187 is: the quotient, below 2^128, has two words, each from one divide_3by2.
void divide_large(const U256& n, U128 d, U128& quotient, U128& remainder) {
  // Normalise: shifting d and n left until d's top bit is set keeps the quotient, makes each
  // estimate at most 2 too large, and shifts the remainder by as much.
  const int s = __builtin_clzll(static_cast<std::uint64_t>(d >> 64));
  const U128 dn = d << s;
  const U128 n_high = (static_cast<U128>(n.limb[1]) << 64) | n.limb[2];  // words 2 and 1
  const std::uint64_t n_low = n.limb[3];
  const U128 top = s == 0 ? 0 : n_high >> (128 - s);                     // shifted word 3 (< 2^64)
  const U128 middle = (n_high << s) | (s == 0 ? 0 : n_low >> (64 - s));  // shifted words 2 and 1
  U128 r = 0;
  std::uint64_t q_high = 0;
  // A quotient below 2^64 units (18.45: a ratio, a share of equity) has a zero high word: one step.
  if (top == 0 && middle < dn) {
    r = middle;
  } else {
    r = (top << 64) | (middle >> 64);
    q_high = divide_3by2(r, static_cast<std::uint64_t>(middle), dn);
  }
  const std::uint64_t q_low = divide_3by2(r, n_low << s, dn);
  quotient = (static_cast<U128>(q_high) << 64) | q_low;
  remainder = r >> s;
}

// n / d for a Decimal numerator n = |a| * 10^18 (below 2^187); false when the quotient needs more
// than 128 bits (only a one-word divisor can give one).
bool divide(const U256& n, U128 d, U128& quotient, U128& remainder) {
  if ((d >> 64) == 0) return divide_small(n, static_cast<std::uint64_t>(d), quotient, remainder);
  divide_large(n, d, quotient, remainder);
  return true;
}

// a * b rounded with `mode`; false when the result is beyond the range.
bool multiply_raw(Raw a, Raw b, Rounding mode, Raw& out) {
  // Exact without arithmetic: a factor of one (an amount already in the reporting currency is
  // valued at the rate 1) or zero.
  if (a == 0 || b == 0) {
    out = 0;
    return true;
  }
  if (b == Decimal::kOne || a == Decimal::kOne) {
    out = b == Decimal::kOne ? a : b;
    return true;
  }
  const bool negative = (a < 0) != (b < 0);
  const U256 product = multiply(magnitude(a), magnitude(b));
  U128 q, r;
  if (!divide_small(product, static_cast<std::uint64_t>(Decimal::kOne), q, r) ||
      !round_quotient(q, r, static_cast<U128>(Decimal::kOne), negative, mode) || q > kMaxMagnitude) {
    return false;
  }
  out = negative ? -static_cast<Raw>(q) : static_cast<Raw>(q);
  return true;
}

// a / b (b != 0) rounded with `mode`; false when the result is beyond the range.
bool divide_raw(Raw a, Raw b, Rounding mode, Raw& out) {
  if (a == 0 || b == Decimal::kOne) {  // exact without arithmetic
    out = a;
    return true;
  }
  const bool negative = (a < 0) != (b < 0);
  const U256 numerator = multiply(magnitude(a), static_cast<U128>(Decimal::kOne));
  const U128 d = magnitude(b);
  U128 q, r;
  if (!divide(numerator, d, q, r) || !round_quotient(q, r, d, negative, mode) || q > kMaxMagnitude) {
    return false;
  }
  out = negative ? -static_cast<Raw>(q) : static_cast<Raw>(q);
  return true;
}

// Writes the decimal digits of v into the end of buf; returns a pointer to the first digit.
char* write_digits(U128 v, char* end) {
  char* p = end;
  do {
    *--p = static_cast<char>('0' + static_cast<int>(v % 10));
    v /= 10;
  } while (v != 0);
  return p;
}

bool is_digit(char c) { return static_cast<unsigned>(c - '0') < 10U; }

// Appends the run of digits at p to `mantissa` (wrapping past 19 digits; the caller rejects those);
// returns the first non-digit.
const char* read_digits(const char* p, const char* end, std::uint64_t& mantissa) {
  for (; p != end && is_digit(*p); ++p) mantissa = mantissa * 10 + static_cast<unsigned>(*p - '0');
  return p;
}

// Adds a short exponent ([-+] and 1-3 digits, to the end of the text) to `shift`; false for
// anything else (the general path then reports it).
bool add_exponent(const char* p, const char* end, std::ptrdiff_t& shift) {
  bool negative = false;
  if (p != end && (*p == '-' || *p == '+')) negative = *p++ == '-';
  if (p == end || end - p > 3) return false;
  std::uint64_t exponent = 0;
  if (read_digits(p, end, exponent) != end) return false;
  shift += negative ? -static_cast<std::ptrdiff_t>(exponent) : static_cast<std::ptrdiff_t>(exponent);
  return true;
}

// Fast path for what Kraken, REST and config send: [-+]digits[.digits][e[-+]ddd] with at most 19
// digits in all (leading zeros included) and a result with at most 18 fractional digits and no
// more than 18 powers of ten to apply. The mantissa then fits in 64 bits and mantissa * 10^shift
// < 10^37 cannot exceed the range, so there is no overflow check and no 128-bit division.
// Anything else returns false and takes parse_general, which owns every error.
bool parse_plain(const char* p, const char* end, Raw& raw, int& fraction) {
  bool negative = false;
  if (p != end && (*p == '-' || *p == '+')) negative = *p++ == '-';
  const char* const first = p;
  std::uint64_t mantissa = 0;  // may wrap on long inputs; those are rejected below
  p = read_digits(p, end, mantissa);
  const auto whole = p - first;
  const char* fraction_first = p;
  if (p != end && *p == '.') {
    fraction_first = ++p;
    p = read_digits(p, end, mantissa);
  }
  const auto fractional = p - fraction_first;
  const auto digits = whole + fractional;
  if (digits == 0 || digits > 19) return false;
  std::ptrdiff_t shift = Decimal::kScale - fractional;  // power of ten to apply to the mantissa
  if (p != end && (*p == 'e' || *p == 'E')) {
    if (!add_exponent(p + 1, end, shift)) return false;
  } else if (p != end) {
    return false;
  }
  if (shift < 0 || shift > Decimal::kScale) return false;
  fraction = static_cast<int>(fractional);
  const auto scale = static_cast<std::uint64_t>(kPow10[shift]);  // <= 10^18
  const Raw v = static_cast<Raw>(static_cast<U128>(mantissa) * scale);  // one 64x64->128 multiply
  raw = negative ? -v : v;
  return true;
}

// The complete grammar: exponents, leading zeros beyond 19 digits, 38-digit mantissas, and every
// error message. parse() sends here whatever its fast path does not accept.
[[gnu::noinline]] Result<Decimal> parse_general(std::string_view text, int* fraction_digits) {
  const auto fail = [&](const char* why) {
    return Error::of(std::string("invalid decimal '") + std::string(text.substr(0, 64)) +
                     "': " + why);
  };
  std::size_t i = 0;
  const std::size_t n = text.size();
  bool negative = false;
  if (i < n && (text[i] == '-' || text[i] == '+')) negative = text[i++] == '-';
  U128 mantissa = 0;
  int digits = 0;    // significant digits accumulated
  int fraction = 0;  // digits after the point
  bool any_digit = false;
  for (; i < n && text[i] >= '0' && text[i] <= '9'; ++i) {
    any_digit = true;
    if (mantissa == 0 && text[i] == '0') continue;
    if (++digits > 38) return fail("too many digits");
    mantissa = mantissa * 10 + static_cast<unsigned>(text[i] - '0');
  }
  if (i < n && text[i] == '.') {
    ++i;
    for (; i < n && text[i] >= '0' && text[i] <= '9'; ++i) {
      any_digit = true;
      ++fraction;
      if (mantissa == 0 && text[i] == '0') continue;
      if (++digits > 38) return fail("too many digits");
      mantissa = mantissa * 10 + static_cast<unsigned>(text[i] - '0');
    }
  }
  if (!any_digit) return fail("no digits");
  if (fraction_digits != nullptr) *fraction_digits = fraction;
  int exponent = 0;
  if (i < n && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    bool exp_negative = false;
    if (i < n && (text[i] == '-' || text[i] == '+')) exp_negative = text[i++] == '-';
    if (i == n) return fail("empty exponent");
    for (; i < n && text[i] >= '0' && text[i] <= '9'; ++i) {
      exponent = exponent * 10 + (text[i] - '0');
      if (exponent > 1000) return fail("exponent out of range");
    }
    if (exp_negative) exponent = -exponent;
  }
  if (i != n) return fail("unexpected character");
  const int shift = Decimal::kScale - fraction + exponent;  // power of ten to apply to the mantissa
  if (mantissa == 0) return Decimal::zero();
  if (shift < 0) {
    if (-shift > 38 || mantissa % kPow10[static_cast<std::size_t>(-shift)] != 0) {
      return fail("more than 18 fractional digits");
    }
    mantissa /= kPow10[static_cast<std::size_t>(-shift)];
  } else {
    if (shift > 38 || mantissa > kMaxMagnitude / kPow10[static_cast<std::size_t>(shift)]) {
      return fail("out of range");
    }
    mantissa *= kPow10[static_cast<std::size_t>(shift)];
  }
  if (mantissa > kMaxMagnitude) return fail("out of range");
  const Raw v = static_cast<Raw>(mantissa);
  return Decimal::from_raw(negative ? -v : v);
}

}  // namespace

Decimal Decimal::from_double(double value, int digits) {
  if (!std::isfinite(value)) throw DecimalOverflow("decimal from non-finite double");
  if (digits < 0 || digits > kScale) digits = kScale;
  const double scaled = std::nearbyint(value * std::pow(10.0, digits));
  if (std::fabs(scaled) >= 1.7e38 / static_cast<double>(kPow10[kScale - digits])) {
    throw DecimalOverflow("decimal overflow converting double " + std::to_string(value));
  }
  return Decimal(static_cast<Raw>(scaled) * static_cast<Raw>(kPow10[kScale - digits]));
}

Result<Decimal> Decimal::parse(std::string_view text, int* fraction_digits) {
  Raw raw = 0;
  int fraction = 0;
  if (!parse_plain(text.data(), text.data() + text.size(), raw, fraction)) {
    return parse_general(text, fraction_digits);
  }
  if (fraction_digits != nullptr) *fraction_digits = fraction;
  return Decimal(raw);
}

Decimal Decimal::must(std::string_view text) {
  auto parsed = parse(text);
  if (!parsed) throw std::invalid_argument(parsed.error().message);
  return *parsed;
}

double Decimal::to_double() const {
  constexpr auto kOneWord = static_cast<std::uint64_t>(kOne);
  const U128 m = magnitude(raw_);
  const auto hi = static_cast<std::uint64_t>(m >> 64);
  std::uint64_t frac = 0;
  double whole = 0;
  if (hi < kOneWord) {
    // Below 2^64 whole units, as every price and quantity is: one `div`, and the whole part
    // converts from 64 bits (the same double as from 128; without the libgcc call).
    whole = static_cast<double>(divide_2by1(hi, static_cast<std::uint64_t>(m), kOneWord, frac));
  } else {
    whole = static_cast<double>(divide_by_word(m, kOneWord, frac));
  }
  const double v = whole + static_cast<double>(frac) / 1e18;
  return raw_ < 0 ? -v : v;
}

std::size_t Decimal::write(char* out, int precision) const {
  if (precision < 0) precision = 0;
  if (precision > kScale) precision = kScale;
  const Decimal rounded = round(precision, Rounding::kHalfEven);
  const U128 m = magnitude(rounded.raw_);
  const U128 whole = m / static_cast<U128>(kOne);
  const U128 frac = (m % static_cast<U128>(kOne)) / kPow10[static_cast<std::size_t>(kScale - precision)];
  char buf[64];
  char* const end = buf + sizeof(buf);
  char* p = end;
  if (precision > 0) {
    U128 f = frac;
    for (int k = 0; k < precision; ++k) {
      *--p = static_cast<char>('0' + static_cast<int>(f % 10));
      f /= 10;
    }
    *--p = '.';
  }
  p = write_digits(whole, p);
  if (rounded.raw_ < 0) *--p = '-';
  const auto len = static_cast<std::size_t>(end - p);
  for (std::size_t k = 0; k < len; ++k) out[k] = p[k];
  return len;
}

std::string Decimal::to_string(int precision, Rounding mode) const {
  char buf[64];
  const Decimal rounded = round(precision < 0 ? 0 : (precision > kScale ? kScale : precision), mode);
  return std::string(buf, rounded.write(buf, precision));
}

std::string Decimal::to_string() const {
  int precision = kScale;
  const U128 frac = magnitude(raw_) % static_cast<U128>(kOne);
  if (frac == 0) {
    precision = 0;
  } else {
    while (precision > 0 && frac % kPow10[static_cast<std::size_t>(kScale - precision + 1)] == 0) {
      --precision;
    }
  }
  return to_string(precision, Rounding::kDown);
}

Decimal Decimal::round(int precision, Rounding mode) const {
  if (precision >= kScale) return *this;
  if (precision < 0) precision = 0;
  const U128 unit = kPow10[static_cast<std::size_t>(kScale - precision)];
  std::uint64_t rem = 0;
  U128 q = divide_by_word(magnitude(raw_), static_cast<std::uint64_t>(unit), rem);
  round_quotient(q, rem, unit, raw_ < 0, mode);
  const U128 m = q * unit;
  if (m > kMaxMagnitude) throw_overflow("round");
  return Decimal(raw_ < 0 ? -static_cast<Raw>(m) : static_cast<Raw>(m));
}

Decimal Decimal::round_to_increment(Decimal increment, Rounding mode) const {
  if (increment.raw_ <= 0) throw std::invalid_argument("round_to_increment: increment must be > 0");
  const U128 unit = static_cast<U128>(increment.raw_);
  U128 q = magnitude(raw_) / unit;
  round_quotient(q, magnitude(raw_) % unit, unit, raw_ < 0, mode);
  auto result = make_signed(q * unit, raw_ < 0, "round_to_increment");
  if (!result || (q != 0 && (q * unit) / q != unit)) throw_overflow("round_to_increment");
  return *result;
}

Result<Decimal> Decimal::overflow_error(const char* operation) {
  return Error::of(overflow_message(operation));
}

void Decimal::throw_overflow(const char* operation) {
  throw DecimalOverflow(overflow_message(operation));
}

Result<Decimal> Decimal::checked_mul(Decimal a, Decimal b, Rounding mode) {
  Raw out = 0;
  if (!multiply_raw(a.raw_, b.raw_, mode, out)) return overflow_error("multiplication");
  return Decimal(out);
}

Result<Decimal> Decimal::checked_div(Decimal a, Decimal b, Rounding mode) {
  if (b.raw_ == 0) return Error::of("decimal division by zero");
  Raw out = 0;
  if (!divide_raw(a.raw_, b.raw_, mode, out)) return overflow_error("division");
  return Decimal(out);
}

// The operators build no Result: a Result's error alternative (a string) is constructed,
// tested and destroyed on every product otherwise.
Decimal Decimal::mul(Decimal a, Decimal b, Rounding mode) {
  Raw out = 0;
  if (!multiply_raw(a.raw_, b.raw_, mode, out)) {
    throw DecimalOverflow(overflow_message("multiplication") + " (" + a.to_string() + " * " + b.to_string() + ")");
  }
  return Decimal(out);
}

Decimal Decimal::div(Decimal a, Decimal b, Rounding mode) {
  Raw out = 0;
  if (b.raw_ == 0) throw DecimalOverflow("decimal division by zero (" + a.to_string() + " / 0)");
  if (!divide_raw(a.raw_, b.raw_, mode, out)) {
    throw DecimalOverflow(overflow_message("division") + " (" + a.to_string() + " / " + b.to_string() + ")");
  }
  return Decimal(out);
}

std::ostream& operator<<(std::ostream& out, Decimal value) { return out << value.to_string(); }

}  // namespace tg4::core
