#include "agents/regime_consensus.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <optional>
#include <utility>

namespace tg4::agents {
namespace {

// The regimes a model may answer, in MarketRegime's order (kUnknown last, never counted).
constexpr std::size_t kAnswerableRegimes = static_cast<std::size_t>(MarketRegime::kUnknown);

// A vote's regime, when it counts: a valid answer, and one a model may give.
std::optional<MarketRegime> counted_regime(const RegimeVote& vote) {
  if (!vote.regime || vote.regime->regime == MarketRegime::kUnknown) return std::nullopt;
  return vote.regime->regime;
}

RegimeVerdict no_regime(RegimeVerdict v) {
  v.reading.regime = MarketRegime::kUnknown;
  v.reading.confidence = 0;
  v.reading.source = "llm: no consensus";
  v.reading.reasoning = v.majority.why;
  return v;
}

}  // namespace

RegimeVerdict regime_consensus(const std::vector<RegimeVote>& votes, const RegimeRequest& request,
                               const ConsensusRules& rules) {
  RegimeVerdict v{.reading = models_reading<RegimeReading>(request),
                  .majority = majority_of<MarketRegime>(votes, kAnswerableRegimes, counted_regime,
                                                        rules, "regime")};
  if (!v.majority.found) return no_regime(std::move(v));
  const Majority& majority = v.majority;
  const auto regime = static_cast<MarketRegime>(majority.winner);
  RegimeReading& r = v.reading;
  r.regime = regime;
  r.confidence = r.size_multiplier = r.stop_multiplier = r.target_multiplier = 0;
  r.strictness = risk::Strictness::kRelaxed;
  r.reasoning = majority.why;
  for (const RegimeVote& vote : votes) {
    if (!vote.regime || vote.regime->regime != regime) continue;
    const ModelRegime& m = *vote.regime;
    r.confidence += m.confidence / majority.agreeing;
    r.size_multiplier += m.size_multiplier / majority.agreeing;
    r.stop_multiplier += m.stop_multiplier / majority.agreeing;
    r.target_multiplier += m.target_multiplier / majority.agreeing;
    r.strictness = std::max(r.strictness, m.strictness);
    append_reason(r.reasoning, vote.provider, vote.model, m.reasoning);
  }
  r.source = fmt::format("llm {} of {}", majority.agreeing, majority.total);
  return v;
}

}  // namespace tg4::agents
