#include "agents/rule_advisor.hpp"

#include "agents/rule_decision.hpp"

namespace tg4::agents {

strategy::Advice rule_advice(const strategy::AdviceRequest& request,
                             const market::SymbolMarket& market, const std::string& source) {
  const ModelDecision decision = rule_decision(market, request.timeframe_minutes);
  strategy::Advice advice;
  advice.symbol = request.symbol;
  advice.action = decision.action;
  advice.confidence = decision.confidence;
  advice.entry = decision.entry;
  advice.stop = decision.stop;
  advice.target = decision.target;
  advice.size_pct = decision.size_pct;
  advice.reasoning = decision.reasoning;
  advice.source = source;
  advice.asked = request.time;
  return advice;
}

void RuleAdvisor::ask(const strategy::AdviceRequest& request, const market::SymbolMarket& market,
                      strategy::AdviceCallback answer) {
  answer(rule_advice(request, market, source_));
}

}  // namespace tg4::agents
