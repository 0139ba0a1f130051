#pragma once
// Internal to the codec: typed reads of simdjson On-Demand values that record the first error with
// the field path and byte offset, so a malformed frame is reported precisely without building any
// string on the success path.
#include <simdjson.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/decimal.hpp"
#include "core/time.hpp"

namespace tg4::kraken::detail {

using simdjson::ondemand::array;
using simdjson::ondemand::field;
using simdjson::ondemand::json_type;
using simdjson::ondemand::object;
using simdjson::ondemand::value;

// A field path built on the stack ("data[0].bids[3].price"); only formatted when an error occurs.
struct Path {
  const Path* parent = nullptr;
  std::string_view name;  // a field name, or empty for an array element
  int index = -1;

  Path field(std::string_view child) const { return Path{this, child, -1}; }
  Path element(int i) const { return Path{this, {}, i}; }
  std::string str() const;
};

class Reader {
 public:
  // `base` is the first byte of the frame buffer, for offsets in error messages.
  void reset(const char* base) {
    base_ = base;
    failed_ = false;
    error_.clear();
  }
  bool failed() const { return failed_; }
  const std::string& error() const { return error_; }

  // Records the first error: "<path>: <what> (at byte N)". Always returns false.
  bool fail(const Path& at, std::string_view what, const char* where = nullptr);
  bool fail(const Path& at, simdjson::error_code code, const char* where = nullptr);

  // Prices and quantities: the raw number token (or a quoted decimal) into an exact Decimal;
  // `decimals` receives the fractional digits as written.
  bool decimal(value& v, const Path& at, core::Decimal& out, int* decimals = nullptr) {
    json_type type{};
    if (v.type().get(type) != simdjson::SUCCESS || type != json_type::number) {
      return decimal_slow(v, at, out, decimals);
    }
    // The raw token runs up to the next token: drop the whitespace that may follow it.
    std::string_view text = v.raw_json_token();
    while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
    if (fast_decimal(text, out, decimals)) return true;
    auto parsed = core::Decimal::parse(text, decimals);
    if (!parsed) return fail(at, parsed.error().message, text.data());
    out = *parsed;
    return true;
  }
  bool string(value& v, const Path& at, std::string_view& out) {
    if (auto ec = v.get_string().get(out)) return fail_type(v, at, ec, "expected a string");
    return true;
  }
  bool string(value& v, const Path& at, std::string& out) {
    std::string_view view;
    if (!string(v, at, view)) return false;
    out.assign(view.data(), view.size());
    return true;
  }
  bool int64(value& v, const Path& at, std::int64_t& out) {
    if (auto ec = v.get_int64().get(out)) return fail_type(v, at, ec, "expected an integer");
    return true;
  }
  bool uint64(value& v, const Path& at, std::uint64_t& out) {
    if (auto ec = v.get_uint64().get(out))
      return fail_type(v, at, ec, "expected an unsigned integer");
    return true;
  }
  bool integer(value& v, const Path& at, int& out);
  bool boolean(value& v, const Path& at, bool& out) {
    if (auto ec = v.get_bool().get(out)) return fail_type(v, at, ec, "expected true or false");
    return true;
  }
  // RFC 3339; Kraken's usual form (microseconds, 'Z') takes a fast path.
  bool time(value& v, const Path& at, core::Timestamp& out);
  bool get_object(value& v, const Path& at, object& out) {
    if (auto ec = v.get_object().get(out)) return fail_type(v, at, ec, "expected an object");
    return true;
  }
  bool get_array(value& v, const Path& at, array& out) {
    if (auto ec = v.get_array().get(out)) return fail_type(v, at, ec, "expected an array");
    return true;
  }
  // Unwraps one field of an iteration; false (recorded) on a structural error.
  bool next(simdjson::simdjson_result<field> item, const Path& at, field& out) {
    if (auto ec = std::move(item).get(out)) return fail(at, ec);
    return true;
  }
  bool next(simdjson::simdjson_result<value> item, const Path& at, value& out) {
    if (auto ec = std::move(item).get(out)) return fail(at, ec);
    return true;
  }
  bool missing(const Path& at, std::string_view name);

  std::size_t offset(const char* p) const { return static_cast<std::size_t>(p - base_); }

 private:
  static bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
  // The common token shape, [-]digits[.digits] with at most 19 digits and 18 decimals, without the
  // general parser's 128-bit range checks (such a value always fits). False: use the parser.
  static bool fast_decimal(std::string_view text, core::Decimal& out, int* decimals) {
    std::size_t i = 0;
    const bool negative = !text.empty() && text[0] == '-';
    i += negative ? 1 : 0;
    std::uint64_t mantissa = 0;
    int digits = 0;
    int fraction = 0;
    bool point = false;
    for (; i < text.size(); ++i) {
      const char c = text[i];
      if (c >= '0' && c <= '9') {
        mantissa = mantissa * 10 + static_cast<unsigned>(c - '0');
        ++digits;
        fraction += point ? 1 : 0;
      } else if (c == '.' && !point) {
        point = true;
      } else {
        return false;  // exponent or anything unusual
      }
    }
    if (digits == 0 || digits > 19 || fraction > core::Decimal::kScale || (point && fraction == 0))
      return false;
    static constexpr std::uint64_t kPow10[] = {1ULL,
                                               10ULL,
                                               100ULL,
                                               1000ULL,
                                               10000ULL,
                                               100000ULL,
                                               1000000ULL,
                                               10000000ULL,
                                               100000000ULL,
                                               1000000000ULL,
                                               10000000000ULL,
                                               100000000000ULL,
                                               1000000000000ULL,
                                               10000000000000ULL,
                                               100000000000000ULL,
                                               1000000000000000ULL,
                                               10000000000000000ULL,
                                               100000000000000000ULL,
                                               1000000000000000000ULL};
    const auto raw = static_cast<core::Decimal::Raw>(mantissa) *
                     static_cast<core::Decimal::Raw>(kPow10[core::Decimal::kScale - fraction]);
    out = core::Decimal::from_raw(negative ? -raw : raw);
    if (decimals != nullptr) *decimals = fraction;
    return true;
  }
  const char* token_start(value& v);
  // Cold paths, out of line: quoted decimals and errors.
  bool decimal_slow(value& v, const Path& at, core::Decimal& out, int* decimals);
  bool fail_type(value& v, const Path& at, simdjson::error_code code, std::string_view expected);
  const char* base_ = nullptr;
  bool failed_ = false;
  std::string error_;
};

// Copies `frame` into the reused `buffer` with simdjson's padding, resets `reader` to it and opens
// the root, which must be one JSON object. False with the error recorded in `reader` otherwise.
bool open_object(simdjson::ondemand::parser& parser, std::vector<char>& buffer,
                 std::string_view frame, Reader& reader, simdjson::ondemand::document& doc,
                 object& root);
// After the root object's fields were read: false (recorded) when another token follows it.
bool at_end(simdjson::ondemand::document& doc, Reader& reader);

}  // namespace tg4::kraken::detail
