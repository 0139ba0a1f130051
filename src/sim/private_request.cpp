#include "sim/private_request.hpp"

#include <cctype>
#include <charconv>

namespace tg4::sim {
namespace {

namespace od = simdjson::ondemand;

constexpr int kMaxDepth = 8;

bool read(od::value v, JsonValue& out, int depth);

bool read_object(od::object obj, JsonValue& out, int depth) {
  out.kind = JsonValue::Kind::kObject;
  for (auto item : obj) {
    od::field f;
    std::string_view key;
    if (std::move(item).get(f) != simdjson::SUCCESS ||
        f.unescaped_key().get(key) != simdjson::SUCCESS)
      return false;
    JsonValue child;
    if (!read(f.value(), child, depth + 1)) return false;
    out.fields.push_back(JsonField{std::string(key), std::move(child)});
  }
  return true;
}

bool read(od::value v, JsonValue& out, int depth) {
  if (depth > kMaxDepth) return false;
  od::json_type type{};
  if (v.type().get(type) != simdjson::SUCCESS) return false;
  switch (type) {
    case od::json_type::object: {
      od::object obj;
      return v.get_object().get(obj) == simdjson::SUCCESS && read_object(obj, out, depth);
    }
    case od::json_type::array: {
      od::array arr;
      if (v.get_array().get(arr) != simdjson::SUCCESS) return false;
      out.kind = JsonValue::Kind::kArray;
      for (auto item : arr) {
        od::value element;
        JsonValue child;
        if (std::move(item).get(element) != simdjson::SUCCESS || !read(element, child, depth + 1))
          return false;
        out.items.push_back(std::move(child));
      }
      return true;
    }
    case od::json_type::number: {
      // The exact token: a price stays the digits the client wrote.
      std::string_view token = v.raw_json_token();
      while (!token.empty() && std::isspace(static_cast<unsigned char>(token.back())))
        token.remove_suffix(1);
      double check = 0;  // validates the token
      if (v.get_double().get(check) != simdjson::SUCCESS) return false;
      out.kind = JsonValue::Kind::kNumber;
      out.text = std::string(token);
      return true;
    }
    case od::json_type::string: {
      std::string_view s;
      if (v.get_string().get(s) != simdjson::SUCCESS) return false;
      out.kind = JsonValue::Kind::kString;
      out.text = std::string(s);
      return true;
    }
    case od::json_type::boolean: {
      bool b = false;
      if (v.get_bool().get(b) != simdjson::SUCCESS) return false;
      out.kind = JsonValue::Kind::kBool;
      out.text = b ? "true" : "false";
      return true;
    }
    case od::json_type::null:
      out.kind = JsonValue::Kind::kNull;
      return v.is_null();
  }
  return false;
}

// "order_qty" -> "Order_qty field must be a number_float" (Kraken's wording for a type error).
core::Error type_error(std::string_view key, std::string_view type) {
  std::string name(key);
  if (!name.empty()) name[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(name[0])));
  return core::Error::of(name + " field must be a " + std::string(type));
}

}  // namespace

const JsonValue* JsonValue::find(std::string_view key) const {
  for (const auto& [k, v] : fields) {
    if (k == key) return &v;
  }
  return nullptr;
}

core::Result<JsonValue> PrivateRequestParser::parse_object(std::string_view text) {
  const auto malformed = [] { return core::Error::of("Malformed request"); };
  simdjson::padded_string padded(text);
  od::document doc;
  od::object obj;
  if (parser_.iterate(padded).get(doc) != simdjson::SUCCESS ||
      doc.get_object().get(obj) != simdjson::SUCCESS) {
    return malformed();
  }
  JsonValue root;
  // On-Demand reads only what it visits: text after the object would go unnoticed, so the object
  // must end the message.
  std::string_view rest = text;
  while (!rest.empty() && std::isspace(static_cast<unsigned char>(rest.back())))
    rest.remove_suffix(1);
  if (!read_object(obj, root, 0) || rest.empty() || rest.back() != '}') return malformed();
  return root;
}

core::Result<PrivateRequest> PrivateRequestParser::parse(std::string_view text) {
  auto parsed = parse_object(text);
  if (!parsed) return parsed.error();
  JsonValue& root = parsed.value();
  PrivateRequest r;
  for (auto& [key, value] : root.fields) {
    if (key == "method") {
      if (!value.is(JsonValue::Kind::kString))
        return core::Error::of("Malformed request: 'method' must be a string");
      r.method = value.text;
    } else if (key == "req_id") {
      std::int64_t id = 0;
      const auto* end = value.text.data() + value.text.size();
      if (!value.is(JsonValue::Kind::kNumber) ||
          std::from_chars(value.text.data(), end, id).ptr != end) {
        return core::Error::of("Invalid field: 'req_id' must be an integer");
      }
      r.req_id = id;
    } else if (key == "params") {
      if (!value.is(JsonValue::Kind::kObject))
        return core::Error::of("Invalid field: 'params' must be an object");
      r.has_params = true;
      r.params = std::move(value);
    } else {
      return core::Error::of("Unsupported field: '" + key + "'");
    }
  }
  if (r.method.empty()) return core::Error::of("Malformed request: 'method' must be a string");
  return r;
}

core::Result<std::optional<std::string>> get_string(const JsonValue& params, std::string_view key) {
  const JsonValue* v = params.find(key);
  if (v == nullptr) return std::optional<std::string>();
  if (!v->is(JsonValue::Kind::kString)) return type_error(key, "string");
  return std::optional<std::string>(v->text);
}

core::Result<std::optional<core::Decimal>> get_decimal(const JsonValue& params,
                                                       std::string_view key) {
  const JsonValue* v = params.find(key);
  if (v == nullptr) return std::optional<core::Decimal>();
  if (!v->is(JsonValue::Kind::kNumber)) return type_error(key, "number_float");
  auto d = core::Decimal::parse(v->text);
  if (!d) return type_error(key, "number_float");
  return std::optional<core::Decimal>(*d);
}

core::Result<std::optional<bool>> get_bool(const JsonValue& params, std::string_view key) {
  const JsonValue* v = params.find(key);
  if (v == nullptr) return std::optional<bool>();
  if (!v->is(JsonValue::Kind::kBool)) return type_error(key, "boolean");
  return std::optional<bool>(v->text == "true");
}

core::Result<std::optional<std::int64_t>> get_int(const JsonValue& params, std::string_view key) {
  const JsonValue* v = params.find(key);
  if (v == nullptr) return std::optional<std::int64_t>();
  std::int64_t n = 0;
  const auto* end = v->text.data() + v->text.size();
  if (!v->is(JsonValue::Kind::kNumber) || std::from_chars(v->text.data(), end, n).ptr != end) {
    return type_error(key, "integer");
  }
  return std::optional<std::int64_t>(n);
}

core::Result<std::optional<std::vector<std::string>>> get_strings(const JsonValue& params,
                                                                  std::string_view key) {
  const JsonValue* v = params.find(key);
  if (v == nullptr) return std::optional<std::vector<std::string>>();
  if (!v->is(JsonValue::Kind::kArray) || v->items.empty())
    return type_error(key, "non-empty array of strings");
  std::vector<std::string> out;
  for (const auto& item : v->items) {
    if (!item.is(JsonValue::Kind::kString)) return type_error(key, "non-empty array of strings");
    out.push_back(item.text);
  }
  return std::optional<std::vector<std::string>>(std::move(out));
}

}  // namespace tg4::sim
