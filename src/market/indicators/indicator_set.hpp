#pragma once
// IndicatorSet: every SPEC §5 indicator for one symbol and timeframe, updated together on each
// closed bar, with the latest values in one flat snapshot (nullopt while an indicator warms up).
#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "core/events.hpp"
#include "market/indicators/indicators.hpp"

namespace tg4::market {

struct IndicatorSnapshot {
  std::int64_t time_s = 0;  // open time of the last bar, Unix seconds
  std::uint64_t bars = 0;   // bars seen
  double close = 0, volume = 0;
  std::optional<double> ema_9, ema_21, ema_50, ema_200;
  std::optional<double> sma_20, sma_50, sma_200;
  std::optional<double> rsi_14;
  std::optional<double> macd_line, macd_signal, macd_hist;
  std::optional<double> atr_14;
  std::optional<double> adx_14, plus_di_14, minus_di_14;
  std::optional<double> bb_upper, bb_middle, bb_lower, bb_width, bb_percent_b;
  std::optional<double> obv;
  std::optional<double> chop_14;
  std::optional<double> supertrend, supertrend_dir;  // dir: +1 up, -1 down
  std::optional<double> stochrsi_k, stochrsi_d;
  std::optional<double> roc_10;
  std::optional<double> vwap;
  std::optional<double> volume_sma_20, volume_ratio;
  std::optional<double> keltner_upper, keltner_middle, keltner_lower;     // EMA20, ATR10 x 2
  std::optional<double> donchian_upper, donchian_middle, donchian_lower;  // 20
  std::optional<bool> squeeze;  // Bollinger(20, 2) inside Keltner(EMA20, ATR20 x 1.5)
};

// The `tg4 indicators` CSV columns after `timestamp` (SPEC §12), in order.
struct IndicatorColumn {
  std::string_view name;
  std::optional<double> IndicatorSnapshot::*field;
};
extern const std::array<IndicatorColumn, 30> kIndicatorColumns;

// Bar prices and volume as doubles (the one conversion from Decimal).
Ohlcv to_ohlcv(const core::Bar& bar);

// What an IndicatorSet computes. kVolatility: ATR-14 alone (the risk engine's volatility breaker
// needs it), for runs where nothing reads the other indicators: a backtest of a strategy that keeps
// its own (StrategyNeeds::market_state false). The snapshot's other fields stay empty.
enum class IndicatorScope { kAll, kVolatility };

class IndicatorSet {
 public:
  explicit IndicatorSet(IndicatorScope scope = IndicatorScope::kAll);
  void update(const core::Bar& bar) { update(to_ohlcv(bar)); }
  void update(const Ohlcv& bar);
  const IndicatorSnapshot& snapshot() const { return snap_; }

 private:
  void note_bar(const Ohlcv& bar);
  void update_volatility(const Ohlcv& bar);

  IndicatorScope scope_;
  IndicatorSnapshot snap_;
  Ema ema9_, ema21_, ema50_, ema200_;
  Sma sma20_, sma50_, sma200_;
  Rsi rsi14_;
  Macd macd_;
  Atr atr14_;
  Adx adx14_;
  Bollinger bb_;
  Obv obv_;
  Choppiness chop_;
  Keltner keltner_, squeeze_keltner_;
  Donchian donchian_;
  Vwap vwap_;
  Supertrend supertrend_;
  StochRsi stoch_rsi_;
  Roc roc_;
  Sma volume_sma_;
};

// Multi-timeframe trend alignment: a timeframe is bullish when EMA9 > EMA21, bearish when below;
// score = (bullish - bearish) / timeframes, in [-1, 1]. Timeframes still warming up count as
// neutral; nullopt when none is ready.
std::optional<double> trend_alignment(std::span<const IndicatorSnapshot* const> timeframes);

}  // namespace tg4::market
