// `tg4 backfill` against the real `tg4 sim` REST API (deterministic clock, so "now" is fixed): an
// empty store is filled from Trades with bars that equal the simulator's own OHLC candles exactly;
// a second run finds nothing to do; a recent gap is filled from OHLC; Kraken OHLCVT files import;
// the same into PostgreSQL when TG4_TEST_PG_URL is set.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "integration/feed_sim_support.hpp"
#include "integration/storage_test_env.hpp"
#include "kraken/rest_client.hpp"
#include "market/candles_csv.hpp"
#include "storage/store.hpp"

namespace tg4 {
namespace {

using namespace std::chrono_literals;
using feed_testing::SimProcess;
using feed_testing::TempDir;
using feed_testing::Tg4Process;
namespace json = boost::json;

const core::Timestamp kStart = core::parse_rfc3339("2024-03-01T00:00:00Z").value();
const std::string kSymbol = "BTC/USDT";

struct Run {
  int code = -1;
  json::object summary;
  std::string stderr_text;
};

Run backfill(const TempDir& dir, const std::string& store, std::vector<std::string> extra) {
  std::vector<std::string> args{"--store", store, "backfill"};
  args.insert(args.end(), extra.begin(), extra.end());
  Tg4Process p(args, dir.file("backfill.stderr"));
  Run r;
  r.code = p.wait(180s);
  const auto out = p.rest_of_stdout(5s);
  boost::system::error_code ec;
  const auto v = json::parse(out, ec);
  if (!ec && v.is_object()) r.summary = v.as_object();
  r.stderr_text = p.stderr_text();
  return r;
}

std::vector<std::string> rest_args(const SimProcess& sim, int days) {
  return {"--symbols",  kSymbol,      "--days", std::to_string(days), "--rest-url",
          sim.rest_url, "--rate-max", "1000",   "--rate-decay",       "1000"};
}

std::vector<core::Bar> stored_bars(const std::string& url, core::Timestamp from,
                                   core::Timestamp to) {
  auto store = storage::open_store(url);
  if (!store) throw std::runtime_error(store.error().message);
  auto bars = (*store)->bars(kSymbol, 1, {from, to});
  if (!bars) throw std::runtime_error(bars.error().message);
  return *bars;
}

// The simulator's own candles for the last 720 minutes, keyed by minute.
std::map<std::int64_t, core::Bar> sim_candles(const SimProcess& sim) {
  kraken::RestOptions o;
  o.base_url = sim.rest_url;
  kraken::RestClient rest(o);
  auto page = rest.ohlc("BTCUSDT", kSymbol, 1);
  if (!page) throw std::runtime_error(page.error().message);
  std::map<std::int64_t, core::Bar> out;
  for (auto& b : page->bars) out[b.open_time.seconds()] = b;
  return out;
}

void expect_same_ohlcv(const core::Bar& ours, const core::Bar& theirs) {
  const auto at = core::format_rfc3339(ours.open_time, 0);
  EXPECT_EQ(ours.open, theirs.open) << at;
  EXPECT_EQ(ours.high, theirs.high) << at;
  EXPECT_EQ(ours.low, theirs.low) << at;
  EXPECT_EQ(ours.close, theirs.close) << at;
  EXPECT_EQ(ours.volume, theirs.volume) << at;
  EXPECT_EQ(ours.trades, theirs.trades) << at;
}

const json::object& symbol_report(const Run& r) {
  return r.summary.at("symbols").at(kSymbol).as_object();
}

// The trades path for an empty store, checked against the simulator's candles, then a no-op rerun.
void fill_and_check(const TempDir& dir, const SimProcess& sim, const std::string& store) {
  const auto first = backfill(dir, store, rest_args(sim, 1));
  ASSERT_EQ(first.code, 0) << first.stderr_text;
  ASSERT_FALSE(first.summary.empty()) << first.stderr_text;
  const auto& report = symbol_report(first);
  EXPECT_EQ(report.at("status").as_string(), "ok") << json::serialize(report);
  EXPECT_EQ(report.at("gaps").as_int64(), 1);
  EXPECT_EQ(report.at("missing_minutes").as_int64(), 1440);
  EXPECT_GT(report.at("trades").as_int64(), 5000) << "a day at ~0.2 trades/s";
  EXPECT_EQ(first.summary.at("to").as_string(), "2024-03-01T00:00:00Z") << "the exchange's clock";

  const auto bars = stored_bars(store, kStart - 24h, kStart);
  EXPECT_EQ(static_cast<std::int64_t>(bars.size()), report.at("bars").as_int64());
  ASSERT_GT(bars.size(), 1000u);
  const auto candles = sim_candles(sim);
  std::size_t compared = 0;
  std::map<std::int64_t, const core::Bar*> ours;
  for (const auto& b : bars) ours[b.open_time.seconds()] = &b;
  for (const auto& [minute, candle] : candles) {
    if (minute >= kStart.seconds()) continue;  // the forming minute is not stored
    const auto it = ours.find(minute);
    if (candle.trades == 0) {
      EXPECT_EQ(it, ours.end()) << "no trades, no bar: " << minute;
      continue;
    }
    ASSERT_NE(it, ours.end()) << "missing bar " << minute;
    expect_same_ohlcv(*it->second, candle);
    ++compared;
  }
  EXPECT_GT(compared, 500u);

  const auto again = backfill(dir, store, rest_args(sim, 1));
  ASSERT_EQ(again.code, 0) << again.stderr_text;
  EXPECT_EQ(symbol_report(again).at("gaps").as_int64(), 0) << json::serialize(again.summary);
  EXPECT_EQ(symbol_report(again).at("bars").as_int64(), 0);
  EXPECT_LE(again.summary.at("rest_calls").as_int64(), 2) << "Time and AssetPairs only";
  EXPECT_EQ(stored_bars(store, kStart - 24h, kStart).size(), bars.size());
}

struct Sim {
  Sim()
      : sim(dir, {"--deterministic", "--start", "2024-03-01T00:00:00Z", "--history-days", "2",
                  "--seed", "9", "--symbols", "BTC/USDT,XRP/USDT"}) {}
  TempDir dir;
  SimProcess sim;
};

TEST(BackfillSim, EmptySqliteStoreFromTradesMatchesTheExchangesCandles) {
  Sim s;
  fill_and_check(s.dir, s.sim, "sqlite:" + s.dir.file("a.db"));
}

TEST(BackfillSim, RecentGapComesFromOhlc) {
  Sim s;
  const auto trades_store = "sqlite:" + s.dir.file("trades.db");
  ASSERT_EQ(backfill(s.dir, trades_store, rest_args(s.sim, 1)).code, 0);
  // A store that synced up to three hours ago.
  const auto store = "sqlite:" + s.dir.file("b.db");
  {
    auto opened = storage::open_store(store);
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    storage::DataSyncStatusRow row;
    row.symbol = kSymbol;
    row.source = "kraken_rest";
    row.oldest = kStart - 24h;
    row.newest = kStart - 3h;
    row.synced_at = kStart;
    row.status = "ok";
    storage::Batch batch;
    batch.add(row);
    ASSERT_TRUE((*opened)->write(batch).ok());
  }
  const auto r = backfill(s.dir, store, rest_args(s.sim, 1));
  ASSERT_EQ(r.code, 0) << r.stderr_text;
  EXPECT_EQ(symbol_report(r).at("gaps").as_int64(), 1);
  EXPECT_EQ(symbol_report(r).at("missing_minutes").as_int64(), 180);
  EXPECT_EQ(symbol_report(r).at("trades").as_int64(), 0) << "from OHLC, not Trades";
  EXPECT_NE(r.stderr_text.find("from OHLC"), std::string::npos) << r.stderr_text;
  const auto from_ohlc = stored_bars(store, kStart - 3h, kStart);
  const auto from_trades = stored_bars(trades_store, kStart - 3h, kStart);
  ASSERT_EQ(from_ohlc.size(), from_trades.size());
  ASSERT_GT(from_ohlc.size(), 100u);
  for (std::size_t i = 0; i < from_ohlc.size(); ++i) {
    ASSERT_EQ(from_ohlc[i].open_time, from_trades[i].open_time);
    expect_same_ohlcv(from_ohlc[i], from_trades[i]);
  }
  // The sync record now covers the whole day.
  auto opened = storage::open_store(store);
  const auto syncs = (*opened)->data_sync_status().value();
  ASSERT_EQ(syncs.size(), 1u);
  EXPECT_EQ(syncs[0].oldest, kStart - 24h);
  EXPECT_EQ(syncs[0].newest, kStart);
  EXPECT_EQ(syncs[0].status, "ok");
}

TEST(BackfillSim, ImportsKrakenOhlcvtFiles) {
  Sim s;
  const auto source = "sqlite:" + s.dir.file("source.db");
  ASSERT_EQ(backfill(s.dir, source, rest_args(s.sim, 1)).code, 0);
  const auto bars = stored_bars(source, kStart - 24h, kStart);
  const auto file = s.dir.file("XBTUSDT_1.csv");
  ASSERT_TRUE(market::write_candles_csv(file, bars, market::CandleFormat::kKrakenOhlcvt).ok());
  const auto store = "sqlite:" + s.dir.file("c.db");
  const auto r = backfill(s.dir, store, {"--symbols", kSymbol, "--import", file});
  ASSERT_EQ(r.code, 0) << r.stderr_text;
  const auto imported = stored_bars(store, kStart - 24h, kStart);
  ASSERT_EQ(imported.size(), bars.size());
  for (std::size_t i = 0; i < bars.size(); ++i) expect_same_ohlcv(imported[i], bars[i]);
  // A 60-minute file cannot go into the 1-minute table.
  const auto hourly = s.dir.file("XBTUSDT_60.csv");
  ASSERT_TRUE(market::write_candles_csv(hourly, {}, market::CandleFormat::kKrakenOhlcvt).ok());
  const auto refused = backfill(s.dir, store, {"--symbols", kSymbol, "--import", hourly});
  EXPECT_EQ(refused.code, 2);
  EXPECT_NE(refused.stderr_text.find("XBTUSDT_60.csv"), std::string::npos) << refused.stderr_text;
}

TEST(BackfillSim, UnknownSymbolIsReportedAndFails) {
  Sim s;
  const auto r = backfill(s.dir, "sqlite:" + s.dir.file("d.db"),
                          {"--symbols", "DOGE/EUR", "--days", "1", "--rest-url", s.sim.rest_url});
  EXPECT_EQ(r.code, 1) << r.stderr_text;
  EXPECT_NE(json::serialize(r.summary).find("not listed"), std::string::npos)
      << json::serialize(r.summary);
}

TEST(BackfillSim, PostgresStoreWhenAvailable) {
  TG4_NEED_ENV(admin, "TG4_TEST_PG_URL");
  storage::testing::PgDatabase db(admin, "feed_backfill");
  ASSERT_EQ(db.error(), "");
  Sim s;
  fill_and_check(s.dir, s.sim, db.url());
}

}  // namespace
}  // namespace tg4
