#include "execution/trading_rate_counter.hpp"

#include <algorithm>

namespace tg4::execution {

double TradingRateCounter::cancel_penalty(core::Duration age) {
  using std::chrono::seconds;
  if (age < seconds(5)) return 8;
  if (age < seconds(10)) return 6;
  if (age < seconds(15)) return 5;
  if (age < seconds(45)) return 4;
  if (age < seconds(90)) return 2;
  if (age < seconds(300)) return 1;
  return 0;
}

double TradingRateCounter::amend_penalty(core::Duration age) {
  using std::chrono::seconds;
  if (age < seconds(5)) return 3;
  if (age < seconds(10)) return 2;
  if (age < seconds(15)) return 1;
  return 0;
}

void TradingRateCounter::decay(Entry& entry, core::Timestamp now) const {
  if (entry.at.ns != 0 && now > entry.at) {
    const double elapsed = std::chrono::duration<double>(now - entry.at).count();
    entry.value = std::max(0.0, entry.value - elapsed * limits_.decay_per_second);
  }
  entry.at = now;
}

bool TradingRateCounter::can_add(const std::string& pair, double cost, core::Timestamp now) {
  return value(pair, now) + cost <= limits_.max_counter;
}

void TradingRateCounter::add(const std::string& pair, double cost, core::Timestamp now) {
  Entry& entry = counters_[pair];
  decay(entry, now);
  entry.value += cost;
}

double TradingRateCounter::value(const std::string& pair, core::Timestamp now) {
  Entry& entry = counters_[pair];
  decay(entry, now);
  return entry.value;
}

}  // namespace tg4::execution
