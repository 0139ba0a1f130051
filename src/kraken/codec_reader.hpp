#pragma once
// Internal to the codec: typed reads of simdjson On-Demand values that record the first error with
// the field path and byte offset, so a malformed frame is reported precisely without building any
// string on the success path.
#include <simdjson.h>

#include <cstdint>
#include <string>
#include <string_view>

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
  bool decimal(value v, const Path& at, core::Decimal& out, int* decimals = nullptr);
  bool string(value v, const Path& at, std::string_view& out);
  bool string(value v, const Path& at, std::string& out);
  bool int64(value v, const Path& at, std::int64_t& out);
  bool uint64(value v, const Path& at, std::uint64_t& out);
  bool integer(value v, const Path& at, int& out);
  bool boolean(value v, const Path& at, bool& out);
  bool time(value v, const Path& at, core::Timestamp& out);
  bool get_object(value v, const Path& at, object& out);
  bool get_array(value v, const Path& at, array& out);
  // Unwraps one field of an iteration; false (recorded) on a structural error.
  bool next(simdjson::simdjson_result<field> item, const Path& at, field& out);
  bool next(simdjson::simdjson_result<value> item, const Path& at, value& out);
  bool missing(const Path& at, std::string_view name);

  std::size_t offset(const char* p) const { return static_cast<std::size_t>(p - base_); }

 private:
  const char* token_start(value& v);
  const char* base_ = nullptr;
  bool failed_ = false;
  std::string error_;
};

}  // namespace tg4::kraken::detail
