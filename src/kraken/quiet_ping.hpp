#pragma once
// Kraken's application keep-alive (WS v2 `ping`), shared by the market-data feed and the trading
// venue: a ping goes out once a connection has been quiet for `after`, so a quiet but healthy peer
// answers (the pong is a frame) before the connection's deadline on any frame declares it stalled.
//
// The ping is due `after` after the last frame, not on a fixed beat. On a beat, a frame arriving
// just after one tick put the ping nearly two periods after it (the whole deadline, with the
// default of half the deadline), and a healthy peer's pong could land after the stall.
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

namespace tg4::kraken {

// The ping request itself: {"method":"ping","req_id":N}.
std::string ping_frame(std::int64_t req_id);

class QuietPing {
 public:
  using Clock = std::chrono::steady_clock;

  QuietPing(boost::asio::io_context& io, std::chrono::milliseconds after);

  // For a connection that just opened. `last_frame` is the owner's time of the last frame received
  // (updated on the same io thread; read at each wake-up). `send` sends one ping; it returns false
  // when the connection is gone, which ends the schedule.
  void start(const Clock::time_point& last_frame, std::function<bool()> send);
  // On close or stop: no further ping.
  void stop();

 private:
  void arm(Clock::time_point due);

  boost::asio::steady_timer timer_;
  std::chrono::milliseconds after_;
  const Clock::time_point* last_frame_ = nullptr;
  std::function<bool()> send_;
};

}  // namespace tg4::kraken
