#pragma once
// The text form of every column type, shared by the backends: what PostgreSQL's COPY and parameters
// receive, and how query results (always read as text) become row members again.
#include <cstdint>
#include <string>
#include <string_view>

#include "core/decimal.hpp"
#include "core/events.hpp"
#include "core/result.hpp"
#include "core/time.hpp"

namespace tg4::storage {

const char* side_text(core::Side s);
core::Result<core::Side> parse_side(std::string_view text);
core::Result<core::OrderType> parse_order_type(std::string_view text);
core::Result<core::OrderStatus> parse_order_status(std::string_view text);

// Appends the value's text (no quoting or escaping). Timestamps are RFC 3339 with microseconds
// (what PostgreSQL keeps); a zero Timestamp is NULL and never reaches here.
void append_text(std::string& out, const std::string& v);
void append_text(std::string& out, core::Decimal v);
void append_text(std::string& out, core::Timestamp v);
void append_text(std::string& out, std::int64_t v);
void append_text(std::string& out, std::int32_t v);
void append_text(std::string& out, double v);
void append_text(std::string& out, bool v);
void append_text(std::string& out, core::Side v);
void append_text(std::string& out, core::OrderType v);
void append_text(std::string& out, core::OrderStatus v);

// Parses a column read back as text. Timestamps come back as integer nanoseconds since the epoch
// (both backends select them that way). `column` names the column in the Error.
core::Status parse_text(std::string_view text, std::string& v, std::string_view column);
core::Status parse_text(std::string_view text, core::Decimal& v, std::string_view column);
core::Status parse_text(std::string_view text, core::Timestamp& v, std::string_view column);
core::Status parse_text(std::string_view text, std::int64_t& v, std::string_view column);
core::Status parse_text(std::string_view text, std::int32_t& v, std::string_view column);
core::Status parse_text(std::string_view text, double& v, std::string_view column);
core::Status parse_text(std::string_view text, bool& v, std::string_view column);
core::Status parse_text(std::string_view text, core::Side& v, std::string_view column);
core::Status parse_text(std::string_view text, core::OrderType& v, std::string_view column);
core::Status parse_text(std::string_view text, core::OrderStatus& v, std::string_view column);

// True for the types stored as NULL when "unset" (only Timestamp: zero).
inline bool is_null_value(core::Timestamp t) {
  return t.ns == 0;
}
template <typename T>
bool is_null_value(const T&) {
  return false;
}

}  // namespace tg4::storage
