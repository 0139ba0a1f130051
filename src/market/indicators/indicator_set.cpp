#include "market/indicators/indicator_set.hpp"

namespace tg4::market {

const std::array<IndicatorColumn, 30> kIndicatorColumns{{
    {"ema_9", &IndicatorSnapshot::ema_9},
    {"ema_21", &IndicatorSnapshot::ema_21},
    {"ema_50", &IndicatorSnapshot::ema_50},
    {"ema_200", &IndicatorSnapshot::ema_200},
    {"sma_20", &IndicatorSnapshot::sma_20},
    {"sma_50", &IndicatorSnapshot::sma_50},
    {"sma_200", &IndicatorSnapshot::sma_200},
    {"rsi_14", &IndicatorSnapshot::rsi_14},
    {"macd_line", &IndicatorSnapshot::macd_line},
    {"macd_signal", &IndicatorSnapshot::macd_signal},
    {"macd_hist", &IndicatorSnapshot::macd_hist},
    {"atr_14", &IndicatorSnapshot::atr_14},
    {"adx_14", &IndicatorSnapshot::adx_14},
    {"plus_di_14", &IndicatorSnapshot::plus_di_14},
    {"minus_di_14", &IndicatorSnapshot::minus_di_14},
    {"bb_upper", &IndicatorSnapshot::bb_upper},
    {"bb_middle", &IndicatorSnapshot::bb_middle},
    {"bb_lower", &IndicatorSnapshot::bb_lower},
    {"bb_width", &IndicatorSnapshot::bb_width},
    {"bb_percent_b", &IndicatorSnapshot::bb_percent_b},
    {"obv", &IndicatorSnapshot::obv},
    {"chop_14", &IndicatorSnapshot::chop_14},
    {"supertrend", &IndicatorSnapshot::supertrend},
    {"supertrend_dir", &IndicatorSnapshot::supertrend_dir},
    {"stochrsi_k", &IndicatorSnapshot::stochrsi_k},
    {"stochrsi_d", &IndicatorSnapshot::stochrsi_d},
    {"roc_10", &IndicatorSnapshot::roc_10},
    {"vwap", &IndicatorSnapshot::vwap},
    {"volume_sma_20", &IndicatorSnapshot::volume_sma_20},
    {"volume_ratio", &IndicatorSnapshot::volume_ratio},
}};

Ohlcv to_ohlcv(const core::Bar& bar) {
  return Ohlcv{bar.open_time.seconds(), bar.open.to_double(),  bar.high.to_double(),
               bar.low.to_double(),     bar.close.to_double(), bar.volume.to_double()};
}

IndicatorSet::IndicatorSet(IndicatorScope scope)
    : scope_(scope),
      ema9_(9),
      ema21_(21),
      ema50_(50),
      ema200_(200),
      sma20_(20),
      sma50_(50),
      sma200_(200),
      rsi14_(14),
      macd_(12, 26, 9),
      atr14_(14),
      adx14_(14),
      bb_(20, 2.0),
      chop_(14),
      keltner_(20, 10, 2.0),
      squeeze_keltner_(20, 20, 1.5),
      donchian_(20),
      supertrend_(10, 3.0),
      stoch_rsi_(14, 14, 3, 3),
      roc_(10),
      volume_sma_(20) {}

// What every snapshot says of the bar itself, whatever the scope.
void IndicatorSet::note_bar(const Ohlcv& b) {
  snap_.time_s = b.time_s;
  ++snap_.bars;
  snap_.close = b.close;
  snap_.volume = b.volume;
}

void IndicatorSet::update_volatility(const Ohlcv& b) {
  atr14_.update(b);
  note_bar(b);
  snap_.atr_14 = atr14_.value();
}

void IndicatorSet::update(const Ohlcv& b) {
  if (scope_ == IndicatorScope::kVolatility) return update_volatility(b);
  ema9_.update(b.close);
  ema21_.update(b.close);
  ema50_.update(b.close);
  ema200_.update(b.close);
  sma20_.update(b.close);
  sma50_.update(b.close);
  sma200_.update(b.close);
  rsi14_.update(b.close);
  macd_.update(b.close);
  atr14_.update(b);
  adx14_.update(b);
  bb_.update(b.close);
  obv_.update(b);
  chop_.update(b);
  keltner_.update(b);
  squeeze_keltner_.update(b);
  donchian_.update(b);
  vwap_.update(b);
  supertrend_.update(b);
  stoch_rsi_.update(b.close);
  roc_.update(b.close);
  volume_sma_.update(b.volume);

  note_bar(b);
  IndicatorSnapshot& s = snap_;
  s.ema_9 = ema9_.value();
  s.ema_21 = ema21_.value();
  s.ema_50 = ema50_.value();
  s.ema_200 = ema200_.value();
  s.sma_20 = sma20_.value();
  s.sma_50 = sma50_.value();
  s.sma_200 = sma200_.value();
  s.rsi_14 = rsi14_.value();
  const MacdValue macd = macd_.value();
  s.macd_line = macd.line;
  s.macd_signal = macd.signal;
  s.macd_hist = macd.hist;
  s.atr_14 = atr14_.value();
  const AdxValue adx = adx14_.value();
  s.adx_14 = adx.adx;
  s.plus_di_14 = adx.plus_di;
  s.minus_di_14 = adx.minus_di;
  const BollingerValue bb = bb_.value();
  s.bb_upper = bb.upper;
  s.bb_middle = bb.middle;
  s.bb_lower = bb.lower;
  s.bb_width = bb.width;
  s.bb_percent_b = bb.percent_b;
  s.obv = obv_.value();
  s.chop_14 = chop_.value();
  const SupertrendValue st = supertrend_.value();
  s.supertrend = st.line;
  s.supertrend_dir = st.direction ? std::optional<double>(*st.direction) : std::nullopt;
  const StochRsiValue srsi = stoch_rsi_.value();
  s.stochrsi_k = srsi.k;
  s.stochrsi_d = srsi.d;
  s.roc_10 = roc_.value();
  s.vwap = vwap_.value();
  s.volume_sma_20 = volume_sma_.value();
  s.volume_ratio = s.volume_sma_20 && *s.volume_sma_20 > 0
                       ? std::optional<double>(b.volume / *s.volume_sma_20)
                       : std::nullopt;
  const BandsValue kc = keltner_.value();
  s.keltner_upper = kc.upper;
  s.keltner_middle = kc.middle;
  s.keltner_lower = kc.lower;
  const BandsValue dc = donchian_.value();
  s.donchian_upper = dc.upper;
  s.donchian_middle = dc.middle;
  s.donchian_lower = dc.lower;
  s.squeeze = squeeze_on(bb, squeeze_keltner_.value());
}

std::optional<double> trend_alignment(std::span<const IndicatorSnapshot* const> timeframes) {
  int bull = 0, bear = 0, ready = 0;
  for (const IndicatorSnapshot* s : timeframes) {
    if (s == nullptr || !s->ema_9 || !s->ema_21) continue;
    ++ready;
    if (*s->ema_9 > *s->ema_21)
      ++bull;
    else if (*s->ema_9 < *s->ema_21)
      ++bear;
  }
  if (ready == 0) return std::nullopt;
  return static_cast<double>(bull - bear) / static_cast<double>(timeframes.size());
}

}  // namespace tg4::market
