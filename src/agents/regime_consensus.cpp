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
  v.total = static_cast<int>(votes.size());
  v.needed = std::max(1, std::min(rules.min_valid_answers, v.total));
  std::array<int, kAnswerableRegimes> counts{};
  for (const RegimeVote& vote : votes) {
    if (!vote.regime || vote.regime->regime == MarketRegime::kUnknown) continue;
    ++v.valid;
    ++counts[static_cast<std::size_t>(vote.regime->regime)];
  }
  if (v.valid < v.needed) {
    return no_regime(v, fmt::format("only {} valid answer{} of {} ({} needed)", v.valid,
                                    v.valid == 1 ? "" : "s", v.total, v.needed));
  }
  const auto top = std::max_element(counts.begin(), counts.end());
  const auto regime = static_cast<MarketRegime>(top - counts.begin());
  v.agreeing = *top;
  const double pct = 100.0 * v.agreeing / v.valid;
  if (std::count(counts.begin(), counts.end(), *top) > 1) {
    return no_regime(v, fmt::format("no regime has the most of {} valid answers: a tie at {}",
                                    v.valid, v.agreeing));
  }
  if (pct <= rules.min_agreement_pct) {
    return no_regime(
        v, fmt::format("{} of {} valid answers say {} ({}), not more than {}", v.agreeing, v.valid,
                       to_string(regime), pct_text(pct), pct_text(rules.min_agreement_pct)));
  }

  v.why = fmt::format("{} of {} valid answers say {} ({})", v.agreeing, v.valid, to_string(regime),
                      pct_text(pct));
  if (v.valid < v.total) v.why += fmt::format(", {} asked", v.total);
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
