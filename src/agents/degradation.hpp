#pragma once
// Degradation of the LLM decision path (SPEC §6): NORMAL -> REDUCED -> LIMITED -> EMERGENCY after
// 3, 6 and 9 consecutive failed decision cycles (configurable), one level back after each run of 3
// consecutive successes. A run of failures that starts below NORMAL counts on from that level's
// threshold: LIMITED (6) falls to EMERGENCY (9) after 3 more failures. What each level means for
// trading (docs/AGENTS.md, LlmAdvisor): REDUCED halves the advised size, LIMITED advises no new
// position, EMERGENCY lets the rules decide (the models are still asked, so the path can recover).
#include <string>

#include "core/config.hpp"

namespace tg4::agents {

enum class DegradationLevel { kNormal, kReduced, kLimited, kEmergency };
const char* to_string(DegradationLevel level);  // "NORMAL", ...

class Degradation {
 public:
  explicit Degradation(const core::AgentsSection& agents);
  // Each returns true when the level changed.
  bool on_success();
  bool on_failure();
  DegradationLevel level() const { return level_; }
  int consecutive_failures() const { return failures_; }
  int consecutive_successes() const { return successes_; }

 private:
  int failures_to_reach(DegradationLevel level) const;

  int reduced_at_, limited_at_, emergency_at_, recover_after_;
  DegradationLevel level_ = DegradationLevel::kNormal;
  int failures_ = 0, successes_ = 0;
  int run_base_ = 0;  // the threshold of the level the current run of failures started at
};

}  // namespace tg4::agents
