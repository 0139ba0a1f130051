#include "storage/redis_url.hpp"

#include <fmt/format.h>

#include <charconv>

#include "storage/store_url.hpp"

namespace tg4::storage {
namespace {

constexpr std::string_view kRedisUrlForm = "expected redis://[[USER]:PASSWORD@]HOST[:PORT][/DB]";

bool parse_int(std::string_view text, int& out) {
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc{} && ptr == text.data() + text.size();
}

// %XX escapes in user names and passwords.
std::string percent_decode(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    int value = 0;
    if (text[i] == '%' && i + 2 < text.size() &&
        std::from_chars(text.data() + i + 1, text.data() + i + 3, value, 16).ptr ==
            text.data() + i + 3) {
      out += static_cast<char>(value);
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

}  // namespace

core::Result<RedisUrl> parse_redis_url(std::string_view url) {
  RedisUrl out;
  out.redacted = redact_url(url);
  auto bad = [&](std::string_view why) {
    return core::Error::of(fmt::format("redis URL '{}' {}; {}", out.redacted, why, kRedisUrlForm));
  };
  if (url.substr(0, 9) == "rediss://") {
    return core::Error::of(
        fmt::format("redis URL '{}' asks for TLS, which this build cannot do: Debian 12 ships "
                    "hiredis 0.14.1 without "
                    "hiredis_ssl. Reach a remote Redis through a TLS tunnel (e.g. stunnel or an "
                    "SSH forward) on 127.0.0.1 and "
                    "use redis://",
                    out.redacted));
  }
  if (url.substr(0, 8) != "redis://") return bad("has an unknown scheme");
  std::string_view rest = url.substr(8);
  const auto path = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, path);
  std::string_view tail = path == std::string_view::npos ? std::string_view{} : rest.substr(path);
  if (const auto at = authority.rfind('@'); at != std::string_view::npos) {
    const auto userinfo = authority.substr(0, at);
    authority = authority.substr(at + 1);
    const auto colon = userinfo.find(':');
    if (colon == std::string_view::npos) {
      out.password = percent_decode(userinfo);  // redis://secret@host, as redis-cli accepts
    } else {
      out.username = percent_decode(userinfo.substr(0, colon));
      out.password = percent_decode(userinfo.substr(colon + 1));
    }
  }
  if (authority.empty()) return bad("has no host");
  if (authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) return bad("has an unclosed IPv6 address");
    out.host = std::string(authority.substr(1, close - 1));
    authority = authority.substr(close + 1);
    if (!authority.empty() && authority.front() != ':')
      return bad("has text after the IPv6 address");
    if (!authority.empty() && !parse_int(authority.substr(1), out.port))
      return bad("has a bad port");
  } else if (const auto colon = authority.rfind(':'); colon != std::string_view::npos) {
    out.host = std::string(authority.substr(0, colon));
    if (!parse_int(authority.substr(colon + 1), out.port)) return bad("has a bad port");
  } else {
    out.host = std::string(authority);
  }
  if (out.port <= 0 || out.port > 65535) return bad("has a port outside 1-65535");
  if (!tail.empty() && tail.front() == '/') {
    const auto db = tail.substr(
        1, tail.find('?') == std::string_view::npos ? std::string_view::npos : tail.find('?') - 1);
    if (!db.empty() && (!parse_int(db, out.db) || out.db < 0))
      return bad("has a database that is not a number");
    tail =
        tail.find('?') == std::string_view::npos ? std::string_view{} : tail.substr(tail.find('?'));
  }
  if (!tail.empty()) return bad("has query options, which are not supported");
  return out;
}

}  // namespace tg4::storage
