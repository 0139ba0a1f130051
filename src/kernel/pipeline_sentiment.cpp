// The sentiment agent's side of the Pipeline (SPEC §6): every agents.sentiment_interval each symbol
// is put to the search-capable models, and the reading comes back through the kernel queue. Like
// the technical reading it is advice: the status, the state key "sentiment", the decisions topic
// (on a change of bias), the metrics and the decision agent's question show it; nothing trades on
// it.
#include <fmt/format.h>

#include "kernel/pipeline.hpp"

namespace tg4::kernel {

void Pipeline::start_sentiments() {
  for (const std::string& symbol : options_.symbols) {
    agents::SentimentReading not_read;
    not_read.symbol = symbol;
    not_read.reasoning = "not read yet";
    sentiments_[symbol] = not_read;
    report_sentiment(not_read, false);
  }
}

// Unlike the other agents it needs no market data: news is there before the first trade.
void Pipeline::sense_symbols() {
  for (const std::string& symbol : options_.symbols) {
    const agents::SentimentRequest request{symbol, now()};
    sentiment_agent_->sense(
        request, market_.find(symbol), [this](agents::SentimentReading reading) {
          kernel_.post(Task([this, reading = std::move(reading)] { on_sentiment(reading); }));
        });
  }
}

void Pipeline::on_sentiment(const agents::SentimentReading& reading) {
  agents::SentimentReading& latest = sentiments_[reading.symbol];
  const bool changed =
      latest.known != reading.known || (reading.known && latest.bias != reading.bias);
  latest = reading;
  // Each run that asked a model is kept (every answer is stored, SPEC §6; runs are 30 min apart).
  if (has_record_sink() && (changed || !reading.votes.empty())) {
    for (storage::DecisionRow& row : sentiment_rows(reading, options_.scope, changed))
      record(std::move(row));
  }
  if (changed && reading.known) {
    log_->info("sentiment {}: {} {:+.2f} at {:.2f} ({}): {}", reading.symbol,
               agents::to_string(reading.bias), reading.score, reading.confidence, reading.source,
               reading.reasoning);
  }
  report_sentiment(reading, changed);
}

void Pipeline::report_sentiment(const agents::SentimentReading& reading, bool changed) {
  if (metrics_scraped())
    sentiment_score_.Add({{"symbol", reading.symbol}}).Set(reading.known ? reading.score : 0);
  if (outputs_.state != nullptr) {
    const std::string json = boost::json::serialize(sentiment_json(reading));
    outputs_.state->set_agent_output(options_.agent_ttls, "sentiment", reading.symbol, json);
    if (changed) outputs_.state->publish(storage::Topic::kDecisions, json);
  }
}

}  // namespace tg4::kernel
