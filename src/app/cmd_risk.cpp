#include "app/command.hpp"

namespace tg4::app {

void add_risk_command(CLI::App& root, CommandContext& ctx) {
  add_pending_command(root, ctx, "risk", "Risk engine tools (risk check: one verdict as JSON)");
}

}  // namespace tg4::app
