#include "kernel/event.hpp"

#include <array>

namespace tg4::kernel {
namespace {

template <typename... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
template <typename... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

constexpr std::array<const char*, kEventTypes> kTypeNames = {
    "book",       "trade",        "ticker", "ohlc",    "instrument", "venue_status",
    "feed_state", "order_update", "fill",   "balance", "task",       "stop",
};

core::Timestamp first_set(core::Timestamp a, core::Timestamp b) {
  return a.is_set() ? a : b;
}

// One visitor for both variants: an event's time does not depend on how it is wrapped.
const auto kTimeOf = Overloaded{
    [](const core::BookDelta& x) { return first_set(x.exchange_time, x.received); },
    [](const core::Trade& x) { return first_set(x.time, x.received); },
    [](const core::Ticker& x) { return x.received; },
    // A bar is known once its interval closes; a replayed bar without a receive time is due then.
    [](const core::Ohlc& x) {
      return x.received.is_set() || !x.bar.open_time.is_set()
                 ? x.received
                 : x.bar.open_time + std::chrono::minutes(x.bar.interval_minutes);
    },
    [](const core::FeedState& x) { return x.time; },
    [](const core::OrderUpdate& x) { return x.time; },
    [](const core::Fill& x) { return x.time; },
    [](const core::BalanceUpdate& x) { return x.time; },
    [](const auto&) { return core::Timestamp{}; },
};

}  // namespace

const char* event_type_name(std::size_t index) {
  return index < kTypeNames.size() ? kTypeNames[index] : "unknown";
}

core::Timestamp event_time(const Event& e) {
  return std::visit(kTimeOf, e);
}

core::Timestamp event_time(const core::MarketEvent& e) {
  return std::visit(kTimeOf, e);
}

Event to_event(core::MarketEvent e) {
  return std::visit([](auto&& x) { return Event(std::move(x)); }, std::move(e));
}

Event to_event(core::ExecutionEvent e) {
  return std::visit([](auto&& x) { return Event(std::move(x)); }, std::move(e));
}

}  // namespace tg4::kernel
