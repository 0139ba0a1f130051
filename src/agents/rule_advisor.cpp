#include "agents/rule_advisor.hpp"

#include "agents/rule_decision.hpp"

namespace tg4::agents {

strategy::Advice rule_advice(const strategy::AdviceRequest& request,
                             const market::SymbolMarket& market, const std::string& source) {
  return advice_from(rule_decision(market, request.timeframe_minutes), request, source);
}

void RuleAdvisor::ask(const strategy::AdviceRequest& request, const market::SymbolMarket& market,
                      strategy::AdviceCallback answer) {
  answer(rule_advice(request, market, source_));
}

}  // namespace tg4::agents
