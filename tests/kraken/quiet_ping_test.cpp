// QuietPing: a ping only after `after` of quiet, counted from the last frame; a period later again
// while still quiet; none once the connection is gone. Real timers on a private io_context: run()
// returns when the schedule ends, so the test never waits on a clock of its own.
#include "kraken/quiet_ping.hpp"

#include <gtest/gtest.h>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <vector>

namespace tg4::kraken {
namespace {

using namespace std::chrono_literals;
using Clock = QuietPing::Clock;

TEST(QuietPing, CountsTheQuietFromTheLastFrameAndEndsWithTheConnection) {
  boost::asio::io_context io;
  QuietPing ping(io, 100ms);
  Clock::time_point last_frame = Clock::now();
  // A frame 30 ms in: the first ping is due 100 ms after it, not 100 ms after the start. Its due
  // time is taken before the timer is armed, so the frame comes at it or later.
  const Clock::time_point frame_due = Clock::now() + 30ms;
  boost::asio::steady_timer frame(io, 30ms);
  frame.async_wait([&](boost::system::error_code) { last_frame = Clock::now(); });
  std::vector<Clock::time_point> sent;
  ping.start(last_frame, [&] {
    sent.push_back(Clock::now());
    return sent.size() < 3;  // the third ping finds the connection gone
  });
  io.run();  // returns once the schedule has ended
  ASSERT_EQ(sent.size(), 3u);
  EXPECT_GE(sent[0] - frame_due, 100ms) << "quiet measured from the frame";
  EXPECT_GE(sent[1] - sent[0], 100ms) << "still quiet after a ping: a period later";
  EXPECT_GE(sent[2] - sent[1], 100ms);
}

TEST(QuietPing, StopEndsTheSchedule) {
  boost::asio::io_context io;
  QuietPing ping(io, 50ms);
  const Clock::time_point last_frame = Clock::now();
  int sent = 0;
  ping.start(last_frame, [&] {
    ++sent;
    boost::asio::post(io, [&] { ping.stop(); });  // the connection closes after this ping
    return true;
  });
  io.run();  // the next ping was armed and cancelled: nothing left to run
  EXPECT_EQ(sent, 1);

  ping.start(last_frame, [&] { return ++sent > 0; });
  ping.stop();  // closed before the first was due
  io.restart();
  io.run();
  EXPECT_EQ(sent, 1);
}

}  // namespace
}  // namespace tg4::kraken
