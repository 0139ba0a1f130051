#include "agents/sentiment_blend.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "agents/consensus.hpp"

namespace tg4::agents {

SentimentBlend blend_sentiment(const std::vector<SentimentVote>& votes,
                               const SentimentRequest& request, double weight) {
  SentimentBlend b;
  SentimentReading& r = b.reading;
  r.symbol = request.symbol;
  r.time = request.time;
  b.total = static_cast<int>(votes.size());
  double weights = 0, score = 0;
  for (const SentimentVote& vote : votes) {
    if (!vote.sentiment) continue;
    ++b.valid;
    weights += weight;
    score += weight * vote.sentiment->score;
    r.confidence += vote.sentiment->confidence;
  }
  if (b.valid == 0 || weights <= 0) {
    b.why = b.valid == 0 ? fmt::format("no valid answer of {}", b.total)
                         : "agents.sentiment_provider_weight is 0: the answers count for nothing";
    r.reasoning = b.why;
    r.source = "llm: no valid answer";
    return b;
  }
  r.known = r.by_models = true;
  r.score = std::clamp(score / weights, -1.0, 1.0);
  r.confidence /= b.valid;
  r.bias = r.score > kSentimentLean    ? Bias::kLong
           : r.score < -kSentimentLean ? Bias::kShort
                                       : Bias::kNeutral;
  b.why = fmt::format("{} valid answer{} of {}: score {:+.2f}", b.valid, b.valid == 1 ? "" : "s",
                      b.total, r.score);
  r.reasoning = b.why;
  for (const SentimentVote& vote : votes) {
    if (!vote.sentiment) continue;
    for (const std::string& event : vote.sentiment->key_events) {
      const bool seen =
          std::find(r.key_events.begin(), r.key_events.end(), event) != r.key_events.end();
      if (!seen && r.key_events.size() < kMaxKeyEvents) r.key_events.push_back(event);
    }
    append_reason(r.reasoning, vote.provider, vote.model, vote.sentiment->reasoning);
  }
  r.source = fmt::format("llm {} of {}", b.valid, b.total);
  return b;
}

}  // namespace tg4::agents
