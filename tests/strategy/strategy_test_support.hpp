#pragma once
// A small harness for strategy tests: market state, portfolio with 10,000 USDT, simulated clock and
// a RecordingContext; bars go to the market state first and then to the strategy, as the kernel
// does.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/instrument.hpp"
#include "strategy/recording_context.hpp"
#include "strategy/registry.hpp"

namespace tg4::strategy::testing {

inline const char* const kSymbol = "BTC/USDT";

struct Harness {
  explicit Harness(const std::string& name, std::map<std::string, std::string> params = {}) {
    portfolio.deposit("USDT", core::Decimal::from_int(10'000));
    auto created = builtin_registry().create(name, params);
    if (created) {
      strategy = std::move(created).value();
    } else {
      ADD_FAILURE() << created.error().message;
    }
  }

  // One closed 1m bar; returns the intents it produced.
  std::vector<core::OrderIntent> bar(double close, double high = 0, double low = 0,
                                     double volume = 1) {
    core::Bar b;
    b.symbol = symbol;
    b.interval_minutes = 1;
    b.open_time = core::Timestamp::from_seconds(1'700'000'000) + std::chrono::minutes(bars++);
    b.open = core::Decimal::from_double(close, 8);
    b.close = b.open;
    b.high = core::Decimal::from_double(high != 0 ? high : close + 0.5, 8);
    b.low = core::Decimal::from_double(low != 0 ? low : close - 0.5, 8);
    b.volume = core::Decimal::from_double(volume, 8);
    clock.advance_to(b.open_time + std::chrono::minutes(1));
    market.on_bar(b, clock.now());
    strategy->on_bar(ctx, b);
    return ctx.take_intents();
  }

  // Buys `qty` at `price` into the portfolio, as if the entry had filled.
  void fill_buy(core::Decimal qty, core::Decimal price) {
    core::Fill f;
    f.exec_id = "x" + std::to_string(bars);
    f.symbol = symbol;
    f.side = core::Side::kBuy;
    f.price = price;
    f.qty = qty;
    f.fee_currency = core::split_symbol(symbol)->second;
    f.time = clock.now();
    portfolio.apply_fill(f, core::default_instrument(symbol));
    portfolio.set_mark(symbol, price);
  }

  std::string symbol = kSymbol;  // of the bars and fills
  market::MarketState market{{1, 5}};
  execution::Portfolio portfolio;
  core::SimulatedClock clock;
  RecordingContext ctx{market, portfolio, clock};
  StrategyPtr strategy;
  int bars = 0;
};

// What SPEC §7 rules 3-5 need from an entry: stop 0.5-5 % from entry, R:R >= 1.5, confidence, and a
// size within 20 % of equity whose stop-out loses at most 2 %.
inline void expect_risk_shaped_entry(const core::OrderIntent& i, double equity = 10'000) {
  const double entry = i.entry.to_double(), stop = i.stop_loss.to_double();
  const double target = i.take_profit.to_double(), size = i.size_quote.to_double();
  EXPECT_EQ(i.side, core::Side::kBuy);
  EXPECT_FALSE(i.reduce_only);
  EXPECT_GE((entry - stop) / entry, 0.005);
  EXPECT_LE((entry - stop) / entry, 0.05);
  EXPECT_GE((target - entry) / (entry - stop), 1.5 - 1e-9);
  EXPECT_GT(i.confidence, 0);
  EXPECT_GT(size, 0);
  EXPECT_LE(size, 0.2 * equity);
  EXPECT_LE(size * (entry - stop) / entry, 0.02 * equity + 1e-6);
  EXPECT_FALSE(i.intent_id.empty());
}

}  // namespace tg4::strategy::testing
