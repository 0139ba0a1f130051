#include "llm/budget.hpp"

namespace tg4::llm {

namespace {

constexpr std::int64_t kNanosPerDay = 86'400LL * 1'000'000'000LL;

std::int64_t utc_day(core::Timestamp t) {
  return core::utc_day_start(t).ns / kNanosPerDay;
}

}  // namespace

Budget::Budget(const core::LlmSection& section)
    : daily_(section.daily_budget_usd),
      warn_(section.budget_warn_usd),
      per_decision_(section.max_cost_per_decision_usd) {}

// The day only moves forward: a wall clock stepped back over midnight keeps counting into the day
// already spent rather than granting a second budget.
void Budget::roll(core::Timestamp now) {
  const std::int64_t day = utc_day(now);
  if (day <= day_) return;
  day_ = day;
  spent_ = core::Decimal::zero();
  warned_ = false;
}

core::Decimal Budget::spent_today(core::Timestamp now) const {
  return utc_day(now) > day_ ? core::Decimal::zero() : spent_;
}

BudgetTier Budget::tier(core::Timestamp now) const {
  return spent_today(now) >= daily_ ? BudgetTier::kLocalOnly : BudgetTier::kAll;
}

bool Budget::spend(core::Decimal usd, core::Timestamp now) {
  roll(now);
  if (usd.is_positive()) spent_ += usd;
  if (warned_ || spent_ < warn_) return false;
  warned_ = true;
  return true;
}

}  // namespace tg4::llm
