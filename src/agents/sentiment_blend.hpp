#pragma once
// The sentiment agent's answers blended into one reading (SPEC §6): every valid answer counts with
// the same weight (agents.sentiment_provider_weight, 0.6; a weight per provider would go here), so
// the score is the answers' weighted mean, the confidence their mean, and the bias the score's side
// once it leans clearly (beyond +-kSentimentLean), else neutral. Key events: each answer's in turn,
// without repeats, at most kMaxKeyEvents. One valid answer is enough: only one or two
// search-capable models are asked.
#include <string>
#include <vector>

#include "agents/model_sentiment.hpp"
#include "agents/sentiment.hpp"

namespace tg4::agents {

inline constexpr double kSentimentLean = 0.2;

struct SentimentVote {
  std::string provider;
  std::string model;
  core::Result<ModelSentiment> sentiment;  // an Error: the model gave no valid answer
};

struct SentimentBlend {
  SentimentReading reading;  // known when some answer was valid; no votes
  int total = 0, valid = 0;
  std::string why;  // "2 valid answers of 2: score +0.35" or "no valid answer of 2"
};

SentimentBlend blend_sentiment(const std::vector<SentimentVote>& votes,
                               const SentimentRequest& request, double weight);

}  // namespace tg4::agents
