#include "app/session_runner.hpp"

#include <fmt/format.h>
#include <signal.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <fstream>
#include <iostream>
#include <optional>

#include "app/command.hpp"
#include "app/node.hpp"
#include "storage/store.hpp"
#include "storage/store_url.hpp"

namespace tg4::app {
namespace {

namespace json = boost::json;

// Waits up to `timeout` for SIGINT/SIGTERM (blocked by block_stop_signals); true when one came.
bool wait_for_signal(std::chrono::milliseconds timeout) {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  timespec wait{};
  wait.tv_sec = timeout.count() / 1000;
  wait.tv_nsec = (timeout.count() % 1000) * 1'000'000;
  return sigtimedwait(&signals, nullptr, &wait) > 0;
}

std::string money(const core::Decimal& d) { return d.to_string(2); }

void write_report(const Node& node, const kernel::PipelineSummary& s, const std::filesystem::path& dir,
                  const std::string& store_url) {
  std::filesystem::create_directories(dir);
  json::object summary;
  summary["session_id"] = node.session_id();
  // As /status: no balances from a real venue, no equity to report (null, not a zero).
  if (s.equity_confirmed || !s.equity.is_zero())
    summary["equity"] = s.equity.to_string(2);
  else
    summary["equity"] = nullptr;
  summary["equity_confirmed"] = s.equity_confirmed;
  if (s.venue_connected && !s.venue_was_up) summary["venue_problem"] = s.venue_problem;
  summary["realised_pnl"] = s.realised_pnl.to_string(2);
  summary["unrealised_pnl"] = s.unrealised_pnl.to_string(2);
  summary["fees"] = s.fees.to_string(2);
  summary["drawdown"] = s.drawdown.to_string(6);
  summary["trading_state"] = s.trading_state;
  summary["market_events"] = s.market_events;
  summary["trades_seen"] = s.trades_seen;
  summary["bars_closed"] = s.bars_closed;
  summary["intents"] = s.intents;
  summary["approved"] = s.approved;
  summary["rejected"] = s.rejected;
  summary["orders_sent"] = s.orders_sent;
  summary["orders_refused"] = s.orders_refused;
  summary["fills"] = s.fills;
  summary["store"] = storage::redact_url(store_url);  // the report is a plain file: no password
  std::ofstream(dir / "summary.json") << json::serialize(summary) << "\n";

  auto store = storage::open_store(store_url, without_migrations());
  if (!store) return;
  const storage::Scope scope{node.session_id(), ""};
  std::ofstream orders(dir / "orders.csv");
  orders << "client_order_id,symbol,side,type,status,qty,filled_qty,avg_price,limit_price,stop_price,created,updated\n";
  if (auto rows = (*store)->orders(storage::OrderQuery{scope, "", false, 100'000})) {
    for (const auto& o : *rows) {
      orders << fmt::format("{},{},{},{},{},{},{},{},{},{},{},{}\n", o.client_order_id, o.symbol,
                            core::to_string(o.side), core::to_string(o.type), core::to_string(o.status),
                            o.qty.to_string(), o.filled_qty.to_string(), o.avg_price.to_string(),
                            o.limit_price.to_string(), o.stop_price.to_string(), core::format_rfc3339(o.created),
                            core::format_rfc3339(o.updated));
    }
  }
  std::ofstream fills(dir / "fills.csv");
  fills << "exec_id,client_order_id,symbol,side,price,qty,fee,fee_currency,maker,time\n";
  if (auto rows = (*store)->fills(scope, storage::TimeRange{})) {
    for (const auto& row : *rows) {
      const core::Fill& f = row.fill;
      fills << fmt::format("{},{},{},{},{},{},{},{},{},{}\n", f.exec_id, f.client_order_id, f.symbol,
                           core::to_string(f.side), f.price.to_string(), f.qty.to_string(), f.fee.to_string(),
                           f.fee_currency, f.maker ? 1 : 0, core::format_rfc3339(f.time));
    }
  }
}

}  // namespace

bool stop_signal_pending() {
  sigset_t pending;
  sigemptyset(&pending);
  if (sigpending(&pending) != 0) return false;
  return sigismember(&pending, SIGINT) == 1 || sigismember(&pending, SIGTERM) == 1;
}

void block_stop_signals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
}

std::string render_status(const kernel::PipelineSummary& s, const std::string& title, bool stopped) {
  // Once the session has stopped, its connections were closed on purpose: not "DOWN".
  const char* feed = stopped ? "closed" : s.feed_connected ? "up" : "DOWN";
  // A live node whose private session is down cannot place an order, whatever its state says: the
  // venue's reason is on the first line (a key Kraken refuses, say), also in the stop's summary
  // when the session never came up.
  std::string venue;
  if (s.venue_connected) {
    if (stopped) {
      venue = s.venue_was_up ? "  venue closed" : "  venue never up";
    } else {
      venue = *s.venue_connected ? "  venue up" : "  venue DOWN: no orders can be placed";
    }
    if (!*s.venue_connected && !s.venue_problem.empty() && !(stopped && s.venue_was_up))
      venue += " (" + s.venue_problem + ")";
  }
  std::string out = fmt::format("{}  {}  state {}{}  feed {}{}\n", title, core::format_rfc3339(s.time, 0),
                                s.trading_state, s.state_reason.empty() ? "" : " (" + s.state_reason + ")", feed,
                                venue);
  // Without the venue's balances the equity is not the account's: a zero is unknown, anything else
  // is what the store last knew.
  const std::string equity =
      s.equity_confirmed   ? money(s.equity)
      : s.equity.is_zero() ? std::string("unknown (no balances from the venue yet)")
                           : money(s.equity) + " (stored; the venue has not confirmed it yet)";
  out += fmt::format("  equity {}  realised {}  unrealised {}  fees {}  drawdown {:.2f}%\n", equity,
                     money(s.realised_pnl), money(s.unrealised_pnl), money(s.fees),
                     s.drawdown.to_double() * 100);
  out += fmt::format(
      "  positions {}  open orders {}  intents {} (approved {}, rejected {})  orders {}{}  fills "
      "{}\n",
      s.open_positions, s.open_orders, s.intents, s.approved, s.rejected, s.orders_sent,
      s.orders_refused == 0 ? "" : fmt::format(" (refused {})", s.orders_refused), s.fills);
  out += fmt::format("  market events {}  trades {}  bars {}  checksum mismatches {}\n", s.market_events,
                     s.trades_seen, s.bars_closed, s.checksum_mismatches);
  for (const auto& [symbol, line] : s.markets) {
    const std::string stale =
        line.stale
            ? fmt::format("  STALE: no trade or book update for {:.0f} s", line.data_age_seconds)
            : "";
    if (!line.bid.empty()) {
      out += fmt::format("  {:<10} bid {}  ask {}{}\n", symbol, line.bid, line.ask, stale);
    } else if (line.stale) {
      out += fmt::format("  {:<10} no valid book{}\n", symbol, stale);
    }
  }
  out += "  last decision: " + (s.last_decision.empty() ? std::string("none yet") : s.last_decision) + "\n";
  if (!s.last_advice.empty()) out += "  last advice: " + s.last_advice + "\n";
  if (!s.last_coordination.empty()) out += "  last coordination: " + s.last_coordination + "\n";
  for (const auto& [symbol, regime] : s.regimes) out += fmt::format("  regime {:<10} {}\n", symbol, regime);
  for (const auto& [symbol, line] : s.technicals)
    out += fmt::format("  technical {:<10} {}\n", symbol, line);
  // The equity above is trading's; the bags are set aside (SPEC §9).
  if (!s.hodl.empty())
    out += fmt::format("  hodl bags {} (not in the equity above)\n", money(s.hodl_value));
  for (const auto& [asset, line] : s.hodl) out += fmt::format("  hodl {:<6} {}\n", asset, line);
  if (!s.rebalance.empty()) out += "  rebalance: " + s.rebalance + "\n";
  if (s.order_problems > 0) {
    out += fmt::format("  order problems {} (tg4 ctl status lists the latest); last: {}\n", s.order_problems,
                       s.recent_problems.empty() ? std::string() : s.recent_problems.back());
  }
  return out;
}

int run_until_stopped(Node& node, const RunOptions& options) {
  const bool terminal = isatty(STDOUT_FILENO) == 1;
  const auto started = std::chrono::steady_clock::now();
  const auto deadline = started + options.duration;
  std::uint64_t last_events = 0;
  int tick = 0;
  bool signalled = false;
  std::optional<std::string> failure;
  while (options.duration.count() == 0 || std::chrono::steady_clock::now() < deadline) {
    if (wait_for_signal(std::chrono::seconds(1))) {
      signalled = true;
      break;
    }
    if ((failure = node.kernel_failure())) break;
    ++tick;
    const kernel::PipelineSummary s = node.summary();
    const std::uint64_t rate = s.market_events - last_events;
    last_events = s.market_events;
    std::string text = render_status(s, options.title);
    text += fmt::format("  messages/s {}", rate);
    if (options.extra_status) text += "  " + options.extra_status();
    text += "\n";
    if (terminal) {
      std::cout << "\x1b[H\x1b[2J" << text << std::flush;  // redraw in place
    } else if (tick % 10 == 0) {
      std::cout << text << std::flush;
    }
  }
  const char* why = failure ? "the trading kernel failed" : signalled ? "signal received" : "duration reached";
  std::cout << "stopping (" << why << ")...\n" << std::flush;
  if (failure) std::cerr << "error: the trading kernel stopped: " << *failure << " (exit 1; a restart reconciles)\n";
  node.stop();
  const kernel::PipelineSummary s = node.summary();
  std::cout << "\n== session " << node.session_id() << " summary\n" << render_status(s, options.title, true);
  if (!options.report_dir.empty()) {
    write_report(node, s, options.report_dir, node.store_url());
    std::cout << "report: " << (options.report_dir / "summary.json").string() << " (with orders.csv, fills.csv)\n";
  }
  return failure ? kExitFailure : kExitOk;
}

}  // namespace tg4::app
