#pragma once
// RecordingContext: a StrategyContext over a MarketState, a Portfolio and a Clock that collects the
// submitted intents, timer requests and questions to the advisor instead of acting on them. The
// kernel drains it after each callback; tests inspect it directly.
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "core/clock.hpp"
#include "strategy/strategy.hpp"

namespace tg4::strategy {

class RecordingContext final : public StrategyContext {
 public:
  struct TimerRequest {
    std::string name;
    core::Timestamp at;
  };

  RecordingContext(const market::MarketState& market, const execution::Portfolio& portfolio,
                   const core::Clock& clock, std::string default_source = "strategy")
      : market_(market), portfolio_(portfolio), clock_(clock), source_(std::move(default_source)) {}

  core::Timestamp now() const override { return clock_.now(); }
  const market::SymbolMarket* market(std::string_view symbol) const override {
    return market_.find(symbol);
  }
  const execution::Portfolio& portfolio() const override { return portfolio_; }
  bool margin_enabled() const override { return margin_; }
  void set_margin_enabled(bool margin) { margin_ = margin; }
  void submit(core::OrderIntent intent) override;
  void schedule_timer(std::string name, core::Timestamp at) override {
    timers_.push_back({std::move(name), at});
  }
  // Recorded; the answer is the test's to give (Strategy::on_advice).
  bool ask_advice(const std::string& symbol, int timeframe_minutes) override {
    asks_.push_back({symbol, timeframe_minutes});
    return true;
  }
  struct AdviceAsk {
    std::string symbol;
    int timeframe_minutes = 0;
  };
  const std::vector<AdviceAsk>& asks() const { return asks_; }

  const std::vector<core::OrderIntent>& intents() const { return intents_; }
  const std::vector<TimerRequest>& timers() const { return timers_; }
  // Hands over what was collected and starts empty (sequence numbers keep counting).
  std::vector<core::OrderIntent> take_intents() { return std::exchange(intents_, {}); }
  std::vector<TimerRequest> take_timers() { return std::exchange(timers_, {}); }

 private:
  const market::MarketState& market_;
  const execution::Portfolio& portfolio_;
  const core::Clock& clock_;
  std::string source_;
  bool margin_ = false;
  std::vector<core::OrderIntent> intents_;
  std::vector<TimerRequest> timers_;
  std::vector<AdviceAsk> asks_;
  std::map<std::string, std::uint64_t> sequence_;  // per source
};

}  // namespace tg4::strategy
