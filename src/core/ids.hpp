#pragma once
// Client order ids (SPEC §8): unique across restarts and deterministic for retries. An id is
// "t" + base36(session start, Unix seconds) + "-" + base36(counter), at most 18 characters of
// [a-z0-9-] (Kraken's limit for a free-text cl_ord_id). The counter never repeats: a restarted node
// continues after the highest counter in its store (`start_after`), and the session prefix keeps
// ids apart even if the store was lost. A retry resends the id the order already has; the id of the
// n-th order of a session is a pure function of (session start, n).
#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "core/time.hpp"

namespace tg4::core {

inline constexpr std::size_t kMaxClientOrderIdLength = 18;

struct ParsedClientOrderId {
  std::int64_t session_seconds = 0;
  std::uint64_t counter = 0;
};

class ClientOrderIdGenerator {
 public:
  // `session_start`: when this process started (its seconds make the prefix); `start_after`: the
  // highest counter already used (0 for a fresh store).
  explicit ClientOrderIdGenerator(Timestamp session_start, std::uint64_t start_after = 0);

  // The next id. Thread-safe. Throws std::overflow_error when the counter no longer fits in 18
  // characters (after ~10^14 orders in one session).
  std::string next();
  // The id of counter `n` in this session, without advancing (deterministic).
  std::string id_for(std::uint64_t counter) const;

  std::uint64_t last_counter() const { return counter_.load(std::memory_order_relaxed); }
  // A restart: the next id comes after `counter` (never moves backwards).
  void continue_after(std::uint64_t counter) {
    std::uint64_t current = counter_.load(std::memory_order_relaxed);
    while (current < counter && !counter_.compare_exchange_weak(current, counter, std::memory_order_relaxed)) {
    }
  }
  const std::string& prefix() const { return prefix_; }

  // Plugs into execution::OrderManager (its IdSource).
  std::function<std::string()> as_source() {
    return [this] { return next(); };
  }

  // Reads an id back, e.g. to find the highest counter among stored orders; nullopt for ids not
  // made by this scheme.
  static std::optional<ParsedClientOrderId> parse(std::string_view id);
  // The highest counter among `ids` that follow this scheme (0 if none): the `start_after` of the
  // next session.
  template <class Range>
  static std::uint64_t max_counter(const Range& ids) {
    std::uint64_t best = 0;
    for (const auto& id : ids) {
      if (const auto parsed = parse(id); parsed && parsed->counter > best) best = parsed->counter;
    }
    return best;
  }

 private:
  std::string prefix_;  // "t" + base36 seconds + "-"
  std::atomic<std::uint64_t> counter_;
};

std::string to_base36(std::uint64_t value);
std::optional<std::uint64_t> from_base36(std::string_view text);

}  // namespace tg4::core
