#pragma once
// OperatorApi: the operator's HTTP API (SPEC §10) as a pure request -> response function, so it is
// testable without sockets and servable by any HTTP server (net::HttpServer in the node). It enforces,
// in this order: body size cap (413), authentication (401), per-principal rate limit (429), role
// (403), JSON validity (400), and a confirmation token for destructive actions (409 with the token,
// then the same request again with `X-Confirm: <token>`). Every action is audited.
#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include <boost/json.hpp>

#include "api/auth.hpp"
#include "api/control.hpp"
#include "core/clock.hpp"

namespace tg4::api {

struct HttpRequest {
  std::string method;  // "GET", "POST"
  std::string target;  // path with optional query
  std::map<std::string, std::string> headers;  // keys lower-case
  std::string body;
  // Peer, for rate limiting before authentication: "127.0.0.1:51234", "[::1]:51234" or an address
  // alone. The port is ignored: each new connection has a new one.
  std::string remote;
};

struct HttpResponse {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

struct ApiConfig {
  std::size_t max_body_bytes = 1024 * 1024;
  double requests_per_second = 10.0;  // sustained, per principal
  double burst = 20.0;
  core::Duration confirmation_ttl = std::chrono::seconds(60);
};

struct AuditRecord {
  core::Timestamp time;
  std::string principal;
  std::string role;
  std::string method;
  std::string path;
  std::string body;
  int status = 0;
  std::string outcome;
};

class OperatorApi {
 public:
  using AuditSink = std::function<void(const AuditRecord&)>;
  // A query parameter a route takes: a flag (true/false) or a row count (1 to 1000).
  struct QueryParam {
    enum class Kind { kFlag, kCount };
    std::string name;
    Kind kind;
    std::string description;
  };

  // `clock` times the audit records (the node's clock, simulated in a demo); `wall` the
  // confirmation tokens and rate limits, which are about a person's and a client's real seconds.
  OperatorApi(Control& control, Auth auth, ApiConfig config, const core::Clock& clock,
              const core::Clock& wall, AuditSink audit);
  ~OperatorApi();  // Route is private to the .cpp
  OperatorApi(const OperatorApi&) = delete;
  OperatorApi& operator=(const OperatorApi&) = delete;

  HttpResponse handle(const HttpRequest& request);  // thread-safe
  // An error as handle() answers it: {"error": message, "status": status} with the security
  // headers. For the answers the HTTP server gives before the API sees a request (a body over the
  // cap is refused while it is read).
  static HttpResponse error_response(int status, const std::string& message);
  // What the API's address answers while the node starts (spool replay, history backfill, warm-up),
  // before the API exists: /health 200 and /ready 503, both naming the phase; anything else 503.
  static HttpResponse starting_response(const HttpRequest& request, const std::string& phase);
  // Rate-limit buckets held now (per token and per peer address); idle ones are dropped, so this
  // stays near the number of recent peers.
  std::size_t rate_buckets();
  boost::json::object openapi() const;

 private:
  struct Route;
  struct Call {
    const HttpRequest& request;
    const Principal& principal;
    std::map<std::string, std::string> params;  // from the path: "{symbol}", "{id}"
    std::map<std::string, std::string> query;   // checked against the route's QueryParams
    boost::json::object body;
  };
  struct Pending {
    std::string principal;
    std::string fingerprint;
    core::Timestamp expires;
  };
  struct Bucket {
    double tokens;
    core::Timestamp at;
  };

  HttpResponse dispatch(const HttpRequest& request);
  bool allow_rate(const std::string& key);
  HttpResponse confirm_or_ask(const Route& route, Call& call, const std::string& path);
  HttpResponse run(const Route& route, Call& call);
  void audit(const HttpRequest& request, const std::string& path, const Principal* who, int status,
             const std::string& outcome);

  Control& control_;
  Auth auth_;
  ApiConfig config_;
  const core::Clock& clock_;
  const core::Clock& wall_;
  AuditSink audit_;
  std::vector<Route> routes_;
  std::mutex mutex_;
  std::map<std::string, Bucket> buckets_;
  core::Timestamp buckets_pruned_{};
  std::map<std::string, Pending> pending_;  // confirmation token -> what it confirms
};

}  // namespace tg4::api
