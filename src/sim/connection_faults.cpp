#include "sim/connection_faults.hpp"

#include <spdlog/spdlog.h>

#include "sim/session.hpp"

namespace tg4::sim {

ConnectionFaults::ConnectionFaults(boost::asio::any_io_executor strand, Exchange& exchange,
                                   std::shared_ptr<net::WsConnection> connection)
    : exchange_(exchange),
      connection_(std::move(connection)),
      drop_timer_(strand),
      stall_timer_(strand) {}

template <class Action>
void ConnectionFaults::after(boost::asio::steady_timer& timer, std::chrono::milliseconds delay,
                             Action action) {
  timer.expires_after(delay);
  // The session owns this object: alive while the session is.
  timer.async_wait([this, session = session_, action](const boost::system::error_code& ec) {
    const auto alive = session.lock();
    if (ec || !alive || stopped_ || dropped_) return;
    action();
  });
}

void ConnectionFaults::start(std::weak_ptr<Session> session) {
  session_ = std::move(session);
  const FaultSpec& faults = exchange_.options.faults;
  if (faults.drop_after) after(drop_timer_, *faults.drop_after, [this] { drop_now("drop"); });
  if (faults.stall_after) arm_stall(*faults.stall_after);
}

void ConnectionFaults::stop() {
  stopped_ = true;
  drop_timer_.cancel();
  stall_timer_.cancel();
}

void ConnectionFaults::drop_now(const char* fault) {
  if (dropped_) return;
  dropped_ = true;
  exchange_.metrics.fault(fault);
  exchange_.logger->debug("sim: fault {}: closing connection {}", fault, connection_->id());
  connection_->drop();
}

void ConnectionFaults::arm_stall(std::chrono::milliseconds after_ms) {
  after(stall_timer_, after_ms, [this] { begin_stall(); });
}

void ConnectionFaults::begin_stall() {
  stalled_ = true;
  exchange_.metrics.fault("stall");
  exchange_.logger->debug("sim: fault stall: connection {} goes silent", connection_->id());
  connection_->pause(true);
  const FaultSpec& faults = exchange_.options.faults;
  if (faults.stall_for) after(stall_timer_, *faults.stall_for, [this] { end_stall(); });
}

void ConnectionFaults::end_stall() {
  stalled_ = false;
  connection_->pause(false);
  arm_stall(*exchange_.options.faults.stall_after);
}

}  // namespace tg4::sim
