#include "agents/regime_consensus.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>

namespace tg4::agents {
namespace {

// The regimes a model may answer, in MarketRegime's order (kUnknown last, never counted).
constexpr std::size_t kAnswerableRegimes = static_cast<std::size_t>(MarketRegime::kUnknown);

RegimeVerdict no_regime(RegimeVerdict v, std::string why) {
  v.reading.regime = MarketRegime::kUnknown;
  v.reading.confidence = 0;
  v.reading.source = "llm: no consensus";
  v.reading.reasoning = why;
  v.why = std::move(why);
  return v;
}

}  // namespace

RegimeVerdict regime_consensus(const std::vector<RegimeVote>& votes, const RegimeRequest& request,
                               const ConsensusRules& rules) {
  RegimeVerdict v;
  v.reading.symbol = request.symbol;
  v.reading.time = request.time;
  v.reading.by_models = true;
  std::vector<int> counts(kAnswerableRegimes);
  for (const RegimeVote& vote : votes) {
    if (vote.regime && vote.regime->regime != MarketRegime::kUnknown)
      ++counts[static_cast<std::size_t>(vote.regime->regime)];
  }
  const Majority majority = find_majority(
      counts, static_cast<int>(votes.size()), rules, "regime",
      [](std::size_t i) { return std::string(to_string(static_cast<MarketRegime>(i))); });
  v.total = majority.total;
  v.valid = majority.valid;
  v.needed = majority.needed;
  v.agreeing = majority.agreeing;
  if (!majority.found) return no_regime(v, majority.why);
  v.why = majority.why;
  const auto regime = static_cast<MarketRegime>(majority.winner);
  RegimeReading& r = v.reading;
  r.regime = regime;
  r.confidence = r.size_multiplier = r.stop_multiplier = r.target_multiplier = 0;
  r.strictness = risk::Strictness::kRelaxed;
  r.reasoning = v.why;
  for (const RegimeVote& vote : votes) {
    if (!vote.regime || vote.regime->regime != regime) continue;
    const ModelRegime& m = *vote.regime;
    r.confidence += m.confidence / v.agreeing;
    r.size_multiplier += m.size_multiplier / v.agreeing;
    r.stop_multiplier += m.stop_multiplier / v.agreeing;
    r.target_multiplier += m.target_multiplier / v.agreeing;
    r.strictness = std::max(r.strictness, m.strictness);
    append_reason(r.reasoning, vote.provider, vote.model, m.reasoning);
  }
  r.source = fmt::format("llm {} of {}", v.agreeing, v.total);
  v.consensus = true;
  return v;
}

}  // namespace tg4::agents
