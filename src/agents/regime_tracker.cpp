#include "agents/regime_tracker.hpp"

namespace tg4::agents {

void RegimeTracker::note(const RegimeReading& reading) {
  latest_ = reading;
  latest_.votes.clear();  // the record keeps them; the state needs none
}

bool RegimeTracker::observe(const RegimeReading& reading) {
  note(reading);
  if (reading.regime == current_.regime) {
    if (reading.regime != MarketRegime::kUnknown) {
      current_ = reading;
      current_.votes.clear();  // the record keeps them; the state needs none
    }
    candidate_runs_ = 0;
    return false;
  }
  if (reading.regime == MarketRegime::kUnknown || reading.confidence < change_confidence_) {
    candidate_runs_ = 0;
    return false;
  }
  if (candidate_runs_ > 0 && candidate_ == reading.regime) {
    ++candidate_runs_;
  } else {
    candidate_ = reading.regime;
    candidate_runs_ = 1;
  }
  if (candidate_runs_ < change_runs_) return false;
  current_ = reading;
  current_.votes.clear();
  since_ = reading.time;
  candidate_runs_ = 0;
  return true;
}

}  // namespace tg4::agents
