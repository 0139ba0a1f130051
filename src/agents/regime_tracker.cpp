#include "agents/regime_tracker.hpp"

namespace tg4::agents {

void RegimeTracker::note(const RegimeReading& reading) {
  latest_ = reading;
  latest_.votes.clear();  // the record keeps them; the state needs none
}

void RegimeTracker::carry_over(const RegimeReading& last_session, core::Timestamp since) {
  if (last_session.regime == MarketRegime::kUnknown || change_runs_ < 2) return;
  candidate_ = last_session.regime;
  candidate_runs_ = change_runs_ - 1;
  carried_since_ = since;
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
    carried_since_ = {};
    return false;
  }
  if (candidate_runs_ > 0 && candidate_ == reading.regime) {
    ++candidate_runs_;
  } else {
    candidate_ = reading.regime;
    candidate_runs_ = 1;
    carried_since_ = {};
  }
  if (candidate_runs_ < change_runs_) return false;
  current_ = reading;
  current_.votes.clear();
  since_ = carried_since_.is_set() ? carried_since_ : reading.time;
  candidate_runs_ = 0;
  carried_since_ = {};
  return true;
}

}  // namespace tg4::agents
