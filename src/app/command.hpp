#pragma once
// The `tg4` command surface (SPEC §12). Each subcommand lives in its own cmd_<name>.cpp and adds
// itself to the CLI11 tree; parsing stores the chosen command's runner, main() runs it.
#include <CLI/CLI.hpp>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace tg4::app {

// Exit codes of SPEC §12.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;

// Prints "tg4 <command>: <message>" to stderr and returns kExitUsage: a bad flag or argument.
int usage_error(const std::string& command, const std::string& message);

// Writes `text` to stdout and flushes it. A failed write (a full disk, a closed pipe) prints
// "tg4 <command>: writing <what> to stdout: <reason>" to stderr and returns false: output that did
// not arrive must not pass for success, and must not fail without a word.
bool write_stdout(const std::string& command, const std::string& what, std::string_view text);
// Why the last write failed: the system's reason in errno, or "write failed" when the stream left
// none (clear errno before the write).
std::string write_failure_reason();

// An input file named on the command line that is not there: "--input x.csv: no such file" (the
// caller's usage error, exit 2, as in replay and backtest); nullopt when it exists.
std::optional<std::string> missing_input(const std::string& option, const std::string& path);

// A CLI11 check of a --duration in seconds: 0 (until stopped) or more. A negative one used to stop
// at once with exit 0.
CLI::Validator duration_check();

// A CLI11 check of a HOST:PORT option (--metrics, demo --api): a bad port is a usage error naming
// the option, before anything starts.
CLI::Validator host_port_check();

struct GlobalOptions {
  std::string config_path = "config/tg4.yaml";
  bool config_given = false;  // --config named explicitly: a missing file is then an error
  std::string store_url = "sqlite:var/tg4.db";
  std::string redis_url;  // empty: in-process state and pub/sub
  std::string metrics_address = "127.0.0.1:9464";
  // Named on the command line: they then override the config file (app/config_loading.hpp).
  bool store_given = false;
  bool redis_given = false;
  bool metrics_given = false;
  std::string log_format = "text";
  std::string log_level = "info";
};

struct CommandContext {
  GlobalOptions globals;
  std::function<int()> run;  // set by the parsed subcommand
};

// The message for a command line that chose no subcommand where one is required: CLI11 checks that
// before it looks at what was left over, so `tg4 bogus` used to say "A subcommand is required".
// "tg4 config: unknown subcommand 'shwo'; expected one of: check, show, template, docs", or
// "tg4 config: a subcommand is required, one of: …" when none was given (an unknown option before
// it is named too); nullopt when the parse did not stop for a missing subcommand.
std::optional<std::string> subcommand_error(CLI::App& root);

// Registers a subcommand whose body runs after parsing: `body` returns the exit code.
CLI::App* add_command(CLI::App& root, CommandContext& ctx, const std::string& name,
                      const std::string& description, std::function<int()> body);

// One function per cmd_<name>.cpp.
void add_demo_command(CLI::App& root, CommandContext& ctx);
void add_paper_live_commands(CLI::App& root, CommandContext& ctx);
void add_sim_command(CLI::App& root, CommandContext& ctx);
void add_record_command(CLI::App& root, CommandContext& ctx);
void add_replay_command(CLI::App& root, CommandContext& ctx);
void add_backfill_command(CLI::App& root, CommandContext& ctx);
void add_indicators_command(CLI::App& root, CommandContext& ctx);
void add_backtest_command(CLI::App& root, CommandContext& ctx);
void add_risk_command(CLI::App& root, CommandContext& ctx);
void add_decide_command(CLI::App& root, CommandContext& ctx);
void add_ctl_command(CLI::App& root, CommandContext& ctx);
void add_migrate_command(CLI::App& root, CommandContext& ctx);
void add_config_command(CLI::App& root, CommandContext& ctx);
void add_version_command(CLI::App& root, CommandContext& ctx);

}  // namespace tg4::app
