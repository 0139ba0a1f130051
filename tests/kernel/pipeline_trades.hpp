#pragma once
// Pipeline tests start the pipeline and drive the market with BTC/USDT trades posted to the kernel,
// one at a time.
#include <string>
#include <utility>

#include "core/events.hpp"
#include "kernel/kernel.hpp"
#include "kernel/pipeline.hpp"
#include "strategy/strategy.hpp"

namespace tg4::kernel::testing {

inline constexpr core::Timestamp kStart{1'767'225'600'000'000'000};  // 2026-01-01T00:00:00Z

// On BTC/USDT trades: buys `buy_quote` of BTC (a 4 % stop, a 50 % target) on the next trade after
// it is set; sells its position (or, with sell_balance, the whole BTC balance, to show the pipeline
// sells no more than the position's) on the next trade after `sell_next` is set.
class BuyThenSell final : public strategy::Strategy {
 public:
  BuyThenSell() : Strategy(strategy::Params{}) {}
  std::string_view name() const override { return "buy_then_sell"; }
  void on_trade(strategy::StrategyContext& ctx, const core::Trade& trade) override {
    if (trade.symbol != "BTC/USDT") return;
    core::OrderIntent intent;
    intent.symbol = trade.symbol;
    intent.entry = trade.price;
    if (buy_quote.is_positive()) {
      intent.side = core::Side::kBuy;
      intent.size_quote = std::exchange(buy_quote, core::Decimal{});
      intent.stop_loss = (trade.price * core::Decimal::must("0.96")).round(2);
      intent.take_profit = (trade.price * core::Decimal::must("1.5")).round(2);
      ctx.submit(intent);
    } else if (sell_next) {
      sell_next = false;
      intent.side = core::Side::kSell;
      intent.qty = sell_balance ? ctx.portfolio().balance("BTC")
                                : ctx.portfolio().position_qty(trade.symbol);
      intent.reduce_only = true;
      ctx.submit(intent);
    }
  }
  core::Decimal buy_quote;
  bool sell_next = false;
  bool sell_balance = false;
};

// Posts a BTC/USDT trade at `time` and runs the kernel until its queue is empty.
inline void post_trade(Kernel& kernel, core::Decimal price, core::Decimal qty, core::Timestamp time,
                       std::int64_t trade_id = 0) {
  core::Trade t;
  t.symbol = "BTC/USDT";
  t.price = price;
  t.qty = qty;
  t.time = t.received = time;
  t.trade_id = trade_id;
  kernel.post(t);
  kernel.run_until_empty();
}

// Starts the pipeline on the kernel thread (continuing `account` when given), as a node does.
inline void start_pipeline(Kernel& kernel, Pipeline& pipeline, RestoredAccount account = {}) {
  kernel.post(Task([&pipeline, account = std::move(account)]() mutable {
    if (!account.empty()) pipeline.restore(std::move(account));
    pipeline.start();
  }));
  kernel.run_until_empty();
}

// A margin short of 1500 notional at `entry`, its stop 2 % above and its target 6 % below.
inline core::OrderIntent short_intent(const std::string& symbol, core::Decimal entry, core::Decimal leverage,
                                      std::string regime) {
  core::OrderIntent intent;
  intent.symbol = symbol;
  intent.side = core::Side::kSell;
  intent.entry = entry;
  intent.size_quote = core::Decimal::from_int(1500);
  intent.stop_loss = entry * core::Decimal::must("1.02");
  intent.take_profit = entry * core::Decimal::must("0.94");
  intent.leverage = leverage;
  intent.regime = std::move(regime);
  return intent;
}

}  // namespace tg4::kernel::testing
