#pragma once
// Kraken's per-pair trading-rate counter (SPEC §8), budgeted locally so we never trip the venue's
// limit: each order adds 1; cancelling or amending a young order adds a penalty by its age; the
// counter decays continuously. Starter tier: max 60, decay 1 per second.
#include <map>
#include <string>

#include "core/decimal.hpp"
#include "core/time.hpp"

namespace tg4::execution {

struct TradingRateLimits {
  double max_counter = 60.0;
  double decay_per_second = 1.0;
};

class TradingRateCounter {
 public:
  using Limits = TradingRateLimits;

  explicit TradingRateCounter(Limits limits = {}) : limits_(limits) {}

  // Cost of cancelling an order of this age (Kraken's published table; +8 under 5 s).
  static double cancel_penalty(core::Duration order_age);
  static double amend_penalty(core::Duration order_age);

  bool can_add(const std::string& pair, double cost, core::Timestamp now);
  void add(const std::string& pair, double cost, core::Timestamp now);
  double value(const std::string& pair, core::Timestamp now);

 private:
  struct Entry {
    double value = 0.0;
    core::Timestamp at;
  };
  void decay(Entry& entry, core::Timestamp now) const;

  Limits limits_;
  std::map<std::string, Entry> counters_;
};

}  // namespace tg4::execution
