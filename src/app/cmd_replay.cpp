#include "app/command.hpp"

namespace tg4::app {

void add_replay_command(CLI::App& root, CommandContext& ctx) {
  add_pending_command(root, ctx, "replay", "Replay recorded frames through the feed and kernel; JSON summary");
}

}  // namespace tg4::app
