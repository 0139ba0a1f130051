#pragma once
// The coordinator agent of SPEC §6: when a trading decision would open or add to a position against
// what the other agents read of its symbol (the technical bias, the news sentiment, the regime in
// force), it judges the decision before the strategy acts on it: proceed (unchanged), wait (HOLD
// now; the next decision asks again), abort (HOLD, recorded as aborted) or modify (a smaller size).
// Exits and HOLD are never judged: the coordinator never stands between the trader and a smaller
// risk. Its rules (coordinator_rule) decide when no model may be asked; the kernel gives it
// agents.coordinator_timeout to answer, and without an answer by then the verdict is wait.
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "agents/regime.hpp"
#include "agents/technical.hpp"
#include "core/decimal.hpp"
#include "core/result.hpp"
#include "core/time.hpp"
#include "strategy/advice.hpp"

namespace tg4::agents {

enum class CoordinatorVerdict { kProceed, kWait, kAbort, kModify };
const char* to_string(CoordinatorVerdict verdict);  // "proceed", "wait", "abort", "modify"
// The names above, any case, surrounding blanks ignored; an Error lists them.
core::Result<CoordinatorVerdict> parse_coordinator_verdict(std::string_view text);

// Would acting on `action` open or add to a position (rather than hold or reduce it), given the
// signed position? A SELL opens only where shorts are possible (`shorts`: margin).
bool opens_position(strategy::AdviceAction action, core::Decimal position_qty, bool shorts = true);
// BUY long, SELL short, anything else neutral.
Bias advice_side(strategy::AdviceAction action);
// trending_bull and volatile_bull long; trending_bear and volatile_bear short; the others neutral.
Bias regime_side(MarketRegime regime);

// One other agent's current view of the symbol, as the coordinator weighs it.
struct CoordinationView {
  std::string agent;  // "regime", "technical", "sentiment"
  Bias side = Bias::kNeutral;
  std::string label;  // for people and the models: "technical short 0.70"
};

// How the views stand against a proposal's side: each view on the other side opposes it, each on
// the same side supports it. A conflict is any opposing view (a TA-vs-sentiment disagreement over a
// BUY or SELL always has one of the two against it).
struct Conflict {
  int opposing = 0;
  int supporting = 0;
  // "technical short 0.70 opposes; regime trending_bull 0.82 supports"; empty without views.
  std::string why;
  bool any() const { return opposing > 0; }
};
Conflict find_conflict(Bias side, const std::vector<CoordinationView>& views);

// The question: a proposal that would open or add to a position, and the views it conflicts with.
struct CoordinationRequest {
  std::string symbol;
  core::Timestamp time;
  strategy::Advice advice;  // without its votes
  core::Decimal position_qty;
  std::vector<CoordinationView> views;
  Conflict conflict;
  // The other agents' views as the decision question shows them (Pipeline::agent_views).
  std::vector<std::string> agent_views;
};

// The verdict on one proposal.
struct Coordination {
  std::string symbol;
  CoordinatorVerdict verdict = CoordinatorVerdict::kWait;
  double size_factor = 1.0;  // modify: in (0, 1], the factor on the proposal's size; else 1
  std::string reasoning;
  // Who judged, for people: "rules", "llm 2 of 3", "rules (llm: 1 of 3 valid)", "timeout".
  std::string source;
  bool by_models = false;  // the models' majority judged
  bool timed_out = false;  // no verdict within agents.coordinator_timeout: wait
  core::Timestamp time;
  std::vector<strategy::AdviceVote> votes;  // each model asked (agent "coordinator")
};

// The rules (SPEC §6 fallback), deterministic: two or more opposing views abort; exactly one
// opposing with at least one supporting modifies to half the size; exactly one opposing and none
// supporting waits; none opposing proceeds.
Coordination coordinator_rule(const CoordinationRequest& request);

// The proposal after the verdict: proceed unchanged; wait and abort HOLD; modify with its
// size_factor multiplied. Its source and reasoning say what the coordinator did and why:
// "llm consensus 4 of 5; coordinator (rules): wait (technical short 0.70 opposes)".
strategy::Advice coordinated(strategy::Advice advice, const Coordination& coordination,
                             const Conflict& conflict);

using CoordinationCallback = std::function<void(Coordination)>;

class CoordinatorAgent {
 public:
  virtual ~CoordinatorAgent() = default;
  // Kernel thread. `answer` is called once, from any thread (possibly inside this call); an agent
  // being stopped or destroyed drops what it has not answered (the kernel's deadline then waits).
  virtual void coordinate(const CoordinationRequest& request, CoordinationCallback answer) = 0;
  virtual void stop() {}
  // True for an agent whose answers take real time (models asked over the network): its deadline,
  // agents.coordinator_timeout, is then kept on the wall clock even when the kernel's clock is
  // simulated (`tg4 demo`), or every paid verdict would come "late".
  virtual bool answers_in_real_time() const { return false; }
};

// coordinator_rule as a CoordinatorAgent: answers inside the call (backtests, llm.enabled false).
class RuleCoordinator final : public CoordinatorAgent {
 public:
  void coordinate(const CoordinationRequest& request, CoordinationCallback answer) override {
    answer(coordinator_rule(request));
  }
};

}  // namespace tg4::agents
