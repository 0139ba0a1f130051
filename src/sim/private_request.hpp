#pragma once
// PrivateRequest: one client request of the authenticated WS v2 endpoint
// ({"method":..,"params":{..}, "req_id":..}) read with simdjson On-Demand into a small tree that
// keeps every number's exact token, so order_qty 0.10000000 becomes a Decimal without passing
// through double. Errors are the texts Kraken sends for a malformed request ("Malformed request",
// "Invalid field: 'req_id' must be an integer").
#include <simdjson.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/decimal.hpp"
#include "core/result.hpp"

namespace tg4::sim {

struct JsonField;  // a key and its value (below): a vector may name it before it is complete

struct JsonValue {
  enum class Kind : std::uint8_t { kNull, kBool, kNumber, kString, kArray, kObject };
  Kind kind = Kind::kNull;
  std::string text;  // number token, string content, "true"/"false"
  std::vector<JsonValue> items;
  std::vector<JsonField> fields;

  const JsonValue* find(std::string_view key) const;
  bool is(Kind k) const { return kind == k; }
};

struct JsonField {
  std::string key;
  JsonValue value;
};

struct PrivateRequest {
  std::string method;
  std::optional<std::int64_t> req_id;
  bool has_params = false;
  JsonValue params;  // an object when has_params
};

class PrivateRequestParser {
 public:
  // An Error carries Kraken's message for the client.
  core::Result<PrivateRequest> parse(std::string_view text);
  // Any JSON object, numbers kept as their tokens (tests read frames with it too).
  core::Result<JsonValue> parse_object(std::string_view text);

 private:
  simdjson::ondemand::parser parser_;
};

// Typed reads of params fields. Each returns nullopt when the field is absent and an Error
// (Kraken's wording: "Order_qty field must be a number_float") when present with the wrong type.
core::Result<std::optional<std::string>> get_string(const JsonValue& params, std::string_view key);
core::Result<std::optional<core::Decimal>> get_decimal(const JsonValue& params,
                                                       std::string_view key);
core::Result<std::optional<bool>> get_bool(const JsonValue& params, std::string_view key);
core::Result<std::optional<std::int64_t>> get_int(const JsonValue& params, std::string_view key);
core::Result<std::optional<std::vector<std::string>>> get_strings(const JsonValue& params,
                                                                  std::string_view key);

}  // namespace tg4::sim
