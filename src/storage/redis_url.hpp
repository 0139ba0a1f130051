#pragma once
// Redis URLs (SPEC §12 `--redis`): redis://[[USER]:PASSWORD@]HOST[:PORT][/DB]. TLS (rediss://) is
// refused with an explanation: Debian 12's hiredis is 0.14.1, which has no hiredis_ssl.
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace tg4::storage {

struct RedisUrl {
  std::string host = "127.0.0.1";
  int port = 6379;
  std::string username;  // Redis 6 ACL user; empty: AUTH with the password only
  std::string password;
  int db = 0;
  std::string redacted;
};

core::Result<RedisUrl> parse_redis_url(std::string_view url);

}  // namespace tg4::storage
