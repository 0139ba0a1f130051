#pragma once
// HttpClient: blocking HTTP/1.1 and HTTPS requests for REST APIs (Kraken's public and private
// REST), with one timeout per request and a kept-alive connection per host, so paginated backfills
// do not pay a TLS handshake per page. TLS always verifies the peer: the system CA store plus,
// optionally, a CA file or PEM (how tests trust the simulator's self-signed certificate); SNI is
// sent for host names. Also home of the pieces the WebSocket client shares: URL splitting and the
// TLS context.
#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.hpp"

namespace tg4::net {

namespace detail {
class HttpConnection;
}

using ClientHeaders = std::vector<std::pair<std::string, std::string>>;

// Which certificates a client trusts. Verification itself cannot be turned off.
struct ClientTlsOptions {
  bool system_store = true;  // the OS's CA bundle (ca-certificates)
  std::string ca_file;       // an extra CA certificate file (PEM), e.g. a test server's own
  std::string ca_pem;        // an extra CA certificate as PEM text
};

// A client-side TLS 1.2+ context with peer verification on; an Error names an unreadable CA file.
core::Result<std::shared_ptr<boost::asio::ssl::context>> make_client_tls_context(
    const ClientTlsOptions& options);

// "wss://ws.kraken.com/v2" -> {tls, host, port, target}. `schemes` are the plain and the TLS scheme
// accepted ("ws"/"wss" or "http"/"https"); an Error names the URL and what is wrong with it.
struct ClientUrl {
  bool tls = false;
  std::string host;
  std::string port;                 // numeric text; the scheme's default when the URL has none
  std::string target;               // path and query, at least "/"
  std::string host_header() const;  // host, with ":port" when it is not the default
};
core::Result<ClientUrl> parse_client_url(std::string_view url, std::string_view plain_scheme,
                                         std::string_view tls_scheme);
// True for "127.0.0.1", "::1", ...: no SNI is sent for an address (RFC 6066).
bool is_ip_literal(std::string_view host);

struct HttpClientOptions {
  ClientTlsOptions tls;
  std::chrono::milliseconds timeout{10'000};  // connect + send + receive, per request
  std::string user_agent = "tg4";
  std::size_t max_body_bytes = 64u << 20;
};

struct HttpClientRequest {
  std::string method = "GET";
  std::string url;
  ClientHeaders headers;
  std::string body;
  std::optional<std::chrono::milliseconds> timeout;  // overrides the client's
};

struct HttpClientResponse {
  int status = 0;
  ClientHeaders headers;  // names lower-cased
  std::string body;
  const std::string* header(std::string_view lower_name) const;
};

class HttpClient {
 public:
  explicit HttpClient(HttpClientOptions options = {});
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Sends one request and waits for the whole response (any status is a response; an Error is a
  // transport failure: unreachable, TLS refused, timed out, malformed reply), naming method and
  // URL. Thread-safe: concurrent callers take turns on the one connection.
  core::Result<HttpClientResponse> request(const HttpClientRequest& request);
  core::Result<HttpClientResponse> get(std::string url, ClientHeaders headers = {});
  core::Result<HttpClientResponse> post(std::string url, std::string body,
                                        ClientHeaders headers = {});

  // Connections opened so far (a kept-alive connection is reused while the host stays the same).
  std::uint64_t connections_opened() const { return connections_opened_; }

 private:
  core::Result<HttpClientResponse> send_once(const HttpClientRequest& request, const ClientUrl& url,
                                             bool& reused);

  HttpClientOptions options_;
  std::mutex mutex_;
  boost::asio::io_context io_;
  std::shared_ptr<boost::asio::ssl::context> tls_;  // made on first https request
  std::unique_ptr<detail::HttpConnection> connection_;
  std::uint64_t connections_opened_ = 0;
};

}  // namespace tg4::net
