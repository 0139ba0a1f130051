#pragma once
// kernel::Event: everything that can be posted to the kernel queue (DESIGN "The path of one
// event"). The typed market and execution events of core/events.hpp are flattened into one variant,
// so the kernel dispatches with one visit; `Task` hands arbitrary work to the kernel thread (API
// thread, LLM pool, storage), and `Stop` ends Kernel::run() after everything queued before it.
#include <cstddef>
#include <memory>
#include <type_traits>
#include <utility>
#include <variant>

#include "core/events.hpp"
#include "core/time.hpp"

namespace tg4::kernel {

// A move-only callable run once on the kernel thread. Unlike std::function it accepts lambdas that
// capture move-only state (promises, unique_ptrs, results to hand over).
class Task {
 public:
  Task() = default;
  template <typename F, typename = std::enable_if_t<!std::is_same_v<std::decay_t<F>, Task> &&
                                                    std::is_invocable_r_v<void, std::decay_t<F>&>>>
  Task(F&& f)  // NOLINT: implicit, so post([..]{...}) reads naturally
      : callable_(std::make_unique<Model<std::decay_t<F>>>(std::forward<F>(f))) {}

  Task(Task&&) noexcept = default;
  Task& operator=(Task&&) noexcept = default;
  Task(const Task&) = delete;
  Task& operator=(const Task&) = delete;

  explicit operator bool() const { return callable_ != nullptr; }
  void operator()() { callable_->call(); }

 private:
  struct Concept {
    virtual ~Concept() = default;
    virtual void call() = 0;
  };
  template <typename F>
  struct Model final : Concept {
    explicit Model(F&& f) : fn(std::move(f)) {}
    explicit Model(const F& f) : fn(f) {}
    void call() override { fn(); }
    F fn;
  };
  std::unique_ptr<Concept> callable_;
};

// Ends Kernel::run() / run_until_empty() once every event posted before it has been dispatched.
struct Stop {};

using Event = std::variant<core::BookDelta, core::Trade, core::Ticker, core::Ohlc,
                           core::InstrumentUpdate, core::VenueStatus, core::FeedState,
                           core::OrderUpdate, core::Fill, core::BalanceUpdate, Task, Stop>;

inline constexpr std::size_t kEventTypes = std::variant_size_v<Event>;

// Index of alternative T in Event (a compile error when T is not one).
template <typename T, std::size_t I = 0>
constexpr std::size_t event_index() {
  static_assert(I < kEventTypes, "type is not an alternative of kernel::Event");
  if constexpr (std::is_same_v<std::variant_alternative_t<I, Event>, T>) {
    return I;
  } else {
    return event_index<T, I + 1>();
  }
}

// Short, bounded names of the alternatives ("trade", "book", ...), indexed like Event; used as the
// `type` label of tg4_kernel_events_total.
const char* event_type_name(std::size_t index);
inline const char* event_type_name(const Event& e) {
  return event_type_name(e.index());
}

// The time an event happened, as the simulated clock should see it: exchange or venue time when the
// event carries one, else the time it was received. Unset (ns == 0) for events without a time
// (Task, Stop, InstrumentUpdate, VenueStatus): they do not move a simulated clock.
core::Timestamp event_time(const Event& e);
// The same for a market event before it is posted (no copy into an Event).
core::Timestamp event_time(const core::MarketEvent& e);

// Flattening helpers: a feed or venue that produces the nested variants posts them unchanged.
Event to_event(core::MarketEvent e);
Event to_event(core::ExecutionEvent e);

}  // namespace tg4::kernel
