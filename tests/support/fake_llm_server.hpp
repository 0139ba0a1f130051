#pragma once
// FakeLlmServer: a language-model API on 127.0.0.1 for tests, speaking both wire formats over real
// HTTP: OpenAI chat completions (POST /v1/chat/completions) and Anthropic Messages (POST
// /v1/messages). What it answers is scripted: behaviours queued with push() are used one a request,
// in order; then a model's own behaviour (set_reply_for_model), then the default (set_default). It
// records every request for assertions. It runs its own io thread and serves any process (the tg4
// binary in integration tests calls it as it would a real provider).
//
// Requests are checked as the real APIs check them (JSON body with a model and messages; Anthropic:
// max_tokens and the anthropic-version header): a malformed one is answered 400 in the provider's
// error format.
#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "net/http_server.hpp"
#include "net/ws_client.hpp"

namespace tg4::testing {

struct LlmBehaviour {
  enum class Kind {
    kReply,        // a well-formed answer with `content`
    kTruncated,    // a well-formed answer cut at max_tokens (finish_reason "length" /
                   // stop_reason "max_tokens") with `content` as far as it got
    kHttpError,    // `status` with the provider's error body carrying `message`
    kGarbageBody,  // `status` (200) with `body` as it is: not the wire format
  };
  Kind kind = Kind::kReply;
  std::string content = R"({"action":"HOLD","confidence":0.5})";
  std::int64_t tokens_in = 100;
  std::int64_t tokens_out = 20;
  int status = 200;
  std::string message;                     // kHttpError: the provider's error message
  std::optional<std::string> retry_after;  // kHttpError: a Retry-After header
  std::string body;                        // kGarbageBody
  std::chrono::milliseconds delay{0};      // waited (on a timer) before answering
  // kReply, kTruncated: the `usage` object as this JSON text instead of tokens_in/out; empty: the
  // answer has no usage at all (some gateways and proxies send none).
  std::optional<std::string> usage;

  // A model answer of `content` (for garbage content: any text that is not the JSON asked for).
  static LlmBehaviour reply(std::string content, std::int64_t tokens_in = 100,
                            std::int64_t tokens_out = 20);
  static LlmBehaviour truncated(std::string partial_content, std::int64_t tokens_in = 100,
                                std::int64_t tokens_out = 20);
  static LlmBehaviour http_error(int status, std::string message,
                                 std::optional<std::string> retry_after = std::nullopt);
  static LlmBehaviour garbage_body(std::string body = "<html><body>502 Bad Gateway</body></html>",
                                   int status = 200);
  // The same behaviour answered after `wait` (longer than a client's timeout: a timeout).
  LlmBehaviour after(std::chrono::milliseconds wait) const;
  // The same answer with `usage_json` as its usage object ("": none).
  LlmBehaviour with_usage(std::string usage_json) const;
};

struct RecordedLlmRequest {
  std::string path;         // "/v1/chat/completions" or "/v1/messages"
  net::HeaderList headers;  // names lower-cased
  std::string body;
  std::string model;  // from the body, empty when it had none
  const std::string* header(std::string_view lower_name) const;
};

class FakeLlmServer {
 public:
  // Listening on 127.0.0.1, any free port; throws when it cannot. A kept-alive connection idle for
  // `idle_timeout` is closed (as local servers do after a few seconds).
  explicit FakeLlmServer(std::chrono::seconds idle_timeout = std::chrono::seconds(120));
  ~FakeLlmServer();
  FakeLlmServer(const FakeLlmServer&) = delete;
  FakeLlmServer& operator=(const FakeLlmServer&) = delete;

  std::uint16_t port() const;
  std::string base_url_openai() const;     // "http://127.0.0.1:PORT/v1"
  std::string base_url_anthropic() const;  // "http://127.0.0.1:PORT"

  // Queued behaviours answer the next requests, whatever the model, one each.
  void push(LlmBehaviour behaviour);
  // Queued behaviours for one model, before the shared queue.
  void push_for_model(const std::string& model, LlmBehaviour behaviour);
  // What a model answers when nothing is queued for it (kept, not consumed).
  void set_reply_for_model(const std::string& model, LlmBehaviour behaviour);
  // What a request whose body contains `text` answers when nothing is queued (kept): a question of
  // one kind gets its kind of answer, as from a real model (e.g. the regime agent's "name the
  // regime"). Checked before the model's reply and the default, in the order set.
  void set_reply_for_prompt(std::string text, LlmBehaviour behaviour);
  // What everything else gets (initially LlmBehaviour{}: a HOLD answer).
  void set_default(LlmBehaviour behaviour);

  std::vector<RecordedLlmRequest> requests() const;
  std::size_t request_count() const;
  // Queued behaviours not yet used.
  std::size_t pending() const;
  // Client connections open now.
  std::size_t open_connections() const;

 private:
  net::HttpResponse answer(const net::HttpRequest& request, bool anthropic,
                           std::chrono::milliseconds& delay);
  LlmBehaviour next_for(const std::string& model, const std::string& body);

  mutable std::mutex mutex_;
  std::deque<LlmBehaviour> script_;
  std::map<std::string, std::deque<LlmBehaviour>> model_scripts_;
  std::map<std::string, LlmBehaviour> model_replies_;
  std::vector<std::pair<std::string, LlmBehaviour>> prompt_replies_;
  LlmBehaviour default_;
  std::vector<RecordedLlmRequest> requests_;
  std::uint64_t served_ = 0;

  net::IoThread io_;
  std::unique_ptr<net::HttpServer> server_;
};

}  // namespace tg4::testing
