// The raw 128-bit fixed-point value behind a Decimal, for tests that check results digit by digit.
#pragma once

#include "core/decimal.hpp"

namespace tg4::core::raw {

using Raw = __int128;
inline constexpr Raw kOne = Decimal::kOne;

constexpr Raw pow10(int n) {
  return n == 0 ? 1 : 10 * pow10(n - 1);
}

}  // namespace tg4::core::raw
