#include "llm/provider_client.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>
#include <condition_variable>
#include <cstdlib>
#include <deque>
#include <limits>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "core/logging.hpp"
#include "core/time.hpp"
#include "llm/llm_metrics.hpp"

namespace tg4::llm {

namespace {

// Why a call ends early: ProviderClient::stop (TG4 is stopping).
constexpr const char* kStopping = "not sent: TG4 is stopping";

namespace json = boost::json;
using SteadyClock = std::chrono::steady_clock;

constexpr std::size_t kMessageLimit = 300;  // of a provider's error text quoted in an Error
constexpr std::size_t kSnippetLimit = 120;  // of a body that is not the wire format
// Local servers (llama.cpp, uvicorn under vLLM) close idle connections after about 5 s: an idle
// connection older than this is not reused.
constexpr auto kKeepIdle = std::chrono::seconds(4);
constexpr std::size_t kMaxIdleClients = 4;
constexpr auto kMaxBackoff = std::chrono::seconds(60);
constexpr const char* kAnthropicVersion = "2023-06-01";
constexpr const char* kJsonInstruction =
    "\n\nAnswer with one JSON object only: no text before or after it, no code fence.";

// `text` on one line, runs of white space folded, cut at `limit` characters.
std::string one_line(std::string_view text, std::size_t limit) {
  std::string out;
  bool space = false;
  for (const char c : text) {
    if (std::isspace(static_cast<unsigned char>(c))) {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
    if (out.size() >= limit) {
      out += "...";
      break;
    }
  }
  return out;
}

void redact_secret(std::string& text, const std::string& secret) {
  if (secret.empty()) return;
  for (auto at = text.find(secret); at != std::string::npos; at = text.find(secret, at)) {
    text.replace(at, secret.size(), "***");
  }
}

bool mentions_json(const ChatRequest& request) {
  const auto has = [](const std::string& s) {
    static constexpr std::string_view kWord = "json";
    return std::search(s.begin(), s.end(), kWord.begin(), kWord.end(), [](char a, char b) {
             return std::tolower(static_cast<unsigned char>(a)) == b;
           }) != s.end();
  };
  return has(request.system) || has(request.user);
}

const json::object* object_at(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v && v->is_object() ? &v->as_object() : nullptr;
}

std::string string_at(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

// A token count the provider reported: nullopt when missing or not an integer (a string, a
// fraction), which is then estimated rather than taken as 0 (a free call would escape the budget).
std::optional<std::int64_t> tokens_at(const json::object* usage, std::string_view key) {
  if (!usage) return std::nullopt;
  const auto* v = usage->if_contains(key);
  if (!v) return std::nullopt;
  if (v->is_int64()) return std::max<std::int64_t>(0, v->as_int64());
  if (v->is_uint64())
    return static_cast<std::int64_t>(
        std::min<std::uint64_t>(v->as_uint64(), std::numeric_limits<std::int64_t>::max()));
  return std::nullopt;
}

// The provider's own words from an error body: OpenAI {"error":{"message","type","code"}},
// Anthropic {"type":"error","error":{"type","message"}}, Ollama {"error":"..."}, FastAPI
// {"detail":...}; otherwise the start of the body.
std::string provider_message(const std::string& body) {
  boost::system::error_code ec;
  const json::value v = json::parse(body, ec);
  if (!ec && v.is_object()) {
    const auto& o = v.as_object();
    if (const auto* e = o.if_contains("error"); e && e->is_string())
      return std::string(e->as_string());
    if (const auto* e = object_at(o, "error")) {
      std::string kind = string_at(*e, "type");
      const auto* code = e->if_contains("code");
      if (code && code->is_string() && !code->as_string().empty()) {
        kind += (kind.empty() ? "" : ", ") + std::string(code->as_string());
      }
      const std::string message = string_at(*e, "message");
      return kind.empty() ? message : "(" + kind + ") " + message;
    }
    if (const auto* d = o.if_contains("detail")) {
      return d->is_string() ? std::string(d->as_string()) : json::serialize(*d);
    }
    if (const std::string m = string_at(o, "message"); !m.empty()) return m;
  }
  if (body.find_first_not_of(" \t\r\n") == std::string::npos) return "(empty body)";
  return "body '" + one_line(body, kSnippetLimit) + "'";
}

// What a 2xx body held: the answer, or why it is not one (tokens are kept either way: a bad answer
// was still paid for).
struct WireAnswer {
  ChatAnswer answer;
  std::string problem;
  std::optional<std::int64_t> tokens_in, tokens_out;  // as reported; nullopt: not usable
  bool answered = false;  // the wire format was read: a model answered (and was paid)
};

WireAnswer not_wire_format(const std::string& body, const char* format, const char* lacking) {
  WireAnswer out;
  out.problem = std::string("the body is not ") + format + " (" + lacking + "): '" +
                one_line(body, kSnippetLimit) + "'";
  return out;
}

WireAnswer read_openai(const json::object& o, const std::string& body) {
  constexpr const char* kFormat = "a chat completion";
  WireAnswer out;
  const auto* usage = object_at(o, "usage");
  out.tokens_in = tokens_at(usage, "prompt_tokens");
  out.tokens_out = tokens_at(usage, "completion_tokens");
  const auto* choices = o.if_contains("choices");
  if (!choices || !choices->is_array() || choices->as_array().empty() ||
      !choices->as_array()[0].is_object()) {
    return not_wire_format(body, kFormat, "no choices");
  }
  const auto& choice = choices->as_array()[0].as_object();
  const auto* message = object_at(choice, "message");
  if (!message) return not_wire_format(body, kFormat, "no message in the choice");
  out.answered = true;
  out.answer.truncated = string_at(choice, "finish_reason") == "length";
  out.answer.text = string_at(*message, "content");
  if (const std::string refusal = string_at(*message, "refusal"); !refusal.empty()) {
    out.problem = "the model refused: '" + one_line(refusal, kMessageLimit) + "'";
  }
  return out;
}

WireAnswer read_anthropic(const json::object& o, const std::string& body) {
  const auto* content = o.if_contains("content");
  if (string_at(o, "type") != "message" || !content || !content->is_array()) {
    return not_wire_format(body, "a Messages API answer", "no message content");
  }
  WireAnswer out;
  const auto* usage = object_at(o, "usage");
  out.tokens_in = tokens_at(usage, "input_tokens");
  out.tokens_out = tokens_at(usage, "output_tokens");
  out.answered = true;
  const std::string stop = string_at(o, "stop_reason");
  out.answer.truncated = stop == "max_tokens";
  for (const auto& block : content->as_array()) {
    if (block.is_object() && string_at(block.as_object(), "type") == "text") {
      out.answer.text += string_at(block.as_object(), "text");
    }
  }
  if (stop == "refusal") out.problem = "the model refused to answer";
  return out;
}

// A 2xx body in either format. Some OpenAI-compatible servers answer an error with status 200.
WireAnswer parse_wire(const std::string& body, bool anthropic) {
  boost::system::error_code ec;
  const json::value v = json::parse(body, ec);
  if (ec || !v.is_object()) {
    return not_wire_format(body, anthropic ? "a Messages API answer" : "a chat completion",
                           "not a JSON object");
  }
  const auto& o = v.as_object();
  if (o.contains("error")) {
    WireAnswer out;
    out.problem = "the provider answered with an error: " + provider_message(body);
    return out;
  }
  return anthropic ? read_anthropic(o, body) : read_openai(o, body);
}

// Seconds from Retry-After (or OpenAI's retry-after-ms); HTTP dates are not used.
std::optional<std::chrono::milliseconds> retry_after(const net::HttpClientResponse& response) {
  const auto number = [](const std::string* text) -> std::optional<double> {
    if (!text || text->empty()) return std::nullopt;
    char* end = nullptr;
    const double value = std::strtod(text->c_str(), &end);
    if (end == text->c_str() || *end != '\0' || !(value >= 0) || value > 86'400'000) {
      return std::nullopt;
    }
    return value;
  };
  if (const auto ms = number(response.header("retry-after-ms"))) {
    return std::chrono::milliseconds(static_cast<std::int64_t>(*ms));
  }
  if (const auto s = number(response.header("retry-after"))) {
    return std::chrono::milliseconds(static_cast<std::int64_t>(*s * 1000));
  }
  return std::nullopt;
}

// Tokens at the provider's prices, exactly; nullopt when the counts are absurd (an overflow).
std::optional<core::Decimal> cost_at(const core::LlmProvider& provider, std::int64_t tokens_in,
                                     std::int64_t tokens_out) {
  const auto million = core::Decimal::from_int(1'000'000);
  const auto part = [&](std::int64_t tokens, core::Decimal price) -> std::optional<core::Decimal> {
    const auto product = core::Decimal::checked_mul(core::Decimal::from_int(tokens), price);
    if (!product) return std::nullopt;
    const auto cost = core::Decimal::checked_div(*product, million);
    return cost ? std::optional(*cost) : std::nullopt;
  };
  const auto in = part(tokens_in, provider.input_usd_per_mtok);
  const auto out = part(tokens_out, provider.output_usd_per_mtok);
  if (!in || !out) return std::nullopt;
  const auto sum = core::Decimal::checked_add(*in, *out);
  return sum ? std::optional(*sum) : std::nullopt;
}

bool timed_out(const core::Error& error) {
  return error.message.find("timed out") != std::string::npos;
}

}  // namespace

ClientSettings client_settings(const core::LlmSection& section) {
  ClientSettings s;
  s.timeout = section.timeout;
  s.max_retries = std::max(0, section.max_retries);
  s.retry_backoff = section.retry_backoff;
  return s;
}

class ProviderClient::Impl {
 public:
  void stop();  // see ProviderClient::stop
  Impl(const core::LlmProvider& provider, ClientSettings settings, LlmMetrics* metrics)
      : provider_(provider),
        settings_(std::move(settings)),
        series_(metrics ? &metrics->series(provider.name, provider.model) : nullptr) {
    std::string base = provider.base_url;
    while (!base.empty() && base.back() == '/') base.pop_back();
    if (provider.kind == core::LlmProviderKind::kAnthropic) {
      // https://api.anthropic.com is documented; https://api.anthropic.com/v1 is taken too.
      const bool has_v1 = base.size() >= 3 && base.compare(base.size() - 3, 3, "/v1") == 0;
      url_ = base + (has_v1 ? "/messages" : "/v1/messages");
    } else {
      url_ = base + "/chat/completions";
    }
    const auto parsed = net::parse_client_url(url_, "http", "https");
    if (parsed) {
      path_ = parsed->target;
      if (const auto q = path_.find('?'); q != std::string::npos) path_.resize(q);
    } else {
      url_problem_ = "base_url: " + parsed.error().message;
    }
    prefix_ = "LLM provider '" + provider.name + "' (model " + provider.model + "): POST " +
              (path_.empty() ? url_ : path_) + ": ";
  }

  core::Result<ChatAnswer> complete(const ChatRequest& request, Usage* paid,
                                    const AnswerCheck& check);

 private:
  struct Pooled {
    std::unique_ptr<net::HttpClient> client;
    SteadyClock::time_point idle_since;
  };

  std::string body_for(const ChatRequest& request) const;
  net::ClientHeaders headers() const;
  std::optional<std::string> take_slot(SteadyClock::time_point deadline);
  // Waits until `until`; false when stop() came first.
  bool wait_unless_stopped(SteadyClock::time_point until);
  Pooled acquire(bool& reused);
  void release(Pooled pooled);
  core::Result<net::HttpClientResponse> send(const std::string& body,
                                             std::chrono::milliseconds timeout);
  std::string transport_problem(const core::Error& error, int attempts) const;
  // The usage to charge: as reported, or (a priced provider that reported none usable) the
  // request's worst case, said in a warning and counted.
  void settle_usage(const WireAnswer& wire, const ChatRequest& request, ChatAnswer& answer);

  const core::LlmProvider& provider_;  // the owning ProviderClient's
  const ClientSettings settings_;
  LlmMetrics::Series* const series_;
  std::string url_, path_, prefix_, url_problem_;
  std::shared_ptr<spdlog::logger> log_ = core::logger("llm");

  std::mutex mutex_;                            // guards idle_, starts_, stopping_ and not_before_
  std::condition_variable stop_wake_;           // ends a wait for a slot or a retry
  bool stopping_ = false;                       // see ProviderClient::stop
  std::vector<Pooled> idle_;                    // clients with a kept-alive connection
  std::deque<SteadyClock::time_point> starts_;  // the last requests_per_minute attempt slots
  // A Retry-After the provider asked for and no call could wait out: nothing is sent before it.
  SteadyClock::time_point not_before_{};
};

std::string ProviderClient::Impl::body_for(const ChatRequest& request) const {
  json::object body;
  body["model"] = provider_.model;
  body["max_tokens"] = request.max_tokens;
  body["temperature"] = 0;
  std::string system = request.system;
  if (provider_.kind == core::LlmProviderKind::kAnthropic) {
    // The Messages API has no JSON mode: the instruction asks for it.
    if (request.json) system += kJsonInstruction;
    if (!system.empty()) body["system"] = system;
    body["messages"] = json::array{json::object{{"role", "user"}, {"content", request.user}}};
  } else {
    // OpenAI refuses JSON mode unless the word "json" is in the messages.
    if (request.json && !mentions_json(request)) system += kJsonInstruction;
    json::array messages;
    if (!system.empty()) messages.push_back(json::object{{"role", "system"}, {"content", system}});
    messages.push_back(json::object{{"role", "user"}, {"content", request.user}});
    body["messages"] = std::move(messages);
    if (request.json) body["response_format"] = json::object{{"type", "json_object"}};
  }
  return json::serialize(body);
}

net::ClientHeaders ProviderClient::Impl::headers() const {
  net::ClientHeaders h{{"Content-Type", "application/json"}, {"Accept", "application/json"}};
  if (provider_.kind == core::LlmProviderKind::kAnthropic) {
    h.emplace_back("anthropic-version", kAnthropicVersion);
    if (!provider_.api_key.empty()) h.emplace_back("x-api-key", provider_.api_key);
  } else if (!provider_.api_key.empty()) {
    h.emplace_back("Authorization", "Bearer " + provider_.api_key);
  }
  return h;
}

// Reserves the next slot of the rolling window and waits for it; a slot at or beyond the call's
// deadline is refused (the reason returned) rather than waited for.
std::optional<std::string> ProviderClient::Impl::take_slot(SteadyClock::time_point deadline) {
  const int limit = provider_.requests_per_minute;
  if (limit <= 0) return std::nullopt;
  SteadyClock::time_point slot;
  {
    const std::lock_guard lock(mutex_);
    const auto now = SteadyClock::now();
    slot = now;
    if (starts_.size() >= static_cast<std::size_t>(limit)) {
      slot = std::max(now, starts_.front() + settings_.rate_window);
    }
    if (slot >= deadline && slot > now) {
      auto wait = std::chrono::ceil<std::chrono::milliseconds>(slot - now);
      if (wait >= std::chrono::seconds(10)) wait = std::chrono::ceil<std::chrono::seconds>(wait);
      return "not sent: the rate limit of " + std::to_string(limit) +
             " requests per minute is reached and the next slot is " + core::duration_text(wait) +
             " away, beyond the timeout of " + core::duration_text(settings_.timeout) +
             " (raise requests_per_minute if the provider allows more)";
    }
    starts_.push_back(slot);
    while (starts_.size() > static_cast<std::size_t>(limit)) starts_.pop_front();
  }
  if (!wait_unless_stopped(slot)) return std::string(kStopping);
  return std::nullopt;
}

bool ProviderClient::Impl::wait_unless_stopped(SteadyClock::time_point until) {
  std::unique_lock lock(mutex_);
  return !stop_wake_.wait_until(lock, until, [this] { return stopping_; });
}

void ProviderClient::Impl::stop() {
  {
    const std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  stop_wake_.notify_all();
}

ProviderClient::Impl::Pooled ProviderClient::Impl::acquire(bool& reused) {
  {
    const std::lock_guard lock(mutex_);
    const auto now = SteadyClock::now();
    std::erase_if(idle_, [&](const Pooled& p) { return now - p.idle_since > kKeepIdle; });
    if (!idle_.empty()) {
      Pooled p = std::move(idle_.back());
      idle_.pop_back();
      reused = true;
      return p;
    }
  }
  reused = false;
  net::HttpClientOptions options;
  options.tls = settings_.tls;
  options.timeout = settings_.timeout;
  return Pooled{std::make_unique<net::HttpClient>(std::move(options)), {}};
}

void ProviderClient::Impl::release(Pooled pooled) {
  const std::lock_guard lock(mutex_);
  if (idle_.size() >= kMaxIdleClients) return;
  pooled.idle_since = SteadyClock::now();
  idle_.push_back(std::move(pooled));
}

core::Result<net::HttpClientResponse> ProviderClient::Impl::send(
    const std::string& body, std::chrono::milliseconds timeout) {
  net::HttpClientRequest request;
  request.method = "POST";
  request.url = url_;
  request.headers = headers();
  request.body = body;
  request.timeout = timeout;
  for (int round = 0;; ++round) {
    bool reused = false;
    Pooled pooled = acquire(reused);
    auto response = pooled.client->request(request);
    if (response) {
      const auto* connection = response->header("connection");
      if (!connection || connection->find("close") == std::string::npos) {
        release(std::move(pooled));
      }
      return response;
    }
    // A kept-alive connection the server closed while it was idle fails at once, before the
    // request reached the model: it goes again, once, on a new connection. A timeout does not.
    if (!reused || round > 0 || timed_out(response.error())) return response;
  }
}

// The HttpClient's reason without its "POST <url>: " prefix (the Error has its own).
std::string ProviderClient::Impl::transport_problem(const core::Error& error, int attempts) const {
  const std::string prefix = "POST " + url_ + ": ";
  std::string text =
      error.message.rfind(prefix, 0) == 0 ? error.message.substr(prefix.size()) : error.message;
  if (const auto at = text.find(": timed out"); at != std::string::npos) {
    // "reading the response failed: timed out (timeout 30 s)": the step, and the advice.
    text = "no answer within the timeout of " + core::duration_text(settings_.timeout) +
           (attempts > 1 ? ", retries included" : "") + " (" + text.substr(0, at) +
           "; raise llm.timeout if the model is this slow)";
  } else if (timed_out(error)) {
    text = "timed out after " + core::duration_text(settings_.timeout) + ": " + text;
  }
  return text;
}

void ProviderClient::Impl::settle_usage(const WireAnswer& wire, const ChatRequest& request,
                                        ChatAnswer& answer) {
  answer.tokens_in = wire.tokens_in.value_or(0);
  answer.tokens_out = wire.tokens_out.value_or(0);
  if (provider_.local || !wire.answered || (wire.tokens_in && wire.tokens_out)) return;
  // Some gateways and proxies (and streamed answers without include_usage) report no usage: the
  // model was paid all the same, and a call booked as free would never stop at the daily budget.
  const Estimate worst = worst_case(request);
  if (!wire.tokens_in) answer.tokens_in = worst.tokens_in;
  if (!wire.tokens_out) answer.tokens_out = worst.tokens_out;
  answer.usage_estimated = true;
  if (series_) series_->on_usage_estimated();
  log_->warn(
      "LLM provider '{}' (model {}) answered without usable token counts (usage): charged the "
      "request's worst case, {} tokens in and {} out (prompt characters / 4, and max_tokens)",
      provider_.name, provider_.model, answer.tokens_in, answer.tokens_out);
}

core::Result<ChatAnswer> ProviderClient::Impl::complete(const ChatRequest& request, Usage* paid,
                                                        const AnswerCheck& check) {
  // The whole call, retries and waits included, ends by llm.timeout (SPEC §6: 30 s a model): a
  // decision is not held back for minutes by a model that keeps failing.
  const auto deadline = SteadyClock::now() + settings_.timeout;
  std::optional<SteadyClock::time_point> first;
  int attempts = 0;
  const auto fail = [&](LlmOutcome outcome, std::string why) -> core::Error {
    const auto elapsed = first ? SteadyClock::now() - *first : SteadyClock::duration::zero();
    if (series_) {
      series_->on_call(outcome, std::chrono::duration<double>(elapsed).count(), first.has_value());
    }
    std::string text = prefix_ + why;
    if (attempts > 1) text += " (after " + std::to_string(attempts) + " attempts)";
    redact_secret(text, provider_.api_key);
    return core::Error::of(std::move(text));
  };
  const auto wait_text = [](std::chrono::milliseconds wait) {
    return core::duration_text(
        wait >= std::chrono::seconds(10) ? std::chrono::ceil<std::chrono::seconds>(wait) : wait);
  };
  if (!url_problem_.empty()) return fail(LlmOutcome::kTransportError, url_problem_);

  // A Retry-After an earlier call could not wait out: not sent before it.
  SteadyClock::time_point not_before;
  {
    const std::lock_guard lock(mutex_);
    not_before = not_before_;
  }
  if (const auto now = SteadyClock::now(); not_before > now) {
    const auto wait = std::chrono::ceil<std::chrono::milliseconds>(not_before - now);
    if (not_before >= deadline) {
      return fail(LlmOutcome::kRateLimited,
                  "not sent: the provider asked (Retry-After) for no request during another " +
                      wait_text(wait) + ", beyond the timeout of " +
                      core::duration_text(settings_.timeout) + "; given up for this cycle");
    }
    if (!wait_unless_stopped(not_before)) return fail(LlmOutcome::kTransportError, kStopping);
  }

  const std::string body = body_for(request);
  auto backoff = settings_.retry_backoff;
  while (true) {
    if (auto refused = take_slot(deadline)) {
      return fail(*refused == kStopping ? LlmOutcome::kTransportError : LlmOutcome::kLocalLimit,
                  std::move(*refused));
    }
    if (!first) first = SteadyClock::now();
    ++attempts;
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - SteadyClock::now());
    auto response = send(body, std::max(left, std::chrono::milliseconds(1)));
    if (!response) {
      return fail(timed_out(response.error()) ? LlmOutcome::kTimeout : LlmOutcome::kTransportError,
                  transport_problem(response.error(), attempts));
    }
    const int status = response->status;
    if (status >= 200 && status < 300) {
      WireAnswer wire =
          parse_wire(response->body, provider_.kind == core::LlmProviderKind::kAnthropic);
      ChatAnswer& answer = wire.answer;
      settle_usage(wire, request, answer);
      const auto cost = cost_at(provider_, answer.tokens_in, answer.tokens_out);
      if (!cost) {
        return fail(LlmOutcome::kBadAnswer,
                    "token counts out of range: " + std::to_string(answer.tokens_in) + " in, " +
                        std::to_string(answer.tokens_out) + " out");
      }
      answer.cost_usd = *cost;
      if (paid != nullptr) *paid = {answer.tokens_in, answer.tokens_out, *cost};
      if (series_) series_->on_tokens(answer.tokens_in, answer.tokens_out, cost->to_double());
      if (wire.problem.empty() && answer.text.find_first_not_of(" \t\r\n") == std::string::npos) {
        wire.problem = answer.truncated
                           ? "the answer is empty: the model stopped at max_tokens (" +
                                 std::to_string(request.max_tokens) + ") before writing any"
                           : "the answer is empty";
      }
      if (!wire.problem.empty()) return fail(LlmOutcome::kBadAnswer, std::move(wire.problem));
      answer.raw_body = std::move(response->body);
      answer.attempts = attempts;
      answer.latency =
          std::chrono::duration_cast<std::chrono::microseconds>(SteadyClock::now() - *first);
      if (series_) {
        // An answer the caller cannot use (not the JSON asked for) was a bad answer, not an ok one.
        LlmOutcome outcome = answer.truncated ? LlmOutcome::kTruncated : LlmOutcome::kOk;
        if (outcome == LlmOutcome::kOk && check && !check(answer.text)) {
          outcome = LlmOutcome::kBadAnswer;
        }
        series_->on_call(outcome, std::chrono::duration<double>(answer.latency).count(), true);
      }
      return std::move(answer);
    }
    std::string why = "HTTP " + std::to_string(status) + ": " +
                      one_line(provider_message(response->body), kMessageLimit);
    const LlmOutcome failed = status == 429 ? LlmOutcome::kRateLimited : LlmOutcome::kHttpError;
    const auto now = SteadyClock::now();
    const auto after = retry_after(*response);
    if (after) {
      // Sending sooner than asked would only extend a rate limiter's penalty: nothing more goes to
      // this provider until then, from this call or the next.
      const std::lock_guard lock(mutex_);
      not_before_ = std::max(not_before_, now + *after);
    }
    const bool retryable = status == 429 || status >= 500;  // 529: Anthropic overloaded
    if (!retryable || attempts > settings_.max_retries) {
      if (status == 401 || status == 403) why += " (check the provider's api_key)";
      return fail(failed, std::move(why));
    }
    const std::chrono::milliseconds delay = after ? *after : backoff;
    backoff = std::min<std::chrono::milliseconds>(backoff * 2, kMaxBackoff);
    if (now + delay >= deadline) {
      const auto left_now = std::chrono::ceil<std::chrono::milliseconds>(
          std::max(deadline - now, SteadyClock::duration::zero()));
      if (after) {
        return fail(failed, why + "; the provider asks to wait " + wait_text(*after) +
                                " before retrying (Retry-After), more than the " +
                                wait_text(left_now) + " left of the timeout of " +
                                core::duration_text(settings_.timeout) +
                                ": given up for this cycle");
      }
      return fail(failed, why + "; no retry: the backoff of " + wait_text(delay) +
                              " would pass the timeout of " +
                              core::duration_text(settings_.timeout));
    }
    if (series_) series_->on_retry();
    if (!wait_unless_stopped(now + delay)) {
      return fail(LlmOutcome::kHttpError, why + "; " + kStopping);
    }
  }
}

ProviderClient::ProviderClient(core::LlmProvider provider, ClientSettings settings,
                               LlmMetrics* metrics)
    : provider_(std::move(provider)),
      impl_(std::make_unique<Impl>(provider_, std::move(settings), metrics)) {}

ProviderClient::~ProviderClient() = default;

core::Result<ChatAnswer> ProviderClient::complete(const ChatRequest& request, Usage* paid,
                                                  const AnswerCheck& check) {
  return impl_->complete(request, paid, check);
}

void ProviderClient::stop() { impl_->stop(); }

Estimate worst_case(const ChatRequest& request) {
  const auto chars = static_cast<std::int64_t>(request.system.size() + request.user.size());
  return {(chars + 3) / 4, std::max(0, request.max_tokens)};
}

core::Decimal ProviderClient::worst_case_cost(const ChatRequest& request) const {
  const Estimate worst = worst_case(request);
  return cost_at(provider_, worst.tokens_in, worst.tokens_out).value_or(core::Decimal::max());
}

}  // namespace tg4::llm
