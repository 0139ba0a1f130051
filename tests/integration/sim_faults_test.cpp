// Each injected fault is observable by a client: dropped connections, stalls with the socket open,
// corrupted checksums, malformed frames, rate-limit errors (WS and REST), and each is counted.
#include <gtest/gtest.h>

#include <prometheus/registry.h>

#include <chrono>

#include "sim/kraken_frames.hpp"
#include "sim/simulator.hpp"
#include "support/ws_test_client.hpp"

namespace tg4::sim {
namespace {

using namespace std::chrono_literals;
using testing::channel_of;
using testing::json_object;
using testing::ReadStatus;
using testing::WsTestClient;

struct FaultySim {
  explicit FaultySim(const std::string& faults, double rate = 40.0) : sim(make(faults, rate), registry) {
    const auto status = sim.start(0);
    if (!status) throw std::runtime_error(status.error().message);
  }
  static SimOptions make(const std::string& faults, double rate) {
    SimOptions o;
    o.history_days = 1;
    o.rate = rate;
    o.faults = FaultSpec::parse(faults).value();
    return o;
  }
  double faults(const std::string& kind) {
    for (const auto& family : registry.Collect()) {
      if (family.name != "tg4_sim_faults_injected_total") continue;
      for (const auto& m : family.metric) {
        if (!m.label.empty() && m.label[0].value == kind) return m.counter.value;
      }
    }
    return 0;
  }
  prometheus::Registry registry;
  Simulator sim;
};

TEST(SimFaults, DropClosesTheConnectionAfterTheInterval) {
  FaultySim r("drop=1s");
  const auto start = std::chrono::steady_clock::now();
  WsTestClient c(r.sim.bound_port());
  c.send(R"({"method":"subscribe","params":{"channel":"book","symbol":["BTC/USDT"]}})");
  std::string text;
  ReadStatus status = ReadStatus::kMessage;
  int frames = 0;
  while ((status = c.read(text, 5s)) == ReadStatus::kMessage) ++frames;
  ASSERT_EQ(status, ReadStatus::kClosed);
  const auto lived = std::chrono::steady_clock::now() - start;
  EXPECT_GE(lived, 900ms);
  EXPECT_LT(lived, 4s);
  EXPECT_GT(frames, 5);
  EXPECT_FALSE(c.closed_cleanly()) << "a drop sends no close frame: " << c.close_error().message();
  EXPECT_GE(r.faults("drop"), 1.0);
  // The next connection is served again (and dropped again later).
  WsTestClient again(r.sim.bound_port());
  EXPECT_EQ(channel_of(json_object(again.next().value_or(""))), "status");
}

TEST(SimFaults, StallGoesSilentWithTheSocketOpenThenResumes) {
  FaultySim r("stall=1s,stall_for=2s");
  WsTestClient c(r.sim.bound_port());
  c.send(R"({"method":"subscribe","params":{"channel":"trade","symbol":["BTC/USDT"]}})");
  // Frames flow, then stop: a gap of over a second with no close while heartbeats would be due.
  std::string text;
  const auto start = std::chrono::steady_clock::now();
  auto last_frame = start;
  std::chrono::steady_clock::duration longest_gap{};
  int after_gap = 0;
  while (std::chrono::steady_clock::now() - start < 5s) {
    const auto status = c.read(text, 100ms);
    ASSERT_NE(status, ReadStatus::kClosed) << "a stall must not close the socket";
    if (status != ReadStatus::kMessage) continue;
    const auto now = std::chrono::steady_clock::now();
    longest_gap = std::max(longest_gap, now - last_frame);
    if (now - last_frame > 1500ms) after_gap = 0;
    ++after_gap;
    last_frame = now;
  }
  EXPECT_GE(longest_gap, 1500ms);
  EXPECT_GT(after_gap, 3) << "traffic resumes after stall_for";
  EXPECT_GE(r.faults("stall"), 1.0);
}

TEST(SimFaults, StalledPeerDoesNotAnswerPing) {
  FaultySim r("stall=500ms");
  WsTestClient c(r.sim.bound_port());
  ASSERT_TRUE(c.next().has_value());  // status
  // Wait until the stall has certainly begun: no frame for well over a heartbeat period.
  std::string text;
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (std::chrono::steady_clock::now() < deadline && c.read(text, 1500ms) == ReadStatus::kMessage) {
  }
  c.send(R"({"method":"ping","req_id":1})");
  EXPECT_EQ(c.read(text, 1500ms), ReadStatus::kTimeout);
  EXPECT_FALSE(c.closed());
}

TEST(SimFaults, CorruptChecksumsDoNotVerify) {
  FaultySim r("corrupt_checksum=1");
  WsTestClient c(r.sim.bound_port());
  c.send(R"({"method":"subscribe","params":{"channel":"book","symbol":["BTC/USDT"]}})");
  testing::LocalBook book(10, 1, 8);
  int updates = 0, bad = 0;
  while (updates < 50) {
    const auto text = c.next();
    ASSERT_TRUE(text.has_value());
    const auto f = testing::parse_book(*text);
    if (!f) continue;
    const bool ok = book.apply(*f);
    if (f->snapshot) {
      EXPECT_TRUE(ok) << "snapshots are not corrupted";
      continue;
    }
    ++updates;
    bad += ok ? 0 : 1;
  }
  EXPECT_EQ(bad, updates);
  EXPECT_GE(r.faults("corrupt_checksum"), 50.0);
}

TEST(SimFaults, MalformedFramesAreNotJson) {
  FaultySim r("malformed=0.5");
  WsTestClient c(r.sim.bound_port());
  c.send(R"({"method":"subscribe","params":{"channel":"book","symbol":["BTC/USDT"]}})");
  int malformed = 0, valid = 0;
  while (malformed < 20) {
    const auto text = c.next();
    ASSERT_TRUE(text.has_value());
    json_object(*text).empty() ? ++malformed : ++valid;
  }
  EXPECT_GT(valid, 0);
  EXPECT_GE(r.faults("malformed"), 20.0);
}

TEST(SimFaults, RateLimitAnswersExceededMsgRate) {
  FaultySim r("rate_limit=1");
  WsTestClient c(r.sim.bound_port());
  ASSERT_TRUE(c.next().has_value());
  c.send(R"({"method":"subscribe","params":{"channel":"book","symbol":["BTC/USDT"]},"req_id":5})");
  std::optional<boost::json::object> reply;
  for (int i = 0; i < 5 && !reply; ++i) {
    const auto o = json_object(c.next().value_or(""));
    if (o.contains("error")) reply = o;
  }
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(reply->at("error").as_string(), "Exceeded msg rate");
  EXPECT_EQ(reply->at("method").as_string(), "subscribe");
  EXPECT_EQ(reply->at("req_id").as_int64(), 5);
  EXPECT_FALSE(reply->at("success").as_bool());
  const auto rest = testing::http_request(r.sim.bound_port(), "/0/public/Time");
  EXPECT_EQ(rest.status, 200);
  EXPECT_EQ(rest.body, R"({"error":["EGeneral:Too many requests"]})");
  EXPECT_GE(r.faults("rate_limit"), 2.0);
}

}  // namespace
}  // namespace tg4::sim
