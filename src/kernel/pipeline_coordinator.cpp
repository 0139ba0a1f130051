// The coordinator agent's side of the Pipeline (SPEC §6): an advice that would open or add to a
// position while another agent's view of its symbol (the regime in force, the technical bias, the
// news sentiment) points the other way is held here, one per symbol, until the coordinator's
// verdict, or agents.coordinator_timeout, whichever comes first (then: wait). Exits and HOLD pass
// untouched. The verdict is counted, recorded, published and shown, and the advice, as it
// decides, goes on to the strategy. The deadline runs on the kernel's clock, except for a
// coordinator that answers in real time (models) under a simulated clock (`tg4 demo`): then on the
// wall clock, since the models' latency is real.
#include <fmt/format.h>

#include "kernel/pipeline.hpp"

namespace tg4::kernel {
namespace {

const char* metric_source(const agents::Coordination& c) {
  if (c.timed_out) return "timeout";
  return c.by_models ? "llm" : "rules";
}

}  // namespace

// Every verdict's series exists from the start at zero, so a dashboard shows that none came yet
// rather than no data. Only the models' coordinator answers as "llm" or runs out of time.
void Pipeline::count_no_verdicts_yet(bool by_models) {
  using agents::CoordinatorVerdict;
  std::vector<const char*> sources{"rules"};
  if (by_models) sources.insert(sources.end(), {"llm", "timeout"});
  for (const char* source : sources) {
    for (const CoordinatorVerdict verdict :
         {CoordinatorVerdict::kProceed, CoordinatorVerdict::kWait, CoordinatorVerdict::kAbort,
          CoordinatorVerdict::kModify}) {
      coordinator_verdicts_.Add({{"verdict", agents::to_string(verdict)}, {"source", source}});
    }
  }
}

std::vector<agents::CoordinationView> Pipeline::coordination_views(
    const std::string& symbol) const {
  std::vector<agents::CoordinationView> views;
  if (const auto regime = regimes_.find(symbol); regime != regimes_.end()) {
    const agents::RegimeReading& r = regime->second.current();
    if (r.regime != agents::MarketRegime::kUnknown) {
      views.push_back({"regime", agents::regime_side(r.regime),
                       fmt::format("regime {} {:.2f}", agents::to_string(r.regime), r.confidence)});
    }
  }
  if (const auto technical = technicals_.find(symbol);
      technical != technicals_.end() && technical->second.known) {
    const agents::TechnicalReading& t = technical->second;
    views.push_back({"technical", t.bias,
                     fmt::format("technical {} {:.2f}", agents::to_string(t.bias), t.confidence)});
  }
  if (const auto sentiment = sentiments_.find(symbol);
      sentiment != sentiments_.end() && sentiment->second.known) {
    const agents::SentimentReading& r = sentiment->second;
    views.push_back({"sentiment", r.bias,
                     fmt::format("sentiment {} {:+.2f}", agents::to_string(r.bias), r.score)});
  }
  return views;
}

bool Pipeline::coordinate(const strategy::Advice& advice) {
  // A newer advice for the symbol replaces the one waiting for its verdict.
  if (coordinating_.contains(advice.symbol)) replace_pending(advice.symbol);
  if (coordinator_ == nullptr || !advice.may_open) return false;
  const core::Decimal position = portfolio_.position_qty(advice.symbol);
  // On spot (no margin) a SELL can only reduce a position: it is an exit.
  if (!agents::opens_position(advice.action, position, margin_)) return false;
  std::vector<agents::CoordinationView> views = coordination_views(advice.symbol);
  agents::Conflict conflict = agents::find_conflict(agents::advice_side(advice.action), views);
  if (!conflict.any()) return false;

  PendingCoordination pending;
  pending.id = ++coordinations_;
  pending.advice = advice;
  agents::CoordinationRequest& request = pending.request;
  request.symbol = advice.symbol;
  request.time = now();
  request.advice = advice;
  request.advice.votes.clear();
  request.position_qty = position;
  request.views = std::move(views);
  request.conflict = std::move(conflict);
  request.agent_views = agent_views(advice.symbol);

  // The rules answer inside the call: concluded at once, as a backtest needs (no deadline, no
  // queue between the advice and its verdict). Any other answer comes back through the queue.
  const std::string symbol = advice.symbol;
  const std::uint64_t id = pending.id;
  // Kept with the answer: a verdict after the deadline is recorded against the proposal it judged.
  auto asked = std::make_shared<const agents::CoordinationRequest>(request);
  coordinating_now_ = true;
  coordinator_->coordinate(request, [this, symbol, id, asked](agents::Coordination coordination) {
    if (coordinating_now_ && kernel_.on_kernel_thread()) {
      answered_now_ = std::move(coordination);
      return;
    }
    kernel_.post(Task([this, symbol, id, asked, coordination = std::move(coordination)]() mutable {
      on_coordination(symbol, id, std::move(coordination), asked);
    }));
  });
  coordinating_now_ = false;
  if (answered_now_) {
    agents::Coordination coordination = std::move(*answered_now_);
    answered_now_.reset();
    conclude(std::move(pending), coordination);
    return true;
  }
  const auto timeout =
      std::chrono::duration_cast<core::Duration>(options_.agents.coordinator_timeout);
  if (kernel_.simulated_clock() && coordinator_->answers_in_real_time()) {
    // Models answer in real seconds however fast the simulated clock runs (`tg4 demo`): their
    // deadline is real time too. A deadline for a verdict already given finds nothing to end.
    if (!wall_alarm_) wall_alarm_ = std::make_unique<WallAlarm>(kernel_);
    wall_alarm_->after(timeout, Task([this, symbol, id] { coordination_deadline(symbol, id); }));
  } else {
    pending.deadline =
        kernel_.timers().after(timeout, [this, symbol, id] { coordination_deadline(symbol, id); });
  }
  log_->info("advice {}: {} held for the coordinator ({})", symbol,
             strategy::to_string(advice.action), pending.request.conflict.why);
  coordinating_[symbol] = std::move(pending);
  return true;
}

void Pipeline::on_coordination(const std::string& symbol, std::uint64_t id,
                               agents::Coordination coordination,
                               const std::shared_ptr<const agents::CoordinationRequest>& asked) {
  const auto it = coordinating_.find(symbol);
  if (it == coordinating_.end() || it->second.id != id) {
    // After the deadline (or a newer advice): ignored, but what the models cost is kept, with the
    // proposal and conflict they were asked about.
    log_->info("coordinator {}: a late verdict ({}, {}) ignored", symbol,
               agents::to_string(coordination.verdict), coordination.source);
    if (has_record_sink() && !coordination.votes.empty()) {
      for (storage::DecisionRow& row :
           coordination_rows(coordination, *asked, options_.scope, false))
        record(std::move(row));
    }
    return;
  }
  PendingCoordination pending = std::move(it->second);
  coordinating_.erase(it);
  kernel_.timers().cancel(pending.deadline);
  conclude(std::move(pending), coordination);
}

void Pipeline::coordination_deadline(const std::string& symbol, std::uint64_t id) {
  const auto it = coordinating_.find(symbol);
  if (it == coordinating_.end() || it->second.id != id) return;
  PendingCoordination pending = std::move(it->second);
  coordinating_.erase(it);
  agents::Coordination wait;
  wait.symbol = symbol;
  wait.verdict = agents::CoordinatorVerdict::kWait;
  wait.source = "timeout";
  wait.timed_out = true;
  wait.time = now();
  wait.reasoning =
      fmt::format("no verdict within {} s: wait",
                  std::chrono::duration<double>(options_.agents.coordinator_timeout).count());
  conclude(std::move(pending), wait);
}

void Pipeline::conclude(PendingCoordination pending, const agents::Coordination& coordination) {
  const agents::CoordinationRequest& request = pending.request;
  const std::string verdict = agents::to_string(coordination.verdict);
  if (metrics_scraped()) {
    coordinator_verdicts_.Add({{"verdict", verdict}, {"source", metric_source(coordination)}})
        .Increment();
  }
  if (has_record_sink()) {
    for (storage::DecisionRow& row : coordination_rows(coordination, request, options_.scope, true))
      record(std::move(row));
  }
  if (outputs_.state != nullptr) {
    outputs_.state->publish(storage::Topic::kDecisions,
                            boost::json::serialize(coordination_json(coordination, request, true)));
  }
  counters_.last_coordination =
      fmt::format("{} {} {} -> {} ({}): {}", core::format_rfc3339(now(), 0), request.symbol,
                  strategy::to_string(request.advice.action), verdict, coordination.source,
                  request.conflict.why);
  log_->info("coordinator {}: {} -> {} ({}): {}", request.symbol,
             strategy::to_string(request.advice.action), verdict, coordination.source,
             coordination.reasoning);
  act_on_advice(agents::coordinated(std::move(pending.advice), coordination, request.conflict));
}

void Pipeline::replace_pending(const std::string& symbol) {
  const auto it = coordinating_.find(symbol);
  kernel_.timers().cancel(it->second.deadline);
  log_->info("coordinator {}: the {} waiting for its verdict is replaced by a newer advice", symbol,
             strategy::to_string(it->second.advice.action));
  if (has_record_sink()) {
    agents::Coordination replaced;
    replaced.symbol = symbol;
    replaced.time = now();
    replaced.source = "replaced by a newer advice";
    replaced.reasoning = replaced.source;
    for (storage::DecisionRow& row :
         coordination_rows(replaced, it->second.request, options_.scope, false)) {
      row.provider = "pipeline";
      row.action = "replaced";
      record(std::move(row));
    }
  }
  coordinating_.erase(it);
}

}  // namespace tg4::kernel
