#include "agents/decision_prompt.hpp"

#include <fmt/format.h>
#include <openssl/evp.h>

#include <algorithm>
#include <cmath>
#include <iterator>
#include <string_view>

#include "core/time.hpp"

namespace tg4::agents {
namespace {

using market::IndicatorSnapshot;
using std::optional;

constexpr std::size_t kPromptBars = 10;

constexpr std::string_view kSystem =
    "You are a cautious crypto trading analyst for a spot/margin account. You are shown the market "
    "of one symbol (last price, the indicators of each timeframe, the latest closed bars, the "
    "order "
    "book) and the position held, and you decide one action:\n"
    "- BUY: open or add to a long position.\n"
    "- SELL: open or add to a short position (margin).\n"
    "- CLOSE: close the position held.\n"
    "- HOLD: do nothing. Prefer HOLD when the timeframes disagree, the data is thin or the edge is "
    "small.\n"
    "Every proposal passes a risk engine before any order; by default it rejects a stop nearer "
    "than "
    "0.5 % or farther than 5 % from the entry, and a target less than 1.5 times as far from the "
    "entry as the stop.\n"
    "Answer with one JSON object only, no other text, with exactly these fields:\n"
    "{\"action\": \"BUY\" | \"SELL\" | \"HOLD\" | \"CLOSE\", \"confidence\": number 0..1, "
    "\"entry\": price or null, \"stop\": price or null, \"target\": price or null, "
    "\"size_pct\": number 0..100 (percent of equity), \"reasoning\": string (one or two "
    "sentences)}\n"
    "For BUY the stop is below the entry and the target above it; for SELL the stop is above the "
    "entry and the target below it. HOLD and CLOSE need no prices (null).";

// `value` with about `significant` significant digits, in plain notation, without trailing zeros:
// 45281.53 -> "45281.53", 0.000012345678 -> "0.000012345678". fmt never reads the locale here.
std::string sig(double value, int significant = 8) {
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

// "1m", "15m", "1h", "4h", "1d", "1w"
std::string timeframe_label(int minutes) {
  if (minutes > 0 && minutes % 10080 == 0) return fmt::format("{}w", minutes / 10080);
  if (minutes > 0 && minutes % 1440 == 0) return fmt::format("{}d", minutes / 1440);
  if (minutes > 0 && minutes % 60 == 0) return fmt::format("{}h", minutes / 60);
  return fmt::format("{}m", minutes);
}

// The parts of a line that are ready, joined by ", ".
class Parts {
 public:
  void add(std::string text) { parts_.push_back(std::move(text)); }
  void add(std::string_view name, const optional<double>& value, int significant = 8) {
    if (value) add(fmt::format("{} {}", name, sig(*value, significant)));
  }
  void add_fixed(std::string_view name, const optional<double>& value, int decimals) {
    if (value) add(fmt::format("{} {}", name, fixed(*value, decimals)));
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
  if (s.bb_upper && s.bb_middle && s.bb_lower) {
    std::string bb = fmt::format("Bollinger upper {} middle {} lower {}", sig(*s.bb_upper),
                                 sig(*s.bb_middle), sig(*s.bb_lower));
    if (s.bb_percent_b) bb += fmt::format(" (%B {})", fixed(*s.bb_percent_b, 2));
    volatility.add(std::move(bb));
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

void write_bars(std::string& out, const market::TimeframeState& tf) {
  const auto& bars = tf.bars();
  if (bars.empty()) return;
  const std::size_t n = std::min(kPromptBars, bars.size());
  out += fmt::format(
      "\nLast {} closed {} bars, oldest first (open time, open, high, low, close, volume):\n", n,
      timeframe_label(tf.interval_minutes()));
  for (auto it = bars.end() - static_cast<std::ptrdiff_t>(n); it != bars.end(); ++it) {
    out += fmt::format("{} {} {} {} {} {}\n", core::format_rfc3339(it->open_time, 0), it->open,
                       it->high, it->low, it->close, it->volume);
  }
}

void write_book(std::string& out, const market::BookFeatures& b) {
  out += fmt::format(
      "\nOrder book: best bid {}, best ask {}, spread {} bps, imbalance {} (-1 all asks .. +1 all "
      "bids)\n",
      sig(b.best_bid), sig(b.best_ask), fixed(b.spread_bps, 2), signed_fixed(b.imbalance, 3));
  out +=
      fmt::format("  depth of the levels held: bids {}, asks {} (base); bids {}, asks {} (quote)\n",
                  sig(b.bid_depth, 6), sig(b.ask_depth, 6), sig(b.bid_depth_quote, 6),
                  sig(b.ask_depth_quote, 6));
  for (std::size_t i = 0; i < market::BookFeatures::kBandsPct.size(); ++i) {
    out += fmt::format("  within {} % of the mid: bids {}, asks {} (quote)\n",
                       market::BookFeatures::kBandsPct[i], sig(b.bid_depth_within[i], 6),
                       sig(b.ask_depth_within[i], 6));
  }
}

std::string position_text(const core::Decimal& qty) {
  if (qty.is_zero()) return "flat (no position)";
  return fmt::format("{} {}", qty.is_positive() ? "long" : "short", qty.abs());
}

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

std::string user_text(const strategy::AdviceRequest& request, const market::SymbolMarket& market) {
  std::string out;
  out += fmt::format("Symbol: {}\n", request.symbol);
  out += fmt::format("Time: {}\n", core::format_rfc3339(request.time, 0));
  out += fmt::format("Last price: {}\n",
                     market.last_price() ? market.last_price()->to_string() : "unknown");
  out += fmt::format("Position: {}\n", position_text(request.position_qty));
  out += fmt::format("Data quality: {}\n", quality_text(market.quality(request.time)));
  if (const auto alignment = market.trend_alignment()) {
    out += fmt::format(
        "Trend alignment over the timeframes (EMA9 vs EMA21; -1 all bearish .. +1 all bullish): "
        "{}\n",
        signed_fixed(*alignment, 2));
  }
  out += '\n';
  for (const market::TimeframeState& tf : market.timeframes()) write_indicators(out, tf);
  if (!market.timeframes().empty()) write_bars(out, market.timeframes().front());
  if (market.book()) write_book(out, *market.book());
  out += "\nDecide one action for " + request.symbol + " and answer with the JSON object only.\n";
  return out;
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

DecisionPrompt decision_prompt(const strategy::AdviceRequest& request,
                               const market::SymbolMarket& market) {
  DecisionPrompt prompt;
  prompt.chat.system = std::string(kSystem);
  prompt.chat.user = user_text(request, market);
  prompt.chat.max_tokens = 600;
  prompt.chat.json = true;
  prompt.hash = sha256_hex(prompt.chat.system + "\n" + prompt.chat.user);
  return prompt;
}

}  // namespace tg4::agents
