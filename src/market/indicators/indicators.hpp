#pragma once
// Incremental technical indicators (SPEC §5). Each takes one closed bar at a time in O(1)
// (amortised for rolling extremes) and has an explicit warm-up: value() is nullopt until enough
// bars were seen. Indicators are the one place where double is allowed (DESIGN principle 3); bars
// are converted from Decimal once (see Ohlcv). Definitions, seeding and the reference each was
// checked against are in docs/INDICATORS.md.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

namespace tg4::market {

// One closed bar as doubles: the indicators' only input.
struct Ohlcv {
  std::int64_t time_s = 0;  // bar open time, Unix seconds (VWAP anchors on its UTC day)
  double open = 0, high = 0, low = 0, close = 0, volume = 0;
};

// Fixed-capacity window over the last `capacity` values; the oldest falls out on push.
class Window {
 public:
  explicit Window(int capacity) : values_(static_cast<std::size_t>(capacity > 0 ? capacity : 1)) {}
  // Pushes x; returns the value that fell out, if the window was full.
  std::optional<double> push(double x) {
    std::optional<double> out;
    if (size_ == values_.size())
      out = values_[head_];
    else
      ++size_;
    values_[head_] = x;
    head_ = head_ + 1 == values_.size() ? 0 : head_ + 1;
    return out;
  }
  bool full() const { return size_ == values_.size(); }
  std::size_t size() const { return size_; }
  std::size_t capacity() const { return values_.size(); }

 private:
  std::vector<double> values_;
  std::size_t head_ = 0, size_ = 0;
};

// Highest (Max = true) or lowest value of the last `period` values: a monotonic queue, amortised
// O(1).
template <bool Max>
class RollingExtreme {
 public:
  explicit RollingExtreme(int period)
      : period_(period > 0 ? period : 1), slots_(static_cast<std::size_t>(period_ + 1)) {}
  void update(double x) {
    const std::int64_t i = count_++;
    while (size_ > 0 && dominated(slots_[wrap(first_ + size_ - 1)].value, x)) --size_;
    slots_[wrap(first_ + size_)] = {i, x};
    ++size_;
    if (slots_[first_].index <= i - period_) {
      first_ = wrap(first_ + 1);
      --size_;
    }
  }
  bool ready() const { return count_ >= period_; }
  double current() const { return slots_[first_].value; }  // over the values seen so far
  std::optional<double> value() const {
    return ready() ? std::optional<double>(current()) : std::nullopt;
  }

 private:
  struct Slot {
    std::int64_t index = 0;
    double value = 0;
  };
  static bool dominated(double old_value, double x) {
    return Max ? old_value <= x : old_value >= x;
  }
  // Ring index without a division (positions never exceed twice the capacity).
  std::size_t wrap(std::size_t i) const { return i >= slots_.size() ? i - slots_.size() : i; }
  std::int64_t period_;
  std::vector<Slot> slots_;
  std::size_t first_ = 0, size_ = 0;
  std::int64_t count_ = 0;
};
using RollingMax = RollingExtreme<true>;
using RollingMin = RollingExtreme<false>;

// Simple moving average over a running sum.
class Sma {
 public:
  explicit Sma(int period) : window_(period) {}
  void update(double x) {
    if (auto out = window_.push(x)) sum_ -= *out;
    sum_ += x;
  }
  bool ready() const { return window_.full(); }
  double current() const { return sum_ / static_cast<double>(window_.capacity()); }
  std::optional<double> value() const {
    return ready() ? std::optional<double>(current()) : std::nullopt;
  }
  int period() const { return static_cast<int>(window_.capacity()); }

 private:
  Window window_;
  double sum_ = 0;
};

// Exponential average with smoothing `alpha`, seeded with the SMA of the first `period` values: EMA
// uses alpha = 2/(n+1); Wilder's RMA (RSI, ATR, ADX) uses alpha = 1/n.
class SeededAverage {
 public:
  SeededAverage(int period, double alpha) : seed_(period), alpha_(alpha) {}
  void update(double x) {
    if (ready_) {
      value_ += (x - value_) * alpha_;
      return;
    }
    seed_.update(x);
    if (seed_.ready()) {
      value_ = seed_.current();
      ready_ = true;
    }
  }
  bool ready() const { return ready_; }
  double current() const { return value_; }
  std::optional<double> value() const {
    return ready_ ? std::optional<double>(value_) : std::nullopt;
  }

 private:
  Sma seed_;
  double alpha_;
  double value_ = 0;
  bool ready_ = false;
};

class Ema : public SeededAverage {
 public:
  explicit Ema(int period) : SeededAverage(period, 2.0 / (period + 1.0)) {}
};

class Wilder : public SeededAverage {
 public:
  explicit Wilder(int period) : SeededAverage(period, 1.0 / period) {}
};

// True range; undefined on the first bar (no previous close).
class TrueRange {
 public:
  std::optional<double> update(const Ohlcv& b) {
    std::optional<double> tr;
    if (has_prev_) {
      tr = std::max(b.high - b.low,
                    std::max(std::fabs(b.high - prev_close_), std::fabs(b.low - prev_close_)));
    }
    prev_close_ = b.close;
    has_prev_ = true;
    return tr;
  }

 private:
  double prev_close_ = 0;
  bool has_prev_ = false;
};

// Wilder's RSI: average gain / average loss, each an RMA seeded with the mean of the first n
// changes.
class Rsi {
 public:
  explicit Rsi(int period) : gain_(period), loss_(period) {}
  void update(double close);
  bool ready() const { return gain_.ready(); }
  double current() const;
  std::optional<double> value() const {
    return ready() ? std::optional<double>(current()) : std::nullopt;
  }

 private:
  Wilder gain_, loss_;
  double prev_ = 0;
  bool has_prev_ = false;
};

struct MacdValue {
  std::optional<double> line, signal, hist;
};
class Macd {
 public:
  Macd(int fast, int slow, int signal) : fast_(fast), slow_(slow), signal_(signal) {}
  void update(double close);
  MacdValue value() const;

 private:
  Ema fast_, slow_, signal_;
};

class Atr {
 public:
  explicit Atr(int period) : avg_(period) {}
  void update(const Ohlcv& b) {
    if (auto tr = tr_.update(b)) avg_.update(*tr);
  }
  bool ready() const { return avg_.ready(); }
  double current() const { return avg_.current(); }
  std::optional<double> value() const { return avg_.value(); }

 private:
  TrueRange tr_;
  Wilder avg_;
};

struct AdxValue {
  std::optional<double> adx, plus_di, minus_di;
};
// Wilder's ADX with +DI/-DI: RMA-smoothed TR, +DM, -DM; DX smoothed by another RMA.
class Adx {
 public:
  explicit Adx(int period)
      : tr_avg_(period), plus_avg_(period), minus_avg_(period), dx_avg_(period) {}
  void update(const Ohlcv& b);
  AdxValue value() const;

 private:
  TrueRange tr_;
  Wilder tr_avg_, plus_avg_, minus_avg_, dx_avg_;
  double prev_high_ = 0, prev_low_ = 0;
  bool has_prev_ = false;
};

struct BandsValue {
  std::optional<double> upper, middle, lower;
};
struct BollingerValue {
  std::optional<double> upper, middle, lower, width, percent_b;
};
// Bollinger bands: SMA ± k population standard deviations. Mean and squared deviations are kept
// with a sliding Welford update, which avoids the cancellation of sum(x^2) - n*mean^2 at price
// scale.
class Bollinger {
 public:
  Bollinger(int period, double k) : window_(period), k_(k) {}
  void update(double close);
  bool ready() const { return window_.full(); }
  BollingerValue value() const;

 private:
  Window window_;
  double k_;
  double mean_ = 0, m2_ = 0, close_ = 0;
};

// On-balance volume: 0 on the first bar, then +/- the bar's volume as the close rises/falls.
class Obv {
 public:
  void update(const Ohlcv& b);
  std::optional<double> value() const {
    return started_ ? std::optional<double>(obv_) : std::nullopt;
  }

 private:
  double obv_ = 0, prev_close_ = 0;
  bool started_ = false;
};

// Choppiness index: 100 * log10(sum TR(n) / (highest high(n) - lowest low(n))) / log10(n), over the
// last n bars that have a true range (so the first value is on bar n, 0-based).
class Choppiness {
 public:
  explicit Choppiness(int period)
      : period_(period),
        log_period_(std::log10(static_cast<double>(period))),
        tr_sum_(period),
        high_(period),
        low_(period) {}
  void update(const Ohlcv& b);
  std::optional<double> value() const;

 private:
  int period_;
  double log_period_;  // log10(period), taken once: value() runs on every bar of every timeframe
  TrueRange tr_;
  Sma tr_sum_;  // mean * n = sum
  RollingMax high_;
  RollingMin low_;
};

// Keltner channel: EMA(ema_period) ± mult * ATR(atr_period).
class Keltner {
 public:
  Keltner(int ema_period, int atr_period, double mult)
      : ema_(ema_period), atr_(atr_period), mult_(mult) {}
  void update(const Ohlcv& b) {
    ema_.update(b.close);
    atr_.update(b);
  }
  BandsValue value() const;

 private:
  Ema ema_;
  Atr atr_;
  double mult_;
};

class Donchian {
 public:
  explicit Donchian(int period) : high_(period), low_(period) {}
  void update(const Ohlcv& b) {
    high_.update(b.high);
    low_.update(b.low);
  }
  BandsValue value() const;

 private:
  RollingMax high_;
  RollingMin low_;
};

// Session VWAP anchored on the UTC day of the bar's open time, on the typical price (h+l+c)/3.
class Vwap {
 public:
  void update(const Ohlcv& b);
  std::optional<double> value() const {
    return volume_ > 0 ? std::optional<double>(pv_ / volume_) : std::nullopt;
  }

 private:
  std::int64_t day_ = INT64_MIN;
  double pv_ = 0, volume_ = 0;
};

struct SupertrendValue {
  std::optional<double> line;
  std::optional<int> direction;  // +1 up (line is the lower band), -1 down (line is the upper band)
};
// Supertrend on hl2 with Wilder ATR: final bands ratchet toward price; the direction flips when the
// close crosses the active band. Starts in the down direction (as TradingView's ta.supertrend).
class Supertrend {
 public:
  Supertrend(int period, double mult) : atr_(period), mult_(mult) {}
  void update(const Ohlcv& b);
  SupertrendValue value() const;

 private:
  Atr atr_;
  double mult_;
  double upper_ = 0, lower_ = 0, prev_close_ = 0;
  int direction_ = 0;  // 0 until ready
};

struct StochRsiValue {
  std::optional<double> k, d;
};
// Stochastic RSI: raw = 100 * (rsi - min) / (max - min) over `stoch` RSI values (0 when flat),
// k = SMA(k_period) of raw, d = SMA(d_period) of k.
class StochRsi {
 public:
  StochRsi(int rsi_period, int stoch_period, int k_period, int d_period)
      : rsi_(rsi_period), max_(stoch_period), min_(stoch_period), k_(k_period), d_(d_period) {}
  void update(double close);
  StochRsiValue value() const { return {k_.value(), d_.value()}; }

 private:
  Rsi rsi_;
  RollingMax max_;
  RollingMin min_;
  Sma k_, d_;
};

// Rate of change in percent over `period` bars.
class Roc {
 public:
  explicit Roc(int period)
      : period_(period > 0 ? period : 1), ring_(static_cast<std::size_t>(period_ + 1)) {}
  void update(double close) { ring_[static_cast<std::size_t>(count_++ % ring_.size())] = close; }
  std::optional<double> value() const;

 private:
  std::int64_t period_;
  std::vector<double> ring_;  // the last period+1 closes
  std::int64_t count_ = 0;
};

// Squeeze: Bollinger bands entirely inside the Keltner channel (low volatility before a breakout).
std::optional<bool> squeeze_on(const BollingerValue& bb, const BandsValue& keltner);

}  // namespace tg4::market
