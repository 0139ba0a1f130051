#pragma once
// PrivateExchange: the simulator's private side, shared by its authenticated WS sessions and its
// signed REST calls: the one account and its matching engine, the WS tokens GetWebSocketsToken
// hands out, the dead man's switch (cancel_all_orders_after), the order faults still to inject, and
// the sessions that stream executions and balances. Orders belong to the account, not to a
// connection: they live on when a session drops, and a new session sees them in its executions
// snapshot. Strand only, like Exchange.
#include <prometheus/registry.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sim/account.hpp"
#include "sim/exchange.hpp"
#include "sim/fault_spec.hpp"
#include "sim/matching_engine.hpp"
#include "sim/private_metrics.hpp"
#include "sim/private_request.hpp"

namespace tg4::sim {

class PrivateSession;

// The private faults of a FaultSpec still to inject (counts go down as they fire).
struct OrderFaults {
  int drop_before_ack = 0;
  int reject = 0;
  std::string reject_error;
  int rate_limit = 0;
  int reject_cancel = 0;
  std::optional<std::chrono::milliseconds> ack_delay;
};

class PrivateExchange {
 public:
  PrivateExchange(Exchange& exchange, prometheus::Registry& registry);

  Exchange& exchange() { return exchange_; }
  Account& account() { return account_; }
  MatchingEngine& engine() { return engine_; }
  PrivateMetrics& metrics() { return metrics_; }
  OrderFaults& faults() { return faults_; }
  PrivateRequestParser& parser() { return parser_; }

  // A new WS token, valid for a first use within options.token_lifetime.
  std::string issue_token();
  // Empty if the token may be used (it then stays valid); otherwise Kraken's error for the client.
  std::string check_token(const std::optional<std::string>& token);

  // cancel_all_orders_after: a timeout of 0 disables the switch. Returns when it fires (nullopt:
  // off).
  std::optional<core::Timestamp> set_dead_man(std::chrono::seconds timeout);
  // Whether the switch would fire (for tests: a client that stops cleanly disarms it).
  bool dead_man_armed() const { return dead_man_.has_value(); }

  void attach(const std::shared_ptr<PrivateSession>& session);
  // Streams engine events to every session subscribed to them; counts fills.
  void publish(const EngineEvents& events);
  // Market hooks from the simulator: fills and triggers; GTD expiry and the dead man's switch.
  void on_step(const SymbolState& state, const MarketStep& step);
  void on_time(core::Timestamp now);
  // Adds a spec's private faults to those pending (a spec given at run time, or the options' at
  // start).
  void arm(const FaultSpec& spec);

 private:
  struct Token {
    core::Timestamp issued;
    bool used = false;
  };

  Exchange& exchange_;
  Account account_;
  MatchingEngine engine_;
  PrivateMetrics metrics_;
  PrivateRequestParser parser_;
  OrderFaults faults_;
  Random token_rng_;
  std::map<std::string, Token> tokens_;
  // cancel_all_orders_after: Kraken's timer runs on wall time, and so does ours: under --speed the
  // market runs faster, but the client renews the switch on its own (wall) clock.
  struct DeadMan {
    core::Timestamp shown;  // the trigger time answered, in market time
    std::chrono::steady_clock::time_point due;
  };
  std::optional<DeadMan> dead_man_;
  std::vector<std::weak_ptr<PrivateSession>> sessions_;
};

}  // namespace tg4::sim
