// The market data a live pipeline is given, as a real feed gives it (market data audit D1-D4,
// D6, D8, D9): trades that reach us after their minute, ids out of sequence or numbered anew,
// times that have not come, a price of 0, a symbol that goes quiet while the feed is up, and the
// status's prices. The kernel runs on a live-style clock the test sets: event times do not move
// it, as on a node.
#include <gtest/gtest.h>
#include <prometheus/text_serializer.h>

#include <atomic>

#include "kernel/pipeline.hpp"
#include "market/order_book.hpp"
#include "pipeline_trades.hpp"

namespace tg4::kernel {
namespace {

using core::Decimal;
using core::Timestamp;
using namespace std::chrono_literals;
using testing::kStart;

// The wall clock of a node, set by the test.
class ManualClock final : public core::Clock {
 public:
  explicit ManualClock(Timestamp start) : now_(start.ns) {}
  Timestamp now() const override { return {now_.load()}; }
  void set(Timestamp t) { now_.store(t.ns); }

 private:
  std::atomic<std::int64_t> now_;
};

// Counts the trades the strategy is shown.
class TradeProbe final : public strategy::Strategy {
 public:
  TradeProbe() : Strategy(strategy::Params{}) {}
  std::string_view name() const override { return "trade_probe"; }
  void on_trade(strategy::StrategyContext&, const core::Trade& trade) override {
    seen.push_back(trade);
  }
  std::vector<core::Trade> seen;
};

struct LiveSession {
  LiveSession() {
    PipelineOptions options;
    options.scope = {"md1", "paper"};
    options.symbols = {"BTC/USDT", "XRP/BTC"};
    options.reconcile_interval = 0s;
    options.agents.technical_analysis = false;
    options.agents.regime_detection = false;
    options.bar_close_delay = 2s;
    options.max_trade_ahead = 10s;
    options.stale_after = 60s;
    PipelineOutputs outputs;
    outputs.record = [this](storage::Row row) { rows.push_back(std::move(row)); };
    outputs.registry = &registry;
    auto strategy = std::make_unique<TradeProbe>();
    probe = strategy.get();
    outputs.strategy = std::move(strategy);
    pipeline = Pipeline::create(kernel, options, std::move(outputs)).value();
    testing::start_pipeline(kernel, *pipeline);
    kernel.post(core::MarketEvent{core::FeedState{"public", true, "", clock.now()}});
    kernel.run_until_empty();
  }

  // The clock reaches `t` (the tick timer fires on the way).
  void at(Timestamp t) {
    for (Timestamp next = clock.now() + 1s; next <= t; next = next + 1s) {
      clock.set(next);
      kernel.run_until_empty();
    }
    clock.set(t);
    kernel.run_until_empty();
  }
  // The first, partial minute's trade, then 00:01:01 and its first trade (id 2).
  void into_minute_1() {
    trade(1, "30000", kStart + 10s);
    at(kStart + 61s);
    trade(2, "30000", kStart + 61s);
  }
  // A trade stamped `time` that arrives now.
  void trade(std::int64_t id, const char* price, Timestamp time, const char* symbol = "BTC/USDT",
             const char* qty = "0.5") {
    core::Trade t;
    t.symbol = symbol;
    t.trade_id = id;
    t.price = Decimal::must(price);
    t.qty = Decimal::must(qty);
    t.time = time;
    t.received = clock.now();
    kernel.post(core::MarketEvent{t});
    kernel.run_until_empty();
  }
  void book(const std::string& symbol, const char* bid, const char* ask, bool snapshot) {
    core::BookDelta delta;
    delta.symbol = symbol;
    delta.is_snapshot = snapshot;
    delta.bids = {{Decimal::must(bid), Decimal::must("100")}};
    delta.asks = {{Decimal::must(ask), Decimal::must("100")}};
    delta.exchange_time = delta.received = clock.now();
    market::OrderBook& b = books.try_emplace(symbol, symbol).first->second;
    const core::Instrument inst = core::default_instrument(symbol);
    b.set_precision(inst.price_precision, inst.qty_precision);
    b.apply(delta);
    delta.checksum = b.checksum();  // Kraken's, as the feed sends it
    kernel.post(core::MarketEvent{delta});
    kernel.run_until_empty();
  }
  // The 1m bars stored for a minute, in the order they were recorded.
  std::vector<core::Bar> stored_bars(Timestamp minute) const {
    std::vector<core::Bar> out;
    for (const storage::Row& row : rows) {
      if (const auto* bar = std::get_if<core::Bar>(&row); bar && bar->open_time == minute)
        out.push_back(*bar);
    }
    return out;
  }
  std::string metrics() const { return prometheus::TextSerializer().Serialize(registry.Collect()); }
  bool has(const std::string& series) const { return metrics().find(series) != std::string::npos; }

  ManualClock clock{kStart + 10s};
  prometheus::Registry registry;
  Kernel kernel{clock, registry};
  std::unique_ptr<Pipeline> pipeline;
  TradeProbe* probe = nullptr;
  std::vector<storage::Row> rows;
  std::map<std::string, market::OrderBook> books;
};

const Timestamp kMinute1 = kStart + 1min;

TEST(PipelineMarketData, ATradeArrivingAfterItsMinuteIsInTheStoredBar) {
  LiveSession s;
  s.trade(1, "30000", kStart + 10s);  // the first minute: partial, never stored
  s.at(kMinute1 + 5s);
  s.trade(2, "30010", kMinute1 + 5s);
  s.at(kMinute1 + 60s + 400ms);
  // Stamped 00:01:59.5, here 0.9 s later (feed latency): within the grace.
  s.trade(3, "30020", kMinute1 + 59s + 500ms);
  s.at(kMinute1 + 60s + 2s);
  std::vector<core::Bar> stored = s.stored_bars(kMinute1);
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_EQ(stored[0].trades, 2);
  EXPECT_EQ(stored[0].close, Decimal::must("30020"));

  // Beyond the grace: its minute's stored bar is revised, not left short.
  s.at(kMinute1 + 60s + 5s);
  s.trade(4, "30030", kMinute1 + 59s + 900ms);
  s.at(kMinute1 + 60s + 6s);
  stored = s.stored_bars(kMinute1);
  ASSERT_EQ(stored.size(), 2u);
  EXPECT_EQ(stored[1].trades, 3);
  EXPECT_EQ(stored[1].close, Decimal::must("30030"));
  EXPECT_EQ(stored[1].volume, Decimal::must("1.5"));
  EXPECT_TRUE(s.has("tg4_bar_late_trades_total{symbol=\"BTC/USDT\"} 1"));
  EXPECT_TRUE(s.has("tg4_bar_revisions_total{symbol=\"BTC/USDT\"} 1"));
  EXPECT_EQ(s.probe->seen.size(), 4u) << "a late trade is a real trade: the strategy sees it";
}

TEST(PipelineMarketData, AStrayIdOrARestartedExchangeLosesNoTradeAndRepeatsAreDropped) {
  LiveSession s;
  s.trade(100, "30000", kStart + 10s);
  const auto trades_from = [&](Timestamp from, std::int64_t first_id, int n) {
    for (int i = 0; i < n; ++i) {
      const Timestamp t = from + std::chrono::seconds(i + 1);
      s.at(t);
      s.trade(first_id + i, "30000", t);
    }
  };
  trades_from(kMinute1, 101, 5);
  s.trade(2'000'000, "30000", kMinute1 + 5s);  // one id out of sequence
  trades_from(kMinute1 + 30s, 106, 5);
  s.at(kMinute1 + 2min);
  // A reconnect's trade snapshot repeats the last trades: dropped, and the strategy is not told.
  const std::size_t shown = s.probe->seen.size();
  s.trade(110, "30000", kMinute1 + 35s);
  EXPECT_EQ(s.probe->seen.size(), shown);
  // The exchange restarted and numbers from 50: taken.
  trades_from(kMinute1 + 2min, 50, 5);
  s.at(kMinute1 + 3min + 3s);
  std::int64_t in_bars = 0;
  for (const storage::Row& row : s.rows) {
    if (const auto* bar = std::get_if<core::Bar>(&row); bar && bar->open_time >= kMinute1)
      in_bars += bar->trades;
  }
  // Minute 1 is whole; minute 3 (renumbered) is partial, not stored, but applied.
  EXPECT_EQ(in_bars, 11);
  EXPECT_EQ(s.pipeline->market().find("BTC/USDT")->timeframe(1)->bars().back().trades, 5);
  EXPECT_TRUE(s.has("tg4_bar_duplicate_trades_total{symbol=\"BTC/USDT\"} 1"));
  EXPECT_TRUE(s.has("tg4_trade_id_resets_total{symbol=\"BTC/USDT\"} 1"));
}

TEST(PipelineMarketData, ATradeFromTheFutureIsRejectedAndClosesNothing) {
  LiveSession s;
  s.into_minute_1();
  const std::uint64_t bars = s.pipeline->summary().bars_closed;
  s.trade(3, "99999", kMinute1 + 1s + 24h);
  s.trade(4, "30010", kMinute1 + 2s);
  EXPECT_EQ(s.pipeline->summary().bars_closed, bars) << "no bar, no roll-up closed early";
  EXPECT_EQ(s.probe->seen.size(), 3u) << "the strategy never saw it";
  s.at(kMinute1 + 63s);
  const std::vector<core::Bar> stored = s.stored_bars(kMinute1);
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_EQ(stored[0].trades, 2);
  EXPECT_EQ(stored[0].high, Decimal::must("30010"));
  EXPECT_TRUE(s.has("tg4_bar_rejected_trades_total{reason=\"future\",symbol=\"BTC/USDT\"} 1"));
}

TEST(PipelineMarketData, APriceOfZeroReachesNoBarPriceOrStrategy) {
  LiveSession s;
  s.into_minute_1();
  s.trade(3, "0", kMinute1 + 2s, "BTC/USDT", "0.001");
  s.trade(4, "30010", kMinute1 + 3s);
  EXPECT_EQ(s.probe->seen.size(), 3u);
  EXPECT_EQ(*s.pipeline->market().find("BTC/USDT")->last_price(), Decimal::must("30010"));
  s.at(kMinute1 + 63s);
  const std::vector<core::Bar> stored = s.stored_bars(kMinute1);
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_EQ(stored[0].low, Decimal::must("30000"));
  EXPECT_EQ(stored[0].trades, 2);
  EXPECT_TRUE(s.has("tg4_bar_rejected_trades_total{reason=\"invalid\",symbol=\"BTC/USDT\"} 1"));
}

TEST(PipelineMarketData, ASymbolQuietWhileTheFeedIsUpIsStale) {
  LiveSession s;
  s.book("BTC/USDT", "30000.0", "30000.5", true);
  s.book("XRP/BTC", "0.00000910", "0.00000911", true);
  for (int i = 1; i <= 7; ++i) {  // BTC/USDT trades every 10 s; XRP/BTC says nothing
    s.at(kStart + 10s + std::chrono::seconds(10 * i));
    s.trade(i, "30000", s.clock.now());
  }
  s.at(kStart + 10s + 71s);
  PipelineSummary summary = s.pipeline->summary();
  EXPECT_TRUE(summary.markets.at("XRP/BTC").stale);
  EXPECT_FALSE(summary.markets.at("BTC/USDT").stale);
  EXPECT_GE(summary.markets.at("XRP/BTC").data_age_seconds, 70.0);
  EXPECT_TRUE(summary.any_stale());
  EXPECT_TRUE(s.has("tg4_market_data_stale{symbol=\"XRP/BTC\"} 1"));
  EXPECT_TRUE(s.has("tg4_market_data_stale{symbol=\"BTC/USDT\"} 0"));
  EXPECT_EQ(s.pipeline->status_json().at("stale_symbols").as_array().size(), 1u);

  s.book("XRP/BTC", "0.00000911", "0.00000912", true);
  s.at(s.clock.now() + 1s);
  summary = s.pipeline->summary();
  EXPECT_FALSE(summary.markets.at("XRP/BTC").stale);
  EXPECT_FALSE(summary.any_stale());
  EXPECT_TRUE(s.has("tg4_market_data_stale{symbol=\"XRP/BTC\"} 0"));

  // While the feed is down, the feed is what is wrong; its return starts the count again.
  s.kernel.post(core::MarketEvent{core::FeedState{"public", false, "test", s.clock.now()}});
  s.at(s.clock.now() + 120s);
  EXPECT_FALSE(s.pipeline->summary().any_stale());
  s.kernel.post(core::MarketEvent{core::FeedState{"public", true, "", s.clock.now()}});
  s.at(s.clock.now() + 30s);
  EXPECT_FALSE(s.pipeline->summary().any_stale());
}

TEST(PipelineMarketData, TheStatusShowsPricesAtTheBooksPrecision) {
  LiveSession s;
  s.book("XRP/BTC", "0.00000909", "0.00000910", true);
  s.book("BTC/USDT", "30000.0", "30000.5", true);
  s.at(s.clock.now() + 1s);
  const PipelineSummary summary = s.pipeline->summary();
  EXPECT_EQ(summary.markets.at("XRP/BTC").bid, "0.00000909");
  EXPECT_EQ(summary.markets.at("XRP/BTC").ask, "0.00000910");
  EXPECT_EQ(summary.markets.at("BTC/USDT").bid, "30000.0");
  const auto markets = s.pipeline->status_json().at("markets").as_object();
  EXPECT_EQ(markets.at("XRP/BTC").at("ask").as_string(), "0.00000910");
}

}  // namespace
}  // namespace tg4::kernel
