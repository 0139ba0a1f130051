#include "kraken/kraken_venue.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json/serialize.hpp>
#include <cctype>
#include <future>
#include <limits>
#include <mutex>
#include <optional>
#include <random>
#include <set>

#include "core/clock.hpp"
#include "core/time.hpp"
#include "kraken/quiet_ping.hpp"
#include "kraken/rest_client.hpp"
#include "kraken/trading_codec.hpp"
#include "kraken/trading_orders.hpp"
#include "kraken/venue_metrics.hpp"
#include "net/ws_client.hpp"

namespace tg4::kraken {
namespace {

namespace asio = boost::asio;
using SteadyClock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr milliseconds kVenueStopGrace{3000};
// How long a stop waits for Kraken to acknowledge the disarmed dead man's switch: the rest of the
// grace is for closing the session.
constexpr milliseconds kDisarmWait = kVenueStopGrace * 2 / 3;
constexpr milliseconds kHousekeeping{250};
// Answers that come after their deadline are still read (late truth) for this long.
constexpr milliseconds kLateAnswerWindow{60'000};
constexpr std::uint64_t kHeld = std::numeric_limits<std::uint64_t>::max();

std::uint64_t seed(std::uint64_t s) {
  return s != 0 ? s : std::random_device{}();
}

// cancel_all_orders_after with a timeout of 0: sent on a clean stop only.
bool is_disarm(const TradingRequest& r) {
  return r.method == "cancel_all_orders_after" && r.params.at("timeout").as_int64() == 0;
}

// Requests a session makes for itself (its subscriptions, the dead man's switch), as opposed to
// the kernel's orders, cancels and amends.
bool is_session_request(const TradingRequest& r) {
  return r.method == "subscribe" || r.method == "unsubscribe" ||
         r.method == "cancel_all_orders_after";
}

// Kraken's error code in a REST failure ("Kraken REST GetWebSocketsToken: EAPI:Invalid key" ->
// "EAPI:Invalid key"), for the errors metric; `fallback` when the failure carries none (no answer).
std::string kraken_code_in(std::string_view message, const char* fallback) {
  for (std::size_t i = message.find(": E"); i != std::string_view::npos;
       i = message.find(": E", i + 1)) {
    const std::string_view rest = message.substr(i + 2);
    const std::size_t colon = rest.find(':');
    if (colon == std::string_view::npos || colon < 2 || rest[1] < 'A' || rest[1] > 'Z') continue;
    const bool letters =
        std::all_of(rest.begin() + 1, rest.begin() + static_cast<std::ptrdiff_t>(colon),
                    [](char c) { return std::isalpha(static_cast<unsigned char>(c)) != 0; });
    if (letters) return error_code(rest.substr(0, rest.find(';')));
  }
  return fallback;
}

// What to do when Kraken refuses the credentials themselves: the first errors someone setting up
// real keys meets. Empty for any other failure.
std::string credentials_hint(std::string_view message) {
  const auto has = [&](std::string_view code) {
    return message.find(code) != std::string_view::npos;
  };
  if (has("EAPI:Invalid key")) return "Kraken does not know this API key: check rest.api_key";
  if (has("EAPI:Invalid signature")) {
    return "the signature does not match the key: check that rest.api_secret is the private key "
           "of rest.api_key, base64 as Kraken gives it";
  }
  if (has("EAPI:Invalid nonce")) {
    return "another client used this API key with a larger nonce: give TG4 a key of its own";
  }
  if (has("EGeneral:Permission denied")) {
    return "the API key lacks a permission TG4 needs: allow Access WebSockets API, Query Funds, "
           "Query and Create & Modify and Cancel & Close orders";
  }
  return {};
}

}  // namespace

// ---- options
// -------------------------------------------------------------------------------------

core::Status KrakenVenueOptions::validate() const {
  if (auto url = net::parse_client_url(ws_url, "ws", "wss"); !url) {
    return core::Error::of("kraken venue: ws url: " + url.error().message);
  }
  if (auto url = net::parse_client_url(rest_url, "http", "https"); !url) {
    return core::Error::of("kraken venue: rest url: " + url.error().message);
  }
  if (api_key.empty() || api_secret.empty()) {
    return core::Error::of(
        "kraken venue: rest.api_key and rest.api_secret are required for live trading");
  }
  if (!base64_decode(api_secret)) {
    return core::Error::of("kraken venue: rest.api_secret is not base64 as Kraken issues it");
  }
  const auto at_least = [](milliseconds v, milliseconds min, const char* name) -> core::Status {
    if (v < min) {
      return core::Error::of(std::string("kraken venue: ") + name + " " + core::duration_text(v) +
                             " is below " + core::duration_text(min));
    }
    return {};
  };
  for (const auto& check :
       {at_least(unknown_outcome_timeout, milliseconds(50), "unknown_outcome_timeout"),
        at_least(message_deadline, milliseconds(100), "message_deadline"),
        at_least(connect_timeout, milliseconds(100), "connect_timeout"),
        at_least(snapshot_timeout, milliseconds(100), "snapshot_timeout"),
        at_least(max_queue_age, milliseconds(0), "max_queue_age")}) {
    if (!check) return check;
  }
  if (dead_man_switch.count() != 0 &&
      (dead_man_switch < std::chrono::seconds(1) || dead_man_switch >= std::chrono::hours(24))) {
    return core::Error::of("kraken venue: dead_man_switch " + core::duration_text(dead_man_switch) +
                           " must be 0 (off) or between 1 s and 24 h");
  }
  if (max_retries < 0) return core::Error::of("kraken venue: max_retries must not be negative");
  for (const auto& s : symbols) {
    if (!core::split_symbol(s)) {
      return core::Error::of("kraken venue: symbol '" + s + "' is not BASE/QUOTE (e.g. BTC/USD)");
    }
  }
  return {};
}

KrakenVenueOptions KrakenVenueOptions::from_config(const core::Config& config) {
  KrakenVenueOptions o;
  o.ws_url = config.feed.auth_url;
  o.rest_url = config.rest.url;
  o.api_key = config.rest.api_key;
  o.api_secret = config.rest.api_secret;
  o.rest_timeout = config.rest.timeout;
  o.unknown_outcome_timeout = config.execution.unknown_outcome_timeout;
  o.dead_man_switch = config.execution.dead_man_switch;
  o.reconnect_backoff.base = config.feed.backoff_min;
  o.reconnect_backoff.cap = config.feed.backoff_max;
  return o;
}

// ---- the session
// ---------------------------------------------------------------------------------

class KrakenVenue::Impl final : private TradingSink {
 public:
  // A request on its way: built on the kernel thread, sent (and maybe sent again) here.
  struct Work {
    TradingRequest request;
    std::optional<SentOrder> order;  // add_order: what the tracker records
    bool fill_qty = false;           // amend without a new quantity: Kraken wants the current one
    int qty_precision = 8;
    int attempts = 0;  // sends so far
    SteadyClock::time_point queued_at{};
  };

  Impl(const KrakenVenueOptions& options, execution::ExecutionSink sink, StateSink state,
       prometheus::Registry* registry, std::shared_ptr<spdlog::logger> log)
      : options_(options),
        sink_(std::move(sink)),
        state_(std::move(state)),
        log_(std::move(log)),
        rest_(rest_options(options), log_),
        reconnect_backoff_(options.reconnect_backoff, seed(options.jitter_seed)),
        retry_backoff_(options.retry_backoff, seed(options.jitter_seed) + 1),
        reconnect_timer_(io_.io()),
        ping_(io_.io(), options.ping_after.count() > 0 ? options.ping_after
                                                       : options.message_deadline / 2),
        dead_man_timer_(io_.io()),
        resync_timer_(io_.io()),
        housekeeping_timer_(io_.io()) {
    if (registry != nullptr) metrics_.emplace(*registry);
  }

  ~Impl() override { stop(); }

  void start() {
    asio::post(io_.io(), [this] {
      housekeeping();
      connect();
    });
  }

  void stop() {
    if (stopped_.exchange(true)) return;
    std::promise<void> closed;
    auto done = closed.get_future();
    asio::post(io_.io(), [this, &closed] { close_for_stop(closed); });
    done.wait_for(kVenueStopGrace);
    rest_.cancel();
    rest_io_.stop();
    io_.stop();
    stop_promise_ = nullptr;
  }

  bool stopped() const { return stopped_.load(); }

  // On the io thread: nothing new starts, waiters learn why, and `closed` is set once the session
  // is gone. The dead man's switch is disarmed first: left armed, Kraken would cancel every resting
  // order, the stops of open positions among them, while TG4 is down on purpose (a crash still
  // leaves it armed, which is what it is for).
  void close_for_stop(std::promise<void>& closed) {
    stopping_ = true;
    ping_.stop();
    for (auto* t : {&reconnect_timer_, &dead_man_timer_, &resync_timer_, &housekeeping_timer_}) {
      t->cancel();
    }
    for (const auto& t : retry_timers_) t->cancel();
    fail_waiters("the Kraken venue is stopping");
    if (!client_) {
      if (dead_man_armed_) warn_switch_armed("the private session is down");
      return closed.set_value();
    }
    stop_promise_ = &closed;
    if (!disarm_dead_man()) client_->close("venue stopping");
  }

  // cancel_all_orders_after 0 when the switch may be armed; the session closes on Kraken's answer
  // or after kDisarmWait (finish_disarm). False when there is nothing to wait for.
  bool disarm_dead_man() {
    if (!dead_man_armed_) return false;
    if (!opened_ || closing_) {
      warn_switch_armed(opened_ ? "the private session is closing"
                                : "the private session is not open");
      return false;
    }
    disarming_ = true;
    send_cancel_after(0);
    dead_man_timer_.expires_after(kDisarmWait);
    dead_man_timer_.async_wait([this](boost::system::error_code ec) {
      if (!ec) finish_disarm("no answer within " + core::duration_text(kDisarmWait));
    });
    return true;
  }

  // `failure` is empty when Kraken acknowledged the disarm.
  void finish_disarm(const std::string& failure) {
    if (!std::exchange(disarming_, false)) return;
    dead_man_timer_.cancel();
    if (failure.empty()) {
      dead_man_armed_ = false;
      log_->info("kraken venue: dead man's switch disarmed on stop: resting orders stay on Kraken");
    } else {
      warn_switch_armed(failure);
    }
    if (client_) client_->close("venue stopping");
  }

  void warn_switch_armed(const std::string& why) {
    log_->warn(
        "kraken venue: dead man's switch not disarmed on stop ({}): Kraken may still cancel "
        "every resting order, protective stops included, at about {} unless TG4 is back "
        "before then",
        why, core::format_rfc3339(dead_man_fires_at_, 0));
  }

  void post(Work work) {
    asio::post(io_.io(), [this, work = std::move(work)]() mutable { enqueue(std::move(work)); });
  }

  void request_snapshot(execution::SnapshotSink done) {
    asio::post(io_.io(), [this, done = std::move(done)]() mutable { add_waiter(std::move(done)); });
  }

  // Before the kernel's first snapshot request, which is posted after this. A snapshot taken
  // before they were known judged them as someone else's: the next one judges them as ours.
  void restore_orders(std::vector<execution::RestoredOrder> orders) {
    asio::post(io_.io(), [this, orders = std::move(orders)] {
      for (const auto& order : orders) tracker_.restore(order);
      log_->info("kraken venue: {} orders of the previous run restored as TG4's own",
                 orders.size());
      if (had_baseline_) start_resync("restored");
    });
  }

  KrakenVenueStats stats() const {
    std::lock_guard lock(stats_mutex_);
    return stats_;
  }

 private:
  struct Pending {
    Work work;
    SteadyClock::time_point sent_at{};
    std::shared_ptr<asio::steady_timer> deadline;
    bool timed_out = false;
  };
  struct Waiter {
    execution::SnapshotSink done;
    std::uint64_t after_seq = 0;  // satisfied by a snapshot subscribed at or after this sequence
    std::shared_ptr<asio::steady_timer> timer;
  };

  static RestOptions rest_options(const KrakenVenueOptions& o) {
    RestOptions r;
    r.base_url = o.rest_url;
    r.tls = o.tls;
    r.timeout = o.rest_timeout;
    r.api_key = o.api_key;
    r.api_secret = o.api_secret;
    r.max_attempts = 3;  // the reconnect loop retries beyond that
    r.backoff = net::BackoffOptions{milliseconds(500), milliseconds(5000), 2.0};
    r.jitter_seed = o.jitter_seed;
    return r;
  }

  template <class F>
  void update_stats(F f) {
    std::lock_guard lock(stats_mutex_);
    f(stats_);
  }

  void emit(std::vector<core::ExecutionEvent>& events) {
    if (sink_) {
      for (auto& e : events) sink_(std::move(e));
    }
    events.clear();
  }

  void emit_state(bool connected, std::string reason) {
    if (state_) state_(core::FeedState{"private", connected, std::move(reason), clock_.now()});
  }

  void count_error(const std::string& code) {
    update_stats([](KrakenVenueStats& s) { ++s.errors; });
    if (metrics_) metrics_->error(code);
  }

  // ---- connection life ----

  // Callbacks of an earlier connection that arrive late are ignored by generation.
  template <class Handler>
  auto current(std::uint64_t generation, Handler handler) {
    return [this, generation, handler](auto&&... args) {
      if (generation == generation_) handler(std::forward<decltype(args)>(args)...);
    };
  }

  void connect() {
    if (stopping_) return;
    const auto generation = ++generation_;
    update_stats([](KrakenVenueStats& s) { ++s.token_fetches; });
    // REST is blocking: its own thread, the answer comes back here.
    asio::post(rest_io_.io(), [this, generation] {
      auto token = rest_.websockets_token();
      asio::post(io_.io(), [this, generation, token = std::move(token)]() mutable {
        on_token(generation, std::move(token));
      });
    });
  }

  void on_token(std::uint64_t generation, core::Result<WebSocketsToken> token) {
    if (stopping_ || generation != generation_) return;
    if (!token) {
      // Said to the kernel too: until a session is up no order can be placed, and the status,
      // /ready and the summary must say why rather than show a node that looks ready.
      const std::string& message = token.error().message;
      const std::string hint = credentials_hint(message);
      const std::string reason =
          "no WebSocket token: " + message + (hint.empty() ? "" : " (" + hint + ")");
      log_->error("kraken venue: {}", reason);
      count_error(kraken_code_in(message, "token"));
      emit_state(false, reason);
      return schedule_reconnect();
    }
    token_ = std::move(token->token);
    net::WsClientOptions o;
    o.url = options_.ws_url;
    o.tls = options_.tls;
    o.connect_timeout = options_.connect_timeout;
    o.idle_timeout = options_.message_deadline;
    net::WsHandlers h{
        current(generation, [this] { on_open(); }),
        current(generation, [this](std::string_view text) { on_frame(text); }),
        current(generation, [this](const net::WsCloseInfo& info) { on_close(info); })};
    auto client = net::WsClient::create(io_.io(), std::move(o), std::move(h));
    if (!client) {
      log_->error("kraken venue: {}", client.error().message);
      return schedule_reconnect();
    }
    client_ = *client;
    client_->connect();
  }

  void on_open() {
    opened_ = true;
    connected_at_ = SteadyClock::now();
    last_frame_ = connected_at_;
    update_stats([](KrakenVenueStats& s) { ++s.connects; });
    log_->info("kraken venue: connected to {}; subscribing to executions and balances",
               options_.ws_url);
    send_now(Work{subscribe_request("executions"), {}, false, 8, 0, SteadyClock::now()});
    send_now(Work{subscribe_request("balances"), {}, false, 8, 0, SteadyClock::now()});
    ping_.start(last_frame_, [this] {
      if (!client_ || !opened_) return false;
      client_->send(ping_frame(next_req_id_++));
      return true;
    });
    arm_snapshot_deadline();
  }

  // An executions subscription whose snapshot never comes leaves the session useless: start over.
  void arm_snapshot_deadline() {
    resync_timer_.expires_after(2 * options_.unknown_outcome_timeout);
    resync_timer_.async_wait([this](boost::system::error_code ec) {
      if (!ec && (!ready_ || resync_in_flight_)) {
        drop_connection("no executions snapshot after subscribing");
      }
    });
  }

  void on_close(const net::WsCloseInfo& info) {
    client_.reset();
    opened_ = ready_ = balances_ready_ = resync_in_flight_ = resync_again_ = closing_ = false;
    ping_.stop();
    for (auto* t : {&dead_man_timer_, &resync_timer_}) t->cancel();
    requeue_after_loss();
    update_stats([](KrakenVenueStats& s) { s.up = false; });
    if (metrics_) metrics_->set_up(false);
    // Also when it never came up (a refused connection): the kernel learns why it is not trading.
    emit_state(false, info.reason);
    if (stopping_) {
      finish_disarm("the connection closed before Kraken answered");
      if (stop_promise_ != nullptr) std::exchange(stop_promise_, nullptr)->set_value();
      return;
    }
    log_->warn("kraken venue: {}", info.reason);
    if (connected_at_ != SteadyClock::time_point{} &&
        SteadyClock::now() - connected_at_ >= options_.stable_after) {
      reconnect_backoff_.reset();
    }
    schedule_reconnect();
  }

  // Requests in flight when the connection went: an add_order's outcome is unknown and the next
  // connection's snapshot judges it (it is never sent twice); cancels and amends are safe to
  // repeat.
  void requeue_after_loss() {
    std::vector<Work> again;
    for (auto& [id, p] : pending_) {
      if (p.deadline) p.deadline->cancel();
      const auto& m = p.work.request.method;
      if (!p.timed_out && (m == "cancel_order" || m == "amend_order" || m == "cancel_all")) {
        again.push_back(std::move(p.work));
      }
    }
    pending_.clear();
    for (auto it = again.rbegin(); it != again.rend(); ++it) queue_.push_front(std::move(*it));
  }

  void schedule_reconnect() {
    if (stopping_) return;
    const auto delay = reconnect_backoff_.next();
    update_stats([](KrakenVenueStats& s) { ++s.reconnects; });
    if (metrics_) metrics_->reconnect();
    log_->info("kraken venue: reconnecting in {} (attempt {})", core::duration_text(delay),
               reconnect_backoff_.attempts());
    reconnect_timer_.expires_after(delay);
    reconnect_timer_.async_wait([this](boost::system::error_code ec) {
      if (!ec) connect();
    });
  }

  void drop_connection(const std::string& why) {
    if (!client_ || closing_) return;
    log_->warn("kraken venue: {}; reconnecting", why);
    closing_ = true;
    client_->close(why);
  }

  // A session being closed takes no more requests: its socket discards what is written after the
  // close frame, so an order sent now would reach no one and the next snapshot would write it off
  // as lost. Requests wait in the queue for the next session instead.
  bool can_send() const { return client_ != nullptr && !closing_; }

  // cancel_all_orders_after: `seconds` arms (or renews) the switch, 0 disarms it.
  void send_cancel_after(int seconds) {
    send_now(Work{cancel_after_request(seconds), {}, false, 8, 0, SteadyClock::now()});
  }

  void arm_dead_man_switch() {
    if (options_.dead_man_switch.count() == 0 || !ready_ || !can_send() || stopping_) return;
    const auto seconds = static_cast<int>(
        std::chrono::duration_cast<std::chrono::seconds>(options_.dead_man_switch).count());
    send_cancel_after(seconds);
    dead_man_armed_ = true;
    dead_man_fires_at_ = clock_.now() + options_.dead_man_switch;
    // Kraken's advice: renew every 15-30 s for a 60 s timeout.
    dead_man_timer_.expires_after(std::max(milliseconds(1000), options_.dead_man_switch / 3));
    dead_man_timer_.async_wait([this](boost::system::error_code ec) {
      if (!ec) arm_dead_man_switch();
    });
  }

  // Stale orders that could not be sent, and answers too late to wait for.
  void housekeeping() {
    if (stopping_) return;
    const auto now = SteadyClock::now();
    if (!ready_) {
      std::deque<Work> keep;
      for (auto& w : queue_) {
        if (w.order && w.attempts == 0 && now - w.queued_at > options_.max_queue_age) {
          reject_unsent(w,
                        "not sent: the private session to Kraken has been down for " +
                            core::duration_text(std::chrono::duration_cast<milliseconds>(now - w.queued_at)));
        } else {
          keep.push_back(std::move(w));
        }
      }
      queue_ = std::move(keep);
    }
    for (auto it = pending_.begin(); it != pending_.end();) {
      it = it->second.timed_out && now - it->second.sent_at > kLateAnswerWindow ? pending_.erase(it)
                                                                                : std::next(it);
    }
    housekeeping_timer_.expires_after(kHousekeeping);
    housekeeping_timer_.async_wait([this](boost::system::error_code ec) {
      if (!ec) housekeeping();
    });
  }

  // ---- sending ----

  void enqueue(Work work) {
    if (stopping_) return;
    if (work.request.method == "cancel_order") {
      if (withdraw_held(work.request.client_order_id)) return;
      note_cancel_of_unanswered(work.request.client_order_id);
    }
    work.queued_at = SteadyClock::now();
    queue_.push_back(std::move(work));
    flush();
  }

  void flush() {
    while (ready_ && can_send() && !stopping_ && !queue_.empty()) {
      Work w = std::move(queue_.front());
      queue_.pop_front();
      dispatch(std::move(w));
    }
  }

  // A cancel of an order whose add_order waits for a resend: Kraken never took it, so it is not
  // sent at all (a cancel sent instead would find no order, and the resend would then go live).
  bool withdraw_held(const std::string& client_order_id) {
    if (held_adds_.erase(client_order_id) == 0) return false;
    withdraw(client_order_id);
    return true;
  }

  void withdraw(const std::string& client_order_id) {
    log_->info("kraken venue: order {} withdrawn: cancelled before Kraken took it", client_order_id);
    std::vector<core::ExecutionEvent> out;
    tracker_.on_withdrawn(client_order_id, "cancelled before Kraken took it", clock_.now(), out);
    emit(out);
  }

  // The cancel goes out as well (Kraken may take the add_order); should Kraken refuse the
  // add_order for now instead, it is not held for a resend (hold_add).
  void note_cancel_of_unanswered(const std::string& client_order_id) {
    const TrackedOrder* t = tracker_.find(client_order_id);
    if (t != nullptr && t->ours && !t->acknowledged && !core::is_terminal(t->state.status)) {
      cancelled_unanswered_.insert(client_order_id);
    }
  }

  // A held add_order is sent again only while it is still wanted and still fresh: a market order
  // decided half a minute ago is not the order the kernel decided.
  bool resend_wanted(const Work& w) {
    const std::string& id = w.order->client_order_id;
    if (held_adds_.erase(id) == 0) {  // withdrawn meanwhile
      update_stats([](KrakenVenueStats& s) { ++s.resends_dropped; });
      return false;
    }
    const auto age = SteadyClock::now() - w.queued_at;
    if (age <= options_.max_queue_age) return true;
    update_stats([](KrakenVenueStats& s) { ++s.resends_dropped; });
    reject_unsent(w, "not sent again: Kraken refused it for now and " +
                         core::duration_text(std::chrono::duration_cast<milliseconds>(age)) +
                         " have passed since it was decided");
    return false;
  }

  void dispatch(Work w) {
    const auto now = clock_.now();
    if (w.order && w.attempts > 0 && !resend_wanted(w)) return;
    if (w.order && w.attempts == 0) {
      w.order->seq = next_seq_;
      if (!tracker_.on_sent(*w.order, now)) {
        // Kraken refuses a second open order with this cl_ord_id anyway; the first one stands and
        // keeps its reports, so no rejection is emitted under its id.
        log_->error("kraken venue: order {} not sent: an open order already has this client id",
                    w.order->client_order_id);
        update_stats([](KrakenVenueStats& s) { ++s.duplicates_refused; });
        if (metrics_) metrics_->error("duplicate_client_id");
        return;
      }
    }
    if (w.fill_qty) {
      const TrackedOrder* tracked = tracker_.find(w.request.client_order_id);
      if (tracked == nullptr || core::is_terminal(tracked->state.status)) {
        log_->warn("kraken venue: amend of {} dropped: not an open order",
                   w.request.client_order_id);
        return;
      }
      w.request.params["order_qty"] = tracked->state.qty.to_string(w.qty_precision);
      w.fill_qty = false;
    }
    if (w.order && w.attempts > 0) tracker_hold(w.order->client_order_id, next_seq_);
    send_now(std::move(w));
  }

  void send_now(Work w) {
    if (!can_send()) {
      // Not reached through flush(), which sends only on a usable session. The session's own
      // requests are made again by the next session; the kernel's wait for it.
      if (!is_session_request(w.request)) queue_.push_front(std::move(w));
      return;
    }
    const std::int64_t req_id = next_req_id_++;
    const std::uint64_t seq = next_seq_++;
    if (w.request.method == "subscribe" && w.request.params.at("channel") == "executions") {
      snapshot_as_of_ = seq;
    }
    if (w.attempts > 0) update_stats([](KrakenVenueStats& s) { ++s.retries; });
    ++w.attempts;
    update_stats([&](KrakenVenueStats& s) {
      ++s.requests;
      if (w.request.method == "add_order") ++s.orders_sent;
    });
    client_->send(serialize(w.request, token_, req_id));
    Pending p{std::move(w), SteadyClock::now(), std::make_shared<asio::steady_timer>(io_.io()),
              false};
    p.deadline->expires_after(options_.unknown_outcome_timeout);
    p.deadline->async_wait([this, req_id](boost::system::error_code ec) {
      if (!ec) on_deadline(req_id);
    });
    pending_.emplace(req_id, std::move(p));
  }

  // False when the kernel cancelled the order meanwhile: withdrawn, nothing to send again.
  bool hold_add(const std::string& client_order_id) {
    if (cancelled_unanswered_.erase(client_order_id) > 0) {
      withdraw(client_order_id);
      return false;
    }
    tracker_.on_resend(client_order_id, kHeld);
    held_adds_.insert(client_order_id);
    return true;
  }

  // The tracker keeps the add_order's sequence, so a snapshot requested before a resend cannot
  // judge the order.
  void tracker_hold(const std::string& client_order_id, std::uint64_t seq) {
    tracker_.on_resend(client_order_id, seq);
  }

  void reject_unsent(const Work& w, const std::string& reason) {
    log_->warn("kraken venue: order {} rejected: {}", w.request.client_order_id, reason);
    std::vector<core::ExecutionEvent> out;
    if (tracker_.find(w.request.client_order_id) != nullptr) {
      tracker_.on_unsent(w.request.client_order_id, reason, clock_.now(), out);
    } else if (w.order) {
      core::OrderUpdate u;
      u.client_order_id = w.order->client_order_id;
      u.symbol = w.order->symbol;
      u.side = w.order->side;
      u.type = w.order->type;
      u.status = core::OrderStatus::kRejected;
      u.qty = w.order->qty;
      u.limit_price = w.order->limit_price;
      u.reason = reason;
      u.lost = true;
      u.time = clock_.now();
      out.emplace_back(std::move(u));
    }
    emit(out);
  }

  void retry_later(Work w, const std::string& why) {
    if (w.order && !hold_add(w.order->client_order_id)) return;
    const auto delay = retry_backoff_.next();
    log_->warn("kraken venue: {} {}: {}; sending again in {}", w.request.method,
               w.request.client_order_id, why, core::duration_text(delay));
    auto timer = std::make_shared<asio::steady_timer>(io_.io(), delay);
    retry_timers_.insert(timer);
    timer->async_wait([this, timer, w = std::move(w)](boost::system::error_code ec) mutable {
      retry_timers_.erase(timer);
      if (ec || stopping_) return;
      queue_.push_front(std::move(w));
      flush();
    });
  }

  // ---- answers ----

  void on_frame(std::string_view text) {
    last_frame_ = SteadyClock::now();
    const auto kind = parser_.parse(text, *this);
    if (!kind) {
      update_stats([](KrakenVenueStats& s) { ++s.parse_errors; });
      if (metrics_) {
        metrics_->parse_error();
        metrics_->error("parse");
      }
      log_->warn("kraken venue: malformed frame: {}", kind.error().message);
      // A lost executions frame may have held a fill: Kraken's snapshot brings it back.
      if (text.find("\"executions\"") != std::string_view::npos) start_resync("parse");
    }
  }

  void on_deadline(std::int64_t req_id) {
    const auto it = pending_.find(req_id);
    if (it == pending_.end() || it->second.timed_out) return;
    Pending& p = it->second;
    p.timed_out = true;
    const std::string& method = p.work.request.method;
    update_stats([](KrakenVenueStats& s) { ++s.timeouts; });
    count_error("timeout");
    log_->warn("kraken venue: no answer to {} {} (req_id {}) within {}", method,
               p.work.request.client_order_id, req_id, core::duration_text(options_.unknown_outcome_timeout));
    if (method == "subscribe" || method == "unsubscribe") {
      return drop_connection("no answer to " + method);
    }
    if (method == "add_order" || method == "amend_order" || method == "cancel_order" ||
        method == "cancel_all") {
      start_resync("timeout");
    }
  }

  void on_response(const TradingResponse& r) override {
    const auto it = r.req_id ? pending_.find(*r.req_id) : pending_.end();
    if (it == pending_.end()) {
      if (!r.success) log_->warn("kraken venue: Kraken error on {}: {}", r.method, r.error);
      // An accepted order always counts, whoever was waiting for it.
      if (r.success && r.method == "add_order" && !r.cl_ord_id.empty())
        accepted(r.cl_ord_id, r.order_id);
      return;
    }
    Pending p = std::move(it->second);
    pending_.erase(it);
    if (p.deadline) p.deadline->cancel();
    const std::string method = p.work.request.method;
    if (p.timed_out) update_stats([](KrakenVenueStats& s) { ++s.late_answers; });
    if (metrics_ && !p.timed_out) {
      metrics_->round_trip(method,
                           std::chrono::duration<double>(SteadyClock::now() - p.sent_at).count());
    }
    if (is_disarm(p.work.request))
      return finish_disarm(r.success ? "" : "Kraken refused it: " + r.error);
    if (r.success) return succeeded(std::move(p), r);
    failed(std::move(p), r);
  }

  void accepted(const std::string& client_order_id, const std::string& order_id) {
    cancelled_unanswered_.erase(client_order_id);  // the cancel that went out deals with it
    std::vector<core::ExecutionEvent> out;
    tracker_.on_accepted(client_order_id, order_id, clock_.now(), out);
    emit(out);
  }

  void succeeded(Pending p, const TradingResponse& r) {
    retry_backoff_.reset();
    const std::string& method = p.work.request.method;
    if (method == "add_order") {
      accepted(p.work.request.client_order_id, r.order_id);
    } else if (method == "amend_order") {
      amended(p.work.request);
    } else if (method == "cancel_all") {
      log_->info("kraken venue: cancel_all: {} orders cancelled", r.count.value_or(0));
    } else if (method == "cancel_all_orders_after") {
      update_stats([](KrakenVenueStats& s) { ++s.dead_man_renewals; });
    }
  }

  // Which request a refusal was of: a cancel, or an amend of either the price (a trailing stop) or
  // the quantity (a stop shrunk for an exit).
  static core::Refused refused_request(const TradingRequest& request) {
    if (request.method == "cancel_order") return core::Refused::kCancel;
    if (request.method != "amend_order") return core::Refused::kNone;
    const bool price =
        request.params.contains("trigger_price") || request.params.contains("limit_price");
    return price ? core::Refused::kPrice : core::Refused::kQuantity;
  }

  // A trigger Kraken took is the order's trigger from now on (a trailing stop counts as moved).
  void amended(const TradingRequest& request) {
    const auto* text = request.params.if_contains("trigger_price");
    if (text == nullptr || !text->is_string()) return;
    const auto trigger = core::Decimal::parse(std::string_view(text->as_string()));
    if (!trigger) return;
    std::vector<core::ExecutionEvent> out;
    tracker_.on_amended(request.client_order_id, *trigger, clock_.now(), out);
    emit(out);
  }

  void failed(Pending p, const TradingResponse& r) {
    const std::string method = p.work.request.method;
    const std::string id = p.work.request.client_order_id;
    const auto kind = classify_error(r.error);
    count_error(error_code(r.error));
    const bool retryable =
        kind == TradingErrorKind::kRateLimit || kind == TradingErrorKind::kTransient;
    if (kind == TradingErrorKind::kRateLimit) {
      update_stats([](KrakenVenueStats& s) { ++s.rate_limited; });
      if (metrics_) metrics_->rate_limited();
    }
    if (method == "subscribe" || method == "unsubscribe") {
      if (method == "unsubscribe") return;  // the subscribe that follows tells
      const std::string channel(p.work.request.params.at("channel").as_string());
      log_->error("kraken venue: subscribe {} refused: {}", channel, r.error);
      if (channel == "balances" && kind != TradingErrorKind::kAuth) {
        // Orders still work without it (a key without the funds permission); snapshots carry no
        // balances.
        balances_ready_ = true;
        return complete_waiters();
      }
      return drop_connection("subscription to " + channel + " refused");
    }
    if (method == "add_order" && p.timed_out) {
      // A refusal after the deadline: the resync that the timeout started may already have
      // reported the order rejected. Kraken did not take it, so that stands; a resend now would
      // place an order the kernel has written off (and may have replaced).
      const TrackedOrder* tracked = tracker_.find(id);
      if (tracked == nullptr || core::is_terminal(tracked->state.status)) {
        log_->warn("kraken venue: order {}: late refusal ({}); it stays {}", id, r.error,
                   tracked ? core::to_string(tracked->state.status) : "unknown");
        return;
      }
    }
    if (kind == TradingErrorKind::kUnknownOutcome) {
      log_->warn("kraken venue: {} {}: {}; Kraken may have acted: reconciling", method, id, r.error);
      if (method == "add_order" || method == "amend_order" || method == "cancel_order" ||
          method == "cancel_all") {
        start_resync("unknown_outcome");
      }
      return;
    }
    if (retryable && p.work.attempts <= options_.max_retries)
      return retry_later(std::move(p.work), r.error);
    if (kind == TradingErrorKind::kAuth && p.work.attempts <= options_.max_retries) {
      // Kraken did not take the request: send it again on a new session with a new token.
      if (!p.work.order || hold_add(id)) queue_.push_front(std::move(p.work));
      return drop_connection("Kraken refused the session token (" + r.error + ")");
    }
    std::vector<core::ExecutionEvent> out;
    if (method == "add_order") {
      if (kind == TradingErrorKind::kDuplicateId) {
        // Kraken has an open order with this id (a resend after a restart): learn its state.
        log_->warn("kraken venue: order {}: {}; reconciling", id, r.error);
        return start_resync("duplicate");
      }
      log_->warn("kraken venue: order {} rejected: {}", id, r.error);
      cancelled_unanswered_.erase(id);
      tracker_.on_rejected(id, "Kraken: " + r.error, clock_.now(), out);
    } else if (method == "cancel_order" || method == "amend_order") {
      if (kind == TradingErrorKind::kUnknownOrder) {
        log_->info("kraken venue: {} {}: {}; reconciling", method, id, r.error);
        return start_resync("unknown_order");
      }
      log_->warn("kraken venue: {} {} refused: {}", method, id, r.error);
      tracker_.on_refused(id, method + " refused by Kraken: " + r.error,
                          refused_request(p.work.request), clock_.now(), out);
    } else {
      log_->error("kraken venue: {} refused: {}", method, r.error);
    }
    emit(out);
  }

  // ---- executions and balances ----

  void on_executions(const ExecutionsMessage& m) override {
    std::vector<core::ExecutionEvent> out;
    const auto now = clock_.now();
    if (!m.snapshot) {
      for (const auto& r : m.reports) tracker_.on_report(r, now, out);
      report_tracker();
      return emit(out);
    }
    update_stats([](KrakenVenueStats& s) { ++s.snapshots; });
    tracker_.on_snapshot(m.reports, snapshot_as_of_, !had_baseline_, now, out);
    report_tracker();
    had_baseline_ = true;
    last_snapshot_as_of_ = snapshot_as_of_;
    resync_timer_.cancel();
    resync_in_flight_ = false;
    // "Connected" first, then what happened while the session was down.
    // A snapshot on a session being closed still counts (it is Kraken's word), but the session is
    // not ready: the next one is.
    if (!ready_ && !closing_) became_ready();
    emit(out);
    verify_write_offs();
    if (resync_again_) {
      resync_again_ = false;
      start_resync("again");
    }
    complete_waiters();
  }

  // Orders that closed while TG4 was away with their fills beyond the snapshot's last 50: REST
  // QueryOrders says how they ended (blocking: on the REST thread, the answer comes back here).
  void verify_write_offs() {
    std::vector<std::string> ids = tracker_.take_to_verify();
    if (ids.empty()) return;
    log_->info(
        "kraken venue: asking Kraken (QueryOrders) about {} orders: closed while TG4 was away, or "
        "filled beyond the snapshot",
        ids.size());
    ++verifying_;  // reconciliation waits for the answer
    asio::post(rest_io_.io(), [this, ids = std::move(ids)]() mutable {
      auto answer = rest_.query_orders(ids);
      asio::post(io_.io(), [this, ids = std::move(ids), answer = std::move(answer)]() mutable {
        on_write_offs_verified(ids, std::move(answer));
      });
    });
  }

  void on_write_offs_verified(const std::vector<std::string>& ids,
                              core::Result<std::vector<RestOrder>> answer) {
    --verifying_;
    if (stopping_) return;
    std::vector<core::ExecutionEvent> out;
    const auto now = clock_.now();
    if (answer) {
      tracker_.on_verified(*answer, now, out);
    } else {
      log_->warn("kraken venue: QueryOrders failed: {}", answer.error().message);
      count_error("query_orders");
    }
    tracker_.on_verify_failed(ids,
                              answer ? "QueryOrders did not list it"
                                     : "QueryOrders failed (" + answer.error().message + ")",
                              now, out);
    report_tracker();
    emit(out);
    complete_waiters();
  }

  // Catch-up fills and write-offs TG4 cannot verify need a person's eye.
  void report_tracker() {
    for (const auto& w : tracker_.take_warnings()) log_->warn("kraken venue: {}", w);
    const TrackerStats& t = tracker_.stats();
    if (metrics_) metrics_->fill_repairs(stats().fill_repairs, t);
    update_stats([&t](KrakenVenueStats& s) { s.fill_repairs = t; });
  }

  void became_ready() {
    ready_ = true;
    update_stats([](KrakenVenueStats& s) { s.up = true; });
    if (metrics_) metrics_->set_up(true);
    log_->info("kraken venue: private session ready ({} open orders at Kraken)",
               tracker_.open_orders().size());
    emit_state(true, "connected to " + options_.ws_url + "; executions and balances subscribed");
    arm_dead_man_switch();
    flush();
  }

  void on_balances(const BalancesMessage& m) override {
    std::vector<core::ExecutionEvent> out;
    if (m.snapshot) {
      balances_.clear();
      earn_.clear();
    }
    const auto now = clock_.now();
    for (const auto& e : m.entries) {
      const std::optional<core::Decimal> spot = m.snapshot ? snapshot_spot(e) : update_spot(e);
      if (!spot) continue;
      balances_[e.asset] = *spot;
      out.emplace_back(core::BalanceUpdate{e.asset, *spot, e.time.is_set() ? e.time : now});
    }
    emit(out);
    if (m.snapshot) {
      balances_ready_ = true;
      complete_waiters();
    }
  }

  // Only the spot wallets trade: an asset's Earn wallets (staked, bonded, ...) are not part of the
  // balance the kernel sizes and values orders with.
  core::Decimal snapshot_spot(const BalanceEntry& e) {
    const core::Decimal spot = e.spot.value_or(e.balance);
    if (spot < e.balance) earn_.insert(e.asset);
    return spot;
  }

  // An update's balance is the spot wallet's only while the asset has nothing in Earn; with Earn
  // holdings it is counted from the change instead (Kraken's ledger: before + amount - fee), which
  // holds whichever total the update's balance means. Earn wallet entries change nothing tradable.
  std::optional<core::Decimal> update_spot(const BalanceEntry& e) {
    if (!e.wallet_type.empty() && e.wallet_type != "spot") return std::nullopt;
    if (earn_.count(e.asset) == 0 || !e.amount) return e.balance;
    const auto before = balances_.find(e.asset);
    const core::Decimal base = before == balances_.end() ? core::Decimal::zero() : before->second;
    return base + *e.amount - e.fee.value_or(core::Decimal::zero());
  }

  // ---- reconciliation ----

  // A fresh executions snapshot: open orders and recent fills as Kraken sees them now.
  void start_resync(const std::string& reason) {
    update_stats([](KrakenVenueStats& s) { ++s.reconciles; });
    if (metrics_) metrics_->reconcile(reason);
    if (!can_send() || !ready_) return;  // the next connection's snapshot does it
    if (resync_in_flight_) {
      resync_again_ = true;
      return;
    }
    resync_in_flight_ = true;
    send_now(Work{unsubscribe_request("executions"), {}, false, 8, 0, SteadyClock::now()});
    send_now(Work{subscribe_request("executions"), {}, false, 8, 0, SteadyClock::now()});
    arm_snapshot_deadline();
  }

  void add_waiter(execution::SnapshotSink done) {
    if (stopping_) {
      done(core::Error::of("the Kraken venue is stopping"));
      return;
    }
    auto w = std::make_shared<Waiter>(Waiter{std::move(done), next_seq_, nullptr});
    w->timer = std::make_shared<asio::steady_timer>(io_.io(), options_.snapshot_timeout);
    waiters_.push_back(w);
    w->timer->async_wait([this, w](boost::system::error_code ec) {
      if (ec || !w->done) return;
      finish_waiter(w, core::Error::of("Kraken venue: no executions snapshot within " +
                                       core::duration_text(options_.snapshot_timeout) + " (private session " +
                                       (ready_ ? "up" : "down") + ")"));
    });
    if (ready_) start_resync("snapshot");
  }

  void finish_waiter(const std::shared_ptr<Waiter>& w,
                     core::Result<execution::VenueSnapshot> result) {
    auto done = std::exchange(w->done, nullptr);
    if (w->timer) w->timer->cancel();
    waiters_.erase(std::remove(waiters_.begin(), waiters_.end(), w), waiters_.end());
    if (done) done(std::move(result));
  }

  void complete_waiters() {
    if (waiters_.empty() || !ready_ || !balances_ready_ || resync_in_flight_ || verifying_ > 0) {
      return;
    }
    bool unsatisfied = false;
    for (const auto& w : std::vector<std::shared_ptr<Waiter>>(waiters_)) {
      if (last_snapshot_as_of_ < w->after_seq) {
        unsatisfied = true;
        continue;
      }
      execution::VenueSnapshot snap;
      snap.open_orders = tracker_.open_orders();
      snap.recent_fills = tracker_.snapshot_fills();
      snap.fills_complete = !tracker_.snapshot_full();
      snap.balances = balances_;
      snap.time = clock_.now();
      finish_waiter(w, std::move(snap));
    }
    if (unsatisfied) start_resync("snapshot");
  }

  void fail_waiters(const std::string& why) {
    for (const auto& w : std::vector<std::shared_ptr<Waiter>>(waiters_)) {
      finish_waiter(w, core::Error::of(why));
    }
  }

  // The io thread first: everything below is destroyed before it, and its handlers never run
  // after stop(). The REST thread second, for the same reason.
  net::IoThread io_;
  net::IoThread rest_io_;
  KrakenVenueOptions options_;
  execution::ExecutionSink sink_;
  StateSink state_;
  std::shared_ptr<spdlog::logger> log_;
  RestClient rest_;
  std::optional<VenueMetrics> metrics_;
  core::LiveClock clock_;
  TradingParser parser_;
  OrderTracker tracker_;
  net::Backoff reconnect_backoff_;
  net::Backoff retry_backoff_;
  asio::steady_timer reconnect_timer_;
  QuietPing ping_;
  asio::steady_timer dead_man_timer_;
  asio::steady_timer resync_timer_;
  asio::steady_timer housekeeping_timer_;
  std::set<std::shared_ptr<asio::steady_timer>> retry_timers_;

  // io thread only
  std::shared_ptr<net::WsClient> client_;
  std::string token_;  // never logged
  std::uint64_t generation_ = 0;
  bool opened_ = false;
  bool ready_ = false;  // executions snapshot received on this connection
  bool balances_ready_ = false;
  bool stopping_ = false;
  bool closing_ = false;  // drop_connection closed this session: nothing more is sent on it
  bool dead_man_armed_ = false;        // a cancel_all_orders_after went out since the last disarm
  bool disarming_ = false;             // stopping: the disarm's answer is awaited
  core::Timestamp dead_man_fires_at_;  // when the last one sent fires, by our clock
  bool had_baseline_ = false;
  bool resync_in_flight_ = false;
  bool resync_again_ = false;
  int verifying_ = 0;                      // QueryOrders calls unanswered
  std::uint64_t snapshot_as_of_ = 0;       // sequence of the last executions subscribe sent
  std::uint64_t last_snapshot_as_of_ = 0;  // ... of the last snapshot received
  std::promise<void>* stop_promise_ = nullptr;
  SteadyClock::time_point connected_at_{};
  SteadyClock::time_point last_frame_{};
  std::deque<Work> queue_;
  // Client ids of add_orders Kraken refused for now (rate limit, busy, token) and that wait for a
  // resend, in a retry timer or at the front of queue_. A cancel meanwhile withdraws them.
  std::set<std::string> held_adds_;
  // Client ids cancelled by the kernel while their add_order was on the wire, unanswered: a
  // refusal for now then withdraws the order instead of holding it for a resend.
  std::set<std::string> cancelled_unanswered_;
  std::map<std::int64_t, Pending> pending_;
  std::int64_t next_req_id_ = 1;
  std::uint64_t next_seq_ = 1;
  std::map<std::string, core::Decimal> balances_;
  std::set<std::string> earn_;  // assets with Earn wallets in the last balances snapshot
  std::vector<std::shared_ptr<Waiter>> waiters_;

  std::atomic<bool> stopped_{false};
  mutable std::mutex stats_mutex_;
  KrakenVenueStats stats_;
};

// ---- the venue (kernel thread)
// -------------------------------------------------------------------

KrakenVenue::KrakenVenue(KrakenVenueOptions options, const core::InstrumentRegistry& instruments,
                         execution::ExecutionSink sink, StateSink state,
                         prometheus::Registry* registry, std::shared_ptr<spdlog::logger> log)
    : options_(std::move(options)),
      instruments_(instruments),
      sink_(sink),
      log_(log ? std::move(log) : spdlog::default_logger()),
      impl_(std::make_unique<Impl>(options_, std::move(sink), std::move(state), registry, log_)) {}

KrakenVenue::~KrakenVenue() {
  stop();
}

core::Status KrakenVenue::start() {
  if (auto ok = options_.validate(); !ok) return ok;
  if (options_.ws_url.rfind("wss", 0) == 0 || options_.rest_url.rfind("https", 0) == 0) {
    if (auto ctx = net::make_client_tls_context(options_.tls); !ctx) return ctx.error();
  }
  impl_->start();
  return {};
}

void KrakenVenue::stop() {
  impl_->stop();
}

KrakenVenueStats KrakenVenue::stats() const {
  return impl_->stats();
}

void KrakenVenue::reject_locally(const execution::OrderRequest& r, const std::string& reason,
                                 core::Timestamp now) {
  log_->warn("kraken venue: order {} rejected before sending: {}", r.client_order_id, reason);
  core::OrderUpdate u;
  u.client_order_id = r.client_order_id;
  u.symbol = r.symbol;
  u.side = r.side;
  u.type = r.type;
  u.status = core::OrderStatus::kRejected;
  u.qty = r.qty;
  u.limit_price = r.limit_price;
  u.reason = reason;
  u.time = now;
  if (sink_) sink_(std::move(u));
}

void KrakenVenue::submit(const execution::OrderRequest& request, core::Timestamp now) {
  if (impl_->stopped()) return reject_locally(request, "the Kraken venue is stopped", now);
  const core::Instrument* instrument = instruments_.find(request.symbol);
  if (instrument == nullptr) {
    return reject_locally(request, "no instrument data for " + request.symbol, now);
  }
  const auto& allowed = options_.symbols;
  if (!allowed.empty() &&
      std::find(allowed.begin(), allowed.end(), request.symbol) == allowed.end()) {
    return reject_locally(request, request.symbol + " is not among the venue's symbols", now);
  }
  auto built = add_order_request(request, *instrument);
  if (!built) return reject_locally(request, built.error().message, now);
  SentOrder order{request.client_order_id,
                  request.symbol,
                  request.side,
                  request.type,
                  instrument->round_qty(request.qty),
                  request.limit_price,
                  0,
                  is_trigger_type(request.type) ? instrument->round_price(request.trigger_price)
                                                : core::Decimal{}};
  impl_->post(
      Impl::Work{std::move(*built), std::move(order), false, instrument->qty_precision, 0, {}});
}

void KrakenVenue::cancel(const std::string& client_order_id, core::Timestamp /*now*/) {
  if (!check_client_order_id(client_order_id) && !is_kraken_order_id(client_order_id)) {
    log_->warn("kraken venue: cancel of '{}' ignored: neither a client order id TG4 makes nor a "
               "Kraken order id",
               client_order_id);
    return;
  }
  impl_->post(Impl::Work{cancel_order_request(client_order_id), {}, false, 8, 0, {}});
}

void KrakenVenue::amend(const execution::OrderRequest& order, core::Decimal qty,
                        core::Decimal price, core::Timestamp /*now*/) {
  const std::string& client_order_id = order.client_order_id;
  // From the order as the kernel knows it, so an order restored after a restart (never submitted
  // by this process) can be amended too: a trailing stop, or a stop shrunk for an exit.
  const core::Instrument* found = instruments_.find(order.symbol);
  if (found == nullptr) {
    log_->warn("kraken venue: amend of {} ignored: no instrument data for {}", client_order_id,
               order.symbol);
    return;
  }
  const core::Instrument& inst = *found;
  std::optional<std::string> limit;
  std::optional<std::string> trigger;
  if (price.is_positive()) {
    const std::string text = inst.round_price(price).to_string(inst.price_precision);
    if (is_trigger_type(order.type)) {
      trigger = text;
    } else if (order.type == core::OrderType::kLimit) {
      limit = text;
    }
  }
  const bool new_qty = inst.round_qty(qty).is_positive();
  if (!new_qty && !limit && !trigger) return;
  const std::string qty_text = new_qty ? inst.round_qty(qty).to_string(inst.qty_precision) : "";
  impl_->post(Impl::Work{amend_order_request(client_order_id, qty_text, limit, trigger),
                         {},
                         !new_qty,
                         inst.qty_precision,
                         0,
                         {}});
}

void KrakenVenue::cancel_all(core::Timestamp /*now*/) {
  impl_->post(Impl::Work{cancel_all_request(), {}, false, 8, 0, {}});
}

void KrakenVenue::restore_orders(const std::vector<execution::RestoredOrder>& orders,
                                 core::Timestamp /*now*/) {
  if (!orders.empty()) impl_->restore_orders(orders);
}

void KrakenVenue::request_snapshot(execution::SnapshotSink done) {
  if (impl_->stopped()) {
    done(core::Error::of("the Kraken venue is stopped"));
    return;
  }
  impl_->request_snapshot(std::move(done));
}

}  // namespace tg4::kraken
