#include "sim/simulator.hpp"

#include <future>
#include <map>
#include <stdexcept>
#include <thread>
#include <tuple>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <spdlog/spdlog.h>

#include "core/clock.hpp"
#include "net/http_server.hpp"
#include "net/tls_self_signed.hpp"
#include "net/ws_server.hpp"
#include "sim/exchange.hpp"
#include "sim/private_exchange.hpp"
#include "sim/private_rest.hpp"
#include "sim/private_session.hpp"
#include "sim/public_session.hpp"
#include "sim/rest_api.hpp"
#include "sim/session.hpp"

namespace tg4::sim {
namespace {

namespace asio = boost::asio;
using SteadyClock = std::chrono::steady_clock;
constexpr int kMaxBatch = 2000;  // events handled before the strand lets I/O in again

using SessionFactory = std::function<std::shared_ptr<Session>(std::shared_ptr<net::WsConnection>, std::uint64_t)>;

using TopOfBook = std::tuple<std::int64_t, core::Decimal, std::int64_t, core::Decimal>;

TopOfBook top_of_book(const SimBook& book) {
  TopOfBook t{0, core::Decimal::zero(), 0, core::Decimal::zero()};
  if (!book.bids().empty()) {
    std::get<0>(t) = book.bids().front().ticks;
    std::get<1>(t) = book.bids().front().qty;
  }
  if (!book.asks().empty()) {
    std::get<2>(t) = book.asks().front().ticks;
    std::get<3>(t) = book.asks().front().qty;
  }
  return t;
}

}  // namespace

class Simulator::Impl {
 public:
  Impl(SimOptions options, prometheus::Registry& registry, std::shared_ptr<spdlog::logger> logger)
      : options_(std::move(options)),
        logger_(logger ? std::move(logger) : spdlog::default_logger()),
        metrics_(registry),
        exchange_(options_, metrics_, logger_),
        strand_(asio::make_strand(io_)),
        engine_timer_(strand_),
        start_timer_(strand_),
        drain_timer_(strand_),
        rest_(exchange_),
        rest_rng_(derive_seed(options_.seed, 0x7E57)) {
    if (const auto status = options_.validate(); !status) throw std::invalid_argument("sim: " + status.error().message);
    start_time_ = options_.deterministic ? options_.start_time : core::LiveClock().now();
    sim_anchor_ = start_time_;
    for (const auto& name : options_.symbols) build_symbol(name);
    exchange_.now = [this] { return sim_now(); };
    exchange_.on_request = [this] { on_request(); };
    exchange_.instrument_snapshot = make_frame(wire::instrument(exchange_.sim_symbols()));
    next_heartbeat_ = start_time_ + options_.heartbeat;
    private_ = std::make_unique<PrivateExchange>(exchange_, registry);
    private_rest_ = std::make_unique<PrivateRest>(*private_);
  }

  ~Impl() { stop(); }

  core::Status start(std::uint16_t port) {
    if (server_) return core::Error::of("sim: already started on port " + std::to_string(server_->port()));
    net::HttpServerOptions opts;
    opts.address = options_.bind_address;
    opts.port = port;
    opts.server_name = "tg4-sim";
    if (options_.tls) {
      auto cert = net::generate_self_signed_certificate();
      if (!cert) return cert.error();
      auto ctx = net::make_server_tls_context(*cert);
      if (!ctx) return ctx.error();
      certificate_pem_ = cert->certificate_pem;
      opts.tls = *ctx;
    }
    server_ = std::make_unique<net::HttpServer>(io_, std::move(opts));
    add_rest_routes();
    server_->add_websocket("/v2", std::make_shared<Endpoint>(*this, [this](auto connection, std::uint64_t ordinal) {
      return std::make_shared<PublicSession>(exchange_, std::move(connection), strand_, ordinal);
    }));
    server_->add_websocket("/v2-auth", std::make_shared<Endpoint>(*this, [this](auto connection, std::uint64_t ordinal) {
      return std::make_shared<PrivateSession>(*private_, std::move(connection), strand_, ordinal);
    }));
    if (auto status = server_->start(); !status) {
      server_.reset();
      return core::Error::of("sim: " + status.error().message);
    }
    work_ = std::make_unique<asio::executor_work_guard<asio::io_context::executor_type>>(io_.get_executor());
    if (!options_.deterministic || options_.run_at_once)
      asio::post(strand_, [this] { begin_running(); });
    thread_ = std::thread([this] { run(); });
    logger_->info("sim: serving {}, {} and {}/0/public|private (seed {}, {} symbols{}{})", ws_url(), ws_auth_url(),
                  rest_url(), options_.seed,
                  options_.symbols.size(), options_.deterministic ? ", deterministic" : "",
                  options_.faults.any() ? ", faults " + options_.faults.to_string() : "");
    return {};
  }

  void stop() {
    if (!thread_.joinable()) return;
    asio::post(strand_, [this] {
      stopping_ = true;
      engine_timer_.cancel();
      start_timer_.cancel();
    });
    server_->stop();
    std::promise<void> drained;
    const auto deadline = SteadyClock::now() + std::chrono::seconds(2);
    asio::post(strand_, [this, deadline, &drained] { wait_drained(deadline, drained); });
    drained.get_future().wait();
    work_.reset();
    io_.stop();
    thread_.join();
    sessions_.clear();
    logger_->info("sim: stopped");
  }

  std::uint16_t bound_port() const { return server_ ? server_->port() : 0; }
  std::string ws_url() const { return std::string(options_.tls ? "wss" : "ws") + "://" + host_port() + "/v2"; }
  std::string ws_auth_url() const {
    return std::string(options_.tls ? "wss" : "ws") + "://" + host_port() + "/v2-auth";
  }
  std::string rest_url() const { return std::string(options_.tls ? "https" : "http") + "://" + host_port(); }
  const std::string& certificate_pem() const { return certificate_pem_; }
  const SimOptions& options() const { return options_; }
  std::size_t session_count() const { return server_ ? server_->session_count() : 0; }

  core::Status arm_faults(std::string_view text) {
    auto spec = FaultSpec::parse(text);
    if (!spec) return spec.error();
    asio::post(strand_, [this, spec = *spec] { private_->arm(spec); });
    return {};
  }

  // Session state lives on the strand: asked there, waited for here.
  bool dead_man_armed() const {
    if (!thread_.joinable()) return false;
    std::promise<bool> armed;
    auto answer = armed.get_future();
    asio::post(strand_, [this, &armed] { armed.set_value(private_->dead_man_armed()); });
    return answer.get();
  }

 private:
  // Hands the WebSocket callbacks of one path to the strand, where sessions live.
  class Endpoint final : public net::WsEndpoint {
   public:
    Endpoint(Impl& impl, SessionFactory factory) : impl_(impl), factory_(std::move(factory)) {}
    void on_open(const std::shared_ptr<net::WsConnection>& c) override {
      asio::post(impl_.strand_, [this, c] { impl_.open_session(c, factory_); });
    }
    void on_message(const std::shared_ptr<net::WsConnection>& c, std::string text) override {
      asio::post(impl_.strand_, [this, id = c->id(), text = std::move(text)] { impl_.session_message(id, text); });
    }
    void on_close(const std::shared_ptr<net::WsConnection>& c, std::string_view) override {
      asio::post(impl_.strand_, [this, id = c->id()] { impl_.close_session(id); });
    }

   private:
    Impl& impl_;
    SessionFactory factory_;
  };

  std::string host_port() const { return options_.bind_address + ":" + std::to_string(bound_port()); }

  void run() {
    for (;;) {
      try {
        io_.run();
        return;
      } catch (const std::exception& e) {
        logger_->error("sim: handler failed: {}", e.what());
      }
    }
  }

  void build_symbol(const std::string& name) {
    auto made = make_sim_symbol(name);
    if (!made) throw std::invalid_argument("sim: " + made.error().message);
    auto state = std::make_unique<SymbolState>();
    state->symbol = std::move(made).value();
    PriceModelParams params;
    params.annual_volatility = state->symbol.annual_volatility;
    models_.push_back(std::make_unique<PriceModel>(params));
    const PriceModel& model = *models_.back();
    HistoryParams history;
    history.start = start_time_;
    history.days = options_.history_days;
    history.trades_per_second = options_.history_trades_per_second;
    state->history = std::make_unique<SymbolHistory>(state->symbol, model, options_.seed, history);
    state->market = std::make_unique<SymbolMarket>(
        state->symbol, model, state->history->end_state(), derive_seed(options_.seed, state->symbol.stream_id(), 0x11FE),
        state->history->next_trade_id(), start_time_, options_.rate);
    exchange_.symbols.push_back(std::move(state));
  }

  void add_rest_routes() {
    for (const char* method : {"AssetPairs", "OHLC", "Trades", "Depth", "Time", "SystemStatus"}) {
      server_->route_async("GET", std::string("/0/public/") + method,
                           [this](net::HttpRequest request, net::HttpRespond respond) {
                             asio::post(strand_, [this, request = std::move(request), respond = std::move(respond)] {
                               respond(answer_rest(request));
                             });
                           });
    }
    for (const auto& method : PrivateRest::methods()) {
      server_->route_async("POST", "/0/private/" + method, [this](net::HttpRequest request, net::HttpRespond respond) {
        asio::post(strand_, [this, request = std::move(request), respond = std::move(respond)] {
          const double rate_limit = options_.faults.rate_limit;
          if (rate_limit > 0 && rest_rng_.chance(rate_limit)) {
            metrics_.fault("rate_limit");
            metrics_.rest("rate_limited");
            respond(RestApi::error("EAPI:Rate limit exceeded"));
            return;
          }
          std::string endpoint;
          respond(private_rest_->handle(request, &endpoint));
          metrics_.rest(endpoint);
        });
      });
    }
    server_->set_fallback([](net::HttpRequest, net::HttpRespond respond) {
      respond(RestApi::error("EGeneral:Unknown method", 404));
    });
  }

  net::HttpResponse answer_rest(const net::HttpRequest& request) {
    std::string endpoint = "unknown";
    const double rate_limit = options_.faults.rate_limit;
    if (rate_limit > 0 && rest_rng_.chance(rate_limit)) {
      metrics_.fault("rate_limit");
      metrics_.rest("rate_limited");
      return RestApi::error("EGeneral:Too many requests");
    }
    auto response = rest_.handle(request, &endpoint);
    metrics_.rest(endpoint);
    return response;
  }

  core::Timestamp sim_now() const {
    if (!options_.deterministic) return core::LiveClock().now();
    if (!running_) return sim_anchor_;
    const auto elapsed = std::chrono::duration_cast<core::Duration>(SteadyClock::now() - wall_anchor_);
    return sim_anchor_ + core::Duration(static_cast<std::int64_t>(static_cast<double>(elapsed.count()) * options_.speed));
  }

  void on_request() {
    if (running_ || !options_.deterministic || stopping_) return;
    // The clock starts once the client's burst of requests has settled, so the first frames after
    // the subscriptions do not depend on how fast the requests arrived.
    start_timer_.expires_after(options_.settle);
    start_timer_.async_wait([this](const boost::system::error_code& ec) {
      if (!ec && !stopping_) begin_running();
    });
  }

  void begin_running() {
    if (running_ || stopping_) return;
    running_ = true;
    wall_anchor_ = SteadyClock::now();
    pump();
  }

  SymbolState* next_symbol() {
    SymbolState* next = nullptr;
    for (auto& s : exchange_.symbols) {
      if (next == nullptr || s->market->next_event_time() < next->market->next_event_time()) next = s.get();
    }
    return next;
  }

  void pump() {
    if (stopping_ || !running_) return;
    const core::Timestamp now = sim_now();
    for (int n = 0; n < kMaxBatch; ++n) {
      SymbolState* next = next_symbol();
      const core::Timestamp event_time = next->market->next_event_time();
      if (next_heartbeat_ <= event_time) {
        if (next_heartbeat_ > now) break;
        heartbeat(next_heartbeat_);
        next_heartbeat_ += options_.heartbeat;
      } else {
        if (event_time > now) break;
        process(*next);
      }
    }
    schedule();
  }

  void schedule() {
    const core::Timestamp due = std::min(next_heartbeat_, next_symbol()->market->next_event_time());
    const double wait_ns = static_cast<double>((due - sim_now()).count()) / (options_.deterministic ? options_.speed : 1.0);
    engine_timer_.expires_after(std::chrono::nanoseconds(std::max<std::int64_t>(0, static_cast<std::int64_t>(wait_ns))));
    engine_timer_.async_wait([this](const boost::system::error_code& ec) {
      if (!ec) pump();
    });
  }

  void heartbeat(core::Timestamp t) {
    for (auto& s : exchange_.symbols) s->history->advance_to(t);
    for (auto& [id, session] : sessions_) session->on_heartbeat();
    private_->on_time(t);
  }

  void process(SymbolState& state) {
    const SimBook& book = state.market->book();
    std::map<std::size_t, DepthBoundary> boundaries;
    for (const auto& [depth, count] : state.book_depths) boundaries.emplace(depth, book.boundary(depth));
    const TopOfBook before = top_of_book(book);
    state.market->step(step_);
    for (const auto& trade : step_.trades) state.history->add_live_trade(trade);
    metrics_.market_event(state.symbol.instrument.symbol, step_.trades.size());
    // The account's orders live without any connection: the engine sees every event.
    private_->on_step(state, step_);
    if (sessions_.empty()) return;
    StepFrames frames(state, step_, std::move(boundaries), top_of_book(book) != before);
    for (auto& [id, session] : sessions_) session->on_step(frames);
  }

  void open_session(const std::shared_ptr<net::WsConnection>& connection, const SessionFactory& factory) {
    if (stopping_) return;
    if (sessions_.size() >= options_.max_sessions) {
      logger_->warn("sim: refusing connection from {}: {} sessions open (max_sessions)", connection->remote(),
                    sessions_.size());
      connection->close("too many sessions");
      return;
    }
    auto session = factory(connection, ++exchange_.sessions_opened);
    sessions_[connection->id()] = session;
    logger_->debug("sim: session {} opened from {}", connection->id(), connection->remote());
    session->on_open();
  }

  void session_message(std::uint64_t id, const std::string& text) {
    const auto it = sessions_.find(id);
    if (it != sessions_.end()) it->second->on_message(text);
  }

  void close_session(std::uint64_t id) {
    const auto it = sessions_.find(id);
    if (it == sessions_.end()) return;
    it->second->on_close();
    sessions_.erase(it);
    logger_->debug("sim: session {} closed", id);
  }

  void wait_drained(SteadyClock::time_point deadline, std::promise<void>& drained) {
    if (server_->session_count() == 0 || SteadyClock::now() >= deadline) {
      drained.set_value();
      return;
    }
    drain_timer_.expires_after(std::chrono::milliseconds(10));
    drain_timer_.async_wait([this, deadline, &drained](const boost::system::error_code&) { wait_drained(deadline, drained); });
  }

  // io_ first: destroyed last, after everything its queued handlers might refer to.
  asio::io_context io_;
  SimOptions options_;
  std::shared_ptr<spdlog::logger> logger_;
  SimMetrics metrics_;
  Exchange exchange_;
  asio::strand<asio::io_context::executor_type> strand_;
  asio::steady_timer engine_timer_;
  asio::steady_timer start_timer_;
  asio::steady_timer drain_timer_;
  RestApi rest_;
  Random rest_rng_;
  std::unique_ptr<PrivateExchange> private_;
  std::unique_ptr<PrivateRest> private_rest_;
  std::vector<std::unique_ptr<PriceModel>> models_;
  std::unique_ptr<net::HttpServer> server_;
  std::unique_ptr<asio::executor_work_guard<asio::io_context::executor_type>> work_;
  std::thread thread_;
  std::map<std::uint64_t, std::shared_ptr<Session>> sessions_;
  MarketStep step_;
  std::string certificate_pem_;
  core::Timestamp start_time_;
  core::Timestamp sim_anchor_;
  SteadyClock::time_point wall_anchor_;
  core::Timestamp next_heartbeat_;
  bool running_ = false;
  bool stopping_ = false;
};

Simulator::Simulator(SimOptions options, prometheus::Registry& registry, std::shared_ptr<spdlog::logger> logger)
    : impl_(std::make_unique<Impl>(std::move(options), registry, std::move(logger))) {}

Simulator::~Simulator() = default;

core::Status Simulator::start(std::uint16_t port) { return impl_->start(port); }
void Simulator::stop() { impl_->stop(); }
std::uint16_t Simulator::bound_port() const { return impl_->bound_port(); }
std::string Simulator::ws_url() const { return impl_->ws_url(); }
std::string Simulator::ws_auth_url() const { return impl_->ws_auth_url(); }
std::string Simulator::rest_url() const { return impl_->rest_url(); }
core::Status Simulator::arm_faults(std::string_view spec) { return impl_->arm_faults(spec); }
bool Simulator::dead_man_armed() const { return impl_->dead_man_armed(); }
const std::string& Simulator::certificate_pem() const { return impl_->certificate_pem(); }
const SimOptions& Simulator::options() const { return impl_->options(); }
std::size_t Simulator::session_count() const { return impl_->session_count(); }

}  // namespace tg4::sim
