#pragma once
// Running `tg4 <command> args…` as a child process for CLI tests: stdout captured through a pipe,
// stderr through a file, the exit code decoded. Arguments are single-quoted for the shell.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace tg4::testing {

// The candles every CLI test reads (tests/data/candles_reference.csv).
inline const std::filesystem::path kCandles =
    std::filesystem::path(TG4_SOURCE_DIR) / "tests/data/candles_reference.csv";

struct CliOutcome {
  int code = -1;
  std::string out, err;
};

inline std::string shell_quoted(const std::string& arg) {
  std::string q = "'";
  for (char c : arg) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

inline std::string file_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Runs `binary command args…` in `dir` (stderr goes to dir/stderr; stdout to `stdout_to` when
// given, e.g. /dev/full, else into CliOutcome::out).
inline CliOutcome run_cli(const std::filesystem::path& dir, const std::string& binary,
                          const std::string& command, const std::vector<std::string>& args,
                          const std::string& stdout_to = "") {
  const std::filesystem::path err = dir / "stderr";
  std::string line =
      "cd " + shell_quoted(dir.string()) + " && " + shell_quoted(binary) + " " + command;
  for (const auto& a : args) line += " " + shell_quoted(a);
  if (!stdout_to.empty()) line += " >" + shell_quoted(stdout_to);
  line += " 2>" + shell_quoted(err.string());
  CliOutcome o;
  FILE* pipe = popen(line.c_str(), "r");
  if (pipe == nullptr) return o;
  char buf[65536];
  while (std::size_t n = std::fread(buf, 1, sizeof buf, pipe)) o.out.append(buf, n);
  const int status = pclose(pipe);
  o.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  o.err = file_text(err);
  return o;
}

// A CLI test's own directory, `<temp>/<prefix><pid>`, made empty in SetUp and removed in TearDown;
// write() puts a file in it.
class CliDirTest : public ::testing::Test {
 protected:
  explicit CliDirTest(std::string prefix) : prefix_(std::move(prefix)) {}
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / (prefix_ + std::to_string(getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::filesystem::path write(const std::string& name, const std::string& text) {
    const std::filesystem::path path = dir_ / name;
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }

  std::filesystem::path dir_;

 private:
  std::string prefix_;
};

}  // namespace tg4::testing
