// AnyStream: the run-time choice of TCP or TLS beneath Beast. Its WebSocket and HTTP use is tested
// through the clients and servers; here, what only it does: hand a long buffer sequence down a few
// buffers at a time, skipping empty ones, without losing or reordering a byte.
#include "net/any_stream.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "net/tls_self_signed.hpp"

namespace tg4::net {
namespace {

namespace asio = boost::asio;
using boost::system::error_code;

TEST(AnyStreamBuffers, TakeTheFirstNonEmptyBuffersUpToTheLimit) {
  const std::string text = "abcdefghijkl";
  std::vector<asio::const_buffer> sequence;
  for (std::size_t i = 0; i < text.size(); ++i) {
    sequence.emplace_back(text.data() + i, i % 3 == 1 ? 0 : 1);  // every third buffer is empty
  }
  const AnyStream::ConstBuffers list(sequence);
  std::string taken;
  for (const auto& b : list) taken.append(static_cast<const char*>(b.data()), b.size());
  EXPECT_EQ(taken, "acdfgijl");  // b, e, h and k were empty
  EXPECT_EQ(static_cast<std::size_t>(list.end() - list.begin()),
            AnyStream::ConstBuffers::kMaxBuffers);
}

TEST(AnyStreamBuffers, AnAllEmptySequenceGivesAnEmptyList) {
  const std::vector<asio::mutable_buffer> sequence(3);
  const AnyStream::MutableBuffers list(sequence);
  EXPECT_EQ(list.begin(), list.end());
}

// Twenty pieces, some empty: more than one call's worth of buffers.
std::vector<std::string> pieces() {
  std::vector<std::string> out;
  for (int i = 0; i < 20; ++i) out.push_back(i % 4 == 3 ? "" : "piece" + std::to_string(i) + ";");
  return out;
}

// Writes `pieces()` as one gather write from `writer`, reads them whole at `reader`.
std::string send_gathered(asio::io_context& io, AnyStream& writer, AnyStream& reader) {
  const auto parts = pieces();
  std::vector<asio::const_buffer> sequence;
  std::string expected;
  for (const auto& p : parts) {
    sequence.push_back(asio::buffer(p));
    expected += p;
  }
  std::optional<error_code> wrote;
  std::optional<error_code> read;
  std::string received(expected.size(), '\0');
  asio::async_write(writer, sequence, [&](error_code ec, std::size_t) { wrote = ec; });
  asio::async_read(reader, asio::buffer(received), [&](error_code ec, std::size_t) { read = ec; });
  io.restart();
  io.run_for(std::chrono::seconds(10));
  EXPECT_TRUE(wrote && !*wrote) << (wrote ? wrote->message() : "write did not finish");
  EXPECT_TRUE(read && !*read) << (read ? read->message() : "read did not finish");
  EXPECT_EQ(received, expected);
  return received;
}

struct ConnectedSockets {
  asio::ip::tcp::socket client;
  asio::ip::tcp::socket server;
};

ConnectedSockets connect_pair(asio::io_context& io) {
  asio::ip::tcp::acceptor acceptor(io, {asio::ip::make_address("127.0.0.1"), 0});
  asio::ip::tcp::socket client(io);
  client.connect(acceptor.local_endpoint());
  asio::ip::tcp::socket server = acceptor.accept();
  return {std::move(client), std::move(server)};
}

TEST(AnyStream, GatherWriteOverTcpArrivesWholeAndInOrder) {
  asio::io_context io;
  auto sockets = connect_pair(io);
  AnyStream client(AnyStream::TcpStream(std::move(sockets.client)));
  AnyStream server(AnyStream::TcpStream(std::move(sockets.server)));
  EXPECT_EQ(client.tls(), nullptr);
  send_gathered(io, client, server);
  send_gathered(io, server, client);
}

TEST(AnyStream, GatherWriteOverTlsArrivesWholeAndInOrder) {
  asio::io_context io;
  const auto certificate = generate_self_signed_certificate().value();
  const auto server_tls = make_server_tls_context(certificate).value();
  asio::ssl::context client_tls(asio::ssl::context::tls_client);
  client_tls.add_certificate_authority(asio::buffer(certificate.certificate_pem));
  client_tls.set_verify_mode(asio::ssl::verify_peer);

  auto sockets = connect_pair(io);
  AnyStream client(AnyStream::TlsStream(std::move(sockets.client), client_tls));
  AnyStream server(AnyStream::TlsStream(std::move(sockets.server), *server_tls));
  ASSERT_NE(client.tls(), nullptr);
  std::optional<error_code> client_done;
  std::optional<error_code> server_done;
  client.tls()->async_handshake(asio::ssl::stream_base::client,
                                [&](error_code ec) { client_done = ec; });
  server.tls()->async_handshake(asio::ssl::stream_base::server,
                                [&](error_code ec) { server_done = ec; });
  io.run_for(std::chrono::seconds(10));
  ASSERT_TRUE(client_done && !*client_done)
      << (client_done ? client_done->message() : "no handshake");
  ASSERT_TRUE(server_done && !*server_done)
      << (server_done ? server_done->message() : "no handshake");

  send_gathered(io, client, server);
  send_gathered(io, server, client);
  // The lowest layer is the TCP stream under TLS.
  EXPECT_TRUE(boost::beast::get_lowest_layer(client).socket().is_open());
}

}  // namespace
}  // namespace tg4::net
