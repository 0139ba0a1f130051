#include "sim/sim_options.hpp"

#include <set>

#include <fmt/format.h>

#include "sim/sim_symbol.hpp"

namespace tg4::sim {

core::Status SimOptions::validate() const {
  if (symbols.empty()) return core::Error::of("symbols: at least one symbol is needed (e.g. BTC/USDT)");
  std::set<std::string> seen;
  for (const auto& s : symbols) {
    if (auto made = make_sim_symbol(s); !made) return core::Error::of("symbols: " + made.error().message);
    if (!seen.insert(s).second) return core::Error::of("symbols: '" + s + "' is listed twice");
  }
  if (!(rate > 0 && rate <= 100'000)) return core::Error::of(fmt::format("rate: {} is not in (0, 100000] events/s", rate));
  if (!(speed > 0 && speed <= 100'000)) return core::Error::of(fmt::format("speed: {} is not in (0, 100000]", speed));
  if (history_days < 0 || history_days > 400) {
    return core::Error::of(fmt::format("history_days: {} is not in 0..400", history_days));
  }
  if (!(history_trades_per_second > 0 && history_trades_per_second <= 50)) {
    return core::Error::of(fmt::format("history_trades_per_second: {} is not in (0, 50]", history_trades_per_second));
  }
  if (max_sessions == 0) return core::Error::of("max_sessions: must be at least 1");
  if (heartbeat.count() <= 0) return core::Error::of("heartbeat: must be positive");
  if (ohlc_snapshot_bars == 0 || ohlc_snapshot_bars > 720) {
    return core::Error::of(fmt::format("ohlc_snapshot_bars: {} is not in 1..720", ohlc_snapshot_bars));
  }
  return {};
}

}  // namespace tg4::sim
