#include "app/command.hpp"

namespace tg4::app {

void add_migrate_command(CLI::App& root, CommandContext& ctx) {
  add_pending_command(root, ctx, "migrate", "Apply database migrations");
}

}  // namespace tg4::app
