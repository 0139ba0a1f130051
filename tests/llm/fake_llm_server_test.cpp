// FakeLlmServer itself, spoken to with a plain HttpClient: requests the real APIs would refuse are
// refused in the provider's error format, error behaviours carry Retry-After, and behaviours are
// chosen in their documented order (a model's queue, the shared queue, the model's reply, the
// default).
#include "support/fake_llm_server.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "net/http_client.hpp"

namespace tg4::testing {
namespace {

using ::testing::HasSubstr;

std::string chat_body(const std::string& model) {
  return R"({"model":")" + model +
         R"(","max_tokens":10,"messages":[{"role":"user","content":"hi"}]})";
}

std::string content_of(const net::HttpClientResponse& r) {
  const auto body = boost::json::parse(r.body).as_object();
  return std::string(body.at("choices").as_array()[0].at("message").at("content").as_string());
}

TEST(FakeLlmServer, RefusesMalformedRequestsInTheProviderFormat) {
  FakeLlmServer server;
  net::HttpClient client;
  const auto no_version = client.post(server.base_url_anthropic() + "/v1/messages",
                                      chat_body("claude"), {{"x-api-key", "k"}});
  ASSERT_TRUE(no_version.ok()) << no_version.error().message;
  EXPECT_EQ(no_version->status, 400);
  const auto error = boost::json::parse(no_version->body).as_object();
  EXPECT_EQ(error.at("type").as_string(), "error");
  EXPECT_EQ(error.at("error").at("type").as_string(), "invalid_request_error");
  EXPECT_THAT(std::string(error.at("error").at("message").as_string()),
              HasSubstr("anthropic-version"));

  const auto not_json = client.post(server.base_url_openai() + "/chat/completions", "model=x");
  ASSERT_TRUE(not_json.ok()) << not_json.error().message;
  EXPECT_EQ(not_json->status, 400);
  EXPECT_THAT(not_json->body, HasSubstr(R"("type":"invalid_request_error")"));
  EXPECT_EQ(server.request_count(), 2u);
}

TEST(FakeLlmServer, ErrorsCarryRetryAfter) {
  FakeLlmServer server;
  server.push(LlmBehaviour::http_error(429, "slow down", "7"));
  net::HttpClient client;
  const auto r = client.post(server.base_url_openai() + "/chat/completions", chat_body("m"));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->status, 429);
  ASSERT_NE(r->header("retry-after"), nullptr);
  EXPECT_EQ(*r->header("retry-after"), "7");
  EXPECT_THAT(r->body, HasSubstr(R"("code":"rate_limit_exceeded")"));
}

TEST(FakeLlmServer, ChoosesAModelsQueueThenTheSharedQueueThenTheModelsReplyThenTheDefault) {
  FakeLlmServer server;
  server.set_default(LlmBehaviour::reply("default"));
  server.set_reply_for_model("a", LlmBehaviour::reply("a's reply"));
  server.push(LlmBehaviour::reply("shared"));
  server.push_for_model("a", LlmBehaviour::reply("a's queue"));
  net::HttpClient client;
  const auto ask = [&](const std::string& model) {
    const auto r = client.post(server.base_url_openai() + "/chat/completions", chat_body(model));
    EXPECT_TRUE(r.ok());
    return r.ok() ? content_of(*r) : std::string();
  };
  EXPECT_EQ(ask("a"), "a's queue");
  EXPECT_EQ(ask("a"), "shared");
  EXPECT_EQ(ask("a"), "a's reply");
  EXPECT_EQ(ask("a"), "a's reply");
  EXPECT_EQ(ask("b"), "default");
  EXPECT_EQ(server.pending(), 0u);
  const auto requests = server.requests();
  ASSERT_EQ(requests.size(), 5u);
  EXPECT_EQ(requests[4].model, "b");
  EXPECT_EQ(requests[4].path, "/v1/chat/completions");
}

}  // namespace
}  // namespace tg4::testing
