#include "backtest/candle_path.hpp"

#include <algorithm>
#include <limits>

namespace tg4::backtest {

std::array<core::Duration, 4> path_offsets(core::Duration interval, core::Duration open_delay) {
  const core::Duration open = std::clamp(open_delay, core::Duration::zero(), interval / 8);
  return {open, interval / 4, interval / 2, interval * 3 / 4};
}

namespace {

// volume / parts, truncated at the Decimal's last digit. A volume below 2^63 raw units (9.2 units of
// the base) divides in 64 bits; the 128-bit division is a library call, a fifth of candle_path's
// cost.
core::Decimal even_part(core::Decimal volume, std::size_t parts) {
  const core::Decimal::Raw raw = volume.raw();
  const auto n = static_cast<std::int64_t>(parts);
  if (raw >= 0 && raw <= std::numeric_limits<std::int64_t>::max())
    return core::Decimal::from_raw(static_cast<std::int64_t>(raw) / n);
  return core::Decimal::from_raw(raw / n);
}

}  // namespace

CandlePath candle_path(const core::Bar& bar, core::Duration interval, core::Duration open_delay,
                       core::Decimal previous_price) {
  const bool up = bar.close >= bar.open;
  const std::array<core::Decimal, 4> prices{bar.open, up ? bar.low : bar.high,
                                            up ? bar.high : bar.low, bar.close};
  const std::array<core::Duration, 4> offsets = path_offsets(interval, open_delay);
  CandlePath path;
  std::array<std::size_t, 4> slot{};
  for (std::size_t i = 0; i < prices.size(); ++i) {
    if (path.size > 0 && path.trades[path.size - 1].price == prices[i]) continue;
    slot[path.size] = i;
    path.trades[path.size++].price = prices[i];
  }
  // An even split at the Decimal's full precision; the remainder goes to the last trade, so the
  // sum is the candle's volume exactly.
  const core::Decimal min_qty = core::Decimal::from_raw(kMinTradeQtyRaw);
  const bool empty = !bar.volume.is_positive();
  const core::Decimal part = empty ? min_qty : even_part(bar.volume, path.size);
  core::Decimal assigned;
  core::Decimal last = previous_price;
  for (std::size_t i = 0; i < path.size; ++i) {
    PathTrade& t = path.trades[i];
    t.time = bar.open_time + offsets[slot[i]];
    t.qty = (i + 1 == path.size && !empty) ? bar.volume - assigned : part;
    if (!t.qty.is_positive())
      t.qty = min_qty;  // a volume smaller than the parts: never a zero trade
    assigned += t.qty;
    t.side = (last.is_zero() || t.price >= last) ? core::Side::kBuy : core::Side::kSell;
    t.continuous = i > 0;
    last = t.price;
  }
  return path;
}

}  // namespace tg4::backtest
