// The regime detection agent's side of the Pipeline (SPEC §6): every agents.regime_interval each
// symbol's market is read on the regime timeframe, the reading comes back through the kernel queue,
// and a symbol's RegimeTracker decides whether its regime changes. The regime in force is what the
// risk engine's tables judge the symbol's intents by (apply_regime).
#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

#include "agents/regime_rule.hpp"
#include "kernel/pipeline.hpp"

namespace tg4::kernel {

int Pipeline::regime_timeframe() const {
  return options_.agents.regime_detection ? options_.agents.regime_timeframe_minutes : 0;
}

void Pipeline::check_agent_timeframe(int timeframe, const char* key, const char* off) const {
  const auto& tracked = options_.timeframes;
  if (timeframe == 0 || std::find(tracked.begin(), tracked.end(), timeframe) != tracked.end())
    return;
  throw std::runtime_error(fmt::format(
      "{}: {} is not a tracked timeframe (tracked: {}); choose one of them, or {}: false", key,
      timeframe, fmt::join(tracked, ", "), off));
}

agents::RegimeTracker& Pipeline::regime_tracker(const std::string& symbol) {
  auto it = regimes_.find(symbol);
  if (it == regimes_.end()) {
    const double confidence = options_.agents.regime_change_confidence.to_double();
    it = regimes_.try_emplace(symbol, confidence, options_.agents.regime_change_runs).first;
  }
  return it->second;
}

void Pipeline::start_regimes() {
  for (const std::string& symbol : options_.symbols) {
    agents::RegimeReading not_read;
    not_read.symbol = symbol;
    agents::RegimeTracker& tracker = regime_tracker(symbol);
    tracker.note(not_read);
    if (const auto last = restored_.regimes.find(symbol); last != restored_.regimes.end()) {
      tracker.carry_over(last->second, last->second.time);
      log_->info(
          "regime {}: {} since {} in session {}: back in force at the first reading that agrees",
          symbol, agents::to_string(last->second.regime),
          core::format_rfc3339(last->second.time, 0), restored_.from_session);
    }
    report_regime(tracker, false);
  }
  for (const std::string& problem : restored_.regime_problems)
    log_->warn("regime not carried over: {}", problem);
}

void Pipeline::assess_regimes() {
  for (const std::string& symbol : options_.symbols) {
    const market::SymbolMarket* market = market_.find(symbol);
    if (market == nullptr) continue;  // nothing seen of it yet
    const agents::RegimeRequest request{symbol, regime_timeframe(), now()};
    regime_agent_->assess(request, *market, [this](agents::RegimeReading reading) {
      kernel_.post(Task([this, reading = std::move(reading)] { on_regime(reading); }));
    });
  }
}

void Pipeline::on_regime(const agents::RegimeReading& reading) {
  agents::RegimeTracker& tracker = regime_tracker(reading.symbol);
  const agents::MarketRegime before = tracker.current().regime;
  const bool changed = tracker.observe(reading);
  // Every models' run is kept (each answer is stored, SPEC §6); the rules' only when they change
  // something, or a day of them would be 288 identical rows a symbol.
  if (has_record_sink() && (changed || reading.by_models)) {
    for (storage::DecisionRow& row : regime_rows(reading, options_.scope, changed))
      record(std::move(row));
  }
  if (changed) {
    log_->info("regime {}: {} -> {} at {:.2f} ({}): {}", reading.symbol, agents::to_string(before),
               agents::to_string(reading.regime), reading.confidence, reading.source, reading.reasoning);
  }
  report_regime(tracker, changed);
}

// The regime in force to the metrics, the state key and the decisions topic (on a change); the
// status summary formats its line when published (regime_line).
void Pipeline::report_regime(const agents::RegimeTracker& tracker, bool changed) {
  const agents::RegimeReading& current = tracker.current();  // no symbol while unknown
  const std::string& symbol = tracker.latest().symbol;
  if (metrics_scraped()) {
    for (int r = 0; r <= static_cast<int>(agents::MarketRegime::kUnknown); ++r) {
      const auto regime = static_cast<agents::MarketRegime>(r);
      regime_gauge_.Add({{"symbol", symbol}, {"regime", agents::to_string(regime)}}).Set(regime == current.regime ? 1 : 0);
    }
    if (changed) regime_changes_.Add({{"symbol", symbol}, {"regime", agents::to_string(current.regime)}}).Increment();
  }
  if (outputs_.state != nullptr) {
    boost::json::object state = regime_json(current);
    state["symbol"] = symbol;
    if (tracker.since().is_set()) state["since"] = core::format_rfc3339(tracker.since(), 0);
    const std::string json = boost::json::serialize(state);
    outputs_.state->set_agent_output(options_.agent_ttls, "regime", symbol, json);
    if (changed) outputs_.state->publish(storage::Topic::kDecisions, json);
  }
}

// For the status screen: the regime in force and, while a change waits for agreeing runs, what it
// waits on; while unknown, why.
std::string Pipeline::regime_line(const agents::RegimeTracker& tracker) const {
  const agents::RegimeReading& current = tracker.current();
  const agents::RegimeReading& latest = tracker.latest();
  const std::string waiting =
      tracker.candidate_runs() == 0
          ? std::string()
          : fmt::format("; {} read by {}, {} of {} runs", agents::to_string(tracker.candidate()), latest.source,
                        tracker.candidate_runs(), options_.agents.regime_change_runs);
  if (current.regime != agents::MarketRegime::kUnknown) {
    return fmt::format("{} {:.2f} since {} ({}){}", agents::to_string(current.regime), current.confidence,
                       core::format_rfc3339(tracker.since(), 0), current.source, waiting);
  }
  if (!latest.time.is_set()) return "unknown (not read yet)";
  if (!waiting.empty()) return "unknown (" + waiting.substr(2) + ")";
  if (latest.regime == agents::MarketRegime::kUnknown) return "unknown (" + latest.reasoning + ")";
  return fmt::format("unknown ({} {:.2f} by {} is below the {} a change needs)", agents::to_string(latest.regime),
                     latest.confidence, latest.source, options_.agents.regime_change_confidence);
}

void Pipeline::apply_regime(core::OrderIntent& intent) const {
  if (!intent.regime.empty() && intent.regime != "unknown") return;
  const auto it = regimes_.find(intent.symbol);
  if (it == regimes_.end() || it->second.current().regime == agents::MarketRegime::kUnknown) {
    intent.regime = options_.regime;
    return;
  }
  const agents::RegimeReading& current = it->second.current();
  intent.regime = risk::to_string(agents::risk_regime(current.regime));
  if (intent.strictness == "normal") intent.strictness = risk::to_string(current.strictness);
}

}  // namespace tg4::kernel
