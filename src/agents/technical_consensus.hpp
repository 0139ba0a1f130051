#pragma once
// Consensus of the models' technical answers (SPEC §6), on the rules regime_consensus uses:
// - at least min(agents.min_valid_answers, models asked) valid answers;
// - the most common bias said by more than agents.min_agreement_pct (50 %) of them, and no tie;
// - else no reading (known false, confidence 0), and the caller keeps the rules' reading.
// The reading's confidence, trend strength and momentum are the agreeing models' means; its trend
// direction and signals their most common (a tie: sideways, neutral); support and resistance the
// medians of those agreeing models that named one, both dropped when they cross. No boost.
#include <string>
#include <vector>

#include "agents/consensus.hpp"
#include "agents/model_technical.hpp"
#include "agents/technical.hpp"

namespace tg4::agents {

struct TechnicalVote {
  std::string provider;
  std::string model;
  core::Result<ModelTechnical> technical;  // an Error: the model gave no valid answer
};

struct TechnicalVerdict {
  // by_models; source "llm 3 of 4" (agreeing of asked); reasoning `why` and the agreeing models'
  // reasons. No votes: the caller has the records of the calls.
  TechnicalReading reading;
  // found: a consensus; why: "3 of 4 valid answers say long (75 %)", "only 1 valid answer of 3 (3
  // needed)".
  Majority majority;
};

TechnicalVerdict technical_consensus(const std::vector<TechnicalVote>& votes,
                                     const TechnicalRequest& request, const ConsensusRules& rules);

}  // namespace tg4::agents
