#include "core/config_fields.hpp"

#include <algorithm>
#include <cctype>

#include "core/config_env.hpp"
#include "core/logging.hpp"

namespace tg4::core::config_schema {

void ReadContext::error(const YAML::Mark& mark, const std::string& key, std::string message) {
  ConfigIssue issue;
  issue.file = file_;
  if (!mark.is_null()) {
    issue.line = mark.line + 1;
    issue.column = mark.column + 1;
  }
  issue.key = key;
  issue.message = std::move(message);
  issues_.push_back(std::move(issue));
}

void ReadContext::error_at_key(const std::string& key, std::string message) {
  const auto it = marks_.find(key);
  error(it == marks_.end() ? YAML::Mark::null_mark() : it->second, key, std::move(message));
}

void ReadContext::mask_values_since(std::size_t first, Secret secret) {
  static constexpr std::string_view kFound = ", found ";
  for (std::size_t i = first; i < issues_.size(); ++i) {
    std::string& message = issues_[i].message;
    const auto at = message.find(kFound);
    if (at == std::string::npos) continue;
    std::string value = message.substr(at + kFound.size());
    // What describe() says of a node that is not a scalar holds no value.
    if (value == "a list" || value == "a mapping" || value == "nothing (an empty value)" ||
        value == "an undefined value") {
      continue;
    }
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
      value = value.substr(1, value.size() - 2);
    }
    const std::string shown =
        secret == Secret::kUrl && value.find("://") != std::string::npos
            ? redact(value)
            : "a value of " + std::to_string(value.size()) + " characters (not shown: a secret)";
    message.replace(at + kFound.size(), std::string::npos, shown);
  }
}

std::optional<std::string> ReadContext::scalar(const YAML::Node& node, const std::string& key,
                                               std::string_view expected) {
  if (node.IsNull() && expected == std::string_view(Codec<std::string>::kType)) return "";
  if (!node.IsScalar()) {
    error(node.Mark(), key, "expected " + expected_text(expected) + ", found " + describe(node));
    return std::nullopt;
  }
  auto expanded = expand_env(node.Scalar(), env_);
  if (!expanded) {
    error(node.Mark(), key, expanded.error().message);
    return std::nullopt;
  }
  return std::move(expanded).value();
}

std::string describe(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Null:
      return "nothing (an empty value)";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Map:
      return "a mapping";
    case YAML::NodeType::Scalar:
      return "\"" + node.Scalar() + "\"";
    default:
      return "an undefined value";
  }
}

std::string expected_text(std::string_view type) {
  if (type == "integer") return "an integer";
  if (type == "decimal") return "a decimal number";
  if (type == "duration") return "a duration (e.g. 250ms, 5s, 10m, 12h, 30d)";
  if (type == "bool") return "true or false";
  if (type == "string") return "a string";
  if (type == "list of records") return "a list of records";
  if (type.find('|') != std::string_view::npos) return "one of " + std::string(type);
  return "a " + std::string(type);
}

std::string constraint_text(const std::string& why) {
  if (why.empty()) return "";
  if (why.front() == '[' || why.front() == '(' || why.front() == '<' || why.front() == '>') {
    return " " + std::string(why.front() == '[' || why.front() == '(' ? "in " : "") + why;
  }
  if (why.rfind("one of", 0) == 0) return ", " + why;
  return " (" + why + ")";
}

std::optional<bool> Codec<bool>::parse(std::string_view s) {
  std::string low(s);
  for (char& c : low) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (low == "true" || low == "yes" || low == "on") return true;
  if (low == "false" || low == "no" || low == "off") return false;
  return std::nullopt;
}

std::optional<int> Codec<int>::parse(std::string_view s) {
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  int value = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || end != s.data() + s.size() || s.empty()) return std::nullopt;
  return value;
}

std::optional<Decimal> Codec<Decimal>::parse(std::string_view s) {
  auto value = Decimal::parse(s);
  if (!value) return std::nullopt;
  return *value;
}

std::optional<TradingMode> Codec<TradingMode>::parse(std::string_view s) {
  if (s == "paper") return TradingMode::kPaper;
  if (s == "live") return TradingMode::kLive;
  return std::nullopt;
}

std::optional<LlmProviderKind> Codec<LlmProviderKind>::parse(std::string_view s) {
  if (s == "openai") return LlmProviderKind::kOpenAi;
  if (s == "anthropic") return LlmProviderKind::kAnthropic;
  return std::nullopt;
}

namespace {

struct Unit {
  std::string_view suffix;
  std::int64_t ms;
};
// Longest suffixes first so "ms" is not read as "m".
constexpr Unit kUnits[] = {{"ms", 1},        {"s", 1000},       {"m", 60'000},
                           {"h", 3'600'000}, {"d", 86'400'000}, {"w", 604'800'000}};

}  // namespace

std::optional<ConfigDuration> parse_duration(std::string_view text) {
  if (text == "0") return ConfigDuration::zero();
  for (const auto& unit : kUnits) {
    if (text.size() <= unit.suffix.size() ||
        text.substr(text.size() - unit.suffix.size()) != unit.suffix) {
      continue;
    }
    const std::string_view number = text.substr(0, text.size() - unit.suffix.size());
    // Plain digits with at most one point: no sign, no exponent, no spaces.
    const auto points = std::count(number.begin(), number.end(), '.');
    const bool plain = std::all_of(number.begin(), number.end(), [](char c) {
      return c == '.' || std::isdigit(static_cast<unsigned char>(c)) != 0;
    });
    if (number.empty() || !plain || points > 1 || number.front() == '.') return std::nullopt;
    const auto value = Decimal::parse(number);
    if (!value || value->is_negative()) return std::nullopt;
    const auto ms = Decimal::checked_mul(*value, Decimal::from_int(unit.ms));
    if (!ms || *ms != ms->round(0) || *ms > Decimal::from_int(1'000'000'000'000'000LL)) {
      return std::nullopt;  // below a millisecond, or absurdly long
    }
    return ConfigDuration(static_cast<std::int64_t>(ms->raw() / Decimal::kOne));
  }
  return std::nullopt;
}

std::string format_duration(ConfigDuration d) {
  const std::int64_t ms = d.count();
  if (ms == 0) return "0s";
  // The largest unit that shows the value exactly (weeks read worse than days: not used).
  for (auto it = std::rbegin(kUnits) + 1; it != std::rend(kUnits); ++it) {
    if (ms % it->ms == 0) return std::to_string(ms / it->ms) + std::string(it->suffix);
  }
  return std::to_string(ms) + "ms";
}

YAML::Node redact_node(const YAML::Node& node, Secret secret) {
  if (secret == Secret::kNo) return node;
  if (node.IsScalar()) {
    if (node.Scalar().empty()) return node;
    return YAML::Node(secret == Secret::kUrl ? redact(node.Scalar()) : std::string("***"));
  }
  YAML::Node copy = YAML::Clone(node);
  if (copy.IsSequence()) {
    for (std::size_t i = 0; i < copy.size(); ++i) copy[i] = redact_node(copy[i], secret);
  } else if (copy.IsMap()) {
    for (auto it = copy.begin(); it != copy.end(); ++it)
      it->second = redact_node(it->second, secret);
  }
  return copy;
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t up = row[j];
      const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + cost});
      diagonal = up;
    }
  }
  return row[b.size()];
}

namespace {

std::size_t suggestion_limit(std::string_view key) {
  return std::max<std::size_t>(1, std::min<std::size_t>(3, (key.size() + 2) / 3));
}

std::string last_segment(const std::string& path) {
  const auto dot = path.rfind('.');
  return dot == std::string::npos ? path : path.substr(dot + 1);
}

}  // namespace

std::string unknown_key_message(std::string_view key, const std::string& abs_prefix,
                                const std::vector<std::string>& siblings,
                                const std::vector<std::string>& global_paths) {
  std::string best;
  std::size_t best_distance = suggestion_limit(key) + 1;
  for (const auto& s : siblings) {
    const std::size_t d = edit_distance(key, s);
    if (d < best_distance) best = abs_prefix + s, best_distance = d;
  }
  // Not a misspelling here: perhaps the right key in the wrong section.
  if (best.empty()) {
    for (const auto& path : global_paths) {
      const std::size_t d = edit_distance(key, last_segment(path));
      if (d < best_distance) best = path, best_distance = d;
    }
  }
  std::string message = "unknown key";
  if (!best.empty()) return message + "; did you mean \"" + best + "\"?";
  if (siblings.empty()) return message;
  message += "; valid keys here: ";
  for (std::size_t i = 0; i < siblings.size(); ++i) message += (i ? ", " : "") + siblings[i];
  return message;
}

}  // namespace tg4::core::config_schema
