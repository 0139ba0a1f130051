#include "kraken/codec_reader.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <limits>
#include <optional>
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

bool Reader::fail_type(value& v, const Path& at, simdjson::error_code code,
                       std::string_view expected) {
  const char* where = token_start(v);
  if (code == simdjson::INCORRECT_TYPE) return fail(at, expected, where);
  return fail(at, simdjson::error_message(code), where);
}

bool Reader::decimal_slow(value& v, const Path& at, core::Decimal& out, int* decimals) {
  json_type type{};
  if (auto ec = v.type().get(type)) return fail(at, ec, token_start(v));
  if (type != json_type::string) return fail(at, "expected a number", token_start(v));
  // Some producers quote decimals to keep their precision; accept the same text.
  std::string_view text;
  if (auto ec = v.get_string().get(text)) return fail(at, ec, token_start(v));
  auto parsed = core::Decimal::parse(text, decimals);
  if (!parsed) return fail(at, parsed.error().message, text.data());
  out = *parsed;
  return true;
}

bool Reader::integer(value& v, const Path& at, int& out) {
  std::int64_t wide = 0;
  const char* where = token_start(v);
  if (!int64(v, at, wide)) return false;
  if (wide < std::numeric_limits<int>::min() || wide > std::numeric_limits<int>::max()) {
    return fail(at, "integer out of range", where);
  }
  out = static_cast<int>(wide);
  return true;
}

namespace {

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
constexpr std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

// "2023-10-06T17:35:55.440295Z" exactly (Kraken's form); nullopt for anything else.
std::optional<core::Timestamp> fast_rfc3339(std::string_view s) {
  if (s.size() != 27 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' ||
      s[16] != ':' || s[19] != '.' || s[26] != 'Z') {
    return std::nullopt;
  }
  std::int64_t fields[7] = {};
  constexpr int kStart[7] = {0, 5, 8, 11, 14, 17, 20};
  constexpr int kLength[7] = {4, 2, 2, 2, 2, 2, 6};
  for (int f = 0; f < 7; ++f) {
    for (int i = 0; i < kLength[f]; ++i) {
      const char c = s[static_cast<std::size_t>(kStart[f] + i)];
      if (c < '0' || c > '9') return std::nullopt;
      fields[f] = fields[f] * 10 + (c - '0');
    }
  }
  if (fields[1] < 1 || fields[1] > 12 || fields[2] < 1 || fields[2] > 31 || fields[3] > 23 ||
      fields[4] > 59 || fields[5] > 60) {
    return std::nullopt;  // the general parser words the error
  }
  const std::int64_t days = days_from_civil(fields[0], static_cast<unsigned>(fields[1]),
                                            static_cast<unsigned>(fields[2]));
  const std::int64_t seconds = days * 86'400 + fields[3] * 3600 + fields[4] * 60 + fields[5];
  return core::Timestamp{seconds * 1'000'000'000 + fields[6] * 1'000};
}

}  // namespace

namespace {

// Timestamp holds nanoseconds in 64 bits: years 1678..2261. Checked before parsing, since the
// arithmetic of a year beyond would overflow.
bool year_in_range(std::string_view text) {
  if (text.size() < 4) return true;  // the parser reports what is wrong
  int year = 0;
  for (int i = 0; i < 4; ++i) {
    const char c = text[static_cast<std::size_t>(i)];
    if (c < '0' || c > '9') return true;
    year = year * 10 + (c - '0');
  }
  return year >= 1678 && year <= 2261;
}

}  // namespace

bool Reader::time(value& v, const Path& at, core::Timestamp& out) {
  // Kraken's times need no unescaping: read the raw token between its quotes when it has no '\\'.
  std::string_view raw = v.raw_json_token();
  while (!raw.empty() && is_space(raw.back())) raw.remove_suffix(1);
  if (raw.size() >= 2 && raw.front() == '"' && raw.back() == '"' &&
      raw.find('\\') == std::string_view::npos) {
    const auto inner = raw.substr(1, raw.size() - 2);
    if (!year_in_range(inner)) return fail(at, "time outside the years 1678..2261", inner.data());
    if (const auto fast = fast_rfc3339(inner)) {
      out = *fast;
      return true;
    }
  }
  std::string_view text;
  if (!string(v, at, text)) return false;
  if (!year_in_range(text)) return fail(at, "time outside the years 1678..2261", text.data());
  auto parsed = core::parse_rfc3339(text);
  if (!parsed) return fail(at, parsed.error().message, text.data());
  out = *parsed;
  return true;
}

bool Reader::missing(const Path& at, std::string_view name) {
  return fail(at, fmt::format("missing '{}'", name));
}

bool open_object(simdjson::ondemand::parser& parser, std::vector<char>& buffer,
                 std::string_view frame, Reader& reader, simdjson::ondemand::document& doc,
                 object& root) {
  // simdjson reads up to SIMDJSON_PADDING bytes past the end: copy into a padded, reused buffer.
  const std::size_t capacity = frame.size() + simdjson::SIMDJSON_PADDING;
  if (buffer.size() < capacity) buffer.resize(std::max(capacity, buffer.size() * 2));
  std::memcpy(buffer.data(), frame.data(), frame.size());
  std::memset(buffer.data() + frame.size(), 0, simdjson::SIMDJSON_PADDING);
  reader.reset(buffer.data());
  const Path at{};
  if (auto ec = parser.iterate(buffer.data(), frame.size(), buffer.size()).get(doc)) {
    return reader.fail(at, ec);
  }
  if (auto ec = doc.get_object().get(root)) {
    // simdjson checks the root's closing brace up front: a truncated frame and one with a scalar
    // after the object both end up here.
    const char* what = ec == simdjson::INCORRECT_TYPE ? "not a JSON object"
                       : ec == simdjson::INCOMPLETE_ARRAY_OR_OBJECT
                           ? "truncated object or trailing content"
                           : simdjson::error_message(ec);
    return reader.fail(at, what, buffer.data());
  }
  return true;
}

bool at_end(simdjson::ondemand::document& doc, Reader& reader) {
  // Anything left after the root object (simdjson 3.0 has no document::at_end): a location means
  // another token follows.
  if (const char* where = nullptr; doc.current_location().get(where) == simdjson::SUCCESS) {
    return reader.fail(Path{}, "trailing content after the object", where);
  }
  return true;
}

}  // namespace tg4::kraken::detail
