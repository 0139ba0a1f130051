#include "api/operator_api.hpp"

#include <openssl/rand.h>

#include <algorithm>
#include <charconv>
#include <optional>
#include <string_view>

namespace tg4::api {

namespace json = boost::json;

struct OperatorApi::Route {
  std::string method;
  std::string pattern;  // "/api/v1/orders/{id}/cancel"
  Role role;
  bool destructive;
  bool public_route;  // health probes need no token
  std::string summary;
  std::vector<QueryParam> query;  // what its query string may hold; anything else is a 400
  std::function<HttpResponse(Control&, Call&)> handler;
};

namespace {

HttpResponse json_response(int status, const json::value& body) {
  return HttpResponse{status, {{"Content-Type", "application/json"}}, json::serialize(body) + "\n"};
}

HttpResponse error(int status, const std::string& message) {
  return json_response(status, json::object{{"error", message}, {"status", status}});
}

HttpResponse from_result(const core::Result<json::object>& result) {
  if (!result) return error(409, result.error().message);
  return json_response(200, *result);
}

HttpResponse from_result(const ActionResult& action) {
  if (!action.result) return error(action.not_found ? 404 : 409, action.result.error().message);
  return json_response(200, *action.result);
}

// A view that could not be read is unavailable for now (503), with the reason.
template <typename T>
HttpResponse view_response(const core::Result<T>& result) {
  if (!result) return error(503, result.error().message);
  return json_response(200, json::value(*result));
}

void add_security_headers(HttpResponse& r) {
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  r.headers.emplace_back("X-Frame-Options", "DENY");
  r.headers.emplace_back("Cache-Control", "no-store");
  r.headers.emplace_back("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'");
  r.headers.emplace_back("Referrer-Policy", "no-referrer");
}

std::vector<std::string> split_path(const std::string& path) {
  std::vector<std::string> parts;
  std::size_t start = 1;
  while (start <= path.size()) {
    const std::size_t end = path.find('/', start);
    const std::string part = path.substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (!part.empty()) parts.push_back(part);
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return parts;
}

std::string percent_decode(const std::string& text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size()) {
      const std::string hex = text.substr(i + 1, 2);
      char* end = nullptr;
      const long v = std::strtol(hex.c_str(), &end, 16);
      if (end == hex.c_str() + 2) {
        out.push_back(static_cast<char>(v));
        i += 2;
        continue;
      }
    }
    out.push_back(text[i] == '+' ? ' ' : text[i]);
  }
  return out;
}

bool match(const std::string& pattern, const std::string& path, std::map<std::string, std::string>& params) {
  const auto want = split_path(pattern);
  const auto got = split_path(path);
  if (want.size() != got.size()) return false;
  for (std::size_t i = 0; i < want.size(); ++i) {
    if (want[i].size() > 2 && want[i].front() == '{' && want[i].back() == '}') {
      params[want[i].substr(1, want[i].size() - 2)] = percent_decode(got[i]);
    } else if (want[i] != got[i]) {
      return false;
    }
  }
  return true;
}

std::string string_field(const json::object& body, const char* key, const std::string& fallback = {}) {
  if (const auto* v = body.if_contains(key); v && v->is_string()) return std::string(v->as_string());
  return fallback;
}

// A reason is recorded with the action and shown by every later /status and /risk: a sentence,
// not a document.
constexpr std::size_t kMaxReasonChars = 500;
constexpr const char* kHaltPath = "/api/v1/halt";

std::size_t utf8_chars(std::string_view text) {
  return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

// The fields an action's JSON body may hold: "reason" (a string) for every action, and "flatten"
// (true or false) for halt. Anything else is a mistake to refuse, not to ignore: {"flaten":true}
// used to halt without flattening.
std::optional<std::string> body_problem(const std::string& pattern, const json::object& body) {
  const bool halt = pattern == kHaltPath;
  for (const auto& [key, value] : body) {
    const std::string kind(json::to_string(value.kind()));
    if (key == "reason") {
      if (!value.is_string()) return "body field 'reason' must be a string, got " + kind;
      const std::size_t chars = utf8_chars(value.as_string());
      if (chars > kMaxReasonChars) {
        return "body field 'reason' has " + std::to_string(chars) + " characters; at most " +
               std::to_string(kMaxReasonChars);
      }
    } else if (key == "flatten" && halt) {
      if (!value.is_bool()) return "body field 'flatten' must be true or false, got " + kind;
    } else {
      return "unknown body field '" + std::string(key) +
             "' (this endpoint takes: " + (halt ? "reason, flatten" : "reason") + ")";
    }
  }
  return std::nullopt;
}

json::object openapi_body(const std::string& pattern) {
  json::object properties{{"reason", json::object{{"type", "string"},
                                                  {"maxLength", kMaxReasonChars},
                                                  {"description", "recorded with the action"}}}};
  if (pattern == kHaltPath) {
    properties["flatten"] = json::object{
        {"type", "boolean"}, {"default", false}, {"description", "also close every position"}};
  }
  return json::object{
      {"required", false},
      {"content",
       json::object{{"application/json",
                     json::object{{"schema", json::object{{"type", "object"},
                                                          {"properties", std::move(properties)},
                                                          {"additionalProperties", false}}}}}}}};
}

std::string random_token() {
  unsigned char bytes[16];
  RAND_bytes(bytes, sizeof(bytes));
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char b : bytes) {
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 15]);
  }
  return out;
}

constexpr std::size_t kDefaultRows = 100;
constexpr std::size_t kMaxRows = 1000;

// The histories' row count: "?limit=N".
const OperatorApi::QueryParam kRowLimit{"limit", OperatorApi::QueryParam::Kind::kCount,
                                        "how many rows, 1 to " + std::to_string(kMaxRows) +
                                            " (default " + std::to_string(kDefaultRows) + ")"};

std::string names_of(const std::vector<OperatorApi::QueryParam>& takes) {
  if (takes.empty()) return "none";
  std::string out;
  for (const auto& p : takes) out += (out.empty() ? "" : ", ") + p.name;
  return out;
}

// One parameter's value checked against its kind; the error names the parameter and what it takes.
core::Status check_query_value(const OperatorApi::QueryParam& param, const std::string& value) {
  using Kind = OperatorApi::QueryParam::Kind;
  if (param.kind == Kind::kFlag) {
    if (value == "true" || value == "false") return {};
    return core::Error::of("query parameter '" + param.name + "': '" + value +
                           "' is not true or false");
  }
  std::size_t n = 0;
  const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
  if (ec != std::errc() || end != value.data() + value.size() || n < 1 || n > kMaxRows) {
    return core::Error::of("query parameter '" + param.name + "': '" + value +
                           "' is not a whole number from 1 to " + std::to_string(kMaxRows));
  }
  return {};
}

// The query string of `target`, each parameter one the route takes, given once, with a valid value.
// A typo ("?limt=5") is an error rather than a filter silently ignored.
core::Result<std::map<std::string, std::string>> parse_query(
    const std::string& target, const std::vector<OperatorApi::QueryParam>& takes) {
  std::map<std::string, std::string> out;
  const std::size_t mark = target.find('?');
  if (mark == std::string::npos) return out;
  const std::string query = target.substr(mark + 1);
  std::size_t start = 0;
  while (start <= query.size()) {
    const std::size_t end = std::min(query.find('&', start), query.size());
    const std::string part = query.substr(start, end - start);
    start = end + 1;
    if (part.empty()) continue;
    const std::size_t eq = part.find('=');
    const std::string name = percent_decode(part.substr(0, eq));
    // A bare flag ("?open") means true.
    const std::string value =
        eq == std::string::npos ? "true" : percent_decode(part.substr(eq + 1));
    const auto param =
        std::find_if(takes.begin(), takes.end(), [&](const auto& p) { return p.name == name; });
    if (param == takes.end())
      return core::Error::of("unknown query parameter '" + name +
                             "' (this endpoint takes: " + names_of(takes) + ")");
    if (out.contains(name)) return core::Error::of("query parameter '" + name + "' is given twice");
    if (auto ok = check_query_value(*param, value); !ok) return ok.error();
    out[name] = value;
  }
  return out;
}

// The "limit" of a checked query, or the default.
std::size_t rows_of(const std::map<std::string, std::string>& query) {
  const auto it = query.find("limit");
  return it == query.end() ? kDefaultRows : std::stoul(it->second);
}

json::array openapi_parameters(const std::vector<OperatorApi::QueryParam>& takes) {
  json::array out;
  for (const auto& p : takes) {
    json::object schema = p.kind == OperatorApi::QueryParam::Kind::kFlag
                              ? json::object{{"type", "boolean"}, {"default", false}}
                              : json::object{{"type", "integer"},
                                             {"minimum", 1},
                                             {"maximum", kMaxRows},
                                             {"default", kDefaultRows}};
    out.push_back(json::object{{"name", p.name},
                               {"in", "query"},
                               {"required", false},
                               {"description", p.description},
                               {"schema", std::move(schema)}});
  }
  return out;
}

// The address of "host:port", "[v6]:port" or a bare address.
std::string peer_address(const std::string& remote) {
  if (remote.starts_with('[')) {
    const auto close = remote.find(']');
    return close == std::string::npos ? remote : remote.substr(1, close - 1);
  }
  const auto colon = remote.find(':');
  if (colon != std::string::npos && remote.find(':', colon + 1) == std::string::npos) {
    return remote.substr(0, colon);
  }
  return remote;  // an address alone (IPv6 without brackets has no port)
}

}  // namespace

OperatorApi::OperatorApi(Control& control, Auth auth, ApiConfig config, const core::Clock& clock,
                         const core::Clock& wall, AuditSink audit)
    : control_(control),
      auth_(std::move(auth)),
      config_(config),
      clock_(clock),
      wall_(wall),
      audit_(std::move(audit)) {
  using R = Role;
  const auto get = [](auto f) { return [f](Control& c, Call& call) { return view_response(f(c, call)); }; };
  // One route a line or two: method, path, role, destructive, public, summary, query, handler.
  // clang-format off
  routes_ = {
      {"GET", "/health", R::kViewer, false, true, "Liveness: the process answers", {},
       [](Control&, Call&) {
         return json_response(200, json::object{{"status", "ok"}});
       }},
      {"GET", "/ready", R::kViewer, false, true, "Readiness: kernel running, feed up, no symbol's market data stale (market.stale_after)", {},
       [](Control& c, Call&) {
         return c.ready() ? json_response(200, json::object{{"ready", true}})
                          : json_response(503, json::object{{"ready", false}});
       }},
      {"GET", "/openapi.json", R::kViewer, false, true, "This API's OpenAPI 3 description", {},
       [this](Control&, Call&) { return json_response(200, openapi()); }},
      {"GET", "/api/v1/status", R::kViewer, false, false, "Mode, trading state, equity, PnL, feed", {},
       get([](Control& c, Call&) { return c.status(); })},
      {"GET", "/api/v1/positions", R::kViewer, false, false, "Open positions", {},
       get([](Control& c, Call&) { return c.positions(); })},
      {"GET", "/api/v1/orders", R::kViewer, false, false, "Orders; ?open=true for the open ones only",
       {{"open", QueryParam::Kind::kFlag, "only the open orders"}},
       get([](Control& c, Call& call) { return c.orders(call.query.contains("open") && call.query.at("open") == "true"); })},
      {"GET", "/api/v1/decisions", R::kViewer, false, false, "Latest agent and strategy decisions, newest first (?limit=N, default 100)",
       {kRowLimit},
       get([](Control& c, Call& call) { return c.decisions(rows_of(call.query)); })},
      {"GET", "/api/v1/risk", R::kViewer, false, false, "Risk state, breakers, cool-downs", {},
       get([](Control& c, Call&) { return c.risk(); })},
      {"GET", "/api/v1/leaderboard", R::kViewer, false, false, "Model leaderboard", {},
       get([](Control& c, Call&) { return c.leaderboard(); })},
      {"GET", "/api/v1/portfolio", R::kViewer, false, false, "Balances, equity, allocation", {},
       get([](Control& c, Call&) { return c.portfolio(); })},
      {"GET", "/api/v1/audit", R::kTrader, false, false,
       "Audit log, newest first (?limit=N, default 100): operator actions and hodl bag movements",
       {kRowLimit},
       get([](Control& c, Call& call) { return c.audit(rows_of(call.query)); })},
      {"POST", "/api/v1/pause", R::kTrader, false, false,
       "Stop opening positions (exits still run)", {},
       [](Control& c, Call& call) {
         return from_result(c.pause(string_field(call.body, "reason", "operator pause")));
       }},
      {"POST", "/api/v1/resume", R::kTrader, false, false, "Resume after a pause", {},
       [](Control& c, Call&) { return from_result(c.resume()); }},
      {"POST", "/api/v1/halt", R::kTrader, true, false,
       "Halt: cancel all open orders; {\"flatten\":true} also closes positions", {},
       [](Control& c, Call& call) {
         const auto* f = call.body.if_contains("flatten");
         return from_result(c.halt(string_field(call.body, "reason", "operator halt"), f && f->as_bool()));
       }},
      {"POST", "/api/v1/flatten", R::kTrader, true, false, "Close every position at market", {},
       [](Control& c, Call& call) {
         return from_result(c.flatten(string_field(call.body, "reason", "operator flatten")));
       }},
      {"POST", "/api/v1/positions/{symbol}/close", R::kTrader, true, false,
       "Close one position at market", {},
       [](Control& c, Call& call) {
         return from_result(c.close_position(call.params.at("symbol")));
       }},
      {"POST", "/api/v1/orders/{id}/cancel", R::kTrader, true, false, "Cancel one order", {},
       [](Control& c, Call& call) { return from_result(c.cancel_order(call.params.at("id"))); }},
      {"POST", "/api/v1/risk/reset", R::kAdmin, true, false,
       "Reset breakers and a manual-reset HALT", {},
       [](Control& c, Call&) { return from_result(c.risk_reset()); }},
      {"POST", "/api/v1/agents/{name}/run", R::kTrader, false, false, "Run an agent now (regime, technical or sentiment for every symbol; rebalance: a check of the allocation)", {},
       [](Control& c, Call& call) { return from_result(c.run_agent(call.params.at("name"))); }},
  };
  // clang-format on
}

OperatorApi::~OperatorApi() = default;

HttpResponse OperatorApi::error_response(int status, const std::string& message) {
  HttpResponse response = error(status, message);
  add_security_headers(response);
  return response;
}

HttpResponse OperatorApi::starting_response(const HttpRequest& request, const std::string& phase) {
  const std::string path = request.target.substr(0, request.target.find('?'));
  HttpResponse response;
  if (request.method == "GET" && path == "/health") {
    response = json_response(200, json::object{{"status", "starting"}, {"phase", phase}});
  } else if (request.method == "GET" && path == "/ready") {
    response = json_response(503, json::object{{"ready", false}, {"phase", phase}});
  } else {
    response = error(503, "tg4 is starting (" + phase + "); the operator API answers once it runs");
    response.headers.emplace_back("Retry-After", "10");
  }
  add_security_headers(response);
  return response;
}

HttpResponse OperatorApi::handle(const HttpRequest& request) {
  HttpResponse response = dispatch(request);
  add_security_headers(response);
  return response;
}

HttpResponse OperatorApi::dispatch(const HttpRequest& request) {
  const std::string path = request.target.substr(0, request.target.find('?'));
  if (request.body.size() > config_.max_body_bytes) {
    return error(413, "request body of " + std::to_string(request.body.size()) + " bytes exceeds the limit of " +
                          std::to_string(config_.max_body_bytes));
  }
  const Route* route = nullptr;
  std::map<std::string, std::string> params;
  bool path_known = false;
  for (const auto& r : routes_) {
    std::map<std::string, std::string> p;
    if (!match(r.pattern, path, p)) continue;
    path_known = true;
    if (r.method == request.method) {
      route = &r;
      params = std::move(p);
      break;
    }
  }
  if (route == nullptr) {
    return path_known ? error(405, "method " + request.method + " not allowed on " + path)
                      : error(404, "no such endpoint: " + path + " (see /openapi.json)");
  }
  const std::string peer = "ip:" + peer_address(request.remote);
  const Principal anonymous{"anonymous", Role::kViewer};
  std::optional<Principal> principal;
  if (!route->public_route) {
    const auto it = request.headers.find("authorization");
    if (it == request.headers.end()) {
      if (!allow_rate(peer)) return error(429, "rate limit exceeded");
      return error(401, "missing bearer token (Authorization: Bearer <token>)");
    }
    principal = auth_.authenticate(it->second);
    if (!principal) {
      if (!allow_rate(peer)) return error(429, "rate limit exceeded");
      return error(401, "invalid token");
    }
  }
  const Principal& who = principal ? *principal : anonymous;
  // The public probes (/health, /ready) have their own bucket per address: a flood of bad tokens
  // from a host must not make its load balancer's readiness check fail too.
  const std::string bucket = principal             ? "token:" + who.name
                             : route->public_route ? "probe:" + peer
                                                   : peer;
  if (!allow_rate(bucket)) {
    auto r = error(429, "rate limit exceeded: at most " + std::to_string(static_cast<int>(config_.requests_per_second)) +
                            " requests/s");
    r.headers.emplace_back("Retry-After", "1");
    return r;
  }
  if (static_cast<int>(who.role) < static_cast<int>(route->role)) {
    audit(request, path, &who, 403, "forbidden");
    return error(403, std::string("role ") + to_string(who.role) + " may not " + request.method + " " + path +
                          " (needs " + to_string(route->role) + ")");
  }
  auto query = parse_query(request.target, route->query);
  if (!query) return error(400, query.error().message);
  Call call{request, who, std::move(params), std::move(*query), {}};
  if (request.method == "POST" && !request.body.empty()) {
    boost::system::error_code ec;
    json::value parsed = json::parse(request.body, ec);
    if (ec) return error(400, "malformed JSON body: " + ec.message());
    if (!parsed.is_object()) return error(400, "JSON body must be an object, got " + std::string(json::to_string(parsed.kind())));
    call.body = std::move(parsed.as_object());
    if (auto problem = body_problem(route->pattern, call.body)) return error(400, *problem);
  }
  if (route->destructive) return confirm_or_ask(*route, call, path);
  return run(*route, call);
}

HttpResponse OperatorApi::confirm_or_ask(const Route& route, Call& call, const std::string& path) {
  const std::string fingerprint = call.request.method + " " + path + " " + json::serialize(call.body);
  const core::Timestamp now = wall_.now();
  std::unique_lock lock(mutex_);
  std::erase_if(pending_, [&](const auto& kv) { return kv.second.expires < now; });
  const auto header = call.request.headers.find("x-confirm");
  if (header == call.request.headers.end()) {
    const std::string token = random_token();
    pending_[token] = Pending{call.principal.name, fingerprint, now + config_.confirmation_ttl};
    lock.unlock();
    return json_response(409, json::object{
        {"error", "confirmation required: repeat the same request with header X-Confirm: <confirmation_token>"},
        {"status", 409},
        {"confirmation_token", token},
        {"expires_in_seconds", std::chrono::duration_cast<std::chrono::seconds>(config_.confirmation_ttl).count()}});
  }
  const auto it = pending_.find(header->second);
  if (it == pending_.end() || it->second.principal != call.principal.name || it->second.fingerprint != fingerprint) {
    lock.unlock();
    return error(409, "unknown, expired or mismatched confirmation token; request a new one");
  }
  pending_.erase(it);
  lock.unlock();
  return run(route, call);
}

HttpResponse OperatorApi::run(const Route& route, Call& call) {
  HttpResponse response = route.handler(control_, call);
  if (call.request.method == "POST") {
    const std::string path = call.request.target.substr(0, call.request.target.find('?'));
    audit(call.request, path, &call.principal, response.status, response.status < 300 ? "ok" : response.body);
  }
  return response;
}

bool OperatorApi::allow_rate(const std::string& key) {
  const core::Timestamp now = wall_.now();
  std::lock_guard lock(mutex_);
  // A bucket that has refilled is the same as none: dropping those keeps the map as large as the
  // peers of the last few seconds, not every peer since start.
  if (now - buckets_pruned_ >= std::chrono::seconds(1)) {
    buckets_pruned_ = now;
    std::erase_if(buckets_, [&](const auto& kv) {
      const double idle = std::chrono::duration<double>(now - kv.second.at).count();
      return kv.second.tokens + idle * config_.requests_per_second >= config_.burst;
    });
  }
  auto [it, inserted] = buckets_.try_emplace(key, Bucket{config_.burst, now});
  Bucket& b = it->second;
  const double elapsed = std::chrono::duration<double>(now - b.at).count();
  b.tokens = std::min(config_.burst, b.tokens + std::max(0.0, elapsed) * config_.requests_per_second);
  b.at = now;
  if (b.tokens < 1.0) return false;
  b.tokens -= 1.0;
  return true;
}

std::size_t OperatorApi::rate_buckets() {
  std::lock_guard lock(mutex_);
  return buckets_.size();
}

void OperatorApi::audit(const HttpRequest& request, const std::string& path, const Principal* who, int status,
                        const std::string& outcome) {
  if (!audit_) return;
  audit_(AuditRecord{clock_.now(), who ? who->name : "anonymous", who ? to_string(who->role) : "", request.method,
                     path, request.body.substr(0, 4096), status, outcome.substr(0, 1024)});
}

json::object OperatorApi::openapi() const {
  // Built from the router's own table, so the description cannot drift from the code.
  json::object paths;
  for (const Route& r : routes_) {
    std::string method = r.method;
    std::transform(method.begin(), method.end(), method.begin(), ::tolower);
    json::object op{
        {"summary", r.summary},
        {"x-tg4-role", r.public_route ? "none" : to_string(r.role)},
        {"x-tg4-confirmation-required", r.destructive},
        {"responses",
         json::object{
             {"200", json::object{{"description", "OK"}}},
             {"401", json::object{{"description", "missing or invalid token"}}},
             {"400", json::object{{"description", "malformed body or query (which and why)"}}},
             {"403", json::object{{"description", "role too low"}}},
             {"409",
              json::object{{"description",
                            "confirmation required, or the action is refused in the node's state "
                            "(reason)"}}},
             {"413", json::object{{"description", "body over the size cap"}}},
             {"429", json::object{{"description", "rate limited"}}},
             {"503", json::object{{"description", "not available now (reason)"}}}}}};
    if (r.pattern.find("/{id}/") != std::string::npos ||
        r.pattern.find("/{name}/") != std::string::npos) {
      op["responses"].as_object()["404"] =
          json::object{{"description", "no such order or agent (which)"}};
    }
    if (!r.public_route) op["security"] = json::array{json::object{{"bearer", json::array{}}}};
    if (!r.query.empty()) op["parameters"] = openapi_parameters(r.query);
    if (r.method == "POST") op["requestBody"] = openapi_body(r.pattern);
    json::value& entry = paths[r.pattern];
    if (!entry.is_object()) entry.emplace_object();
    entry.as_object()[method] = std::move(op);
  }
  return json::object{
      {"openapi", "3.0.3"},
      {"info", json::object{{"title", "TG4 operator API"},
                            {"version", TG4_VERSION},
                            {"description",
                             "Bearer tokens with roles viewer < trader < admin. Destructive actions answer 409 with "
                             "a confirmation_token; repeat the request with header X-Confirm to execute."}}},
      {"components", json::object{{"securitySchemes",
                                   json::object{{"bearer", json::object{{"type", "http"}, {"scheme", "bearer"}}}}}}},
      {"paths", std::move(paths)}};
}

}  // namespace tg4::api
