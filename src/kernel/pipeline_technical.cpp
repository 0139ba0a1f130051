// The technical analysis agent's side of the Pipeline (SPEC §6): every agents.technical_interval
// each symbol's market is read on the technical timeframe, and the reading comes back through the
// kernel queue. The latest reading of each symbol is advice: the status, the state key "technical",
// the decisions topic (on a change of bias) and the metrics show it; nothing here trades on it.
#include <fmt/format.h>

#include "kernel/pipeline.hpp"

namespace tg4::kernel {

int Pipeline::technical_timeframe() const {
  return options_.agents.technical_analysis ? options_.agents.technical_timeframe_minutes : 0;
}

void Pipeline::start_technicals() {
  for (const std::string& symbol : options_.symbols) {
    agents::TechnicalReading not_read;
    not_read.symbol = symbol;
    not_read.reasoning = "not read yet";
    technicals_[symbol] = not_read;
    report_technical(not_read, false);
  }
}

// The indicators change only when a bar of the timeframe closes: until one has closed since the
// agent was last asked, its reading stands (its time and state key refreshed) and no model is asked
// again, which spares the budget four calls in five on 5m bars read every minute. An operator's run
// asks regardless.
void Pipeline::analyse_symbols(bool force) {
  for (const std::string& symbol : options_.symbols) {
    const market::SymbolMarket* market = market_.find(symbol);
    if (market == nullptr) continue;  // nothing seen of it yet
    const market::TimeframeState* tf = market->timeframe(technical_timeframe());
    const std::uint64_t bars = tf == nullptr ? 0 : tf->bar_count();
    const auto asked = technical_bars_asked_.find(symbol);
    if (!force && asked != technical_bars_asked_.end() && asked->second == bars) {
      agents::TechnicalReading& latest = technicals_[symbol];
      latest.time = now();
      report_technical(latest, false);
      continue;
    }
    technical_bars_asked_[symbol] = bars;
    const agents::TechnicalRequest request{symbol, technical_timeframe(), now()};
    technical_agent_->analyse(request, *market, [this](agents::TechnicalReading reading) {
      kernel_.post(Task([this, reading = std::move(reading)] { on_technical(reading); }));
    });
  }
}

void Pipeline::on_technical(const agents::TechnicalReading& reading) {
  agents::TechnicalReading& latest = technicals_[reading.symbol];  // not known before the first
  const bool changed =
      latest.known != reading.known || (reading.known && latest.bias != reading.bias);
  latest = reading;
  // Every models' run is kept (each answer is stored, SPEC §6); the rules' only when the bias
  // changes, or a day of them would be 1,440 near-identical rows a symbol.
  if (has_record_sink() && (changed || reading.by_models)) {
    for (storage::DecisionRow& row : technical_rows(reading, options_.scope, changed))
      record(std::move(row));
  }
  if (changed && reading.known) {
    log_->info("technical {}: {} at {:.2f} ({}): {}", reading.symbol,
               agents::to_string(reading.bias), reading.confidence, reading.source,
               reading.reasoning);
  }
  report_technical(reading, changed);
}

void Pipeline::report_technical(const agents::TechnicalReading& reading, bool changed) {
  if (metrics_scraped()) {
    technical_bias_.Add({{"symbol", reading.symbol}})
        .Set(reading.known ? agents::bias_sign(reading.bias) : 0);
    technical_confidence_.Add({{"symbol", reading.symbol}})
        .Set(reading.known ? reading.confidence : 0);
  }
  if (outputs_.state != nullptr) {
    const std::string json = boost::json::serialize(technical_json(reading));
    outputs_.state->set_agent_output(options_.agent_ttls, "technical", reading.symbol, json);
    if (changed) outputs_.state->publish(storage::Topic::kDecisions, json);
  }
}

std::vector<std::string> Pipeline::agent_views(const std::string& symbol) const {
  std::vector<std::string> views;
  if (const auto regime = regimes_.find(symbol);
      regime != regimes_.end() &&
      regime->second.current().regime != agents::MarketRegime::kUnknown) {
    views.push_back(agents::regime_view(regime_line(regime->second), regime_timeframe()));
  }
  if (const auto technical = technicals_.find(symbol);
      technical != technicals_.end() && technical->second.known) {
    views.push_back(agents::technical_view(technical->second, technical_timeframe()));
  }
  if (const auto sentiment = sentiments_.find(symbol);
      sentiment != sentiments_.end() && sentiment->second.known) {
    views.push_back(agents::sentiment_view(sentiment->second));
  }
  return views;
}

}  // namespace tg4::kernel
