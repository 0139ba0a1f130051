#include "app/node_control.hpp"

#include <memory>

namespace tg4::app {
namespace {

namespace json = boost::json;

json::object timeout_error(std::chrono::milliseconds timeout) {
  json::object out;
  out["error"] = "the trading kernel did not answer within " + std::to_string(timeout.count()) + " ms";
  return out;
}

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
  const core::Result<json::object> busy = core::Error::of(
      "the trading kernel did not answer within " + std::to_string(timeout_.count()) + " ms; the action may still happen");
  return on_kernel<core::Result<json::object>>(std::move(work), busy);
}

json::object NodeControl::status() {
  return on_kernel<json::object>([](kernel::Pipeline& p) { return p.status_json(); }, timeout_error(timeout_));
}

json::array NodeControl::positions() {
  return on_kernel<json::array>([](kernel::Pipeline& p) { return p.positions_json(); }, {});
}

json::array NodeControl::orders(bool open_only) {
  return on_kernel<json::array>([open_only](kernel::Pipeline& p) { return p.orders_json(open_only); }, {});
}

json::object NodeControl::risk() {
  return on_kernel<json::object>([](kernel::Pipeline& p) { return p.risk_json(); }, timeout_error(timeout_));
}

json::object NodeControl::portfolio() {
  return on_kernel<json::object>([](kernel::Pipeline& p) { return p.portfolio_json(); }, timeout_error(timeout_));
}

// Decisions and model scores are history: read from the store, not the kernel.
json::array NodeControl::decisions(std::size_t limit) {
  json::array out;
  auto store = storage::open_store(store_url_, without_migrations());
  if (!store) return out;
  auto rows = (*store)->decisions(storage::Scope{scope_.session_id, scope_.mode}, limit);
  if (!rows) return out;
  for (const auto& row : *rows) {
    json::object d;
    d["time"] = core::format_rfc3339(row.time);
    d["agent"] = row.agent;
    d["model"] = row.model;
    d["symbol"] = row.symbol;
    d["action"] = row.action;
    d["confidence"] = row.confidence;
    d["error"] = row.error;
    out.push_back(std::move(d));
  }
  return out;
}

json::array NodeControl::leaderboard() {
  json::array out;
  auto store = storage::open_store(store_url_, without_migrations());
  if (!store) return out;
  auto rows = (*store)->model_scores();
  if (!rows) return out;
  for (const auto& row : *rows) {
    json::object s;
    s["agent"] = row.agent;
    s["model"] = row.model;
    s["window"] = row.window;
    s["decisions"] = row.decisions;
    s["wins"] = row.wins;
    s["score"] = row.score;
    s["pnl"] = row.pnl.to_string();
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

core::Result<json::object> NodeControl::cancel_order(const std::string& client_order_id) {
  return act([client_order_id](kernel::Pipeline& p) { return p.cancel_order(client_order_id); });
}

core::Result<json::object> NodeControl::risk_reset() {
  return act([](kernel::Pipeline& p) { return p.risk_reset(); });
}

core::Result<json::object> NodeControl::run_agent(const std::string& name) {
  return core::Error::of("agent '" + name +
                         "': no LLM agents run in this build; strategies decide (see docs/STRATEGIES.md)");
}

}  // namespace tg4::app
