// `tg4 backfill` against the real `tg4 sim` REST API (deterministic clock, so "now" is fixed): an
// empty store is filled from Trades with bars that equal the simulator's own OHLC candles exactly;
// a second run finds nothing to do; a recent gap is filled from OHLC; Kraken OHLCVT files import;
// the same into PostgreSQL when TG4_TEST_PG_URL is set.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "core/clock.hpp"
#include "integration/feed_sim_support.hpp"
#include "integration/storage_test_env.hpp"
#include "kraken/rest_client.hpp"
#include "market/candles_csv.hpp"
#include "net/http_client.hpp"
#include "storage/store.hpp"
#include "support/child_process.hpp"

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

// Kraken's files are named after their pair: ETHUSD_1.csv is not BTC/USDT's history, and must not
// be stored (and marked synced) as such (market data audit D7). Imported bars get a VWAP.
TEST(BackfillSim, AnImportOfAFileNamedForAnotherPairIsRefused) {
  TempDir dir;
  const std::string rows =
      "1795899960,60000,60010,59990,60005,1.5,10\n"
      "1795900020,60005,60020,60000,60010,2.5,12\n";
  const auto eth = dir.file("ETHUSD_1.csv");
  std::ofstream(eth) << rows;
  const auto store = "sqlite:" + dir.file("i.db");
  const auto refused = backfill(dir, store, {"--symbols", kSymbol, "--import", eth});
  EXPECT_EQ(refused.code, 2) << refused.stderr_text;
  EXPECT_NE(
      refused.stderr_text.find("ETHUSD_1.csv: the file name says it holds ETHUSD, not BTC/USDT"),
      std::string::npos)
      << refused.stderr_text;
  const auto window = core::Timestamp::from_seconds(1795899960);
  EXPECT_TRUE(stored_bars(store, window, window + 10min).empty());
  EXPECT_TRUE((*storage::open_store(store))->data_sync_status().value().empty());

  const auto btc = dir.file("XBTUSDT_1.csv");
  std::ofstream(btc) << rows;
  const auto taken = backfill(dir, store, {"--symbols", kSymbol, "--import", btc});
  ASSERT_EQ(taken.code, 0) << taken.stderr_text;
  const auto bars = stored_bars(store, window, window + 10min);
  ASSERT_EQ(bars.size(), 2u);
  EXPECT_EQ(bars[0].vwap, core::Decimal::must("60001.6667")) << "(high + low + close) / 3";
  EXPECT_EQ(bars[1].vwap, core::Decimal::must("60010"));
}

TEST(BackfillSim, UnknownSymbolIsReportedAndFails) {
  Sim s;
  const auto r = backfill(s.dir, "sqlite:" + s.dir.file("d.db"),
                          {"--symbols", "DOGE/EUR", "--days", "1", "--rest-url", s.sim.rest_url});
  EXPECT_EQ(r.code, 1) << r.stderr_text;
  EXPECT_NE(json::serialize(r.summary).find("not listed"), std::string::npos)
      << json::serialize(r.summary);
}

// `tg4 paper` at start-up (history.backfill_on_start, SPEC §3): an empty store gets the last
// history.backfill_days from the simulator's REST API before trading, and the indicators warm up
// from it; the minute the node started in is not stored from the few trades it saw. A restart fills
// only the gap since the newest stored bar. REST down: logged, and the node trades anyway.
// `paced`: REST at about two requests a second, so that a backfill takes several simulated minutes.
std::string paper_config(const TempDir& dir, const std::string& rest_url, const std::string& store,
                         bool paced = false, int days = 1) {
  const auto path = dir.file("paper.yaml");
  std::ofstream(path) << "symbols: [" << kSymbol << "]\n"
                      << "rest:\n  url: " << rest_url
                      << (paced ? "\n  rate_counter_max: 1\n  rate_decay_per_s: 2\n"
                                : "\n  rate_counter_max: 1000\n  rate_decay_per_s: 100\n")
                      << "history:\n  backfill_days: " << days << "\n"
                      // The simulator runs 60x from now: its trades are stamped ahead of this
                      // host's clock, which a node on Kraken would reject.
                      << "feed:\n  future_trade_tolerance: 0s\n"
                      << "api:\n  enabled: false\n"
                      << "metrics:\n  address: 127.0.0.1:0\n"
                      << "storage:\n  url: " << store << "\n";
  return path;
}

std::unique_ptr<Tg4Process> paper(const TempDir& dir, const std::string& config,
                                  const SimProcess& sim, const std::string& name) {
  return std::make_unique<Tg4Process>(
      std::vector<std::string>{"--config", config, "paper", "--url", sim.ws_url, "--out",
                               dir.file("out")},
      dir.file(name + ".stderr"));
}

// Starts `tg4 paper`, waits until it runs (backfill and warm-up done), stops it; its log.
std::string start_and_stop(const TempDir& dir, const std::string& config, const SimProcess& sim,
                           const std::string& name) {
  auto node = paper(dir, config, sim, name);
  EXPECT_TRUE(testing::wait_until(120s, [&] {
    return node->stderr_text().find("running: store") != std::string::npos;
  })) << node->stderr_text();
  node->signal(SIGTERM);
  EXPECT_EQ(node->wait(60s), 0) << node->stderr_text();
  return node->stderr_text();
}

std::size_t bars_stored(const std::string& url, core::Timestamp from, core::Timestamp to) {
  storage::OpenOptions options;
  options.migrate = false;  // beside the running node
  auto store = storage::open_store(url, options);
  if (!store) return 0;
  auto bars = (*store)->bars(kSymbol, 1, {from, to});
  return bars ? bars->size() : 0;
}

// Minutes missing between consecutive bars (the simulator trades every minute), and where.
std::pair<std::int64_t, std::string> missing_minutes(const std::vector<core::Bar>& bars) {
  std::int64_t missing = 0;
  std::string where;
  for (std::size_t i = 1; i < bars.size(); ++i) {
    const std::int64_t gap = (bars[i].open_time - bars[i - 1].open_time) / 1min - 1;
    if (gap <= 0) continue;
    missing += gap;
    where +=
        core::format_rfc3339(bars[i - 1].open_time + 1min, 0) + " +" + std::to_string(gap) + " ";
  }
  return {missing, where};
}

TEST(BackfillSim, PaperFillsTheGapBeforeTradingAndWarmsUpFromIt) {
  TempDir dir;
  // Half a minute into a minute, running 60x: the node's first minute is partial.
  const core::Timestamp start =
      core::floor_to(core::LiveClock().now(), std::chrono::minutes(1)) + 30s;
  // The clock runs during the backfill (REST paced at two requests a second: several simulated
  // minutes pass), as Kraken's does.
  SimProcess sim(dir,
                 {"--deterministic", "--start", core::format_rfc3339(start, 0), "--speed", "60",
                  "--run-at-once", "--history-days", "2", "--seed", "9", "--symbols", kSymbol});
  const auto store = "sqlite:" + dir.file("paper.db");
  const auto config = paper_config(dir, sim.rest_url, store, true);
  const core::Timestamp forming = core::floor_to(start, std::chrono::minutes(1));
  {
    auto node = paper(dir, config, sim, "paper1");
    ASSERT_TRUE(testing::wait_until(120s, [&] {
      return node->stderr_text().find("running: store") != std::string::npos;
    })) << node->stderr_text();
    // Trading on until bars built live after the backfilled ones are stored.
    const auto backfilled = stored_bars(store, forming - 24h, forming + 24h);
    ASSERT_FALSE(backfilled.empty());
    ASSERT_TRUE(testing::wait_until(120s, [&] {
      return bars_stored(store, backfilled.back().open_time + 1min, forming + 24h) >= 3;
    })) << node->stderr_text();
    node->signal(SIGTERM);
    EXPECT_EQ(node->wait(60s), 0) << node->stderr_text();
    const auto log = node->stderr_text();
    EXPECT_NE(log.find("history backfill from " + sim.rest_url), std::string::npos) << log;
    // About a day of stored minutes: the 300 1d bars the longest timeframe wants, bounded by
    // history.backfill_days (1 here); those the node's clock has not reached (the simulator runs
    // 60x) are not read.
    const auto warm = log.find("warming up the indicators and the strategy with ");
    ASSERT_NE(warm, std::string::npos) << log;
    EXPECT_GT(std::stoul(log.substr(warm + 48)), 1000u) << log.substr(warm, 100);
  }
  const auto history = stored_bars(store, forming - 24h, forming);
  EXPECT_GT(history.size(), 1000u) << "a day of history from REST";
  // The minutes that passed while the backfill ran (many at 60x) are filled by a second pass: what
  // is missing up to the live bars is the minute the feed started in (partial, not stored) and the
  // one or two the feed took to start at 60x.
  const auto stored = stored_bars(store, forming - 24h, forming + 24h);
  const core::Timestamp node1_end = stored.back().open_time;
  const auto [missing, holes] = missing_minutes(stored);
  EXPECT_LE(missing, 3) << "minutes missing: " << holes;
  // The forming minute: the simulator's whole candle or nothing, never the node's part of it.
  const auto candles = sim_candles(sim);
  const auto partial = stored_bars(store, forming, forming + 1min);
  if (!partial.empty()) {
    ASSERT_TRUE(candles.contains(forming.seconds()));
    EXPECT_EQ(partial[0].trades, candles.at(forming.seconds()).trades)
        << "a partial bar stored as whole";
  }
  // A restart fills the gap since the newest stored bar, not the day again (history.backfill_days
  // bounds a first start only: 0 here), and the minutes missing among the recent ones (the first
  // node's partial minute), each the simulator's whole candle.
  const auto log =
      start_and_stop(dir, paper_config(dir, sim.rest_url, store, true, 0), sim, "paper2");
  EXPECT_EQ(log.find("from Trades"), std::string::npos)
      << "only the recent gap, from OHLC: " << log;
  const auto after = stored_bars(store, forming - 24h, node1_end + 1min);
  EXPECT_EQ(missing_minutes(after).first, 0) << missing_minutes(after).second;
  const auto candles_now = sim_candles(sim);
  for (const core::Bar& bar : after) {
    if (bar.open_time < forming) continue;
    ASSERT_TRUE(candles_now.contains(bar.open_time.seconds()))
        << core::format_rfc3339(bar.open_time);
    EXPECT_EQ(bar.trades, candles_now.at(bar.open_time.seconds()).trades)
        << "a partial bar stored as whole: " << core::format_rfc3339(bar.open_time);
  }
}

// A first start backfills 30 days through REST Trades at Kraken's rate: many minutes. A Ctrl-C or
// SIGTERM in that time ends the backfill at its next request and the node stops cleanly (it used
// to go on backfilling, deaf to the signal and to --duration).
TEST(BackfillSim, PaperStopsWhenSignalledDuringTheBackfill) {
  TempDir dir;
  SimProcess sim(dir, {"--deterministic", "--start", "2024-03-01T00:00:00Z", "--speed", "60",
                       "--history-days", "30", "--seed", "9", "--symbols", kSymbol});
  const auto config = dir.file("slow.yaml");
  const std::string api = "127.0.0.1:" + std::to_string(storage::testing::free_port());
  const std::string metrics = "127.0.0.1:" + std::to_string(storage::testing::free_port());
  std::ofstream(config) << "symbols: [" << kSymbol << "]\n"
                        << "rest:\n  url: " << sim.rest_url << "\n"  // Kraken's Starter rate
                        << "history:\n  backfill_days: 30\n"
                        << "api:\n  address: " << api << "\n"
                        << "metrics:\n  address: " << metrics << "\n"
                        << "storage:\n  url: sqlite:" << dir.file("slow.db") << "\n";
  auto node = paper(dir, config, sim, "slow");
  ASSERT_TRUE(testing::wait_until(60s, [&] {
    return node->stderr_text().find("from Trades") != std::string::npos;
  })) << node->stderr_text();
  // Meanwhile the API's address and /metrics say that the node is starting, and with what.
  net::HttpClientOptions client_options;
  net::HttpClient client(std::move(client_options));
  const auto health = client.get("http://" + api + "/health");
  ASSERT_TRUE(health) << health.error().message;
  EXPECT_EQ(health->status, 200);
  EXPECT_NE(health->body.find("\"starting\""), std::string::npos) << health->body;
  EXPECT_NE(health->body.find("history backfill from " + sim.rest_url), std::string::npos)
      << health->body;
  const auto ready = client.get("http://" + api + "/ready");
  ASSERT_TRUE(ready) << ready.error().message;
  EXPECT_EQ(ready->status, 503) << ready->body;
  const auto status = client.get("http://" + api + "/api/v1/status");
  ASSERT_TRUE(status) << status.error().message;
  EXPECT_EQ(status->status, 503);
  EXPECT_NE(status->body.find("tg4 is starting (history backfill"), std::string::npos)
      << status->body;
  const auto scraped = client.get("http://" + metrics + "/metrics");
  ASSERT_TRUE(scraped) << scraped.error().message;
  EXPECT_NE(scraped->body.find("tg4_node_starting 1"), std::string::npos);
  node->signal(SIGTERM);
  EXPECT_EQ(node->wait(30s), 0) << node->stderr_text();
  const auto log = node->stderr_text();
  EXPECT_NE(log.find("stopped: a stop was asked for during the backfill"), std::string::npos)
      << log;
}

TEST(BackfillSim, PaperStartsWhenRestIsDown) {
  TempDir dir;
  SimProcess sim(dir, {"--deterministic", "--start", "2024-03-01T00:00:00Z", "--speed", "60",
                       "--history-days", "1", "--seed", "9", "--symbols", kSymbol});
  const std::string down = "http://127.0.0.1:" + std::to_string(storage::testing::free_port());
  const auto config = paper_config(dir, down, "sqlite:" + dir.file("down.db"));
  const auto log = start_and_stop(dir, config, sim, "down");
  EXPECT_NE(log.find("history backfill from " + down + " failed"), std::string::npos) << log;
  EXPECT_NE(log.find("Trading starts anyway"), std::string::npos) << log;
}

// Also at the start of `tg4 paper` (audit finding 11): a session of its mode still `running` in the
// store was killed; the node that continues its account marks it `killed`, ended at the last time
// it recorded its state.
TEST(BackfillSim, PaperMarksAKilledSessionOfItsModeAsEnded) {
  TempDir dir;
  SimProcess sim(dir, {"--deterministic", "--start", "2024-03-01T00:00:00Z", "--speed", "60",
                       "--history-days", "1", "--seed", "9", "--symbols", kSymbol});
  const auto store = "sqlite:" + dir.file("killed.db");
  {
    auto opened = storage::open_store(store);
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    storage::Batch batch;
    storage::SessionRow killed;
    killed.session_id = "paper-killed";
    killed.mode = "paper";
    killed.started = kStart - 2h;
    killed.status = "running";
    batch.add(killed);
    storage::SessionRow other = killed;
    other.session_id = "live-elsewhere";
    other.mode = "live";
    batch.add(other);
    ASSERT_TRUE((*opened)->write(batch).ok());
  }
  const auto config =
      paper_config(dir, "http://127.0.0.1:" + std::to_string(storage::testing::free_port()), store);
  const auto log = start_and_stop(dir, config, sim, "killed");
  auto opened = storage::open_store(store);
  ASSERT_TRUE(opened.ok());
  std::map<std::string, storage::SessionRow> by_id;
  const auto sessions = (*opened)->sessions(10);
  ASSERT_TRUE(sessions.ok()) << sessions.error().message;
  for (const auto& row : *sessions) by_id[row.session_id] = row;
  EXPECT_EQ(by_id.at("paper-killed").status, "killed");
  EXPECT_EQ(by_id.at("paper-killed").ended, kStart - 2h) << "no state recorded: its start";
  EXPECT_EQ(by_id.at("live-elsewhere").status, "running")
      << "another mode's session is not ours to end";
  EXPECT_NE(log.find("session paper-killed never stopped"), std::string::npos) << log;
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
