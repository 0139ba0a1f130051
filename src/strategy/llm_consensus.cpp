// llm_consensus: the seat of the LLM decision agents (SPEC §6) among the strategies. Until the
// agents module delivers decisions to strategies it holds: it submits nothing, whatever the market
// does.
#include "strategy/builtins.hpp"
#include "strategy/signal_strategy.hpp"

namespace tg4::strategy {
namespace {

class LlmConsensus final : public Strategy {
 public:
  explicit LlmConsensus(Params p) : Strategy(std::move(p)) {}
  std::string_view name() const override { return "llm_consensus"; }
};

}  // namespace

StrategyInfo llm_consensus_info() {
  return {"llm_consensus",
          "LLM decision consensus (HOLD until the agents are wired: submits nothing)",
          {
              timeframe_param("60", "decision interval in minutes"),
              {"symbols", ParamKind::kString, "", {}, {}, "comma-separated symbols; empty = all"},
              {"min_answers", ParamKind::kInt, "4", 1, 50, "valid model answers needed, else HOLD"},
          },
          [](Params p) -> core::Result<StrategyPtr> {
            return StrategyPtr(std::make_unique<LlmConsensus>(std::move(p)));
          }};
}

}  // namespace tg4::strategy
