#pragma once
// What the rule agents (regime, technical) share: their indicators change only when a bar of the
// timeframe closes, so until then a symbol's last reading is given again with the new time instead
// of being worked out and worded anew.
#include <cstdint>
#include <map>
#include <string>

#include "core/time.hpp"
#include "market/indicators/market_state.hpp"

namespace tg4::agents {

template <typename Reading>
class LastReadings {
 public:
  // The symbol's reading at `time`: the last one when no bar of `timeframe_minutes` closed since,
  // else `read()`'s with `source`.
  template <typename Read>
  const Reading& at(const std::string& symbol, int timeframe_minutes,
                    const market::SymbolMarket& market, core::Timestamp time,
                    const std::string& source, Read read) {
    const market::TimeframeState* tf = market.timeframe(timeframe_minutes);
    const std::uint64_t bars = tf == nullptr ? 0 : tf->bar_count();
    Last& last = last_[symbol];
    if (last.reading.time.is_set() && last.timeframe_minutes == timeframe_minutes &&
        last.bars == bars) {
      last.reading.time = time;
    } else {
      last = Last{timeframe_minutes, bars, read()};
      last.reading.source = source;
    }
    return last.reading;
  }

 private:
  struct Last {
    int timeframe_minutes = 0;
    std::uint64_t bars = 0;
    Reading reading;
  };
  std::map<std::string, Last, std::less<>> last_;  // by symbol
};

}  // namespace tg4::agents
