#pragma once
// The one schema table of the configuration: each entry names a key path, its type, default (read
// from a default-constructed Config, so it cannot disagree with the code), range, description and
// whether it is a secret, and knows how to read and write its field. Loading, validation, `config
// show` and docs/CONFIG.md are all driven from it.
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "core/config.hpp"

namespace tg4::core::config_schema {

enum class Secret : std::uint8_t {
  kNo,
  kYes,  // the whole value is replaced by *** in dumps
  kUrl,  // only the password of a URL is replaced
};

struct FieldDoc {
  std::string path;  // "risk.max_position_pct", "api.tokens[].role"
  std::string type;
  std::string default_text;  // YAML flow text
  std::string range;         // "" when any value of the type is accepted
  std::string description;
  Secret secret = Secret::kNo;
  bool required = false;  // record fields only: no default
};

// Every documented key of Config, in table order (record fields follow their list).
const std::vector<FieldDoc>& field_docs();

// Reads `root` (the parsed document) into `config`, appending every problem to `issues`.
void read_config(Config& config, const YAML::Node& root, const std::string& file,
                 const EnvLookup& env, std::vector<ConfigIssue>& issues);

// Sets the scalar key `path` of `config` from `text` with the key's own type and range, for a
// command-line flag that stands for a config key (`tg4 backtest --slippage-bps` is
// paper.slippage_bps): one definition of the bounds. nullopt when set; else what was wrong, e.g.
// "expected a decimal in [0, 1000], found 20000" (`config` unchanged).
std::optional<std::string> set_from_text(Config& config, std::string_view path,
                                         const std::string& text);
// The same for any key, from a YAML node: a map key from several flags (`tg4 backtest --balance
// BTC=1 --balance USDT=500` is paper.starting_balances {BTC: 1, USDT: 500}).
std::optional<std::string> set_from_node(Config& config, std::string_view path,
                                         const YAML::Node& node);

// The configuration as a YAML tree in table order; secrets masked when `redact`.
YAML::Node write_config(const Config& config, bool redact);

// Levenshtein distance, for "did you mean" suggestions.
std::size_t edit_distance(std::string_view a, std::string_view b);

// Textual forms shared with dumps and tests.
std::string format_duration(ConfigDuration d);
std::optional<ConfigDuration> parse_duration(std::string_view text);

}  // namespace tg4::core::config_schema
