#pragma once
// AnyStream: a byte stream that is plain TCP or TLS over TCP, chosen at run time.
//
// Why it exists: Beast's WebSocket and HTTP operations are templates over the stream beneath them,
// and over a TLS stream each of them also instantiates OpenSSL's I/O loop once more. With one
// session template per transport, each of our Beast sources compiled all of it twice, and the four
// of them were a quarter of a clean build. Over AnyStream, Beast's operations are instantiated
// once; the transports' own reads and writes are instantiated once too, in any_stream.cpp, behind a
// type-erased completion handler. The price at run time is one small allocation per read or write.
//
// It meets Beast's AsyncStream requirements, and `beast::get_lowest_layer` reaches the TCP stream
// through next_layer(), so deadlines, connects and closes work on it as on a tcp_stream.
#include <array>
#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/beast/core/role.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/system/error_code.hpp>
#include <cstddef>
#include <variant>

namespace tg4::net {

namespace detail {

// The first buffers of a sequence, copied into a fixed array (no allocation). A read or write may
// move fewer bytes than asked, so buffers past the array wait for the next call; empty ones are
// skipped so that a list is empty only when the whole rest of the sequence is.
template <class Buffer>
class BufferList {
 public:
  static constexpr std::size_t kMaxBuffers = 8;

  template <class Sequence>
  explicit BufferList(const Sequence& sequence) {
    const auto end = boost::asio::buffer_sequence_end(sequence);
    for (auto it = boost::asio::buffer_sequence_begin(sequence); it != end && count_ < kMaxBuffers;
         ++it) {
      const Buffer buffer(*it);
      if (buffer.size() != 0) items_[count_++] = buffer;
    }
  }
  const Buffer* begin() const { return items_.data(); }
  const Buffer* end() const { return items_.data() + count_; }

 private:
  std::array<Buffer, kMaxBuffers> items_{};
  std::size_t count_ = 0;
};

}  // namespace detail

class AnyStream {
 public:
  using TcpStream = boost::beast::tcp_stream;
  using TlsStream = boost::beast::ssl_stream<boost::beast::tcp_stream>;
  using executor_type = TcpStream::executor_type;
  // A handler erased to one type, with its executor bound beside it: Boost 1.81's erased executor
  // cannot be required to never block, which Asio's and Beast's posts of a completion ask of it.
  template <class Signature>
  using Erased =
      boost::asio::executor_binder<boost::asio::any_completion_handler<Signature>, executor_type>;
  using IoHandler = Erased<void(boost::system::error_code, std::size_t)>;
  using DoneHandler = Erased<void(boost::system::error_code)>;
  using MutableBuffers = detail::BufferList<boost::asio::mutable_buffer>;
  using ConstBuffers = detail::BufferList<boost::asio::const_buffer>;

  explicit AnyStream(TcpStream tcp) : stream_(std::move(tcp)) {}
  explicit AnyStream(TlsStream tls) : stream_(std::move(tls)) {}

  executor_type get_executor() noexcept { return next_layer().get_executor(); }
  // The TCP stream at the bottom, whichever the transport.
  TcpStream& next_layer() noexcept;
  const TcpStream& next_layer() const noexcept;
  // The TLS layer (for its handshake, SNI and verification), or nullptr over plain TCP.
  TlsStream* tls() noexcept { return std::get_if<TlsStream>(&stream_); }

  template <class MutableBufferSequence, class ReadToken>
  auto async_read_some(const MutableBufferSequence& buffers, ReadToken&& token) {
    return boost::asio::async_initiate<ReadToken, void(boost::system::error_code, std::size_t)>(
        [this](auto handler, const MutableBufferSequence& b) {
          start_read(MutableBuffers(b), erase<IoHandler>(std::move(handler)));
        },
        token, buffers);
  }

  template <class ConstBufferSequence, class WriteToken>
  auto async_write_some(const ConstBufferSequence& buffers, WriteToken&& token) {
    return boost::asio::async_initiate<WriteToken, void(boost::system::error_code, std::size_t)>(
        [this](auto handler, const ConstBufferSequence& b) {
          start_write(ConstBuffers(b), erase<IoHandler>(std::move(handler)));
        },
        token, buffers);
  }

  // What a WebSocket close does to the transport: a TLS close_notify first, then the TCP teardown.
  void start_teardown(boost::beast::role_type role, DoneHandler handler);
  void teardown(boost::beast::role_type role, boost::system::error_code& ec);

  // `handler` erased, still completing on its own executor (or ours when it names none).
  template <class ErasedHandler, class Handler>
  ErasedHandler erase(Handler&& handler) {
    const executor_type executor = boost::asio::get_associated_executor(handler, get_executor());
    return ErasedHandler(boost::asio::executor_arg, executor,
                         typename ErasedHandler::target_type(std::forward<Handler>(handler)));
  }

 private:
  void start_read(const MutableBuffers& buffers, IoHandler handler);
  void start_write(const ConstBuffers& buffers, IoHandler handler);

  std::variant<TcpStream, TlsStream> stream_;
};

// Found by argument-dependent lookup when a websocket::stream<AnyStream> closes.
void teardown(boost::beast::role_type role, AnyStream& stream, boost::system::error_code& ec);

template <class TeardownHandler>
void async_teardown(boost::beast::role_type role, AnyStream& stream, TeardownHandler&& handler) {
  stream.start_teardown(
      role, stream.erase<AnyStream::DoneHandler>(std::forward<TeardownHandler>(handler)));
}

}  // namespace tg4::net
