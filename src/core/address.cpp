#include "core/address.hpp"

#include <charconv>

namespace tg4::core {

Result<HostPort> parse_host_port(std::string_view address) {
  const std::string text(address);
  const auto colon = address.rfind(':');
  if (colon == std::string_view::npos || colon == 0) {
    return Error::of("'" + text + "' is not HOST:PORT (e.g. 127.0.0.1:8080)");
  }
  HostPort out;
  std::string_view host = address.substr(0, colon);
  if (host.front() == '[') {
    if (host.size() < 3 || host.back() != ']') {
      return Error::of("'" + text + "': an IPv6 host is written in brackets, e.g. [::1]:8080");
    }
    host = host.substr(1, host.size() - 2);
  } else if (host.find(':') != std::string_view::npos) {
    return Error::of("'" + text + "': an IPv6 host is written in brackets, e.g. [::1]:8080");
  }
  out.host = std::string(host);
  const std::string_view port = address.substr(colon + 1);
  unsigned value = 0;
  const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (port.empty() || ec != std::errc{} || end != port.data() + port.size() || value > 65535) {
    return Error::of("'" + text + "': port '" + std::string(port) +
                     "' is not a number in 0..65535 (0: any free one)");
  }
  out.port = static_cast<std::uint16_t>(value);
  return out;
}

}  // namespace tg4::core
