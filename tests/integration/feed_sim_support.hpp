#pragma once
// For the feed, record and backfill integration tests: the real `tg4` binary as a child process
// (stdout read line by line, stderr to a file shown on failure), and a running `tg4 sim`.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "integration/storage_test_env.hpp"

extern char** environ;

namespace tg4::feed_testing {

using namespace std::chrono_literals;

// A scratch directory removed at the end of the test.
struct TempDir {
  TempDir() {
    path = std::filesystem::temp_directory_path() /
           ("tg4-feed-it-" + std::to_string(::getpid()) + "-" + std::to_string(counter()++));
    std::filesystem::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  static int& counter() {
    static int n = 0;
    return n;
  }
  std::string file(const std::string& name) const { return (path / name).string(); }
  std::filesystem::path path;
};

inline std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// `tg4 ARGS...`; killed (SIGKILL) if still running when destroyed.
class Tg4Process {
 public:
  Tg4Process(std::vector<std::string> args, const std::string& stderr_path)
      : stderr_path_(stderr_path) {
    int out[2];
    if (::pipe(out) != 0) throw std::runtime_error("pipe");
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, out[1], 1);
    posix_spawn_file_actions_addclose(&fa, out[0]);
    posix_spawn_file_actions_addopen(&fa, 2, stderr_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                     0644);
    args.insert(args.begin(), TG4_BINARY);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    const int rc = posix_spawn(&pid_, TG4_BINARY, &fa, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    ::close(out[1]);
    out_ = out[0];
    if (rc != 0) throw std::runtime_error("cannot start " + std::string(TG4_BINARY));
  }
  ~Tg4Process() {
    if (!exited_) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    ::close(out_);
  }
  Tg4Process(const Tg4Process&) = delete;
  Tg4Process& operator=(const Tg4Process&) = delete;

  // The next stdout line, or nullopt after `timeout` or at end of output.
  std::optional<std::string> line(std::chrono::milliseconds timeout = 30s) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      if (const auto nl = buffer_.find('\n'); nl != std::string::npos) {
        std::string l = buffer_.substr(0, nl);
        buffer_.erase(0, nl + 1);
        return l;
      }
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return std::nullopt;
      pollfd p{out_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return std::nullopt;
      char chunk[4096];
      const auto n = ::read(out_, chunk, sizeof(chunk));
      if (n <= 0) return std::nullopt;
      buffer_.append(chunk, static_cast<std::size_t>(n));
    }
  }
  // Everything left on stdout until the process closes it.
  std::string rest_of_stdout(std::chrono::milliseconds timeout = 60s) {
    std::string all;
    while (auto l = line(timeout)) all += *l + "\n";
    return all + buffer_;
  }
  // The exit code, or -1 after `timeout` (or death by signal).
  int wait(std::chrono::milliseconds timeout = 60s) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        exited_ = true;
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
      }
      pollfd p{out_, POLLIN, 0};
      ::poll(&p, 1, 20);  // wakes on output; otherwise re-checks the child every 20 ms
      if (p.revents & POLLIN) {
        char chunk[4096];
        const auto n = ::read(out_, chunk, sizeof(chunk));
        if (n > 0) buffer_.append(chunk, static_cast<std::size_t>(n));
      }
    }
    return -1;
  }
  void signal(int sig) { ::kill(pid_, sig); }
  std::string stderr_text() const { return read_text(stderr_path_); }

 private:
  pid_t pid_ = -1;
  int out_ = -1;
  bool exited_ = false;
  std::string buffer_;
  std::string stderr_path_;
};

// `tg4 sim --port 0 ...`, with the URL it prints.
struct SimProcess {
  SimProcess(const TempDir& dir, std::vector<std::string> sim_args,
             const std::string& name = "sim") {
    std::vector<std::string> args{"--metrics",
                                  "127.0.0.1:" + std::to_string(storage::testing::free_port()),
                                  "sim", "--port", "0"};
    args.insert(args.end(), sim_args.begin(), sim_args.end());
    process = std::make_unique<Tg4Process>(args, dir.file(name + ".stderr"));
    const auto first = process->line(60s);
    if (!first) throw std::runtime_error("tg4 sim printed no URL: " + process->stderr_text());
    ws_url = *first;
    const auto scheme_end = ws_url.find("://");
    const auto path = ws_url.find('/', scheme_end + 3);
    host_port = ws_url.substr(scheme_end + 3, path - scheme_end - 3);
    rest_url = std::string(ws_url.rfind("wss", 0) == 0 ? "https" : "http") + "://" + host_port;
  }
  std::unique_ptr<Tg4Process> process;
  std::string ws_url;     // ws://127.0.0.1:PORT/v2
  std::string host_port;  // 127.0.0.1:PORT
  std::string rest_url;   // http://127.0.0.1:PORT
};

}  // namespace tg4::feed_testing
