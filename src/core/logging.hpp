#pragma once
// Logging: spdlog set up once by the binary, text or JSON lines on stderr, with every message
// passed through redact() first, so a secret that reaches a log call still never reaches the log.
// Modules take a named logger: core::logger("feed").
#include <spdlog/common.h>
#include <spdlog/formatter.h>
#include <spdlog/logger.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace tg4::core {

enum class LogFormat : std::uint8_t { kText, kJson };

Result<LogFormat> parse_log_format(std::string_view text);                 // "text" | "json"
Result<spdlog::level::level_enum> parse_log_level(std::string_view text);  // trace … critical, off

// Replaces the default logger's sinks (stderr unless `sinks` is given, e.g. a test's ostream sink)
// and the formatter of every logger, existing and future, with a redacting one of `format`.
void setup_logging(LogFormat format, spdlog::level::level_enum level,
                   std::vector<spdlog::sink_ptr> sinks = {});
// The same from the command line's --log-format/--log-level text; an Error names a bad value.
Status setup_logging(std::string_view format, std::string_view level);

// The logger of a module, created on first use with the default logger's sinks and level.
std::shared_ptr<spdlog::logger> logger(const std::string& name);

// Masks secrets in free text: "Bearer <token>", key=value / key: value / "key":"value" for keys
// that name a secret (…api_key, …apikey, …secret, …password, …passwd, …token, api-sign,
// private_key), the API-Key / API-Sign headers, and passwords in URLs (scheme://user:pass@ ->
// scheme://user:***@).
std::string redact(std::string_view text);

// A JSON string literal body: quotes, backslashes and control characters escaped, invalid UTF-8
// replaced by U+FFFD, so every line of a JSON log is valid JSON.
void append_json_escaped(std::string& out, std::string_view text);

// The formatter setup_logging installs, exposed for tests and for sinks created elsewhere.
std::unique_ptr<spdlog::formatter> make_log_formatter(LogFormat format);

}  // namespace tg4::core
