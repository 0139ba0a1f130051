#include "app/command.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <iostream>

#include "core/address.hpp"

namespace tg4::app {

int usage_error(const std::string& command, const std::string& message) {
  std::cerr << "tg4 " << command << ": " << message << "\n";
  return kExitUsage;
}

bool write_stdout(const std::string& command, const std::string& what, std::string_view text) {
  errno = 0;
  std::cout.write(text.data(), static_cast<std::streamsize>(text.size()));
  std::cout.flush();
  if (std::cout) return true;
  std::cerr << "tg4 " << command << ": writing " << what << " to stdout: " << write_failure_reason() << "\n";
  return false;
}

std::string write_failure_reason() {
  return errno != 0 ? std::strerror(errno) : "write failed";
}

std::optional<std::string> missing_input(const std::string& option, const std::string& path) {
  std::error_code ec;
  if (std::filesystem::exists(path, ec)) return std::nullopt;
  return option + " " + path + ": no such file";
}

CLI::Validator duration_check() {
  return CLI::Validator(
      [](std::string& value) {
        return !value.empty() && value.front() == '-'
                   ? "must be 0 (until stopped) or more seconds, got " + value
                   : std::string();
      },
      "SECONDS");
}

CLI::Validator host_port_check() {
  return CLI::Validator(
      [](std::string& value) {
        const auto parsed = core::parse_host_port(value);
        return parsed ? std::string() : parsed.error().message;
      },
      "HOST:PORT");
}

std::optional<std::string> subcommand_error(CLI::App& root) {
  CLI::App* app = &root;
  std::string path = root.get_name();
  for (auto chosen = app->get_subcommands(); !chosen.empty(); chosen = app->get_subcommands()) {
    app = chosen.front();
    path += " " + app->get_name();
  }
  if (app->get_require_subcommand_min() == 0) return std::nullopt;
  std::string known;
  for (const CLI::App* sub : app->get_subcommands(
           [](const CLI::App* s) { return !s->get_disabled() && !s->get_group().empty(); })) {
    known += (known.empty() ? "" : ", ") + sub->get_name();
  }
  const auto left = root.remaining(true);
  if (left.empty()) return path + ": a subcommand is required, one of: " + known;
  if (left.front().starts_with("-")) {
    return path + ": unknown option '" + left.front() +
           "'; a subcommand is required, one of: " + known;
  }
  return path + ": unknown subcommand '" + left.front() + "'; expected one of: " + known;
}

CLI::App* add_command(CLI::App& root, CommandContext& ctx, const std::string& name,
                      const std::string& description, std::function<int()> body) {
  CLI::App* cmd = root.add_subcommand(name, description);
  cmd->callback([&ctx, body = std::move(body)] { ctx.run = body; });
  return cmd;
}

}  // namespace tg4::app
