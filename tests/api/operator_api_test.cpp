#include "api/operator_api.hpp"

#include <gtest/gtest.h>

namespace tg4::api {
namespace {

namespace json = boost::json;

// A Control that records what it was asked to do (our own interface, not an external component).
class RecordingControl final : public Control {
 public:
  bool ready() const override { return true; }
  core::Result<json::object> status() override { return json::object{{"mode", "paper"}}; }
  core::Result<json::array> positions() override {
    if (kernel_busy) return core::Error::of("the trading kernel did not answer within 5000 ms");
    return json::array{json::object{{"symbol", "BTC/USDT"}}};
  }
  core::Result<json::array> orders(bool open_only) override { return json::array{json::object{{"open_only", open_only}}}; }
  core::Result<json::array> decisions(std::size_t limit) override {
    decisions_limit = limit;
    if (store_gone) return core::Error::of("decisions: sqlite:/var/lib/tg4/tg4.db: no such table: decisions");
    return json::array{};
  }
  core::Result<json::object> risk() override { return json::object{{"trading_state", "ACTIVE"}}; }
  core::Result<json::array> leaderboard() override { return json::array{}; }
  core::Result<json::object> portfolio() override { return json::object{{"equity", "10000"}}; }
  core::Result<json::array> audit(std::size_t limit) override {
    audit_limit = limit;
    return json::array{json::object{{"action", "hodl.bought"}, {"target", "BTC"}}};
  }
  core::Result<json::object> pause(const std::string& reason) override { return act("pause:" + reason); }
  core::Result<json::object> resume() override { return act("resume"); }
  core::Result<json::object> halt(const std::string& reason, bool flatten) override {
    return act("halt:" + reason + (flatten ? ":flatten" : ""));
  }
  core::Result<json::object> flatten(const std::string&) override { return act("flatten"); }
  core::Result<json::object> close_position(const std::string& symbol) override { return act("close:" + symbol); }
  api::ActionResult cancel_order(const std::string& id) override {
    if (id == "missing") return api::ActionResult::missing("unknown order missing");
    if (id == "filled")
      return core::Result<json::object>(core::Error::of("order filled is already FILLED"));
    return act("cancel:" + id);
  }
  core::Result<json::object> risk_reset() override { return act("risk_reset"); }
  api::ActionResult run_agent(const std::string& name) override {
    if (name == "bogus") return api::ActionResult::missing("unknown agent 'bogus'");
    if (name == "sentiment") {
      return core::Result<json::object>(core::Error::of("agent 'sentiment': no sentiment agent"));
    }
    return act("run:" + name);
  }

  std::vector<std::string> actions;
  bool kernel_busy = false;  // views fail as a kernel that does not answer makes them
  bool store_gone = false;   // the decision history cannot be read
  std::size_t audit_limit = 0;
  std::size_t decisions_limit = 0;

 private:
  core::Result<json::object> act(std::string what) {
    actions.push_back(what);
    return json::object{{"done", what}};
  }
};

class OperatorApiTest : public ::testing::Test {
 protected:
  OperatorApiTest()
      : api_(control_,
             Auth({{"ann", Auth::hash_token("viewer-token"), Role::kViewer},
                   {"tom", Auth::hash_token("trader-token"), Role::kTrader},
                   {"ada", Auth::hash_token("admin-token"), Role::kAdmin}}),
             ApiConfig{1024, 10.0, 5.0, std::chrono::seconds(60)}, clock_, wall_,
             [this](const AuditRecord& r) { audit_.push_back(r); }) {}

  HttpResponse call(const std::string& method, const std::string& target, const std::string& token = {},
                    const std::string& body = {}, const std::string& confirm = {}) {
    HttpRequest r{method, target, {}, body, "127.0.0.1"};
    if (!token.empty()) r.headers["authorization"] = "Bearer " + token;
    if (!confirm.empty()) r.headers["x-confirm"] = confirm;
    // Stay under the rate limit unless a test wants otherwise.
    clock_.advance_by(std::chrono::seconds(1));
    wall_.advance_by(std::chrono::seconds(1));
    return api_.handle(r);
  }

  static json::object body(const HttpResponse& r) { return json::parse(r.body).as_object(); }

  core::SimulatedClock clock_{core::Timestamp::from_seconds(1'700'000'000)};  // the node's
  core::SimulatedClock wall_{core::Timestamp::from_seconds(1'800'000'000)};   // a person's
  RecordingControl control_;
  std::vector<AuditRecord> audit_;
  OperatorApi api_;
};

TEST_F(OperatorApiTest, HealthNeedsNoTokenAndCarriesSecurityHeaders) {
  const auto r = call("GET", "/health");
  EXPECT_EQ(r.status, 200);
  const auto has = [&](const std::string& name) {
    return std::any_of(r.headers.begin(), r.headers.end(), [&](const auto& h) { return h.first == name; });
  };
  EXPECT_TRUE(has("X-Content-Type-Options"));
  EXPECT_TRUE(has("Content-Security-Policy"));
  EXPECT_EQ(call("GET", "/ready").status, 200);
}

// A view that cannot be read answers 503 with the reason, never an empty list that reads as "none".
TEST_F(OperatorApiTest, AnUnreadableViewIs503WithTheReason) {
  control_.kernel_busy = true;
  HttpResponse r = call("GET", "/api/v1/positions", "viewer-token");
  EXPECT_EQ(r.status, 503) << r.body;
  EXPECT_NE(r.body.find("did not answer within 5000 ms"), std::string::npos) << r.body;
  control_.store_gone = true;
  r = call("GET", "/api/v1/decisions", "viewer-token");
  EXPECT_EQ(r.status, 503) << r.body;
  EXPECT_NE(r.body.find("no such table: decisions"), std::string::npos) << r.body;
  control_.kernel_busy = control_.store_gone = false;
  r = call("GET", "/api/v1/positions", "viewer-token");
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(json::parse(r.body).as_array().size(), 1u);
}

TEST_F(OperatorApiTest, MissingOrWrongTokenIs401) {
  EXPECT_EQ(call("GET", "/api/v1/status").status, 401);
  EXPECT_EQ(call("GET", "/api/v1/status", "nope").status, 401);
  EXPECT_EQ(call("GET", "/api/v1/status", "viewer-token").status, 200);
}

// RFC 7235: the auth scheme is case-insensitive; the token itself is not.
TEST_F(OperatorApiTest, TheBearerSchemeIsCaseInsensitive) {
  for (const char* scheme : {"bearer ", "BEARER ", "Bearer "}) {
    HttpRequest r{"GET",
                  "/api/v1/status",
                  {{"authorization", std::string(scheme) + "viewer-token"}},
                  {},
                  "127.0.0.1"};
    wall_.advance_by(std::chrono::seconds(1));
    EXPECT_EQ(api_.handle(r).status, 200) << scheme;
  }
  HttpRequest r{
      "GET", "/api/v1/status", {{"authorization", "Bearer VIEWER-TOKEN"}}, {}, "127.0.0.1"};
  EXPECT_EQ(api_.handle(r).status, 401);
}

TEST_F(OperatorApiTest, ViewerCannotActAndAdminOnlyResetIs403ForTrader) {
  auto r = call("POST", "/api/v1/pause", "viewer-token");
  EXPECT_EQ(r.status, 403);
  EXPECT_NE(body(r).at("error").as_string().find("needs trader"), std::string::npos);
  EXPECT_EQ(call("POST", "/api/v1/risk/reset", "trader-token").status, 403);
  EXPECT_TRUE(control_.actions.empty());
  ASSERT_FALSE(audit_.empty());
  EXPECT_EQ(audit_.back().status, 403);
}

TEST_F(OperatorApiTest, OversizedBodyIs413) {
  EXPECT_EQ(call("POST", "/api/v1/pause", "trader-token", std::string(2000, 'x')).status, 413);
}

TEST_F(OperatorApiTest, MalformedJsonIs400NamingTheProblem) {
  auto r = call("POST", "/api/v1/pause", "trader-token", "{\"reason\": ");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(body(r).at("error").as_string().find("malformed JSON"), std::string::npos);
  EXPECT_EQ(call("POST", "/api/v1/pause", "trader-token", "[1,2]").status, 400);
}

TEST_F(OperatorApiTest, RateLimitIs429) {
  HttpRequest r{"GET", "/api/v1/status", {{"authorization", "Bearer viewer-token"}}, {}, "127.0.0.1"};
  int limited = 0;
  for (int i = 0; i < 10; ++i) limited += api_.handle(r).status == 429;  // same instant: burst of 5
  EXPECT_EQ(limited, 5);
}

// Guessing tokens over new connections (a new port each) must meet the same limit as over one:
// the unauthenticated bucket is the peer's address, not address and port.
TEST_F(OperatorApiTest, BadTokensAreLimitedPerAddressWhateverThePort) {
  int limited = 0;
  for (int i = 0; i < 10; ++i) {
    HttpRequest r{"GET",
                  "/api/v1/status",
                  {{"authorization", "Bearer guess" + std::to_string(i)}},
                  {},
                  "10.0.0.7:" + std::to_string(40000 + i)};
    limited += api_.handle(r).status == 429;  // same instant: burst of 5
  }
  EXPECT_EQ(limited, 5);
  HttpRequest v6{"GET", "/api/v1/status", {}, {}, "[::1]:40000"};
  for (int i = 0; i < 5; ++i) {
    v6.remote = "[::1]:" + std::to_string(40000 + i);
    EXPECT_EQ(api_.handle(v6).status, 401);
  }
  v6.remote = "[::1]:41000";
  EXPECT_EQ(api_.handle(v6).status, 429);
  // Another address has its own bucket.
  HttpRequest other{
      "GET", "/api/v1/status", {{"authorization", "Bearer guess"}}, {}, "10.0.0.8:40000"};
  EXPECT_EQ(api_.handle(other).status, 401);
}

// Bad tokens from an address spend its bucket; its readiness probes have their own and still
// answer.
TEST_F(OperatorApiTest, ProbesAreNotLimitedByAnAddresssBadTokens) {
  for (int i = 0; i < 10; ++i) {
    HttpRequest r{
        "GET", "/api/v1/status", {{"authorization", "Bearer guess"}}, {}, "10.0.0.9:40000"};
    (void)api_.handle(r);
  }
  HttpRequest bad{
      "GET", "/api/v1/status", {{"authorization", "Bearer guess"}}, {}, "10.0.0.9:40001"};
  ASSERT_EQ(api_.handle(bad).status, 429) << "the bad tokens' bucket is spent";
  HttpRequest probe{"GET", "/health", {}, {}, "10.0.0.9:40002"};
  EXPECT_EQ(api_.handle(probe).status, 200);
}

// One bucket per peer ever seen would grow for the life of the process: refilled ones are dropped.
TEST_F(OperatorApiTest, IdleRateBucketsAreDropped) {
  for (int i = 0; i < 200; ++i) {
    HttpRequest r{"GET", "/api/v1/status", {}, {}, "10.1." + std::to_string(i) + ".1:5000"};
    EXPECT_EQ(api_.handle(r).status, 401);
  }
  EXPECT_GE(api_.rate_buckets(), 200u);
  wall_.advance_by(std::chrono::seconds(2));  // burst 5 at 10/s: full again after 0.5 s
  HttpRequest r{"GET", "/api/v1/status", {}, {}, "10.2.0.1:5000"};
  EXPECT_EQ(api_.handle(r).status, 401);
  EXPECT_EQ(api_.rate_buckets(), 1u);
}

// Query parameters were checked, JSON bodies not: {"flaten":true} halted without flattening.
// Unknown and mistyped body fields are a 400 naming the field, before any confirmation token is
// handed out.
TEST_F(OperatorApiTest, BodyFieldsAreCheckedAndNamed) {
  const std::vector<std::pair<std::string, std::string>> halts = {
      {R"({"flaten":true})", "unknown body field 'flaten' (this endpoint takes: reason, flatten)"},
      {R"({"flatten":"true"})", "body field 'flatten' must be true or false, got string"},
      {R"({"flatten":1})", "body field 'flatten' must be true or false, got int64"},
      {R"({"reason":5})", "body field 'reason' must be a string, got int64"},
  };
  for (const auto& [sent, said] : halts) {
    const auto r = call("POST", "/api/v1/halt", "trader-token", sent);
    EXPECT_EQ(r.status, 400) << sent << ": " << r.body;
    EXPECT_EQ(body(r).at("error").as_string(), said) << sent;
  }
  auto r = call("POST", "/api/v1/pause", "trader-token", R"({"flatten":true})");
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(body(r).at("error").as_string(),
            "unknown body field 'flatten' (this endpoint takes: reason)");
  EXPECT_TRUE(control_.actions.empty());

  // A reason is a sentence: at most 500 characters (not bytes), as /openapi.json says.
  r = call("POST", "/api/v1/pause", "trader-token",
           "{\"reason\":\"" + std::string(501, 'x') + "\"}");
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(body(r).at("error").as_string(), "body field 'reason' has 501 characters; at most 500");
  std::string accented;
  for (int i = 0; i < 250; ++i) accented += "\u00e9";  // 250 characters, 500 bytes
  r = call("POST", "/api/v1/pause", "trader-token",
           "{\"reason\":\"" + accented + std::string(250, 'x') + "\"}");
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(control_.actions.size(), 1u);
  const auto schema = api_.openapi()
                          .at("paths")
                          .at("/api/v1/halt")
                          .at("post")
                          .at("requestBody")
                          .at("content")
                          .at("application/json")
                          .at("schema")
                          .as_object();
  EXPECT_EQ(schema.at("properties").at("reason").at("maxLength").as_uint64(), 500u);
  EXPECT_FALSE(schema.at("additionalProperties").as_bool());
}

TEST_F(OperatorApiTest, DestructiveActionNeedsItsConfirmationToken) {
  auto first = call("POST", "/api/v1/halt", "trader-token", "{\"flatten\":true}");
  ASSERT_EQ(first.status, 409);
  const std::string token(body(first).at("confirmation_token").as_string());
  EXPECT_TRUE(control_.actions.empty());
  // A token for another request does not work.
  EXPECT_EQ(call("POST", "/api/v1/flatten", "trader-token", "", token).status, 409);
  auto second = call("POST", "/api/v1/halt", "trader-token", "{\"flatten\":true}", token);
  ASSERT_EQ(second.status, 200) << second.body;
  EXPECT_EQ(control_.actions, std::vector<std::string>{"halt:operator halt:flatten"});
  // Single use.
  EXPECT_EQ(call("POST", "/api/v1/halt", "trader-token", "{\"flatten\":true}", token).status, 409);
}

TEST_F(OperatorApiTest, ConfirmationTokensExpire) {
  auto first = call("POST", "/api/v1/flatten", "trader-token");
  const std::string token(body(first).at("confirmation_token").as_string());
  wall_.advance_by(std::chrono::seconds(61));
  EXPECT_EQ(call("POST", "/api/v1/flatten", "trader-token", "", token).status, 409);
  EXPECT_TRUE(control_.actions.empty());
}

// The demo's node clock runs 60 times faster than a person answering "type yes to confirm": the
// token's minute and the rate limit's second are real ones, whatever the node's clock does.
TEST_F(OperatorApiTest, ConfirmationAndRateLimitsFollowTheWallClock) {
  auto first = call("POST", "/api/v1/flatten", "trader-token");
  const std::string token(body(first).at("confirmation_token").as_string());
  clock_.advance_by(std::chrono::minutes(10));  // the simulated market moves on
  HttpRequest confirm{"POST",
                      "/api/v1/flatten",
                      {{"authorization", "Bearer trader-token"}, {"x-confirm", token}},
                      {},
                      "127.0.0.1:1"};
  EXPECT_EQ(api_.handle(confirm).status, 200);
  EXPECT_EQ(control_.actions, std::vector<std::string>{"flatten"});

  HttpRequest r{
      "GET", "/api/v1/status", {{"authorization", "Bearer viewer-token"}}, {}, "127.0.0.1:2"};
  int limited = 0;
  for (int i = 0; i < 10; ++i) {
    clock_.advance_by(std::chrono::seconds(1));  // a simulated second: no real time passed
    limited += api_.handle(r).status == 429;
  }
  EXPECT_EQ(limited, 5);
}

// The audit log names who did what and from where: a trader's to read, not a viewer's.
TEST_F(OperatorApiTest, TheAuditLogIsForTraders) {
  EXPECT_EQ(call("GET", "/api/v1/audit", "viewer-token").status, 403);
  const HttpResponse r = call("GET", "/api/v1/audit", "trader-token");
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find("hodl.bought"), std::string::npos) << r.body;
  EXPECT_EQ(control_.audit_limit, 100u);
}

TEST_F(OperatorApiTest, EveryEndpointAnswers) {
  for (const char* path : {"/api/v1/status", "/api/v1/positions", "/api/v1/orders?open=true", "/api/v1/decisions",
                           "/api/v1/risk", "/api/v1/leaderboard", "/api/v1/portfolio", "/openapi.json"}) {
    EXPECT_EQ(call("GET", path, "viewer-token").status, 200) << path;
  }
  EXPECT_EQ(call("POST", "/api/v1/pause", "trader-token", "{\"reason\":\"lunch\"}").status, 200);
  EXPECT_EQ(call("POST", "/api/v1/resume", "trader-token").status, 200);
  EXPECT_EQ(call("POST", "/api/v1/agents/technical/run", "trader-token").status, 200);
  auto ask = call("POST", "/api/v1/orders/abc/cancel", "trader-token");
  EXPECT_EQ(call("POST", "/api/v1/orders/abc/cancel", "trader-token", "",
                 std::string(body(ask).at("confirmation_token").as_string())).status, 200);
  auto ask2 = call("POST", "/api/v1/positions/BTC%2FUSDT/close", "trader-token");
  EXPECT_EQ(call("POST", "/api/v1/positions/BTC%2FUSDT/close", "trader-token", "",
                 std::string(body(ask2).at("confirmation_token").as_string())).status, 200);
  auto ask3 = call("POST", "/api/v1/risk/reset", "admin-token");
  EXPECT_EQ(call("POST", "/api/v1/risk/reset", "admin-token", "",
                 std::string(body(ask3).at("confirmation_token").as_string())).status, 200);
  EXPECT_EQ(control_.actions, (std::vector<std::string>{"pause:lunch", "resume", "run:technical", "cancel:abc",
                                                        "close:BTC/USDT", "risk_reset"}));
  EXPECT_EQ(call("GET", "/nope", "viewer-token").status, 404);
  EXPECT_EQ(call("DELETE", "/api/v1/status", "viewer-token").status, 405);
}

// The views' query parameters: a row count for the histories, a flag for open orders. Anything else
// is a 400 naming the parameter and what the endpoint takes, so a typo never reads as a filter.
TEST_F(OperatorApiTest, QueryParametersAreCheckedAndNamedInErrors) {
  EXPECT_EQ(call("GET", "/api/v1/audit?limit=5", "trader-token").status, 200);
  EXPECT_EQ(control_.audit_limit, 5u);
  EXPECT_EQ(call("GET", "/api/v1/decisions?limit=1000", "viewer-token").status, 200);
  EXPECT_EQ(control_.decisions_limit, 1000u);
  EXPECT_EQ(call("GET", "/api/v1/decisions", "viewer-token").status, 200);
  EXPECT_EQ(control_.decisions_limit, 100u);
  const auto open_only = [&](const std::string& target) {
    const HttpResponse r = call("GET", target, "viewer-token");
    return r.status == 200
               ? json::parse(r.body).as_array().at(0).as_object().at("open_only").as_bool()
               : false;
  };
  EXPECT_TRUE(open_only("/api/v1/orders?open=true"));
  EXPECT_TRUE(open_only("/api/v1/orders?open"));
  EXPECT_FALSE(open_only("/api/v1/orders?open=false"));
  EXPECT_FALSE(open_only("/api/v1/orders"));

  const auto refused = [&](const std::string& target, const std::string& why) {
    const HttpResponse r = call("GET", target, "trader-token");
    EXPECT_EQ(r.status, 400) << target << ": " << r.body;
    EXPECT_NE(r.body.find(why), std::string::npos) << target << ": " << r.body;
  };
  for (const char* bad : {"0", "1001", "abc", "5x", "-3", ""}) {
    refused(
        std::string("/api/v1/audit?limit=") + bad,
        "query parameter 'limit': '" + std::string(bad) + "' is not a whole number from 1 to 1000");
  }
  refused("/api/v1/audit?limt=5", "unknown query parameter 'limt' (this endpoint takes: limit)");
  refused("/api/v1/status?verbose=1",
          "unknown query parameter 'verbose' (this endpoint takes: none)");
  refused("/api/v1/audit?limit=5&limit=6", "query parameter 'limit' is given twice");
  refused("/api/v1/orders?open=maybe", "query parameter 'open': 'maybe' is not true or false");
  refused("/api/v1/orders?reopen=true", "unknown query parameter 'reopen'");
  EXPECT_EQ(control_.audit_limit, 5u) << "a refused query must not reach the control";
}

TEST_F(OperatorApiTest, FailedActionIs409WithTheReason) {
  auto ask = call("POST", "/api/v1/orders/filled/cancel", "trader-token");
  auto r = call("POST", "/api/v1/orders/filled/cancel", "trader-token", "",
                std::string(body(ask).at("confirmation_token").as_string()));
  EXPECT_EQ(r.status, 409);
  EXPECT_NE(r.body.find("order filled is already FILLED"), std::string::npos);
  const auto off = call("POST", "/api/v1/agents/sentiment/run", "trader-token");
  EXPECT_EQ(off.status, 409);
  EXPECT_NE(off.body.find("no sentiment agent"), std::string::npos) << off.body;
}

// An order or agent that does not exist is not a conflict with the node's state: 404, naming it.
TEST_F(OperatorApiTest, AnUnknownOrderOrAgentIs404) {
  auto ask = call("POST", "/api/v1/orders/missing/cancel", "trader-token");
  auto r = call("POST", "/api/v1/orders/missing/cancel", "trader-token", "",
                std::string(body(ask).at("confirmation_token").as_string()));
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(body(r).at("error").as_string(), "unknown order missing");
  const auto agent = call("POST", "/api/v1/agents/bogus/run", "trader-token");
  EXPECT_EQ(agent.status, 404);
  EXPECT_EQ(body(agent).at("error").as_string(), "unknown agent 'bogus'");
  const auto doc = body(call("GET", "/openapi.json"));
  const auto& cancel = doc.at("paths").at("/api/v1/orders/{id}/cancel").at("post");
  EXPECT_TRUE(cancel.at("responses").as_object().contains("404"));
}

TEST_F(OperatorApiTest, OpenApiListsEveryRoute) {
  const auto doc = body(call("GET", "/openapi.json"));
  const auto& paths = doc.at("paths").as_object();
  EXPECT_TRUE(paths.contains("/api/v1/halt"));
  EXPECT_TRUE(paths.at("/api/v1/halt").as_object().at("post").as_object().at("x-tg4-confirmation-required").as_bool());
  EXPECT_EQ(paths.size(), 19u);
  EXPECT_TRUE(paths.contains("/api/v1/audit"));
  const auto& limit =
      paths.at("/api/v1/audit").as_object().at("get").as_object().at("parameters").as_array().at(0);
  EXPECT_EQ(limit.at("name").as_string(), "limit");
  EXPECT_EQ(limit.at("in").as_string(), "query");
  EXPECT_EQ(limit.at("schema").at("maximum").as_int64(), 1000);
  EXPECT_EQ(paths.at("/api/v1/orders")
                .as_object()
                .at("get")
                .as_object()
                .at("parameters")
                .as_array()
                .at(0)
                .at("name"),
            "open");
  EXPECT_FALSE(paths.at("/api/v1/status").as_object().at("get").as_object().contains("parameters"));
}

}  // namespace
}  // namespace tg4::api
