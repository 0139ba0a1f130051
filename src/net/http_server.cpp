#include "net/http_server.hpp"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <map>
#include <optional>
#include <utility>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <boost/url/parse.hpp>
#include <spdlog/spdlog.h>

#include "net/ws_server.hpp"
#include "net/ws_server_detail.hpp"

namespace tg4::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

const std::string* HttpRequest::query_param(std::string_view name) const {
  for (const auto& [k, v] : query) {
    if (k == name) return &v;
  }
  return nullptr;
}

const std::string* HttpRequest::header(std::string_view lower_name) const {
  for (const auto& [k, v] : headers) {
    if (k == lower_name) return &v;
  }
  return nullptr;
}

HttpResponse HttpResponse::json(int status, std::string body) {
  return HttpResponse{status, {{"Content-Type", "application/json"}}, std::move(body)};
}

HttpResponse HttpResponse::text(int status, std::string body) {
  return HttpResponse{status, {{"Content-Type", "text/plain; charset=utf-8"}}, std::move(body)};
}

namespace detail {

struct ServerState {
  ServerState(asio::io_context& io_context, HttpServerOptions opts)
      : io(io_context), options(std::move(opts)), acceptor(asio::make_strand(io_context)) {}

  asio::io_context& io;
  HttpServerOptions options;
  std::map<std::pair<std::string, std::string>, AsyncHttpHandler> routes;  // (method, path)
  std::map<std::string, std::shared_ptr<WsEndpoint>> ws_endpoints;
  AsyncHttpHandler fallback;
  tcp::acceptor acceptor;
  std::shared_ptr<SessionTracker> tracker = std::make_shared<SessionTracker>();
  std::atomic<std::uint16_t> port{0};
  std::atomic<bool> stopping{false};
};

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string endpoint_text(const tcp::socket& socket) {
  beast::error_code ec;
  const auto ep = socket.remote_endpoint(ec);
  if (ec) return "unknown";
  // IPv6 in brackets, so that the port can be told from the address ("[::1]:51234").
  const std::string address = ep.address().to_string();
  return (ep.address().is_v6() ? "[" + address + "]" : address) + ":" + std::to_string(ep.port());
}

// Fills path and query from the request target; false if the target is not an origin-form URL.
bool parse_target(HttpRequest& r) {
  const auto parsed = boost::urls::parse_origin_form(r.target);
  if (!parsed) return false;
  r.path = parsed->path();
  for (const auto& p : parsed->params()) r.query.emplace_back(p.key, p.has_value ? p.value : std::string());
  return true;
}

HttpRequest to_request(const detail::UpgradeRequest& req, std::string remote) {
  HttpRequest r;
  r.method = std::string(req.method_string());
  r.target = std::string(req.target());
  r.remote = std::move(remote);
  for (const auto& field : req) r.headers.emplace_back(lower(field.name_string()), std::string(field.value()));
  r.body = req.body();
  return r;
}

// One HTTP connection: reads a request, answers it, repeats while keep-alive; hands upgrade
// requests on a WebSocket path over to a WsSession. The transport, TCP or TLS, is chosen at run
// time.
class HttpSession final : public Closable, public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(AnyStream&& stream, std::shared_ptr<ServerState> state, std::string remote)
      : stream_(std::move(stream)),
        state_(std::move(state)),
        remote_(std::move(remote)),
        id_(state_->tracker->next_id()) {}

  void run() {
    if (!state_->tracker->add(id_, weak_from_this())) return;
    asio::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->begin(); });
  }

  void shutdown() override {
    asio::post(stream_.get_executor(), [self = shared_from_this()] { self->close(); });
  }

 private:
  void begin() {
    auto* tls = stream_.tls();
    if (!tls) return do_read();
    beast::get_lowest_layer(stream_).expires_after(state_->options.request_timeout);
    tls->async_handshake(asio::ssl::stream_base::server, [self = shared_from_this()](
                                                             beast::error_code ec) {
      if (ec) {
        spdlog::debug("http server: TLS handshake with {} failed: {}", self->remote_, ec.message());
        self->close();
        return;
      }
      self->do_read();
    });
  }

  void do_read() {
    parser_.emplace();
    parser_->body_limit(state_->options.max_body_bytes);
    parser_->header_limit(16 * 1024);
    beast::get_lowest_layer(stream_).expires_after(state_->options.request_timeout);
    http::async_read(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
  }

  void on_read(beast::error_code ec) {
    if (ec == http::error::end_of_stream || ec == asio::error::eof) {
      close();
      return;
    }
    if (ec == http::error::body_limit || ec == http::error::header_limit) {
      keep_alive_ = false;
      write(error_response(413, "request too large: the limit is " +
                                    std::to_string(state_->options.max_body_bytes) + " bytes"),
            11);
      return;
    }
    if (ec) {
      close();
      return;
    }
    auto req = parser_->release();
    version_ = req.version();
    keep_alive_ = req.keep_alive();
    HttpRequest request = to_request(req, remote_);
    if (!parse_target(request)) {
      keep_alive_ = false;
      write(error_response(400, "bad request target '" + request.target + "'"), version_);
      return;
    }
    if (beast::websocket::is_upgrade(req)) {
      const auto it = state_->ws_endpoints.find(request.path);
      if (it == state_->ws_endpoints.end()) {
        keep_alive_ = false;
        write(error_response(404, "no WebSocket endpoint at '" + request.path + "'"), version_);
        return;
      }
      state_->tracker->remove(id_);  // the WebSocket session registers itself
      handed_over_ = true;
      detail::WsSessionSettings settings{state_->options.max_ws_message_bytes, state_->options.max_ws_queue_bytes,
                                         state_->options.server_name};
      detail::start_ws_session(std::move(stream_), std::move(req), std::move(request), it->second, state_->tracker,
                               std::move(settings));
      return;
    }
    route_request(std::move(request));
  }

  void route_request(HttpRequest request) {
    const auto respond = [self = shared_from_this(), version = version_](HttpResponse response) {
      asio::post(self->stream_.get_executor(), [self, version, response = std::move(response)]() mutable {
        self->write(std::move(response), version);
      });
    };
    const auto it = state_->routes.find({request.method, request.path});
    if (it != state_->routes.end()) {
      run_handler(it->second, std::move(request), respond);
      return;
    }
    const bool path_known = std::any_of(state_->routes.begin(), state_->routes.end(),
                                        [&](const auto& r) { return r.first.second == request.path; });
    if (path_known) {
      respond(error_response(405, "method " + request.method + " not allowed on " + request.path));
    } else if (state_->fallback) {
      run_handler(state_->fallback, std::move(request), respond);
    } else {
      respond(error_response(404, "not found: " + request.path));
    }
  }

  HttpResponse error_response(int status, const std::string& message) const {
    if (state_->options.error_response) return state_->options.error_response(status, message);
    return HttpResponse::text(status, message + "\n");
  }

  void run_handler(const AsyncHttpHandler& handler, HttpRequest request,
                   const HttpRespond& respond) const {
    const std::string path = request.path;
    try {
      handler(std::move(request), respond);
    } catch (const std::exception& e) {
      spdlog::error("http server: handler for {} threw: {}", path, e.what());
      respond(error_response(500, "internal error"));
    }
  }

  void write(HttpResponse response, unsigned version) {
    if (closed_) return;
    auto res = std::make_shared<http::response<http::string_body>>();
    res->version(version);
    res->result(static_cast<http::status>(response.status));
    res->set(http::field::server, state_->options.server_name);
    for (auto& [name, value] : response.headers) res->set(name, value);
    res->body() = std::move(response.body);
    res->keep_alive(keep_alive_ && !state_->stopping.load());
    res->prepare_payload();
    http::async_write(stream_, *res,
                      [self = shared_from_this(), res](beast::error_code ec, std::size_t) {
                        if (ec || !res->keep_alive()) {
                          self->close();
                          return;
                        }
                        self->do_read();
                      });
  }

  void close() {
    if (closed_ || handed_over_) return;
    closed_ = true;
    beast::error_code ignored;
    auto& socket = beast::get_lowest_layer(stream_).socket();
    socket.shutdown(tcp::socket::shutdown_both, ignored);
    socket.close(ignored);
    state_->tracker->remove(id_);
  }

  AnyStream stream_;
  std::shared_ptr<ServerState> state_;
  std::string remote_;
  const std::uint64_t id_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  unsigned version_ = 11;
  bool keep_alive_ = true;
  bool closed_ = false;
  bool handed_over_ = false;
};

void do_accept(const std::shared_ptr<ServerState>& state) {
  state->acceptor.async_accept(asio::make_strand(state->io), [state](beast::error_code ec, tcp::socket socket) {
    if (state->stopping.load() || !state->acceptor.is_open()) return;
    if (ec) {
      spdlog::warn("http server: accept failed: {}", ec.message());
    } else {
      std::string remote = endpoint_text(socket);
      AnyStream stream =
          state->options.tls
              ? AnyStream(AnyStream::TlsStream(std::move(socket), *state->options.tls))
              : AnyStream(AnyStream::TcpStream(std::move(socket)));
      std::make_shared<HttpSession>(std::move(stream), state, std::move(remote))->run();
    }
    do_accept(state);
  });
}

}  // namespace
}  // namespace detail

HttpServer::HttpServer(asio::io_context& io, HttpServerOptions options)
    : state_(std::make_shared<detail::ServerState>(io, std::move(options))) {}

HttpServer::~HttpServer() { stop(); }

void HttpServer::route(std::string method, std::string path, HttpHandler handler) {
  route_async(std::move(method), std::move(path),
              [handler = std::move(handler)](HttpRequest request, HttpRespond respond) { respond(handler(request)); });
}

void HttpServer::route_async(std::string method, std::string path, AsyncHttpHandler handler) {
  state_->routes[{std::move(method), std::move(path)}] = std::move(handler);
}

void HttpServer::set_fallback(AsyncHttpHandler handler) { state_->fallback = std::move(handler); }

void HttpServer::add_websocket(std::string path, std::shared_ptr<WsEndpoint> endpoint) {
  state_->ws_endpoints[std::move(path)] = std::move(endpoint);
}

core::Status HttpServer::start() {
  const auto& opts = state_->options;
  const std::string where = opts.address + ":" + std::to_string(opts.port);
  beast::error_code ec;
  const auto address = asio::ip::make_address(opts.address, ec);
  if (ec) return core::Error::of("cannot listen on " + where + ": '" + opts.address + "' is not an IP address");
  const tcp::endpoint endpoint(address, opts.port);
  auto& acceptor = state_->acceptor;
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    beast::error_code ignored;
    acceptor.close(ignored);
    return core::Error::of("cannot listen on " + where + ": " + ec.message() +
                           (ec == asio::error::address_in_use ? " (choose another port, or 0 for any free one)" : ""));
  }
  state_->port = acceptor.local_endpoint().port();
  asio::dispatch(acceptor.get_executor(), [state = state_] { detail::do_accept(state); });
  return {};
}

std::uint16_t HttpServer::port() const { return state_->port.load(); }

bool HttpServer::is_tls() const { return state_->options.tls != nullptr; }

void HttpServer::stop() {
  if (state_->stopping.exchange(true)) return;
  asio::post(state_->acceptor.get_executor(), [state = state_] {
    beast::error_code ignored;
    state->acceptor.close(ignored);
  });
  state_->tracker->close_all();
}

std::size_t HttpServer::session_count() const { return state_->tracker->size(); }

}  // namespace tg4::net
