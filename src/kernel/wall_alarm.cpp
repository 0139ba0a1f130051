#include "kernel/wall_alarm.hpp"

namespace tg4::kernel {

void WallAlarm::after(std::chrono::steady_clock::duration delay, Task task) {
  {
    const std::lock_guard lock(mutex_);
    if (stopping_) return;
    due_.emplace(std::chrono::steady_clock::now() + delay, std::move(task));
    if (!thread_.joinable()) thread_ = std::thread([this] { run(); });
  }
  wake_.notify_one();
}

void WallAlarm::stop() {
  {
    const std::lock_guard lock(mutex_);
    stopping_ = true;
    due_.clear();
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
}

void WallAlarm::run() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    if (due_.empty()) {
      wake_.wait(lock);
      continue;
    }
    const auto first = due_.begin()->first;
    if (std::chrono::steady_clock::now() < first) {
      wake_.wait_until(lock, first);
      continue;
    }
    Task task = std::move(due_.begin()->second);
    due_.erase(due_.begin());
    // Posted unlocked (a bounded queue may make post() wait); stop() joins this thread, so nothing
    // is posted once it has returned.
    lock.unlock();
    kernel_.post(std::move(task));
    lock.lock();
  }
}

}  // namespace tg4::kernel
