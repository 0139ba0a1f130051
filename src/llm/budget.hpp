#pragma once
// Budget: the daily LLM spend of SPEC §6 (default $5.00 a UTC day, a warning at $4.00, at most
// $0.50 on one decision). Within budget every provider may be asked; over it only local ones (which
// cost nothing), and with none configured the agents fall back to their rules. Not thread-safe: one
// owner (the agent scheduler) asks and spends.
#include "core/config.hpp"
#include "core/decimal.hpp"
#include "core/time.hpp"

namespace tg4::llm {

enum class BudgetTier { kAll, kLocalOnly };

class Budget {
 public:
  explicit Budget(const core::LlmSection& section);

  BudgetTier tier(core::Timestamp now) const;
  bool allows(const core::LlmProvider& provider, core::Timestamp now) const {
    return provider.local || tier(now) == BudgetTier::kAll;
  }
  // Adds a call's cost; the day rolls over at 00:00 UTC. True the first time a day's spend reaches
  // the warning level (for the caller to say so once).
  bool spend(core::Decimal usd, core::Timestamp now);
  core::Decimal spent_today(core::Timestamp now) const;
  core::Decimal per_decision() const { return per_decision_; }
  core::Decimal daily() const { return daily_; }
  core::Decimal warn() const { return warn_; }

 private:
  void roll(core::Timestamp now);
  core::Decimal daily_, warn_, per_decision_;
  std::int64_t day_ = 0;  // days since the epoch, UTC
  core::Decimal spent_;
  bool warned_ = false;
};

}  // namespace tg4::llm
