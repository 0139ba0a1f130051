#pragma once
// WallAlarm: posts a task to the kernel once a delay of real time has passed, for deadlines that
// must be kept on the wall clock while the kernel's own clock is simulated (`tg4 demo` runs faster
// than life, but a model asked over the network takes real seconds). Its one thread starts on the
// first after(); stop() (or the destructor) ends it, and nothing is posted from then on. The kernel
// must outlive it.
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>

#include "kernel/kernel.hpp"

namespace tg4::kernel {

class WallAlarm {
 public:
  explicit WallAlarm(Kernel& kernel) : kernel_(kernel) {}
  ~WallAlarm() { stop(); }
  WallAlarm(const WallAlarm&) = delete;
  WallAlarm& operator=(const WallAlarm&) = delete;

  // Any thread: `task` goes to the kernel's queue `delay` from now (real time).
  void after(std::chrono::steady_clock::duration delay, Task task);
  // Drops what is not due yet and joins the thread.
  void stop();

 private:
  void run();

  Kernel& kernel_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::multimap<std::chrono::steady_clock::time_point, Task> due_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace tg4::kernel
