#include "market/indicators/indicators.hpp"

namespace tg4::market {

void Rsi::update(double close) {
  if (has_prev_) {
    const double change = close - prev_;
    gain_.update(change > 0 ? change : 0.0);
    loss_.update(change < 0 ? -change : 0.0);
  }
  prev_ = close;
  has_prev_ = true;
}

double Rsi::current() const {
  const double gain = gain_.current();
  const double loss = loss_.current();
  if (loss == 0) return gain == 0 ? 50.0 : 100.0;  // no movement at all is neutral
  return 100.0 - 100.0 / (1.0 + gain / loss);
}

void Macd::update(double close) {
  fast_.update(close);
  slow_.update(close);
  if (slow_.ready()) signal_.update(fast_.current() - slow_.current());
}

MacdValue Macd::value() const {
  MacdValue v;
  if (!slow_.ready()) return v;
  v.line = fast_.current() - slow_.current();
  if (signal_.ready()) {
    v.signal = signal_.current();
    v.hist = *v.line - *v.signal;
  }
  return v;
}

void Adx::update(const Ohlcv& b) {
  const auto tr = tr_.update(b);
  if (has_prev_ && tr) {
    const double up = b.high - prev_high_;
    const double down = prev_low_ - b.low;
    plus_avg_.update(up > down && up > 0 ? up : 0.0);
    minus_avg_.update(down > up && down > 0 ? down : 0.0);
    tr_avg_.update(*tr);
    if (tr_avg_.ready() && tr_avg_.current() > 0) {
      const double plus = 100.0 * plus_avg_.current() / tr_avg_.current();
      const double minus = 100.0 * minus_avg_.current() / tr_avg_.current();
      const double sum = plus + minus;
      dx_avg_.update(sum > 0 ? 100.0 * std::fabs(plus - minus) / sum : 0.0);
    } else if (tr_avg_.ready()) {
      dx_avg_.update(0.0);  // a market with no range at all has no direction
    }
  }
  prev_high_ = b.high;
  prev_low_ = b.low;
  has_prev_ = true;
}

AdxValue Adx::value() const {
  AdxValue v;
  if (!tr_avg_.ready()) return v;
  const double tr = tr_avg_.current();
  v.plus_di = tr > 0 ? 100.0 * plus_avg_.current() / tr : 0.0;
  v.minus_di = tr > 0 ? 100.0 * minus_avg_.current() / tr : 0.0;
  v.adx = dx_avg_.value();
  return v;
}

void Bollinger::update(double close) {
  close_ = close;
  const std::size_t before = window_.size();
  if (auto out = window_.push(close)) {
    // Replace `out` by `close` in a full window of n values.
    const double n = static_cast<double>(window_.capacity());
    const double old_mean = mean_;
    mean_ += (close - *out) / n;
    m2_ += (close - *out) * (close - mean_ + *out - old_mean);
  } else {
    const double n = static_cast<double>(before + 1);
    const double delta = close - mean_;
    mean_ += delta / n;
    m2_ += delta * (close - mean_);
  }
  if (m2_ < 0) m2_ = 0;  // rounding can leave a tiny negative on a flat window
}

BollingerValue Bollinger::value() const {
  BollingerValue v;
  if (!ready()) return v;
  const double sd = std::sqrt(m2_ / static_cast<double>(window_.capacity()));
  const double upper = mean_ + k_ * sd;
  const double lower = mean_ - k_ * sd;
  v.upper = upper;
  v.middle = mean_;
  v.lower = lower;
  if (mean_ != 0) v.width = (upper - lower) / mean_;
  v.percent_b = upper > lower ? (close_ - lower) / (upper - lower) : 0.5;
  return v;
}

void Obv::update(const Ohlcv& b) {
  if (started_) {
    if (b.close > prev_close_)
      obv_ += b.volume;
    else if (b.close < prev_close_)
      obv_ -= b.volume;
  }
  prev_close_ = b.close;
  started_ = true;
}

void Choppiness::update(const Ohlcv& b) {
  const auto tr = tr_.update(b);
  if (!tr) return;
  tr_sum_.update(*tr);
  high_.update(b.high);
  low_.update(b.low);
}

std::optional<double> Choppiness::value() const {
  if (!tr_sum_.ready()) return std::nullopt;
  const double range = high_.current() - low_.current();
  const double sum = tr_sum_.current() * period_;
  if (range <= 0 || sum <= 0) return 100.0;  // no range: as choppy as it gets
  return 100.0 * std::log10(sum / range) / log_period_;
}

BandsValue Keltner::value() const {
  BandsValue v;
  if (!ema_.ready() || !atr_.ready()) return v;
  v.middle = ema_.current();
  v.upper = ema_.current() + mult_ * atr_.current();
  v.lower = ema_.current() - mult_ * atr_.current();
  return v;
}

BandsValue Donchian::value() const {
  BandsValue v;
  if (!high_.ready()) return v;
  v.upper = high_.current();
  v.lower = low_.current();
  v.middle = (high_.current() + low_.current()) / 2.0;
  return v;
}

void Vwap::update(const Ohlcv& b) {
  constexpr std::int64_t kDay = 86'400;
  const std::int64_t day = b.time_s >= 0 ? b.time_s / kDay : -((-b.time_s + kDay - 1) / kDay);
  if (day != day_) {
    day_ = day;
    pv_ = 0;
    volume_ = 0;
  }
  pv_ += (b.high + b.low + b.close) / 3.0 * b.volume;
  volume_ += b.volume;
}

void Supertrend::update(const Ohlcv& b) {
  atr_.update(b);
  if (!atr_.ready()) {
    prev_close_ = b.close;
    return;
  }
  const double hl2 = (b.high + b.low) / 2.0;
  const double basic_upper = hl2 + mult_ * atr_.current();
  const double basic_lower = hl2 - mult_ * atr_.current();
  if (direction_ == 0) {
    upper_ = basic_upper;
    lower_ = basic_lower;
    direction_ = -1;
  } else {
    // A band only moves toward price, unless the previous close broke through it.
    const bool was_up = direction_ > 0;
    upper_ = (basic_upper < upper_ || prev_close_ > upper_) ? basic_upper : upper_;
    lower_ = (basic_lower > lower_ || prev_close_ < lower_) ? basic_lower : lower_;
    if (was_up)
      direction_ = b.close < lower_ ? -1 : 1;
    else
      direction_ = b.close > upper_ ? 1 : -1;
  }
  prev_close_ = b.close;
}

SupertrendValue Supertrend::value() const {
  SupertrendValue v;
  if (direction_ == 0) return v;
  v.direction = direction_;
  v.line = direction_ > 0 ? lower_ : upper_;
  return v;
}

void StochRsi::update(double close) {
  rsi_.update(close);
  if (!rsi_.ready()) return;
  const double rsi = rsi_.current();
  max_.update(rsi);
  min_.update(rsi);
  if (!max_.ready()) return;
  const double range = max_.current() - min_.current();
  k_.update(range > 0 ? 100.0 * (rsi - min_.current()) / range : 0.0);
  if (k_.ready()) d_.update(k_.current());
}

std::optional<double> Roc::value() const {
  if (count_ <= period_) return std::nullopt;
  const auto size = static_cast<std::int64_t>(ring_.size());
  const double now = ring_[static_cast<std::size_t>((count_ - 1) % size)];
  const double then = ring_[static_cast<std::size_t>((count_ - 1 - period_) % size)];
  if (then == 0) return std::nullopt;
  return (now - then) / then * 100.0;
}

std::optional<bool> squeeze_on(const BollingerValue& bb, const BandsValue& keltner) {
  if (!bb.upper || !keltner.upper) return std::nullopt;
  return *bb.upper<*keltner.upper&& * bb.lower> * keltner.lower;
}

}  // namespace tg4::market
