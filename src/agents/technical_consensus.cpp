#include "agents/technical_consensus.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace tg4::agents {
namespace {

constexpr std::size_t kBiasCount = 3;  // kLong, kShort, kNeutral

// A vote's bias, when it is a valid answer.
std::optional<Bias> counted_bias(const TechnicalVote& vote) {
  if (!vote.technical) return std::nullopt;
  return vote.technical->bias;
}

TechnicalVerdict no_reading(TechnicalVerdict v) {
  v.reading.known = false;
  v.reading.bias = Bias::kNeutral;
  v.reading.confidence = 0;
  v.reading.source = "llm: no consensus";
  v.reading.reasoning = v.majority.why;
  return v;
}

// The value named most often among `values` (enum values 0..2); `tie` when two share the most.
template <typename E>
E most_common(const std::vector<E>& values, E tie) {
  std::array<int, 3> counts{};
  for (const E value : values) ++counts[static_cast<std::size_t>(value)];
  const auto top = std::max_element(counts.begin(), counts.end());
  if (std::count(counts.begin(), counts.end(), *top) > 1) return tie;
  return static_cast<E>(top - counts.begin());
}

std::optional<double> median(std::vector<double> values) {
  if (values.empty()) return std::nullopt;
  std::sort(values.begin(), values.end());
  const std::size_t mid = values.size() / 2;
  return values.size() % 2 == 1 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
}

// The agreeing models' answers joined into the reading.
void join(TechnicalReading& r, const std::vector<const TechnicalVote*>& agreeing) {
  std::vector<TrendDirection> trends;
  std::vector<RsiSignal> rsi;
  std::vector<MacdSignal> macd;
  std::vector<double> supports, resistances;
  const double n = static_cast<double>(agreeing.size());
  r.confidence = r.trend_strength = r.momentum = 0;
  for (const TechnicalVote* vote : agreeing) {
    const ModelTechnical& m = *vote->technical;
    r.confidence += m.confidence / n;
    r.trend_strength += m.trend_strength / n;
    r.momentum += m.momentum / n;
    trends.push_back(m.trend);
    rsi.push_back(m.rsi_signal);
    macd.push_back(m.macd_signal);
    if (m.support) supports.push_back(*m.support);
    if (m.resistance) resistances.push_back(*m.resistance);
    append_reason(r.reasoning, vote->provider, vote->model, m.reasoning);
  }
  r.trend = most_common(trends, TrendDirection::kSideways);
  r.rsi_signal = most_common(rsi, RsiSignal::kNeutral);
  r.macd_signal = most_common(macd, MacdSignal::kNeutral);
  r.support = median(std::move(supports));
  r.resistance = median(std::move(resistances));
  // Two medians taken over different models may cross though no model's own pair does.
  if (r.support && r.resistance && *r.support >= *r.resistance) {
    r.support = r.resistance = std::nullopt;
  }
}

}  // namespace

TechnicalVerdict technical_consensus(const std::vector<TechnicalVote>& votes,
                                     const TechnicalRequest& request, const ConsensusRules& rules) {
  TechnicalVerdict v{.reading = models_reading<TechnicalReading>(request),
                     .majority = majority_of<Bias>(votes, kBiasCount, counted_bias, rules, "bias")};
  if (!v.majority.found) return no_reading(std::move(v));
  const Majority& majority = v.majority;
  const auto bias = static_cast<Bias>(majority.winner);
  std::vector<const TechnicalVote*> agreeing;
  for (const TechnicalVote& vote : votes) {
    if (vote.technical && vote.technical->bias == bias) agreeing.push_back(&vote);
  }
  TechnicalReading& r = v.reading;
  r.known = true;
  r.bias = bias;
  r.reasoning = majority.why;
  join(r, agreeing);
  r.source = fmt::format("llm {} of {}", majority.agreeing, majority.total);
  return v;
}

}  // namespace tg4::agents
