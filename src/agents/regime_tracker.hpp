#pragma once
// RegimeTracker: one symbol's regime, changed only by readings that agree (SPEC §6: a change needs
// confidence >= agents.regime_change_confidence on agents.regime_change_runs consecutive runs). A
// reading of the regime in force refreshes its details (confidence, multipliers, strictness) and
// forgets any candidate; a confident reading of another regime counts towards a change, a less
// confident one (or an unknown) forgets the candidate. Unknown until the first change.
#include "agents/regime.hpp"

namespace tg4::agents {

class RegimeTracker {
 public:
  RegimeTracker(double change_confidence, int change_runs)
      : change_confidence_(change_confidence), change_runs_(change_runs) {}

  // True when this reading changed the regime.
  bool observe(const RegimeReading& reading);
  // Only remembers `reading` as the latest (a symbol reported before its first reading).
  void note(const RegimeReading& reading);
  // A restart: the regime in force when the last session stopped (`since` it began) counts as all
  // the runs a change needs but one, so the first fresh reading that agrees puts it back in force
  // at once (with its old `since`) instead of after regime_change_runs readings. Nothing is in
  // force before that reading: a regime the market has left since is never applied.
  void carry_over(const RegimeReading& last_session, core::Timestamp since);
  const RegimeReading& current() const { return current_; }
  // The last reading observed (without its votes); a default reading before the first.
  const RegimeReading& latest() const { return latest_; }
  // When the regime in force began (unset while unknown).
  core::Timestamp since() const { return since_; }
  // The regime a change is waiting on and how many consecutive runs have said it (0: none).
  MarketRegime candidate() const { return candidate_; }
  int candidate_runs() const { return candidate_runs_; }

 private:
  double change_confidence_;
  int change_runs_;
  RegimeReading current_;
  RegimeReading latest_;
  core::Timestamp since_;
  MarketRegime candidate_ = MarketRegime::kUnknown;
  int candidate_runs_ = 0;
  core::Timestamp carried_since_;  // the candidate carried over from the last session: its since
};

}  // namespace tg4::agents
