#include "agents/prompt_text.hpp"

#include <fmt/format.h>
#include <openssl/evp.h>

#include <algorithm>
#include <cmath>
#include <iterator>
#include <optional>
#include <vector>

namespace tg4::agents {
namespace {

using market::IndicatorSnapshot;
using std::optional;

// The parts of a line that are ready, joined by ", ".
class Parts {
 public:
  void add(std::string text) { parts_.push_back(std::move(text)); }
  void add(std::string_view name, const optional<double>& value, int significant = 8) {
    if (value) add(fmt::format("{} {}", name, prompt_text::sig(*value, significant)));
  }
  void add_fixed(std::string_view name, const optional<double>& value, int decimals) {
    if (value) add(fmt::format("{} {}", name, prompt_text::fixed(*value, decimals)));
  }
  void write_line(std::string& out, std::string_view label) const {
    if (parts_.empty()) return;
    out += fmt::format("  {}: ", label);
    for (std::size_t i = 0; i < parts_.size(); ++i) {
      if (i > 0) out += ", ";
      out += parts_[i];
    }
    out += '\n';
  }

 private:
  std::vector<std::string> parts_;
};

std::string quality_text(const market::QualityFlags& q) {
  if (q.ok()) return "ok";
  std::string text;
  const auto note = [&text](std::string_view what) {
    text += text.empty() ? std::string(what) : fmt::format("; {}", what);
  };
  if (q.stale) note("stale (nothing new for more than 60 s)");
  if (q.too_few_candles)
    note(fmt::format("too few candles (fewer than {} on the base timeframe)",
                     market::QualityFlags::kMinCandles));
  if (q.no_order_book) note("no order book");
  return text;
}

std::string sha256_hex(std::string_view text) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(text.data(), text.size(), digest, &length, EVP_sha256(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(2 * length);
  for (unsigned int i = 0; i < length; ++i) {
    hex += kHex[digest[i] >> 4];
    hex += kHex[digest[i] & 0x0f];
  }
  return hex;
}

}  // namespace

Prompt make_prompt(std::string system, std::string user, int max_tokens) {
  Prompt prompt;
  prompt.chat.system = std::move(system);
  prompt.chat.user = std::move(user);
  prompt.chat.max_tokens = max_tokens;
  prompt.chat.json = true;
  prompt.hash = sha256_hex(prompt.chat.system + "\n" + prompt.chat.user);
  return prompt;
}

namespace prompt_text {

// fmt never reads the locale here.
std::string sig(double value, int significant) {
  if (value == 0 || !std::isfinite(value)) return "0";
  const int magnitude = static_cast<int>(std::floor(std::log10(std::fabs(value))));
  const int decimals = std::clamp(significant - 1 - magnitude, 0, 12);
  std::string text = fmt::format("{:.{}f}", value, decimals);
  if (text.find('.') != std::string::npos) {
    text.erase(text.find_last_not_of('0') + 1);
    if (text.back() == '.') text.pop_back();
  }
  if (text == "-0") text = "0";
  return text;
}

std::string fixed(double value, int decimals) {
  std::string text = fmt::format("{:.{}f}", value, decimals);
  if (text.find_first_not_of("-0.") == std::string::npos)
    text = fmt::format("{:.{}f}", 0.0, decimals);
  return text;
}

std::string signed_fixed(double value, int decimals) {
  const std::string text = fixed(value, decimals);
  return text.front() == '-' || text.find_first_not_of("0.") == std::string::npos ? text
                                                                                  : "+" + text;
}

std::string position_text(const core::Decimal& qty) {
  if (qty.is_zero()) return "flat (no position)";
  return fmt::format("{} {}", qty.is_positive() ? "long" : "short", qty.abs());
}

std::string timeframe_label(int minutes) {
  if (minutes > 0 && minutes % 10080 == 0) return fmt::format("{}w", minutes / 10080);
  if (minutes > 0 && minutes % 1440 == 0) return fmt::format("{}d", minutes / 1440);
  if (minutes > 0 && minutes % 60 == 0) return fmt::format("{}h", minutes / 60);
  return fmt::format("{}m", minutes);
}

void write_symbol(std::string& out, std::string_view symbol, core::Timestamp time,
                  const market::SymbolMarket& market) {
  out += fmt::format("Symbol: {}\n", symbol);
  out += fmt::format("Time: {}\n", core::format_rfc3339(time, 0));
  out += fmt::format("Last price: {}\n",
                     market.last_price() ? market.last_price()->to_string() : "unknown");
}

void write_quality(std::string& out, const market::SymbolMarket& market, core::Timestamp time) {
  out += fmt::format("Data quality: {}\n", quality_text(market.quality(time)));
  if (const auto alignment = market.trend_alignment()) {
    out += fmt::format(
        "Trend alignment over the timeframes (EMA9 vs EMA21; -1 all bearish .. +1 all bullish): "
        "{}\n",
        signed_fixed(*alignment, 2));
  }
}

void write_indicators(std::string& out, const market::TimeframeState& tf) {
  const IndicatorSnapshot& s = tf.indicators();
  const std::string label = timeframe_label(tf.interval_minutes());
  if (s.bars == 0) {
    out += fmt::format("Timeframe {}: no closed bars yet\n", label);
    return;
  }
  out +=
      fmt::format("Timeframe {} ({} closed bars, the last opened {}): close {}\n", label, s.bars,
                  core::format_rfc3339(core::Timestamp::from_seconds(s.time_s), 0), sig(s.close));

  Parts trend;
  trend.add("EMA9", s.ema_9);
  trend.add("EMA21", s.ema_21);
  trend.add("EMA50", s.ema_50);
  trend.add("EMA200", s.ema_200);
  if (s.supertrend_dir && s.supertrend) {
    trend.add(fmt::format("supertrend {} at {}", *s.supertrend_dir > 0 ? "up" : "down",
                          sig(*s.supertrend)));
  }
  if (s.adx_14) {
    std::string adx = fmt::format("ADX14 {}", fixed(*s.adx_14, 1));
    if (s.plus_di_14 && s.minus_di_14) {
      adx += fmt::format(" (+DI {}, -DI {})", fixed(*s.plus_di_14, 1), fixed(*s.minus_di_14, 1));
    }
    trend.add(std::move(adx));
  }
  trend.write_line(out, "trend");

  Parts momentum;
  momentum.add_fixed("RSI14", s.rsi_14, 1);
  if (s.macd_line && s.macd_signal && s.macd_hist) {
    momentum.add(fmt::format("MACD line {} signal {} hist {}", sig(*s.macd_line, 5),
                             sig(*s.macd_signal, 5), sig(*s.macd_hist, 5)));
  }
  if (s.stochrsi_k) {
    momentum.add(fmt::format("StochRSI K {}{}", fixed(*s.stochrsi_k, 1),
                             s.stochrsi_d ? fmt::format(" D {}", fixed(*s.stochrsi_d, 1)) : ""));
  }
  if (s.roc_10) momentum.add(fmt::format("ROC10 {} %", signed_fixed(*s.roc_10, 2)));
  momentum.write_line(out, "momentum");

  Parts volatility;
  volatility.add("ATR14", s.atr_14, 5);
  if (s.atr_14 && s.close > 0) {
    volatility.add(fmt::format("ATR14 {} % of the close", fixed(100 * *s.atr_14 / s.close, 2)));
  }
  if (s.bb_upper && s.bb_middle && s.bb_lower) {
    std::string bb = fmt::format("Bollinger upper {} middle {} lower {}", sig(*s.bb_upper),
                                 sig(*s.bb_middle), sig(*s.bb_lower));
    if (s.bb_percent_b) bb += fmt::format(" (%B {})", fixed(*s.bb_percent_b, 2));
    volatility.add(std::move(bb));
  }
  if (s.bb_width) {
    volatility.add(fmt::format("Bollinger width {} % of the middle", fixed(100 * *s.bb_width, 2)));
  }
  volatility.add_fixed("choppiness14", s.chop_14, 1);
  if (s.squeeze) volatility.add(fmt::format("squeeze {}", *s.squeeze ? "on" : "off"));
  volatility.write_line(out, "volatility");

  Parts volume;
  volume.add(fmt::format("last bar {}", sig(s.volume, 6)));
  volume.add_fixed("ratio to its 20-bar mean", s.volume_ratio, 2);
  volume.add("VWAP (UTC day)", s.vwap);
  volume.write_line(out, "volume");
}

void write_bars(std::string& out, const market::TimeframeState& tf, std::size_t count) {
  const auto& bars = tf.bars();
  if (bars.empty() || count == 0) return;
  const std::size_t n = std::min(count, bars.size());
  out += fmt::format(
      "\nLast {} closed {} bars, oldest first (open time, open, high, low, close, volume):\n", n,
      timeframe_label(tf.interval_minutes()));
  for (auto it = bars.end() - static_cast<std::ptrdiff_t>(n); it != bars.end(); ++it) {
    out += fmt::format("{} {} {} {} {} {}\n", core::format_rfc3339(it->open_time, 0), it->open,
                       it->high, it->low, it->close, it->volume);
  }
}

std::string one_timeframe_question(std::string_view symbol, int timeframe_minutes,
                                   core::Timestamp time, const market::SymbolMarket& market,
                                   std::string_view ask, std::size_t bars) {
  const std::string label = timeframe_label(timeframe_minutes);
  std::string out;
  write_symbol(out, symbol, time, market);
  write_quality(out, market, time);
  out += '\n';
  const market::TimeframeState* tf = market.timeframe(timeframe_minutes);
  if (tf == nullptr) {
    out += fmt::format("Timeframe {}: not tracked, no bars\n", label);
  } else {
    write_indicators(out, *tf);
    write_bars(out, *tf, bars);
  }
  out += fmt::format("\n{} {} on the {} timeframe and answer with the JSON object only.\n", ask,
                     symbol, label);
  return out;
}

}  // namespace prompt_text
}  // namespace tg4::agents
