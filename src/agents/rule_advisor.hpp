#pragma once
// RuleAdvisor: the decision agent's deterministic fallback as an Advisor (SPEC §6). It answers
// inside the call, from the market as it stands, so a backtest of an advised strategy stays
// reproducible. Used wherever no LLM may be asked: llm.enabled false, and every backtest.
#include <string>

#include "strategy/advice.hpp"

namespace tg4::agents {

class RuleAdvisor final : public strategy::Advisor {
 public:
  // `why` is said in each advice's source: "rules (llm.enabled is false)".
  explicit RuleAdvisor(std::string why = "rules") : source_(std::move(why)) {}
  void ask(const strategy::AdviceRequest& request, const market::SymbolMarket& market,
           strategy::AdviceCallback answer) override;

 private:
  std::string source_;
};

// The advice a rule decision gives (no votes).
strategy::Advice rule_advice(const strategy::AdviceRequest& request,
                             const market::SymbolMarket& market, const std::string& source);

}  // namespace tg4::agents
