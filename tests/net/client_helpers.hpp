#pragma once
// Shared by the net client tests.
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <cstdint>

namespace tg4::testing {

// A 127.0.0.1 port nobody listens on right now (bound, read, released): connecting is refused.
inline std::uint16_t unused_port() {
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor a(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
  return a.local_endpoint().port();
}

}  // namespace tg4::testing
