#pragma once
// ConnectionFaults: the connection faults of the simulator's FaultSpec for one session, public or
// private alike (Kraken's public and private endpoints fail the same ways): `drop` cuts the TCP
// connection that long after it opened; `stall` stops sending and reading that long after it
// opened (the socket left open, a half-dead peer), and with `stall_for` resumes after that long,
// to stall again `stall` later. The session asks stalled() before each frame it sends.
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <memory>

#include "net/ws_server.hpp"
#include "sim/exchange.hpp"

namespace tg4::sim {

class Session;

class ConnectionFaults {
 public:
  ConnectionFaults(boost::asio::any_io_executor strand, Exchange& exchange,
                   std::shared_ptr<net::WsConnection> connection);

  // Arms the timers from now (the session has opened). They do nothing once `session` is gone or
  // stop() has run.
  void start(std::weak_ptr<Session> session);
  void stop();

  bool stalled() const { return stalled_; }
  bool dropped() const { return dropped_; }
  // Cut now (the drop_before_ack order fault): nothing more is sent.
  void drop_now(const char* fault);

 private:
  void arm_stall(std::chrono::milliseconds after);
  void begin_stall();
  void end_stall();
  // Runs `action` on the strand after `delay` while the session lives and the faults run.
  template <class Action>
  void after(boost::asio::steady_timer& timer, std::chrono::milliseconds delay, Action action);

  Exchange& exchange_;
  std::shared_ptr<net::WsConnection> connection_;
  boost::asio::steady_timer drop_timer_;
  boost::asio::steady_timer stall_timer_;
  std::weak_ptr<Session> session_;
  bool stopped_ = false;
  bool stalled_ = false;
  bool dropped_ = false;
};

}  // namespace tg4::sim
