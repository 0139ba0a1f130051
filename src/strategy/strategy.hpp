#pragma once
// The strategy API. A Strategy reacts to market and execution events through callbacks that get a
// StrategyContext: the market (closed bars and indicators per timeframe, order-book features), the
// portfolio, the clock, and submit() for order intents. Nothing a strategy submits reaches a venue
// before risk::Engine's verdict. The kernel calls on_bar only for closed bars, after the bar is in
// the market state, so a strategy cannot see a bar before it closes (no lookahead).
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/events.hpp"
#include "core/time.hpp"
#include "execution/portfolio.hpp"
#include "market/indicators/market_state.hpp"
#include "strategy/advice.hpp"
#include "strategy/params.hpp"

namespace tg4::strategy {

struct TimerEvent {
  std::string name;  // as given to schedule_timer
  core::Timestamp time;
};

class StrategyContext {
 public:
  virtual ~StrategyContext() = default;

  // Current time of the kernel's clock (simulated in backtests).
  virtual core::Timestamp now() const = 0;
  // The symbol's market, or nullptr when nothing was seen for it yet.
  virtual const market::SymbolMarket* market(std::string_view symbol) const = 0;
  virtual const execution::Portfolio& portfolio() const = 0;
  // True when the venue trades margin (paper.margin): a sell that is not reduce-only opens a short.
  virtual bool margin_enabled() const { return false; }
  // Hands an intent to the risk engine. Empty intent_id, source or created are filled in by the
  // context (deterministically: source, symbol and a per-strategy sequence number).
  virtual void submit(core::OrderIntent intent) = 0;
  // True while on_bar gets the stored history a paper or live node starts with (several days of
  // bars of every tracked timeframe, oldest first, before any live event): a strategy updates its
  // indicators and may decide as always, but what it submits is dropped and ask_advice answers
  // false. A strategy that remembers an entry of its own should not remember one made then.
  virtual bool warming_up() const { return false; }
  // Asks for on_timer(name) at or after `at` (clock time).
  virtual void schedule_timer(std::string name, core::Timestamp at) = 0;
  // Asks the advisor (the decision agents, or their rules) what to do in `symbol`, judged on the
  // `timeframe_minutes` bars; the answer comes later as Strategy::on_advice, through the kernel's
  // queue. False when nothing can answer (no market seen for the symbol yet, or no advisor here).
  virtual bool ask_advice(const std::string& /*symbol*/, int /*timeframe_minutes*/) {
    return false;
  }
};

// What a strategy reads, so a backtest can leave the rest uncomputed. The default claims everything;
// a strategy that declares less must not read more (ctx.market() would then be incomplete).
struct StrategyNeeds {
  bool market_state = true;    // ctx.market(): indicators, bar history, book features
  bool trades = true;          // on_trade
  std::vector<int> timeframes;  // bar intervals on_bar uses; empty: every tracked one
};

class Strategy {
 public:
  virtual ~Strategy() = default;

  // Registry name, e.g. "ema_cross"; the `source` of the intents it submits.
  virtual std::string_view name() const = 0;
  const Params& params() const { return params_; }
  virtual StrategyNeeds needs() const { return {}; }

  virtual void on_start(StrategyContext&) {}
  // A closed bar (any tracked interval; compare bar.interval_minutes). The market state already
  // includes it.
  virtual void on_bar(StrategyContext&, const core::Bar&) {}
  virtual void on_trade(StrategyContext&, const core::Trade&) {}
  // The symbol's book changed; its features are in market(symbol)->book().
  virtual void on_book(StrategyContext&, const std::string& /*symbol*/) {}
  // A fill of an order that came from one of this strategy's intents.
  virtual void on_fill(StrategyContext&, const core::Fill&) {}
  virtual void on_timer(StrategyContext&, const TimerEvent&) {}
  // The answer to an ask_advice of this strategy.
  virtual void on_advice(StrategyContext&, const Advice&) {}

 protected:
  explicit Strategy(Params params) : params_(std::move(params)) {}

 private:
  Params params_;
};

using StrategyPtr = std::unique_ptr<Strategy>;

}  // namespace tg4::strategy
