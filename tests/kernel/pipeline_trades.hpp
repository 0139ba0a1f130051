#pragma once
// Pipeline tests start the pipeline and drive the market with BTC/USDT trades posted to the kernel,
// one at a time.
#include <string>

#include "core/events.hpp"
#include "kernel/kernel.hpp"
#include "kernel/pipeline.hpp"

namespace tg4::kernel::testing {

inline constexpr core::Timestamp kStart{1'767'225'600'000'000'000};  // 2026-01-01T00:00:00Z

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
