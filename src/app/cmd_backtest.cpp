#include "app/command.hpp"

namespace tg4::app {

void add_backtest_command(CLI::App& root, CommandContext& ctx) {
  add_pending_command(root, ctx, "backtest", "Backtest a strategy: report, sweeps, walk-forward");
}

}  // namespace tg4::app
