#include "core/logging.hpp"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <mutex>

#include "core/time.hpp"

namespace tg4::core {
namespace {

bool ident_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-';
}

bool space(char c) {
  return c == ' ' || c == '\t';
}

char lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

std::string lowered(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = lower(c);
  return out;
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// Identifiers whose value is a secret: the name itself or anything ending in it (ws_token,
// client_secret, x-api-key).
bool is_secret_name(std::string_view ident) {
  static constexpr std::array<std::string_view, 12> kSuffixes = {
      "apikey", "api_key",  "api-key",  "secret",  "password",    "passwd",
      "token",  "api-sign", "api_sign", "apisign", "private_key", "private-key"};
  const std::string name = lowered(ident);
  for (auto suffix : kSuffixes) {
    if (ends_with(name, suffix)) return true;
  }
  return false;
}

bool value_end(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == ',' || c == ';' || c == '&' ||
         c == '}' || c == ')' || c == ']' || c == '"' || c == '\'';
}

// At text[i] == ':' starting "://": copies the scheme separator and the authority, masking a
// password in user:password@. Returns the index after what was consumed.
std::size_t redact_url_authority(std::string_view text, std::size_t i, std::string& out) {
  out += "://";
  i += 3;
  std::size_t end = i;
  while (end < text.size() &&
         std::string_view("/?# \t\r\n\"'<>").find(text[end]) == std::string_view::npos) {
    ++end;
  }
  const std::size_t at = text.substr(i, end - i).rfind('@');
  if (at == std::string_view::npos) return i;
  const std::string_view userinfo = text.substr(i, at);
  const std::size_t colon = userinfo.find(':');
  if (colon == std::string_view::npos) return i;
  out += userinfo.substr(0, colon);
  out += ":***@";
  return i + at + 1;
}

// A short word of letters only, "Kraken", "POST", "cannot": prose, not a credential (WebSocket
// tokens, API keys and hashes carry digits or symbols, or are long).
bool prose_word(std::string_view value) {
  return value.size() <= 16 && std::all_of(value.begin(), value.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
         });
}

// Kraken's error code, "EAPI:Invalid", "EGeneral:Permission", "EOrder:Insufficient": E, a
// capitalised category of letters, a colon and a capitalised message. What the exchange answered,
// never a credential (tokens and keys are base64, without a colon).
bool kraken_error_code(std::string_view value) {
  const std::size_t colon = value.find(':');
  if (colon == std::string_view::npos || colon < 2 || colon + 1 >= value.size()) return false;
  if (value[0] != 'E' || value[1] < 'A' || value[1] > 'Z') return false;
  const auto letter = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
  if (!std::all_of(value.begin(), value.begin() + static_cast<std::ptrdiff_t>(colon), letter))
    return false;
  return value[colon + 1] >= 'A' && value[colon + 1] <= 'Z';
}

// After an identifier ending at j that names a secret: `= v`, `: v`, `":"v"`. Returns the index
// after the masked value, or npos when no value follows. With `prose_after_colon` (a name ending
// in "token", as in "no WebSocket token: Kraken REST ..." or "Kraken REST GetWebSocketsToken:
// EAPI:Invalid key"), an unquoted prose word or Kraken error code after a colon is text, not the
// token.
std::size_t redact_assignment(std::string_view text, std::size_t j, char opening_quote,
                              bool prose_after_colon, std::string& out) {
  std::size_t k = j;
  if (opening_quote != 0 && k < text.size() && text[k] == opening_quote) ++k;
  while (k < text.size() && space(text[k])) ++k;
  if (k >= text.size() || (text[k] != '=' && text[k] != ':')) return std::string_view::npos;
  const bool colon = text[k] == ':';
  ++k;
  while (k < text.size() && space(text[k])) ++k;
  char quote = 0;
  if (k < text.size() && (text[k] == '"' || text[k] == '\'')) quote = text[k++];
  std::size_t end = k;
  while (end < text.size() && (quote != 0 ? text[end] != quote : !value_end(text[end]))) ++end;
  if (end == k) return std::string_view::npos;
  if (end - k == 3 && text.substr(k, 3) == "***") return std::string_view::npos;
  if (prose_after_colon && colon && quote == 0 && opening_quote == 0 &&
      (prose_word(text.substr(k, end - k)) || kraken_error_code(text.substr(k, end - k)))) {
    return std::string_view::npos;
  }
  out += text.substr(j, k - j);
  out += "***";
  return end;
}

// "Bearer <token>" / "Basic <credentials>": the word is kept, the credential masked.
std::size_t redact_scheme_credential(std::string_view text, std::size_t j, std::string& out) {
  std::size_t k = j;
  while (k < text.size() && space(text[k])) ++k;
  if (k == j) return std::string_view::npos;
  std::size_t end = k;
  while (end < text.size() && !value_end(text[end])) ++end;
  if (end == k) return std::string_view::npos;
  out += text.substr(j, k - j);
  out += "***";
  return end;
}

bool might_hold_secret(std::string_view text) {
  const std::string low = lowered(text);
  for (std::string_view w : {"://", "key", "sign", "secret", "pass", "token", "bearer", "basic"}) {
    if (low.find(w) != std::string::npos) return true;
  }
  return false;
}

class JsonFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    std::string line;
    line.reserve(msg.payload.size() + 96);
    const auto ns =
        std::chrono::duration_cast<std::chrono::nanoseconds>(msg.time.time_since_epoch()).count();
    line += "{\"ts\":\"";
    line += format_rfc3339(Timestamp{ns}, 9);
    line += "\",\"level\":\"";
    const auto level = spdlog::level::to_string_view(msg.level);
    line.append(level.data(), level.size());
    line += "\",\"logger\":\"";
    append_json_escaped(line, std::string_view(msg.logger_name.data(), msg.logger_name.size()));
    line += "\",\"msg\":\"";
    append_json_escaped(line, redact(std::string_view(msg.payload.data(), msg.payload.size())));
    line += "\"}\n";
    dest.append(line.data(), line.data() + line.size());
  }
  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<JsonFormatter>();
  }
};

class RedactingTextFormatter final : public spdlog::formatter {
 public:
  RedactingTextFormatter()
      : inner_("%Y-%m-%dT%H:%M:%S.%fZ %l [%n] %v", spdlog::pattern_time_type::utc) {}
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    const std::string clean = redact(std::string_view(msg.payload.data(), msg.payload.size()));
    spdlog::details::log_msg copy = msg;
    copy.payload = spdlog::string_view_t(clean.data(), clean.size());
    inner_.format(copy, dest);
  }
  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<RedactingTextFormatter>();
  }

 private:
  spdlog::pattern_formatter inner_;
};

// Length of the valid UTF-8 sequence at s[i], or 0.
std::size_t utf8_length(std::string_view s, std::size_t i) {
  const auto b = static_cast<unsigned char>(s[i]);
  std::size_t len = 0;
  std::uint32_t cp = 0;
  if (b >= 0xC2 && b <= 0xDF) {
    len = 2, cp = b & 0x1Fu;
  } else if (b >= 0xE0 && b <= 0xEF) {
    len = 3, cp = b & 0x0Fu;
  } else if (b >= 0xF0 && b <= 0xF4) {
    len = 4, cp = b & 0x07u;
  } else {
    return 0;
  }
  if (i + len > s.size()) return 0;
  for (std::size_t k = 1; k < len; ++k) {
    const auto c = static_cast<unsigned char>(s[i + k]);
    if ((c & 0xC0u) != 0x80u) return 0;
    cp = (cp << 6) | (c & 0x3Fu);
  }
  const bool overlong = (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000);
  const bool surrogate = cp >= 0xD800 && cp <= 0xDFFF;
  if (overlong || surrogate || cp > 0x10FFFF) return 0;
  return len;
}

}  // namespace

std::string redact(std::string_view text) {
  if (!might_hold_secret(text)) return std::string(text);
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    if (c == ':' && text.substr(i, 3) == "://") {
      i = redact_url_authority(text, i, out);
      continue;
    }
    if (!ident_char(c) || (i > 0 && ident_char(text[i - 1]))) {
      out += c;
      ++i;
      continue;
    }
    std::size_t j = i;
    while (j < text.size() && ident_char(text[j])) ++j;
    const std::string_view ident = text.substr(i, j - i);
    out += ident;
    std::size_t next = std::string_view::npos;
    const std::string low = lowered(ident);
    if (low == "bearer" || low == "basic") {
      next = redact_scheme_credential(text, j, out);
    } else if (is_secret_name(ident)) {
      const char quote = (i > 0 && (text[i - 1] == '"' || text[i - 1] == '\'')) ? text[i - 1] : 0;
      next = redact_assignment(text, j, quote, ends_with(low, "token"), out);
    }
    i = next == std::string_view::npos ? j : next;
  }
  return out;
}

void append_json_escaped(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::size_t i = 0;
  while (i < text.size()) {
    const auto b = static_cast<unsigned char>(text[i]);
    if (b >= 0x80) {
      const std::size_t len = utf8_length(text, i);
      if (len == 0) {
        out += "\\ufffd";
        ++i;
      } else {
        out += text.substr(i, len);
        i += len;
      }
      continue;
    }
    switch (b) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      default:
        if (b < 0x20) {
          out += "\\u00";
          out += kHex[b >> 4];
          out += kHex[b & 0xF];
        } else {
          out += static_cast<char>(b);
        }
    }
    ++i;
  }
}

Result<LogFormat> parse_log_format(std::string_view text) {
  if (text == "text") return LogFormat::kText;
  if (text == "json") return LogFormat::kJson;
  return Error::of("log format \"" + std::string(text) + "\" is not one of text, json");
}

Result<spdlog::level::level_enum> parse_log_level(std::string_view text) {
  static constexpr std::array<std::pair<std::string_view, spdlog::level::level_enum>, 8> kLevels = {
      {{"trace", spdlog::level::trace},
       {"debug", spdlog::level::debug},
       {"info", spdlog::level::info},
       {"warn", spdlog::level::warn},
       {"warning", spdlog::level::warn},
       {"error", spdlog::level::err},
       {"critical", spdlog::level::critical},
       {"off", spdlog::level::off}}};
  for (const auto& [name, level] : kLevels) {
    if (text == name) return level;
  }
  return Error::of("log level \"" + std::string(text) +
                   "\" is not one of trace, debug, info, warn, error, critical, off");
}

std::unique_ptr<spdlog::formatter> make_log_formatter(LogFormat format) {
  if (format == LogFormat::kJson) return std::make_unique<JsonFormatter>();
  return std::make_unique<RedactingTextFormatter>();
}

void setup_logging(LogFormat format, spdlog::level::level_enum level,
                   std::vector<spdlog::sink_ptr> sinks) {
  if (sinks.empty()) sinks.push_back(std::make_shared<spdlog::sinks::stderr_sink_mt>());
  auto root = std::make_shared<spdlog::logger>("tg4", sinks.begin(), sinks.end());
  spdlog::set_default_logger(root);
  // Module loggers made before this call move to the new sinks too.
  spdlog::apply_all([&](const std::shared_ptr<spdlog::logger>& l) { l->sinks() = sinks; });
  spdlog::set_formatter(make_log_formatter(format));
  spdlog::set_level(level);
  spdlog::flush_on(spdlog::level::warn);
}

Status setup_logging(std::string_view format, std::string_view level) {
  const auto f = parse_log_format(format);
  if (!f) return f.error();
  const auto l = parse_log_level(level);
  if (!l) return l.error();
  setup_logging(*f, *l);
  return {};
}

std::shared_ptr<spdlog::logger> logger(const std::string& name) {
  // spdlog's registry is process-wide already; this lock only makes get-or-create atomic.
  static std::mutex create_mutex;
  const std::lock_guard lock(create_mutex);
  if (auto existing = spdlog::get(name)) return existing;
  const auto root = spdlog::default_logger();
  auto created = std::make_shared<spdlog::logger>(name, root->sinks().begin(), root->sinks().end());
  created->set_level(root->level());
  spdlog::register_logger(created);
  return created;
}

}  // namespace tg4::core
