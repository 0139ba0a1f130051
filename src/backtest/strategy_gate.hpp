#pragma once
// StrategyGate: wraps the strategy under test for a backtest. Every callback goes to the strategy
// unchanged (the pipeline cannot tell the difference), with two additions: before `trade_from` the
// strategy's intents are dropped (warm-up: its indicators and state see the bars, nothing trades),
// and, for report.html, the closed bars of the trading timeframe are kept with the strategy's own
// indicator lines (EMA fast/slow for ema_cross, its Bollinger bands, its Supertrend; EMA 21/50 for
// the others), computed from the same bars the strategy saw.
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "backtest/report_html.hpp"
#include "strategy/strategy.hpp"

namespace tg4::backtest {

class OverlaySet;

class StrategyGate final : public strategy::Strategy {
 public:
  // `timeframe`: the interval the strategy trades (counted in bars_seen, kept for the chart when
  // `keep_charts`).
  StrategyGate(strategy::StrategyPtr inner, core::Timestamp trade_from, int timeframe,
               bool keep_charts);
  ~StrategyGate() override;

  std::string_view name() const override { return inner_->name(); }
  // The strategy's own, plus the charted timeframe.
  strategy::StrategyNeeds needs() const override;
  void on_start(strategy::StrategyContext& ctx) override;
  void on_bar(strategy::StrategyContext& ctx, const core::Bar& bar) override;
  void on_trade(strategy::StrategyContext& ctx, const core::Trade& trade) override;
  void on_book(strategy::StrategyContext& ctx, const std::string& symbol) override;
  void on_fill(strategy::StrategyContext& ctx, const core::Fill& fill) override;
  void on_timer(strategy::StrategyContext& ctx, const strategy::TimerEvent& timer) override;
  void on_advice(strategy::StrategyContext& ctx, const strategy::Advice& advice) override;

  std::uint64_t dropped_intents() const { return dropped_; }
  std::uint64_t bars_seen() const { return bars_seen_; }  // of the trading timeframe
  // The kept charts, one per symbol in symbol order (markers are added by the caller).
  std::vector<SymbolChart> take_charts();

 private:
  class Context;
  struct Chart {
    std::vector<core::Bar> candles;
    std::unique_ptr<OverlaySet> overlays;
  };

  strategy::StrategyPtr inner_;
  core::Timestamp trade_from_;
  int timeframe_;
  bool keep_charts_;
  std::map<std::string, Chart> charts_;
  std::uint64_t dropped_ = 0;
  std::uint64_t bars_seen_ = 0;
};

}  // namespace tg4::backtest
