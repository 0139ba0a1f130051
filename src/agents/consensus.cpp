#include "agents/consensus.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>

namespace tg4::agents {
namespace {

using core::Decimal;
using strategy::AdviceAction;

constexpr std::array kActions{AdviceAction::kBuy, AdviceAction::kSell, AdviceAction::kHold,
                              AdviceAction::kClose};
constexpr std::size_t kReasoningChars = 160;

// Mean of the prices given by the agreeing models, exact but for the last of 18 digits.
std::optional<Decimal> mean_price(const std::vector<const ModelDecision*>& agreeing,
                                  std::optional<Decimal> ModelDecision::*price) {
  Decimal sum;
  std::int64_t n = 0;
  for (const ModelDecision* d : agreeing) {
    if (!(d->*price)) continue;
    sum += *(d->*price);
    ++n;
  }
  if (n == 0) return std::nullopt;
  return sum / Decimal::from_int(n);
}

std::string summary(const std::string& why, const std::vector<const ModelVote*>& agreeing) {
  std::string text = why;
  for (const ModelVote* vote : agreeing) {
    append_reason(text, vote->provider, vote->model, vote->decision->reasoning);
  }
  return text;
}

Verdict no_consensus(Verdict v, std::string why) {
  v.decision = ModelDecision{};
  v.decision.reasoning = why;
  v.why = std::move(why);
  return v;
}

}  // namespace

std::string pct_text(double pct) {
  const double rounded = std::round(pct * 10) / 10;
  return rounded == std::floor(rounded) ? fmt::format("{:.0f} %", rounded)
                                        : fmt::format("{:.1f} %", rounded);
}

void append_reason(std::string& text, std::string_view provider, std::string_view model,
                   std::string_view reasoning) {
  if (reasoning.empty()) return;
  std::string reason(reasoning.substr(0, kReasoningChars));
  if (reasoning.size() > kReasoningChars) reason += "...";
  text += fmt::format(" | {}/{}: {}", provider, model, reason);
}

Majority find_majority(const std::vector<int>& counts, int total, const ConsensusRules& rules,
                       std::string_view what, const std::function<std::string(std::size_t)>& name) {
  Majority m;
  m.total = total;
  m.needed = std::max(1, std::min(rules.min_valid_answers, total));
  for (const int count : counts) m.valid += count;
  if (m.valid < m.needed) {
    m.why = fmt::format("only {} valid answer{} of {} ({} needed)", m.valid,
                        m.valid == 1 ? "" : "s", m.total, m.needed);
    return m;
  }
  const auto top = std::max_element(counts.begin(), counts.end());
  m.winner = static_cast<std::size_t>(top - counts.begin());
  m.agreeing = *top;
  const double pct = 100.0 * m.agreeing / m.valid;
  if (std::count(counts.begin(), counts.end(), *top) > 1) {
    m.why = fmt::format("no {} has the most of {} valid answers: a tie at {}", what, m.valid,
                        m.agreeing);
    return m;
  }
  if (pct <= rules.min_agreement_pct) {
    m.why = fmt::format("{} of {} valid answers say {} ({}), not more than {}", m.agreeing, m.valid,
                        name(m.winner), pct_text(pct), pct_text(rules.min_agreement_pct));
    return m;
  }
  m.why = fmt::format("{} of {} valid answers say {} ({})", m.agreeing, m.valid, name(m.winner),
                      pct_text(pct));
  if (m.valid < m.total) m.why += fmt::format(", {} asked", m.total);
  m.found = true;
  return m;
}

ConsensusRules consensus_rules(const core::AgentsSection& agents) {
  ConsensusRules rules;
  rules.min_valid_answers = agents.min_valid_answers;
  rules.min_agreement_pct = agents.min_agreement_pct.to_double();
  rules.boost_unanimous = agents.boost_unanimous.to_double();
  rules.boost_83 = agents.boost_83.to_double();
  rules.boost_67 = agents.boost_67.to_double();
  return rules;
}

Verdict decide(const std::vector<ModelVote>& votes, const ConsensusRules& rules) {
  Verdict v;
  v.total = static_cast<int>(votes.size());
  std::array<int, kActions.size()> counts{};
  for (const ModelVote& vote : votes) {
    if (!vote.decision) continue;
    ++v.valid;
    ++counts[static_cast<std::size_t>(vote.decision->action)];
  }
  if (v.valid < rules.min_valid_answers || v.valid == 0) {
    return no_consensus(v, fmt::format("only {} valid answers of {} ({} needed)", v.valid, v.total,
                                       rules.min_valid_answers));
  }

  const auto top = std::max_element(counts.begin(), counts.end());
  const auto action = kActions[static_cast<std::size_t>(top - counts.begin())];
  v.agreeing = *top;
  v.agreement_pct = 100.0 * v.agreeing / v.valid;
  if (std::count(counts.begin(), counts.end(), *top) > 1) {
    std::string tied;
    for (std::size_t i = 0; i < kActions.size(); ++i) {
      if (counts[i] != *top) continue;
      tied += fmt::format("{}{} {}", tied.empty() ? "" : ", ", counts[i], to_string(kActions[i]));
    }
    return no_consensus(v, fmt::format("no majority among {} valid answers of {}: a tie of {}",
                                       v.valid, v.total, tied));
  }
  if (v.agreement_pct <= rules.min_agreement_pct) {
    return no_consensus(
        v, fmt::format("{} of {} valid answers agree on {} ({}), not more than {}", v.agreeing,
                       v.valid, to_string(action), pct_text(v.agreement_pct),
                       pct_text(rules.min_agreement_pct)));
  }

  std::vector<const ModelVote*> agreeing_votes;
  std::vector<const ModelDecision*> agreeing;
  for (const ModelVote& vote : votes) {
    if (vote.decision && vote.decision->action == action) {
      agreeing_votes.push_back(&vote);
      agreeing.push_back(&*vote.decision);
    }
  }
  double confidence = 0, size = 0;
  int sized = 0;
  for (const ModelDecision* d : agreeing) {
    confidence += d->confidence;
    if (d->size_pct > 0) {
      size += d->size_pct;
      ++sized;
    }
  }
  // As SPEC §6 writes them: 5 of 6 (83.3 %) gets the second boost, 4 of 6 (66.7 %) none.
  double boost = 0;
  if (v.agreeing == v.valid) {
    boost = rules.boost_unanimous;
  } else if (v.agreement_pct >= 83.0) {
    boost = rules.boost_83;
  } else if (v.agreement_pct >= 67.0) {
    boost = rules.boost_67;
  }

  ModelDecision& d = v.decision;
  d.action = action;
  d.confidence = std::min(1.0, confidence / v.agreeing + boost);
  d.size_pct = sized > 0 ? size / sized : 0.0;
  d.entry = mean_price(agreeing, &ModelDecision::entry);
  d.stop = mean_price(agreeing, &ModelDecision::stop);
  d.target = mean_price(agreeing, &ModelDecision::target);
  // Each answer was ordered, but means over different subsets need not be (one model gave only an
  // entry, another only a stop).
  if (auto order = check_price_order(d); !order) {
    return no_consensus(
        v, fmt::format("{} of {} valid answers agree on {}, but their mean prices do not: {}",
                       v.agreeing, v.valid, to_string(action), order.error().message));
  }
  v.why = fmt::format("{} of {} valid answers agree on {} ({})", v.agreeing, v.valid,
                      to_string(action), pct_text(v.agreement_pct));
  if (v.valid < v.total) v.why += fmt::format(", {} asked", v.total);
  if (boost > 0) v.why += fmt::format(", confidence +{:.2f}", boost);
  d.reasoning = summary(v.why, agreeing_votes);
  return v;
}

}  // namespace tg4::agents
