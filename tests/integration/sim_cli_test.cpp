// `tg4 sim` as a process: prints its URL, serves WS, REST and, when --metrics is given, /metrics
// (with tg4_build_info), logs in the global --log-format, stops cleanly on SIGTERM and SIGINT; bad
// arguments exit 2 naming what was wrong.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <regex>
#include <sstream>

#include "sim/kraken_frames.hpp"
#include "support/ws_test_client.hpp"

extern char** environ;

namespace tg4::sim {
namespace {

using namespace std::chrono_literals;

// A child process with its stdout and stderr on pipes; killed if the test ends early.
class Child {
 public:
  explicit Child(std::vector<std::string> args) {
    int out[2], err[2];
    if (pipe(out) != 0 || pipe(err) != 0) throw std::runtime_error("pipe");
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out[1], 1);
    posix_spawn_file_actions_adddup2(&actions, err[1], 2);
    posix_spawn_file_actions_addclose(&actions, out[0]);
    posix_spawn_file_actions_addclose(&actions, err[0]);
    args.insert(args.begin(), TG4_BINARY);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    if (posix_spawn(&pid_, TG4_BINARY, &actions, nullptr, argv.data(), environ) != 0) throw std::runtime_error("spawn");
    posix_spawn_file_actions_destroy(&actions);
    close(out[1]);
    close(err[1]);
    out_ = out[0];
    err_ = err[0];
  }
  ~Child() {
    if (pid_ > 0 && !exited_) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    close(out_);
    close(err_);
  }

  // The next line of stdout, waiting up to `timeout`.
  std::optional<std::string> line(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
      const auto nl = stdout_.find('\n');
      if (nl != std::string::npos) {
        std::string l = stdout_.substr(0, nl);
        stdout_.erase(0, nl + 1);
        return l;
      }
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left <= 0ms) return std::nullopt;
      pollfd p{out_, POLLIN, 0};
      if (poll(&p, 1, static_cast<int>(left.count())) <= 0) return std::nullopt;
      char buf[4096];
      const auto n = read(out_, buf, sizeof(buf));
      if (n <= 0) return std::nullopt;
      stdout_.append(buf, static_cast<std::size_t>(n));
    }
  }

  // Waits for exit; returns the exit code, or -1 on timeout/signal.
  int wait(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      drain_stderr();
      int status = 0;
      const pid_t r = waitpid(pid_, &status, WNOHANG);
      if (r == pid_) {
        exited_ = true;
        drain_stderr();
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
      }
      pollfd p{err_, POLLIN, 0};
      poll(&p, 1, 20);  // wakes on output, else re-checks the child
    }
    return -1;
  }
  void signal(int sig) { kill(pid_, sig); }
  const std::string& stderr_text() const { return stderr_; }

 private:
  void drain_stderr() {
    char buf[4096];
    for (;;) {
      pollfd p{err_, POLLIN, 0};
      if (poll(&p, 1, 0) <= 0) return;
      const auto n = read(err_, buf, sizeof(buf));
      if (n <= 0) return;
      stderr_.append(buf, static_cast<std::size_t>(n));
    }
  }
  pid_t pid_ = -1;
  int out_ = -1, err_ = -1;
  bool exited_ = false;
  std::string stdout_, stderr_;
};

// A port nobody listens on right now (bound, read, released).
std::uint16_t free_port() {
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor a(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
  return a.local_endpoint().port();
}

std::uint16_t port_of(const std::string& url) {
  std::smatch m;
  const std::regex re(R"(^ws://127\.0\.0\.1:(\d+)/v2$)");
  if (!std::regex_match(url, m, re)) return 0;
  return static_cast<std::uint16_t>(std::stoi(m[1]));
}

TEST(SimCli, ServesUntilSigtermAndExportsMetrics) {
  const auto metrics_port = free_port();
  Child child({"--metrics", "127.0.0.1:" + std::to_string(metrics_port), "sim", "--port", "0", "--seed", "7",
               "--history-days", "1", "--symbols", "BTC/USDT,XRP/BTC"});
  const auto url = child.line(30s);
  ASSERT_TRUE(url.has_value()) << child.stderr_text();
  const auto port = port_of(*url);
  ASSERT_NE(port, 0) << *url;
  {
    testing::WsTestClient c(port);
    EXPECT_EQ(testing::channel_of(testing::json_object(c.next().value_or(""))), "status");
    c.send(R"({"method":"subscribe","params":{"channel":"book","symbol":["XRP/BTC"],"depth":25}})");
    testing::LocalBook book(25, 8, 8);
    int verified = 0;
    while (verified < 5) {
      const auto text = c.next();
      ASSERT_TRUE(text.has_value());
      if (const auto f = testing::parse_book(*text)) {
        ASSERT_TRUE(book.apply(*f)) << *text;
        ++verified;
      }
    }
    const auto pairs = testing::http_request(port, "/0/public/AssetPairs");
    EXPECT_NE(pairs.body.find("\"XXRPXXBT\""), std::string::npos);
    EXPECT_EQ(pairs.body.find("\"XRPUSDT\""), std::string::npos) << "only the chosen symbols";
    const auto metrics = testing::http_request(metrics_port, "/metrics");
    EXPECT_EQ(metrics.status, 200);
    EXPECT_TRUE(std::regex_search(metrics.body, std::regex(R"(tg4_build_info\{build_type="[^"]+",compiler="[^"]+",git_sha="[^"]+",version="[^"]+"\} 1)")))
        << metrics.body.substr(0, 2000);
    EXPECT_NE(metrics.body.find("tg4_sim_sessions 1"), std::string::npos);
    EXPECT_NE(metrics.body.find("tg4_sim_messages_sent_total{channel=\"book\"}"), std::string::npos);
  }
  child.signal(SIGTERM);
  EXPECT_EQ(child.wait(10s), 0) << child.stderr_text();
  EXPECT_NE(child.stderr_text().find("SIGTERM received"), std::string::npos) << child.stderr_text();
}

TEST(SimCli, SigintStopsItToo) {
  Child child({"--metrics", "127.0.0.1:" + std::to_string(free_port()), "sim", "--port", "0", "--history-days", "0"});
  ASSERT_TRUE(child.line(30s).has_value()) << child.stderr_text();
  child.signal(SIGINT);
  EXPECT_EQ(child.wait(10s), 0) << child.stderr_text();
}

// An API key names an account: the start-up line shows only the public test key.
TEST(SimCli, AGivenApiKeyIsNeverLogged) {
  const std::string key = "tg4-private-key-0123456789";
  Child child({"--metrics", "127.0.0.1:" + std::to_string(free_port()), "sim", "--port", "0", "--history-days", "0",
               "--api-key", key});
  ASSERT_TRUE(child.line(30s).has_value()) << child.stderr_text();
  child.signal(SIGINT);
  EXPECT_EQ(child.wait(10s), 0) << child.stderr_text();
  EXPECT_NE(child.stderr_text().find("(API key as given, not shown)"), std::string::npos) << child.stderr_text();
  EXPECT_EQ(child.stderr_text().find(key), std::string::npos) << child.stderr_text();
}

// --log-format and the redacting formatter, as every other command: `tg4 sim` logged in spdlog's
// own pattern ("[2026-…] [sim] [info] …"), past the formatter that masks secrets, and no JSON.
TEST(SimCli, LogsInTheGlobalLogFormat) {
  Child json_child({"--log-format", "json", "--metrics", "127.0.0.1:" + std::to_string(free_port()),
                    "sim", "--port", "0", "--history-days", "0"});
  ASSERT_TRUE(json_child.line(30s).has_value()) << json_child.stderr_text();
  json_child.signal(SIGTERM);
  ASSERT_EQ(json_child.wait(10s), 0) << json_child.stderr_text();
  std::istringstream lines(json_child.stderr_text());
  int logged = 0;
  for (std::string line; std::getline(lines, line);) {
    boost::system::error_code ec;
    const auto value = boost::json::parse(line, ec);
    ASSERT_FALSE(ec) << "not JSON: " << line;
    const auto& object = value.as_object();
    EXPECT_EQ(object.at("logger").as_string(), "sim") << line;
    EXPECT_TRUE(object.contains("ts") && object.contains("level") && object.contains("msg"))
        << line;
    ++logged;
  }
  EXPECT_GE(logged, 2) << "the start and the stop";

  Child text_child({"--metrics", "127.0.0.1:" + std::to_string(free_port()), "sim", "--port", "0",
                    "--history-days", "0"});
  ASSERT_TRUE(text_child.line(30s).has_value()) << text_child.stderr_text();
  text_child.signal(SIGTERM);
  ASSERT_EQ(text_child.wait(10s), 0) << text_child.stderr_text();
  EXPECT_TRUE(std::regex_search(
      text_child.stderr_text(),
      std::regex(R"((^|\n)\d{4}-\d\d-\d\dT[0-9:.]+Z info \[sim\] sim: serving )")))
      << text_child.stderr_text();
}

// The README's recipe runs `tg4 sim --port PORT` and `tg4 paper --url ws://127.0.0.1:PORT/v2` side
// by side, both without --metrics: the simulator took the default 127.0.0.1:9464 and the node
// then failed to start. It serves /metrics only when asked now: here the default address is taken
// (by the test, or by whoever had it already) and the simulator starts and serves all the same.
TEST(SimCli, WithoutMetricsItLeavesTheNodesDefaultAddressAlone) {
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor holder(io);
  boost::system::error_code ec;
  holder.open(boost::asio::ip::tcp::v4(), ec);
  if (!ec) holder.bind({boost::asio::ip::make_address("127.0.0.1"), 9464}, ec);
  if (!ec) holder.listen(1, ec);
  // Bound here or by another process: either way a /metrics on 127.0.0.1:9464 cannot be served.
  Child child({"sim", "--port", "0", "--history-days", "0"});
  const auto url = child.line(30s);
  ASSERT_TRUE(url.has_value()) << child.stderr_text();
  const auto port = port_of(*url);
  ASSERT_NE(port, 0) << *url;
  EXPECT_NE(testing::http_request(port, "/0/public/Time").body.find("unixtime"), std::string::npos);
  child.signal(SIGTERM);
  EXPECT_EQ(child.wait(10s), 0) << child.stderr_text();
  EXPECT_NE(child.stderr_text().find("no /metrics (--metrics HOST:PORT serves them)"),
            std::string::npos)
      << child.stderr_text();
}

struct BadArgs {
  std::vector<std::string> args;
  const char* must_mention;
};

class SimCliUsage : public ::testing::TestWithParam<BadArgs> {};

TEST_P(SimCliUsage, ExitsTwoNamingTheProblem) {
  std::vector<std::string> args{"--metrics", "127.0.0.1:" + std::to_string(free_port()), "sim", "--port", "0"};
  args.insert(args.end(), GetParam().args.begin(), GetParam().args.end());
  Child child(args);
  EXPECT_EQ(child.wait(30s), 2) << child.stderr_text();
  EXPECT_NE(child.stderr_text().find(GetParam().must_mention), std::string::npos) << child.stderr_text();
}

INSTANTIATE_TEST_SUITE_P(
    All, SimCliUsage,
    ::testing::Values(BadArgs{{"--faults", "drop=10s,explode=1"}, "explode=1"},
                      BadArgs{{"--faults", "corrupt_checksum=7"}, "corrupt_checksum=7"},
                      BadArgs{{"--symbols", "BTCUSDT"}, "BTCUSDT"}, BadArgs{{"--rate", "0"}, "rate"},
                      BadArgs{{"--start", "yesterday"}, "--start"}, BadArgs{{"--history-days", "9999"}, "history_days"}));

TEST(SimCli, BusyPortIsARuntimeFailureNamingIt) {
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor taken(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
  const auto port = taken.local_endpoint().port();
  Child child({"--metrics", "127.0.0.1:" + std::to_string(free_port()), "sim", "--port", std::to_string(port),
               "--history-days", "0"});
  EXPECT_EQ(child.wait(30s), 1) << child.stderr_text();
  EXPECT_NE(child.stderr_text().find("127.0.0.1:" + std::to_string(port)), std::string::npos) << child.stderr_text();
}

}  // namespace
}  // namespace tg4::sim
