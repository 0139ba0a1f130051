// MarketMetrics: the families exist under their SPEC §11 names and count per symbol / interval.
#include "market/market_metrics.hpp"

#include <gtest/gtest.h>
#include <prometheus/registry.h>

#include <map>
#include <string>

namespace tg4::market {
namespace {

// name{label=value} -> value, from a registry snapshot.
std::map<std::string, double> collect(prometheus::Registry& registry) {
  std::map<std::string, double> out;
  for (const auto& family : registry.Collect()) {
    for (const auto& metric : family.metric) {
      std::string key = family.name;
      for (const auto& label : metric.label) key += "{" + label.name + "=" + label.value + "}";
      out[key] = family.type == prometheus::MetricType::Counter ? metric.counter.value
                                                                : metric.gauge.value;
    }
  }
  return out;
}

TEST(MarketMetrics, CountsBooksBarsAndMismatches) {
  prometheus::Registry registry;
  MarketMetrics metrics(registry);
  metrics.on_book("BTC/USD", ApplyResult::kApplied, true);
  metrics.on_book("BTC/USD", ApplyResult::kChecksumMismatch, false);
  metrics.on_book("ETH/USD", ApplyResult::kApplied, true);
  metrics.on_bar_mismatch("ETH/USD");
  metrics.on_trade_result("ETH/USD", BarAggregator::TradeResult::kLate);
  core::Bar bar;
  bar.interval_minutes = 1;
  metrics.on_bar(bar);
  metrics.on_bar(bar);
  bar.interval_minutes = 60;
  metrics.on_bar(bar);
  metrics.on_book_invalidated("ETH/USD");
  const auto m = collect(registry);
  EXPECT_EQ(m.at("tg4_book_checksum_mismatch_total{symbol=BTC/USD}"), 1);
  EXPECT_EQ(m.at("tg4_book_checksum_mismatch_total{symbol=ETH/USD}"), 0);
  EXPECT_EQ(m.at("tg4_book_valid{symbol=BTC/USD}"), 0);
  EXPECT_EQ(m.at("tg4_book_valid{symbol=ETH/USD}"), 0);
  EXPECT_EQ(m.at("tg4_bar_mismatch_total{symbol=ETH/USD}"), 1);
  EXPECT_EQ(m.at("tg4_bar_late_trades_total{symbol=ETH/USD}"), 1);
  EXPECT_EQ(m.at("tg4_bars_total{interval=1}"), 2);
  EXPECT_EQ(m.at("tg4_bars_total{interval=60}"), 1);
}

// What became of the trades that were not simply applied, and each symbol's freshness (market data
// audit D6, D8), under SPEC §11 names.
TEST(MarketMetrics, CountsTradeVerdictsRevisionsResetsAndFreshness) {
  prometheus::Registry registry;
  MarketMetrics metrics(registry);
  using R = BarAggregator::TradeResult;
  for (const R r :
       {R::kApplied, R::kLate, R::kRevised, R::kDuplicate, R::kRejected, R::kFuture, R::kFuture})
    metrics.on_trade_result("BTC/USD", r);
  metrics.on_bar_revision("BTC/USD");
  metrics.on_trade_id_reset("BTC/USD");
  metrics.on_data_age("BTC/USD", 75.5, true);
  const auto m = collect(registry);
  EXPECT_EQ(m.at("tg4_bar_late_trades_total{symbol=BTC/USD}"), 2) << "revised or not";
  EXPECT_EQ(m.at("tg4_bar_duplicate_trades_total{symbol=BTC/USD}"), 1);
  EXPECT_EQ(m.at("tg4_bar_rejected_trades_total{reason=invalid}{symbol=BTC/USD}"), 1);
  EXPECT_EQ(m.at("tg4_bar_rejected_trades_total{reason=future}{symbol=BTC/USD}"), 2);
  EXPECT_EQ(m.at("tg4_bar_revisions_total{symbol=BTC/USD}"), 1);
  EXPECT_EQ(m.at("tg4_trade_id_resets_total{symbol=BTC/USD}"), 1);
  EXPECT_EQ(m.at("tg4_market_data_age_seconds{symbol=BTC/USD}"), 75.5);
  EXPECT_EQ(m.at("tg4_market_data_stale{symbol=BTC/USD}"), 1);
}

}  // namespace
}  // namespace tg4::market
