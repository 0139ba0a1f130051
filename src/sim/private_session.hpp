#pragma once
// PrivateSession: a client of the authenticated WS v2 endpoint (/v2-auth, Kraken's
// ws-auth.kraken.com/v2). Every request but ping carries params.token from GetWebSocketsToken: a
// missing one is refused with "Token(s) not found", an unknown or expired one with
// "ESession:Invalid session". Methods: add_order, amend_order, cancel_order (order_id, cl_ord_id or
// order_userref lists; one response per order), cancel_all, cancel_all_orders_after (the dead man's
// switch), subscribe/unsubscribe to `executions` (snap_orders, snap_trades, order_status) and
// `balances` (snapshot), and ping. Responses are Kraken's: method, req_id, result, success, error,
// time_in, time_out. The order faults of the FaultSpec are applied here: rate-limit and reject
// refusals, a drop after the order is placed but before its ack, and delayed acks (the executions
// updates then arrive first); so are the connection faults, as on the public ones
// (ConnectionFaults: `drop`, `stall`).
#include <boost/asio/any_io_executor.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "sim/connection_faults.hpp"
#include "sim/json_writer.hpp"
#include "sim/kraken_wire.hpp"
#include "sim/private_exchange.hpp"
#include "sim/session.hpp"

namespace tg4::sim {

class PrivateSession final : public Session {
 public:
  PrivateSession(PrivateExchange& exchange, std::shared_ptr<net::WsConnection> connection,
                 boost::asio::any_io_executor strand, std::uint64_t ordinal);

  void on_open() override;
  void on_message(std::string_view text) override;
  void on_close() override;
  void on_heartbeat() override;

  // Engine events of the account: an update frame per subscribed channel.
  void deliver(const EngineEvents& events);

 private:
  struct Call {
    PrivateRequest request;
    wire::MethodTimes times;
  };

  void send(std::string text, const char* channel);
  void fail(const Call& c, std::string_view message);
  void respond(const Call& c, const std::function<void(JsonWriter&)>& result);
  // An order-entry response, held back by the ack_delay fault.
  void respond_order(std::string text);
  bool order_faults(const Call& c, bool is_add);
  void handle(Call& c);
  void subscribe(const Call& c, bool unsubscribe);
  void add_order(const Call& c);
  void amend_order(const Call& c);
  void cancel_order(const Call& c);
  void cancel_all(const Call& c);
  void cancel_after(const Call& c);
  // Closed, cut or stalled: nothing is read or sent.
  bool silent() const { return closed_ || faults_.dropped() || faults_.stalled(); }

  PrivateExchange& x_;
  std::shared_ptr<net::WsConnection> connection_;
  boost::asio::any_io_executor strand_;
  std::uint64_t connection_id_;
  ConnectionFaults faults_;
  bool closed_ = false;
  bool executions_ = false;
  bool all_statuses_ = true;  // order_status: false streams only new/filled/canceled/expired
  bool balances_ = false;
  std::uint64_t executions_seq_ = 0;
  std::uint64_t balances_seq_ = 0;
};

}  // namespace tg4::sim
