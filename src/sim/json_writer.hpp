#pragma once
// JsonWriter: appends JSON text with exact number tokens. Kraken writes prices and quantities as bare
// JSON numbers with the instrument's precision ("price":62807.0,"qty":0.00000000) and clients compute
// the book checksum from those digits, so numbers here come from Decimal::write, never from double.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/decimal.hpp"

namespace tg4::sim {

class JsonWriter {
 public:
  explicit JsonWriter(std::size_t reserve = 256) { out_.reserve(reserve); }

  JsonWriter& begin_object();
  JsonWriter& end_object();
  JsonWriter& begin_array();
  JsonWriter& end_array();
  JsonWriter& key(std::string_view name);
  JsonWriter& string(std::string_view value);
  JsonWriter& raw(std::string_view token);  // a pre-formatted token, written as is
  JsonWriter& number(core::Decimal value, int precision);  // fixed `precision` digits
  JsonWriter& integer(std::int64_t value);
  JsonWriter& unsigned_integer(std::uint64_t value);
  JsonWriter& boolean(bool value);
  JsonWriter& null();
  // Number in the shortest form a Python float would print (1e-08, 5e-05, 0.5, 1.0): the style of
  // Kraken's `instrument` channel for increments and minimums.
  JsonWriter& float_style(core::Decimal value);

  const std::string& str() const { return out_; }
  std::string take() { return std::move(out_); }

 private:
  void before_value();
  std::string out_;
  std::vector<bool> has_items_;  // per open container
  bool after_key_ = false;
};

// Python-float-style text of a decimal, see JsonWriter::float_style.
std::string float_style_text(core::Decimal value);
// Appends `text` JSON-escaped (without quotes).
void append_escaped(std::string& out, std::string_view text);

}  // namespace tg4::sim
