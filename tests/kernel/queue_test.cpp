#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "kernel/mpsc_queue.hpp"

namespace tg4::kernel {
namespace {

using namespace std::chrono_literals;

struct Item {
  int producer;
  int seq;
};

TEST(MpscQueue, KeepsPerProducerOrderAcrossThreads) {
  constexpr int kProducers = 4;
  constexpr int kPerProducer = 20000;
  MpscQueue<Item> queue;
  std::vector<std::thread> producers;
  for (int p = 0; p < kProducers; ++p) {
    producers.emplace_back([&queue, p] {
      for (int i = 0; i < kPerProducer; ++i) ASSERT_TRUE(queue.push(Item{p, i}));
    });
  }
  std::vector<int> next(kProducers, 0);
  std::vector<Item> batch;
  int received = 0;
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  while (received < kProducers * kPerProducer && std::chrono::steady_clock::now() < deadline) {
    queue.wait_drain(batch, std::chrono::steady_clock::now() + 100ms);
    for (const Item& item : batch) {
      ASSERT_EQ(item.seq, next[item.producer]) << "producer " << item.producer;
      ++next[item.producer];
      ++received;
    }
  }
  for (auto& t : producers) t.join();
  EXPECT_EQ(received, kProducers * kPerProducer);
}

TEST(MpscQueue, WaitDrainReturnsEmptyAtDeadline) {
  MpscQueue<int> queue;
  std::vector<int> out{1, 2, 3};
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(queue.wait_drain(out, start + 20ms), 0u);
  EXPECT_TRUE(out.empty());
  EXPECT_GE(std::chrono::steady_clock::now() - start, 20ms);
}

TEST(MpscQueue, WaitDrainWakesOnPush) {
  MpscQueue<int> queue;
  std::thread producer([&] {
    // Give the consumer a chance to go to sleep first; the test passes either way.
    std::this_thread::yield();
    queue.push(7);
  });
  std::vector<int> out;
  const auto start = std::chrono::steady_clock::now();
  std::size_t n = 0;
  while (n == 0 && std::chrono::steady_clock::now() - start < 10s) {
    n = queue.wait_drain(out, std::chrono::steady_clock::now() + 10s);
  }
  producer.join();
  ASSERT_EQ(n, 1u);
  EXPECT_EQ(out[0], 7);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
}

TEST(MpscQueue, BoundedQueueAppliesBackpressure) {
  MpscQueue<int> queue(2);
  EXPECT_TRUE(queue.try_push(1));
  EXPECT_TRUE(queue.try_push(2));
  EXPECT_FALSE(queue.try_push(3));
  std::atomic<bool> pushed{false};
  std::thread producer([&] {
    queue.push(3);  // waits for room
    pushed = true;
  });
  std::vector<int> out;
  EXPECT_EQ(queue.drain(out), 2u);
  producer.join();
  EXPECT_TRUE(pushed);
  EXPECT_EQ(queue.drain(out), 1u);
  EXPECT_EQ(out[0], 3);
}

TEST(MpscQueue, BatchLargerThanCapacityWaitsForEmptyQueue) {
  MpscQueue<int> queue(2);
  std::vector<int> batch{1, 2, 3, 4};
  EXPECT_TRUE(queue.push_batch(batch));
  EXPECT_TRUE(batch.empty());
  std::vector<int> out;
  EXPECT_EQ(queue.drain(out), 4u);
  EXPECT_EQ(out, (std::vector<int>{1, 2, 3, 4}));
}

TEST(MpscQueue, CloseFailsPushesAndWakesWaiters) {
  MpscQueue<int> queue(1);
  ASSERT_TRUE(queue.push(1));
  std::atomic<bool> result{true};
  std::thread producer([&] { result = queue.push(2); });
  queue.close();
  producer.join();
  EXPECT_FALSE(result);
  EXPECT_FALSE(queue.try_push(3));
  std::vector<int> out;
  EXPECT_EQ(queue.wait_drain(out, std::chrono::steady_clock::now() + 10s), 1u);  // still drains
  EXPECT_EQ(queue.wait_drain(out, std::chrono::steady_clock::now() + 10s), 0u);  // closed: no wait
}

}  // namespace
}  // namespace tg4::kernel
