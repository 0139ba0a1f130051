// The simulator's REST API over HTTP, as a backfill client uses it: valid Kraken JSON from every
// endpoint, and history that agrees with itself (1-minute bars rebuilt from paginated /Trades equal
// /OHLC exactly), so backfill can be tested against it.
#include <gtest/gtest.h>

#include <prometheus/registry.h>

#include <map>

#include "sim/kraken_frames.hpp"
#include "sim/simulator.hpp"
#include "support/ws_test_client.hpp"

namespace tg4::sim {
namespace {

namespace json = boost::json;
using core::Decimal;
using testing::http_request;

struct RestSim {
  RestSim() : sim(make(), registry) {
    const auto status = sim.start(0);
    if (!status) throw std::runtime_error(status.error().message);
  }
  static SimOptions make() {
    SimOptions o;
    o.history_days = 1;
    o.deterministic = true;  // the clock stands still until a WebSocket subscribes: REST answers are stable
    o.seed = 77;
    return o;
  }
  json::object get(const std::string& target) {
    const auto res = http_request(sim.bound_port(), target);
    EXPECT_EQ(res.status, 200) << target;
    EXPECT_EQ(res.content_type, "application/json");
    return json::parse(res.body).as_object();
  }
  prometheus::Registry registry;
  Simulator sim;
};

TEST(SimRest, EveryEndpointAnswersKrakenJson) {
  RestSim r;
  for (const char* target : {"/0/public/AssetPairs", "/0/public/OHLC?pair=XBTUSDT", "/0/public/Trades?pair=XRPUSDT&count=5",
                             "/0/public/Depth?pair=XXRPXXBT&count=10", "/0/public/Time", "/0/public/SystemStatus"}) {
    const auto o = r.get(target);
    ASSERT_TRUE(o.contains("error")) << target;
    EXPECT_TRUE(o.at("error").as_array().empty()) << target;
    EXPECT_TRUE(o.at("result").is_object()) << target;
  }
  const auto depth = r.get("/0/public/Depth?pair=XXRPXXBT&count=10").at("result").as_object().at("XXRPXXBT").as_object();
  EXPECT_EQ(depth.at("asks").as_array().size(), 10u);
  EXPECT_EQ(depth.at("bids").as_array().size(), 10u);
  EXPECT_EQ(std::string(depth.at("asks").as_array().at(0).as_array().at(0).as_string()).size(), std::string("0.00000000").size());
}

TEST(SimRest, ErrorsUseKrakensEnvelope) {
  RestSim r;
  const auto unknown_pair = r.get("/0/public/OHLC?pair=DOGEEUR");
  EXPECT_EQ(unknown_pair.at("error").as_array().at(0).as_string(), "EQuery:Unknown asset pair");
  const auto missing = http_request(r.sim.bound_port(), "/0/public/Nope");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.body, R"({"error":["EGeneral:Unknown method"]})");
  const auto elsewhere = http_request(r.sim.bound_port(), "/metrics");
  EXPECT_EQ(elsewhere.status, 404);
}

TEST(SimRest, BarsRebuiltFromPaginatedTradesEqualOhlc) {
  RestSim r;
  const auto ohlc = r.get("/0/public/OHLC?pair=XBTUSDT&interval=1");
  const auto& rows = ohlc.at("result").as_object().at("XBTUSDT").as_array();
  ASSERT_EQ(rows.size(), 720u);
  const std::int64_t first = rows.at(0).as_array().at(0).as_int64();
  // Backfill the way a client does: since = just before the first bar, then follow `last`.
  std::string since = std::to_string(first * 1'000'000'000LL - 1);
  struct Agg {
    Decimal open, high, low, close, volume;
    std::int64_t count = 0;
  };
  std::map<std::int64_t, Agg> bars;
  for (int page = 0; page < 200; ++page) {
    const auto o = r.get("/0/public/Trades?pair=XBTUSDT&since=" + since);
    const auto& result = o.at("result").as_object();
    const auto& trades = result.at("XBTUSDT").as_array();
    if (trades.empty()) break;
    for (const auto& t : trades) {
      const auto& row = t.as_array();
      const Decimal price = Decimal::must(std::string(row.at(0).as_string()));
      const Decimal qty = Decimal::must(std::string(row.at(1).as_string()));
      const auto minute = static_cast<std::int64_t>(row.at(2).as_double()) / 60 * 60;
      auto& a = bars[minute];
      if (a.count == 0) a.open = a.high = a.low = price;
      a.high = core::max(a.high, price);
      a.low = core::min(a.low, price);
      a.close = price;
      a.volume += qty;
      ++a.count;
    }
    since = std::string(result.at("last").as_string());
  }
  int compared = 0;
  for (const auto& v : rows) {
    const auto& row = v.as_array();
    const auto count = row.at(7).as_int64();
    const auto it = bars.find(row.at(0).as_int64());
    if (count == 0) {
      EXPECT_TRUE(it == bars.end());
      continue;
    }
    ASSERT_NE(it, bars.end()) << "no trades for bar " << row.at(0).as_int64();
    EXPECT_EQ(it->second.count, count);
    EXPECT_EQ(it->second.open, Decimal::must(std::string(row.at(1).as_string())));
    EXPECT_EQ(it->second.high, Decimal::must(std::string(row.at(2).as_string())));
    EXPECT_EQ(it->second.low, Decimal::must(std::string(row.at(3).as_string())));
    EXPECT_EQ(it->second.close, Decimal::must(std::string(row.at(4).as_string())));
    EXPECT_EQ(it->second.volume, Decimal::must(std::string(row.at(6).as_string())));
    ++compared;
  }
  EXPECT_GT(compared, 600);
}

TEST(SimRest, SameSeedSameHistory) {
  RestSim a, b;
  EXPECT_EQ(http_request(a.sim.bound_port(), "/0/public/OHLC?pair=XRPUSDT&interval=15").body,
            http_request(b.sim.bound_port(), "/0/public/OHLC?pair=XRPUSDT&interval=15").body);
  EXPECT_EQ(http_request(a.sim.bound_port(), "/0/public/Trades?pair=XRPUSDT&since=0&count=500").body,
            http_request(b.sim.bound_port(), "/0/public/Trades?pair=XRPUSDT&since=0&count=500").body);
}

}  // namespace
}  // namespace tg4::sim
