// The REST handlers over a real exchange state (no sockets): Kraken's envelope, names, pagination.
#include "sim/rest_api.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <prometheus/registry.h>
#include <spdlog/spdlog.h>

namespace tg4::sim {
namespace {

namespace json = boost::json;
using core::Timestamp;

const Timestamp kNow = Timestamp::from_seconds(1'704'067'200 + 30);

class RestApiTest : public ::testing::Test {
 protected:
  RestApiTest() : metrics_(registry_), exchange_(options_, metrics_, spdlog::default_logger()), rest_(exchange_) {
    for (const char* name : {"BTC/USDT", "XRP/USDT", "XRP/BTC"}) {
      auto state = std::make_unique<SymbolState>();
      state->symbol = make_sim_symbol(name).value();
      models_.push_back(std::make_unique<PriceModel>(PriceModelParams{state->symbol.annual_volatility}));
      state->history = std::make_unique<SymbolHistory>(state->symbol, *models_.back(), 9, HistoryParams{kNow, 1, 0.2});
      state->market = std::make_unique<SymbolMarket>(state->symbol, *models_.back(), state->history->end_state(), 9,
                                                     state->history->next_trade_id(), kNow, 10.0);
      exchange_.symbols.push_back(std::move(state));
    }
    exchange_.now = [] { return kNow; };
  }

  json::object get(const std::string& target, int expected_status = 200) {
    net::HttpRequest r;
    r.method = "GET";
    r.target = target;
    const auto q = target.find('?');
    r.path = target.substr(0, q);
    if (q != std::string::npos) {
      std::string rest = target.substr(q + 1);
      while (!rest.empty()) {
        const auto amp = rest.find('&');
        const std::string kv = rest.substr(0, amp);
        const auto eq = kv.find('=');
        r.query.emplace_back(kv.substr(0, eq), eq == std::string::npos ? "" : kv.substr(eq + 1));
        rest = amp == std::string::npos ? "" : rest.substr(amp + 1);
      }
    }
    const auto res = rest_.handle(r);
    EXPECT_EQ(res.status, expected_status) << target;
    EXPECT_EQ(res.headers.at(0).second, "application/json");
    return json::parse(res.body).as_object();
  }

  static std::string first_error(const json::object& o) {
    const auto& errors = o.at("error").as_array();
    return errors.empty() ? "" : std::string(errors.at(0).as_string());
  }

  SimOptions options_;
  prometheus::Registry registry_;
  SimMetrics metrics_;
  Exchange exchange_;
  RestApi rest_;
  std::vector<std::unique_ptr<PriceModel>> models_;
};

TEST_F(RestApiTest, AssetPairsListsEveryPairWithKrakensFields) {
  const auto o = get("/0/public/AssetPairs");
  EXPECT_TRUE(o.at("error").as_array().empty());
  const auto& result = o.at("result").as_object();
  ASSERT_EQ(result.size(), 3u);
  const auto& btc = result.at("XBTUSDT").as_object();
  EXPECT_EQ(btc.at("altname").as_string(), "XBTUSDT");
  EXPECT_EQ(btc.at("wsname").as_string(), "XBT/USDT");
  EXPECT_EQ(btc.at("base").as_string(), "XXBT");
  EXPECT_EQ(btc.at("quote").as_string(), "USDT");
  EXPECT_EQ(btc.at("pair_decimals").as_int64(), 1);
  EXPECT_EQ(btc.at("lot_decimals").as_int64(), 8);
  EXPECT_EQ(btc.at("ordermin").as_string(), "0.00005");
  EXPECT_EQ(btc.at("tick_size").as_string(), "0.1");
  EXPECT_EQ(btc.at("status").as_string(), "online");
  EXPECT_EQ(result.at("XXRPXXBT").as_object().at("pair_decimals").as_int64(), 8);
}

TEST_F(RestApiTest, AssetPairsFiltersByAnyOfKrakensNames) {
  const auto o = get("/0/public/AssetPairs?pair=XBTUSDT,XRP/BTC");
  const auto& result = o.at("result").as_object();
  EXPECT_EQ(result.size(), 2u);
  EXPECT_TRUE(result.contains("XBTUSDT"));
  EXPECT_TRUE(result.contains("XXRPXXBT"));
  EXPECT_EQ(first_error(get("/0/public/AssetPairs?pair=DOGEUSD")), "EQuery:Unknown asset pair");
}

TEST_F(RestApiTest, OhlcReturns720RowsAndTheCommittedCursor) {
  const auto o = get("/0/public/OHLC?pair=XBTUSDT&interval=1");
  EXPECT_EQ(first_error(o), "");
  const auto& result = o.at("result").as_object();
  const auto& rows = result.at("XBTUSDT").as_array();
  ASSERT_EQ(rows.size(), 720u);
  const auto& row = rows.at(100).as_array();
  ASSERT_EQ(row.size(), 8u);
  EXPECT_TRUE(row.at(0).is_int64());
  for (int i = 1; i <= 6; ++i) EXPECT_TRUE(row.at(i).is_string()) << i;
  EXPECT_TRUE(row.at(7).is_int64());
  const std::string open(row.at(1).as_string());
  EXPECT_EQ(open.size() - open.find('.') - 1, 1u) << "BTC prices carry one decimal: " << open;
  const std::string volume(row.at(6).as_string());
  EXPECT_EQ(volume.size() - volume.find('.') - 1, 8u) << volume;
  // `last` is the open time of the last committed bar; polling with it returns the forming one.
  const auto last = result.at("last").as_int64();
  EXPECT_EQ(last, rows.at(718).as_array().at(0).as_int64());
  const auto poll = get("/0/public/OHLC?pair=XBTUSDT&interval=1&since=" + std::to_string(last));
  EXPECT_EQ(poll.at("result").as_object().at("XBTUSDT").as_array().size(), 1u);
  // The v2 symbol works too and keys the result the way it was asked.
  EXPECT_TRUE(get("/0/public/OHLC?pair=BTC/USDT&interval=60").at("result").as_object().contains("BTC/USDT"));
}

TEST_F(RestApiTest, OhlcRejectsBadArgumentsNamingThem) {
  EXPECT_EQ(first_error(get("/0/public/OHLC?pair=XBTUSDT&interval=7")), "EGeneral:Invalid arguments:interval");
  EXPECT_EQ(first_error(get("/0/public/OHLC?interval=1")), "EGeneral:Invalid arguments:pair");
  EXPECT_EQ(first_error(get("/0/public/OHLC?pair=NOPE")), "EQuery:Unknown asset pair");
  EXPECT_EQ(first_error(get("/0/public/OHLC?pair=XBTUSDT&since=yesterday")), "EGeneral:Invalid arguments:since");
}

TEST_F(RestApiTest, TradesPaginateWithTheLastCursor) {
  std::int64_t expected = 0;
  for (const auto& m : exchange_.find("XRP/USDT")->history->minutes()) expected += m.count;
  std::string since = "0";
  std::int64_t seen = 0;
  // Consecutive, ending below the first live id.
  std::int64_t last_id = exchange_.find("XRP/USDT")->history->next_trade_id() - expected - 1;
  for (int page = 0; page < 100; ++page) {
    const auto o = get("/0/public/Trades?pair=XRPUSDT&count=1000&since=" + since);
    ASSERT_EQ(first_error(o), "");
    const auto& result = o.at("result").as_object();
    const auto& rows = result.at("XRPUSDT").as_array();
    const std::string last(result.at("last").as_string());
    if (rows.empty()) break;
    for (const auto& r : rows) {
      const auto& row = r.as_array();
      ASSERT_EQ(row.size(), 7u);
      const std::string price(row.at(0).as_string());
      EXPECT_EQ(price.size() - price.find('.') - 1, 5u) << price;
      EXPECT_TRUE(row.at(2).is_double());
      EXPECT_TRUE(row.at(3).as_string() == "b" || row.at(3).as_string() == "s");
      EXPECT_TRUE(row.at(4).as_string() == "m" || row.at(4).as_string() == "l");
      ASSERT_EQ(row.at(6).as_int64(), last_id + 1);
      last_id = row.at(6).as_int64();
      ++seen;
    }
    since = last;
  }
  EXPECT_EQ(seen, expected);
  EXPECT_EQ(first_error(get("/0/public/Trades?pair=XRPUSDT&count=5000")), "EGeneral:Invalid arguments:count");
}

TEST_F(RestApiTest, DepthGivesSortedSidesWithRestPrecision) {
  const auto o = get("/0/public/Depth?pair=XBTUSDT&count=5");
  const auto& book = o.at("result").as_object().at("XBTUSDT").as_object();
  const auto& asks = book.at("asks").as_array();
  const auto& bids = book.at("bids").as_array();
  ASSERT_EQ(asks.size(), 5u);
  ASSERT_EQ(bids.size(), 5u);
  const auto price = [](const json::value& v) { return std::stod(std::string(v.as_array().at(0).as_string())); };
  for (std::size_t i = 1; i < 5; ++i) {
    EXPECT_LT(price(asks[i - 1]), price(asks[i]));
    EXPECT_GT(price(bids[i - 1]), price(bids[i]));
  }
  EXPECT_LT(price(bids[0]), price(asks[0]));
  const std::string text(asks[0].as_array().at(0).as_string());
  EXPECT_EQ(text.size() - text.find('.') - 1, 5u) << text;
  EXPECT_EQ(asks[0].as_array().at(2).as_int64(), kNow.seconds());
  EXPECT_EQ(first_error(get("/0/public/Depth?pair=XBTUSDT&count=0")), "EGeneral:Invalid arguments:count");
}

TEST_F(RestApiTest, TimeSystemStatusAndUnknownMethod) {
  const auto t = get("/0/public/Time");
  EXPECT_EQ(t.at("result").as_object().at("unixtime").as_int64(), kNow.seconds());
  EXPECT_EQ(t.at("result").as_object().at("rfc1123").as_string(), "Mon, 01 Jan 24 00:00:30 +0000");
  EXPECT_EQ(get("/0/public/SystemStatus").at("result").as_object().at("status").as_string(), "online");
  EXPECT_EQ(first_error(get("/0/public/Nope", 404)), "EGeneral:Unknown method");
}

}  // namespace
}  // namespace tg4::sim
