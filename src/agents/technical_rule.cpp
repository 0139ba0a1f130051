#include "agents/technical_rule.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <utility>

namespace tg4::agents {
namespace {

constexpr double kLongRsi = 60, kShortRsi = 40, kOverbought = 70, kOversold = 30, kTrendAdx = 25;

Bias bias_of(double rsi, double macd_hist) {
  if (rsi > kLongRsi && macd_hist > 0) return Bias::kLong;
  if (rsi < kShortRsi && macd_hist < 0) return Bias::kShort;
  return Bias::kNeutral;
}

TrendDirection trend_of(double adx, double plus_di, double minus_di) {
  if (adx <= kTrendAdx || plus_di == minus_di) return TrendDirection::kSideways;
  return plus_di > minus_di ? TrendDirection::kUp : TrendDirection::kDown;
}

RsiSignal rsi_signal_of(double rsi) {
  if (rsi > kOverbought) return RsiSignal::kOverbought;
  if (rsi < kOversold) return RsiSignal::kOversold;
  return RsiSignal::kNeutral;
}

MacdSignal macd_signal_of(double hist) {
  if (hist > 0) return MacdSignal::kBullish;
  if (hist < 0) return MacdSignal::kBearish;
  return MacdSignal::kNeutral;
}

// The first of the indicators the rules need that is not ready yet, or null.
const char* warming_up(const market::IndicatorSnapshot& s) {
  if (!s.rsi_14) return "RSI-14";
  if (!s.macd_hist) return "MACD";
  if (!s.adx_14 || !s.plus_di_14 || !s.minus_di_14) return "ADX-14";
  return nullptr;
}

}  // namespace

TechnicalReading technical_rule(const TechnicalRequest& request,
                                const market::SymbolMarket& market) {
  TechnicalReading r;
  r.symbol = request.symbol;
  r.time = request.time;
  r.source = "rules";
  const market::TimeframeState* tf = market.timeframe(request.timeframe_minutes);
  if (tf == nullptr) {
    r.reasoning = fmt::format("rules: the {}m bars are not tracked", request.timeframe_minutes);
    return r;
  }
  const market::IndicatorSnapshot& s = tf->indicators();
  if (const char* name = warming_up(s)) {
    r.reasoning = fmt::format("rules: {} is still warming up on the {}m bars ({} seen)", name,
                              request.timeframe_minutes, s.bars);
    return r;
  }
  const double rsi = *s.rsi_14, hist = *s.macd_hist, adx = *s.adx_14;
  r.known = true;
  r.bias = bias_of(rsi, hist);
  r.confidence =
      r.bias == Bias::kNeutral ? 0.5 : std::min(0.95, 0.6 + (std::abs(rsi - 50) - 10) / 100);
  r.trend = trend_of(adx, *s.plus_di_14, *s.minus_di_14);
  r.trend_strength = std::min(1.0, adx / 50);
  r.momentum = std::clamp((rsi - 50) / 50, -1.0, 1.0);
  r.rsi_signal = rsi_signal_of(rsi);
  r.macd_signal = macd_signal_of(hist);
  r.support = s.donchian_lower;
  r.resistance = s.donchian_upper;
  const char* why = r.bias == Bias::kLong ? "RSI > 60 and MACD histogram > 0"
                    : r.bias == Bias::kShort
                        ? "RSI < 40 and MACD histogram < 0"
                        : "neither RSI > 60 with MACD histogram > 0 nor RSI < 40 with it < 0";
  r.reasoning =
      fmt::format("rules: {} on {}m RSI-14 {:.1f}, MACD histogram {:.6g}, ADX-14 {:.1f}: {}",
                  to_string(r.bias), request.timeframe_minutes, rsi, hist, adx, why);
  return r;
}

void RuleTechnicalAgent::analyse(const TechnicalRequest& request,
                                 const market::SymbolMarket& market, TechnicalCallback answer) {
  answer(last_.at(request.symbol, request.timeframe_minutes, market, request.time, source_,
                  [&] { return technical_rule(request, market); }));
}

}  // namespace tg4::agents
