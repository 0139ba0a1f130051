#include "storage/redis_bridge.hpp"

#include <fmt/format.h>
#include <hiredis/hiredis.h>
#include <poll.h>
#include <spdlog/spdlog.h>

namespace tg4::storage {
namespace {

using Reply = std::unique_ptr<redisReply, decltype(&freeReplyObject)>;

Reply command(redisContext* c, const std::vector<std::string>& args) {
  std::vector<const char*> argv;
  std::vector<std::size_t> lengths;
  for (const auto& a : args) {
    argv.push_back(a.data());
    lengths.push_back(a.size());
  }
  return Reply(static_cast<redisReply*>(
                   redisCommandArgv(c, static_cast<int>(argv.size()), argv.data(), lengths.data())),
               &freeReplyObject);
}

void append(redisContext* c, std::initializer_list<std::string_view> args) {
  const char* argv[8];
  std::size_t lengths[8];
  int n = 0;
  for (const auto a : args) {
    argv[n] = a.data();
    lengths[n] = a.size();
    ++n;
  }
  redisAppendCommandArgv(c, n, argv, lengths);
}

timeval to_timeval(std::chrono::milliseconds ms) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(ms.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((ms.count() % 1000) * 1000);
  return tv;
}

struct Command {
  std::string key;
  std::optional<std::string> value;  // nullopt: DEL
  std::int64_t px = 0;               // > 0: SET … PX
};

}  // namespace

void RedisBridge::ContextDeleter::operator()(redisContext* c) const {
  redisFree(c);
}

core::Result<std::unique_ptr<RedisBridge>> RedisBridge::create(RedisBridgeOptions options,
                                                               prometheus::Registry& registry) {
  auto url = parse_redis_url(options.url);
  if (!url) return url.error();
  std::unique_ptr<RedisBridge> bridge(
      new RedisBridge(std::move(options), std::move(*url), registry));
  bridge->publisher_ = std::thread([b = bridge.get()] { b->publisher_loop(); });
  return bridge;
}

RedisBridge::RedisBridge(RedisBridgeOptions options, RedisUrl url, prometheus::Registry& registry)
    : options_(std::move(options)),
      url_(std::move(url)),
      log_(options_.log ? options_.log : spdlog::default_logger()),
      up_gauge_(prometheus::BuildGauge()
                    .Name("tg4_redis_up")
                    .Help("1 when the Redis bridge is connected")
                    .Register(registry)
                    .Add({})),
      published_(prometheus::BuildCounter()
                     .Name("tg4_redis_events_published_total")
                     .Help("Events published to Redis pub/sub")
                     .Register(registry)
                     .Add({})),
      dropped_(prometheus::BuildCounter()
                   .Name("tg4_redis_events_dropped_total")
                   .Help("Events not published because Redis was down or the queue was full")
                   .Register(registry)
                   .Add({})),
      reconnects_(prometheus::BuildCounter()
                      .Name("tg4_redis_reconnects_total")
                      .Help("Connections to Redis made again after a loss")
                      .Register(registry)
                      .Add({})) {
  up_gauge_.Set(0);
}

RedisBridge::~RedisBridge() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  sub_wake_.notify_all();
  progress_.notify_all();
  if (publisher_.joinable()) publisher_.join();
  if (subscriber_.joinable()) subscriber_.join();
}

// ---- caller side
// ---------------------------------------------------------------------------------

void RedisBridge::set(std::string full_key, std::string json, std::chrono::milliseconds ttl) {
  bool wake = false;
  {
    std::lock_guard lock(mutex_);
    Entry e{std::move(json),
            ttl.count() > 0 ? std::optional(WallClock::now() + ttl) : std::nullopt};
    mirror_[full_key] = std::move(e);
    wake = dirty_.empty();
    dirty_.insert(std::move(full_key));
  }
  if (wake) wake_.notify_one();
}

void RedisBridge::erase(std::string full_key) {
  bool wake = false;
  {
    std::lock_guard lock(mutex_);
    mirror_.erase(full_key);
    wake = dirty_.empty();
    dirty_.insert(std::move(full_key));
  }
  if (wake) wake_.notify_one();
}

std::optional<std::string> RedisBridge::lookup(const std::string& full_key) const {
  std::lock_guard lock(mutex_);
  const auto it = mirror_.find(full_key);
  if (it == mirror_.end() || (it->second.expires && *it->second.expires <= WallClock::now()))
    return std::nullopt;
  return it->second.value;
}

void RedisBridge::set_state(std::string key, std::string json, std::chrono::milliseconds ttl) {
  set(state_key(options_.env, key), std::move(json), ttl);
}
void RedisBridge::erase_state(std::string key) {
  erase(state_key(options_.env, key));
}
std::optional<std::string> RedisBridge::state(std::string_view key) const {
  return lookup(state_key(options_.env, key));
}

void RedisBridge::set_operator(std::string key, std::string json, std::chrono::milliseconds ttl) {
  auto full = operator_key(options_.env, key);
  {
    std::lock_guard lock(mutex_);
    operator_touched_.insert(full);
  }
  set(std::move(full), std::move(json), ttl);
}
void RedisBridge::erase_operator(std::string key) {
  auto full = operator_key(options_.env, key);
  {
    std::lock_guard lock(mutex_);
    operator_touched_.insert(full);
  }
  erase(std::move(full));
}
std::optional<std::string> RedisBridge::operator_value(std::string_view key) const {
  return lookup(operator_key(options_.env, key));
}

void RedisBridge::publish(Topic topic, std::string json) {
  bool wake = false;
  {
    std::lock_guard lock(mutex_);
    if (!up_ || events_.size() >= options_.max_pending_events) {
      dropped_.Increment();
      return;
    }
    wake = events_.empty();
    events_.push_back(Event{topic, std::move(json)});
  }
  if (wake) wake_.notify_one();
}

std::uint64_t RedisBridge::subscribe(std::vector<Topic> topics, Handler handler) {
  std::lock_guard lock(mutex_);
  const auto id = next_subscriber_++;
  subscribers_[id] = Subscriber{std::move(topics), std::make_shared<Handler>(std::move(handler))};
  ++subscription_version_;
  if (!subscriber_.joinable()) subscriber_ = std::thread([this] { subscriber_loop(); });
  return id;
}

void RedisBridge::unsubscribe(std::uint64_t id) {
  std::lock_guard lock(mutex_);
  subscribers_.erase(id);
  ++subscription_version_;
}

bool RedisBridge::flush(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  wake_.notify_one();
  return progress_.wait_for(
      lock, timeout, [&] { return up_ && dirty_.empty() && events_.empty() && !in_flight_; });
}

bool RedisBridge::wait_first_attempt(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  return progress_.wait_for(lock, timeout, [&] { return first_attempt_done_; });
}

// ---- connections
// ---------------------------------------------------------------------------------

core::Result<RedisBridge::Context> RedisBridge::connect() {
  const auto tv = to_timeval(options_.io_timeout);
  Context c(redisConnectWithTimeout(url_.host.c_str(), url_.port, tv));
  if (!c || c->err) {
    return core::Error::of(
        fmt::format("redis {} is unreachable: {}", url_.redacted, c ? c->errstr : "out of memory"));
  }
  redisSetTimeout(c.get(), tv);
  auto check = [&](const std::vector<std::string>& args, std::string_view what) -> core::Status {
    auto reply = command(c.get(), args);
    if (!reply)
      return core::Error::of(
          fmt::format("redis {}: {} failed: {}", url_.redacted, what, c->errstr));
    if (reply->type == REDIS_REPLY_ERROR) {
      return core::Error::of(fmt::format("redis {}: {} refused: {}", url_.redacted, what,
                                         std::string(reply->str, reply->len)));
    }
    return {};
  };
  if (!url_.password.empty()) {
    auto args = url_.username.empty()
                    ? std::vector<std::string>{"AUTH", url_.password}
                    : std::vector<std::string>{"AUTH", url_.username, url_.password};
    if (auto s = check(args, "AUTH (check the password in the URL)"); !s) return s.error();
  }
  if (url_.db != 0) {
    if (auto s = check({"SELECT", std::to_string(url_.db)}, "SELECT"); !s) return s.error();
  }
  return c;
}

std::chrono::milliseconds RedisBridge::next_backoff(std::chrono::milliseconds& backoff) const {
  const auto wait = backoff;
  backoff = std::min(backoff * 2, options_.reconnect_max);
  return wait;
}

void RedisBridge::mark_disconnected(const std::string& why) {
  const bool was_up = up_.exchange(false);
  up_gauge_.Set(0);
  if (was_up) {
    log_->warn(
        "redis bridge: lost {} ({}); reconnecting with backoff, state is republished on reconnect",
        url_.redacted, why);
  }
}

// Reads operator data an earlier run left in Redis (unless changed here since), then marks the
// whole mirror for sending: after a Redis restart the full current state is back within one round.
bool RedisBridge::on_connected(redisContext* c) {
  const std::string pattern = operator_key(options_.env, "*");
  std::vector<std::string> found;
  std::string cursor = "0";
  do {
    auto reply = command(c, {"SCAN", cursor, "MATCH", pattern, "COUNT", "1000"});
    if (!reply || reply->type != REDIS_REPLY_ARRAY || reply->elements != 2) return false;
    cursor.assign(reply->element[0]->str, reply->element[0]->len);
    const auto* keys = reply->element[1];
    for (std::size_t i = 0; i < keys->elements; ++i)
      found.emplace_back(keys->element[i]->str, keys->element[i]->len);
  } while (cursor != "0");
  std::vector<std::pair<std::string, Entry>> restored;
  for (const auto& key : found) {
    append(c, {"GET", key});
    append(c, {"PTTL", key});
  }
  for (const auto& key : found) {
    void* raw = nullptr;
    if (redisGetReply(c, &raw) != REDIS_OK) return false;
    Reply value(static_cast<redisReply*>(raw), &freeReplyObject);
    if (redisGetReply(c, &raw) != REDIS_OK) return false;
    Reply ttl(static_cast<redisReply*>(raw), &freeReplyObject);
    if (value->type != REDIS_REPLY_STRING) continue;
    Entry e{std::string(value->str, value->len), std::nullopt};
    if (ttl->type == REDIS_REPLY_INTEGER && ttl->integer > 0) {
      e.expires = WallClock::now() + std::chrono::milliseconds(ttl->integer);
    }
    restored.emplace_back(key, std::move(e));
  }
  std::lock_guard lock(mutex_);
  for (auto& [key, e] : restored) {
    if (!operator_touched_.count(key) && !mirror_.count(key)) mirror_[key] = std::move(e);
  }
  for (const auto& [key, e] : mirror_) dirty_.insert(key);
  return true;
}

// One pipeline: the changed keys, then the events; a PING when there is nothing to send.
bool RedisBridge::send_round(redisContext* c, const std::vector<std::string>& keys,
                             std::deque<Event>& events) {
  std::vector<Command> commands;
  {
    std::lock_guard lock(mutex_);
    const auto now = WallClock::now();
    for (const auto& key : keys) {
      Command cmd{key, std::nullopt, 0};
      const auto it = mirror_.find(key);
      if (it != mirror_.end()) {
        if (!it->second.expires) {
          cmd.value = it->second.value;
        } else if (*it->second.expires > now) {
          cmd.value = it->second.value;
          cmd.px = std::max<std::int64_t>(
              1, std::chrono::duration_cast<std::chrono::milliseconds>(*it->second.expires - now)
                     .count());
        } else {
          mirror_.erase(it);  // expired here: make sure it is gone there too
        }
      }
      commands.push_back(std::move(cmd));
    }
  }
  if (commands.empty() && events.empty()) {
    auto pong = command(c, {"PING"});
    return pong && pong->type != REDIS_REPLY_ERROR;
  }
  for (const auto& cmd : commands) {
    if (!cmd.value) {
      append(c, {"DEL", cmd.key});
    } else if (cmd.px > 0) {
      const auto px = std::to_string(cmd.px);
      append(c, {"SET", cmd.key, *cmd.value, "PX", px});
    } else {
      append(c, {"SET", cmd.key, *cmd.value});
    }
  }
  std::vector<std::string> channels;
  for (const auto t : kAllTopics) channels.push_back(event_channel(options_.env, t));
  for (const auto& e : events)
    append(c, {"PUBLISH", channels[static_cast<std::size_t>(e.topic)], e.json});
  const std::size_t replies = commands.size() + events.size();
  std::size_t refused = 0;
  std::string first_refusal;
  for (std::size_t i = 0; i < replies; ++i) {
    void* raw = nullptr;
    if (redisGetReply(c, &raw) != REDIS_OK) return false;
    Reply reply(static_cast<redisReply*>(raw), &freeReplyObject);
    if (reply->type == REDIS_REPLY_ERROR) {
      if (refused++ == 0) first_refusal.assign(reply->str, reply->len);
    }
  }
  if (refused > 0)
    log_->warn("redis bridge: {} commands refused by {}: {}", refused, url_.redacted,
               first_refusal);
  published_.Increment(static_cast<double>(events.size()));
  return true;
}

void RedisBridge::publisher_loop() {
  auto backoff = options_.reconnect_min;
  bool ever_connected = false;
  bool outage_logged = false;
  Context ctx;
  for (;;) {
    if (!ctx) {
      auto connected = connect();
      if (connected) {
        ctx = std::move(*connected);
        if (!on_connected(ctx.get())) {
          ctx.reset();
          connected =
              core::Error::of(fmt::format("redis {}: reading operator data failed", url_.redacted));
        }
      }
      if (!ctx) {
        if (!outage_logged) {
          log_->warn("redis bridge: {}; state is kept locally and republished when it is back",
                     connected ? std::string("connection lost") : connected.error().message);
          outage_logged = true;
        }
        std::unique_lock lock(mutex_);
        first_attempt_done_ = true;
        progress_.notify_all();
        if (wake_.wait_for(lock, next_backoff(backoff), [&] { return stopping_; })) break;
        continue;
      }
      backoff = options_.reconnect_min;
      if (ever_connected) reconnects_.Increment();
      log_->info("redis bridge: connected to {}{}", url_.redacted,
                 ever_connected ? "; republishing all state" : "");
      ever_connected = true;
      outage_logged = false;
      up_ = true;
      up_gauge_.Set(1);
      std::lock_guard lock(mutex_);
      first_attempt_done_ = true;
      progress_.notify_all();
    }
    std::vector<std::string> keys;
    std::deque<Event> events;
    {
      std::unique_lock lock(mutex_);
      wake_.wait_for(lock, options_.ping_interval,
                     [&] { return stopping_ || !dirty_.empty() || !events_.empty(); });
      if (stopping_) break;
      while (!dirty_.empty() && keys.size() < options_.pipeline_max) {
        keys.push_back(std::move(dirty_.extract(dirty_.begin()).value()));
      }
      while (!events_.empty() && keys.size() + events.size() < options_.pipeline_max) {
        events.push_back(std::move(events_.front()));
        events_.pop_front();
      }
      in_flight_ = true;
    }
    const bool ok = send_round(ctx.get(), keys, events);
    {
      std::lock_guard lock(mutex_);
      in_flight_ = false;
      if (!ok) {
        for (auto& k : keys) dirty_.insert(std::move(k));
        dropped_.Increment(static_cast<double>(events.size() + events_.size()));
        events_.clear();
      }
    }
    progress_.notify_all();
    if (!ok) {
      mark_disconnected(ctx->errstr[0] ? ctx->errstr : "I/O error");
      ctx.reset();
      outage_logged = true;
    }
  }
}

// ---- subscriptions
// -------------------------------------------------------------------------------

void RedisBridge::subscriber_loop() {
  auto backoff = options_.reconnect_min;
  Context ctx;
  std::set<std::string> subscribed;
  std::uint64_t seen_version = 0;
  const std::string prefix = fmt::format("tg4:{}:events:", options_.env);
  for (;;) {
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
    }
    if (!ctx) {
      auto connected = connect();
      if (!connected) {
        std::unique_lock lock(mutex_);
        if (sub_wake_.wait_for(lock, next_backoff(backoff), [&] { return stopping_; })) return;
        continue;
      }
      ctx = std::move(*connected);
      backoff = options_.reconnect_min;
      subscribed.clear();
      seen_version = 0;
    }
    std::set<std::string> wanted;
    {
      std::lock_guard lock(mutex_);
      if (subscription_version_ != seen_version) {
        for (const auto& [id, s] : subscribers_) {
          for (const auto t : s.topics) wanted.insert(event_channel(options_.env, t));
        }
        seen_version = subscription_version_;
      }
    }
    bool sent = false;
    for (const auto& channel : wanted) {
      if (subscribed.insert(channel).second) {
        append(ctx.get(), {"SUBSCRIBE", channel});
        sent = true;
      }
    }
    bool broken = false;
    if (sent) {
      int done = 0;
      while (!done && !broken) broken = redisBufferWrite(ctx.get(), &done) == REDIS_ERR;
    }
    // Deliver what has been read, then wait for more.
    void* raw = nullptr;
    while (!broken && redisGetReplyFromReader(ctx.get(), &raw) == REDIS_OK && raw != nullptr) {
      Reply reply(static_cast<redisReply*>(raw), &freeReplyObject);
      raw = nullptr;
      if (reply->type != REDIS_REPLY_ARRAY || reply->elements != 3 ||
          reply->element[0]->type != REDIS_REPLY_STRING ||
          std::string_view(reply->element[0]->str, reply->element[0]->len) != "message") {
        continue;
      }
      const std::string_view channel(reply->element[1]->str, reply->element[1]->len);
      const auto topic = channel.substr(0, prefix.size()) == prefix
                             ? parse_topic(channel.substr(prefix.size()))
                             : std::nullopt;
      if (!topic) continue;
      const std::string_view payload(reply->element[2]->str, reply->element[2]->len);
      std::vector<std::shared_ptr<Handler>> targets;
      {
        std::lock_guard lock(mutex_);
        for (const auto& [id, s] : subscribers_) {
          if (std::find(s.topics.begin(), s.topics.end(), *topic) != s.topics.end())
            targets.push_back(s.handler);
        }
      }
      for (const auto& h : targets) (*h)(*topic, payload);
    }
    if (!broken) {
      pollfd p{ctx->fd, POLLIN, 0};
      const int ready = ::poll(&p, 1, 200);
      if (ready > 0) broken = redisBufferRead(ctx.get()) == REDIS_ERR;
    }
    if (broken) {
      log_->debug("redis bridge: subscriber connection lost ({}); reconnecting", ctx->errstr);
      ctx.reset();
    }
  }
}

}  // namespace tg4::storage
