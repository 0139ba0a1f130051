#include "storage/store_url.hpp"

#include <fmt/format.h>
#include <libpq-fe.h>

#include <algorithm>
#include <charconv>
#include <iterator>
#include <memory>
#include <vector>

namespace tg4::storage {
namespace {

constexpr std::string_view kStoreUrlForm =
    "expected sqlite:PATH or postgresql://USER[:PASSWORD]@HOST[:PORT]/DATABASE";

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

// The passwords written in a URL: the userinfo one and any `password=` query parameter.
std::vector<std::string_view> passwords_in(std::string_view url) {
  std::vector<std::string_view> out;
  const auto scheme_end = url.find("://");
  if (scheme_end != std::string_view::npos) {
    const auto authority_start = scheme_end + 3;
    const auto authority_end = url.find_first_of("/?#", authority_start);
    const auto authority = url.substr(authority_start, authority_end == std::string_view::npos
                                                           ? std::string_view::npos
                                                           : authority_end - authority_start);
    const auto at = authority.rfind('@');
    if (at != std::string_view::npos) {
      const auto colon = authority.substr(0, at).find(':');
      if (colon != std::string_view::npos && colon + 1 < at)
        out.push_back(authority.substr(colon + 1, at - colon - 1));
    }
  }
  for (std::size_t pos = url.find("password="); pos != std::string_view::npos;
       pos = url.find("password=", pos + 1)) {
    const auto start = pos + 9;
    const auto end = url.find_first_of("&# ", start);
    const auto value =
        url.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
    if (!value.empty()) out.push_back(value);
  }
  return out;
}

std::string replace_all(std::string text, std::string_view what, std::string_view with) {
  if (what.empty()) return text;
  for (std::size_t pos = text.find(what); pos != std::string::npos;
       pos = text.find(what, pos + with.size())) {
    text.replace(pos, what.size(), with);
  }
  return text;
}

}  // namespace

std::string redact_url(std::string_view url) {
  std::string out(url);
  const auto scheme_end = out.find("://");
  if (scheme_end != std::string::npos) {
    const auto authority_start = scheme_end + 3;
    const auto authority_end = out.find_first_of("/?#", authority_start);
    const auto at =
        out.rfind('@', authority_end == std::string::npos ? std::string::npos : authority_end);
    if (at != std::string::npos && at > authority_start) {
      const auto colon = out.find(':', authority_start);
      if (colon != std::string::npos && colon < at) out.replace(colon + 1, at - colon - 1, "***");
    }
  }
  for (std::size_t pos = out.find("password="); pos != std::string::npos;
       pos = out.find("password=", pos + 1)) {
    const auto start = pos + 9;
    const auto end = out.find_first_of("&# ", start);
    out.replace(start, (end == std::string::npos ? out.size() : end) - start, "***");
  }
  return out;
}

std::string scrub_password(std::string text, std::string_view url) {
  for (const auto secret : passwords_in(url)) text = replace_all(std::move(text), secret, "***");
  return text;
}

core::Result<StoreUrl> parse_store_url(std::string_view url) {
  StoreUrl out;
  out.url = std::string(url);
  out.redacted = redact_url(url);
  if (starts_with(url, "sqlite:")) {
    out.backend = Backend::kSqlite;
    std::string_view path = url.substr(7);
    if (starts_with(path, "//")) path.remove_prefix(2);  // sqlite:///abs/path
    if (path.empty()) {
      return core::Error::of(
          fmt::format("store URL '{}' has no file path: {} (e.g. sqlite:var/tg4.db)", out.redacted,
                      kStoreUrlForm));
    }
    out.path = std::string(path);
    return out;
  }
  if (starts_with(url, "postgresql://") || starts_with(url, "postgres://")) {
    out.backend = Backend::kPostgres;
    char* error = nullptr;
    std::unique_ptr<PQconninfoOption, decltype(&PQconninfoFree)> options(
        PQconninfoParse(out.url.c_str(), &error), &PQconninfoFree);
    if (!options) {
      std::string why = error ? error : "not a valid PostgreSQL URI";
      if (error) PQfreemem(error);
      while (!why.empty() && (why.back() == '\n' || why.back() == ' ')) why.pop_back();
      return core::Error::of(fmt::format("store URL '{}' is malformed: {}; {}", out.redacted,
                                         scrub_password(why, url), kStoreUrlForm));
    }
    // What libpq would only say at connect time, as if the server were unreachable.
    for (const PQconninfoOption* o = options.get(); o->keyword != nullptr; ++o) {
      if (o->val == nullptr) continue;
      const std::string_view key = o->keyword;
      const std::string_view value = o->val;
      if (key == "port") {
        std::size_t start = 0;
        for (;;) {
          const auto comma = value.find(',', start);
          const auto port =
              value.substr(start, comma == std::string_view::npos ? comma : comma - start);
          int number = 0;
          const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), number);
          if (!port.empty() && (ec != std::errc{} || end != port.data() + port.size() ||
                                number < 1 || number > 65535)) {
            return core::Error::of(fmt::format(
                "store URL '{}' is malformed: port '{}' is not a number from 1 to 65535; {}",
                out.redacted, port, kStoreUrlForm));
          }
          if (comma == std::string_view::npos) break;
          start = comma + 1;
        }
      } else if (key == "sslmode") {
        static constexpr std::string_view kModes[] = {"disable", "allow",     "prefer",
                                                      "require", "verify-ca", "verify-full"};
        if (std::find(std::begin(kModes), std::end(kModes), value) == std::end(kModes)) {
          return core::Error::of(fmt::format(
              "store URL '{}' is malformed: sslmode '{}' is not one of disable, allow, prefer, "
              "require, verify-ca, verify-full",
              out.redacted, value));
        }
      }
    }
    return out;
  }
  return core::Error::of(
      fmt::format("store URL '{}' has an unknown scheme: {}", out.redacted, kStoreUrlForm));
}

}  // namespace tg4::storage
