#include "agents/regime_prompt.hpp"

#include <fmt/format.h>

#include <string_view>

namespace tg4::agents {
namespace {

constexpr std::size_t kRegimePromptBars = 20;

constexpr std::string_view kRegimeSystem =
    "You are a crypto market analyst. You are shown the market of one symbol on one timeframe (its "
    "indicators and latest closed bars) and you name the regime that market is in, one of:\n"
    "- trending_bull: a sustained rise (ADX above about 25, +DI above -DI, EMAs stacked upwards).\n"
    "- trending_bear: a sustained fall (ADX above about 25, -DI above +DI, EMAs stacked "
    "downwards).\n"
    "- ranging: price moving sideways between support and resistance, no trend.\n"
    "- volatile_bull, volatile_bear: large fast moves up or down (ATR and Bollinger width well "
    "above usual).\n"
    "- choppy: no direction and erratic moves (Choppiness above about 60).\n"
    "- breakout_potential: volatility compressed (Bollinger bands inside Keltner: squeeze on), a "
    "move is likely to start.\n"
    "A trading system adjusts its trades on this symbol to your answer: size_multiplier scales "
    "position sizes (1 normal, below 1 smaller), stop_multiplier and target_multiplier scale the "
    "distances of stops and targets, strictness sets how much confidence an entry needs. Its risk "
    "engine applies its own limits whatever you answer. When unsure, say so with a low "
    "confidence.\n"
    "Answer with one JSON object only, no other text, with exactly these fields:\n"
    "{\"regime\": \"trending_bull\" | \"trending_bear\" | \"ranging\" | \"volatile_bull\" | "
    "\"volatile_bear\" | \"choppy\" | \"breakout_potential\", \"confidence\": number 0..1, "
    "\"size_multiplier\": number 0..2, \"stop_multiplier\": number 0.5..3, "
    "\"target_multiplier\": number 0.5..3, \"strictness\": \"relaxed\" | \"normal\" | \"strict\" | "
    "\"very_strict\", \"reasoning\": string (one or two sentences)}";

}  // namespace

RegimePrompt regime_prompt(const RegimeRequest& request, const market::SymbolMarket& market) {
  return make_prompt(
      std::string(kRegimeSystem),
      prompt_text::one_timeframe_question(request.symbol, request.timeframe_minutes, request.time,
                                          market, "Name the regime of", kRegimePromptBars),
      400);
}

}  // namespace tg4::agents
