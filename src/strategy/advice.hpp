#pragma once
// Advice: a trading decision that a strategy asked for and an Advisor gave, later (SPEC §6: the
// decision agents). A strategy calls StrategyContext::ask_advice(symbol) on the kernel thread; the
// advisor takes what it needs from the market there, works elsewhere (LLM calls take seconds), and
// the answer comes back through the kernel's queue as Strategy::on_advice. Advice is a proposal: what
// the strategy submits still passes the risk engine.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/decimal.hpp"
#include "core/result.hpp"
#include "core/time.hpp"
#include "market/indicators/market_state.hpp"

namespace tg4::strategy {

enum class AdviceAction { kBuy, kSell, kHold, kClose };
const char* to_string(AdviceAction action);  // "BUY", "SELL", "HOLD", "CLOSE"
core::Result<AdviceAction> parse_advice_action(std::string_view text);  // case-insensitive

// One model's answer within an Advice, for the record (the store's decisions table) and metrics.
struct AdviceVote {
  std::string agent = "decision";
  std::string provider;
  std::string model;
  std::string prompt_hash;
  std::string raw_response;
  std::string parsed_json;  // the validated decision as JSON; empty when invalid
  std::string action;       // BUY/SELL/HOLD/CLOSE; empty when invalid
  double confidence = 0.0;
  std::int64_t latency_us = 0;
  std::int64_t tokens_in = 0;
  std::int64_t tokens_out = 0;
  core::Decimal cost_usd;
  std::string error;  // empty when the answer was valid
};

struct Advice {
  std::string symbol;
  AdviceAction action = AdviceAction::kHold;
  double confidence = 0.0;  // 0..1
  std::optional<core::Decimal> entry, stop, target;
  double size_pct = 0.0;  // of equity, 0..100
  // What the decision path's health allows (LlmAdvisor's degradation): a factor on the entry's size
  // (REDUCED: 0.5), and whether the advice may open a position at all (LIMITED: no, judged when the
  // answer is acted on, since the position may have changed while the models thought).
  double size_factor = 1.0;
  bool may_open = true;
  std::string reasoning;
  std::string source;     // who decided, for people: "llm consensus 4 of 5", "rules (LLM disabled)"
  bool by_models = false;  // the models' consensus decided (else the rules did)
  core::Timestamp asked;
  std::vector<AdviceVote> votes;  // each model asked; empty when the rules decided
};

// What the advisor is asked: the symbol, the bars to judge it on, the position (signed quantity,
// zero when flat), and what the other agents make of the symbol now ("Regime: trending_bull 0.82
// since ...", "Technical analysis (5m): long 0.72 ..."), which the models are shown; the rules
// read the market themselves.
struct AdviceRequest {
  std::string symbol;
  int timeframe_minutes = 60;
  core::Decimal position_qty;
  core::Timestamp time;
  std::vector<std::string> agent_views = {};
};

using AdviceCallback = std::function<void(Advice)>;

class Advisor {
 public:
  virtual ~Advisor() = default;
  // Called on the kernel thread with the symbol's market as it stands. `answer` is called once,
  // from any thread (possibly inside this call), and the caller hands the advice back to the
  // kernel; an advisor being destroyed drops what it has not answered yet.
  virtual void ask(const AdviceRequest& request, const market::SymbolMarket& market, AdviceCallback answer) = 0;
  // Takes no more questions and answers none from now on; work in flight ends as soon as it can.
  // Thread-safe: a node stopping calls it first, so LLM calls wind down while the rest stops.
  virtual void stop() {}
};

}  // namespace tg4::strategy
