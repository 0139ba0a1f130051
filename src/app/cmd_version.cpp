#include <iostream>

#include "app/command.hpp"

namespace tg4::app {

void add_version_command(CLI::App& root, CommandContext& ctx) {
  add_command(root, ctx, "version", "Print the version and build", [] {
    std::cout << "tg4 " << TG4_VERSION << " (" << TG4_GIT_SHA << ")\n";
    return kExitOk;
  });
}

}  // namespace tg4::app
