#include "app/command.hpp"

namespace tg4::app {

void add_backfill_command(CLI::App& root, CommandContext& ctx) {
  add_pending_command(root, ctx, "backfill", "Fill history gaps from Kraken REST into the store");
}

}  // namespace tg4::app
