#include "kraken/codec_reader.hpp"

#include <fmt/format.h>

#include <limits>
#include <vector>

namespace tg4::kraken::detail {

std::string Path::str() const {
  std::vector<const Path*> chain;
  for (const Path* p = this; p != nullptr; p = p->parent) chain.push_back(p);
  std::string out;
  for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
    const Path& p = **it;
    if (p.index >= 0) {
      out += fmt::format("[{}]", p.index);
    } else if (!p.name.empty()) {
      if (!out.empty()) out += '.';
      out += p.name;
    }
  }
  return out.empty() ? std::string("frame") : out;
}

bool Reader::fail(const Path& at, std::string_view what, const char* where) {
  if (failed_) return false;
  failed_ = true;
  error_ = at.str();
  error_ += ": ";
  error_ += what;
  if (where != nullptr && base_ != nullptr && where >= base_) {
    error_ += fmt::format(" (at byte {})", offset(where));
  }
  return false;
}

bool Reader::fail(const Path& at, simdjson::error_code code, const char* where) {
  return fail(at, simdjson::error_message(code), where);
}

const char* Reader::token_start(value& v) {
  return v.raw_json_token().data();
}

bool Reader::decimal(value v, const Path& at, core::Decimal& out, int* decimals) {
  json_type type{};
  if (auto ec = v.type().get(type)) return fail(at, ec, token_start(v));
  std::string_view text;
  if (type == json_type::number) {
    text = v.raw_json_token();
    // The raw token runs up to the next token: drop the whitespace that may follow it.
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\n' ||
                             text.back() == '\r')) {
      text.remove_suffix(1);
    }
  } else if (type == json_type::string) {
    // Some producers quote decimals to keep their precision; accept the same text.
    if (auto ec = v.get_string().get(text)) return fail(at, ec, token_start(v));
  } else {
    return fail(at, "expected a number", token_start(v));
  }
  auto parsed = core::Decimal::parse(text, decimals);
  if (!parsed) return fail(at, parsed.error().message, text.data());
  out = *parsed;
  return true;
}

bool Reader::string(value v, const Path& at, std::string_view& out) {
  if (auto ec = v.get_string().get(out)) {
    return fail(at,
                ec == simdjson::INCORRECT_TYPE ? "expected a string" : simdjson::error_message(ec),
                token_start(v));
  }
  return true;
}

bool Reader::string(value v, const Path& at, std::string& out) {
  std::string_view view;
  if (!string(v, at, view)) return false;
  out.assign(view.data(), view.size());
  return true;
}

bool Reader::int64(value v, const Path& at, std::int64_t& out) {
  if (auto ec = v.get_int64().get(out)) {
    return fail(
        at, ec == simdjson::INCORRECT_TYPE ? "expected an integer" : simdjson::error_message(ec),
        token_start(v));
  }
  return true;
}

bool Reader::uint64(value v, const Path& at, std::uint64_t& out) {
  if (auto ec = v.get_uint64().get(out)) {
    return fail(at,
                ec == simdjson::INCORRECT_TYPE ? "expected an unsigned integer"
                                               : simdjson::error_message(ec),
                token_start(v));
  }
  return true;
}

bool Reader::integer(value v, const Path& at, int& out) {
  std::int64_t wide = 0;
  const char* where = token_start(v);
  if (!int64(v, at, wide)) return false;
  if (wide < std::numeric_limits<int>::min() || wide > std::numeric_limits<int>::max()) {
    return fail(at, "integer out of range", where);
  }
  out = static_cast<int>(wide);
  return true;
}

bool Reader::boolean(value v, const Path& at, bool& out) {
  if (auto ec = v.get_bool().get(out)) {
    return fail(
        at, ec == simdjson::INCORRECT_TYPE ? "expected true or false" : simdjson::error_message(ec),
        token_start(v));
  }
  return true;
}

bool Reader::time(value v, const Path& at, core::Timestamp& out) {
  std::string_view text;
  if (!string(v, at, text)) return false;
  auto parsed = core::parse_rfc3339(text);
  if (!parsed) return fail(at, parsed.error().message, text.data());
  out = *parsed;
  return true;
}

bool Reader::get_object(value v, const Path& at, object& out) {
  if (auto ec = v.get_object().get(out)) {
    return fail(at,
                ec == simdjson::INCORRECT_TYPE ? "expected an object" : simdjson::error_message(ec),
                token_start(v));
  }
  return true;
}

bool Reader::get_array(value v, const Path& at, array& out) {
  if (auto ec = v.get_array().get(out)) {
    return fail(at,
                ec == simdjson::INCORRECT_TYPE ? "expected an array" : simdjson::error_message(ec),
                token_start(v));
  }
  return true;
}

bool Reader::next(simdjson::simdjson_result<field> item, const Path& at, field& out) {
  if (auto ec = std::move(item).get(out)) return fail(at, ec);
  return true;
}

bool Reader::next(simdjson::simdjson_result<value> item, const Path& at, value& out) {
  if (auto ec = std::move(item).get(out)) return fail(at, ec);
  return true;
}

bool Reader::missing(const Path& at, std::string_view name) {
  return fail(at, fmt::format("missing '{}'", name));
}

}  // namespace tg4::kraken::detail
