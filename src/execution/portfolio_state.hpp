#pragma once
// The JSON form of a PortfolioState (risk_state.portfolio_json): what a restarted node reads back to
// continue the same account. Decimals are strings (exact), times integer nanoseconds; a malformed
// document is an Error naming the field.
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "execution/portfolio.hpp"

namespace tg4::execution {

std::string portfolio_state_to_json(const PortfolioState& state);
core::Result<PortfolioState> portfolio_state_from_json(std::string_view text);

}  // namespace tg4::execution
