#pragma once
// The config's risk section (core::RiskSection) as the engine's limits.
#include "core/config.hpp"
#include "risk/types.hpp"

namespace tg4::risk {

RiskLimits limits_from_config(const core::RiskSection& config);

}  // namespace tg4::risk
