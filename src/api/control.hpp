#pragma once
// Control: what the operator API may read from and do to a running node. The node implements it by
// posting tasks to the kernel thread and waiting for their answers, so the API never touches trading
// state directly (DESIGN principle 1). Results are JSON documents ready to send.
#include <boost/json.hpp>
#include <string>
#include <utility>

#include "core/result.hpp"

namespace tg4::api {

// The answer of an action on something the path names (an order, an agent). An Error is a refusal
// in the node's present state, a conflict (409: an order already filled, an agent that is off);
// `not_found` says the order or agent does not exist (404).
struct ActionResult {
  ActionResult(core::Result<boost::json::object> r)  // NOLINT: implicit, like Result itself
      : result(std::move(r)) {}
  static ActionResult missing(std::string message) {
    ActionResult a(core::Error::of(std::move(message)));
    a.not_found = true;
    return a;
  }

  core::Result<boost::json::object> result;
  bool not_found = false;
};

class Control {
 public:
  virtual ~Control() = default;
  // Kernel running, feed up, and no symbol's market data stale (market.stale_after).
  virtual bool ready() const = 0;
  // Views fail with an Error naming why (the kernel did not answer in time, the store cannot be
  // read) instead of answering with an empty list a trader would take for "none".
  virtual core::Result<boost::json::object> status() = 0;
  virtual core::Result<boost::json::array> positions() = 0;
  virtual core::Result<boost::json::array> orders(bool open_only) = 0;
  virtual core::Result<boost::json::array> decisions(std::size_t limit) = 0;
  virtual core::Result<boost::json::object> risk() = 0;
  virtual core::Result<boost::json::array> leaderboard() = 0;
  virtual core::Result<boost::json::object> portfolio() = 0;
  // The audit log, newest first: the operator's API actions and the hodl bags' movements.
  virtual core::Result<boost::json::array> audit(std::size_t limit) = 0;

  virtual core::Result<boost::json::object> pause(const std::string& reason) = 0;
  virtual core::Result<boost::json::object> resume() = 0;
  virtual core::Result<boost::json::object> halt(const std::string& reason, bool flatten) = 0;
  virtual core::Result<boost::json::object> flatten(const std::string& reason) = 0;
  virtual core::Result<boost::json::object> close_position(const std::string& symbol) = 0;
  virtual ActionResult cancel_order(const std::string& client_order_id) = 0;
  virtual core::Result<boost::json::object> risk_reset() = 0;
  virtual ActionResult run_agent(const std::string& name) = 0;
};

}  // namespace tg4::api
