#include "net/any_stream.hpp"

#include <boost/beast/websocket/ssl.hpp>
#include <boost/beast/websocket/teardown.hpp>

namespace tg4::net {

AnyStream::TcpStream& AnyStream::next_layer() noexcept {
  if (auto* tls = std::get_if<TlsStream>(&stream_)) return tls->next_layer();
  return std::get<TcpStream>(stream_);
}

const AnyStream::TcpStream& AnyStream::next_layer() const noexcept {
  if (const auto* tls = std::get_if<TlsStream>(&stream_)) return tls->next_layer();
  return std::get<TcpStream>(stream_);
}

void AnyStream::start_read(const MutableBuffers& buffers, IoHandler handler) {
  if (auto* tls = std::get_if<TlsStream>(&stream_))
    return tls->async_read_some(buffers, std::move(handler));
  std::get<TcpStream>(stream_).async_read_some(buffers, std::move(handler));
}

void AnyStream::start_write(const ConstBuffers& buffers, IoHandler handler) {
  if (auto* tls = std::get_if<TlsStream>(&stream_))
    return tls->async_write_some(buffers, std::move(handler));
  std::get<TcpStream>(stream_).async_write_some(buffers, std::move(handler));
}

void AnyStream::start_teardown(boost::beast::role_type role, DoneHandler handler) {
  using boost::beast::websocket::async_teardown;
  if (auto* tls = std::get_if<TlsStream>(&stream_))
    return async_teardown(role, *tls, std::move(handler));
  async_teardown(role, std::get<TcpStream>(stream_), std::move(handler));
}

void AnyStream::teardown(boost::beast::role_type role, boost::system::error_code& ec) {
  using boost::beast::websocket::teardown;
  if (auto* tls = std::get_if<TlsStream>(&stream_)) return teardown(role, *tls, ec);
  teardown(role, std::get<TcpStream>(stream_), ec);
}

void teardown(boost::beast::role_type role, AnyStream& stream, boost::system::error_code& ec) {
  stream.teardown(role, ec);
}

}  // namespace tg4::net
