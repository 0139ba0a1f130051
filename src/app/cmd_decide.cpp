#include "app/command.hpp"

namespace tg4::app {

void add_decide_command(CLI::App& root, CommandContext& ctx) {
  add_pending_command(root, ctx, "decide", "One agent decision cycle: each model's answer and the verdict");
}

}  // namespace tg4::app
