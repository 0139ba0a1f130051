#include "app/node_control.hpp"

#include <algorithm>
#include <array>
#include <cstdlib>
#include <memory>
#include <string_view>

namespace tg4::app {
namespace {

namespace json = boost::json;

std::string kernel_timeout_message(std::chrono::milliseconds timeout) {
  return "the trading kernel did not answer within " + std::to_string(timeout.count()) + " ms";
}

// Every agent Pipeline::run_agent knows, run by hand or not (it says why it refuses one); any other
// name is no agent at all.
constexpr std::array<std::string_view, 6> kAgents = {"regime",    "technical", "sentiment",
                                                     "rebalance", "decision",  "coordinator"};

}  // namespace

NodeControl::NodeControl(kernel::Kernel& kernel, kernel::Pipeline& pipeline, std::function<bool()> ready,
                         std::string store_url, kernel::RecordScope scope, std::chrono::milliseconds timeout)
    : kernel_(kernel),
      pipeline_(pipeline),
      ready_(std::move(ready)),
      store_url_(std::move(store_url)),
      scope_(std::move(scope)),
      timeout_(timeout) {}

template <typename T>
T NodeControl::on_kernel(std::function<T(kernel::Pipeline&)> work, T fallback) {
  auto promise = std::make_shared<std::promise<T>>();
  std::future<T> answer = promise->get_future();
  kernel_.post(kernel::Task([promise, work = std::move(work), this] { promise->set_value(work(pipeline_)); }));
  if (answer.wait_for(timeout_) != std::future_status::ready) return fallback;
  return answer.get();
}

core::Result<json::object> NodeControl::act(
    std::function<core::Result<json::object>(kernel::Pipeline&)> work) {
  return on_kernel<core::Result<json::object>>(std::move(work), busy_action());
}

core::Error NodeControl::busy_action() const {
  return core::Error::of(kernel_timeout_message(timeout_) + "; the action may still happen");
}

template <typename T>
core::Result<T> NodeControl::view(std::function<T(kernel::Pipeline&)> work) {
  return on_kernel<core::Result<T>>([work = std::move(work)](kernel::Pipeline& p) { return core::Result<T>(work(p)); },
                                    core::Error::of(kernel_timeout_message(timeout_)));
}

core::Result<json::object> NodeControl::status() {
  return view<json::object>([](kernel::Pipeline& p) { return p.status_json(); });
}

core::Result<json::array> NodeControl::positions() {
  return view<json::array>([](kernel::Pipeline& p) { return p.positions_json(); });
}

core::Result<json::array> NodeControl::orders(bool open_only) {
  return view<json::array>([open_only](kernel::Pipeline& p) { return p.orders_json(open_only); });
}

core::Result<json::object> NodeControl::risk() {
  return view<json::object>([](kernel::Pipeline& p) { return p.risk_json(); });
}

core::Result<json::object> NodeControl::portfolio() {
  return view<json::object>([](kernel::Pipeline& p) { return p.portfolio_json(); });
}

core::Result<storage::Store*> NodeControl::history_store() {
  if (!history_) {
    auto store = storage::open_store(store_url_, without_migrations());
    if (!store) return core::Error::of("history store: " + store.error().message);
    history_ = std::move(*store);
  }
  return history_.get();
}

template <typename Read>
auto NodeControl::read_history(const char* what, Read read)
    -> decltype(read(std::declval<storage::Store&>())) {
  const std::lock_guard lock(history_mutex_);
  auto store = history_store();
  if (!store) return store.error();
  auto rows = read(**store);
  if (!rows) {
    history_.reset();  // reconnect next time
    return core::Error::of(std::string(what) + ": " + rows.error().message);
  }
  return rows;
}

// Decisions and model scores are history: read from the store, not the kernel.
core::Result<json::array> NodeControl::decisions(std::size_t limit) {
  auto rows = read_history("decisions", [&](storage::Store& store) {
    return store.decisions(storage::Scope{scope_.session_id, scope_.mode}, limit);
  });
  if (!rows) return rows.error();
  json::array out;
  for (const auto& row : *rows) {
    json::object d;
    d["time"] = core::format_rfc3339(row.time);
    d["agent"] = row.agent;
    d["provider"] = row.provider;
    d["model"] = row.model;
    d["symbol"] = row.symbol;
    d["action"] = row.action;
    d["confidence"] = row.confidence;
    d["cost_usd"] = row.cost.to_string();
    d["latency_ms"] = row.latency_us / 1000;
    d["error"] = row.error;
    out.push_back(std::move(d));
  }
  return out;
}

// The audit log is history too: every session's, as the store keeps it.
core::Result<json::array> NodeControl::audit(std::size_t limit) {
  auto rows =
      read_history("audit log", [&](storage::Store& store) { return store.audit_log(limit); });
  if (!rows) return rows.error();
  json::array out;
  for (const auto& row : *rows) {
    json::object a;
    a["time"] = core::format_rfc3339(row.time);
    a["actor"] = row.actor;
    a["role"] = row.role;
    a["action"] = row.action;
    a["target"] = row.target;
    a["result"] = row.result;
    a["params"] = row.params_json;
    out.push_back(std::move(a));
  }
  return out;
}

namespace {

// "1h" -> 60, "24h" -> 1440, "7d" -> 10080: windows in time order, not text order ("24h" < "4h").
std::int64_t window_minutes(const std::string& window) {
  if (window.size() < 2) return 0;
  const std::int64_t count = std::atoll(window.c_str());
  switch (window.back()) {
    case 'd':
      return count * 1440;
    case 'h':
      return count * 60;
    default:
      return count;
  }
}

}  // namespace

core::Result<json::array> NodeControl::leaderboard() {
  auto rows =
      read_history("leaderboard", [](storage::Store& store) { return store.model_scores(); });
  if (!rows) return rows.error();
  // Ranked as the SPEC's leaderboard: per window, by accuracy, then by the PnL the calls would have made.
  std::vector<storage::ModelScoreRow> ranked = std::move(*rows);
  std::stable_sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) {
    if (a.window != b.window) return window_minutes(a.window) < window_minutes(b.window);
    return a.score != b.score ? a.score > b.score : a.pnl > b.pnl;
  });
  json::array out;
  for (const auto& row : ranked) {
    json::object s;
    s["agent"] = row.agent;
    s["model"] = row.model;
    s["window"] = row.window;
    s["decisions"] = row.decisions;
    s["wins"] = row.wins;
    s["losses"] = row.losses;
    s["score"] = row.score;
    s["pnl"] = row.pnl.to_string();
    s["cost_usd"] = row.cost.to_string();
    s["avg_latency_ms"] = row.avg_latency_us / 1000;
    out.push_back(std::move(s));
  }
  return out;
}

core::Result<json::object> NodeControl::pause(const std::string& reason) {
  return act([reason](kernel::Pipeline& p) { return p.pause(reason); });
}

core::Result<json::object> NodeControl::resume() {
  return act([](kernel::Pipeline& p) { return p.resume(); });
}

core::Result<json::object> NodeControl::halt(const std::string& reason, bool flatten) {
  return act([reason, flatten](kernel::Pipeline& p) { return p.halt(reason, flatten); });
}

core::Result<json::object> NodeControl::flatten(const std::string& reason) {
  return act([reason](kernel::Pipeline& p) { return p.flatten(reason); });
}

core::Result<json::object> NodeControl::close_position(const std::string& symbol) {
  return act([symbol](kernel::Pipeline& p) { return p.close_position(symbol, "operator close"); });
}

api::ActionResult NodeControl::cancel_order(const std::string& client_order_id) {
  // Looked up in the same kernel task as the cancel, so the answer cannot race the order's arrival.
  return on_kernel<api::ActionResult>(
      [client_order_id](kernel::Pipeline& p) -> api::ActionResult {
        if (p.orders().find(client_order_id) == nullptr) {
          return api::ActionResult::missing("unknown order " + client_order_id +
                                            " (GET /api/v1/orders lists them)");
        }
        return p.cancel_order(client_order_id);
      },
      api::ActionResult(busy_action()));
}

core::Result<json::object> NodeControl::risk_reset() {
  return act([](kernel::Pipeline& p) { return p.risk_reset(); });
}

api::ActionResult NodeControl::run_agent(const std::string& name) {
  return on_kernel<api::ActionResult>(
      [name](kernel::Pipeline& p) -> api::ActionResult {
        auto answer = p.run_agent(name);
        if (!answer && std::find(kAgents.begin(), kAgents.end(), name) == kAgents.end()) {
          return api::ActionResult::missing("unknown " + answer.error().message);
        }
        return answer;
      },
      api::ActionResult(busy_action()));
}

}  // namespace tg4::app
