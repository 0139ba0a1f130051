#include "kraken/quiet_ping.hpp"

#include <boost/json.hpp>
#include <utility>

namespace tg4::kraken {

std::string ping_frame(std::int64_t req_id) {
  return boost::json::serialize(boost::json::object{{"method", "ping"}, {"req_id", req_id}});
}

QuietPing::QuietPing(boost::asio::io_context& io, std::chrono::milliseconds after)
    : timer_(io), after_(after) {}

void QuietPing::start(const Clock::time_point& last_frame, std::function<bool()> send) {
  last_frame_ = &last_frame;
  send_ = std::move(send);
  arm(last_frame + after_);
}

void QuietPing::stop() { timer_.cancel(); }

void QuietPing::arm(Clock::time_point due) {
  timer_.expires_at(due);
  timer_.async_wait([this](boost::system::error_code ec) {
    if (ec) return;
    const Clock::time_point now = Clock::now();
    // A frame since: due again one period after it.
    if (now - *last_frame_ < after_) return arm(*last_frame_ + after_);
    // Still quiet after a ping: the next one a period later (the deadline decides about a stall).
    if (send_()) arm(now + after_);
  });
}

}  // namespace tg4::kraken
