#pragma once
// Consensus of the models' decisions (SPEC §6): at least `min_valid_answers` valid answers, else
// HOLD; the most common action must be agreed by more than `min_agreement_pct` of the valid
// answers, else HOLD; its confidence is the agreeing models' mean plus a boost (+0.15 unanimous,
// +0.10 at >= 83 %, +0.05 at >= 67 %; capped at 1); entry, stop, target and size are averaged over
// the agreeing models that gave them.
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agents/model_decision.hpp"
#include "core/config.hpp"
#include "core/result.hpp"

namespace tg4::agents {

struct ConsensusRules {
  int min_valid_answers = 4;
  double min_agreement_pct = 50;
  double boost_unanimous = 0.15, boost_83 = 0.10, boost_67 = 0.05;
};
ConsensusRules consensus_rules(const core::AgentsSection& agents);

struct ModelVote {
  std::string provider;
  std::string model;
  core::Result<ModelDecision> decision;  // an Error: the model gave no valid answer
};

struct Verdict {
  ModelDecision decision;  // HOLD when there is no consensus
  int total = 0, valid = 0, agreeing = 0;
  double agreement_pct = 0;
  // "4 of 5 valid answers agree on BUY (80 %), confidence +0.05", "only 2 valid answers of 5 (4
  // needed)"; the decision's reasoning starts with it and adds the agreeing models' reasons.
  std::string why;
};

Verdict decide(const std::vector<ModelVote>& votes, const ConsensusRules& rules);

// The rule the regime, technical and coordinator consensus share: at least
// min(min_valid_answers, total) valid answers (readings are taken every few minutes, often by fewer
// models than a decision, and one local model over budget may still judge); the answer named most
// often (`counts`, by the answer's index; `name` says it) must have more than min_agreement_pct of
// them, and no other as many. Their verdicts hold it as it is (`found`: a consensus).
struct Majority {
  bool found = false;
  std::size_t winner = 0;  // the index in `counts`, when found
  int total = 0, valid = 0, needed = 0, agreeing = 0;
  // "3 of 4 valid answers say long (75 %)" (", 5 asked" when some were not valid), or why none:
  // "only 1 valid answer of 3 (3 needed)", "no <what> has the most of 4 valid answers: a tie at 2",
  // "2 of 4 valid answers say long (50 %), not more than 50 %".
  std::string why;
};
Majority find_majority(const std::vector<int>& counts, int total, const ConsensusRules& rules,
                       std::string_view what, const std::function<std::string(std::size_t)>& name);

// find_majority over the votes' answers, each a value of the enum Answer below `answers`, named by
// its to_string: `answer_of(vote)` is the vote's answer, or std::nullopt when it gave none that
// counts. The total is the number of votes (the models asked).
template <typename Answer, typename Vote, typename AnswerOf>
Majority majority_of(const std::vector<Vote>& votes, std::size_t answers, AnswerOf answer_of,
                     const ConsensusRules& rules, std::string_view what) {
  std::vector<int> counts(answers);
  for (const Vote& vote : votes) {
    if (const std::optional<Answer> answer = answer_of(vote)) {
      ++counts[static_cast<std::size_t>(*answer)];
    }
  }
  return find_majority(counts, static_cast<int>(votes.size()), rules, what, [](std::size_t i) {
    return std::string(to_string(static_cast<Answer>(i)));
  });
}

// The reading a models' consensus starts from: the request's symbol and time, judged by the models.
template <typename Reading, typename Request>
Reading models_reading(const Request& request) {
  Reading reading;
  reading.symbol = request.symbol;
  reading.time = request.time;
  reading.by_models = true;
  return reading;
}

// What the consensus texts share. "80 %", "83.3 %":
std::string pct_text(double pct);
// Adds " | provider/model: reasoning" (cut at 160 characters) to `text`; nothing for no reasoning.
void append_reason(std::string& text, std::string_view provider, std::string_view model,
                   std::string_view reasoning);

}  // namespace tg4::agents
