#include "sim/sim_options.hpp"

#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "kraken/signing.hpp"
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
  if (api_key.empty()) return core::Error::of("api_key: must not be empty");
  // The message never contains the secret itself.
  if (!kraken::base64_decode(api_secret)) return core::Error::of("api_secret: not valid base64 (as Kraken gives it)");
  if (token_lifetime.count() <= 0) return core::Error::of("token_lifetime: must be positive");
  for (const auto& [asset, amount] : balances) {
    if (asset.empty()) return core::Error::of("balances: an asset name is empty");
    if (amount.is_negative()) return core::Error::of("balances: " + asset + " is negative (" + amount.to_string() + ")");
  }
  return {};
}

core::Result<std::map<std::string, core::Decimal>> parse_balances(std::string_view text) {
  std::map<std::string, core::Decimal> out;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    const std::size_t comma = std::min(text.find(',', pos), text.size());
    const std::string_view entry = text.substr(pos, comma - pos);
    pos = comma + 1;
    if (entry.empty()) {
      if (text.empty()) break;
      return core::Error::of(fmt::format("balances '{}': empty entry (write e.g. USDT=10000,BTC=1)", text));
    }
    const std::size_t eq = entry.find('=');
    if (eq == std::string_view::npos || eq == 0) {
      return core::Error::of(fmt::format("balances: '{}' is not ASSET=AMOUNT (e.g. USDT=10000)", entry));
    }
    const std::string asset(entry.substr(0, eq));
    const auto amount = core::Decimal::parse(entry.substr(eq + 1));
    if (!amount || amount->is_negative()) {
      return core::Error::of(fmt::format("balances: '{}': the amount is not a non-negative number", entry));
    }
    if (!out.emplace(asset, *amount).second) return core::Error::of("balances: " + asset + " is listed twice");
  }
  return out;
}

}  // namespace tg4::sim
