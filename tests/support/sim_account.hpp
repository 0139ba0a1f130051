#pragma once
// What a test reads of the simulator's account over its private REST API (OpenOrders,
// ClosedOrders, Balance), signed with the account's keys: the exchange's own word, to hold TG4's
// picture against. Header-only: the executables that include it link the whole project.
#include <spdlog/logger.h>

#include <boost/json.hpp>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/decimal.hpp"
#include "core/result.hpp"
#include "kraken/rest_client.hpp"

namespace tg4::testing {

// One order as the exchange knows it (REST OpenOrders and ClosedOrders).
struct ExchangeOrder {
  std::string status;      // "open", "closed", "canceled", "expired"
  core::Decimal executed;  // vol_exec
  core::Decimal qty;       // vol
  std::string type;        // descr.ordertype: "market", "limit", "stop-loss", ...
  std::string pair;        // descr.pair, Kraken's name: XBTUSDT
};

// The exchange's orders of `body` (an OpenOrders or ClosedOrders answer) by client id (by Kraken's
// txid for one that has none), added to `out`.
inline void read_exchange_orders(const std::string& body, const char* list,
                                 std::map<std::string, std::vector<ExchangeOrder>>& out) {
  const auto root = boost::json::parse(body).as_object();
  for (const auto& [txid, value] : root.at("result").as_object().at(list).as_object()) {
    const auto& o = value.as_object();
    const auto* id = o.if_contains("cl_ord_id");
    const auto& descr = o.at("descr").as_object();
    out[id != nullptr ? std::string(id->as_string()) : std::string(txid)].push_back(
        {std::string(o.at("status").as_string()),
         core::Decimal::must(std::string_view(o.at("vol_exec").as_string())),
         core::Decimal::must(std::string_view(o.at("vol").as_string())),
         std::string(descr.at("ordertype").as_string()),
         std::string(descr.at("pair").as_string())});
  }
}

// The simulator's answer to private `method`. Another client signing with the same key (the venue
// under test, a node) may have sent a newer nonce meanwhile: the call is then refused, and asked
// again up to `nonce_retries` times.
inline core::Result<std::string> sim_private_call(const std::string& rest_url,
                                                  const std::string& api_key,
                                                  const std::string& api_secret,
                                                  const std::string& method, int nonce_retries,
                                                  std::shared_ptr<spdlog::logger> log = nullptr) {
  kraken::RestOptions options;
  options.base_url = rest_url;
  options.api_key = api_key;
  options.api_secret = api_secret;
  kraken::RestClient rest(options, std::move(log));
  auto body = rest.call_private(method, {});
  for (int i = 0;
       i < nonce_retries && !body && body.error().message.find("nonce") != std::string::npos; ++i) {
    body = rest.call_private(method, {});
  }
  return body;
}

}  // namespace tg4::testing
