#include "agents/regime_rule.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace tg4::agents {
namespace {

constexpr double kTrendingAdx = 25, kChoppy = 60, kBaseConfidence = 0.7, kMaxConfidence = 0.95;

double confidence_beyond(double value, double threshold) {
  return std::min(kMaxConfidence, kBaseConfidence + (value - threshold) / 100);
}

}  // namespace

RegimeReading regime_rule(const RegimeRequest& request, const market::SymbolMarket& market) {
  RegimeReading r;
  r.symbol = request.symbol;
  r.time = request.time;
  r.source = "rules";
  const market::TimeframeState* tf = market.timeframe(request.timeframe_minutes);
  if (tf == nullptr) {
    r.reasoning = fmt::format("rules: the {}m bars are not tracked", request.timeframe_minutes);
    return r;
  }
  const market::IndicatorSnapshot& s = tf->indicators();
  for (const auto& [name, value] : {std::pair{"ADX-14", &s.adx_14}, std::pair{"RSI-14", &s.rsi_14},
                                    std::pair{"Choppiness-14", &s.chop_14}}) {
    if (!*value) {
      r.reasoning = fmt::format("rules: {} is still warming up on the {}m bars ({} seen)", name,
                                request.timeframe_minutes, s.bars);
      return r;
    }
  }
  const double adx = *s.adx_14, rsi = *s.rsi_14, chop = *s.chop_14;
  const std::string values =
      fmt::format("on {}m ADX-14 {:.1f}, RSI-14 {:.1f}, Choppiness-14 {:.1f}", request.timeframe_minutes, adx, rsi, chop);
  if (adx > kTrendingAdx) {
    r.regime = rsi >= 50 ? MarketRegime::kTrendingBull : MarketRegime::kTrendingBear;
    r.confidence = confidence_beyond(adx, kTrendingAdx);
    r.reasoning = fmt::format("rules: {} {}: ADX > 25 trends, RSI {} 50 sets the side", to_string(r.regime), values,
                              rsi >= 50 ? ">=" : "<");
  } else if (chop > kChoppy) {
    r.regime = MarketRegime::kChoppy;
    r.confidence = confidence_beyond(chop, kChoppy);
    r.reasoning = fmt::format("rules: choppy {}: no trend (ADX <= 25) and Choppiness > 60", values);
  } else if (s.squeeze.value_or(false)) {
    r.regime = MarketRegime::kBreakoutPotential;
    r.confidence = kBaseConfidence;
    r.reasoning = fmt::format("rules: breakout_potential {}: no trend, Bollinger bands inside Keltner (squeeze)", values);
  } else {
    r.regime = MarketRegime::kRanging;
    r.confidence = kBaseConfidence;
    r.reasoning = fmt::format("rules: ranging {}: no trend (ADX <= 25), not choppy, no squeeze", values);
  }
  return r;
}

void RuleRegimeAgent::assess(const RegimeRequest& request, const market::SymbolMarket& market,
                             RegimeCallback answer) {
  answer(last_.at(request.symbol, request.timeframe_minutes, market, request.time, source_,
                  [&] { return regime_rule(request, market); }));
}

}  // namespace tg4::agents
