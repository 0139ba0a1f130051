#include "kernel/signals.hpp"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <stdexcept>
#include <string>

namespace tg4::kernel {
namespace {

// The state a signal handler can reach: by nature process-wide, so kept to two atomics, owned by
// the one live ShutdownSignal (which installs and removes the handler).
std::atomic<int> g_signal_fd{-1};
std::atomic<int> g_signals_seen{0};

constexpr unsigned char kWakeToQuit = 0;  // byte the destructor writes to end the watcher

void handle_signal(int sig) {
  if (g_signals_seen.fetch_add(1) >= 1) {
    static constexpr char kMessage[] = "tg4: second signal, exiting now\n";
    (void)!::write(STDERR_FILENO, kMessage, sizeof(kMessage) - 1);
    ::_exit(1);
  }
  const int fd = g_signal_fd.load();
  const int saved_errno = errno;
  const auto byte = static_cast<unsigned char>(sig);
  if (fd >= 0) (void)!::write(fd, &byte, 1);
  errno = saved_errno;
}

struct sigaction g_previous_int {};
struct sigaction g_previous_term {};

std::runtime_error os_error(const std::string& what) {
  return std::runtime_error("ShutdownSignal: " + what + ": " + std::strerror(errno));
}

}  // namespace

ShutdownSignal::ShutdownSignal() {
  if (::pipe2(pipe_, O_CLOEXEC) != 0) throw os_error("pipe2");
  int expected = -1;
  if (!g_signal_fd.compare_exchange_strong(expected, pipe_[1])) {
    ::close(pipe_[0]);
    ::close(pipe_[1]);
    throw std::runtime_error("ShutdownSignal: another instance is already handling SIGINT/SIGTERM");
  }
  g_signals_seen.store(0);
  struct sigaction action {};
  action.sa_handler = handle_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  if (::sigaction(SIGINT, &action, &g_previous_int) != 0 ||
      ::sigaction(SIGTERM, &action, &g_previous_term) != 0) {
    const auto error = os_error("sigaction");
    g_signal_fd.store(-1);
    ::close(pipe_[0]);
    ::close(pipe_[1]);
    throw error;
  }
  // Threads that blocked the signals before (e.g. for sigwait) must not starve the handler.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_UNBLOCK, &set, nullptr);
  watcher_ = std::thread([this] { watch(); });
}

ShutdownSignal::~ShutdownSignal() {
  ::sigaction(SIGINT, &g_previous_int, nullptr);
  ::sigaction(SIGTERM, &g_previous_term, nullptr);
  g_signal_fd.store(-1);
  const unsigned char byte = kWakeToQuit;
  (void)!::write(pipe_[1], &byte, 1);
  watcher_.join();
  ::close(pipe_[0]);
  ::close(pipe_[1]);
}

void ShutdownSignal::watch() {
  for (;;) {
    unsigned char byte = 0;
    const ssize_t n = ::read(pipe_[0], &byte, 1);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0 || byte == kWakeToQuit) return;
    trigger(byte);
  }
}

void ShutdownSignal::trigger(int sig) {
  Callback callback;
  {
    std::lock_guard lock(mutex_);
    int expected = 0;
    if (!signal_.compare_exchange_strong(expected, sig)) return;
    callback = callback_;
  }
  cv_.notify_all();
  if (callback) callback(sig);
}

void ShutdownSignal::on_signal(Callback callback) {
  int sig = 0;
  {
    std::lock_guard lock(mutex_);
    callback_ = std::move(callback);
    sig = signal_.load();
    if (sig != 0 && callback_) callback = callback_;
  }
  if (sig != 0 && callback) callback(sig);
}

void ShutdownSignal::request() {
  // Counts as the first signal: a real signal after it exits at once.
  g_signals_seen.fetch_add(1);
  trigger(-1);
}

void ShutdownSignal::wait() {
  std::unique_lock lock(mutex_);
  cv_.wait(lock, [&] { return signal_.load() != 0; });
}

bool ShutdownSignal::wait_for(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  return cv_.wait_for(lock, timeout, [&] { return signal_.load() != 0; });
}

}  // namespace tg4::kernel
