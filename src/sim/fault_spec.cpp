#include "sim/fault_spec.hpp"

#include <cctype>
#include <charconv>
#include <cmath>
#include <set>
#include <vector>

#include <fmt/format.h>

namespace tg4::sim {
namespace {

constexpr const char* kKnown =
    "drop, stall, stall_for, corrupt_checksum, malformed, rate_limit, drop_before_ack, reject, order_rate_limit, reject_cancel, "
    "ack_delay";

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::optional<double> parse_number(std::string_view text) {
  double value = 0;
  const auto* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end || !std::isfinite(value)) return std::nullopt;
  return value;
}

std::string format_ms(std::chrono::milliseconds d) {
  const auto ms = d.count();
  if (ms % 1000 == 0) return fmt::format("{}s", ms / 1000);
  return fmt::format("{}ms", ms);
}

// A count of requests: 1..1000000.
std::optional<int> parse_count(std::string_view text) {
  const auto n = parse_number(text);
  if (!n || *n < 1 || *n > 1'000'000 || *n != std::floor(*n)) return std::nullopt;
  return static_cast<int>(*n);
}

// reject=N or reject=N:EOrder:Some error (the message runs to the end of the token).
core::Status parse_reject(std::string_view token, std::string_view value, FaultSpec& out) {
  const std::size_t colon = value.find(':');
  const auto count = parse_count(trim(value.substr(0, colon)));
  if (!count) {
    return core::Error::of(fmt::format("fault '{}': write reject=N or reject=N:EOrder:Insufficient funds (N >= 1)", token));
  }
  out.reject_orders = *count;
  if (colon != std::string_view::npos) {
    const std::string_view message = trim(value.substr(colon + 1));
    if (message.empty()) return core::Error::of(fmt::format("fault '{}': the error after ':' is empty", token));
    out.reject_error = std::string(message);
  }
  return {};
}

}  // namespace

core::Result<std::chrono::milliseconds> parse_duration(std::string_view text) {
  text = trim(text);
  const auto bad = [&] {
    return core::Error::of(fmt::format("bad duration '{}' (use e.g. 10s, 500ms, 2m)", text));
  };
  std::size_t split = text.size();
  while (split > 0 && std::isalpha(static_cast<unsigned char>(text[split - 1]))) --split;
  const auto number = parse_number(text.substr(0, split));
  const std::string_view unit = text.substr(split);
  if (!number || *number < 0) return bad();
  double scale = 0;
  if (unit.empty() || unit == "s") scale = 1000;
  else if (unit == "ms") scale = 1;
  else if (unit == "m" || unit == "min") scale = 60'000;
  else if (unit == "h") scale = 3'600'000;
  else return bad();
  const double ms = *number * scale;
  if (ms < 1 || ms > 1e12) return core::Error::of(fmt::format("duration '{}' out of range (1ms .. 30 years)", text));
  return std::chrono::milliseconds(static_cast<std::int64_t>(std::llround(ms)));
}

core::Result<FaultSpec> FaultSpec::parse(std::string_view spec) {
  FaultSpec out;
  std::set<std::string, std::less<>> seen;
  std::size_t pos = 0;
  const std::string_view whole = spec;
  while (pos <= spec.size()) {
    const std::size_t comma = spec.find(',', pos);
    const std::string_view token = trim(spec.substr(pos, comma == std::string_view::npos ? std::string_view::npos : comma - pos));
    pos = comma == std::string_view::npos ? spec.size() + 1 : comma + 1;
    if (token.empty()) {
      if (whole.find_first_not_of(" \t,") == std::string_view::npos) break;  // "" means no faults
      return core::Error::of(fmt::format("empty fault in '{}' (write key=value,key=value)", whole));
    }
    const std::size_t eq = token.find('=');
    if (eq == std::string_view::npos) {
      return core::Error::of(fmt::format("fault '{}' has no value (write e.g. drop=10s; known: {})", token, kKnown));
    }
    const std::string_view key = trim(token.substr(0, eq));
    const std::string_view value = trim(token.substr(eq + 1));
    if (!seen.insert(std::string(key)).second) {
      return core::Error::of(fmt::format("fault '{}' given twice in '{}'", key, whole));
    }
    if (key == "drop" || key == "stall" || key == "stall_for") {
      auto d = parse_duration(value);
      if (!d) return core::Error::of(fmt::format("fault '{}': {}", token, d.error().message));
      (key == "drop" ? out.drop_after : key == "stall" ? out.stall_after : out.stall_for) = *d;
    } else if (key == "corrupt_checksum" || key == "malformed" || key == "rate_limit") {
      const auto p = parse_number(value);
      if (!p || *p < 0 || *p > 1) {
        return core::Error::of(
            fmt::format("fault '{}': '{}' is not a probability between 0 and 1 (e.g. {}=0.01)", token, value, key));
      }
      (key == "corrupt_checksum" ? out.corrupt_checksum : key == "malformed" ? out.malformed : out.rate_limit) = *p;
    } else if (key == "drop_before_ack" || key == "order_rate_limit" || key == "reject_cancel") {
      const auto n = parse_count(value);
      if (!n) return core::Error::of(fmt::format("fault '{}': '{}' is not a count of requests (e.g. {}=1)", token, value, key));
      (key == "drop_before_ack" ? out.drop_before_ack : key == "order_rate_limit" ? out.order_rate_limit : out.reject_cancels) = *n;
    } else if (key == "reject") {
      if (auto status = parse_reject(token, value, out); !status) return status.error();
    } else if (key == "ack_delay") {
      auto d = parse_duration(value);
      if (!d) return core::Error::of(fmt::format("fault '{}': {}", token, d.error().message));
      out.ack_delay = *d;
    } else {
      return core::Error::of(fmt::format("unknown fault '{}' in token '{}' (known: {})", key, token, kKnown));
    }
  }
  if (out.stall_for && !out.stall_after) {
    return core::Error::of(fmt::format("fault 'stall_for={}' needs stall=N too (e.g. stall=30s,stall_for=5s)",
                                       format_ms(*out.stall_for)));
  }
  return out;
}

bool FaultSpec::any() const {
  return drop_after || stall_after || corrupt_checksum > 0 || malformed > 0 || rate_limit > 0 || drop_before_ack > 0 ||
         reject_orders > 0 || order_rate_limit > 0 || reject_cancels > 0 || ack_delay.has_value();
}

std::string FaultSpec::to_string() const {
  std::vector<std::string> parts;
  if (drop_after) parts.push_back("drop=" + format_ms(*drop_after));
  if (stall_after) parts.push_back("stall=" + format_ms(*stall_after));
  if (stall_for) parts.push_back("stall_for=" + format_ms(*stall_for));
  if (corrupt_checksum > 0) parts.push_back(fmt::format("corrupt_checksum={}", corrupt_checksum));
  if (malformed > 0) parts.push_back(fmt::format("malformed={}", malformed));
  if (rate_limit > 0) parts.push_back(fmt::format("rate_limit={}", rate_limit));
  if (drop_before_ack > 0) parts.push_back(fmt::format("drop_before_ack={}", drop_before_ack));
  if (reject_orders > 0) parts.push_back(fmt::format("reject={}:{}", reject_orders, reject_error));
  if (reject_cancels > 0) parts.push_back(fmt::format("reject_cancel={}", reject_cancels));
  if (order_rate_limit > 0) parts.push_back(fmt::format("order_rate_limit={}", order_rate_limit));
  if (ack_delay) parts.push_back("ack_delay=" + format_ms(*ack_delay));
  return fmt::format("{}", fmt::join(parts, ","));
}

}  // namespace tg4::sim
