#pragma once
// Degradation of the LLM decision path (SPEC §6): NORMAL -> REDUCED -> LIMITED -> EMERGENCY after 3,
// 6 and 9 consecutive failed decision cycles (configurable), one level back after 3 consecutive
// successes. What each level means for trading (docs/AGENTS.md): REDUCED halves the advised size,
// LIMITED allows no new entries (closes and holds only), EMERGENCY stops asking the models and uses
// the rules.
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

 private:
  int reduced_at_, limited_at_, emergency_at_, recover_after_;
  DegradationLevel level_ = DegradationLevel::kNormal;
  int failures_ = 0, successes_ = 0;
};

}  // namespace tg4::agents
