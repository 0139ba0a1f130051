#pragma once
// NodeControl: the operator API's view of a running node (api::Control). Every call is posted to the
// kernel thread as a Task and waited for with a deadline, so the API thread never touches trading
// state (DESIGN principle 1); a kernel that does not answer in time yields an error, not a hang.
#include <chrono>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <utility>

#include "api/control.hpp"
#include "app/node.hpp"
#include "kernel/kernel.hpp"
#include "kernel/pipeline.hpp"
#include "storage/store.hpp"

namespace tg4::app {

class NodeControl final : public api::Control {
 public:
  // `ready` is Node::ready (kernel running, feed up, no symbol's market data stale); `store_url`
  // serves the decision history (read on the API thread through its own connection).
  NodeControl(kernel::Kernel& kernel, kernel::Pipeline& pipeline, std::function<bool()> ready,
              std::string store_url, kernel::RecordScope scope,
              std::chrono::milliseconds timeout = std::chrono::seconds(5));

  bool ready() const override { return ready_(); }
  core::Result<boost::json::object> status() override;
  core::Result<boost::json::array> positions() override;
  core::Result<boost::json::array> orders(bool open_only) override;
  core::Result<boost::json::array> decisions(std::size_t limit) override;
  core::Result<boost::json::object> risk() override;
  core::Result<boost::json::array> leaderboard() override;
  core::Result<boost::json::object> portfolio() override;
  core::Result<boost::json::array> audit(std::size_t limit) override;

  core::Result<boost::json::object> pause(const std::string& reason) override;
  core::Result<boost::json::object> resume() override;
  core::Result<boost::json::object> halt(const std::string& reason, bool flatten) override;
  core::Result<boost::json::object> flatten(const std::string& reason) override;
  core::Result<boost::json::object> close_position(const std::string& symbol) override;
  api::ActionResult cancel_order(const std::string& client_order_id) override;
  core::Result<boost::json::object> risk_reset() override;
  api::ActionResult run_agent(const std::string& name) override;

 private:
  // Runs `work` on the kernel thread and returns its result, or `fallback` after the timeout.
  template <typename T>
  T on_kernel(std::function<T(kernel::Pipeline&)> work, T fallback);
  // A view read on the kernel thread; an Error when the kernel does not answer in time.
  template <typename T>
  core::Result<T> view(std::function<T(kernel::Pipeline&)> work);
  // The history store, opened on first use and kept; dropped after a failed read so the next call
  // reconnects. Callers hold history_mutex_.
  core::Result<storage::Store*> history_store();
  // One read of history, `read(store)`, under history_mutex_; its Error is prefixed with `what`.
  template <typename Read>
  auto read_history(const char* what, Read read) -> decltype(read(std::declval<storage::Store&>()));
  core::Result<boost::json::object> act(std::function<core::Result<boost::json::object>(kernel::Pipeline&)> work);
  // The answer of an action the kernel did not take in time.
  core::Error busy_action() const;

  kernel::Kernel& kernel_;
  kernel::Pipeline& pipeline_;
  std::function<bool()> ready_;
  std::string store_url_;
  kernel::RecordScope scope_;
  std::chrono::milliseconds timeout_;
  std::mutex history_mutex_;  // API threads share the history connection
  std::unique_ptr<storage::Store> history_;
};

}  // namespace tg4::app
