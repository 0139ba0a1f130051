// The configuration loader: every kind of mistake comes back as an issue naming file, line, key,
// what was expected and what was found; all issues are reported, nothing throws; the shipped
// files load clean; secrets never appear in a dump.
#include "core/config.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <random>
#include <set>
#include <sstream>

#include "core/config_env.hpp"
#include "core/config_schema.hpp"

namespace tg4::core {
namespace {

using namespace std::chrono_literals;

EnvLookup env_of(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
    const auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

ConfigLoad parse(const std::string& yaml, std::map<std::string, std::string> vars = {}) {
  return parse_config(yaml, "test.yaml", env_of(std::move(vars)));
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The only issue of a load that must fail exactly once.
ConfigIssue single_issue(const ConfigLoad& load) {
  EXPECT_EQ(load.issues.size(), 1u) << load.error_text();
  return load.issues.empty() ? ConfigIssue{} : load.issues.front();
}

TEST(Config, EmptyFileGivesEveryDefault) {
  const auto load = parse("");
  ASSERT_TRUE(load.ok()) << load.error_text();
  EXPECT_EQ(dump_config(load.config, false), dump_config(Config{}, false));
  EXPECT_EQ(load.config.risk.max_position_pct, Decimal::must("20"));
  EXPECT_EQ(load.config.feed.message_deadline, 5s);
  EXPECT_EQ(load.config.storage.url, "sqlite:var/tg4.db");
}

TEST(Config, ReadsTypedValues) {
  const auto load = parse(R"(
app: {mode: live, env: prod}
symbols: [BTC/USD, ETH/USD]
feed: {book_depth: 25, message_deadline: 2500ms, ohlc_intervals: [1, 60]}
risk:
  max_position_pct: 12.5
  min_confidence: {volatile: 0.8}
  regime_leverage: {volatile: 1}
  cooldown:
    after_loss:
      - {losses: 2, duration: 20m}
paper:
  starting_balances: {USD: 2500.50, BTC: 0.1}
strategy: {name: rsi_revert, params: {period: "14", band: 30}}
llm:
  providers:
    - {name: local, kind: openai, base_url: "http://127.0.0.1:11434/v1", model: llama3, local: true}
    - {name: claude, kind: anthropic, base_url: "https://api.anthropic.com", model: m, api_key: k}
api:
  tokens:
    - {name: ops, role: admin, sha256: 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef}
)");
  ASSERT_TRUE(load.ok()) << load.error_text();
  const Config& c = load.config;
  EXPECT_EQ(c.app.mode, TradingMode::kLive);
  EXPECT_EQ(c.symbols, (std::vector<std::string>{"BTC/USD", "ETH/USD"}));
  EXPECT_EQ(c.feed.book_depth, 25);
  EXPECT_EQ(c.feed.message_deadline, 2500ms);
  EXPECT_EQ(c.feed.ohlc_intervals, (std::vector<int>{1, 60}));
  EXPECT_EQ(c.risk.max_position_pct, Decimal::must("12.5"));
  EXPECT_EQ(c.risk.min_confidence.volatile_, Decimal::must("0.8"));
  EXPECT_EQ(c.risk.min_confidence.trending, Decimal::must("0.55"));  // untouched keys keep defaults
  EXPECT_EQ(c.risk.regime_leverage.volatile_, 1);
  ASSERT_EQ(c.risk.cooldown.after_loss.size(), 1u);
  EXPECT_EQ(c.risk.cooldown.after_loss[0].losses, 2);
  EXPECT_EQ(c.risk.cooldown.after_loss[0].duration, 20min);
  EXPECT_EQ(c.paper.starting_balances.at("USD").to_string(2), "2500.50");
  EXPECT_EQ(c.paper.starting_balances.size(), 2u);  // a map replaces the default map
  EXPECT_EQ(c.strategy.params.at("band"), "30");
  ASSERT_EQ(c.llm.providers.size(), 2u);
  EXPECT_TRUE(c.llm.providers[0].local);
  EXPECT_EQ(c.llm.providers[1].kind, LlmProviderKind::kAnthropic);
  ASSERT_EQ(c.api.tokens.size(), 1u);
  EXPECT_EQ(c.api.tokens[0].role, "admin");
}

TEST(Config, WrongTypeNamesFileLineKeyExpectedAndFound) {
  const auto issue = single_issue(parse("risk:\n  max_leverage: lots\n"));
  EXPECT_EQ(issue.file, "test.yaml");
  EXPECT_EQ(issue.line, 2);
  EXPECT_EQ(issue.column, 17);
  EXPECT_EQ(issue.key, "risk.max_leverage");
  EXPECT_EQ(issue.to_string(),
            "test.yaml:2:17: risk.max_leverage: expected an integer, found \"lots\"");
}

TEST(Config, WrongShapeIsReported) {
  EXPECT_NE(single_issue(parse("symbols: BTC/USDT\n")).message.find("expected list of string"),
            std::string::npos);
  EXPECT_NE(single_issue(parse("risk: 5\n")).message.find("expected a section"), std::string::npos);
  EXPECT_NE(single_issue(parse("feed:\n  url: [a]\n")).message.find("found a list"),
            std::string::npos);
  EXPECT_NE(single_issue(parse("- a\n- b\n")).message.find("expected a mapping of sections"),
            std::string::npos);
  EXPECT_NE(single_issue(parse("api:\n  tokens: [5]\n")).message.find("expected a record"),
            std::string::npos);
}

TEST(Config, OutOfRangeSaysTheRange) {
  const auto issue = single_issue(parse("risk:\n  max_position_pct: 120\n"));
  EXPECT_EQ(issue.line, 2);
  EXPECT_EQ(issue.key, "risk.max_position_pct");
  EXPECT_EQ(issue.message, "expected a decimal number in (0, 100], found 120");

  const auto zero = single_issue(parse("risk: {max_position_pct: 0}"));
  EXPECT_EQ(zero.message, "expected a decimal number in (0, 100], found 0");
  const auto depth = single_issue(parse("feed: {book_depth: 7}"));
  EXPECT_EQ(depth.message, "expected an integer, one of 10, 25, 100, 500, 1000, found 7");
  const auto duration = single_issue(parse("feed: {message_deadline: 1ms}"));
  EXPECT_EQ(duration.message,
            "expected a duration (e.g. 250ms, 5s, 10m, 12h, 30d) in [100ms, 10m], found 1ms");
  const auto symbol = single_issue(parse("symbols: [BTC/USDT, btcusd]"));
  EXPECT_EQ(symbol.key, "symbols[1]");
  EXPECT_NE(symbol.message.find("BASE/QUOTE"), std::string::npos);
}

TEST(Config, UnknownKeySuggestsTheClosest) {
  const auto typo = single_issue(parse("risk:\n  max_postion_pct: 10\n"));
  EXPECT_EQ(typo.key, "risk.max_postion_pct");
  EXPECT_EQ(typo.line, 2);
  EXPECT_EQ(typo.message, "unknown key; did you mean \"risk.max_position_pct\"?");

  EXPECT_EQ(single_issue(parse("rsk: {}\n")).message, "unknown key; did you mean \"risk\"?");
  // The right key in the wrong section.
  EXPECT_EQ(single_issue(parse("max_drawdown_pct: 10\n")).message,
            "unknown key; did you mean \"risk.max_drawdown_pct\"?");
  // Nothing close: the valid keys are listed.
  const auto far = single_issue(parse("redis:\n  zzzzzzzz: 1\n"));
  EXPECT_EQ(far.message, "unknown key; valid keys here: url, password, tls, ttl");
  // Inside a record: the misspelt key, and the required key it was meant to be.
  const auto rec = parse("risk:\n  correlations:\n    - {a: BTC/USDT, b: XRP/USDT, rh: 0.5}\n");
  ASSERT_EQ(rec.issues.size(), 2u) << rec.error_text();
  EXPECT_EQ(rec.issues[0].key, "risk.correlations[0].rho");
  EXPECT_EQ(rec.issues[0].message, "missing required key (a decimal number)");
  EXPECT_EQ(rec.issues[1].key, "risk.correlations[0].rh");
  EXPECT_EQ(rec.issues[1].message, "unknown key; did you mean \"risk.correlations[0].rho\"?");
}

TEST(Config, MissingEnvironmentVariableIsNamed) {
  const auto issue = single_issue(parse("storage:\n  url: postgresql://tg4:${PG_PW}@db/tg4\n"));
  EXPECT_EQ(issue.key, "storage.url");
  EXPECT_EQ(issue.line, 2);
  EXPECT_NE(issue.message.find("environment variable PG_PW is not set"), std::string::npos);

  const auto ok = parse("storage:\n  url: postgresql://tg4:${PG_PW}@db/tg4\n", {{"PG_PW", "s3"}});
  ASSERT_TRUE(ok.ok()) << ok.error_text();
  EXPECT_EQ(ok.config.storage.url, "postgresql://tg4:s3@db/tg4");
  // Defaults, and typed values from the environment.
  const auto typed =
      parse("risk: {max_leverage: \"${LEV:-3}\"}\nfeed: {book_depth: \"${DEPTH}\"}\n",
            {{"DEPTH", "100"}});
  ASSERT_TRUE(typed.ok()) << typed.error_text();
  EXPECT_EQ(typed.config.risk.max_leverage, 3);
  EXPECT_EQ(typed.config.feed.book_depth, 100);
}

TEST(Config, EnvExpansionRules) {
  const auto env = env_of({{"A", "x"}, {"EMPTY", ""}});
  EXPECT_EQ(*expand_env("${A}-${A}", env), "x-x");
  EXPECT_EQ(*expand_env("${EMPTY:-d}", env), "d");
  EXPECT_EQ(*expand_env("${EMPTY}", env), "");
  EXPECT_EQ(*expand_env("${NONE:-}", env), "");
  EXPECT_EQ(*expand_env("${NONE:-a b}", env), "a b");
  EXPECT_EQ(*expand_env("cost $$5 $x", env), "cost $5 $x");
  EXPECT_FALSE(expand_env("${A", env));
  EXPECT_FALSE(expand_env("${1A}", env));
  const auto two = expand_env("${B}${C}", env);
  ASSERT_FALSE(two);
  EXPECT_NE(two.error().message.find("B, C"), std::string::npos);
}

TEST(Config, BadYamlSyntaxNamesTheLine) {
  const auto issue = single_issue(parse("risk:\n  max_leverage: [1, 2\nfeed: {}\n"));
  EXPECT_EQ(issue.file, "test.yaml");
  EXPECT_GE(issue.line, 2);
  EXPECT_NE(issue.message.find("YAML syntax error"), std::string::npos);
  EXPECT_EQ(single_issue(parse("a: b: c\n")).line, 1);
}

TEST(Config, ReportsEveryProblemInFileOrder) {
  const auto load = parse(R"(feed:
  book_depth: 3
risk:
  max_leverage: x
  max_postion_pct: 1
storage:
  url: ${NOPE}
)");
  ASSERT_EQ(load.issues.size(), 4u) << load.error_text();
  EXPECT_EQ(load.issues[0].key, "feed.book_depth");
  EXPECT_EQ(load.issues[1].key, "risk.max_leverage");
  EXPECT_EQ(load.issues[2].key, "risk.max_postion_pct");
  EXPECT_EQ(load.issues[3].key, "storage.url");
  const std::string text = load.error_text();
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 4);
}

TEST(Config, DuplicateKeysAndRequiredRecordKeys) {
  EXPECT_NE(single_issue(parse("risk:\n  max_leverage: 2\n  max_leverage: 3\n"))
                .message.find("duplicate key"),
            std::string::npos);
  const auto missing = single_issue(parse("api:\n  tokens:\n    - {name: ops}\n"));
  EXPECT_EQ(missing.key, "api.tokens[0].sha256");
  EXPECT_NE(missing.message.find("missing required key"), std::string::npos);
  const auto twice = parse(
      "llm:\n  providers:\n    - {name: a, base_url: 'http://x', model: m}\n"
      "    - {name: a, base_url: 'http://y', model: m}\n");
  ASSERT_EQ(twice.issues.size(), 1u) << twice.error_text();
  EXPECT_NE(twice.issues[0].message.find("\"a\" is used twice"), std::string::npos);
}

// Auth takes the first token whose hash matches: a second entry with the same hash (another name,
// another role) could never apply, and nothing said so.
TEST(Config, TwoTokensWithOneHashAreAnError) {
  const std::string hash(64, 'a');
  const auto same =
      single_issue(parse("api:\n  tokens:\n    - {name: ops, role: viewer, sha256: " + hash +
                         "}\n    - {name: admin, role: admin, sha256: " + hash + "}\n"));
  EXPECT_EQ(same.key, "api.tokens");
  EXPECT_NE(same.message.find("tokens \"ops\" and \"admin\" have the same sha256"),
            std::string::npos)
      << same.message;
  EXPECT_EQ(same.message.find(hash), std::string::npos) << "the hash is a secret";
  const auto two = parse("api:\n  tokens:\n    - {name: ops, sha256: " + hash +
                         "}\n    - {name: admin, sha256: " + std::string(64, 'b') + "}\n");
  EXPECT_TRUE(two.ok()) << two.error_text();
}

TEST(Config, CrossFieldRules) {
  const auto sum = single_issue(parse("portfolio:\n  targets_pct: {BTC: 50, USDT: 40}\n"));
  EXPECT_EQ(sum.key, "portfolio.targets_pct");
  EXPECT_EQ(sum.line, 2);
  EXPECT_NE(sum.message.find("add up to 100, found 90"), std::string::npos);
  EXPECT_EQ(single_issue(parse("feed: {backoff_min: 30s, backoff_max: 10s}")).key,
            "feed.backoff_max");
  EXPECT_EQ(single_issue(parse("api: {tls_cert: a.pem}")).key, "api.tls_cert");
  EXPECT_EQ(single_issue(parse("risk: {min_stop_distance_pct: 6}")).key,
            "risk.max_stop_distance_pct");
  EXPECT_EQ(single_issue(parse("llm: {budget_warn_usd: 9}")).key, "llm.budget_warn_usd");
  EXPECT_EQ(single_issue(parse("symbols: [BTC/USDT, BTC/USDT]")).key, "symbols");
  // The models on: a consensus must be reachable.
  EXPECT_EQ(single_issue(parse("llm: {enabled: true}")).key, "llm.providers");
  const std::string one_model =
      "llm: {enabled: true, providers: [{name: a, kind: openai, base_url: 'http://127.0.0.1:1/v1', model: m}]}";
  EXPECT_EQ(single_issue(parse(one_model)).key, "agents.min_valid_answers");
  EXPECT_TRUE(parse(one_model + "\nagents: {min_valid_answers: 1}").issues.empty());
}

TEST(Config, MissingFileIsAnIssueNotAnException) {
  const auto load = load_config_file("/nonexistent/tg4.yaml", env_of({}));
  ASSERT_EQ(load.issues.size(), 1u);
  EXPECT_EQ(load.issues[0].file, "/nonexistent/tg4.yaml");
  EXPECT_THROW(load_config_or_throw("/nonexistent/tg4.yaml", env_of({})), ConfigError);
}

TEST(Config, NeverThrowsOnMangledInput) {
  // Deterministic mutations of the shipped file: deleted, duplicated and swapped characters.
  const std::string base = read_file(TG4_SOURCE_DIR "/config/tg4.yaml");
  ASSERT_FALSE(base.empty());
  std::mt19937_64 rng(42);
  const std::string alphabet = ":-[]{}\n \t'\"$#&*!|>%@`,?0a";
  int failed = 0;
  for (int round = 0; round < 300; ++round) {
    std::string text = base;
    const int edits = 1 + static_cast<int>(rng() % 6);
    for (int e = 0; e < edits && !text.empty(); ++e) {
      const std::size_t at = rng() % text.size();
      switch (rng() % 3) {
        case 0:
          text.erase(at, 1 + rng() % 8);
          break;
        case 1:
          text.insert(at, 1, alphabet[rng() % alphabet.size()]);
          break;
        default:
          text[at] = alphabet[rng() % alphabet.size()];
      }
    }
    ConfigLoad load;
    EXPECT_NO_THROW(load = parse(text));
    if (!load.ok()) {
      ++failed;
      for (const auto& issue : load.issues) EXPECT_FALSE(issue.message.empty());
    }
  }
  EXPECT_GT(failed, 30);  // the mutations do produce errors
}

TEST(Config, ShippedFilesLoadClean) {
  const auto defaults = load_config_file(TG4_SOURCE_DIR "/config/tg4.yaml", env_of({}));
  ASSERT_TRUE(defaults.ok()) << defaults.error_text();
  // config/tg4.yaml states exactly the built-in defaults.
  EXPECT_EQ(dump_config(defaults.config, false), dump_config(Config{}, false));

  const auto production =
      load_config_file(TG4_SOURCE_DIR "/config/production.yaml",
                       env_of({{"TG4_PG_PASSWORD", "pw"}, {"TG4_REDIS_PASSWORD", "rpw"},
                               {"TG4_API_TOKEN_SHA256", std::string(64, 'a')}}));
  ASSERT_TRUE(production.ok()) << production.error_text();
  EXPECT_EQ(production.config.app.mode, TradingMode::kPaper);
  EXPECT_EQ(production.config.storage.url.rfind("postgresql://", 0), 0u);
  EXPECT_NE(production.config.storage.url.find(":pw@"), std::string::npos);
  EXPECT_EQ(production.config.api.address.rfind("127.0.0.1:", 0), 0u);
  EXPECT_FALSE(production.config.redis.url.empty());
  ASSERT_EQ(production.config.api.tokens.size(), 1u);  // the operator can reach the API
  EXPECT_EQ(production.config.api.tokens[0].role, "admin");

  const auto unset = load_config_file(TG4_SOURCE_DIR "/config/production.yaml", env_of({}));
  ASSERT_FALSE(unset.ok());
  EXPECT_NE(unset.error_text().find("TG4_PG_PASSWORD"), std::string::npos);
}

// Every key path of a YAML document: a map's keys joined with '.', down to its scalars and lists.
void key_paths(const YAML::Node& node, const std::string& prefix, std::set<std::string>& out) {
  if (!node.IsMap()) {
    out.insert(prefix);
    return;
  }
  for (const auto& item : node) {
    const std::string key = item.first.as<std::string>();
    key_paths(item.second, prefix.empty() ? key : prefix + "." + key, out);
  }
}

std::set<std::string> key_paths(const std::string& yaml) {
  std::set<std::string> out;
  key_paths(YAML::Load(yaml), "", out);
  return out;
}

std::vector<std::string> lines_after_header(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  bool header = true;
  for (std::string line; std::getline(in, line);) {
    header = header && line.starts_with("#");
    if (!header) out.push_back(line);
  }
  return out;
}

bool comment_line(const std::string& line) {
  const auto first = line.find_first_not_of(' ');
  return first != std::string::npos && line[first] == '#';
}

// config/tg4.yaml says every key below states its built-in default and that it is generated with
// `tg4 config template`: it is the template past its header, with comment lines added and the
// Kraken keys taken from the environment, nothing else. ShippedFilesLoadClean could not see a key
// missing (execution.guard_stop_pct was): a key left out loads as its default all the same. Nor a
// description gone stale (paper.margin's predated tg4 live refusing margin).
TEST(Config, TheShippedFileIsTheTemplateWithEveryKeyAndItsCurrentDescription) {
  const std::string file = read_file(TG4_SOURCE_DIR "/config/tg4.yaml");
  const std::string tmpl = config_template_yaml();
  const std::set<std::string> shipped = key_paths(file), known = key_paths(tmpl);
  for (const auto& key : known)
    EXPECT_EQ(shipped.count(key), 1u) << "config/tg4.yaml lacks " << key;
  for (const auto& key : shipped)
    EXPECT_EQ(known.count(key), 1u) << "config/tg4.yaml has unknown " << key;

  const std::map<std::string, std::string> from_env = {
      {"  api_key: \"\"", "  api_key: ${KRAKEN_API_KEY:-}"},
      {"  api_secret: \"\"", "  api_secret: ${KRAKEN_API_SECRET:-}"}};
  const std::vector<std::string> want = lines_after_header(tmpl), have = lines_after_header(file);
  std::size_t at = 0;
  for (const std::string& line : want) {
    const auto env = from_env.find(line);
    const std::string expected = env == from_env.end() ? line : env->second;
    while (at < have.size() && have[at] != expected && comment_line(have[at])) ++at;
    ASSERT_LT(at, have.size()) << "config/tg4.yaml ends before the template's line: " << expected;
    ASSERT_EQ(have[at], expected)
        << "config/tg4.yaml line " << at + 1 << " past its header (`tg4 config "
        << "template` > config/tg4.yaml, then add the header and comments back)";
    ++at;
  }
  for (; at < have.size(); ++at)
    EXPECT_TRUE(have[at].empty() || comment_line(have[at])) << have[at];
}

TEST(Config, DumpRoundTripsAndRedactsSecrets) {
  const auto load = parse(R"(
rest: {api_key: KEYVALUE123, api_secret: SECRETVALUE456}
storage: {url: "postgresql://tg4:PGPASS789@db:5432/tg4"}
redis: {url: "redis://:REDISPASS@127.0.0.1:6379/0", password: OTHERPASS}
api:
  tokens:
    - {name: ops, sha256: 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef}
llm:
  providers:
    - {name: x, base_url: "https://u:URLPASS@api.example/v1", model: m, api_key: LLMKEY42}
)");
  ASSERT_TRUE(load.ok()) << load.error_text();
  const std::string shown = dump_config(load.config, true);
  for (const char* secret : {"KEYVALUE123", "SECRETVALUE456", "PGPASS789", "REDISPASS", "OTHERPASS",
                             "0123456789abcdef", "URLPASS", "LLMKEY42"}) {
    EXPECT_EQ(shown.find(secret), std::string::npos) << secret << " leaked:\n" << shown;
  }
  EXPECT_NE(shown.find("postgresql://tg4:***@db:5432/tg4"), std::string::npos);
  EXPECT_NE(shown.find("redis://:***@127.0.0.1:6379/0"), std::string::npos);
  EXPECT_NE(shown.find("api_key: \"***\""), std::string::npos);

  // Unredacted, the dump reads back to the same configuration.
  const auto again = parse(dump_config(load.config, false));
  ASSERT_TRUE(again.ok()) << again.error_text();
  EXPECT_EQ(dump_config(again.config, false), dump_config(load.config, false));
}

// A wrong secret is most often the secret itself in the wrong place (the raw operator token where
// its SHA-256 belongs): the error says what is wrong without printing it; a URL keeps all but its
// password.
TEST(Config, ErrorsOfSecretFieldsDoNotShowTheValue) {
  const auto load = parse(
      R"(
api:
  tokens:
    - {name: ops, role: admin, sha256: "${TOKEN_HASH}"}
redis:
  url: ${REDIS_URL}
storage:
  url: "mysql://u:DBSECRET3@h/db"
llm:
  providers:
    - {name: p, base_url: "ftp://k:LLMSECRET4@h/v1", model: m}
feed:
  book_depth: 7
)",
      {{"TOKEN_HASH", "my-raw-operator-token-SECRET1"}, {"REDIS_URL", "http://:REDISSECRET2@h"}});
  const std::string text = load.error_text();
  for (const char* secret : {"SECRET1", "SECRET2", "SECRET3", "SECRET4"}) {
    EXPECT_EQ(text.find(secret), std::string::npos) << secret << " in:\n" << text;
  }
  EXPECT_NE(text.find("api.tokens[0].sha256: expected a string (64 lowercase hex digits), found a "
                      "value of 29 characters (not shown: a secret)"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("redis.url: expected a string"), std::string::npos) << text;
  EXPECT_NE(text.find("found http://:***@h"), std::string::npos) << text;
  EXPECT_NE(text.find("found mysql://u:***@h/db"), std::string::npos) << text;
  EXPECT_NE(text.find("found ftp://k:***@h/v1"), std::string::npos) << text;
  // Other fields still show what was found.
  EXPECT_NE(text.find("feed.book_depth"), std::string::npos) << text;
  EXPECT_NE(text.find("found 7"), std::string::npos) << text;
}

TEST(Config, Durations) {
  using config_schema::format_duration;
  using config_schema::parse_duration;
  EXPECT_EQ(parse_duration("250ms"), 250ms);
  EXPECT_EQ(parse_duration("5s"), 5s);
  EXPECT_EQ(parse_duration("1.5s"), 1500ms);
  EXPECT_EQ(parse_duration("10m"), 10min);
  EXPECT_EQ(parse_duration("12h"), 12h);
  EXPECT_EQ(parse_duration("30d"), std::chrono::hours(24 * 30));
  EXPECT_EQ(parse_duration("1w"), std::chrono::hours(24 * 7));
  EXPECT_EQ(parse_duration("0"), 0ms);
  for (const char* bad : {"5", "", "s", "-5s", "0.5ms", "5 s", "5x", "ms", "1e3s"}) {
    EXPECT_FALSE(parse_duration(bad)) << bad;
  }
  EXPECT_EQ(format_duration(300s), "5m");
  EXPECT_EQ(format_duration(1800s), "30m");
  EXPECT_EQ(format_duration(1500ms), "1500ms");
  EXPECT_EQ(format_duration(std::chrono::hours(48)), "2d");
  EXPECT_EQ(format_duration(0ms), "0s");
}

TEST(Config, EditDistance) {
  using config_schema::edit_distance;
  EXPECT_EQ(edit_distance("risk", "rsk"), 1u);
  EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);
  EXPECT_EQ(edit_distance("", "abc"), 3u);
  EXPECT_EQ(edit_distance("same", "same"), 0u);
}

// A flag standing for a key (tg4 backtest --slippage-bps) gets the key's type and range.
TEST(Config, SetFromTextUsesTheKeysTypeAndRange) {
  Config c;
  EXPECT_EQ(config_schema::set_from_text(c, "paper.slippage_bps", "12.5"), std::nullopt);
  EXPECT_EQ(c.paper.slippage_bps, Decimal::must("12.5"));
  const auto high = config_schema::set_from_text(c, "paper.slippage_bps", "10000");
  ASSERT_TRUE(high);
  EXPECT_EQ(*high, "expected a decimal number in [0, 1000], found 10000");
  EXPECT_EQ(c.paper.slippage_bps, Decimal::must("12.5")) << "unchanged by a refused value";
  EXPECT_TRUE(config_schema::set_from_text(c, "paper.taker_fee_pct", "150"));
  EXPECT_TRUE(config_schema::set_from_text(c, "paper.maker_fee_pct", "-1"));
  EXPECT_TRUE(config_schema::set_from_text(c, "paper.maker_fee_pct", "abc"));
  EXPECT_TRUE(config_schema::set_from_text(c, "paper.no_such_key", "1"));
}

TEST(Config, SetFromNodeReplacesAMapAndNamesTheBadEntry) {
  Config c;
  YAML::Node balances(YAML::NodeType::Map);
  balances["BTC"] = "0.5";
  balances["EUR"] = "100";
  EXPECT_EQ(config_schema::set_from_node(c, "paper.starting_balances", balances), std::nullopt);
  EXPECT_EQ(c.paper.starting_balances, (std::map<std::string, Decimal>{
                                           {"BTC", Decimal::must("0.5")},
                                           {"EUR", Decimal::must("100")}}))
      << "the default USDT is replaced, not merged";
  balances["EUR"] = "-3";
  const auto negative = config_schema::set_from_node(c, "paper.starting_balances", balances);
  ASSERT_TRUE(negative);
  EXPECT_EQ(negative->rfind("paper.starting_balances.EUR: expected a decimal", 0), 0u) << *negative;
  EXPECT_EQ(c.paper.starting_balances.at("EUR"), Decimal::must("100")) << "unchanged";
}

TEST(Config, DocsAreUpToDate) {
  const std::string committed = read_file(TG4_SOURCE_DIR "/docs/CONFIG.md");
  EXPECT_EQ(committed, config_docs_markdown())
      << "docs/CONFIG.md is out of date: run `tg4 config docs > docs/CONFIG.md`";
}

TEST(Config, EverySchemaKeyIsDocumentedAndDumped) {
  const std::string docs = config_docs_markdown();
  Config sample;  // lists of records empty by default get one element, so their keys show
  sample.api.tokens.push_back(ApiToken{"ops", "admin", std::string(64, 'a')});
  sample.llm.providers.push_back(LlmProvider{});
  const std::string dump = dump_config(sample, false);
  std::size_t keys = 0;
  for (const auto& doc : config_schema::field_docs()) {
    ++keys;
    EXPECT_NE(docs.find("`" + doc.path + "`"), std::string::npos) << doc.path;
    EXPECT_FALSE(doc.description.empty()) << doc.path;
    const auto last = doc.path.substr(doc.path.find_last_of(".]") + 1);
    EXPECT_NE(dump.find(last + ":"), std::string::npos) << doc.path;
  }
  EXPECT_GT(keys, 150u);
}

}  // namespace
}  // namespace tg4::core
