#include "agents/agent_views.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "agents/prompt_text.hpp"
#include "core/time.hpp"

namespace tg4::agents {

std::string technical_line(const TechnicalReading& r) {
  if (!r.known) return "unknown (" + r.reasoning + ")";
  std::string line =
      fmt::format("{} {:.2f} ({}): trend {} {:.2f}, momentum {:+.2f}, RSI {}, MACD {}",
                  to_string(r.bias), r.confidence, r.source, to_string(r.trend), r.trend_strength,
                  r.momentum, to_string(r.rsi_signal), to_string(r.macd_signal));
  if (r.support) line += fmt::format(", support {}", prompt_text::sig(*r.support));
  if (r.resistance) line += fmt::format(", resistance {}", prompt_text::sig(*r.resistance));
  return line;
}

std::string sentiment_line(const SentimentReading& r) {
  if (!r.known) return "unknown (" + r.reasoning + ")";
  std::string line =
      fmt::format("{} {:+.2f} at {:.2f} ({})", to_string(r.bias), r.score, r.confidence, r.source);
  if (!r.key_events.empty()) line += ": " + fmt::format("{}", fmt::join(r.key_events, "; "));
  return line;
}

std::string regime_view(const std::string& regime_line, int timeframe_minutes) {
  return fmt::format("Regime ({} bars, regime detection agent): {}",
                     prompt_text::timeframe_label(timeframe_minutes), regime_line);
}

std::string technical_view(const TechnicalReading& reading, int timeframe_minutes) {
  return fmt::format("Technical analysis ({} bars, as of {}): {}",
                     prompt_text::timeframe_label(timeframe_minutes),
                     core::format_rfc3339(reading.time, 0), technical_line(reading));
}

std::string sentiment_view(const SentimentReading& reading) {
  return fmt::format("News sentiment (as of {}): {}", core::format_rfc3339(reading.time, 0),
                     sentiment_line(reading));
}

}  // namespace tg4::agents
