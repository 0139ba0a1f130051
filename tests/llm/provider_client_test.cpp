// ProviderClient against FakeLlmServer over real HTTP on 127.0.0.1: both wire formats, what is
// sent, tokens and exact cost, retries on 429/5xx only (Retry-After honoured), errors that name the
// provider without its key, bodies that are not the wire format, timeouts, the requests-per-minute
// limit, concurrent callers and the metrics.
#include "llm/provider_client.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <prometheus/text_serializer.h>

#include <atomic>
#include <boost/json.hpp>
#include <thread>

#include "llm/json_object.hpp"
#include "llm/llm_metrics.hpp"
#include "net/client_helpers.hpp"
#include "support/eventually.hpp"
#include "support/fake_llm_server.hpp"

namespace tg4::llm {
namespace {

using namespace std::chrono_literals;
using namespace core::literals;
using testing::FakeLlmServer;
using ::testing::HasSubstr;
using testing::LlmBehaviour;
using ::testing::Not;

constexpr const char* kKey = "sk-test-0123456789abcdef";

core::LlmProvider openai_at(const FakeLlmServer& server, std::string key = kKey) {
  core::LlmProvider p;
  p.name = "fake-openai";
  p.kind = core::LlmProviderKind::kOpenAi;
  p.base_url = server.base_url_openai();
  p.model = "gpt-test";
  p.api_key = std::move(key);
  p.input_usd_per_mtok = 0.15_d;
  p.output_usd_per_mtok = 0.60_d;
  return p;
}

core::LlmProvider anthropic_at(const FakeLlmServer& server) {
  core::LlmProvider p;
  p.name = "fake-claude";
  p.kind = core::LlmProviderKind::kAnthropic;
  p.base_url = server.base_url_anthropic();
  p.model = "claude-test";
  p.api_key = kKey;
  p.input_usd_per_mtok = 3_d;
  p.output_usd_per_mtok = 15_d;
  return p;
}

ClientSettings quick() {
  ClientSettings s;
  s.timeout = 5s;
  s.max_retries = 2;
  s.retry_backoff = 1ms;
  return s;
}

ChatRequest question(int max_tokens = 300, bool json = true) {
  ChatRequest r;
  r.system = "You are a trading assistant. Reply in JSON.";
  r.user = "BTC/USD closed at 64000.";
  r.max_tokens = max_tokens;
  r.json = json;
  return r;
}

// The answer of one call (a test failure when the call fails).
ChatAnswer answer_of(const core::LlmProvider& provider, ClientSettings settings = quick()) {
  ProviderClient client(provider, settings);
  auto answer = client.complete(question());
  EXPECT_TRUE(answer.ok()) << answer.error().message;
  return answer.ok() ? std::move(answer).value() : ChatAnswer{};
}

// The Error of one call (a test failure when the call succeeds).
std::string failure_of(const core::LlmProvider& provider, ClientSettings settings = quick()) {
  ProviderClient client(provider, settings);
  const auto answer = client.complete(question());
  EXPECT_FALSE(answer.ok()) << "answered: " << (answer.ok() ? answer->text : "");
  return answer.ok() ? std::string() : answer.error().message;
}

boost::json::object body_of(const testing::RecordedLlmRequest& r) {
  return boost::json::parse(r.body).as_object();
}

std::string scrape(prometheus::Registry& registry) {
  return prometheus::TextSerializer().Serialize(registry.Collect());
}

bool has_line(const std::string& text, const std::string& line) {
  return text.find(line + "\n") != std::string::npos;
}

TEST(ProviderClient, OpenAiAnswerWithTokensExactCostAndTheRequestAsSent) {
  FakeLlmServer server;
  server.push(LlmBehaviour::reply(R"({"action":"BUY","confidence":0.8})", 1234, 567));
  ProviderClient client(openai_at(server), quick());
  const auto answer = client.complete(question(300));
  ASSERT_TRUE(answer.ok()) << answer.error().message;
  EXPECT_EQ(answer->text, R"({"action":"BUY","confidence":0.8})");
  EXPECT_EQ(answer->tokens_in, 1234);
  EXPECT_EQ(answer->tokens_out, 567);
  EXPECT_EQ(answer->cost_usd, 0.0005253_d);  // 1234 * 0.15 / 1e6 + 567 * 0.60 / 1e6
  EXPECT_EQ(answer->attempts, 1);
  EXPECT_FALSE(answer->truncated);
  EXPECT_GT(answer->latency.count(), 0);
  EXPECT_THAT(answer->raw_body, HasSubstr("\"chat.completion\""));

  const auto requests = server.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].path, "/v1/chat/completions");
  ASSERT_NE(requests[0].header("authorization"), nullptr);
  EXPECT_EQ(*requests[0].header("authorization"), std::string("Bearer ") + kKey);
  EXPECT_EQ(requests[0].header("x-api-key"), nullptr);
  const auto body = body_of(requests[0]);
  EXPECT_EQ(body.at("model").as_string(), "gpt-test");
  EXPECT_EQ(body.at("max_tokens").as_int64(), 300);
  EXPECT_EQ(body.at("temperature").as_int64(), 0);
  EXPECT_EQ(body.at("response_format").at("type").as_string(), "json_object");
  const auto& messages = body.at("messages").as_array();
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_EQ(messages[0].at("role").as_string(), "system");
  EXPECT_EQ(messages[0].at("content").as_string(), question().system);
  EXPECT_EQ(messages[1].at("role").as_string(), "user");
  EXPECT_EQ(messages[1].at("content").as_string(), question().user);
}

TEST(ProviderClient, OpenAiWithoutKeyOrJsonModeSendsNeither) {
  FakeLlmServer server;
  ProviderClient client(openai_at(server, ""), quick());
  const auto answer = client.complete(question(50, false));
  ASSERT_TRUE(answer.ok()) << answer.error().message;
  const auto requests = server.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].header("authorization"), nullptr);
  const auto body = body_of(requests[0]);
  EXPECT_FALSE(body.contains("response_format"));
  EXPECT_EQ(body.at("max_tokens").as_int64(), 50);
}

TEST(ProviderClient, OpenAiJsonModeAddsTheWordJsonWhenThePromptLacksIt) {
  FakeLlmServer server;
  ProviderClient client(openai_at(server), quick());
  ChatRequest r;
  r.system = "Decide.";
  r.user = "Price 1.";
  ASSERT_TRUE(client.complete(r).ok());
  const auto body = body_of(server.requests().at(0));
  const std::string system(body.at("messages").as_array()[0].at("content").as_string());
  EXPECT_THAT(system, HasSubstr("Decide."));
  EXPECT_THAT(system, HasSubstr("JSON object only"));
}

TEST(ProviderClient, AnthropicAnswerWithHeadersBodyAndCost) {
  FakeLlmServer server;
  server.push(LlmBehaviour::reply(R"({"action":"SELL"})", 2000, 100));
  ProviderClient client(anthropic_at(server), quick());
  const auto answer = client.complete(question(400));
  ASSERT_TRUE(answer.ok()) << answer.error().message;
  EXPECT_EQ(answer->text, R"({"action":"SELL"})");
  EXPECT_EQ(answer->tokens_in, 2000);
  EXPECT_EQ(answer->tokens_out, 100);
  EXPECT_EQ(answer->cost_usd, 0.0075_d);  // 2000 * 3 / 1e6 + 100 * 15 / 1e6
  EXPECT_THAT(answer->raw_body, HasSubstr("\"type\":\"message\""));

  const auto requests = server.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].path, "/v1/messages");
  ASSERT_NE(requests[0].header("x-api-key"), nullptr);
  EXPECT_EQ(*requests[0].header("x-api-key"), kKey);
  ASSERT_NE(requests[0].header("anthropic-version"), nullptr);
  EXPECT_EQ(*requests[0].header("anthropic-version"), "2023-06-01");
  ASSERT_NE(requests[0].header("content-type"), nullptr);
  EXPECT_EQ(*requests[0].header("content-type"), "application/json");
  EXPECT_EQ(requests[0].header("authorization"), nullptr);
  const auto body = body_of(requests[0]);
  EXPECT_EQ(body.at("model").as_string(), "claude-test");
  EXPECT_EQ(body.at("max_tokens").as_int64(), 400);
  const std::string system(body.at("system").as_string());
  EXPECT_EQ(system.rfind(question().system, 0), 0u) << system;
  EXPECT_THAT(system, HasSubstr("JSON object only"));
  EXPECT_FALSE(body.contains("response_format"));
  const auto& messages = body.at("messages").as_array();
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].at("role").as_string(), "user");
  EXPECT_EQ(messages[0].at("content").as_string(), question().user);
}

TEST(ProviderClient, AnthropicBaseUrlEndingInV1IsTakenToo) {
  FakeLlmServer server;
  auto provider = anthropic_at(server);
  provider.base_url = server.base_url_anthropic() + "/v1/";
  ProviderClient client(provider, quick());
  ASSERT_TRUE(client.complete(question()).ok());
  EXPECT_EQ(server.requests().at(0).path, "/v1/messages");
}

TEST(ProviderClient, RateLimited429IsRetriedThenAnswers) {
  FakeLlmServer server;
  server.push(LlmBehaviour::http_error(429, "Rate limit reached for requests"));
  server.push(LlmBehaviour::reply(R"({"action":"HOLD"})"));
  const ChatAnswer answer = answer_of(openai_at(server));
  EXPECT_EQ(answer.attempts, 2);
  EXPECT_EQ(answer.text, R"({"action":"HOLD"})");
  EXPECT_EQ(server.request_count(), 2u);
}

TEST(ProviderClient, AnthropicOverloaded529IsRetried) {
  FakeLlmServer server;
  server.push(LlmBehaviour::http_error(529, "Overloaded"));
  server.push(LlmBehaviour::http_error(500, "Internal server error"));
  const ChatAnswer answer = answer_of(anthropic_at(server));
  EXPECT_EQ(answer.attempts, 3);
}

TEST(ProviderClient, RetryAfterIsWaited) {
  FakeLlmServer server;
  server.push(LlmBehaviour::http_error(503, "busy", "1"));
  const ChatAnswer answer = answer_of(openai_at(server));  // backoff 1 ms: only Retry-After waits
  EXPECT_EQ(answer.attempts, 2);
  EXPECT_GE(answer.latency, 1s);
}

// A Retry-After longer than the call may still take (llm.timeout, retries included) is not cut
// short and retried early, which would only extend a rate limiter's penalty: the call ends at once
// naming the provider, the model and the wait, and nothing is sent to the provider until then.
TEST(ProviderClient, ARetryAfterBeyondTheTimeLeftEndsTheCallAndIsHonouredAfter) {
  FakeLlmServer server;
  server.push(LlmBehaviour::http_error(429, "come back in an hour", "3600"));
  auto settings = quick();
  settings.timeout = 300ms;
  ProviderClient client(openai_at(server), settings);
  const auto start = std::chrono::steady_clock::now();
  const auto first = client.complete(question());
  ASSERT_FALSE(first.ok());
  EXPECT_LT(std::chrono::steady_clock::now() - start, 300ms) << "given up at once";
  EXPECT_THAT(first.error().message, HasSubstr("LLM provider 'fake-openai' (model gpt-test)"));
  EXPECT_THAT(first.error().message, HasSubstr("HTTP 429"));
  EXPECT_THAT(first.error().message, HasSubstr("asks to wait 3600 s before retrying"));
  EXPECT_THAT(first.error().message, HasSubstr("given up for this cycle"));
  EXPECT_EQ(server.request_count(), 1u);

  const auto next = client.complete(question());
  ASSERT_FALSE(next.ok());
  EXPECT_THAT(next.error().message, HasSubstr("not sent: the provider asked (Retry-After)"));
  EXPECT_EQ(server.request_count(), 1u) << "nothing sent before the Retry-After";
}

// SPEC §6: a model has llm.timeout (30 s by default) to answer, retries included: a model that
// keeps failing slowly does not hold the decision for several timeouts.
TEST(ProviderClient, RetriesEndWithinTheTimeout) {
  FakeLlmServer server;
  server.set_default(LlmBehaviour::http_error(503, "overloaded").after(400ms));
  auto settings = quick();
  settings.timeout = 1000ms;
  settings.max_retries = 2;
  ProviderClient client(openai_at(server), settings);
  const auto start = std::chrono::steady_clock::now();
  const auto answer = client.complete(question());
  const auto took = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(answer.ok());
  EXPECT_LT(took, 1200ms) << "three attempts of 400 ms would take 1.2 s";
  EXPECT_GE(took, 900ms);
  EXPECT_THAT(answer.error().message, HasSubstr("timeout of 1 s, retries included"));
  EXPECT_EQ(server.request_count(), 3u);
}

// A backoff that would pass the call's end is not waited: the call fails then, saying why.
TEST(ProviderClient, ABackoffBeyondTheTimeLeftIsNotWaited) {
  FakeLlmServer server;
  server.set_default(LlmBehaviour::http_error(500, "internal"));
  auto settings = quick();
  settings.timeout = 500ms;
  settings.retry_backoff = 2s;
  const std::string e = failure_of(openai_at(server), settings);
  EXPECT_THAT(e, HasSubstr("no retry: the backoff of 2 s would pass the timeout of 500 ms"));
  EXPECT_EQ(server.request_count(), 1u);
}

// A priced provider that reports no usable usage (none at all, or counts that are not integers) is
// charged the request's worst case, not nothing: a free call would never stop at the daily budget.
// Warned and counted; a local model (free) is not.
TEST(ProviderClient, AnAnswerWithoutUsableTokenCountsIsChargedItsWorstCase) {
  prometheus::Registry registry;
  LlmMetrics metrics(registry);
  FakeLlmServer server;
  server.push(LlmBehaviour::reply(R"({"action":"HOLD"})").with_usage(""));
  server.push(LlmBehaviour::reply(R"({"action":"HOLD"})")
                  .with_usage(R"({"input_tokens":"5000","output_tokens":1.5e6})"));
  server.push(LlmBehaviour::reply(R"({"action":"HOLD"})")
                  .with_usage(R"({"prompt_tokens":70,"completion_tokens":"9"})"));
  const Estimate worst = worst_case(question());
  ASSERT_GT(worst.tokens_in, 0);
  ASSERT_EQ(worst.tokens_out, 300);

  ProviderClient openai(openai_at(server), quick(), &metrics);
  ProviderClient::Usage paid;
  const auto none = openai.complete(question(), &paid);
  ASSERT_TRUE(none.ok()) << none.error().message;
  EXPECT_TRUE(none->usage_estimated);
  EXPECT_EQ(none->tokens_in, worst.tokens_in);
  EXPECT_EQ(none->tokens_out, worst.tokens_out);
  EXPECT_EQ(none->cost_usd, openai.worst_case_cost(question()));
  EXPECT_TRUE(none->cost_usd.is_positive());
  EXPECT_EQ(paid.cost_usd, none->cost_usd);

  ProviderClient anthropic(anthropic_at(server), quick(), &metrics);
  const auto strings = anthropic.complete(question());
  ASSERT_TRUE(strings.ok()) << strings.error().message;
  EXPECT_TRUE(strings->usage_estimated);
  EXPECT_EQ(strings->cost_usd, anthropic.worst_case_cost(question()));

  const auto half = openai.complete(question());  // the prompt's count is taken, the answer's not
  ASSERT_TRUE(half.ok()) << half.error().message;
  EXPECT_TRUE(half->usage_estimated);
  EXPECT_EQ(half->tokens_in, 70);
  EXPECT_EQ(half->tokens_out, 300);

  const std::string text = scrape(registry);
  EXPECT_TRUE(
      has_line(text, R"(tg4_llm_usage_estimated_total{model="gpt-test",provider="fake-openai"} 2)"))
      << text;
  EXPECT_TRUE(has_line(
      text, R"(tg4_llm_usage_estimated_total{model="claude-test",provider="fake-claude"} 1)"))
      << text;

  auto local = openai_at(server);
  local.local = true;
  server.push(LlmBehaviour::reply(R"({"action":"HOLD"})").with_usage(""));
  const ChatAnswer free = answer_of(local);
  EXPECT_FALSE(free.usage_estimated);
  EXPECT_EQ(free.cost_usd, core::Decimal{});
}

// An answer that arrives in the wire format but is not what the caller asked for (its check says
// so) is a bad_answer in tg4_llm_requests_total, not an ok.
TEST(ProviderClient, AnAnswerTheCallerCannotUseIsCountedAsBadAnswer) {
  prometheus::Registry registry;
  LlmMetrics metrics(registry);
  FakeLlmServer server;
  server.push(LlmBehaviour::reply("I think the market is bullish."));
  server.push(LlmBehaviour::reply(R"({"action":"HOLD"})"));
  ProviderClient client(openai_at(server), quick(), &metrics);
  const AnswerCheck is_json = [](const std::string& text) { return json_object_in(text).ok(); };
  const auto prose = client.complete(question(), nullptr, is_json);
  ASSERT_TRUE(prose.ok()) << "returned for the caller to record";
  ASSERT_TRUE(client.complete(question(), nullptr, is_json).ok());
  const std::string text = scrape(registry);
  EXPECT_TRUE(has_line(
      text,
      R"(tg4_llm_requests_total{model="gpt-test",outcome="bad_answer",provider="fake-openai"} 1)"))
      << text;
  EXPECT_TRUE(has_line(
      text, R"(tg4_llm_requests_total{model="gpt-test",outcome="ok",provider="fake-openai"} 1)"))
      << text;
}

// A stop (TG4 shutting down) ends a wait for a retry at once: the call fails saying why, with the
// provider's last answer, instead of the stop waiting out Retry-After (here 20 s).
TEST(ProviderClient, StopEndsAWaitForARetry) {
  FakeLlmServer server;
  server.push(LlmBehaviour::http_error(503, "busy", "20"));
  auto settings = quick();
  settings.timeout = 30s;
  ProviderClient client(openai_at(server), settings);
  std::optional<core::Result<ChatAnswer>> result;
  std::thread call([&] { result.emplace(client.complete(ChatRequest{"system", "user"})); });
  ASSERT_TRUE(tg4::testing::eventually([&] { return server.request_count() == 1; }, 10s));
  client.stop();
  call.join();
  ASSERT_FALSE(*result);
  EXPECT_THAT(result->error().message, HasSubstr("HTTP 503: (server_error) busy; not sent: TG4 is stopping"));
  EXPECT_EQ(server.request_count(), 1u);
  const auto again = client.complete(ChatRequest{"system", "user"});
  ASSERT_FALSE(again);
  EXPECT_THAT(again.error().message, HasSubstr("not sent: TG4 is stopping")) << "and from then on";
  EXPECT_EQ(server.request_count(), 1u);
}

TEST(ProviderClient, ServerErrorsBeyondTheRetriesFailNamingStatusAndMessage) {
  FakeLlmServer server;
  for (int i = 0; i < 3; ++i) server.push(LlmBehaviour::http_error(500, "The server had an error"));
  server.push(LlmBehaviour::reply("{}"));  // never reached
  const std::string e = failure_of(openai_at(server));
  EXPECT_THAT(e, HasSubstr("fake-openai"));
  EXPECT_THAT(e, HasSubstr("gpt-test"));
  EXPECT_THAT(e, HasSubstr("/v1/chat/completions"));
  EXPECT_THAT(e, HasSubstr("HTTP 500"));
  EXPECT_THAT(e, HasSubstr("The server had an error"));
  EXPECT_THAT(e, HasSubstr("after 3 attempts"));
  EXPECT_EQ(server.request_count(), 3u);
  EXPECT_EQ(server.pending(), 1u);
}

TEST(ProviderClient, UnauthorizedFailsAtOnceWithoutTheKey) {
  FakeLlmServer server;
  server.push(LlmBehaviour::http_error(401, std::string("Incorrect API key provided: ") + kKey));
  const std::string e = failure_of(openai_at(server));
  EXPECT_THAT(e, HasSubstr("HTTP 401"));
  EXPECT_THAT(e, HasSubstr("Incorrect API key provided"));
  EXPECT_THAT(e, HasSubstr("invalid_api_key"));
  EXPECT_THAT(e, HasSubstr("api_key"));
  EXPECT_THAT(e, Not(HasSubstr(kKey)));
  EXPECT_THAT(e, Not(HasSubstr("attempts")));
  EXPECT_EQ(server.request_count(), 1u);
}

TEST(ProviderClient, AnthropicErrorBodyIsQuoted) {
  FakeLlmServer server;
  server.push(LlmBehaviour::http_error(400, "max_tokens: 100000 > 8192, the maximum"));
  const std::string e = failure_of(anthropic_at(server));
  EXPECT_THAT(e, HasSubstr("HTTP 400"));
  EXPECT_THAT(e, HasSubstr("invalid_request_error"));
  EXPECT_THAT(e, HasSubstr("max_tokens: 100000 > 8192"));
  EXPECT_THAT(e, HasSubstr("/v1/messages"));
  EXPECT_EQ(server.request_count(), 1u);
}

TEST(ProviderClient, AnHtmlBodyIsNotAnAnswer) {
  FakeLlmServer server;
  server.push(LlmBehaviour::garbage_body());
  const std::string e = failure_of(openai_at(server));
  EXPECT_THAT(e, HasSubstr("not a chat completion"));
  EXPECT_THAT(e, HasSubstr("<html>"));
  EXPECT_EQ(server.request_count(), 1u);
}

TEST(ProviderClient, AnHtml502IsRetriedAndQuoted) {
  FakeLlmServer server;
  for (int i = 0; i < 3; ++i) {
    server.push(LlmBehaviour::garbage_body("<html><h1>502 Bad Gateway</h1></html>", 502));
  }
  const std::string e = failure_of(anthropic_at(server));
  EXPECT_THAT(e, HasSubstr("HTTP 502"));
  EXPECT_THAT(e, HasSubstr("502 Bad Gateway"));
  EXPECT_EQ(server.request_count(), 3u);
}

TEST(ProviderClient, JsonThatIsNotTheWireFormatIsNotAnAnswer) {
  FakeLlmServer server;
  server.push(LlmBehaviour::garbage_body(R"({"result":"BUY"})"));
  server.push(LlmBehaviour::garbage_body(R"({"choices":[]})"));
  server.push(LlmBehaviour::garbage_body(R"({"id":"x","choices":[{"message":)"));
  ProviderClient openai(openai_at(server), quick());
  for (int i = 0; i < 3; ++i) {
    const auto answer = openai.complete(question());
    ASSERT_FALSE(answer.ok());
    EXPECT_THAT(answer.error().message, HasSubstr("not a chat completion"));
  }
  server.push(LlmBehaviour::garbage_body(R"({"type":"message","content":"BUY"})"));
  ProviderClient anthropic(anthropic_at(server), quick());
  const auto answer = anthropic.complete(question());
  ASSERT_FALSE(answer.ok());
  EXPECT_THAT(answer.error().message, HasSubstr("not a Messages API answer"));
}

TEST(ProviderClient, AnErrorInA200BodyIsNamed) {
  FakeLlmServer server;
  server.push(
      LlmBehaviour::garbage_body(R"({"error":"model 'llama9' not found, try pulling it"})"));
  const std::string e = failure_of(openai_at(server));
  EXPECT_THAT(e, HasSubstr("model 'llama9' not found"));
}

TEST(ProviderClient, EmptyContentIsAnError) {
  FakeLlmServer server;
  server.push(LlmBehaviour::reply("  \n"));
  server.push(LlmBehaviour::reply(""));
  EXPECT_THAT(failure_of(openai_at(server)), HasSubstr("the answer is empty"));
  EXPECT_THAT(failure_of(anthropic_at(server)), HasSubstr("the answer is empty"));
}

TEST(ProviderClient, GarbageContentIsReturnedAsTextForTheJsonCheckToRefuse) {
  FakeLlmServer server;
  server.push(LlmBehaviour::reply("I would buy, honestly."));
  const ChatAnswer answer = answer_of(openai_at(server));
  EXPECT_FALSE(json_object_in(answer.text).ok());
}

TEST(ProviderClient, TruncatedAnswerIsReturnedMarkedAndCosted) {
  FakeLlmServer server;
  server.push(LlmBehaviour::truncated(R"({"action":"BUY","reasoning":"the trend)", 10, 300));
  server.push(LlmBehaviour::truncated(R"({"action":)", 10, 300));
  for (const auto& provider : {openai_at(server), anthropic_at(server)}) {
    ProviderClient client(provider, quick());
    const auto answer = client.complete(question(300));
    ASSERT_TRUE(answer.ok()) << answer.error().message;
    EXPECT_TRUE(answer->truncated);
    EXPECT_TRUE(answer->cost_usd.is_positive());
    const auto parsed = json_object_in(answer->text);
    ASSERT_FALSE(parsed.ok());
    EXPECT_THAT(parsed.error().message, HasSubstr("never closes"));
  }
}

TEST(ProviderClient, ASlowAnswerIsATimeoutAndNotRetried) {
  FakeLlmServer server;
  server.push(LlmBehaviour::reply("{}").after(5s));
  auto settings = quick();
  settings.timeout = 200ms;
  const std::string e = failure_of(openai_at(server), settings);
  EXPECT_THAT(e, HasSubstr("timeout"));
  EXPECT_THAT(e, HasSubstr("200 ms"));
  EXPECT_THAT(e, HasSubstr("fake-openai"));
  EXPECT_EQ(server.request_count(), 1u);
}

TEST(ProviderClient, AKeptAliveConnectionTheServerClosedIsReplacedWithoutAnError) {
  FakeLlmServer server(1s);  // closes a connection idle for a second
  ProviderClient client(openai_at(server), quick());
  ASSERT_TRUE(client.complete(question()).ok());
  ASSERT_TRUE(testing::eventually([&] { return server.open_connections() == 0; }));
  const auto answer = client.complete(question());  // the idle connection kept is dead now
  ASSERT_TRUE(answer.ok()) << answer.error().message;
  EXPECT_EQ(answer->attempts, 1);
  EXPECT_EQ(server.request_count(), 2u);
}

TEST(ProviderClient, AnUnreachableProviderIsNamed) {
  core::LlmProvider p;
  p.name = "nowhere";
  p.model = "m";
  p.base_url = "http://127.0.0.1:" + std::to_string(testing::unused_port()) + "/v1";
  const std::string e = failure_of(p);
  EXPECT_THAT(e, HasSubstr("nowhere"));
  EXPECT_THAT(e, HasSubstr("/v1/chat/completions"));
  EXPECT_THAT(e, HasSubstr("cannot connect"));
}

TEST(ProviderClient, ABadBaseUrlIsNamed) {
  core::LlmProvider p;
  p.name = "typo";
  p.model = "m";
  p.base_url = "htp:/api";
  const std::string e = failure_of(p);
  EXPECT_THAT(e, HasSubstr("typo"));
  EXPECT_THAT(e, HasSubstr("base_url"));
}

TEST(ProviderClient, RateLimitWaitsForAFreeSlotWithinTheTimeout) {
  FakeLlmServer server;
  auto provider = openai_at(server);
  provider.requests_per_minute = 1;
  auto settings = quick();
  settings.rate_window = 300ms;
  ProviderClient client(provider, settings);
  const auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(client.complete(question()).ok());
  const auto second = client.complete(question());
  ASSERT_TRUE(second.ok()) << second.error().message;
  EXPECT_GE(std::chrono::steady_clock::now() - start, 300ms);
  EXPECT_EQ(server.request_count(), 2u);
}

TEST(ProviderClient, RateLimitRefusesWhenTheSlotIsBeyondTheTimeout) {
  FakeLlmServer server;
  auto provider = openai_at(server);
  provider.requests_per_minute = 2;
  auto settings = quick();
  settings.timeout = 200ms;
  ProviderClient client(provider, settings);
  ASSERT_TRUE(client.complete(question()).ok());
  ASSERT_TRUE(client.complete(question()).ok());
  const auto third = client.complete(question());
  ASSERT_FALSE(third.ok());
  EXPECT_THAT(third.error().message, HasSubstr("rate limit of 2 requests per minute"));
  EXPECT_THAT(third.error().message, HasSubstr("fake-openai"));
  EXPECT_EQ(server.request_count(), 2u);
}

TEST(ProviderClient, ConcurrentCallersAllGetTheirAnswers) {
  FakeLlmServer server;
  server.set_default(LlmBehaviour::reply(R"({"action":"HOLD"})", 10, 2));
  ProviderClient client(anthropic_at(server), quick());
  constexpr int kThreads = 4;
  constexpr int kCalls = 5;
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kCalls; ++i) {
        if (client.complete(question()).ok()) ++ok;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), kThreads * kCalls);
  EXPECT_EQ(server.request_count(), static_cast<std::size_t>(kThreads * kCalls));
}

TEST(ProviderClient, OneServerPlaysSeveralModels) {
  FakeLlmServer server;
  server.set_reply_for_model("model-a", LlmBehaviour::reply(R"({"action":"BUY"})"));
  server.set_reply_for_model("model-b", LlmBehaviour::reply("not json at all"));
  server.push_for_model("model-b", LlmBehaviour::http_error(503, "warming up"));
  auto a = openai_at(server);
  a.model = "model-a";
  auto b = anthropic_at(server);
  b.model = "model-b";
  ProviderClient client_a(a, quick());
  ProviderClient client_b(b, quick());
  for (int i = 0; i < 2; ++i) {
    const auto answer_a = client_a.complete(question());
    ASSERT_TRUE(answer_a.ok()) << answer_a.error().message;
    EXPECT_EQ(answer_a->text, R"({"action":"BUY"})");
  }
  const auto answer_b = client_b.complete(question());
  ASSERT_TRUE(answer_b.ok()) << answer_b.error().message;
  EXPECT_EQ(answer_b->text, "not json at all");
  EXPECT_EQ(answer_b->attempts, 2);
}

TEST(ProviderClient, MetricsCountOutcomesTokensCostAndRetries) {
  prometheus::Registry registry;
  LlmMetrics metrics(registry);
  FakeLlmServer server;
  server.push(LlmBehaviour::http_error(429, "slow down"));
  server.push(LlmBehaviour::reply("{}", 1000, 500));
  server.push(LlmBehaviour::http_error(404, "no such model"));
  ProviderClient client(openai_at(server), quick(), &metrics);
  std::string text = scrape(registry);
  EXPECT_TRUE(has_line(
      text, R"(tg4_llm_requests_total{model="gpt-test",outcome="ok",provider="fake-openai"} 0)"))
      << text;
  ASSERT_TRUE(client.complete(question()).ok());
  ASSERT_FALSE(client.complete(question()).ok());
  text = scrape(registry);
  EXPECT_TRUE(has_line(
      text, R"(tg4_llm_requests_total{model="gpt-test",outcome="ok",provider="fake-openai"} 1)"))
      << text;
  EXPECT_TRUE(has_line(
      text,
      R"(tg4_llm_requests_total{model="gpt-test",outcome="http_error",provider="fake-openai"} 1)"))
      << text;
  EXPECT_TRUE(has_line(
      text, R"(tg4_llm_tokens_total{direction="in",model="gpt-test",provider="fake-openai"} 1000)"))
      << text;
  EXPECT_TRUE(has_line(
      text, R"(tg4_llm_tokens_total{direction="out",model="gpt-test",provider="fake-openai"} 500)"))
      << text;
  EXPECT_TRUE(
      has_line(text, R"(tg4_llm_cost_usd_total{model="gpt-test",provider="fake-openai"} 0.00045)"))
      << text;
  EXPECT_TRUE(has_line(text, R"(tg4_llm_retries_total{model="gpt-test",provider="fake-openai"} 1)"))
      << text;
  EXPECT_TRUE(has_line(
      text, R"(tg4_llm_request_duration_seconds_count{model="gpt-test",provider="fake-openai"} 2)"))
      << text;
}

// The decision agents' series (set by agents::LlmAdvisor) are there from the start, so a dashboard
// or an alert sees zeros rather than a gap, and then hold what the setters left.
TEST(LlmMetrics, AgentSeriesExistFromTheStartAndFollowTheSetters) {
  prometheus::Registry registry;
  LlmMetrics metrics(registry);
  const auto expect_lines = [&](std::initializer_list<const char*> lines) {
    const std::string text = scrape(registry);
    for (const char* line : lines) EXPECT_TRUE(has_line(text, line)) << line << "\n" << text;
  };
  expect_lines({R"(tg4_agents_cycles_total{outcome="consensus"} 0)",
                R"(tg4_agents_cycles_total{outcome="no_consensus"} 0)",
                R"(tg4_agents_cycles_total{outcome="rules"} 0)", "tg4_llm_budget_spent_usd 0",
                "tg4_llm_budget_daily_usd 0", "tg4_llm_budget_warn_usd 0",
                "tg4_agents_degradation_level 0"});
  metrics.set_budget(5, 4);
  metrics.set_spent_today(1.25);
  metrics.set_degradation_level(2);
  metrics.on_cycle(CycleOutcome::kNoConsensus);
  metrics.on_cycle(CycleOutcome::kNoConsensus);
  metrics.on_cycle(CycleOutcome::kRules);
  metrics.on_regime_cycle(CycleOutcome::kConsensus);
  expect_lines({R"(tg4_agents_regime_cycles_total{outcome="consensus"} 1)",
                R"(tg4_agents_regime_cycles_total{outcome="rules"} 0)",
                R"(tg4_agents_cycles_total{outcome="consensus"} 0)",
                R"(tg4_agents_cycles_total{outcome="no_consensus"} 2)",
                R"(tg4_agents_cycles_total{outcome="rules"} 1)", "tg4_llm_budget_spent_usd 1.25",
                "tg4_llm_budget_daily_usd 5", "tg4_llm_budget_warn_usd 4",
                "tg4_agents_degradation_level 2"});
}

TEST(ProviderClient, WorstCaseCostCountsFourCharactersATokenAndEveryAnswerToken) {
  core::LlmProvider p;
  p.input_usd_per_mtok = 3_d;
  p.output_usd_per_mtok = 15_d;
  ProviderClient client(p, quick());
  ChatRequest r;
  r.system = std::string(40, 's');
  r.user = std::string(60, 'u');  // 100 characters: 25 tokens
  r.max_tokens = 1000;
  EXPECT_EQ(client.worst_case_cost(r), 0.015075_d);  // 25 * 3 / 1e6 + 1000 * 15 / 1e6
  r.user += "u";                                     // 101 characters: 26 tokens, rounded up
  EXPECT_EQ(client.worst_case_cost(r), 0.015078_d);
}

TEST(ProviderClient, SettingsComeFromTheLlmSection) {
  core::LlmSection section;
  section.timeout = 12s;
  section.max_retries = 4;
  section.retry_backoff = 250ms;
  const auto s = client_settings(section);
  EXPECT_EQ(s.timeout, 12s);
  EXPECT_EQ(s.max_retries, 4);
  EXPECT_EQ(s.retry_backoff, 250ms);
  EXPECT_EQ(s.rate_window, 60s);
}

}  // namespace
}  // namespace tg4::llm
