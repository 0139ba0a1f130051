#pragma once
// Pipeline tests drive the market with BTC/USDT trades posted to the kernel, one at a time.
#include "kernel/kernel.hpp"

namespace tg4::kernel::testing {

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

}  // namespace tg4::kernel::testing
