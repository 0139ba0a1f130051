#pragma once
// Bus: the kernel's in-process message bus with typed topics (DESIGN "The path of one event", step
// 3). `subscribe<T>(handler)` adds a handler for events of type T; `publish(const T&)` calls the
// handlers of T synchronously, in subscription order, on the calling (kernel) thread. Topics are
// found by a per-type index into a vector owned by the Bus: no map lookup, no RTTI on the publish
// path. Not thread-safe by design: only the kernel thread touches it (principle 1, no locks).
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <utility>
#include <vector>

namespace tg4::kernel {

namespace detail {

// A dense index per C++ type, assigned once on first use and never changed afterwards; each Bus
// keeps its own topics in a vector indexed by it.
inline std::size_t next_topic_index() {
  static std::atomic<std::size_t> next{0};
  return next.fetch_add(1, std::memory_order_relaxed);
}
template <typename T>
std::size_t topic_index() {
  static const std::size_t index = next_topic_index();
  return index;
}

struct TopicBase {
  virtual ~TopicBase() = default;
  virtual void remove(std::uint64_t id) = 0;
};

template <typename T>
struct Topic final : TopicBase {
  struct Entry {
    std::uint64_t id;
    bool active;
    std::function<void(const T&)> handler;
  };
  // A deque: subscribing from inside a handler appends without moving the handler being run.
  std::deque<Entry> entries;
  int publishing = 0;  // nesting depth; entries are compacted only at depth 0
  bool has_holes = false;

  void remove(std::uint64_t id) override {
    for (auto& e : entries) {
      if (e.id == id && e.active) {
        // The handler may be running right now (unsubscribing itself): only disable it here; it
        // is destroyed once no publish of this topic is in progress.
        e.active = false;
        has_holes = true;
        if (publishing == 0) compact();
        return;
      }
    }
  }
  void compact() {
    std::erase_if(entries, [](const Entry& e) { return !e.active; });
    has_holes = false;
  }
};

// Shared between a Bus and its Subscriptions, so a Subscription outliving its Bus is harmless.
struct BusState {
  std::vector<std::unique_ptr<TopicBase>> topics;  // indexed by topic_index<T>()
  std::uint64_t next_id = 1;
};

}  // namespace detail

// Handle of one subscription; unsubscribes when destroyed (or on unsubscribe()). Movable.
class [[nodiscard]] Subscription {
 public:
  Subscription() = default;
  Subscription(Subscription&& other) noexcept { *this = std::move(other); }
  Subscription& operator=(Subscription&& other) noexcept {
    if (this != &other) {
      unsubscribe();
      state_ = std::move(other.state_);
      topic_ = other.topic_;
      id_ = std::exchange(other.id_, 0);
    }
    return *this;
  }
  Subscription(const Subscription&) = delete;
  Subscription& operator=(const Subscription&) = delete;
  ~Subscription() { unsubscribe(); }

  // Stops delivery; safe from inside a handler (the current publish skips it from then on).
  void unsubscribe() {
    if (id_ == 0) return;
    if (auto state = state_.lock();
        state && topic_ < state->topics.size() && state->topics[topic_]) {
      state->topics[topic_]->remove(id_);
    }
    id_ = 0;
    state_.reset();
  }
  bool active() const { return id_ != 0 && !state_.expired(); }

 private:
  friend class Bus;
  Subscription(std::weak_ptr<detail::BusState> state, std::size_t topic, std::uint64_t id)
      : state_(std::move(state)), topic_(topic), id_(id) {}

  std::weak_ptr<detail::BusState> state_;
  std::size_t topic_ = 0;
  std::uint64_t id_ = 0;
};

class Bus {
 public:
  Bus() : state_(std::make_shared<detail::BusState>()) {}
  Bus(const Bus&) = delete;
  Bus& operator=(const Bus&) = delete;

  // Handlers of T run in the order they subscribed. A handler added during a publish of T first
  // sees the next event of T.
  template <typename T, typename F>
  Subscription subscribe(F&& handler) {
    auto& topic = topic_for<T>();
    const std::uint64_t id = state_->next_id++;
    topic.entries.push_back({id, true, std::function<void(const T&)>(std::forward<F>(handler))});
    return Subscription(state_, detail::topic_index<T>(), id);
  }

  // Calls every handler of T with `event`; nothing happens when T has none.
  template <typename T>
  void publish(const T& event) {
    const std::size_t index = detail::topic_index<T>();
    if (index >= state_->topics.size() || !state_->topics[index]) return;
    auto& topic = static_cast<detail::Topic<T>&>(*state_->topics[index]);
    const std::size_t n = topic.entries.size();
    if (n == 0) return;
    ++topic.publishing;
    for (std::size_t i = 0; i < n; ++i) {
      auto& entry = topic.entries[i];
      if (entry.active) entry.handler(event);
    }
    if (--topic.publishing == 0 && topic.has_holes) topic.compact();
  }

  // Handlers currently subscribed to T.
  template <typename T>
  std::size_t subscribers() const {
    const std::size_t index = detail::topic_index<T>();
    if (index >= state_->topics.size() || !state_->topics[index]) return 0;
    const auto& topic = static_cast<const detail::Topic<T>&>(*state_->topics[index]);
    std::size_t n = 0;
    for (const auto& e : topic.entries) n += e.active ? 1 : 0;
    return n;
  }

 private:
  template <typename T>
  detail::Topic<T>& topic_for() {
    const std::size_t index = detail::topic_index<T>();
    if (index >= state_->topics.size()) state_->topics.resize(index + 1);
    auto& slot = state_->topics[index];
    if (!slot) slot = std::make_unique<detail::Topic<T>>();
    return static_cast<detail::Topic<T>&>(*slot);
  }

  std::shared_ptr<detail::BusState> state_;
};

}  // namespace tg4::kernel
