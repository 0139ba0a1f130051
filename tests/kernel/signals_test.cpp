#include "kernel/signals.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <csignal>

namespace tg4::kernel {
namespace {

using namespace std::chrono_literals;

TEST(ShutdownSignal, FirstSignalRequestsGracefulStop) {
  ShutdownSignal shutdown;
  std::atomic<int> callback_signal{0};
  shutdown.on_signal([&](int sig) { callback_signal = sig; });
  EXPECT_FALSE(shutdown.requested());
  EXPECT_FALSE(shutdown.wait_for(1ms));
  ASSERT_EQ(::kill(::getpid(), SIGTERM), 0);
  ASSERT_TRUE(shutdown.wait_for(10s));
  EXPECT_EQ(shutdown.signal(), SIGTERM);
  // The callback runs right after the waiters are woken, on the watcher thread.
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (callback_signal == 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::yield();
  EXPECT_EQ(callback_signal.load(), SIGTERM);
}

TEST(ShutdownSignal, CallbackSetAfterTheSignalRunsAtOnce) {
  ShutdownSignal shutdown;
  shutdown.request();
  shutdown.wait();
  int got = 0;
  shutdown.on_signal([&](int sig) { got = sig; });
  EXPECT_EQ(got, -1);
}

TEST(ShutdownSignal, OnlyOneAtATime) {
  ShutdownSignal shutdown;
  EXPECT_THROW(ShutdownSignal{}, std::runtime_error);
}

TEST(ShutdownSignal, RestoresPreviousHandlers) {
  { ShutdownSignal shutdown; }
  struct sigaction current {};
  ::sigaction(SIGINT, nullptr, &current);
  EXPECT_EQ(current.sa_handler, SIG_DFL);
}

using ShutdownSignalDeathTest = ::testing::Test;

TEST_F(ShutdownSignalDeathTest, SecondSignalExitsWithStatusOne) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(
      {
        ShutdownSignal shutdown;
        ::kill(::getpid(), SIGINT);
        shutdown.wait();  // graceful stop begins, then "hangs"
        ::kill(::getpid(), SIGINT);
        for (;;) std::this_thread::sleep_for(1s);
      },
      ::testing::ExitedWithCode(1), "second signal");
}

}  // namespace
}  // namespace tg4::kernel
