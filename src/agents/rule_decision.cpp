#include "agents/rule_decision.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace tg4::agents {
namespace {

using core::Decimal;
using strategy::AdviceAction;

constexpr double kRsiLong = 60, kRsiShort = 40;
constexpr std::int64_t kStopAtr = 2, kTargetAtr = 3;
constexpr int kSignificant = 8;

// Fractional digits for prices near `close`: its own scale, or 8 significant digits when that is
// finer (a close of 45281.5 -> 3, of 0.5123 -> 8).
int price_decimals(const Decimal& close) {
  const std::string text = close.to_string();
  const auto dot = text.find('.');
  const int scale = dot == std::string::npos ? 0 : static_cast<int>(text.size() - dot - 1);
  const double magnitude = std::floor(std::log10(std::max(close.abs().to_double(), 1e-18)));
  const int significant = static_cast<int>(kSignificant - 1 - magnitude);
  return std::clamp(std::max(scale, significant), 0, 12);
}

ModelDecision rule_hold(std::string why) {
  ModelDecision d;
  d.reasoning = "rules: HOLD, " + std::move(why);
  return d;
}

}  // namespace

ModelDecision rule_decision(const market::SymbolMarket& market, int timeframe_minutes) {
  const market::TimeframeState* tf = market.timeframe(timeframe_minutes);
  if (tf == nullptr && !market.timeframes().empty()) tf = &market.timeframes().front();
  if (tf == nullptr) return rule_hold("no timeframe is tracked");
  const market::IndicatorSnapshot& s = tf->indicators();
  const int minutes = tf->interval_minutes();
  for (const auto& [name, value] :
       {std::pair{"RSI-14", &s.rsi_14}, std::pair{"the MACD histogram", &s.macd_hist},
        std::pair{"ATR-14", &s.atr_14}}) {
    if (!*value)
      return rule_hold(
          fmt::format("{} is still warming up on the {}m bars ({} seen)", name, minutes, s.bars));
  }
  const double rsi = *s.rsi_14, hist = *s.macd_hist, atr = *s.atr_14;
  const bool buy = rsi > kRsiLong && hist > 0;
  const bool sell = rsi < kRsiShort && hist < 0;
  if (!buy && !sell) {
    return rule_hold(fmt::format(
        "on {}m RSI-14 {:.1f} and MACD histogram {:.6g} call for neither BUY (RSI > 60, "
        "histogram > 0) nor SELL (RSI < 40, histogram < 0)",
        minutes, rsi, hist));
  }

  const Decimal close =
      tf->bars().empty() ? Decimal::from_double(s.close, kSignificant) : tf->bars().back().close;
  const int decimals = price_decimals(close);
  const Decimal atr_d = Decimal::from_double(atr, decimals);
  const Decimal stop_distance = atr_d * Decimal::from_int(kStopAtr);
  const Decimal target_distance = atr_d * Decimal::from_int(kTargetAtr);
  ModelDecision d;
  d.action = buy ? AdviceAction::kBuy : AdviceAction::kSell;
  d.entry = close;
  d.stop = (buy ? close - stop_distance : close + stop_distance).round(decimals);
  d.target = (buy ? close + target_distance : close - target_distance).round(decimals);
  if (!atr_d.is_positive() || !d.stop->is_positive() || !d.target->is_positive()) {
    return rule_hold(
        fmt::format("on {}m ATR-14 {:.6g} against a close of {} leaves no valid stop and target",
                    minutes, atr, close));
  }
  // 0.6 at the threshold, up to 0.8 twenty RSI points beyond it.
  const double beyond = buy ? rsi - kRsiLong : kRsiShort - rsi;
  d.confidence = 0.6 + 0.2 * std::clamp(beyond / 20, 0.0, 1.0);
  d.reasoning = fmt::format(
      "rules: {} on {}m, RSI-14 {:.1f} {} and MACD histogram {:.6g} {} 0; entry {} (the close), "
      "stop {} "
      "({} ATR-14 of {} {}), target {} ({} ATR-14 {})",
      to_string(d.action), minutes, rsi, buy ? "> 60" : "< 40", hist, buy ? ">" : "<", close,
      *d.stop, kStopAtr, atr_d, buy ? "below" : "above", *d.target, kTargetAtr,
      buy ? "above" : "below");
  return d;
}

}  // namespace tg4::agents
