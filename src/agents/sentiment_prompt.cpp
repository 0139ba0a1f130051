#include "agents/sentiment_prompt.hpp"

#include <fmt/format.h>

#include <string_view>

namespace tg4::agents {
namespace {

constexpr std::string_view kSentimentSystem =
    "You are a crypto market sentiment analyst with web search. Search the news and social media "
    "of "
    "the last 24 hours about the assets of one trading symbol (and the crypto market as a whole "
    "where it moves them) and judge the sentiment:\n"
    "- score: from -1 (very negative) through 0 (neutral or mixed) to +1 (very positive);\n"
    "- bias: long when the sentiment favours a rise, short when it favours a fall, neutral "
    "otherwise (it must not contradict the score's sign);\n"
    "- key_events: up to 5 short lines naming the events behind it, each with its source and "
    "date;\n"
    "- confidence from 0 to 1: low when there is little news or it is unverified.\n"
    "Your reading is advice shown to traders and to a trading decision agent; it places no order. "
    "Never invent events: with nothing found, answer neutral, score 0, a low confidence.\n"
    "Answer with one JSON object only, no other text, with exactly these fields:\n"
    "{\"bias\": \"long\" | \"short\" | \"neutral\", \"score\": number -1..1, \"confidence\": "
    "number "
    "0..1, \"key_events\": [string], \"reasoning\": string (one or two sentences)}";

// "BTC and USDT" for "BTC/USDT".
std::string assets_of(std::string_view symbol) {
  const auto slash = symbol.find('/');
  if (slash == std::string_view::npos) return std::string(symbol);
  return fmt::format("{} and {}", symbol.substr(0, slash), symbol.substr(slash + 1));
}

}  // namespace

SentimentPrompt sentiment_prompt(const SentimentRequest& request,
                                 const market::SymbolMarket* market) {
  std::string user = fmt::format(
      "Symbol: {} (assets {})\nTime: {}\nLast price: {}\n", request.symbol,
      assets_of(request.symbol), core::format_rfc3339(request.time, 0),
      market != nullptr && market->last_price() ? market->last_price()->to_string() : "unknown");
  user += fmt::format(
      "\nSearch the last 24 hours' news and social media about {} and judge the sentiment for "
      "{}; answer with the JSON object only.\n",
      assets_of(request.symbol), request.symbol);
  return make_prompt(std::string(kSentimentSystem), std::move(user), 500);
}

}  // namespace tg4::agents
