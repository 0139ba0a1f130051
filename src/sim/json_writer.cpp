#include "sim/json_writer.hpp"

#include <cstdio>

namespace tg4::sim {

void append_escaped(std::string& out, std::string_view text) {
  for (const char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof(buf), "\\u%04x", static_cast<unsigned>(static_cast<unsigned char>(c)));
          out += buf;
        } else {
          out += c;
        }
    }
  }
}

void JsonWriter::before_value() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (!has_items_.empty()) {
    if (has_items_.back()) out_ += ',';
    has_items_.back() = true;
  }
}

JsonWriter& JsonWriter::begin_object() {
  before_value();
  out_ += '{';
  has_items_.push_back(false);
  return *this;
}

JsonWriter& JsonWriter::end_object() {
  out_ += '}';
  has_items_.pop_back();
  return *this;
}

JsonWriter& JsonWriter::begin_array() {
  before_value();
  out_ += '[';
  has_items_.push_back(false);
  return *this;
}

JsonWriter& JsonWriter::end_array() {
  out_ += ']';
  has_items_.pop_back();
  return *this;
}

JsonWriter& JsonWriter::key(std::string_view name) {
  before_value();
  out_ += '"';
  append_escaped(out_, name);
  out_ += "\":";
  after_key_ = true;
  return *this;
}

JsonWriter& JsonWriter::string(std::string_view value) {
  before_value();
  out_ += '"';
  append_escaped(out_, value);
  out_ += '"';
  return *this;
}

JsonWriter& JsonWriter::raw(std::string_view token) {
  before_value();
  out_ += token;
  return *this;
}

JsonWriter& JsonWriter::number(core::Decimal value, int precision) {
  before_value();
  char buf[64];
  out_.append(buf, value.write(buf, precision));
  return *this;
}

JsonWriter& JsonWriter::integer(std::int64_t value) {
  before_value();
  out_ += std::to_string(value);
  return *this;
}

JsonWriter& JsonWriter::unsigned_integer(std::uint64_t value) {
  before_value();
  out_ += std::to_string(value);
  return *this;
}

JsonWriter& JsonWriter::boolean(bool value) {
  before_value();
  out_ += value ? "true" : "false";
  return *this;
}

JsonWriter& JsonWriter::null() {
  before_value();
  out_ += "null";
  return *this;
}

JsonWriter& JsonWriter::float_style(core::Decimal value) { return raw(float_style_text(value)); }

std::string float_style_text(core::Decimal value) {
  if (value.is_zero()) return "0.0";
  const std::string plain = value.abs().to_string();  // shortest exact text, e.g. "0.00005"
  const std::size_t dot = plain.find('.');
  const std::string whole = plain.substr(0, dot);
  const std::string frac = dot == std::string::npos ? std::string() : plain.substr(dot + 1);
  int exponent = 0;
  std::string digits;
  if (whole != "0") {
    exponent = static_cast<int>(whole.size()) - 1;
    digits = whole + frac;
  } else {
    const std::size_t first = frac.find_first_not_of('0');
    exponent = -static_cast<int>(first) - 1;
    digits = frac.substr(first);
  }
  while (digits.size() > 1 && digits.back() == '0') digits.pop_back();
  std::string out;
  if (value.is_negative()) out.push_back('-');
  if (exponent >= -4 && exponent < 16) {
    out.append(plain);
    if (dot == std::string::npos) out.append(".0");
    return out;
  }
  out.push_back(digits[0]);
  if (digits.size() > 1) {
    out.push_back('.');
    out.append(digits, 1, std::string::npos);
  }
  char buf[16];
  const int n = std::snprintf(buf, sizeof(buf), "e%c%02d", exponent < 0 ? '-' : '+', exponent < 0 ? -exponent : exponent);
  out.append(buf, static_cast<std::size_t>(n));
  return out;
}

}  // namespace tg4::sim
