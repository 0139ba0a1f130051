// The start-up warm-up of a paper or live node: the stored 1m bars are rolled up into every tracked
// timeframe, so the indicators, the regime agent's 15m bars and the strategy's own indicators start
// where the history left them. Nothing is traded, asked, recorded or judged from history.
#include <gtest/gtest.h>

#include <cmath>

#include "kernel/pipeline.hpp"
#include "pipeline_trades.hpp"

namespace tg4::kernel {
namespace {

using core::Decimal;
using namespace std::chrono_literals;
using testing::kStart;

// Remembers every bar it is given and whether it was history; buys on every 15m bar and asks the
// advisor on every 1h bar, to show that nothing comes of either on history.
class WarmUpProbe final : public strategy::Strategy {
 public:
  WarmUpProbe() : Strategy(strategy::Params{}) {}
  std::string_view name() const override { return "warm_up_probe"; }
  void on_bar(strategy::StrategyContext& ctx, const core::Bar& bar) override {
    seen.push_back({bar, ctx.warming_up()});
    if (bar.interval_minutes == 60) asked += ctx.ask_advice(bar.symbol, 60) ? 1 : 0;
    if (bar.interval_minutes != 15) return;
    core::OrderIntent intent;
    intent.symbol = bar.symbol;
    intent.side = core::Side::kBuy;
    intent.entry = bar.close;
    intent.size_quote = Decimal::from_int(100);
    intent.stop_loss = (bar.close * Decimal::must("0.98")).round(2);
    intent.take_profit = (bar.close * Decimal::must("1.04")).round(2);
    intent.confidence = 0.9;
    ctx.submit(intent);
  }
  struct Seen {
    core::Bar bar;
    bool history = false;
  };
  std::size_t count(int minutes, bool history) const {
    return static_cast<std::size_t>(std::ranges::count_if(seen, [&](const Seen& s) {
      return s.bar.interval_minutes == minutes && s.history == history;
    }));
  }
  std::vector<Seen> seen;
  int asked = 0;
};

// Ten hours of stored BTC/USDT minutes falling 0.05 % each, ending at 10:04; the node starts at
// 10:05.
constexpr int kStoredMinutes = 10 * 60 + 5;
const core::Timestamp kNodeStart = kStart + std::chrono::minutes(kStoredMinutes);

Decimal price_at(int minute) {
  return Decimal::from_double(30'000 * std::pow(0.9995, minute), 2);
}

std::vector<core::Bar> stored_minutes() {
  std::vector<core::Bar> bars;
  for (int m = 0; m < kStoredMinutes; ++m) {
    core::Bar b;
    b.symbol = "BTC/USDT";
    b.open_time = kStart + std::chrono::minutes(m);
    b.open = price_at(m);
    b.close = price_at(m + 1);
    b.high = b.open + Decimal::from_int(3);
    b.low = b.close - Decimal::from_int(3);
    b.volume = Decimal::must("2");
    b.quote_volume = b.close * b.volume;
    b.vwap = b.close;
    b.trades = 4;
    bars.push_back(b);
  }
  return bars;
}

struct WarmUpSession {
  WarmUpSession() {
    PipelineOptions options;
    options.scope = {"w1", "paper"};
    options.symbols = {"BTC/USDT"};
    options.reconcile_interval = 0s;
    options.agents.technical_analysis = false;
    PipelineOutputs outputs;
    outputs.record = [this](storage::Row row) { rows.push_back(std::move(row)); };
    outputs.registry = &registry;
    auto strategy = std::make_unique<WarmUpProbe>();
    probe = strategy.get();
    outputs.strategy = std::move(strategy);
    pipeline = Pipeline::create(kernel, options, std::move(outputs)).value();
    kernel.post(Task([this] { pipeline->warm_up(stored_minutes()); }));
    testing::start_pipeline(kernel, *pipeline);
  }
  template <typename T>
  std::size_t rows_of() const {
    return static_cast<std::size_t>(std::ranges::count_if(
        rows, [](const storage::Row& r) { return std::holds_alternative<T>(r); }));
  }

  core::SimulatedClock clock{kNodeStart};
  Kernel kernel{clock};
  prometheus::Registry registry;
  std::unique_ptr<Pipeline> pipeline;
  WarmUpProbe* probe = nullptr;
  std::vector<storage::Row> rows;
};

TEST(PipelineWarmUp, StoredMinutesWarmEveryTimeframeAndTheStrategyWithoutTrading) {
  WarmUpSession session;
  const WarmUpProbe& probe = *session.probe;
  EXPECT_EQ(probe.count(1, true), static_cast<std::size_t>(kStoredMinutes));
  EXPECT_EQ(probe.count(5, true), 121u) << "00:00 .. 10:00, the last ended with 10:04";
  EXPECT_EQ(probe.count(15, true), 40u) << "the 10:00 bucket is still in progress";
  EXPECT_EQ(probe.count(60, true), 10u);
  EXPECT_TRUE(std::ranges::all_of(probe.seen, [](const WarmUpProbe::Seen& s) { return s.history; }))
      << "nothing live yet";

  const market::SymbolMarket* market = session.pipeline->market().find("BTC/USDT");
  ASSERT_NE(market, nullptr);
  ASSERT_NE(market->timeframe(15), nullptr);
  EXPECT_TRUE(market->timeframe(15)->indicators().adx_14) << "40 15m bars warm ADX-14";
  EXPECT_FALSE(market->timeframe(60)->indicators().rsi_14) << "10 1h bars are too few for RSI-14";
  EXPECT_TRUE(market->timeframe(60)->indicators().ema_9);

  EXPECT_EQ(probe.asked, 0) << "no question on history";
  EXPECT_EQ(session.rows_of<storage::RiskEventRow>(), 0u) << "no intent judged on history";
  EXPECT_EQ(session.rows_of<storage::OrderRow>(), 0u);
  EXPECT_EQ(session.rows_of<core::Bar>(), 0u) << "history is stored already";
  // The regime agent reads the warm 15m bars at start: no "still warming up".
  const std::string regime = session.pipeline->summary().regimes.at("BTC/USDT");
  EXPECT_EQ(regime.find("warming up"), std::string::npos) << regime;
}

TEST(PipelineWarmUp, TheBucketInProgressGoesOnWithTheLiveMinutes) {
  WarmUpSession session;
  // A snapshot trade of a stored minute, then live trades 10:05 .. 10:15.
  testing::post_trade(session.kernel, Decimal::from_int(1), Decimal::must("0.1"), kNodeStart - 30s,
                      1);
  for (int s = 0; s <= 10 * 60; s += 30) {
    const core::Timestamp at = kNodeStart + std::chrono::seconds(s);
    session.kernel.advance_clock_to(at);
    testing::post_trade(session.kernel, price_at(kStoredMinutes), Decimal::must("0.1"), at, 2 + s);
  }
  session.kernel.advance_clock_to(kNodeStart + 11min);
  const WarmUpProbe& probe = *session.probe;
  ASSERT_EQ(probe.count(15, false), 1u);
  const core::Bar& live = std::ranges::find_if(probe.seen, [](const WarmUpProbe::Seen& s) {
                            return s.bar.interval_minutes == 15 && !s.history;
                          })->bar;
  EXPECT_EQ(live.open_time, kStart + 10h);
  EXPECT_EQ(live.open, price_at(10 * 60)) << "opened by the stored 10:00 minute";
  EXPECT_EQ(live.trades, 5 * 4 + 20) << "five stored minutes and the live trades of 10:05 .. 10:14";
  EXPECT_NE(live.low, Decimal::from_int(1)) << "the snapshot's trade of a stored minute is late";
  EXPECT_EQ(session.rows_of<storage::RiskEventRow>(), 1u) << "the live 15m bar's intent is judged";
}

}  // namespace
}  // namespace tg4::kernel
