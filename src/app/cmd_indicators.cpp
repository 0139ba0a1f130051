#include "app/command.hpp"

namespace tg4::app {

void add_indicators_command(CLI::App& root, CommandContext& ctx) {
  add_pending_command(root, ctx, "indicators", "Compute every indicator for each candle of a CSV");
}

}  // namespace tg4::app
