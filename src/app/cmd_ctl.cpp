#include "app/command.hpp"

namespace tg4::app {

void add_ctl_command(CLI::App& root, CommandContext& ctx) {
  add_pending_command(root, ctx, "ctl", "Operator API client: status, positions, orders, pause, resume, halt, flatten, ...");
}

}  // namespace tg4::app
