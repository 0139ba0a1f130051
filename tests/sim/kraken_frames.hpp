#pragma once
// Test-side reading of Kraken v2 frames: book messages with exact decimal tokens (simdjson raw tokens,
// never double) and a local book maintained the way a client must, verified with market::book_checksum.
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json.hpp>
#include <simdjson.h>

#include "core/decimal.hpp"
#include "core/events.hpp"
#include "market/checksum.hpp"

namespace tg4::testing {

struct BookFrame {
  std::string symbol;
  bool snapshot = false;
  std::vector<core::PriceLevel> bids;
  std::vector<core::PriceLevel> asks;
  std::vector<int> price_digits;  // fractional digits of every price token, as written
  std::vector<int> qty_digits;
  std::uint64_t checksum = 0;
};

// The frame's JSON, or an empty object if it is not JSON at all.
inline boost::json::object json_object(std::string_view text) {
  boost::system::error_code ec;
  auto v = boost::json::parse(text, ec);
  if (ec || !v.is_object()) return {};
  return v.as_object();
}

inline std::string channel_of(const boost::json::object& o) {
  if (const auto* c = o.if_contains("channel")) return std::string(c->as_string());
  if (const auto* m = o.if_contains("method")) return "method:" + std::string(m->as_string());
  if (o.contains("error")) return "error";
  return "";
}

inline std::optional<BookFrame> parse_book(std::string_view text) {
  simdjson::padded_string padded(text);
  simdjson::ondemand::parser parser;
  auto doc = parser.iterate(padded);
  std::string_view channel;
  if (doc["channel"].get_string().get(channel) != simdjson::SUCCESS || channel != "book") return std::nullopt;
  BookFrame out;
  std::string_view type;
  if (doc["type"].get_string().get(type) != simdjson::SUCCESS) return std::nullopt;
  out.snapshot = type == "snapshot";
  simdjson::ondemand::array data;
  if (doc["data"].get_array().get(data) != simdjson::SUCCESS) return std::nullopt;
  for (auto entry : data) {
    simdjson::ondemand::object obj;
    if (entry.get_object().get(obj) != simdjson::SUCCESS) return std::nullopt;
    std::string_view symbol;
    if (obj["symbol"].get_string().get(symbol) != simdjson::SUCCESS) return std::nullopt;
    out.symbol = std::string(symbol);
    for (const char* side : {"bids", "asks"}) {
      simdjson::ondemand::array levels;
      if (obj[side].get_array().get(levels) != simdjson::SUCCESS) return std::nullopt;
      for (auto level : levels) {
        simdjson::ondemand::object l;
        if (level.get_object().get(l) != simdjson::SUCCESS) return std::nullopt;
        int price_digits = 0, qty_digits = 0;
        std::string_view price_token, qty_token;
        if (l["price"].raw_json_token().get(price_token) != simdjson::SUCCESS) return std::nullopt;
        if (l["qty"].raw_json_token().get(qty_token) != simdjson::SUCCESS) return std::nullopt;
        auto price = core::Decimal::parse(price_token, &price_digits);
        auto qty = core::Decimal::parse(qty_token, &qty_digits);
        if (!price || !qty) return std::nullopt;
        (std::string_view(side) == "bids" ? out.bids : out.asks).push_back({*price, *qty});
        out.price_digits.push_back(price_digits);
        out.qty_digits.push_back(qty_digits);
      }
    }
    if (obj["checksum"].get_uint64().get(out.checksum) != simdjson::SUCCESS) return std::nullopt;
  }
  return out;
}

// A client's copy of one symbol's book at one subscribed depth.
class LocalBook {
 public:
  LocalBook(std::size_t depth, int price_precision, int qty_precision)
      : depth_(depth), pp_(price_precision), qp_(qty_precision) {}

  // Applies a snapshot (replacing) or update, truncates to depth; returns whether the checksum matches.
  bool apply(const BookFrame& f) {
    if (f.snapshot) {
      bids_.clear();
      asks_.clear();
    }
    for (const auto& l : f.bids) l.qty.is_zero() ? (void)bids_.erase(l.price) : (void)(bids_[l.price] = l.qty);
    for (const auto& l : f.asks) l.qty.is_zero() ? (void)asks_.erase(l.price) : (void)(asks_[l.price] = l.qty);
    while (bids_.size() > depth_) bids_.erase(std::prev(bids_.end()));
    while (asks_.size() > depth_) asks_.erase(std::prev(asks_.end()));
    return checksum() == f.checksum;
  }
  std::uint32_t checksum() const {
    std::vector<core::PriceLevel> b, a;
    for (auto it = bids_.begin(); it != bids_.end() && b.size() < 10; ++it) b.push_back({it->first, it->second});
    for (auto it = asks_.begin(); it != asks_.end() && a.size() < 10; ++it) a.push_back({it->first, it->second});
    return market::book_checksum(a, b, pp_, qp_);
  }
  std::size_t bid_count() const { return bids_.size(); }
  std::size_t ask_count() const { return asks_.size(); }
  std::optional<core::Decimal> best_bid() const {
    return bids_.empty() ? std::nullopt : std::optional(bids_.begin()->first);
  }
  std::optional<core::Decimal> best_ask() const {
    return asks_.empty() ? std::nullopt : std::optional(asks_.begin()->first);
  }

 private:
  std::size_t depth_;
  int pp_, qp_;
  std::map<core::Decimal, core::Decimal, std::greater<>> bids_;
  std::map<core::Decimal, core::Decimal> asks_;
};

}  // namespace tg4::testing
