#include "agents/technical_prompt.hpp"

#include <string_view>

namespace tg4::agents {
namespace {

constexpr std::size_t kTechnicalPromptBars = 20;

constexpr std::string_view kTechnicalSystem =
    "You are a crypto technical analyst. You are shown the market of one symbol on one timeframe "
    "(its indicators and latest closed bars) and you read it:\n"
    "- trend: its direction (up, down or sideways) and strength from 0 (none) to 1 (very strong).\n"
    "- momentum: from -1 (falling hard) to +1 (rising hard), 0 when flat.\n"
    "- rsi_signal: overbought, oversold or neutral, from RSI and its context.\n"
    "- macd_signal: bullish, bearish or neutral, from the MACD line, its signal and histogram.\n"
    "- support and resistance: the nearest price levels below and above the last price, as prices "
    "(support below resistance); null when you see none.\n"
    "- bias: long, short or neutral, the side the indicators favour, with your confidence from 0 "
    "to 1.\n"
    "Your reading is advice shown to traders and to a trading decision agent; it places no order. "
    "When unsure, answer neutral with a low confidence.\n"
    "Answer with one JSON object only, no other text, with exactly these fields:\n"
    "{\"trend\": {\"direction\": \"up\" | \"down\" | \"sideways\", \"strength\": number 0..1}, "
    "\"momentum\": number -1..1, \"rsi_signal\": \"overbought\" | \"oversold\" | \"neutral\", "
    "\"macd_signal\": \"bullish\" | \"bearish\" | \"neutral\", \"support\": price | null, "
    "\"resistance\": price | null, \"bias\": \"long\" | \"short\" | \"neutral\", "
    "\"confidence\": number 0..1, \"reasoning\": string (one or two sentences)}";

}  // namespace

TechnicalPrompt technical_prompt(const TechnicalRequest& request,
                                 const market::SymbolMarket& market) {
  return make_prompt(
      std::string(kTechnicalSystem),
      prompt_text::one_timeframe_question(request.symbol, request.timeframe_minutes, request.time,
                                          market, "Read the technicals of", kTechnicalPromptBars),
      400);
}

}  // namespace tg4::agents
