#pragma once
// HOST:PORT addresses of the servers tg4 listens on (api.address, metrics.address, --metrics,
// --api). One parser for the config check, the command line and the servers, so that a port the
// check accepted is the port that is bound (70000 used to bind 70000 - 65536).
#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace tg4::core {

struct HostPort {
  std::string host;        // IPv6 without its brackets
  std::uint16_t port = 0;  // 0: any free port
};

// "127.0.0.1:8080", "localhost:0", "[::1]:9464". The error says what is wrong with `address`
// (not naming where it came from: the caller does).
Result<HostPort> parse_host_port(std::string_view address);

}  // namespace tg4::core
