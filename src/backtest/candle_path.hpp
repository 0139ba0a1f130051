#pragma once
// The trades a candle is replayed as (docs/backtesting.md "Candles as trades"). A candle has no
// intrabar order, so a fixed rule gives one: open, then the extreme nearer the open in direction
// (low first for a candle that closes at or above its open, high first otherwise), then the other
// extreme, then close. Consecutive equal prices merge into one trade. The volume is split evenly
// (exact Decimal; the last trade takes the remainder), so the bar aggregator rebuilds exactly the
// candle's open, high, low, close and volume.
//
// Times inside the candle [T, T + interval): the open at T + open_delay (the paper venue's latency,
// capped at interval / 8, so an order decided when the previous candle closed at T is live by the
// open and fills at it), the extremes at T + interval / 4 and T + interval / 2, the close at
// T + 3 interval / 4. Stops and targets attached after the entry fill are live before the extremes.
// The price walks from the open through the extremes to the close, passing every level between:
// the trades after the open are continuous, so an order triggered on the way fills at its trigger.
// The open itself may gap from the previous close.
#include <array>
#include <cstddef>

#include "core/events.hpp"

namespace tg4::backtest {

struct PathTrade {
  core::Timestamp time;
  core::Decimal price;
  core::Decimal qty;
  core::Side side =
      core::Side::kBuy;  // taker side: buy when the price rose from the previous trade
  bool continuous = false;  // walked to from the previous trade (all but the open): core::Trade
};

struct CandlePath {
  std::array<PathTrade, 4> trades;
  std::size_t size = 0;
};

// The smallest quantity a synthetic trade carries: zero-volume candles still need positive trades.
inline constexpr std::int64_t kMinTradeQtyRaw = 10'000'000'000;  // 1e-8 in Decimal raw units

// `previous_price`: the last trade before this candle (zero for the first), for the open's side.
CandlePath candle_path(const core::Bar& bar, core::Duration interval, core::Duration open_delay,
                       core::Decimal previous_price);

// The time offset of each of the four path slots for an interval and latency.
std::array<core::Duration, 4> path_offsets(core::Duration interval, core::Duration open_delay);

}  // namespace tg4::backtest
