#pragma once
// LlmAdvisor: the trading-decision agent of SPEC §6 as an Advisor. Asked on the kernel thread, it
// builds the question there (decision_prompt) together with the rules' answer, and queues both for
// its worker thread, which asks every configured model at once (each with its own timeout), keeps
// the day's spend within budget, and answers with the models' consensus. What it does when the
// models cannot decide is in docs/AGENTS.md: over budget only local models are asked; when none can
// be asked, or the path has degraded to EMERGENCY, the rules decide; REDUCED halves the advised
// size; LIMITED advises no new position.
//
// It is also the regime agent (SPEC §6, RegimeAgent): assess() builds the regime question and the
// rules' reading on the kernel thread and queues them for the same worker, which asks the same
// models within the same daily budget and per-question cost cap, and answers with the models'
// regime consensus, or the rules' reading when no model may be asked, the answers reach no
// consensus, or the path is in EMERGENCY. It is the technical analysis agent (TechnicalAgent) the
// same way. Decision, regime and technical cycles feed one Degradation. And it is the sentiment
// agent (SentimentAgent): only search-capable providers are asked, at most
// agents.sentiment_max_providers, and its own circuit breaker (SentimentBreaker), not the
// Degradation, stops it asking after repeated failures. And it is the coordinator
// (CoordinatorAgent): a decision that conflicts with the other agents' views is judged by the same
// models, the same way as a regime (a majority verdict, else the rules'); like a decision it may
// ask hosted models past the budget's warning level.
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "agents/consensus.hpp"
#include "agents/coordinator.hpp"
#include "agents/coordinator_answer.hpp"
#include "agents/decision_prompt.hpp"
#include "agents/degradation.hpp"
#include "agents/model_decision.hpp"
#include "agents/regime.hpp"
#include "agents/regime_consensus.hpp"
#include "agents/regime_prompt.hpp"
#include "agents/sentiment.hpp"
#include "agents/sentiment_breaker.hpp"
#include "agents/sentiment_prompt.hpp"
#include "agents/technical.hpp"
#include "agents/technical_prompt.hpp"
#include "core/clock.hpp"
#include "core/config.hpp"
#include "core/logging.hpp"
#include "llm/budget.hpp"
#include "llm/llm_metrics.hpp"
#include "llm/provider_client.hpp"
#include "strategy/advice.hpp"

namespace tg4::agents {

class LlmAdvisor final : public strategy::Advisor,
                         public RegimeAgent,
                         public TechnicalAgent,
                         public SentimentAgent,
                         public CoordinatorAgent {
 public:
  // `metrics` may be null; it must outlive the advisor. `wall_clock` (null: the system's) dates
  // the spend for the daily budget: real money is spent by the real day, also where the questions
  // come on a simulated clock (`tg4 demo`); it must outlive the advisor.
  LlmAdvisor(const core::LlmSection& llm, const core::AgentsSection& agents,
             llm::LlmMetrics* metrics, net::ClientTlsOptions tls = {},
             const core::Clock* wall_clock = nullptr);
  // Stops the worker; a question still queued or being asked gets no answer. Waits for requests
  // already sent (at most llm.timeout), but no longer retries or waits for rate-limit slots.
  ~LlmAdvisor() override;
  LlmAdvisor(const LlmAdvisor&) = delete;
  LlmAdvisor& operator=(const LlmAdvisor&) = delete;

  void ask(const strategy::AdviceRequest& request, const market::SymbolMarket& market,
           strategy::AdviceCallback answer) override;
  void assess(const RegimeRequest& request, const market::SymbolMarket& market,
              RegimeCallback answer) override;
  void analyse(const TechnicalRequest& request, const market::SymbolMarket& market,
               TechnicalCallback answer) override;
  void sense(const SentimentRequest& request, const market::SymbolMarket* market,
             SentimentCallback answer) override;
  void coordinate(const CoordinationRequest& request, CoordinationCallback answer) override;
  // Every agent's (Advisor, RegimeAgent, TechnicalAgent): no question is answered from now on.
  void stop() override;
  // Before the first question: what earlier processes spent today (kernel::llm_spend_since), so a
  // restart continues the day's budget. Not thread-safe with a running cycle.
  void already_spent(core::Decimal usd);
  // Every agent's answers come on the advisor's worker thread, some seconds after the question:
  // the coordinator's deadline is kept on the wall clock, also under a simulated one.
  bool answers_in_real_time() const override { return true; }

  // One decision cycle, on the calling thread (what the worker runs; `tg4 decide` calls it
  // directly).
  struct Question {
    strategy::AdviceRequest request;
    DecisionPrompt prompt;
    strategy::Advice rules;  // the fallback's answer to the same question
  };
  strategy::Advice decide_now(const Question& question);
  static Question question_for(const strategy::AdviceRequest& request,
                               const market::SymbolMarket& market);

  // One regime cycle, on the calling thread (what the worker runs for assess()).
  struct RegimeQuestion {
    RegimeRequest request;
    RegimePrompt prompt;
    RegimeReading rules;  // the fallback's reading of the same market
  };
  RegimeReading assess_now(const RegimeQuestion& question);
  static RegimeQuestion regime_question_for(const RegimeRequest& request,
                                            const market::SymbolMarket& market);

  // One technical analysis cycle, on the calling thread (what the worker runs for analyse()).
  struct TechnicalQuestion {
    TechnicalRequest request;
    TechnicalPrompt prompt;
    TechnicalReading rules;  // the fallback's reading of the same market
  };
  TechnicalReading analyse_now(const TechnicalQuestion& question);
  static TechnicalQuestion technical_question_for(const TechnicalRequest& request,
                                                  const market::SymbolMarket& market);

  // One sentiment cycle, on the calling thread (what the worker runs for sense()).
  struct SentimentQuestion {
    SentimentRequest request;
    SentimentPrompt prompt;
  };
  SentimentReading sense_now(const SentimentQuestion& question);
  // The sentiment agent has no rules: it reads the news only where a search-capable model may be
  // asked (a provider with search: true, and agents.sentiment_max_providers above 0).
  static bool reads_news(const core::LlmSection& llm, const core::AgentsSection& agents);
  static SentimentQuestion sentiment_question_for(const SentimentRequest& request,
                                                  const market::SymbolMarket* market);

  // One coordination, on the calling thread (what the worker runs for coordinate()).
  struct CoordinationQuestion {
    CoordinationRequest request;
    CoordinatorPrompt prompt;
    Coordination rules;  // the fallback's verdict on the same proposal
  };
  Coordination coordinate_now(const CoordinationQuestion& question);
  static CoordinationQuestion coordination_question_for(const CoordinationRequest& request);

 private:
  // A job runs one cycle on the worker and returns the hand-over of its answer, which the worker
  // calls under the lock (so nothing is answered once stop() has run).
  using Job = std::function<std::function<void()>()>;
  void enqueue(Job job);
  void work();
  // The models this cycle may ask: within the day's budget (local ones only beyond it; for the
  // readings, every agent but "decision", only up to the budget's warning level) and, in config
  // order, while their worst cases fit the per-decision cap. The others are recorded as
  // skipped (votes of `agent`). `search_only`: the search-capable providers alone, at most `limit`
  // of them (the sentiment agent's).
  std::vector<llm::ProviderClient*> eligible(const Prompt& prompt, core::Timestamp now,
                                             const std::string& agent,
                                             std::vector<strategy::AdviceVote>& skipped,
                                             bool search_only = false,
                                             std::size_t limit = SIZE_MAX);
  void charge(const std::vector<strategy::AdviceVote>& records, core::Timestamp now);
  // A cycle whose models were asked: a failure for Degradation when too few answers were valid,
  // else a success.
  void count_cycle(bool failed);
  // A reading agent's cycle (regime, technical): the eligible models asked, their answers parsed by
  // `parse` and joined by `consensus`; the rules' reading when no model may be asked, they reach no
  // consensus, or the path is in EMERGENCY. `on_cycle`: the agent's cycle counter.
  template <typename Reading, typename Answer, typename Vote, typename Q, typename Parse,
            typename Consensus>
  Reading read_now(const Q& question, const char* agent, Parse parse, Consensus consensus,
                   void (llm::LlmMetrics::*on_cycle)(llm::CycleOutcome));
  strategy::Advice degrade(strategy::Advice advice, const Question& question) const;
  // After each decision cycle: its outcome, the day's spend and the degradation level, to the
  // metrics. A regime cycle reports the spend and the level only (report_state):
  // tg4_agents_cycles_total counts decision cycles.
  void report(llm::CycleOutcome outcome, core::Timestamp now);
  void report_state(core::Timestamp now);

  std::shared_ptr<spdlog::logger> log_ = core::logger("agents");
  llm::LlmMetrics* const metrics_;  // may be null
  core::LiveClock system_clock_;
  const core::Clock& wall_;  // dates the spend (system_clock_ unless given)
  std::vector<std::unique_ptr<llm::ProviderClient>> clients_;
  ConsensusRules rules_;
  // The deciding thread's only (the worker's; `tg4 decide` runs no worker and decides itself).
  llm::Budget budget_;
  Degradation degradation_;
  SentimentBreaker sentiment_breaker_;
  const int sentiment_max_providers_;
  const double sentiment_weight_;

  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Job> jobs_;
  bool stopping_ = false;
  bool busy_ = false;  // the worker is running a cycle
  std::thread worker_;
};

}  // namespace tg4::agents
