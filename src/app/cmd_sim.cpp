#include "app/command.hpp"

namespace tg4::app {

void add_sim_command(CLI::App& root, CommandContext& ctx) {
  add_pending_command(root, ctx, "sim", "Kraken WebSocket v2 (+ REST) exchange simulator");
}

}  // namespace tg4::app
