#include "agents/degradation.hpp"

#include <algorithm>

namespace tg4::agents {

const char* to_string(DegradationLevel level) {
  switch (level) {
    case DegradationLevel::kNormal:
      return "NORMAL";
    case DegradationLevel::kReduced:
      return "REDUCED";
    case DegradationLevel::kLimited:
      return "LIMITED";
    case DegradationLevel::kEmergency:
      return "EMERGENCY";
  }
  return "NORMAL";
}

Degradation::Degradation(const core::AgentsSection& agents)
    : reduced_at_(std::max(1, agents.degrade_reduced_failures)),
      limited_at_(std::max(reduced_at_, agents.degrade_limited_failures)),
      emergency_at_(std::max(limited_at_, agents.degrade_emergency_failures)),
      recover_after_(std::max(1, agents.recover_successes)) {}

int Degradation::failures_to_reach(DegradationLevel level) const {
  switch (level) {
    case DegradationLevel::kNormal:
      return 0;
    case DegradationLevel::kReduced:
      return reduced_at_;
    case DegradationLevel::kLimited:
      return limited_at_;
    case DegradationLevel::kEmergency:
      return emergency_at_;
  }
  return 0;
}

bool Degradation::on_failure() {
  successes_ = 0;
  // A run of failures counts on from the threshold of the level it starts at: after EMERGENCY has
  // stepped back to LIMITED, 3 failures (9 - 6) bring it back to EMERGENCY, not 9.
  if (failures_++ == 0) run_base_ = failures_to_reach(level_);
  const int count = run_base_ + failures_;
  DegradationLevel reached = DegradationLevel::kNormal;
  if (count >= emergency_at_) {
    reached = DegradationLevel::kEmergency;
  } else if (count >= limited_at_) {
    reached = DegradationLevel::kLimited;
  } else if (count >= reduced_at_) {
    reached = DegradationLevel::kReduced;
  }
  if (reached <= level_) return false;
  level_ = reached;
  return true;
}

bool Degradation::on_success() {
  failures_ = 0;
  if (level_ == DegradationLevel::kNormal) {
    successes_ = 0;
    return false;
  }
  if (++successes_ < recover_after_) return false;
  successes_ = 0;
  level_ = static_cast<DegradationLevel>(static_cast<int>(level_) - 1);
  return true;
}

}  // namespace tg4::agents
