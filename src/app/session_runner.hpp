#pragma once
// Running a node in the foreground: a status view refreshed each second (redrawn in place on a
// terminal, one line every 10 s otherwise), until SIGINT/SIGTERM or --duration, then a graceful stop,
// a summary and the session report (summary.json, orders.csv, fills.csv) in `report_dir`.
#include <chrono>
#include <filesystem>
#include <functional>
#include <string>

#include "app/node.hpp"

namespace tg4::app {

struct RunOptions {
  std::chrono::seconds duration{0};  // 0: until a signal
  std::filesystem::path report_dir;  // empty: no report
  std::string title = "tg4";
  std::function<std::string()> extra_status;  // a line under the status (e.g. the simulator's URL)
};

// Blocks SIGINT and SIGTERM in the calling thread (and every thread started after it); call first,
// before any thread exists, so that run_until_stopped() can wait for them.
void block_stop_signals();
// True while a SIGINT or SIGTERM waits (blocked, not yet taken by run_until_stopped()): long work
// before the run loop (the start-up backfill) asks it to end early; the signal stays pending and
// stops the session as soon as it runs.
bool stop_signal_pending();

// Returns the exit code: 0 after a clean stop, 1 when the trading kernel failed (it stops the node).
int run_until_stopped(Node& node, const RunOptions& options);

// One status block for a summary; `stopped`: the session has ended (its connections were closed).
std::string render_status(const kernel::PipelineSummary& s, const std::string& title, bool stopped = false);

}  // namespace tg4::app
