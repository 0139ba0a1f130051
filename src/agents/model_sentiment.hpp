#pragma once
// One search-capable model's answer to the sentiment question (SPEC §6), validated like the other
// agents' answers: a malformed or out-of-bounds answer is an Error naming the field, and counts as
// no answer.
#include <boost/json/object.hpp>
#include <string>
#include <vector>

#include "agents/technical.hpp"
#include "core/result.hpp"

namespace tg4::agents {

struct ModelSentiment {
  Bias bias = Bias::kNeutral;
  double score = 0.0;                   // -1..1
  double confidence = 0.0;              // 0..1
  std::vector<std::string> key_events;  // at most kMaxKeyEvents, each cut at 200 characters
  std::string reasoning;
};

inline constexpr std::size_t kMaxKeyEvents = 5;

// Fields: bias (long, short, neutral, any case; required), score (-1..1; required), confidence
// (0..1, or a percentage as parse_model_decision reads it; required), key_events (an array of
// strings; optional; the first kMaxKeyEvents kept), reasoning (string; optional). A bias that
// contradicts the score's sign (long with a negative score) is refused: `bias: "long" contradicts
// score -0.4`.
core::Result<ModelSentiment> parse_model_sentiment(const boost::json::object& answer);

std::string model_sentiment_json(const ModelSentiment& sentiment);

}  // namespace tg4::agents
