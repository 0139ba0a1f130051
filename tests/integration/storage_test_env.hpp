#pragma once
// Helpers for the storage and Redis integration tests: the servers scripts/test starts (env vars),
// a private PostgreSQL database per test, and running shell commands.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <thread>

namespace tg4::storage::testing {

inline std::optional<std::string> env(const char* name) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return std::nullopt;
  return std::string(v);
}

inline bool servers_required() {
  return env("TG4_TEST_REQUIRE_SERVERS").value_or("") == "1";
}

// Skips (or fails, when TG4_TEST_REQUIRE_SERVERS=1) a test whose server variable is missing.
#define TG4_NEED_ENV(var, name)                                                       \
  const auto var##_opt = ::tg4::storage::testing::env(name);                          \
  if (!var##_opt) {                                                                   \
    if (::tg4::storage::testing::servers_required()) FAIL() << name << " is not set"; \
    GTEST_SKIP() << name << " is not set (run through scripts/test)";                 \
  }                                                                                   \
  const std::string var = *var##_opt

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr
};

inline CommandResult run_command(const std::string& command) {
  CommandResult r;
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (!pipe) return r;
  std::array<char, 4096> buf{};
  while (std::fgets(buf.data(), static_cast<int>(buf.size()), pipe)) r.output += buf.data();
  const int status = ::pclose(pipe);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

// Runs SQL on the server; "" on success, else the error.
inline std::string pg_exec(const std::string& url, const std::string& sql) {
  PGconn* c = PQconnectdb(url.c_str());
  std::string error;
  if (PQstatus(c) != CONNECTION_OK) {
    error = PQerrorMessage(c);
  } else {
    PGresult* r = PQexec(c, sql.c_str());
    if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK)
      error = PQresultErrorMessage(r);
    PQclear(r);
  }
  PQfinish(c);
  return error;
}

// First column of the first row of a query ("" when there is none or on error).
inline std::string pg_value(const std::string& url, const std::string& sql) {
  PGconn* c = PQconnectdb(url.c_str());
  std::string out;
  if (PQstatus(c) == CONNECTION_OK) {
    PGresult* r = PQexec(c, sql.c_str());
    if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) > 0) out = PQgetvalue(r, 0, 0);
    PQclear(r);
  }
  PQfinish(c);
  return out;
}

// The URL of another database on the same server as `url` (replaces the path).
inline std::string with_database(const std::string& url, const std::string& database) {
  const auto scheme = url.find("://");
  const auto slash = url.find('/', scheme + 3);
  const auto query = url.find('?', scheme + 3);
  std::string out = url.substr(0, slash == std::string::npos ? query : slash) + "/" + database;
  if (query != std::string::npos) out += url.substr(query);
  return out;
}

// A database of its own for one test, dropped afterwards.
class PgDatabase {
 public:
  PgDatabase(const std::string& admin_url, const std::string& tag) : admin_url_(admin_url) {
    name_ = "tg4_" + tag + "_" + std::to_string(::getpid());
    for (auto& c : name_)
      c = static_cast<char>(std::isalnum(static_cast<unsigned char>(c)) ? std::tolower(c) : '_');
    pg_exec(admin_url_, "DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
    error_ = pg_exec(admin_url_, "CREATE DATABASE " + name_);
    url_ = with_database(admin_url_, name_);
  }
  ~PgDatabase() { pg_exec(admin_url_, "DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)"); }
  const std::string& url() const { return url_; }
  const std::string& error() const { return error_; }

 private:
  std::string admin_url_, name_, url_, error_;
};

inline std::string current_test_name() {
  return ::testing::UnitTest::GetInstance()->current_test_info()->name();
}

// A 127.0.0.1 port with nobody listening (for "unreachable" cases and servers a test starts): the
// kernel picks a free one for a socket bound to port 0, which is closed again.
inline int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  int port = 1;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  ::close(fd);
  return port;
}

template <typename F>
bool eventually(F&& condition, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return true;
}

}  // namespace tg4::storage::testing
