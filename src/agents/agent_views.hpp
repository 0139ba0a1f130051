#pragma once
// The other agents' readings of a symbol as people and the decision models see them: one line per
// reading for the status screen, and one "view" per agent in the decision question (SPEC §6: the
// trading decision hears the regime, the technical analysis and the news). Shared by the pipeline,
// which keeps the readings, and `tg4 decide`, which reads them on the spot.
#include <string>

#include "agents/sentiment.hpp"
#include "agents/technical.hpp"

namespace tg4::agents {

// "long 0.70 (rules): trend up 0.60, momentum +0.30, RSI neutral, MACD bullish, support 41000", or
// "unknown (why)".
std::string technical_line(const TechnicalReading& reading);
// "short -0.40 at 0.60 (llm 2 of 2): ETF outflows; exchange hack", or "unknown (why)".
std::string sentiment_line(const SentimentReading& reading);

// The question's lines: "Regime (15m bars, regime detection agent): <regime_line>",
// "Technical analysis (5m bars, as of <time>): <technical_line>", "News sentiment (as of <time>):
// <sentiment_line>".
std::string regime_view(const std::string& regime_line, int timeframe_minutes);
std::string technical_view(const TechnicalReading& reading, int timeframe_minutes);
std::string sentiment_view(const SentimentReading& reading);

}  // namespace tg4::agents
