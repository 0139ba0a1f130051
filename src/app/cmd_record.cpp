#include "app/command.hpp"

namespace tg4::app {

void add_record_command(CLI::App& root, CommandContext& ctx) {
  add_pending_command(root, ctx, "record", "Record raw WebSocket frames to a JSONL file");
}

}  // namespace tg4::app
