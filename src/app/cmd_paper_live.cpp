#include "app/command.hpp"

namespace tg4::app {

void add_paper_live_commands(CLI::App& root, CommandContext& ctx) {
  add_pending_command(root, ctx, "paper", "Full pipeline on live Kraken data with the paper venue");
  add_pending_command(root, ctx, "live", "Full pipeline on live Kraken data with real orders");
}

}  // namespace tg4::app
