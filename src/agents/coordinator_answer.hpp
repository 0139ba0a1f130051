#pragma once
// The coordinator's question and the models' answers to it (SPEC §6):
// - coordinator_prompt: the proposal (action, confidence, entry, stop, target, size, who decided
//   and why), the position, the other agents' views and which of them oppose or support it; the
//   answer's schema;
// - parse_model_coordination: one answer, validated like every agent's (an Error names the field);
// - coordination_consensus: the verdict said by a majority, on the rules the regime and technical
//   consensus use (find_majority); without one the caller keeps the rules' verdict.
#include <boost/json/object.hpp>
#include <string>
#include <vector>

#include "agents/consensus.hpp"
#include "agents/coordinator.hpp"
#include "agents/prompt_text.hpp"

namespace tg4::agents {

using CoordinatorPrompt = Prompt;
// max_tokens 300, JSON mode; the text depends on nothing but the request.
CoordinatorPrompt coordinator_prompt(const CoordinationRequest& request);

struct ModelCoordination {
  CoordinatorVerdict verdict = CoordinatorVerdict::kWait;
  double size_factor = 1.0;  // (0, 1] for modify; 1 for the others
  std::string reasoning;
};

// Fields: verdict (proceed, wait, abort, modify, any case; required), size_factor (a number in
// (0, 1]; required for modify, ignored otherwise), reasoning (string; optional). Numbers may be
// JSON numbers or numeric strings; null is the same as absent. An Error names the first field that
// is wrong: `size_factor: 1.5 is outside 0..1`, `size_factor: missing (modify needs ...)`.
core::Result<ModelCoordination> parse_model_coordination(const boost::json::object& answer);
std::string model_coordination_json(const ModelCoordination& answer);

struct CoordinationVote {
  std::string provider;
  std::string model;
  core::Result<ModelCoordination> coordination;  // an Error: the model gave no valid answer
};

struct CoordinationVerdict {
  // by_models; source "llm 2 of 3" (agreeing of asked); size_factor the agreeing models' mean
  // (modify); reasoning `why` and the agreeing models' reasons. No votes: the caller has the
  // records of the calls.
  Coordination reading;
  // found: a consensus; why: "2 of 3 valid answers say wait (66.7 %)", "only 1 valid answer of 3
  // ...".
  Majority majority;
};

CoordinationVerdict coordination_consensus(const std::vector<CoordinationVote>& votes,
                                           const CoordinationRequest& request,
                                           const ConsensusRules& rules);

}  // namespace tg4::agents
