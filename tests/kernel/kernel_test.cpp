#include "kernel/kernel.hpp"

#include <gtest/gtest.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "core/clock.hpp"
#include "core/time.hpp"

namespace tg4::kernel {
namespace {

using namespace std::chrono_literals;

core::Timestamp t0() {
  return *core::parse_rfc3339("2024-03-01T12:00:00Z");
}

core::Trade trade(const std::string& symbol, std::int64_t id, core::Timestamp time = {}) {
  core::Trade t;
  t.symbol = symbol;
  t.trade_id = id;
  t.time = time;
  return t;
}

TEST(Kernel, PublishesEachEventOnItsTypedTopic) {
  core::SimulatedClock clock(t0());
  Kernel kernel(clock);
  std::vector<std::string> seen;
  auto a = kernel.bus().subscribe<core::Trade>(
      [&](const core::Trade& t) { seen.push_back("trade " + t.symbol); });
  auto b = kernel.bus().subscribe<core::Fill>(
      [&](const core::Fill& f) { seen.push_back("fill " + f.exec_id); });
  auto c = kernel.bus().subscribe<core::BookDelta>(
      [&](const core::BookDelta&) { seen.push_back("book"); });
  kernel.post(trade("BTC/USD", 1));
  core::Fill fill;
  fill.exec_id = "E1";
  kernel.post(core::ExecutionEvent{fill});
  kernel.post(core::MarketEvent{core::BookDelta{}});
  kernel.post(core::Ticker{});  // no subscriber
  EXPECT_EQ(kernel.run_until_empty(), 4u);
  EXPECT_EQ(seen, (std::vector<std::string>{"trade BTC/USD", "fill E1", "book"}));
}

TEST(Kernel, KeepsPerProducerOrderAcrossThreads) {
  constexpr int kProducers = 3;
  constexpr int kPerProducer = 5000;
  core::LiveClock clock;
  Kernel kernel(clock);
  std::vector<std::int64_t> next(kProducers, 0);
  int received = 0;
  bool in_order = true;
  auto s = kernel.bus().subscribe<core::Trade>([&](const core::Trade& t) {
    const int p = std::stoi(t.symbol);
    in_order = in_order && t.trade_id == next[p];
    ++next[p];
    ++received;
  });
  std::vector<std::thread> producers;
  for (int p = 0; p < kProducers; ++p) {
    producers.emplace_back([&kernel, p] {
      for (int i = 0; i < kPerProducer; ++i) kernel.post(trade(std::to_string(p), i));
    });
  }
  std::thread stopper([&] {
    for (auto& t : producers) t.join();
    kernel.stop();
  });
  kernel.run();
  stopper.join();
  EXPECT_TRUE(in_order);
  EXPECT_EQ(received, kProducers * kPerProducer);
}

TEST(Kernel, StopDrainsEverythingQueuedBeforeIt) {
  core::SimulatedClock clock(t0());
  Kernel kernel(clock);
  std::vector<std::int64_t> ids;
  auto s =
      kernel.bus().subscribe<core::Trade>([&](const core::Trade& t) { ids.push_back(t.trade_id); });
  for (int i = 0; i < 100; ++i) kernel.post(trade("X", i));
  kernel.stop();
  kernel.post(trade("X", 100));  // after the stop: stays queued for a later run
  kernel.run();
  ASSERT_EQ(ids.size(), 100u);
  EXPECT_EQ(ids.back(), 99);
  EXPECT_EQ(kernel.queue_depth(), 1u);
  EXPECT_EQ(kernel.run_until_empty(), 1u);
  EXPECT_EQ(ids.back(), 100);
}

TEST(Kernel, StopFromAnotherThreadEndsRun) {
  core::LiveClock clock;
  Kernel kernel(clock);
  std::atomic<int> tasks{0};
  std::thread producer([&] {
    for (int i = 0; i < 10; ++i) kernel.post(Task([&] { ++tasks; }));
    kernel.stop();
  });
  kernel.run();
  producer.join();
  EXPECT_EQ(tasks.load(), 10);
}

TEST(Kernel, BoundedQueueHoldsProducersBackWithoutLosingEvents) {
  core::LiveClock clock;
  KernelOptions options;
  options.queue_capacity = 4;
  Kernel kernel(clock, options);
  std::vector<std::int64_t> ids;
  auto s =
      kernel.bus().subscribe<core::Trade>([&](const core::Trade& t) { ids.push_back(t.trade_id); });
  EXPECT_TRUE(kernel.try_post(trade("X", 0)));
  std::thread producer([&] {
    for (int i = 1; i < 200; ++i) kernel.post(trade("X", i));
    kernel.stop();
  });
  kernel.run();
  producer.join();
  ASSERT_EQ(ids.size(), 200u);
  for (std::size_t i = 0; i < ids.size(); ++i) ASSERT_EQ(ids[i], static_cast<std::int64_t>(i));
}

TEST(Kernel, RunsTasksOnTheKernelThread) {
  core::LiveClock clock;
  Kernel kernel(clock);
  std::promise<std::thread::id> where;
  auto result = where.get_future();
  auto owned = std::make_unique<int>(42);  // a move-only capture
  std::thread runner([&] { kernel.run(); });
  kernel.post(Task([&where, &kernel, owned = std::move(owned)] {
    EXPECT_TRUE(kernel.on_kernel_thread());
    EXPECT_EQ(*owned, 42);
    where.set_value(std::this_thread::get_id());
  }));
  ASSERT_EQ(result.wait_for(10s), std::future_status::ready);
  EXPECT_EQ(result.get(), runner.get_id());
  EXPECT_FALSE(kernel.on_kernel_thread());
  kernel.stop();
  runner.join();
}

TEST(Kernel, SimulatedClockFollowsEventTimeAndFiresTimersFirst) {
  core::SimulatedClock clock(t0());
  Kernel kernel(clock);
  std::vector<std::string> log;
  const auto stamp = [&](const std::string& what) {
    log.push_back(what + "@" + std::to_string((clock.now() - t0()) / 1s));
  };
  auto s = kernel.bus().subscribe<core::Trade>(
      [&](const core::Trade& t) { stamp("trade" + std::to_string(t.trade_id)); });
  kernel.timers().at(t0() + 5s, [&] { stamp("timer5"); });
  kernel.timers().at(t0() + 2s, [&] { stamp("timer2"); });
  kernel.timers().at(t0() + 10s, [&] { stamp("timer10"); });
  kernel.post(trade("X", 1, t0() + 1s));
  kernel.post(trade("X", 2, t0() + 6s));
  kernel.post(trade("X", 3, t0() + 4s));  // late event: the clock never goes back
  kernel.post(trade("X", 4, t0() + 10s));
  kernel.run_until_empty();
  EXPECT_EQ(log, (std::vector<std::string>{"trade1@1", "timer2@2", "timer5@5", "trade2@6",
                                           "trade3@6", "timer10@10", "trade4@10"}));
}

TEST(Kernel, TimersScheduledByHandlersFireAtEventTime) {
  core::SimulatedClock clock(t0());
  Kernel kernel(clock);
  std::vector<core::Timestamp> cooldown_ends;
  // A cool-down started by an event ends 30 s of event time later, as it would live.
  auto s = kernel.bus().subscribe<core::Trade>([&](const core::Trade& t) {
    if (t.trade_id == 1) kernel.timers().after(30s, [&] { cooldown_ends.push_back(clock.now()); });
  });
  kernel.post(trade("X", 1, t0()));
  kernel.post(trade("X", 2, t0() + 29s));
  kernel.run_until_empty();
  EXPECT_TRUE(cooldown_ends.empty());
  kernel.post(trade("X", 3, t0() + 31s));
  kernel.run_until_empty();
  EXPECT_EQ(cooldown_ends, (std::vector<core::Timestamp>{t0() + 30s}));
}

TEST(Kernel, DailyResetAtUtcMidnightInABacktest) {
  core::SimulatedClock clock(*core::parse_rfc3339("2024-03-01T22:00:00Z"));
  Kernel kernel(clock);
  std::vector<std::string> events;
  auto s = kernel.bus().subscribe<core::Trade>([&](const core::Trade&) {
    events.push_back("trade " + core::format_rfc3339(clock.now(), 0));
  });
  kernel.timers().daily_utc(
      0s, [&] { events.push_back("reset " + core::format_rfc3339(clock.now(), 0)); });
  kernel.post(trade("X", 1, *core::parse_rfc3339("2024-03-01T23:59:59Z")));
  kernel.post(trade("X", 2, *core::parse_rfc3339("2024-03-02T00:00:01Z")));
  kernel.post(trade("X", 3, *core::parse_rfc3339("2024-03-04T08:00:00Z")));  // a gap over a day
  kernel.run_until_empty();
  kernel.advance_clock_to(*core::parse_rfc3339("2024-03-05T00:00:00Z"));
  EXPECT_EQ(events, (std::vector<std::string>{
                        "trade 2024-03-01T23:59:59Z",
                        "reset 2024-03-02T00:00:00Z",
                        "trade 2024-03-02T00:00:01Z",
                        "reset 2024-03-03T00:00:00Z",
                        "reset 2024-03-04T00:00:00Z",
                        "trade 2024-03-04T08:00:00Z",
                        "reset 2024-03-05T00:00:00Z",
                    }));
  EXPECT_EQ(clock.now(), *core::parse_rfc3339("2024-03-05T00:00:00Z"));
}

TEST(Kernel, LiveTimerFiresWhileIdle) {
  core::LiveClock clock;
  Kernel kernel(clock);
  std::atomic<bool> fired{false};
  // Before the timer is set: its 20 ms run from then, and starting the watchdog thread below may
  // take some of them on a busy machine.
  const auto start = std::chrono::steady_clock::now();
  kernel.timers().after(20ms, [&] {
    fired = true;
    kernel.stop();
  });
  std::thread watchdog([&] {
    // Only a safety net so a broken kernel fails instead of hanging.
    for (int i = 0; i < 1000 && !fired; ++i) std::this_thread::sleep_for(10ms);
    if (!fired) kernel.stop();
  });
  kernel.run();
  watchdog.join();
  EXPECT_TRUE(fired);
  EXPECT_GE(std::chrono::steady_clock::now() - start, 20ms);
}

TEST(Kernel, HandlersMayPostMoreEventsDuringRunUntilEmpty) {
  core::SimulatedClock clock(t0());
  Kernel kernel(clock);
  std::vector<std::int64_t> ids;
  auto s = kernel.bus().subscribe<core::Trade>([&](const core::Trade& t) {
    ids.push_back(t.trade_id);
    if (t.trade_id < 3) kernel.post(trade("X", t.trade_id + 1));
  });
  kernel.post(trade("X", 1));
  EXPECT_EQ(kernel.run_until_empty(), 3u);
  EXPECT_EQ(ids, (std::vector<std::int64_t>{1, 2, 3}));
}

TEST(Kernel, ExportsItsMetrics) {
  core::SimulatedClock clock(t0());
  prometheus::Registry registry;
  Kernel kernel(clock, registry);
  kernel.post(trade("X", 1));
  kernel.post(trade("X", 2));
  kernel.post(Task([] {}));
  kernel.run_until_empty();
  const std::string text = prometheus::TextSerializer().Serialize(registry.Collect());
  EXPECT_NE(text.find("tg4_kernel_events_total{type=\"trade\"} 2"), std::string::npos) << text;
  EXPECT_NE(text.find("tg4_kernel_events_total{type=\"task\"} 1"), std::string::npos) << text;
  EXPECT_NE(text.find("tg4_kernel_event_seconds_count 3"), std::string::npos) << text;
  EXPECT_NE(text.find("tg4_kernel_event_seconds_bucket{le=\"1e-07\"}"), std::string::npos) << text;
  EXPECT_NE(text.find("tg4_kernel_queue_depth 0"), std::string::npos) << text;
}

TEST(Kernel, UnmeasuredEventsStillRunInOrderAndLeaveTheMetricsAlone) {
  core::SimulatedClock clock(t0());
  prometheus::Registry registry;
  KernelOptions options;
  options.measure_events = false;
  Kernel kernel(clock, registry, options);
  std::vector<std::int64_t> ids;
  auto sub = kernel.bus().subscribe<core::Trade>([&](const core::Trade& t) { ids.push_back(t.trade_id); });
  kernel.post(trade("X", 1));
  kernel.post(trade("X", 2));
  kernel.post(Stop{});
  kernel.post(trade("X", 3));
  EXPECT_EQ(kernel.run_until_empty(), 3u) << "two trades and the Stop";
  EXPECT_EQ(ids, (std::vector<std::int64_t>{1, 2}));
  const std::string text = prometheus::TextSerializer().Serialize(registry.Collect());
  EXPECT_NE(text.find("tg4_kernel_event_seconds_count 0"), std::string::npos) << text;
}

TEST(Kernel, EventTimeOfEachKind) {
  core::Trade t;
  t.received = t0();
  EXPECT_EQ(event_time(Event{t}), t0());
  t.time = t0() - 1s;
  EXPECT_EQ(event_time(Event{t}), t0() - 1s);
  core::Ohlc bar;
  bar.bar.open_time = t0();
  bar.bar.interval_minutes = 5;
  EXPECT_EQ(event_time(Event{bar}), t0() + 5min);
  EXPECT_FALSE(event_time(Event{Task([] {})}).is_set());
  EXPECT_STREQ(event_type_name(Event{core::Fill{}}), "fill");
}

}  // namespace
}  // namespace tg4::kernel
