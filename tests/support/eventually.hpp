// Waits on a condition with a deadline: the tests' replacement for sleeping a fixed time.
#pragma once

#include <chrono>
#include <thread>

namespace tg4::testing {

// True as soon as `condition()` holds; false when `timeout` passes first. Checks every millisecond.
template <typename F>
bool eventually(F&& condition, std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

}  // namespace tg4::testing
