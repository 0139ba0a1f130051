#pragma once
// Node: one running TG4 session, wired from options. It owns the threads of DESIGN principle 1: the
// kernel thread (all trading state, via kernel::Pipeline), the market feed's network thread, the
// store writer's thread, the Redis bridge, the operator API's I/O thread and the metrics exposer.
// `tg4 demo`, `tg4 paper` and `tg4 live` differ only in the options they build.
//
// Start-up is crash-only (principle 6): open the store (migrations), start the writer and wait for
// it to replay a spool left by an outage or a crash, then read the account and the warm-up bars (so
// they include the spooled rows), record the session, start the kernel and the pipeline, warm up
// the indicators, then connect the feed and attach the API (whose address answered "starting",
// naming the phase, from the first moment: Node::start_http). A store that cannot be opened while a
// spool holds rows fails the start with both named: the store alone is an older state of the
// account.
#include <prometheus/gauge.h>
#include <prometheus/registry.h>
#include <spdlog/logger.h>

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "api/operator_api.hpp"
#include "core/config.hpp"
#include "kernel/kernel.hpp"
#include "kernel/pipeline.hpp"
#include "kraken/rest_client.hpp"
#include "llm/llm_metrics.hpp"
#include "metrics/metrics_server.hpp"
#include "net/http_server.hpp"
#include "storage/state_bus.hpp"
#include "storage/writer.hpp"

namespace tg4::app {

// Where market data comes from (the Kraken feed, live or simulated). Events go to the kernel.
class MarketSource {
 public:
  virtual ~MarketSource() = default;
  virtual core::Status start() = 0;
  virtual void stop() = 0;
  virtual void resubscribe_book(const std::string& symbol) = 0;
  virtual bool connected() const = 0;
};
using MarketSourceFactory =
    std::function<core::Result<std::unique_ptr<MarketSource>>(kernel::Kernel&, prometheus::Registry&)>;

struct NodeOptions {
  std::string command = "paper";  // demo | paper | live: for logs and the session row
  kernel::PipelineOptions pipeline;
  std::string store_url = "sqlite:var/tg4.db";
  storage::WriterOptions writer;
  std::string redis_url;  // empty: in-process state bus
  std::string redis_env = "dev";
  std::string metrics_address = "127.0.0.1:9464";
  bool api_enabled = true;
  std::string api_address = "127.0.0.1:8080";
  std::vector<api::TokenEntry> api_tokens;
  std::string api_tls_cert;  // PEM files; both set: the API is served over HTTPS
  std::string api_tls_key;
  api::ApiConfig api;
  bool event_time_clock = false;  // the clock follows event time (a simulator running faster than life)
  core::Timestamp clock_start;    // where an event-time clock starts
  // At start, each symbol's stored 1m bars warm up the indicators and the strategy (see
  // warm_up_minutes): enough for this many bars of the longest tracked timeframe, but no more than
  // backfill.days of them.
  std::size_t warm_up_bars = 300;
  // Start-up history backfill (SPEC §3 History; history.backfill_on_start): before the warm-up, the
  // gap since each symbol's newest stored 1m bar (none: `days` back) is filled from REST. A failure
  // is logged and the node starts anyway.
  struct Backfill {
    bool enabled = false;
    int days = 30;
    core::HistorySection history;
    kraken::RestOptions rest;
  } backfill;
  // A spool left by a previous run is replayed before the account is read; start fails when the
  // replay makes no progress for this long (the store refuses or went away again).
  std::chrono::seconds spool_replay_stall{30};
  // Paper and live continue the account of the newest earlier session of their mode (positions,
  // open orders, risk state); a demo, or `--fresh`, starts a new one.
  bool continue_account = true;
  // The decision agents (SPEC §6): with llm.enabled the strategy's ask_advice goes to the models,
  // else to their rules.
  core::LlmSection llm;  // the agents' own settings are pipeline.agents
  // Builds the venue (live: Kraken); empty: the paper venue.
  kernel::VenueFactory venue;
  MarketSourceFactory market_source;
  // Metrics registry served on /metrics; null: a new one (a demo shares it with its simulator).
  std::shared_ptr<prometheus::Registry> registry;
  std::shared_ptr<spdlog::logger> log;
};

class Node {
 public:
  // Everything started, or an Error naming what failed (store URL, port in use, ...).
  static core::Result<std::unique_ptr<Node>> start(NodeOptions options);
  ~Node();
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  // Graceful stop: feed first, then the kernel drains its queue and the pipeline writes its final
  // records, then the writer commits everything (or spools it). Idempotent.
  void stop();

  kernel::PipelineSummary summary() const { return pipeline_->summary(); }
  const std::string& session_id() const { return options_.pipeline.scope.session_id; }
  std::string api_url() const;
  std::string metrics_url() const { return metrics_->url(); }
  const std::string& store_url() const { return options_.store_url; }
  const storage::Writer& writer() const { return *writer_; }
  // False once the kernel has failed, while the feed is down, while a symbol's market data is stale
  // (market.stale_after), and while a real venue's private session is not up (it cannot place an
  // order).
  bool ready() const;
  // Why the kernel thread ended by an exception (nothing trades any more), or nullopt. The session
  // runner then stops the node and exits non-zero, so a supervisor restarts it and the restart
  // reconciles with the venue.
  std::optional<std::string> kernel_failure() const;

 private:
  explicit Node(NodeOptions options);
  core::Status start_all();
  core::Status start_store();
  core::Status replay_spool();  // waits until the writer has replayed what a previous run spooled
  core::Error with_spool_note(const core::Error& error) const;  // names an unreplayed spool too
  core::Status start_state_bus();
  core::Status start_kernel();
  // The API's address is bound first and answers OperatorApi::starting_response (naming the phase)
  // until start_api attaches the API, once the kernel runs: a first start's backfill takes many
  // minutes, in which /health, /ready and `tg4 ctl` must not say that nothing is there.
  core::Status start_http();
  core::Status start_api();
  net::HttpResponse answer(const net::HttpRequest& request);
  void set_phase(std::string phase);
  void end_killed_sessions(storage::Store& store);
  void backfill_history(storage::Store& store);
  void warm_up();
  std::size_t warm_up_minutes() const;
  std::unique_ptr<strategy::Advisor>
  advisor();  // per options_.llm; sets regime_agent_, technical_agent_
  void record_session(const std::string& status);
  void fail_kernel(const std::string& what);  // the kernel thread's last act

  NodeOptions options_;
  std::shared_ptr<spdlog::logger> log_;
  std::unique_ptr<metrics::MetricsServer> metrics_;
  std::unique_ptr<core::Clock> clock_;
  core::LiveClock wall_clock_;  // the operator API's confirmation tokens and rate limits
  std::unique_ptr<storage::Writer> writer_;
  std::unique_ptr<storage::StateBus> state_;
  std::unique_ptr<llm::LlmMetrics> llm_metrics_;  // outlives the pipeline's advisor
  agents::RegimeAgent* regime_agent_ = nullptr;  // the LlmAdvisor, owned by the pipeline, when it names regimes
  agents::TechnicalAgent* technical_agent_ = nullptr;  // likewise, when it reads the technicals
  agents::SentimentAgent* sentiment_agent_ = nullptr;  // likewise, with a search-capable provider
  agents::CoordinatorAgent* coordinator_agent_ = nullptr;  // likewise, with agents.coordinator
  core::Decimal llm_spent_today_;                 // by earlier processes, from the store
  std::unique_ptr<kernel::Kernel> kernel_;
  std::unique_ptr<kernel::Pipeline> pipeline_;
  std::thread kernel_thread_;
  std::unique_ptr<MarketSource> source_;
  std::unique_ptr<api::Control> control_;
  std::unique_ptr<api::OperatorApi> api_;
  std::atomic<bool> api_attached_{false};  // api_ answers (set once, after api_ is made)
  std::mutex phase_mutex_;
  std::string phase_;  // what the node is starting with; guarded by phase_mutex_
  prometheus::Gauge* starting_ = nullptr;    // tg4_node_starting
  boost::asio::thread_pool api_workers_{2};  // API requests that wait for the kernel
  boost::asio::io_context io_;
  std::unique_ptr<net::HttpServer> http_;
  std::thread io_thread_;
  core::Timestamp started_;
  std::vector<core::Bar> warm_up_bars_;  // read at start, after the spool is replayed
  kernel::RestoredAccount account_;      // likewise
  std::atomic<bool> stopped_{false};
  mutable std::mutex failure_mutex_;
  std::optional<std::string> kernel_failure_;  // guarded by failure_mutex_
};

// Store options for readers next to the writer: the writer's connection applied the migrations.
inline storage::OpenOptions without_migrations() {
  storage::OpenOptions options;
  options.migrate = false;
  return options;
}

// A session id: the command, the UTC start time and a random suffix ("paper-20261125T101500-3fa2").
std::string new_session_id(const std::string& command, core::Timestamp now);

}  // namespace tg4::app
