// How many random samples a property test draws: all of them in the release run, a fifth under
// AddressSanitizer, where each costs twenty times more and the point is memory errors, which a
// smaller sample still exercises. Keeps the sanitizer run of CI within its time budget.
#pragma once

namespace tg4::testing {

#if defined(__SANITIZE_ADDRESS__)
inline constexpr bool kSanitized = true;
#else
inline constexpr bool kSanitized = false;
#endif

constexpr int samples(int release_count) { return kSanitized ? release_count / 5 : release_count; }

}  // namespace tg4::testing
