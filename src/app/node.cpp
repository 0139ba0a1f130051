#include "app/node.hpp"

#include <fmt/format.h>
#include <prometheus/gauge.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <filesystem>
#include <random>

#include "agents/llm_advisor.hpp"
#include "agents/rule_advisor.hpp"
#include "app/history_backfill.hpp"
#include "app/node_control.hpp"
#include "app/session_runner.hpp"
#include "core/address.hpp"
#include "core/logging.hpp"
#include "metrics/build_info.hpp"
#include "storage/local_state_bus.hpp"
#include "storage/redis_bridge.hpp"
#include "storage/store.hpp"
#include "storage/store_url.hpp"

namespace tg4::app {
namespace {

api::HttpRequest to_api_request(const net::HttpRequest& in) {
  api::HttpRequest out;
  out.method = in.method;
  out.target = in.target;
  for (const auto& [name, value] : in.headers) out.headers[name] = value;
  out.body = in.body;
  out.remote = in.remote;
  return out;
}

net::HttpResponse to_net_response(api::HttpResponse in) {
  net::HttpResponse out;
  out.status = in.status;
  out.headers = std::move(in.headers);
  out.body = std::move(in.body);
  return out;
}

}  // namespace

std::string new_session_id(const std::string& command, core::Timestamp now) {
  std::random_device random;
  const auto civil = core::format_rfc3339(now, 0);  // 2026-11-25T10:15:00Z
  std::string compact;
  for (const char c : civil) {
    if (c != '-' && c != ':' && c != 'Z') compact += c;
  }
  return fmt::format("{}-{}-{:04x}", command, compact, random() & 0xffff);
}

core::Result<std::unique_ptr<Node>> Node::start(NodeOptions options) {
  std::unique_ptr<Node> node(new Node(std::move(options)));
  if (auto status = node->start_all(); !status) {
    node->stop();
    return status.error();
  }
  return node;
}

Node::Node(NodeOptions options)
    : options_(std::move(options)), log_(options_.log ? options_.log : spdlog::default_logger()) {}

Node::~Node() { stop(); }

core::Status Node::start_all() {
  auto metrics = metrics::MetricsServer::start(options_.metrics_address, options_.registry);
  if (!metrics) return metrics.error();
  metrics_ = std::move(*metrics);
  starting_ =
      &prometheus::BuildGauge()
           .Name("tg4_node_starting")
           .Help(
               "1 while the node starts (spool replay, history backfill, warm-up): no feed, "
               "the operator API answers 503 naming the phase")
           .Register(metrics_->registry())
           .Add({});
  starting_->Set(1);
  set_phase("opening the store");
  if (options_.api_enabled) {
    if (auto s = start_http(); !s) return s;
  }
  if (auto s = start_store(); !s) return s;
  if (auto s = start_state_bus(); !s) return s;
  set_phase("starting the trading kernel");
  if (auto s = start_kernel(); !s) return s;
  if (options_.api_enabled) {
    if (auto s = start_api(); !s) return s;
  }
  if (options_.market_source) {
    auto source = options_.market_source(*kernel_, metrics_->registry());
    if (!source) return source.error();
    source_ = std::move(*source);
    if (auto s = source_->start(); !s) return s;
  }
  starting_->Set(0);
  log_->info("{} session {} running: store {}, metrics {}{}", options_.command, session_id(), options_.store_url,
             metrics_->url(), options_.api_enabled ? ", API " + api_url() : "");
  return {};
}

void Node::set_phase(std::string phase) {
  const std::lock_guard lock(phase_mutex_);
  phase_ = std::move(phase);
}

net::HttpResponse Node::answer(const net::HttpRequest& request) {
  if (api_attached_.load(std::memory_order_acquire))
    return to_net_response(api_->handle(to_api_request(request)));
  std::string phase;
  {
    const std::lock_guard lock(phase_mutex_);
    phase = phase_;
  }
  return to_net_response(api::OperatorApi::starting_response(to_api_request(request), phase));
}

core::Status Node::start_store() {
  // Opening once here applies the migrations and fails fast with a clear error on a bad URL.
  auto store = storage::open_store(options_.store_url);
  if (!store) return with_spool_note(store.error());
  store->reset();  // one writer at a time: SQLite would report "database is locked"
  auto writer_options = options_.writer;
  if (!writer_options.log) writer_options.log = log_;
  writer_ =
      std::make_unique<storage::Writer>(options_.store_url, writer_options, metrics_->registry());
  // The rows a previous run spooled (an outage, a crash) are part of the account: the store's rows
  // without them are an older state. They go in before anything is read (issue D1 of the storage
  // audit: an account restored first lost the outage's orders, fills and balances for good).
  set_phase("replaying the store spool");
  if (auto s = replay_spool(); !s) return s;
  store = storage::open_store(options_.store_url, without_migrations());  // applied above
  if (!store) return with_spool_note(store.error());
  // The writer is idle until the pipeline starts: these write through the store directly.
  if (options_.continue_account) end_killed_sessions(**store);
  if (options_.backfill.enabled) {
    set_phase("history backfill from " + options_.backfill.rest.base_url +
              " (history.backfill_on_start)");
    backfill_history(**store);
  }
  set_phase("reading the warm-up history and the account");
  for (const auto& symbol : options_.pipeline.symbols) {
    auto stored = (*store)->latest_bars(symbol, 1, warm_up_minutes());
    if (stored) warm_up_bars_.insert(warm_up_bars_.end(), stored->begin(), stored->end());
  }
  if (options_.continue_account) {
    auto account = kernel::load_account(**store, options_.pipeline.scope.mode, session_id());
    if (!account) return core::Error::of("restoring the " + options_.pipeline.scope.mode + " account from " +
                                         (*store)->url() + ": " + account.error().message +
                                         " (start with --fresh to open a new account)");
    account_ = std::move(*account);
  } else if (auto scores = (*store)->model_scores()) {
    account_.model_scores = std::move(*scores);  // a fresh account still continues the leaderboard
  }
  if (options_.llm.enabled) {
    // The daily LLM budget is dated by the wall clock, also under a simulated one (`tg4 demo`
    // spends real money): the real day's spend so far is continued.
    const core::Timestamp now = core::LiveClock().now();
    auto spent = kernel::llm_spend_since(**store, core::utc_day_start(now));
    if (!spent) return core::Error::of("the day's LLM spend in " + (*store)->url() + ": " + spent.error().message);
    llm_spent_today_ = *spent;
  }
  return {};
}

core::Error Node::with_spool_note(const core::Error& error) const {
  // Only looked at when the store cannot be opened: Spool::open would create an empty spool.
  const std::filesystem::path& path = options_.writer.spool_path;
  std::error_code ec;
  if (!std::filesystem::exists(path, ec) || std::filesystem::file_size(path, ec) == 0 || ec)
    return error;
  auto spool = storage::Spool::open(path, log_);
  if (!spool || (*spool)->empty()) return error;
  return core::Error::of(
      fmt::format("{}; and the spool {} holds {} batches ({} bytes) a previous run could not "
                  "write to the store: without them the store's account is out of date, so "
                  "nothing starts. Bring the store back (the next start replays the spool into "
                  "it first) or keep the spool file until it is",
                  error.message, path.string(), (*spool)->records(), (*spool)->bytes()));
}

core::Status Node::replay_spool() {
  storage::WriterStats stats = writer_->stats();
  if (stats.spool_records == 0 && stats.held_batches == 0) return {};
  log_->info(
      "store writer: replaying {} spooled batches ({} bytes) into {} before the account "
      "is restored",
      stats.spool_records, stats.spool_bytes, storage::redact_url(options_.store_url));
  std::size_t left = stats.spool_records;
  auto progressed = std::chrono::steady_clock::now();
  while (!writer_->flush(std::chrono::milliseconds(200))) {
    stats = writer_->stats();
    const auto now = std::chrono::steady_clock::now();
    if (stats.spool_records < left) {
      left = stats.spool_records;
      progressed = now;
    } else if (now - progressed > options_.spool_replay_stall) {
      return core::Error::of(fmt::format(
          "the spool {} still holds {} batches ({} bytes) that could not be replayed into {} "
          "(no progress for {} s; the store writer's error above says why): without them the "
          "store's account is out of date, so nothing starts. Fix the store and start again; "
          "the spool is kept",
          options_.writer.spool_path.string(), stats.spool_records, stats.spool_bytes,
          storage::redact_url(options_.store_url), options_.spool_replay_stall.count()));
    }
  }
  log_->info("store writer: the spool is replayed; restoring the account from the store");
  return {};
}

core::Status Node::start_state_bus() {
  // Whether Redis is configured at all: tg4_redis_up alone cannot tell "down" from "none", and the
  // TG4RedisDown alert must not fire on a node that has no Redis to reach.
  prometheus::BuildGauge()
      .Name("tg4_redis_configured")
      .Help(
          "1 when a Redis URL is configured (--redis / redis.url), 0 with the in-process state bus")
      .Register(metrics_->registry())
      .Add({})
      .Set(options_.redis_url.empty() ? 0 : 1);
  if (options_.redis_url.empty()) {
    state_ = std::make_unique<storage::LocalStateBus>();
    // Exported without Redis too (SPEC §11 "Redis connected"): 0, there is none to be connected to.
    prometheus::BuildGauge()
        .Name("tg4_redis_up")
        .Help(
            "1 while the Redis connection is up; always 0 without Redis (no --redis / redis.url: "
            "in-process state bus)")
        .Register(metrics_->registry())
        .Add({})
        .Set(0);
    return {};
  }
  storage::RedisBridgeOptions redis;
  redis.url = options_.redis_url;
  redis.env = options_.redis_env;
  redis.log = log_;
  auto bridge = storage::RedisBridge::create(redis, metrics_->registry());
  if (!bridge) return bridge.error();
  state_ = std::move(*bridge);
  return {};
}

core::Status Node::start_kernel() {
  if (options_.event_time_clock) {
    clock_ = std::make_unique<core::SimulatedClock>(options_.clock_start);
  } else {
    clock_ = std::make_unique<core::LiveClock>();
  }
  kernel_ = std::make_unique<kernel::Kernel>(*clock_, metrics_->registry());
  kernel::PipelineOutputs outputs;
  outputs.record = [this](storage::Row row) {
    if (auto s = writer_->push(std::move(row)); !s) log_->error("store writer: {}", s.error().message);
  };
  outputs.store_alert = [this] { return writer_->alert(); };
  outputs.state = state_.get();
  outputs.registry = &metrics_->registry();
  outputs.venue = options_.venue;
  outputs.advisor = advisor();
  outputs.regime_agent = regime_agent_;  // null: the pipeline's rules
  outputs.technical_agent = technical_agent_;
  outputs.sentiment_agent = sentiment_agent_;
  outputs.coordinator_agent = coordinator_agent_;
  outputs.resubscribe_book = [this](const std::string& symbol) {
    if (source_) source_->resubscribe_book(symbol);
  };
  auto pipeline = kernel::Pipeline::create(*kernel_, options_.pipeline, std::move(outputs));
  if (!pipeline) return pipeline.error();
  pipeline_ = std::move(*pipeline);
  started_ = clock_->now();
  record_session("running");
  warm_up();
  kernel_->post(kernel::Task([this] {
    pipeline_->restore(std::move(account_));
    pipeline_->start();
  }));
  kernel_thread_ = std::thread([this] {
    try {
      kernel_->run();
    } catch (const std::exception& e) {
      fail_kernel(e.what());
    } catch (...) {
      fail_kernel("an exception of unknown type");
    }
  });
  return {};
}

std::unique_ptr<strategy::Advisor> Node::advisor() {
  if (!options_.llm.enabled)
    return std::make_unique<agents::RuleAdvisor>("rules (llm.enabled is false)");
  // Said at start, not found out from the bill or a silent leaderboard.
  const bool asks_advice = options_.pipeline.strategy == "llm_consensus";
  const bool names_regimes = options_.pipeline.agents.regime_detection;
  const bool reads_technicals = options_.pipeline.agents.technical_analysis;
  if (!asks_advice && !names_regimes && !reads_technicals) {
    log_->warn(
        "llm.enabled is true, but strategy '{}' asks no advice and agents.regime_detection and "
        "agents.technical_analysis are false: no model will be asked (strategy.name: llm_consensus "
        "trades the models' consensus)",
        options_.pipeline.strategy);
  } else if (!asks_advice) {
    log_->info(
        "strategy '{}' asks no advice: the models name the regimes and read the technicals only",
        options_.pipeline.strategy);
  }
  for (const core::LlmProvider& provider : options_.llm.providers) {
    if (provider.api_key.empty() && !provider.local) {
      log_->warn("LLM provider '{}' has no api_key and is not local: a hosted API will refuse every call",
                 provider.name);
    }
  }
  llm_metrics_ = std::make_unique<llm::LlmMetrics>(metrics_->registry());
  log_->info("decision agents: {} LLM providers, daily budget {} USD",
             options_.llm.providers.size(), options_.llm.daily_budget_usd.to_string(2));
  auto advisor =
      std::make_unique<agents::LlmAdvisor>(options_.llm, options_.pipeline.agents, llm_metrics_.get());
  advisor->already_spent(llm_spent_today_);
  // One worker, one budget and one degradation for both agents (SPEC §6 budget is per day, not per agent).
  if (names_regimes) regime_agent_ = advisor.get();
  if (reads_technicals) technical_agent_ = advisor.get();
  if (options_.pipeline.agents.coordinator) coordinator_agent_ = advisor.get();
  if (agents::LlmAdvisor::reads_news(options_.llm, options_.pipeline.agents)) {
    sentiment_agent_ = advisor.get();
  } else {
    log_->info(
        "no sentiment agent: no LLM provider has search: true (or agents.sentiment_max_providers "
        "is 0)");
  }
  return advisor;
}

// A session of this mode still `running` in the store was killed (kill -9, a crash, power): this
// node continues its account, so it ended at the last time it recorded its state.
void Node::end_killed_sessions(storage::Store& store) {
  auto sessions = store.sessions(1000);
  if (!sessions) {
    log_->warn("sessions in {}: {}; earlier killed sessions stay marked running", store.url(),
               sessions.error().message);
    return;
  }
  storage::Batch ended;
  for (storage::SessionRow row : *sessions) {
    if (row.status != "running" || row.mode != options_.pipeline.scope.mode ||
        row.session_id == session_id())
      continue;
    core::Timestamp last = row.started;
    if (auto state = store.risk_state(row.session_id); state && state->has_value())
      last = std::max(last, (*state)->updated);
    row.status = "killed";
    row.ended = last;
    log_->warn("session {} never stopped (killed or crashed): marked killed, last known at {}",
               row.session_id, core::format_rfc3339(last, 0));
    ended.add(std::move(row));
  }
  if (ended.empty()) return;
  if (auto s = store.write(ended); !s)
    log_->warn("marking killed sessions in {}: {}", store.url(), s.error().message);
}

void Node::backfill_history(storage::Store& store) {
  const auto& b = options_.backfill;
  log_->info(
      "history backfill from {}: the gap since the newest stored 1m bar of each symbol "
      "({} days on a first start), before trading starts",
      b.rest.base_url, b.days);
  kraken::RestClient rest(b.rest, core::logger("rest"));
  if (auto s = backfill_since_newest_bar(store, rest, b.history, options_.pipeline.symbols, b.days,
                                         log_, stop_signal_pending);
      !s) {
    log_->error(
        "history backfill from {} failed: {}. Trading starts anyway; the indicators "
        "warm up from the bars stored so far (fill the gap later with `tg4 backfill`, "
        "or set history.backfill_on_start: false)",
        b.rest.base_url, s.error().message);
  }
}

// The longest timeframe decides: 300 1d bars would be most of a year, so the days a start-up
// backfill fetches (30) bound it; the 1h bars, say, then have 300 of their own.
std::size_t Node::warm_up_minutes() const {
  const std::vector<int>& tracked = options_.pipeline.timeframes;
  const int longest = tracked.empty() ? 1 : std::ranges::max(tracked);
  const auto wanted = options_.warm_up_bars * static_cast<std::size_t>(longest);
  const auto days = static_cast<std::size_t>(std::max(options_.backfill.days, 1));
  return std::min(wanted, days * 24 * 60);
}

void Node::warm_up() {
  std::vector<core::Bar> bars = std::move(warm_up_bars_);
  // Stored bars from another timeline (an earlier demo) would only confuse the indicators.
  std::erase_if(bars, [this](const core::Bar& bar) { return bar.open_time > clock_->now(); });
  if (bars.empty()) return;
  log_->info(
      "warming up the indicators and the strategy with {} stored 1m bars from {} (every tracked "
      "timeframe rolled up from them)",
      bars.size(),
      core::format_rfc3339(std::ranges::min(bars, {}, &core::Bar::open_time).open_time, 0));
  kernel_->post(kernel::Task(
      [this, bars = std::move(bars)]() mutable { pipeline_->warm_up(std::move(bars)); }));
}

core::Status Node::start_api() {
  control_ = std::make_unique<NodeControl>(
      *kernel_, *pipeline_, [this] { return ready(); }, options_.store_url, options_.pipeline.scope);
  api_ = std::make_unique<api::OperatorApi>(
      *control_, api::Auth(options_.api_tokens), options_.api, *clock_, wall_clock_,
      [this](const api::AuditRecord& record) {
        storage::AuditLogRow row;
        row.time = record.time;
        row.actor = record.principal;
        row.role = record.role;
        row.action = record.method + " " + record.path;
        row.params_json = record.body;
        row.result = std::to_string(record.status) + " " + record.outcome;
        (void)writer_->push(std::move(row));
      });
  api_attached_.store(true, std::memory_order_release);
  return {};
}

core::Status Node::start_http() {
  const auto address = core::parse_host_port(options_.api_address);
  if (!address) return core::Error::of("operator API address " + address.error().message);
  net::HttpServerOptions server;
  server.address = address->host;
  server.port = address->port;
  server.max_body_bytes = options_.api.max_body_bytes;
  server.error_response = [](int status, const std::string& message) {
    return to_net_response(api::OperatorApi::error_response(status, message));
  };
  if (!options_.api_tls_cert.empty()) {
    auto tls = std::make_shared<boost::asio::ssl::context>(boost::asio::ssl::context::tls_server);
    boost::system::error_code ec;
    tls->use_certificate_chain_file(options_.api_tls_cert, ec);
    if (!ec) tls->use_private_key_file(options_.api_tls_key, boost::asio::ssl::context::pem, ec);
    if (ec) {
      return core::Error::of("operator API: TLS certificate " + options_.api_tls_cert + " / key " +
                             options_.api_tls_key + ": " + ec.message());
    }
    server.tls = std::move(tls);
  }
  http_ = std::make_unique<net::HttpServer>(io_, server);
  http_->set_fallback([this](net::HttpRequest request, net::HttpRespond respond) {
    // The API may wait for the kernel: answer off the I/O thread, on workers stop() joins.
    boost::asio::post(api_workers_, [this, request = std::move(request),
                                     respond = std::move(respond)] { respond(answer(request)); });
  });
  if (auto s = http_->start(); !s) return core::Error::of("operator API: " + s.error().message);
  io_thread_ = std::thread([this] {
    auto guard = boost::asio::make_work_guard(io_);
    io_.run();
  });
  return {};
}

std::string Node::api_url() const {
  if (!http_) return {};
  // Started, so the address parsed.
  const std::string host = core::parse_host_port(options_.api_address)->host;
  return fmt::format("{}://{}:{}", http_->is_tls() ? "https" : "http",
                     host.find(':') == std::string::npos ? host : "[" + host + "]", http_->port());
}

// Receiving market data (the feed is up, no symbol's data stale: market.stale_after) and, with a
// real venue, its private session up: a node that cannot place an order (a key Kraken refuses, say)
// is not ready, whatever its market data does.
bool Node::ready() const {
  if (kernel_failure() || (source_ != nullptr && !source_->connected())) return false;
  if (pipeline_ == nullptr) return true;
  if (pipeline_->summary().any_stale()) return false;
  if (options_.venue) return pipeline_->summary().venue_connected.value_or(false);
  return true;
}

std::optional<std::string> Node::kernel_failure() const {
  const std::lock_guard lock(failure_mutex_);
  return kernel_failure_;
}

void Node::fail_kernel(const std::string& what) {
  log_->critical("kernel stopped by an exception: {}; nothing trades until the node is restarted", what);
  const std::lock_guard lock(failure_mutex_);
  kernel_failure_ = what;
}

void Node::record_session(const std::string& status) {
  storage::SessionRow row;
  row.session_id = options_.pipeline.scope.session_id;
  row.mode = options_.pipeline.scope.mode;
  row.started = started_;
  if (status != "running") row.ended = clock_->now();
  row.status = status;
  row.version = metrics::build_info().version + " " + metrics::build_info().git_sha;
  row.note = options_.command + " with strategy " + options_.pipeline.strategy;
  (void)writer_->push(std::move(row));
}

void Node::stop() {
  if (stopped_.exchange(true)) return;
  if (pipeline_) pipeline_->stop_advice();  // LLM calls wind down while the rest stops
  if (source_) source_->stop();
  if (http_) http_->stop();
  api_workers_.join();  // requests in flight finish while the kernel still answers them
  if (kernel_ && kernel_thread_.joinable()) {
    kernel_->post(kernel::Task([this] { pipeline_->finish(); }));
    kernel_->stop();
    kernel_thread_.join();
  }
  io_.stop();
  if (io_thread_.joinable()) io_thread_.join();
  if (writer_) {
    if (pipeline_) record_session(kernel_failure() ? "failed" : "stopped");
    // A start that failed before the pipeline pushed nothing: no reason to wait on a failing store.
    if (pipeline_ && !writer_->flush(std::chrono::seconds(10)))
      log_->warn("store writer: not everything committed in 10 s; the spool keeps the rest");
    writer_->stop();
  }
  if (state_) state_->flush(std::chrono::seconds(2));
}

}  // namespace tg4::app
