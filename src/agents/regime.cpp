#include "agents/regime.hpp"

#include <fmt/format.h>

#include <array>
#include <utility>

#include "core/text.hpp"

namespace tg4::agents {
namespace {

constexpr std::array<std::pair<std::string_view, MarketRegime>, 8> kRegimeNames{{
    {"trending_bull", MarketRegime::kTrendingBull},
    {"trending_bear", MarketRegime::kTrendingBear},
    {"ranging", MarketRegime::kRanging},
    {"volatile_bull", MarketRegime::kVolatileBull},
    {"volatile_bear", MarketRegime::kVolatileBear},
    {"choppy", MarketRegime::kChoppy},
    {"breakout_potential", MarketRegime::kBreakoutPotential},
    {"unknown", MarketRegime::kUnknown},
}};

}  // namespace

const char* to_string(MarketRegime regime) {
  for (const auto& [name, value] : kRegimeNames) {
    if (value == regime) return name.data();
  }
  return "unknown";
}

core::Result<MarketRegime> parse_market_regime(std::string_view text) {
  for (const auto& [name, value] : kRegimeNames) {
    if (core::equals_ignoring_case(name, text)) return value;
  }
  return core::Error::of(fmt::format(
      "'{}' is not a regime (one of trending_bull, trending_bear, ranging, volatile_bull, "
      "volatile_bear, choppy, breakout_potential)",
      text));
}

risk::Regime risk_regime(MarketRegime regime) {
  switch (regime) {
    case MarketRegime::kTrendingBull:
      return risk::Regime::kBull;
    case MarketRegime::kTrendingBear:
      return risk::Regime::kBear;
    case MarketRegime::kRanging:
      return risk::Regime::kRanging;
    case MarketRegime::kVolatileBull:
    case MarketRegime::kVolatileBear:
      return risk::Regime::kVolatile;
    case MarketRegime::kChoppy:
      return risk::Regime::kChoppy;
    case MarketRegime::kBreakoutPotential:
      return risk::Regime::kBreakout;
    case MarketRegime::kUnknown:
      return risk::Regime::kUnknown;
  }
  return risk::Regime::kUnknown;
}

}  // namespace tg4::agents
