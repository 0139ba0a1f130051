#include <fmt/format.h>

#include "app/command.hpp"
#include "metrics/build_info.hpp"

namespace tg4::app {

void add_version_command(CLI::App& root, CommandContext& ctx) {
  add_command(root, ctx, "version", "Print the version and build", [] {
    const auto& b = metrics::build_info();
    const std::string line =
        fmt::format("tg4 {} ({}, {}, {})\n", b.version, b.git_sha, b.compiler, b.build_type);
    return write_stdout("version", "the version", line) ? kExitOk : kExitFailure;
  });
}

}  // namespace tg4::app
