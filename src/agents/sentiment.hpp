#pragma once
// The sentiment agent of SPEC §6: every agents.sentiment_interval (30 min) up to
// agents.sentiment_max_providers search-capable models (llm.providers[].search) are asked what the
// news and social media say about each symbol, and their answers, each weighted
// agents.sentiment_provider_weight, are blended into a score from -1 (very negative) to +1 and a
// bias. Like the technical reading it is advice: shown, published and put to the decision agent;
// nothing trades on it. Models are its only source: with none that may be asked (LLMs off, no
// search-capable provider, over budget, the agent's circuit breaker open) there is no reading.
#include <functional>
#include <string>
#include <vector>

#include "agents/technical.hpp"
#include "core/time.hpp"
#include "market/indicators/market_state.hpp"
#include "strategy/advice.hpp"

namespace tg4::agents {

struct SentimentReading {
  std::string symbol;
  bool known = false;  // false: no model's answer (none asked, none valid, breaker open)
  Bias bias = Bias::kNeutral;
  double score = 0.0;       // -1..1, the answers' weighted mean
  double confidence = 0.0;  // 0..1, their mean
  std::vector<std::string> key_events;
  std::string reasoning;
  std::string source;      // "llm 2 of 2", "no search-capable model may be asked now", ...
  bool by_models = false;  // some model's answer is in it (as known)
  core::Timestamp time;
  std::vector<strategy::AdviceVote> votes;  // each model asked (agent "sentiment")
};

struct SentimentRequest {
  std::string symbol;
  core::Timestamp time;
};

using SentimentCallback = std::function<void(SentimentReading)>;

class SentimentAgent {
 public:
  virtual ~SentimentAgent() = default;
  // Kernel thread; `market` is null before any market data of the symbol. `answer` is called once,
  // from any thread; an agent being stopped or destroyed drops what it has not answered.
  virtual void sense(const SentimentRequest& request, const market::SymbolMarket* market,
                     SentimentCallback answer) = 0;
  virtual void stop() {}
};

}  // namespace tg4::agents
