#include "net/http_client.hpp"

#include <algorithm>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/url/parse.hpp>
#include <cctype>
#include <filesystem>

#include "core/time.hpp"
#include "net/any_stream.hpp"

namespace tg4::net {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using Clock = std::chrono::steady_clock;

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// Runs the io_context until `done()` or the deadline; on the deadline `cancel()` aborts what is
// pending and the aborted handlers run before returning. True when done in time.
template <class Done, class Cancel>
bool run_until(asio::io_context& io, Clock::time_point deadline, Done done, Cancel cancel) {
  io.restart();
  while (!done()) {
    if (io.run_one_until(deadline) == 0) {
      if (done()) break;
      if (Clock::now() >= deadline) {
        cancel();
        io.restart();
        io.run();
        return false;
      }
      io.restart();
    }
  }
  return true;
}

}  // namespace

core::Result<std::shared_ptr<asio::ssl::context>> make_client_tls_context(
    const ClientTlsOptions& options) {
  auto ctx = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_client);
  beast::error_code ec;
  ctx->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                       asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                       asio::ssl::context::no_tlsv1_1,
                   ec);
  if (options.system_store) {
    ctx->set_default_verify_paths(ec);
    if (ec) return core::Error::of("TLS: cannot load the system CA store: " + ec.message());
  }
  if (!options.ca_file.empty()) {
    if (!std::filesystem::exists(options.ca_file)) {
      return core::Error::of("TLS: CA file '" + options.ca_file + "' does not exist");
    }
    ctx->load_verify_file(options.ca_file, ec);
    if (ec) {
      return core::Error::of("TLS: CA file '" + options.ca_file +
                             "' is not a PEM certificate: " + ec.message());
    }
  }
  if (!options.ca_pem.empty()) {
    ctx->add_certificate_authority(asio::buffer(options.ca_pem), ec);
    if (ec) return core::Error::of("TLS: the CA PEM text is not a certificate: " + ec.message());
  }
  ctx->set_verify_mode(asio::ssl::verify_peer);
  return ctx;
}

bool is_ip_literal(std::string_view host) {
  beast::error_code ec;
  asio::ip::make_address(std::string(host), ec);
  return !ec;
}

std::string ClientUrl::host_header() const {
  const bool default_port = (tls && port == "443") || (!tls && port == "80");
  const std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  return default_port ? h : h + ":" + port;
}

core::Result<ClientUrl> parse_client_url(std::string_view url, std::string_view plain_scheme,
                                         std::string_view tls_scheme) {
  const auto bad = [&](const std::string& why) {
    return core::Error::of("URL '" + std::string(url) + "': " + why + " (expected " +
                           std::string(plain_scheme) + "://HOST[:PORT]/PATH or " +
                           std::string(tls_scheme) + "://...)");
  };
  const auto parsed = boost::urls::parse_uri(url);
  if (!parsed) return bad("not a valid URL");
  const auto& u = *parsed;
  ClientUrl out;
  const std::string scheme = lower(u.scheme());
  if (scheme == tls_scheme) {
    out.tls = true;
  } else if (scheme != plain_scheme) {
    return bad("unsupported scheme '" + scheme + "'");
  }
  out.host = u.host_type() == boost::urls::host_type::ipv6 ? std::string(u.encoded_host_address())
                                                           : std::string(u.host());
  if (!out.host.empty() && out.host.front() == '[')
    out.host = out.host.substr(1, out.host.size() - 2);
  if (out.host.empty()) return bad("no host");
  if (u.has_port()) {
    if (u.port().empty() || u.port_number() == 0) return bad("invalid port");
    out.port = std::to_string(u.port_number());
  } else {
    out.port = out.tls ? "443" : "80";
  }
  out.target = std::string(u.encoded_path());
  if (out.target.empty()) out.target = "/";
  if (u.has_query()) out.target += "?" + std::string(u.encoded_query());
  return out;
}

const std::string* HttpClientResponse::header(std::string_view lower_name) const {
  for (const auto& [k, v] : headers) {
    if (k == lower_name) return &v;
  }
  return nullptr;
}

// One kept-alive connection to host:port, plain or TLS. All calls come from the client's thread
// under its mutex; the io_context is the client's.
namespace detail {

class HttpConnection {
 public:
  virtual ~HttpConnection() = default;
  virtual core::Status open(const ClientUrl& url, Clock::time_point deadline) = 0;
  virtual core::Result<http::response<http::string_body>> exchange(
      http::request<http::string_body>& request, Clock::time_point deadline,
      std::size_t max_body) = 0;
  bool matches(const ClientUrl& url) const {
    return url.tls == key_.tls && url.host == key_.host && url.port == key_.port;
  }

 protected:
  ClientUrl key_;
};

// Over TCP or TLS, chosen at run time (AnyStream): Beast's HTTP code is compiled once for both.
class StreamConnection final : public HttpConnection {
 public:
  StreamConnection(asio::io_context& io, std::shared_ptr<asio::ssl::context> tls)
      : io_(io), tls_(std::move(tls)), stream_(make_stream()) {}

  ~StreamConnection() override {
    beast::error_code ec;
    beast::get_lowest_layer(stream_).socket().shutdown(asio::ip::tcp::socket::shutdown_both, ec);
    beast::get_lowest_layer(stream_).socket().close(ec);
  }

  core::Status open(const ClientUrl& url, Clock::time_point deadline) override {
    key_ = url;
    asio::ip::tcp::resolver resolver(io_);
    beast::error_code result = asio::error::would_block;
    asio::ip::tcp::resolver::results_type endpoints;
    resolver.async_resolve(url.host, url.port, [&](beast::error_code ec, auto r) {
      result = ec;
      endpoints = std::move(r);
    });
    if (!run_until(
            io_, deadline, [&] { return result != asio::error::would_block; },
            [&] { resolver.cancel(); })) {
      return core::Error::of("cannot resolve " + url.host + ": timed out");
    }
    if (result) return core::Error::of("cannot resolve " + url.host + ": " + result.message());

    auto& tcp = beast::get_lowest_layer(stream_);
    tcp.expires_at(deadline);
    result = asio::error::would_block;
    tcp.async_connect(endpoints, [&](beast::error_code ec, const auto&) { result = ec; });
    wait(result);
    if (result) {
      return core::Error::of("cannot connect to " + url.host + ":" + url.port + ": " +
                             describe(result));
    }
    if (auto* tls = stream_.tls()) {
      if (!is_ip_literal(url.host) &&
          !SSL_set_tlsext_host_name(tls->native_handle(), url.host.c_str())) {
        return core::Error::of("TLS: cannot set SNI host name '" + url.host + "'");
      }
      tls->set_verify_callback(asio::ssl::host_name_verification(url.host));
      result = asio::error::would_block;
      tls->async_handshake(asio::ssl::stream_base::client,
                           [&](beast::error_code ec) { result = ec; });
      wait(result);
      if (result) {
        return core::Error::of("TLS handshake with " + url.host + ":" + url.port +
                               " failed: " + describe(result));
      }
    }
    return {};
  }

  core::Result<http::response<http::string_body>> exchange(
      http::request<http::string_body>& request, Clock::time_point deadline,
      std::size_t max_body) override {
    auto& tcp = beast::get_lowest_layer(stream_);
    tcp.expires_at(deadline);
    beast::error_code result = asio::error::would_block;
    http::async_write(stream_, request, [&](beast::error_code ec, std::size_t) { result = ec; });
    wait(result);
    if (result) return core::Error::of("sending the request failed: " + describe(result));

    http::response_parser<http::string_body> parser;
    parser.body_limit(max_body);
    beast::flat_buffer buffer;
    result = asio::error::would_block;
    http::async_read(stream_, buffer, parser,
                     [&](beast::error_code ec, std::size_t) { result = ec; });
    wait(result);
    if (result) return core::Error::of("reading the response failed: " + describe(result));
    tcp.expires_never();
    return parser.release();
  }

 private:
  AnyStream make_stream() {
    if (tls_) return AnyStream(AnyStream::TlsStream(io_, *tls_));
    return AnyStream(AnyStream::TcpStream(io_));
  }

  // Runs until the pending operation completes; tcp_stream's expiry bounds the wait.
  void wait(const beast::error_code& result) {
    io_.restart();
    while (result == asio::error::would_block && io_.run_one() > 0) {
    }
  }

  static std::string describe(const beast::error_code& ec) {
    if (ec == beast::error::timeout) return "timed out";
    return ec.message();
  }

  asio::io_context& io_;
  std::shared_ptr<asio::ssl::context> tls_;
  AnyStream stream_;
};

}  // namespace detail

HttpClient::HttpClient(HttpClientOptions options) : options_(std::move(options)) {}

HttpClient::~HttpClient() = default;

core::Result<HttpClientResponse> HttpClient::get(std::string url, ClientHeaders headers) {
  HttpClientRequest r;
  r.url = std::move(url);
  r.headers = std::move(headers);
  return request(r);
}

core::Result<HttpClientResponse> HttpClient::post(std::string url, std::string body,
                                                  ClientHeaders headers) {
  HttpClientRequest r;
  r.method = "POST";
  r.url = std::move(url);
  r.body = std::move(body);
  r.headers = std::move(headers);
  return request(r);
}

core::Result<HttpClientResponse> HttpClient::request(const HttpClientRequest& request) {
  const auto url = parse_client_url(request.url, "http", "https");
  if (!url) return url.error();
  std::lock_guard lock(mutex_);
  bool reused = false;
  auto response = send_once(request, *url, reused);
  // A kept-alive connection the server closed meanwhile fails on first use; a GET is safe to send
  // again on a fresh one. Other methods are not repeated: the server may have acted on them.
  if (!response && reused && request.method == "GET") response = send_once(request, *url, reused);
  return response;
}

core::Result<HttpClientResponse> HttpClient::send_once(const HttpClientRequest& request,
                                                       const ClientUrl& url, bool& reused) {
  const auto timeout = request.timeout.value_or(options_.timeout);
  const auto deadline = Clock::now() + timeout;
  const auto fail = [&](const std::string& why) {
    connection_.reset();
    std::string where = request.url;
    if (const auto q = where.find('?'); q != std::string::npos) where.resize(q);
    std::string text = request.method + " " + where + ": " + why;
    if (why.find("timed out") != std::string::npos)
      text += " (timeout " + core::duration_text(timeout) + ")";
    return core::Error::of(std::move(text));
  };
  reused = connection_ && connection_->matches(url);
  if (!reused) {
    connection_.reset();
    std::unique_ptr<detail::HttpConnection> c;
    if (url.tls) {
      if (!tls_) {
        auto ctx = make_client_tls_context(options_.tls);
        if (!ctx) return fail(ctx.error().message);
        tls_ = *ctx;
      }
      c = std::make_unique<detail::StreamConnection>(io_, tls_);
    } else {
      c = std::make_unique<detail::StreamConnection>(io_, nullptr);
    }
    if (auto s = c->open(url, deadline); !s) return fail(s.error().message);
    ++connections_opened_;
    connection_ = std::move(c);
  }

  http::request<http::string_body> req;
  const auto verb = http::string_to_verb(request.method);
  if (verb == http::verb::unknown) return fail("unknown HTTP method");
  req.method(verb);
  req.target(url.target);
  req.version(11);
  req.set(http::field::host, url.host_header());
  req.set(http::field::user_agent, options_.user_agent);
  for (const auto& [name, value] : request.headers) req.set(name, value);
  req.keep_alive(true);
  if (!request.body.empty() || verb == http::verb::post || verb == http::verb::put) {
    req.body() = request.body;
    req.prepare_payload();
  }
  auto res = connection_->exchange(req, deadline, options_.max_body_bytes);
  if (!res) return fail(res.error().message);
  HttpClientResponse out;
  out.status = static_cast<int>(res->result_int());
  for (const auto& field : res->base()) {
    out.headers.emplace_back(lower(field.name_string()), std::string(field.value()));
  }
  const bool keep = res->keep_alive();
  out.body = std::move(res->body());
  if (!keep) connection_.reset();
  return out;
}

}  // namespace tg4::net
