#pragma once
// ShutdownSignal: SIGINT/SIGTERM handling for every long-running command (sim, demo, paper, live).
// The first signal requests a graceful stop: waiters wake and the on_signal callback runs (e.g.
// kernel.stop(), so queues drain and the store is flushed before exit 0). A second signal exits the
// process at once with status 1, even if the graceful path hangs.
//
// The handler only writes one byte to a self-pipe (async-signal-safe); a watcher thread reads it
// and does the rest, so no thread needs signals blocked. At most one ShutdownSignal may exist at a
// time: the signal disposition is process-wide by nature.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace tg4::kernel {

class ShutdownSignal {
 public:
  using Callback = std::function<void(int signal)>;

  // Installs the handlers for SIGINT and SIGTERM. Throws std::runtime_error if another
  // ShutdownSignal is alive or the handlers cannot be installed (start-up edge).
  ShutdownSignal();
  // Restores the previous handlers.
  ~ShutdownSignal();
  ShutdownSignal(const ShutdownSignal&) = delete;
  ShutdownSignal& operator=(const ShutdownSignal&) = delete;

  // Runs `callback(signal)` on the watcher thread when the first signal arrives (immediately, on
  // the calling thread, if it already has). Replaces a previous callback.
  void on_signal(Callback callback);

  // Blocks until the first signal (or request()).
  void wait();
  // Blocks until the first signal or until `timeout` passes; true when a stop was requested.
  bool wait_for(std::chrono::milliseconds timeout);

  bool requested() const { return signal_.load() != 0; }
  // The signal received (SIGINT, SIGTERM), -1 after request(), 0 before any.
  int signal() const { return signal_.load(); }
  // Requests the graceful stop as a first signal would (e.g. from `tg4 ctl` or a test).
  void request();

 private:
  void watch();
  void trigger(int signal);

  int pipe_[2] = {-1, -1};
  std::thread watcher_;
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  Callback callback_;
  std::atomic<int> signal_{0};
};

}  // namespace tg4::kernel
