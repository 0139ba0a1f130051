#pragma once
// Consensus of the models' regime answers (SPEC §6), on the decision consensus's settings
// (agents.min_valid_answers, agents.min_agreement_pct):
// - at least min(min_valid_answers, models asked) valid answers: a regime is read every few
// minutes,
//   often by fewer models than a decision, and a single local model over budget may still judge;
// - the most common regime must be said by more than min_agreement_pct (50 %) of the valid answers;
// - else the reading is unknown at confidence 0 (which changes nothing in RegimeTracker).
// The reading's confidence and multipliers are the agreeing models' means; its strictness the
// strictest any agreeing model asked for (safety first); no boost.
#include <string>
#include <vector>

#include "agents/consensus.hpp"
#include "agents/model_regime.hpp"
#include "agents/regime.hpp"

namespace tg4::agents {

struct RegimeVote {
  std::string provider;
  std::string model;
  core::Result<ModelRegime> regime;  // an Error: the model gave no valid answer
};

struct RegimeVerdict {
  // by_models; source "llm 3 of 4" (agreeing of asked); reasoning `why` and the agreeing models'
  // reasons. No votes: the caller has the records of the calls.
  RegimeReading reading;
  // found: a consensus; why: "3 of 4 valid answers say ranging (75 %)", "only 1 valid answer of 3
  // (3 needed)".
  Majority majority;
};

RegimeVerdict regime_consensus(const std::vector<RegimeVote>& votes, const RegimeRequest& request,
                               const ConsensusRules& rules);

}  // namespace tg4::agents
