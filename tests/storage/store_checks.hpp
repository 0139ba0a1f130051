#pragma once
// Checks every Store must pass, whichever backend: used by the SQLite unit tests and the PostgreSQL
// integration tests alike.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "storage/sample_rows.hpp"
#include "storage/sql_store.hpp"
#include "storage/store.hpp"

namespace tg4::storage::testing {

template <typename RowT>
::testing::AssertionResult same_rows(const std::vector<RowT>& expected,
                                     const core::Result<std::vector<RowT>>& got) {
  if (!got) return ::testing::AssertionFailure() << "query failed: " << got.error().message;
  if (got->size() != expected.size()) {
    return ::testing::AssertionFailure() << TableTraits<RowT>::kName << ": expected "
                                         << expected.size() << " rows, got " << got->size();
  }
  for (std::size_t i = 0; i < expected.size(); ++i) {
    bool found = false;
    for (const auto& row : *got) found = found || same_columns(expected[i], row);
    if (!found)
      return ::testing::AssertionFailure()
             << TableTraits<RowT>::kName << ": row " << i << " did not round-trip";
  }
  return ::testing::AssertionSuccess();
}

template <typename RowT>
std::vector<RowT> only(const Batch& b, auto&& predicate) {
  std::vector<RowT> out;
  for (const auto& r : b.rows<RowT>()) {
    if (predicate(r)) out.push_back(r);
  }
  return out;
}

// Writes sample_batch(n) and reads every table back through the query API.
inline void expect_every_record_round_trips(Store& store) {
  const Batch batch = sample_batch(4);
  ASSERT_TRUE(store.write(batch)) << "write failed";
  auto all = [](const auto&) { return true; };
  for (const std::string symbol : {"BTC/USDT", "XRP/BTC"}) {
    EXPECT_TRUE(same_rows(
        only<core::Trade>(batch, [&](const core::Trade& t) { return t.symbol == symbol; }),
        store.trades(symbol, {})));
  }
  EXPECT_TRUE(same_rows(batch.rows<core::Bar>(), store.bars("BTC/USDT", 1, {})));
  EXPECT_TRUE(same_rows(batch.rows<core::Instrument>(), store.instruments()));
  EXPECT_TRUE(same_rows(batch.rows<OrderRow>(), store.orders({})));
  EXPECT_TRUE(same_rows(batch.rows<OrderEventRow>(), store.order_events("cl-0")));
  EXPECT_TRUE(same_rows(batch.rows<FillRow>(), store.fills({}, {})));
  EXPECT_TRUE(same_rows(batch.rows<PositionRow>(), store.positions({})));
  EXPECT_TRUE(same_rows(batch.rows<PortfolioSnapshotRow>(), store.portfolio_snapshots({}, {})));
  EXPECT_TRUE(same_rows(batch.rows<DecisionRow>(), store.decisions({}, 100)));
  EXPECT_TRUE(same_rows(batch.rows<ModelScoreRow>(), store.model_scores()));
  EXPECT_TRUE(same_rows(batch.rows<RiskEventRow>(), store.risk_events({}, 100)));
  EXPECT_TRUE(same_rows(batch.rows<SessionRow>(), store.sessions(100)));
  EXPECT_TRUE(same_rows(batch.rows<DataSyncStatusRow>(), store.data_sync_status()));
  EXPECT_TRUE(same_rows(batch.rows<AuditLogRow>(), store.audit_log(100)));
  auto state = store.risk_state("paper-1");
  ASSERT_TRUE(state) << state.error().message;
  ASSERT_TRUE(state->has_value());
  EXPECT_TRUE(same_columns(batch.rows<RiskStateRow>().front(), **state));
  auto missing = store.risk_state("no-such-session");
  ASSERT_TRUE(missing);
  EXPECT_FALSE(missing->has_value());
  (void)all;
}

// The same batch written twice leaves one copy of every row; a changed current-state row replaces
// the stored one.
inline void expect_replay_leaves_one_copy(Store& store) {
  const Batch batch = sample_batch(5);
  ASSERT_TRUE(store.write(batch));
  ASSERT_TRUE(store.write(batch));
  EXPECT_EQ(store.trades("BTC/USDT", {})->size() + store.trades("XRP/BTC", {})->size(), 5u);
  EXPECT_EQ(store.bars("BTC/USDT", 1, {})->size(), 5u);
  EXPECT_EQ(store.orders({})->size(), 5u);
  EXPECT_EQ(store.order_events("cl-0")->size(), 5u);
  EXPECT_EQ(store.fills({}, {})->size(), 5u);
  EXPECT_EQ(store.decisions({}, 100)->size(), 5u);
  EXPECT_EQ(store.risk_events({}, 100)->size(), 5u);
  EXPECT_EQ(store.audit_log(100)->size(), 5u);
  EXPECT_EQ(store.portfolio_snapshots({}, {})->size(), 5u);

  Batch update;
  auto order = sample_order(1);
  order.status = core::OrderStatus::kCanceled;
  order.reason = "user canceled";
  update.add(order);
  auto bar = sample_bar(2);
  bar.close = dec("123.456");
  update.add(bar);
  // Two versions of one key in one batch: the later wins.
  auto first = sample_position(0);
  first.qty = dec("1");
  auto second = first;
  second.qty = dec("2");
  update.add(first);
  update.add(second);
  ASSERT_TRUE(store.write(update));
  auto orders = store.orders({});
  ASSERT_TRUE(orders);
  EXPECT_EQ(orders->size(), 5u);
  for (const auto& o : *orders) {
    if (o.client_order_id == "cl-1") {
      EXPECT_TRUE(same_columns(order, o));
    }
  }
  auto bars = store.bars("BTC/USDT", 1, {});
  ASSERT_TRUE(bars);
  EXPECT_EQ((*bars)[2].close, dec("123.456"));
  auto positions = store.positions({});
  ASSERT_TRUE(positions);
  for (const auto& p : *positions) {
    if (p.symbol == second.symbol) {
      EXPECT_EQ(p.qty, dec("2"));
    }
  }
}

// Roll-ups: 5m and 1h bars from 1m rows, with exact OHLCV, and latest N.
inline void expect_bar_rollups(Store& store) {
  Batch batch;
  // 130 minutes of one symbol starting at an hour boundary, a gap, then 3 more minutes.
  const std::int64_t hour = core::Timestamp::from_seconds(kBase).seconds() / 3600 * 3600;
  std::vector<core::Bar> minutes;
  for (int m = 0; m < 130; ++m) {
    auto b = sample_bar(0, "ETH/USD");
    b.open_time = core::Timestamp::from_seconds(hour + m * 60);
    b.open = dec("10") + core::Decimal::from_int(m);
    b.high = b.open + dec("0.5");
    b.low = b.open - dec("0.25");
    b.close = b.open + dec("0.1");
    b.volume = dec("1.5");
    b.quote_volume = b.close * b.volume;
    b.vwap = b.close;
    b.trades = 2;
    minutes.push_back(b);
  }
  for (int m = 0; m < 3; ++m) {
    auto b = minutes.back();
    b.open_time = core::Timestamp::from_seconds(hour + 86'400 + m * 60);
    minutes.push_back(b);
  }
  for (const auto& b : minutes) batch.add(b);
  ASSERT_TRUE(store.write(batch));

  auto five = store.bars("ETH/USD", 5, {});
  ASSERT_TRUE(five) << five.error().message;
  ASSERT_EQ(five->size(), 26u + 1u);
  const auto& first = five->front();
  EXPECT_EQ(first.open_time, core::Timestamp::from_seconds(hour));
  EXPECT_EQ(first.interval_minutes, 5);
  EXPECT_EQ(first.open, dec("10"));
  EXPECT_EQ(first.close, dec("14.1"));
  EXPECT_EQ(first.high, dec("14.5"));
  EXPECT_EQ(first.low, dec("9.75"));
  EXPECT_EQ(first.volume, dec("7.5"));
  EXPECT_EQ(first.trades, 10);
  EXPECT_EQ(
      first.quote_volume,
      roll_up(std::vector<core::Bar>(minutes.begin(), minutes.begin() + 5), 5)[0].quote_volume);
  EXPECT_EQ(first.vwap, first.quote_volume / first.volume);

  // Same answer as the reference roll-up in C++, for every timeframe.
  for (const int tf : {5, 15, 30, 60, 240, 1440, 10080}) {
    auto got = store.bars("ETH/USD", tf, {});
    ASSERT_TRUE(got) << got.error().message;
    const auto want = roll_up(minutes, tf);
    ASSERT_EQ(got->size(), want.size()) << "timeframe " << tf;
    for (std::size_t i = 0; i < want.size(); ++i) {
      EXPECT_TRUE(same_columns(want[i], (*got)[i])) << "timeframe " << tf << " bar " << i;
      EXPECT_EQ((*got)[i].vwap, want[i].vwap);
    }
  }

  // A range starting mid-bucket returns whole buckets.
  auto hourly = store.bars("ETH/USD", 60,
                           {core::Timestamp::from_seconds(hour + 61 * 60),
                            core::Timestamp::from_seconds(hour + 62 * 60)});
  ASSERT_TRUE(hourly);
  ASSERT_EQ(hourly->size(), 1u);
  EXPECT_EQ(hourly->front().open_time, core::Timestamp::from_seconds(hour + 3600));
  EXPECT_EQ(hourly->front().volume, dec("90"));

  auto latest = store.latest_bars("ETH/USD", 60, 2);
  ASSERT_TRUE(latest);
  ASSERT_EQ(latest->size(), 2u);
  EXPECT_EQ(latest->at(0).open_time, core::Timestamp::from_seconds(hour + 7200));
  EXPECT_EQ(latest->at(1).open_time, core::Timestamp::from_seconds(hour + 86'400));
  auto latest_1m = store.latest_bars("ETH/USD", 1, 4);
  ASSERT_TRUE(latest_1m);
  ASSERT_EQ(latest_1m->size(), 4u);
  EXPECT_EQ(latest_1m->back().open_time, core::Timestamp::from_seconds(hour + 86'400 + 120));
  auto all_5m = store.latest_bars("ETH/USD", 5, 1000);
  ASSERT_TRUE(all_5m);
  EXPECT_EQ(all_5m->size(), 27u);

  auto newest = store.newest_bar_times();
  ASSERT_TRUE(newest);
  EXPECT_EQ(newest->at("ETH/USD"), core::Timestamp::from_seconds(hour + 86'400 + 120));

  auto bad = store.bars("ETH/USD", 7, {});
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("7 minutes"), std::string::npos);
}

// Sessions of paper and live share tables; scopes and open_only filter them.
inline void expect_scopes(Store& store) {
  Batch batch;
  for (int i = 0; i < 4; ++i) batch.add(sample_order(i, "paper-1"));
  for (int i = 4; i < 6; ++i) batch.add(sample_order(i, "live-1"));
  batch.add(sample_fill(1, "paper-1"));
  batch.add(sample_fill(2, "live-1"));
  ASSERT_TRUE(store.write(batch));
  auto scope = [](std::string session, std::string mode) {
    Scope s;
    s.session_id = std::move(session);
    s.mode = std::move(mode);
    return s;
  };
  OrderQuery paper;
  paper.scope = scope("paper-1", "");
  EXPECT_EQ(store.orders(paper)->size(), 4u);
  OrderQuery live;
  live.scope = scope("", "live");
  EXPECT_EQ(store.orders(live)->size(), 2u);
  paper.open_only = true;
  auto open = store.orders(paper);
  ASSERT_TRUE(open);
  EXPECT_EQ(open->size(), 2u);
  for (const auto& o : *open) EXPECT_FALSE(core::is_terminal(o.status));
  EXPECT_EQ(store.fills(scope("live-1", ""), {})->size(), 1u);
  EXPECT_EQ(store.fills({}, {micros(kBase + 2, 0), micros(kBase + 3, 0)})->size(), 1u);
}

// A database migrated before 0004 (no orders.leverage) keeps its orders valid once 0004 runs: they
// read back whole, at leverage 1. The older schema is made by taking 0004 back out of a fresh store.
inline void expect_orders_from_before_0004_read_at_leverage_one(Store& store) {
  auto* sql = dynamic_cast<SqlStore*>(&store);
  ASSERT_NE(sql, nullptr) << store.backend();
  Batch batch;
  batch.add(sample_order(1));
  ASSERT_TRUE(store.write(batch));
  auto dropped = sql->exec_script("ALTER TABLE orders DROP COLUMN leverage");
  ASSERT_TRUE(dropped) << dropped.error().message;
  auto forgotten = sql->query("DELETE FROM schema_migrations WHERE version = ?", {std::string("0004_order_leverage")});
  ASSERT_TRUE(forgotten) << forgotten.error().message;

  auto report = store.migrate(false);
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_EQ(report->applied, std::vector<std::string>{"0004_order_leverage"});
  OrderRow expected = sample_order(1);
  expected.leverage = core::Decimal::one();
  EXPECT_TRUE(same_rows(std::vector<OrderRow>{expected}, store.orders({})));
}

}  // namespace tg4::storage::testing
