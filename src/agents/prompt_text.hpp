#pragma once
// What the agents' questions (decision_prompt, regime_prompt) share: a chat and its hash, and the
// text of a symbol's market written the same way in each. The text depends on nothing but its
// inputs (no locale, no clock), so the same market gives the same question, and the same hash.
#include <cstddef>
#include <string>
#include <string_view>

#include "core/decimal.hpp"
#include "core/time.hpp"
#include "llm/chat.hpp"
#include "market/indicators/market_state.hpp"

namespace tg4::agents {

// One question to the models: JSON mode on; the hash is stored with every answer.
struct Prompt {
  llm::ChatRequest chat;
  std::string hash;  // SHA-256 of system + "\n" + user, lower-case hex
};
Prompt make_prompt(std::string system, std::string user, int max_tokens);

namespace prompt_text {

// `value` with about `significant` significant digits, in plain notation, without trailing zeros:
// 45281.53 -> "45281.53", 0.000012345678 -> "0.000012345678".
std::string sig(double value, int significant = 8);
std::string fixed(double value, int decimals);         // "-0.00" is written "0.00"
std::string signed_fixed(double value, int decimals);  // "+0.25", "-0.25", "0.00"
std::string timeframe_label(int minutes);              // "1m", "15m", "1h", "4h", "1d", "1w"
std::string position_text(const core::Decimal& qty);  // "flat (no position)", "long 0.5", "short 2"

// "Symbol: ...", "Time: ...", "Last price: ..." lines.
void write_symbol(std::string& out, std::string_view symbol, core::Timestamp time,
                  const market::SymbolMarket& market);
// "Data quality: ..." and, when known, the trend alignment over the timeframes.
void write_quality(std::string& out, const market::SymbolMarket& market, core::Timestamp time);
// The timeframe's indicators that are ready, a line per family (trend, momentum, volatility,
// volume).
void write_indicators(std::string& out, const market::TimeframeState& tf);
// The last `count` closed bars of the timeframe, oldest first, as their exact decimals.
void write_bars(std::string& out, const market::TimeframeState& tf, std::size_t count);
// A question about one timeframe of a symbol (the regime and technical agents'): symbol, quality,
// the timeframe's indicators and last `bars` closed bars, then "<ask> <symbol> on the <label>
// timeframe and answer with the JSON object only."
std::string one_timeframe_question(std::string_view symbol, int timeframe_minutes,
                                   core::Timestamp time, const market::SymbolMarket& market,
                                   std::string_view ask, std::size_t bars);

}  // namespace prompt_text
}  // namespace tg4::agents
