#include "app/command.hpp"

namespace tg4::app {

void add_demo_command(CLI::App& root, CommandContext& ctx) {
  add_pending_command(root, ctx, "demo", "Simulator + paper trading + embedded store + metrics + live status; offline");
}

}  // namespace tg4::app
