#include "support/fake_llm_server.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/json.hpp>
#include <stdexcept>

namespace tg4::testing {

namespace {

namespace json = boost::json;

// The error "type" each API gives a status (OpenAI: type and code; Anthropic: type).
struct ErrorKind {
  const char* openai_type;
  const char* openai_code;
  const char* anthropic_type;
};

ErrorKind error_kind(int status) {
  switch (status) {
    case 400:
      return {"invalid_request_error", nullptr, "invalid_request_error"};
    case 401:
      return {"invalid_request_error", "invalid_api_key", "authentication_error"};
    case 403:
      return {"invalid_request_error", "unsupported_country_region_territory", "permission_error"};
    case 404:
      return {"invalid_request_error", "model_not_found", "not_found_error"};
    case 429:
      return {"requests", "rate_limit_exceeded", "rate_limit_error"};
    case 529:
      return {"server_error", nullptr, "overloaded_error"};
    default:
      return {status >= 500 ? "server_error" : "invalid_request_error", nullptr,
              status >= 500 ? "api_error" : "invalid_request_error"};
  }
}

std::string error_body(bool anthropic, int status, const std::string& message) {
  const ErrorKind kind = error_kind(status);
  if (anthropic) {
    return json::serialize(
        json::object{{"type", "error"},
                     {"error", json::object{{"type", kind.anthropic_type}, {"message", message}}}});
  }
  json::object error{{"message", message}, {"type", kind.openai_type}, {"param", nullptr}};
  error["code"] = kind.openai_code ? json::value(kind.openai_code) : json::value(nullptr);
  return json::serialize(json::object{{"error", std::move(error)}});
}

// A scripted usage object in place of the counted one, or none.
void set_usage(json::object& answer, const LlmBehaviour& b) {
  if (!b.usage) return;
  if (b.usage->empty()) {
    answer.erase("usage");
  } else {
    answer["usage"] = json::parse(*b.usage);
  }
}

std::string answer_body(bool anthropic, const LlmBehaviour& b, const std::string& model,
                        std::uint64_t id) {
  const bool cut = b.kind == LlmBehaviour::Kind::kTruncated;
  if (anthropic) {
    json::object message{
        {"id", "msg_fake" + std::to_string(id)},
        {"type", "message"},
        {"role", "assistant"},
        {"model", model},
        {"content", json::array{json::object{{"type", "text"}, {"text", b.content}}}},
        {"stop_reason", cut ? "max_tokens" : "end_turn"},
        {"stop_sequence", nullptr},
        {"usage", json::object{{"input_tokens", b.tokens_in}, {"output_tokens", b.tokens_out}}}};
    set_usage(message, b);
    return json::serialize(message);
  }
  json::object completion{
      {"id", "chatcmpl-fake" + std::to_string(id)},
      {"object", "chat.completion"},
      {"created", 1'700'000'000},
      {"model", model},
      {"choices", json::array{json::object{
                      {"index", 0},
                      {"message", json::object{{"role", "assistant"}, {"content", b.content}}},
                      {"logprobs", nullptr},
                      {"finish_reason", cut ? "length" : "stop"}}}},
      {"usage", json::object{{"prompt_tokens", b.tokens_in},
                             {"completion_tokens", b.tokens_out},
                             {"total_tokens", b.tokens_in + b.tokens_out}}},
      {"system_fingerprint", "fp_fake"}};
  set_usage(completion, b);
  return json::serialize(completion);
}

// What the real API would refuse with 400 (empty when the request is well-formed).
std::string request_problem(const net::HttpRequest& request, const json::value& body,
                            bool anthropic) {
  if (!body.is_object()) return "the request body is not a JSON object";
  const auto& o = body.as_object();
  const auto* model = o.if_contains("model");
  if (!model || !model->is_string() || model->as_string().empty()) return "model: field required";
  const auto* messages = o.if_contains("messages");
  if (!messages || !messages->is_array() || messages->as_array().empty()) {
    return "messages: a non-empty array is required";
  }
  if (anthropic) {
    if (!request.header("anthropic-version")) return "anthropic-version: header is required";
    const auto* max_tokens = o.if_contains("max_tokens");
    if (!max_tokens || !max_tokens->is_int64() || max_tokens->as_int64() < 1) {
      return "max_tokens: field required";
    }
  }
  return {};
}

}  // namespace

LlmBehaviour LlmBehaviour::reply(std::string content, std::int64_t tokens_in,
                                 std::int64_t tokens_out) {
  LlmBehaviour b;
  b.content = std::move(content);
  b.tokens_in = tokens_in;
  b.tokens_out = tokens_out;
  return b;
}

LlmBehaviour LlmBehaviour::truncated(std::string partial_content, std::int64_t tokens_in,
                                     std::int64_t tokens_out) {
  LlmBehaviour b = reply(std::move(partial_content), tokens_in, tokens_out);
  b.kind = Kind::kTruncated;
  return b;
}

LlmBehaviour LlmBehaviour::http_error(int status, std::string message,
                                      std::optional<std::string> retry_after) {
  LlmBehaviour b;
  b.kind = Kind::kHttpError;
  b.status = status;
  b.message = std::move(message);
  b.retry_after = std::move(retry_after);
  return b;
}

LlmBehaviour LlmBehaviour::garbage_body(std::string body, int status) {
  LlmBehaviour b;
  b.kind = Kind::kGarbageBody;
  b.status = status;
  b.body = std::move(body);
  return b;
}

LlmBehaviour LlmBehaviour::after(std::chrono::milliseconds wait) const {
  LlmBehaviour b = *this;
  b.delay = wait;
  return b;
}

LlmBehaviour LlmBehaviour::with_usage(std::string usage_json) const {
  LlmBehaviour b = *this;
  b.usage = std::move(usage_json);
  return b;
}

const std::string* RecordedLlmRequest::header(std::string_view lower_name) const {
  for (const auto& [k, v] : headers) {
    if (k == lower_name) return &v;
  }
  return nullptr;
}

FakeLlmServer::FakeLlmServer(std::chrono::seconds idle_timeout) {
  net::HttpServerOptions options;
  options.address = "127.0.0.1";
  options.port = 0;
  options.max_body_bytes = 8u << 20;
  options.request_timeout = idle_timeout;
  server_ = std::make_unique<net::HttpServer>(io_.io(), options);
  for (const bool anthropic : {false, true}) {
    server_->route_async(
        "POST", anthropic ? "/v1/messages" : "/v1/chat/completions",
        [this, anthropic](net::HttpRequest request, net::HttpRespond respond) {
          std::chrono::milliseconds delay{0};
          net::HttpResponse response = answer(request, anthropic, delay);
          if (delay.count() <= 0) {
            respond(std::move(response));
            return;
          }
          // Answered later from a timer: the io thread goes on serving other requests meanwhile.
          auto timer = std::make_shared<boost::asio::steady_timer>(io_.io(), delay);
          timer->async_wait([timer, respond = std::move(respond),
                             response = std::move(response)](const boost::system::error_code& ec) {
            if (!ec) respond(response);
          });
        });
  }
  if (const auto started = server_->start(); !started) {
    throw std::runtime_error("FakeLlmServer: " + started.error().message);
  }
}

FakeLlmServer::~FakeLlmServer() {
  server_->stop();
  io_.stop();
}

std::uint16_t FakeLlmServer::port() const {
  return server_->port();
}

std::size_t FakeLlmServer::open_connections() const {
  return server_->session_count();
}

std::string FakeLlmServer::base_url_openai() const {
  return "http://127.0.0.1:" + std::to_string(port()) + "/v1";
}

std::string FakeLlmServer::base_url_anthropic() const {
  return "http://127.0.0.1:" + std::to_string(port());
}

void FakeLlmServer::push(LlmBehaviour behaviour) {
  const std::lock_guard lock(mutex_);
  script_.push_back(std::move(behaviour));
}

void FakeLlmServer::push_for_model(const std::string& model, LlmBehaviour behaviour) {
  const std::lock_guard lock(mutex_);
  model_scripts_[model].push_back(std::move(behaviour));
}

void FakeLlmServer::set_reply_for_model(const std::string& model, LlmBehaviour behaviour) {
  const std::lock_guard lock(mutex_);
  model_replies_[model] = std::move(behaviour);
}

void FakeLlmServer::set_reply_for_prompt(std::string text, LlmBehaviour behaviour) {
  const std::lock_guard lock(mutex_);
  prompt_replies_.emplace_back(std::move(text), std::move(behaviour));
}

void FakeLlmServer::set_default(LlmBehaviour behaviour) {
  const std::lock_guard lock(mutex_);
  default_ = std::move(behaviour);
}

std::vector<RecordedLlmRequest> FakeLlmServer::requests() const {
  const std::lock_guard lock(mutex_);
  return requests_;
}

std::size_t FakeLlmServer::request_count() const {
  const std::lock_guard lock(mutex_);
  return requests_.size();
}

std::size_t FakeLlmServer::pending() const {
  const std::lock_guard lock(mutex_);
  std::size_t n = script_.size();
  for (const auto& [model, queue] : model_scripts_) n += queue.size();
  return n;
}

// Called with mutex_ held.
LlmBehaviour FakeLlmServer::next_for(const std::string& model, const std::string& body) {
  if (auto it = model_scripts_.find(model); it != model_scripts_.end() && !it->second.empty()) {
    LlmBehaviour b = std::move(it->second.front());
    it->second.pop_front();
    return b;
  }
  if (!script_.empty()) {
    LlmBehaviour b = std::move(script_.front());
    script_.pop_front();
    return b;
  }
  for (const auto& [text, behaviour] : prompt_replies_) {
    if (body.find(text) != std::string::npos) return behaviour;
  }
  if (const auto it = model_replies_.find(model); it != model_replies_.end()) return it->second;
  return default_;
}

net::HttpResponse FakeLlmServer::answer(const net::HttpRequest& request, bool anthropic,
                                        std::chrono::milliseconds& delay) {
  boost::system::error_code ec;
  const json::value body = json::parse(request.body, ec);
  std::string model;
  if (!ec && body.is_object()) {
    if (const auto* m = body.as_object().if_contains("model"); m && m->is_string()) {
      model = std::string(m->as_string());
    }
  }
  const std::lock_guard lock(mutex_);
  requests_.push_back({request.path, request.headers, request.body, model});
  const std::uint64_t id = ++served_;
  if (const std::string problem = ec ? std::string("the request body is not JSON: ") + ec.message()
                                     : request_problem(request, body, anthropic);
      !problem.empty()) {
    return net::HttpResponse::json(400, error_body(anthropic, 400, problem));
  }
  const LlmBehaviour b = next_for(model, request.body);
  delay = b.delay;
  switch (b.kind) {
    case LlmBehaviour::Kind::kHttpError: {
      auto response = net::HttpResponse::json(b.status, error_body(anthropic, b.status, b.message));
      if (b.retry_after) response.headers.emplace_back("Retry-After", *b.retry_after);
      return response;
    }
    case LlmBehaviour::Kind::kGarbageBody: {
      net::HttpResponse response;
      response.status = b.status;
      response.headers.emplace_back("Content-Type", "text/html");
      response.body = b.body;
      return response;
    }
    case LlmBehaviour::Kind::kReply:
    case LlmBehaviour::Kind::kTruncated:
      break;
  }
  auto response = net::HttpResponse::json(200, answer_body(anthropic, b, model, id));
  if (anthropic) response.headers.emplace_back("request-id", "req_fake" + std::to_string(id));
  return response;
}

}  // namespace tg4::testing
