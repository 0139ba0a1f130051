// `tg4 migrate [--dry-run]`: applies the embedded sql/ migrations to the configured store
// (storage.url, or --store over it; SPEC §12). Start-up applies them too; this command lets an
// operator do it (or preview it) on its own.
#include <iostream>
#include <memory>
#include <sstream>

#include "app/command.hpp"
#include "app/config_loading.hpp"
#include "storage/store.hpp"
#include "storage/store_url.hpp"

namespace tg4::app {
namespace {

void print_list(std::ostream& out, const char* label, const std::vector<std::string>& versions) {
  for (const auto& v : versions) out << "  " << label << "  " << v << "\n";
}

int run_migrate(const GlobalOptions& globals, bool dry_run) {
  // The store every other command would use: a migrate that quietly went elsewhere (the CLI
  // default) would leave the configured database unmigrated and report success.
  const auto config = load_config(globals, std::cerr);
  if (!config) return kExitUsage;
  const std::string& store_url = config->storage.url;
  const auto url = storage::parse_store_url(store_url);
  if (!url) {
    std::cerr << "tg4 migrate: " << (globals.store_given ? "--store" : "storage.url") << ": "
              << url.error().message << "\n";
    return kExitUsage;
  }
  storage::OpenOptions options;
  options.migrate = false;
  auto store = storage::open_store(store_url, options);
  if (!store) {
    std::cerr << "tg4 migrate: " << store.error().message << "\n";
    return kExitFailure;
  }
  auto report = (*store)->migrate(dry_run);
  if (!report) {
    std::cerr << "tg4 migrate: " << report.error().message << "\n";
    return kExitFailure;
  }
  std::ostringstream out;
  out << "store " << url->redacted << " (" << (*store)->backend() << ")\n";
  print_list(out, "already applied", report->already);
  print_list(out, "applied        ", report->applied);
  print_list(out, "pending        ", report->pending);
  if ((*store)->backend() == "postgresql") {
    out << "timescaledb: " << ((*store)->timescaledb() || report->timescaledb ? "yes" : "no")
        << "\n";
  }
  if (dry_run) {
    out << "dry run: " << report->pending.size() << " pending, " << report->already.size()
        << " already applied; nothing was changed\n";
  } else {
    out << report->applied.size() << " applied, " << report->already.size()
        << " already applied\n";
  }
  return write_stdout("migrate", "the report", out.str()) ? kExitOk : kExitFailure;
}

}  // namespace

void add_migrate_command(CLI::App& root, CommandContext& ctx) {
  auto dry_run = std::make_shared<bool>(false);
  CLI::App* cmd = add_command(root, ctx, "migrate",
                              "Apply database migrations to the store (storage.url, or --store)",
                              [&ctx, dry_run] { return run_migrate(ctx.globals, *dry_run); });
  cmd->add_flag("--dry-run", *dry_run, "List the migrations that would be applied, change nothing");
}

}  // namespace tg4::app
