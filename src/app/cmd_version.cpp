#include <iostream>

#include "app/command.hpp"
#include "metrics/build_info.hpp"

namespace tg4::app {

void add_version_command(CLI::App& root, CommandContext& ctx) {
  add_command(root, ctx, "version", "Print the version and build", [] {
    const auto& b = metrics::build_info();
    std::cout << "tg4 " << b.version << " (" << b.git_sha << ", " << b.compiler << ", " << b.build_type << ")\n";
    return kExitOk;
  });
}

}  // namespace tg4::app
