// Logging: secrets are masked in every message (text and JSON), JSON lines are valid JSON with
// ts/level/logger/msg, and module loggers share the configured sinks.
#include "core/logging.hpp"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <map>
#include <optional>
#include <sstream>

#include "core/time.hpp"

namespace tg4::core {
namespace {

// A strict reader of one JSON string literal starting at s[i] == '"' (RFC 8259: no raw control
// characters, only the standard escapes, \u with surrogate pairs). Returns the decoded UTF-8.
std::optional<std::string> read_json_string(std::string_view s, std::size_t& i) {
  if (i >= s.size() || s[i] != '"') return std::nullopt;
  std::string out;
  const auto hex4 = [&](std::size_t at) -> std::optional<unsigned> {
    if (at + 4 > s.size()) return std::nullopt;
    unsigned v = 0;
    for (std::size_t k = at; k < at + 4; ++k) {
      const char c = s[k];
      v <<= 4;
      if (c >= '0' && c <= '9')
        v |= static_cast<unsigned>(c - '0');
      else if (c >= 'a' && c <= 'f')
        v |= static_cast<unsigned>(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F')
        v |= static_cast<unsigned>(c - 'A' + 10);
      else
        return std::nullopt;
    }
    return v;
  };
  const auto put = [&](unsigned cp) {
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  };
  for (++i; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c == '"') {
      ++i;
      return out;
    }
    if (c < 0x20) return std::nullopt;
    if (c != '\\') {
      out += static_cast<char>(c);
      continue;
    }
    if (++i >= s.size()) return std::nullopt;
    switch (s[i]) {
      case '"':
        out += '"';
        break;
      case '\\':
        out += '\\';
        break;
      case '/':
        out += '/';
        break;
      case 'b':
        out += '\b';
        break;
      case 'f':
        out += '\f';
        break;
      case 'n':
        out += '\n';
        break;
      case 'r':
        out += '\r';
        break;
      case 't':
        out += '\t';
        break;
      case 'u': {
        auto cp = hex4(i + 1);
        if (!cp) return std::nullopt;
        i += 4;
        if (*cp >= 0xD800 && *cp <= 0xDBFF) {
          if (i + 2 >= s.size() || s[i + 1] != '\\' || s[i + 2] != 'u') return std::nullopt;
          const auto low = hex4(i + 3);
          if (!low || *low < 0xDC00 || *low > 0xDFFF) return std::nullopt;
          cp = 0x10000 + ((*cp - 0xD800) << 10) + (*low - 0xDC00);
          i += 6;
        } else if (*cp >= 0xDC00 && *cp <= 0xDFFF) {
          return std::nullopt;
        }
        put(*cp);
        break;
      }
      default:
        return std::nullopt;
    }
  }
  return std::nullopt;
}

// A flat JSON object of string values, as the JSON log lines are; nullopt when not valid JSON.
std::optional<std::map<std::string, std::string>> parse_flat_object(std::string_view s) {
  std::map<std::string, std::string> out;
  std::size_t i = 0;
  if (s.empty() || s[i++] != '{') return std::nullopt;
  while (true) {
    auto key = read_json_string(s, i);
    if (!key || i >= s.size() || s[i++] != ':') return std::nullopt;
    auto value = read_json_string(s, i);
    if (!value || !out.emplace(*key, *value).second || i >= s.size()) return std::nullopt;
    if (s[i] == '}') return i + 1 == s.size() ? std::optional(out) : std::nullopt;
    if (s[i++] != ',') return std::nullopt;
  }
}

TEST(Redact, BearerTokensAndHeaders) {
  EXPECT_EQ(redact("Authorization: Bearer abc.DEF-123_x"), "Authorization: Bearer ***");
  EXPECT_EQ(redact("auth=bearer   tok123, next"), "auth=bearer   ***, next");
  EXPECT_EQ(redact("API-Key: K3y+/= API-Sign: c2lnbmF0dXJl=="), "API-Key: *** API-Sign: ***");
  EXPECT_EQ(redact("Basic dXNlcjpwYXNz"), "Basic ***");
}

TEST(Redact, KeyValueForms) {
  EXPECT_EQ(redact("GET /x?api_key=abc123&b=2"), "GET /x?api_key=***&b=2");
  EXPECT_EQ(redact("password: hunter2 ok"), "password: *** ok");
  EXPECT_EQ(redact(R"({"token":"WS-TOKEN-1","n":1})"), R"({"token":"***","n":1})");
  EXPECT_EQ(redact("client_secret = 's p a c e'"), "client_secret = '***'");
  EXPECT_EQ(redact("ws_token=XYZ apiKey=abc"), "ws_token=*** apiKey=***");
  EXPECT_EQ(redact("KRAKEN_API_SECRET=c2VjcmV0"), "KRAKEN_API_SECRET=***");
}

// "token:" followed by an ordinary word is prose: the word stays (an error read "no WebSocket
// token: *** REST GetWebSocketsToken: *** http://...: *** connect"). Credentials still go.
TEST(Redact, AWordAfterTokenColonIsText) {
  EXPECT_EQ(redact("kraken venue: no WebSocket token: Kraken REST GetWebSocketsToken: POST "
                   "http://127.0.0.1:19740/0/private/GetWebSocketsToken: cannot connect to "
                   "127.0.0.1:19740: Connection refused"),
            "kraken venue: no WebSocket token: Kraken REST GetWebSocketsToken: POST "
            "http://127.0.0.1:19740/0/private/GetWebSocketsToken: cannot connect to "
            "127.0.0.1:19740: Connection refused");
  EXPECT_EQ(redact("ws token: aB3dE5fG7hI9 ok"), "ws token: *** ok");
  EXPECT_EQ(redact("token: abcdefghijklmnopqrstuvwxyz"), "token: ***");
  EXPECT_EQ(redact("token=Kraken"), "token=***");
  EXPECT_EQ(redact(R"({"token":"Kraken"})"), R"({"token":"***"})");
  EXPECT_EQ(redact("password: hunter ok"), "password: *** ok");
}

// Kraken's answer to a wrong key, signature or nonce is what the operator must read: the method's
// name ends in "Token", yet its error code is no token ("*** key" hid EAPI:Invalid key). Secrets
// around it are still masked, and a secret that merely starts like a code is masked too.
TEST(Redact, KrakensErrorCodesSurviveAndSecretsDoNot) {
  for (const char* text :
       {"kraken venue: no WebSocket token: Kraken REST GetWebSocketsToken: EAPI:Invalid key",
        "Kraken REST GetWebSocketsToken: EAPI:Invalid nonce",
        "Kraken REST GetWebSocketsToken: EAPI:Invalid signature; retrying",
        "Kraken REST GetWebSocketsToken: EGeneral:Permission denied",
        "ws token: EService:Unavailable", "Kraken REST AddOrder: EOrder:Insufficient funds",
        R"({"error":["EAPI:Invalid key"]})"}) {
    EXPECT_EQ(redact(text), text);
  }
  EXPECT_EQ(redact("GetWebSocketsToken: EAPI:Invalid key API-Key: K3yK3yK3y+/="),
            "GetWebSocketsToken: EAPI:Invalid key API-Key: ***");
  EXPECT_EQ(redact("api_key: EAPI:Invalid"), "api_key: ***");  // a key's value, whatever it reads
  EXPECT_EQ(redact("password: EAdmin:Secret1"), "password: ***");
  EXPECT_EQ(redact("token=EAPI:Invalid"), "token=***");
  EXPECT_EQ(redact(R"({"token":"EAPI:Invalid key"})"), R"({"token":"***"})");
  EXPECT_EQ(redact("ws token: E3:abc"), "ws token: ***");
  EXPECT_EQ(redact("ws token: EAPI:invalid0x"), "ws token: ***");  // no capitalised message
  EXPECT_EQ(redact("ws token: aB3dE5fG7hI9 ok"), "ws token: *** ok");
}

TEST(Redact, PasswordsInUrls) {
  EXPECT_EQ(redact("connect postgresql://tg4:s3cr3t@db:5432/tg4 failed"),
            "connect postgresql://tg4:***@db:5432/tg4 failed");
  EXPECT_EQ(redact("redis://:pw@127.0.0.1:6379/0"), "redis://:***@127.0.0.1:6379/0");
  EXPECT_EQ(redact("https://user:p@ss@host/x"), "https://user:***@host/x");
  EXPECT_EQ(redact("wss://ws.kraken.com/v2"), "wss://ws.kraken.com/v2");
  EXPECT_EQ(redact("https://user@host/path?q=1"), "https://user@host/path?q=1");
}

TEST(Redact, LeavesOrdinaryTextAlone) {
  for (const char* text : {"book checksum mismatch on BTC/USD", "max_tokens: 512", "tokens 5",
                           "the token expired: retry", "key points: none", "", "cost=0.5 usd",
                           "password:", "redacted: ***"}) {
    EXPECT_EQ(redact(text), text);
  }
}

TEST(JsonEscape, ProducesValidJsonForAnyBytes) {
  std::string s;
  for (int c = 0; c < 256; ++c) s += static_cast<char>(c);
  s += "\xe2\x82\xac\xf0\x9f\x98\x80\xc3\x28\xed\xa0\x80";  // valid and invalid UTF-8
  std::string json = "\"";
  append_json_escaped(json, s);
  json += "\"";
  std::size_t at = 0;
  const auto parsed = read_json_string(json, at);
  ASSERT_TRUE(parsed) << json;
  EXPECT_EQ(at, json.size());
  EXPECT_EQ(parsed->substr(0, 128), s.substr(0, 128));
  EXPECT_NE(parsed->find("\xe2\x82\xac\xf0\x9f\x98\x80"), std::string::npos);
  EXPECT_NE(parsed->find("\xef\xbf\xbd"), std::string::npos);  // U+FFFD for the invalid bytes
  // Raw bytes >= 0x80 that are not UTF-8 never pass through.
  EXPECT_EQ(json.find("\xc3\x28"), std::string::npos);
}

class LoggingTest : public ::testing::Test {
 protected:
  void setup(LogFormat format) {
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(out_);
    setup_logging(format, spdlog::level::debug, {sink});
  }
  void TearDown() override { setup_logging(LogFormat::kText, spdlog::level::info); }
  std::ostringstream out_;
};

TEST_F(LoggingTest, JsonLinesAreValidAndRedacted) {
  setup(LogFormat::kJson);
  logger("feed")->info("connected with token={} to {}", "SECRET1", "postgresql://u:SECRET2@h/db");
  logger("feed")->warn("quote \" backslash \\ newline \n tab \t ctl \x01 done");
  spdlog::info("root message");
  std::istringstream lines(out_.str());
  std::string line;
  std::vector<std::map<std::string, std::string>> objects;
  while (std::getline(lines, line)) {
    auto object = parse_flat_object(line);
    ASSERT_TRUE(object) << "not valid JSON: " << line;
    objects.push_back(*object);
  }
  ASSERT_EQ(objects.size(), 3u) << out_.str();
  EXPECT_EQ(objects[0].at("logger"), "feed");
  EXPECT_EQ(objects[0].at("level"), "info");
  EXPECT_EQ(objects[0].at("msg"), "connected with token=*** to postgresql://u:***@h/db");
  EXPECT_EQ(objects[1].at("msg"), "quote \" backslash \\ newline \n tab \t ctl \x01 done");
  EXPECT_EQ(objects[2].at("logger"), "tg4");
  EXPECT_EQ(out_.str().find("SECRET"), std::string::npos);
  // ts: RFC 3339 with nanoseconds, parseable and close to now.
  const std::string ts(objects[0].at("ts"));
  ASSERT_EQ(ts.size(), std::string("2024-01-01T00:00:00.123456789Z").size()) << ts;
  const auto t = parse_rfc3339(ts);
  ASSERT_TRUE(t.ok());
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  EXPECT_LT(std::abs(std::chrono::duration_cast<std::chrono::nanoseconds>(now).count() - t->ns),
            60'000'000'000LL);
}

TEST_F(LoggingTest, TextLinesAreRedactedAndNamed) {
  setup(LogFormat::kText);
  const auto log = logger("storage");
  log->error("open failed: Bearer abcdef API-Sign: zzz");
  log->debug("debug shown");
  log->trace("trace hidden");
  const std::string text = out_.str();
  EXPECT_NE(text.find("[storage] open failed: Bearer *** API-Sign: ***"), std::string::npos)
      << text;
  EXPECT_NE(text.find("debug shown"), std::string::npos);
  EXPECT_EQ(text.find("trace hidden"), std::string::npos);
  EXPECT_EQ(text.find("abcdef"), std::string::npos);
}

TEST_F(LoggingTest, LoggersMadeBeforeSetupMoveToTheNewSinks) {
  const auto early = logger("early-module");
  setup(LogFormat::kJson);
  early->info("after setup password=pw1");
  EXPECT_NE(out_.str().find("\"logger\":\"early-module\""), std::string::npos) << out_.str();
  EXPECT_EQ(out_.str().find("pw1"), std::string::npos);
  EXPECT_EQ(logger("early-module"), early);
}

TEST(LoggingOptions, ParseFormatAndLevel) {
  EXPECT_EQ(*parse_log_format("json"), LogFormat::kJson);
  EXPECT_FALSE(parse_log_format("xml").ok());
  EXPECT_EQ(*parse_log_level("warn"), spdlog::level::warn);
  EXPECT_EQ(*parse_log_level("error"), spdlog::level::err);
  EXPECT_FALSE(parse_log_level("loud").ok());
  EXPECT_FALSE(setup_logging("json", "loud").ok());
}

}  // namespace
}  // namespace tg4::core
