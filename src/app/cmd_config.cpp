#include "app/command.hpp"

namespace tg4::app {

void add_config_command(CLI::App& root, CommandContext& ctx) {
  add_pending_command(root, ctx, "config", "Configuration tools: config check FILE, config show");
}

}  // namespace tg4::app
