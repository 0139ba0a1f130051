#pragma once
// Helpers shared by the rule checks and the state updates (not part of the engine's API).
#include <string>

#include "risk/types.hpp"

namespace tg4::risk::detail {

// A Decimal for a reason text: at most 6 fractional digits, no trailing zeros.
std::string text(Decimal value);

// Rule 4: the regime's minimum + the loss-streak and strictness adjustments.
Decimal min_confidence(const RiskLimits& limits, int consecutive_losses, Regime regime,
                       Strictness strictness);

// Rule 6: min(max leverage, regime cap, drawdown cap, loss-streak cap).
Decimal leverage_cap(const RiskLimits& limits, const RiskState& state, Regime regime);

// Rule 9: orders sent in (now - 60 s, now].
int orders_last_minute(const RiskState& state, Timestamp now);

// Rule 2: how long the loss cool-down lasts after `consecutive_losses` losses in a row.
Duration loss_cooldown(const RiskLimits& limits, int consecutive_losses);

}  // namespace tg4::risk::detail
