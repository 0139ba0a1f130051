#pragma once
// Building blocks of the configuration schema (core/config_schema.hpp): typed codecs, range checks,
// fields bound to a member through an accessor, and the walker that matches a YAML mapping against
// a list of fields (unknown keys get a "did you mean" suggestion). Internal to core's config code.
#include <yaml-cpp/yaml.h>

#include <charconv>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "core/config.hpp"
#include "core/config_schema.hpp"

namespace tg4::core::config_schema {

// Where a value came from and where problems go.
class ReadContext {
 public:
  ReadContext(std::string file, const EnvLookup& env, std::vector<ConfigIssue>& issues)
      : file_(std::move(file)), env_(env), issues_(issues) {}

  void error(const YAML::Mark& mark, const std::string& key, std::string message);
  void error_at_key(const std::string& key, std::string message);  // at the remembered mark
  // The text of a scalar after ${ENV} expansion; nullopt (problem reported) otherwise.
  std::optional<std::string> scalar(const YAML::Node& node, const std::string& key,
                                    std::string_view expected);
  void remember(const std::string& key, const YAML::Mark& mark) { marks_[key] = mark; }
  bool seen(const std::string& key) const { return marks_.count(key) > 0; }
  std::size_t issue_count() const { return issues_.size(); }
  // A secret field's value must not reach a terminal or a CI log through an error: the issues
  // reported since `first` say what is wrong without it (a URL with its password masked).
  void mask_values_since(std::size_t first, Secret secret);
  // Full key paths of the root fields, for suggestions of a key put in the wrong section.
  std::vector<std::string> global_paths;

 private:
  std::string file_;
  const EnvLookup& env_;
  std::vector<ConfigIssue>& issues_;
  std::map<std::string, YAML::Mark> marks_;
};

// What a node is, for "found ..." in messages.
std::string describe(const YAML::Node& node);

// ---- scalar codecs ---------------------------------------------------------------------------

template <class T>
struct Codec;

template <>
struct Codec<bool> {
  static constexpr const char* kType = "bool";
  static std::optional<bool> parse(std::string_view s);
  static std::string text(bool v) { return v ? "true" : "false"; }
};
template <>
struct Codec<int> {
  static constexpr const char* kType = "integer";
  static std::optional<int> parse(std::string_view s);
  static std::string text(int v) { return std::to_string(v); }
};
template <>
struct Codec<std::string> {
  static constexpr const char* kType = "string";
  static std::optional<std::string> parse(std::string_view s) { return std::string(s); }
  static std::string text(const std::string& v) { return v; }
};
template <>
struct Codec<Decimal> {
  static constexpr const char* kType = "decimal";
  static std::optional<Decimal> parse(std::string_view s);
  static std::string text(Decimal v) { return v.to_string(); }
};
template <>
struct Codec<ConfigDuration> {
  static constexpr const char* kType = "duration";
  static std::optional<ConfigDuration> parse(std::string_view s) { return parse_duration(s); }
  static std::string text(ConfigDuration v) { return format_duration(v); }
};
template <>
struct Codec<TradingMode> {
  static constexpr const char* kType = "paper | live";
  static std::optional<TradingMode> parse(std::string_view s);
  static std::string text(TradingMode v) { return to_string(v); }
};
template <>
struct Codec<LlmProviderKind> {
  static constexpr const char* kType = "openai | anthropic";
  static std::optional<LlmProviderKind> parse(std::string_view s);
  static std::string text(LlmProviderKind v) { return to_string(v); }
};

// `node` with its scalars masked according to `secret`.
YAML::Node redact_node(const YAML::Node& node, Secret secret);

// " in [0, 1]", ", one of a, b", ": 64 lowercase hex digits": how a constraint follows the type.
std::string constraint_text(const std::string& why);

// "a decimal", "an integer", "a duration (100ms, 5s, 10m, 12h, 30d)", ...
std::string expected_text(std::string_view type);

// ---- checks ----------------------------------------------------------------------------------

// Constraints on one value (for lists and maps: on each element). Its doc() is the range column.
template <class E>
struct Check {
  std::optional<E> lo;
  std::optional<E> hi;
  bool lo_open = false;
  bool hi_open = false;
  std::vector<E> one_of;
  std::function<std::optional<std::string>(const E&)> custom;  // returns what was expected
  std::string custom_doc;

  Check& above(E v) { return lo = v, lo_open = true, *this; }
  Check& at_least(E v) { return lo = v, lo_open = false, *this; }
  Check& below(E v) { return hi = v, hi_open = true, *this; }
  Check& at_most(E v) { return hi = v, hi_open = false, *this; }

  std::string doc() const {
    std::string out;
    const auto t = [](const E& v) { return Codec<E>::text(v); };
    if (!one_of.empty()) {
      out = "one of ";
      for (std::size_t i = 0; i < one_of.size(); ++i) out += (i ? ", " : "") + t(one_of[i]);
    } else if (lo && hi) {
      out = std::string(lo_open ? "(" : "[") + t(*lo) + ", " + t(*hi) + (hi_open ? ")" : "]");
    } else if (lo) {
      out = std::string(lo_open ? "> " : ">= ") + t(*lo);
    } else if (hi) {
      out = std::string(hi_open ? "< " : "<= ") + t(*hi);
    }
    if (!custom_doc.empty()) out += (out.empty() ? "" : "; ") + custom_doc;
    return out;
  }

  // nullopt when `v` passes; else the expectation, e.g. "in (0, 100]".
  std::optional<std::string> violation(const E& v) const {
    if (!one_of.empty() && std::find(one_of.begin(), one_of.end(), v) == one_of.end()) {
      return doc();
    }
    if constexpr (!std::is_same_v<E, std::string> && !std::is_same_v<E, bool> &&
                  !std::is_enum_v<E>) {
      const bool low = lo && (lo_open ? !(v > *lo) : v < *lo);
      const bool high = hi && (hi_open ? !(v < *hi) : v > *hi);
      if (low || high) {
        Check plain = *this;
        plain.custom_doc.clear();
        return plain.doc();
      }
    }
    if (custom) return custom(v);
    return std::nullopt;
  }
};

// ---- value kinds: scalar, list of scalars, map of scalars ----------------------------------

template <class T>
struct Kind {  // a scalar
  using Elem = T;
  static std::string type() { return Codec<T>::kType; }
  static void read(T& out, const YAML::Node& node, ReadContext& ctx, const std::string& key,
                   const Check<Elem>& check, const Check<std::string>&);
  static YAML::Node write(const T& v) { return YAML::Node(Codec<T>::text(v)); }
};

template <class E>
struct Kind<std::vector<E>> {
  using Elem = E;
  static std::string type() { return std::string("list of ") + Codec<E>::kType; }
  static void read(std::vector<E>& out, const YAML::Node& node, ReadContext& ctx,
                   const std::string& key, const Check<Elem>& check, const Check<std::string>&);
  static YAML::Node write(const std::vector<E>& v) {
    YAML::Node n(YAML::NodeType::Sequence);
    for (const auto& e : v) n.push_back(Codec<E>::text(e));
    n.SetStyle(YAML::EmitterStyle::Flow);
    return n;
  }
};

template <class V>
struct Kind<std::map<std::string, V>> {
  using Elem = V;
  static std::string type() { return std::string("map of ") + Codec<V>::kType; }
  static void read(std::map<std::string, V>& out, const YAML::Node& node, ReadContext& ctx,
                   const std::string& key, const Check<Elem>& check,
                   const Check<std::string>& key_check);
  static YAML::Node write(const std::map<std::string, V>& v) {
    YAML::Node n(YAML::NodeType::Map);
    for (const auto& [k, e] : v) n[k] = Codec<V>::text(e);
    n.SetStyle(YAML::EmitterStyle::Flow);
    return n;
  }
};

template <class E>
bool read_scalar(E& out, const YAML::Node& node, ReadContext& ctx, const std::string& key,
                 const Check<E>& check) {
  const auto text = ctx.scalar(node, key, Codec<E>::kType);
  if (!text) return false;
  auto value = Codec<E>::parse(*text);
  if (!value) {
    ctx.error(node.Mark(), key,
              "expected " + expected_text(Codec<E>::kType) + ", found \"" + *text + "\"");
    return false;
  }
  if (auto why = check.violation(*value)) {
    ctx.error(
        node.Mark(), key,
        "expected " + expected_text(Codec<E>::kType) + constraint_text(*why) + ", found " + *text);
    return false;
  }
  out = std::move(*value);
  return true;
}

template <class T>
void Kind<T>::read(T& out, const YAML::Node& node, ReadContext& ctx, const std::string& key,
                   const Check<Elem>& check, const Check<std::string>&) {
  read_scalar(out, node, ctx, key, check);
}

template <class E>
void Kind<std::vector<E>>::read(std::vector<E>& out, const YAML::Node& node, ReadContext& ctx,
                                const std::string& key, const Check<Elem>& check,
                                const Check<std::string>&) {
  if (node.IsNull()) {
    out.clear();
    return;
  }
  if (!node.IsSequence()) {
    ctx.error(node.Mark(), key, "expected " + type() + ", found " + describe(node));
    return;
  }
  std::vector<E> values;
  bool ok = true;
  for (std::size_t i = 0; i < node.size(); ++i) {
    E value{};
    ok = read_scalar(value, node[i], ctx, key + "[" + std::to_string(i) + "]", check) && ok;
    values.push_back(std::move(value));
  }
  if (ok) out = std::move(values);
}

template <class V>
void Kind<std::map<std::string, V>>::read(std::map<std::string, V>& out, const YAML::Node& node,
                                          ReadContext& ctx, const std::string& key,
                                          const Check<Elem>& check,
                                          const Check<std::string>& key_check) {
  if (node.IsNull()) {
    out.clear();
    return;
  }
  if (!node.IsMap()) {
    ctx.error(node.Mark(), key, "expected " + type() + ", found " + describe(node));
    return;
  }
  std::map<std::string, V> values;
  bool ok = true;
  for (auto it = node.begin(); it != node.end(); ++it) {
    const std::string name = it->first.IsScalar() ? it->first.Scalar() : std::string();
    const std::string sub = key + "." + name;
    if (auto why = key_check.violation(name)) {
      ctx.error(it->first.Mark(), sub, "expected a key" + constraint_text(*why) + ", found \"" + name + "\"");
      ok = false;
      continue;
    }
    if (values.count(name) > 0) {
      ctx.error(it->first.Mark(), sub, "duplicate key");
      ok = false;
      continue;
    }
    V value{};
    ok = read_scalar(value, it->second, ctx, sub, check) && ok;
    values.emplace(name, std::move(value));
  }
  if (ok) out = std::move(values);
}

// ---- fields ----------------------------------------------------------------------------------

// One key of an Owner (Config, or the element type of a list of records).
template <class Owner>
struct Field {
  FieldDoc doc;  // path relative to Owner
  std::function<void(Owner&, const YAML::Node&, ReadContext&, const std::string&)> read;
  std::function<YAML::Node(const Owner&, bool redact)> write;
  std::vector<FieldDoc> element_docs;  // a list of records: its fields, paths relative to one
};

template <class Owner, class Acc>
using FieldType = std::remove_cvref_t<std::invoke_result_t<Acc, Owner&>>;

template <class Owner, class Acc, class T = FieldType<Owner, Acc>>
Field<Owner> field(std::string path, Acc acc, std::string description,
                   Check<typename Kind<T>::Elem> check = {}, Secret secret = Secret::kNo,
                   Check<std::string> key_check = {}) {
  Field<Owner> f;
  f.doc.path = std::move(path);
  f.doc.type = Kind<T>::type();
  f.doc.range = check.doc();
  if (!key_check.doc().empty())
    f.doc.range += (f.doc.range.empty() ? "keys " : "; keys ") + key_check.doc();
  f.doc.description = std::move(description);
  f.doc.secret = secret;
  f.read = [acc, check, key_check, secret](Owner& o, const YAML::Node& node, ReadContext& ctx,
                                           const std::string& key) {
    const std::size_t first = ctx.issue_count();
    Kind<T>::read(acc(o), node, ctx, key, check, key_check);
    if (secret != Secret::kNo) ctx.mask_values_since(first, secret);
  };
  f.write = [acc, secret](const Owner& o, bool redact) {
    YAML::Node node = Kind<T>::write(acc(o));
    return redact ? redact_node(node, secret) : node;
  };
  return f;
}

// A field that must be present in each record of a list.
template <class Owner>
Field<Owner> required(Field<Owner> f) {
  f.doc.required = true;
  return f;
}

// Matches the keys of `map` against `fields` (paths relative to `rel_prefix`), reading known ones,
// descending into sections and reporting unknown keys with a suggestion. Adds the relative paths
// that were present to `present`.
template <class Owner>
void walk(Owner& owner, const YAML::Node& map, const std::string& rel_prefix,
          const std::string& abs_prefix, const std::vector<Field<Owner>>& fields, ReadContext& ctx,
          std::set<std::string>& present, bool suggest_globally);

std::string unknown_key_message(std::string_view key, const std::string& abs_prefix,
                                const std::vector<std::string>& siblings,
                                const std::vector<std::string>& global_paths);

template <class Owner>
void walk(Owner& owner, const YAML::Node& map, const std::string& rel_prefix,
          const std::string& abs_prefix, const std::vector<Field<Owner>>& fields, ReadContext& ctx,
          std::set<std::string>& present, bool suggest_globally) {
  std::set<std::string> seen_here;
  for (auto it = map.begin(); it != map.end(); ++it) {
    if (!it->first.IsScalar()) {
      ctx.error(it->first.Mark(), abs_prefix, "expected a key name, found " + describe(it->first));
      continue;
    }
    const std::string name = it->first.Scalar();
    const std::string rel = rel_prefix + name;
    const std::string abs = abs_prefix + name;
    if (!seen_here.insert(name).second) {
      ctx.error(it->first.Mark(), abs, "duplicate key (it is already set above)");
      continue;
    }
    ctx.remember(abs, it->second.Mark());
    const auto exact = std::find_if(fields.begin(), fields.end(),
                                    [&](const Field<Owner>& f) { return f.doc.path == rel; });
    if (exact != fields.end()) {
      present.insert(rel);
      exact->read(owner, it->second, ctx, abs);
      continue;
    }
    const bool section = std::any_of(fields.begin(), fields.end(), [&](const Field<Owner>& f) {
      return f.doc.path.compare(0, rel.size() + 1, rel + ".") == 0;
    });
    if (section && it->second.IsMap()) {
      walk(owner, it->second, rel + ".", abs + ".", fields, ctx, present, suggest_globally);
    } else if (section && !it->second.IsNull()) {
      ctx.error(it->second.Mark(), abs,
                "expected a section (a mapping of keys), found " + describe(it->second));
    } else if (!section) {
      std::vector<std::string> siblings;
      for (const auto& f : fields) {
        if (f.doc.path.compare(0, rel_prefix.size(), rel_prefix) != 0) continue;
        const std::string rest = f.doc.path.substr(rel_prefix.size());
        const std::string next = rest.substr(0, rest.find('.'));
        if (std::find(siblings.begin(), siblings.end(), next) == siblings.end()) {
          siblings.push_back(next);
        }
      }
      static const std::vector<std::string> kNone;
      ctx.error(it->first.Mark(), abs,
                unknown_key_message(name, abs_prefix, siblings,
                                    suggest_globally ? ctx.global_paths : kNone));
    }
  }
}

// A list of records (api.tokens, llm.providers, ...): each element a mapping read with `fields`.
template <class Owner, class Acc, class Vec = FieldType<Owner, Acc>,
          class Elem = typename Vec::value_type>
Field<Owner> records(std::string path, Acc acc, std::string description,
                     std::vector<Field<Elem>> elem_fields,
                     std::function<std::optional<std::string>(const Vec&)> validate = {}) {
  Field<Owner> f;
  f.doc.path = std::move(path);
  f.doc.type = "list of records";
  f.doc.description = std::move(description);
  const Elem defaults{};
  for (const auto& ef : elem_fields) {
    FieldDoc d = ef.doc;
    YAML::Emitter out;
    out << YAML::Flow << ef.write(defaults, false);
    d.default_text = d.required ? "(required)" : out.c_str();
    f.element_docs.push_back(std::move(d));
  }
  f.read = [acc, elem_fields, validate](Owner& o, const YAML::Node& node, ReadContext& ctx,
                                        const std::string& key) {
    if (node.IsNull()) {
      acc(o).clear();
      return;
    }
    if (!node.IsSequence()) {
      ctx.error(node.Mark(), key, "expected a list of records, found " + describe(node));
      return;
    }
    Vec values;
    for (std::size_t i = 0; i < node.size(); ++i) {
      const std::string item = key + "[" + std::to_string(i) + "]";
      const YAML::Node element = node[i];
      if (!element.IsMap()) {
        ctx.error(element.Mark(), item, "expected a record (mapping), found " + describe(element));
        continue;
      }
      Elem value{};
      std::set<std::string> present;
      walk(value, element, "", item + ".", elem_fields, ctx, present, false);
      for (const auto& ef : elem_fields) {
        if (ef.doc.required && present.count(ef.doc.path) == 0) {
          ctx.error(element.Mark(), item + "." + ef.doc.path,
                    "missing required key (" + expected_text(ef.doc.type) + ")");
        }
      }
      values.push_back(std::move(value));
    }
    if (validate) {
      if (auto why = validate(values)) ctx.error(node.Mark(), key, *why);
    }
    acc(o) = std::move(values);
  };
  f.write = [acc, elem_fields](const Owner& o, bool redact) {
    YAML::Node list(YAML::NodeType::Sequence);
    for (const auto& e : acc(o)) {
      YAML::Node rec(YAML::NodeType::Map);
      for (const auto& ef : elem_fields) rec[ef.doc.path] = ef.write(e, redact);
      rec.SetStyle(YAML::EmitterStyle::Flow);
      list.push_back(rec);
    }
    if (list.size() == 0) list.SetStyle(YAML::EmitterStyle::Flow);
    return list;
  };
  return f;
}

}  // namespace tg4::core::config_schema
