#include "strategy/recording_context.hpp"

#include <fmt/format.h>

namespace tg4::strategy {

void RecordingContext::submit(core::OrderIntent intent) {
  if (intent.source.empty()) intent.source = source_;
  if (!intent.created.is_set()) intent.created = clock_.now();
  if (intent.intent_id.empty()) {
    const std::uint64_t n = ++sequence_[intent.source];
    intent.intent_id = fmt::format("{}-{}-{}", intent.source, intent.symbol, n);
  }
  intents_.push_back(std::move(intent));
}

}  // namespace tg4::strategy
