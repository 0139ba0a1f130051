#include "agents/technical.hpp"

#include <fmt/format.h>

#include <array>
#include <utility>

#include "agents/answer_fields.hpp"
#include "core/text.hpp"

namespace tg4::agents {
namespace {

template <typename E>
using Names = std::array<std::pair<std::string_view, E>, 3>;

constexpr Names<TrendDirection> kDirections{{{"up", TrendDirection::kUp},
                                             {"down", TrendDirection::kDown},
                                             {"sideways", TrendDirection::kSideways}}};
constexpr Names<Bias> kBiases{
    {{"long", Bias::kLong}, {"short", Bias::kShort}, {"neutral", Bias::kNeutral}}};
constexpr Names<RsiSignal> kRsiSignals{{{"overbought", RsiSignal::kOverbought},
                                        {"oversold", RsiSignal::kOversold},
                                        {"neutral", RsiSignal::kNeutral}}};
constexpr Names<MacdSignal> kMacdSignals{{{"bullish", MacdSignal::kBullish},
                                          {"bearish", MacdSignal::kBearish},
                                          {"neutral", MacdSignal::kNeutral}}};

template <typename E>
const char* name_of(const Names<E>& names, E value) {
  for (const auto& [name, v] : names) {
    if (v == value) return name.data();
  }
  return names.back().first.data();
}

template <typename E>
core::Result<E> parse_name(const Names<E>& names, std::string_view what, std::string_view text) {
  for (const auto& [name, value] : names) {
    if (core::equals_ignoring_case(name, answer_fields::trimmed(text))) return value;
  }
  return core::Error::of(fmt::format("'{}' is not {} (one of {}, {}, {})", text, what,
                                     names[0].first, names[1].first, names[2].first));
}

}  // namespace

const char* to_string(TrendDirection direction) {
  return name_of(kDirections, direction);
}
const char* to_string(Bias bias) {
  return name_of(kBiases, bias);
}
const char* to_string(RsiSignal signal) {
  return name_of(kRsiSignals, signal);
}
const char* to_string(MacdSignal signal) {
  return name_of(kMacdSignals, signal);
}

core::Result<TrendDirection> parse_trend_direction(std::string_view text) {
  return parse_name(kDirections, "a trend direction", text);
}
core::Result<Bias> parse_bias(std::string_view text) {
  return parse_name(kBiases, "a bias", text);
}
core::Result<RsiSignal> parse_rsi_signal(std::string_view text) {
  return parse_name(kRsiSignals, "an RSI signal", text);
}
core::Result<MacdSignal> parse_macd_signal(std::string_view text) {
  return parse_name(kMacdSignals, "a MACD signal", text);
}

int bias_sign(Bias bias) {
  switch (bias) {
    case Bias::kLong:
      return 1;
    case Bias::kShort:
      return -1;
    case Bias::kNeutral:
      return 0;
  }
  return 0;
}

}  // namespace tg4::agents
