// Frames compared byte for byte with the shapes Kraken's v2 API sends (key order, number tokens with
// the pair's precisions, RFC 3339 digits), as documented and as recorded from the live venue.
#include "sim/kraken_wire.hpp"

#include <gtest/gtest.h>

namespace tg4::sim::wire {
namespace {

using core::Decimal;
using core::Timestamp;

const Timestamp kT = core::parse_rfc3339("2023-09-25T07:49:37.708706Z").value();

core::Instrument btc() { return core::default_instrument("BTC/USD"); }

TEST(KrakenWire, StatusAndHeartbeat) {
  EXPECT_EQ(status(18125794168470749634ULL),
            R"({"channel":"status","type":"update","data":[{"version":"2.0.10","system":"online","api_version":"v2","connection_id":18125794168470749634}]})");
  EXPECT_EQ(heartbeat(), R"({"channel":"heartbeat"})");
}

TEST(KrakenWire, MethodResponses) {
  const MethodTimes times{kT, kT + std::chrono::microseconds(36)};
  AckResult r;
  r.channel = "book";
  r.depth = 10;
  r.snapshot = true;
  r.symbol = "BTC/USD";
  EXPECT_EQ(ack("subscribe", 42, r, times),
            R"({"method":"subscribe","req_id":42,"result":{"channel":"book","depth":10,"snapshot":true,"symbol":"BTC/USD"},"success":true,"time_in":"2023-09-25T07:49:37.708706Z","time_out":"2023-09-25T07:49:37.708742Z"})");
  AckResult o;
  o.channel = "ohlc";
  o.interval = 5;
  o.snapshot = true;
  o.symbol = "BTC/USD";
  o.warnings = {"timestamp is deprecated, use interval_begin"};
  EXPECT_EQ(ack("subscribe", std::nullopt, o, times),
            R"({"method":"subscribe","result":{"channel":"ohlc","interval":5,"snapshot":true,"symbol":"BTC/USD","warnings":["timestamp is deprecated, use interval_begin"]},"success":true,"time_in":"2023-09-25T07:49:37.708706Z","time_out":"2023-09-25T07:49:37.708742Z"})");
  EXPECT_EQ(error("subscribe", "Currency pair not supported XBT/USD", std::nullopt, std::string("XBT/USD"), times),
            R"({"error":"Currency pair not supported XBT/USD","method":"subscribe","success":false,"symbol":"XBT/USD","time_in":"2023-09-25T07:49:37.708706Z","time_out":"2023-09-25T07:49:37.708742Z"})");
  EXPECT_EQ(error("", "Malformed request", std::nullopt, std::nullopt, times),
            R"({"error":"Malformed request","success":false,"time_in":"2023-09-25T07:49:37.708706Z","time_out":"2023-09-25T07:49:37.708742Z"})");
  EXPECT_EQ(pong(101, times),
            R"({"method":"pong","req_id":101,"time_in":"2023-09-25T07:49:37.708706Z","time_out":"2023-09-25T07:49:37.708742Z"})");
}

TEST(KrakenWire, BookUsesPricePrecisionAndQtyPrecision) {
  const std::vector<core::PriceLevel> bids{{Decimal::must("62807"), Decimal::zero()}};
  const std::vector<core::PriceLevel> asks{{Decimal::must("62818.8"), Decimal::must("0.65540712")}};
  EXPECT_EQ(book(btc(), false, bids, asks, 4249465476u, kT),
            R"({"channel":"book","type":"update","data":[{"symbol":"BTC/USD","bids":[{"price":62807.0,"qty":0.00000000}],"asks":[{"price":62818.8,"qty":0.65540712}],"checksum":4249465476,"timestamp":"2023-09-25T07:49:37.708706Z"}]})");
  const auto snap = book(btc(), true, bids, asks, 1, kT);
  EXPECT_EQ(snap.rfind(R"({"channel":"book","type":"snapshot","data":[{"symbol":"BTC/USD","bids":[)", 0), 0u);
}

TEST(KrakenWire, Trades) {
  const MarketTrade t{core::Side::kBuy, 837443, Decimal::must("0.0004478"), core::OrderType::kLimit, 109116693, kT};
  const MarketTrade list[] = {t};
  EXPECT_EQ(trades(btc(), false, list),
            R"({"channel":"trade","type":"update","data":[{"symbol":"BTC/USD","side":"buy","price":83744.3,"qty":0.00044780,"ord_type":"limit","trade_id":109116693,"timestamp":"2023-09-25T07:49:37.708706Z"}]})");
}

TEST(KrakenWire, Ticker) {
  TickerData d;
  d.bid = Decimal::must("83744.2");
  d.bid_qty = Decimal::must("0.56251979");
  d.ask = Decimal::must("83744.3");
  d.ask_qty = Decimal::must("0.0004478");
  d.last = Decimal::must("83744.3");
  d.volume = Decimal::must("3156.8478211");
  d.vwap = Decimal::must("84174.6");
  d.low = Decimal::must("83163.6");
  d.high = Decimal::must("85247.4");
  d.change = Decimal::must("-429.3");
  d.change_pct = Decimal::must("-0.51");
  d.timestamp = kT;
  EXPECT_EQ(ticker(btc(), false, d),
            R"({"channel":"ticker","type":"update","data":[{"symbol":"BTC/USD","bid":83744.2,"bid_qty":0.56251979,"ask":83744.3,"ask_qty":0.00044780,"last":83744.3,"volume":3156.84782110,"vwap":84174.6,"low":83163.6,"high":85247.4,"change":-429.3,"change_pct":-0.51,"timestamp":"2023-09-25T07:49:37.708706Z"}]})");
}

TEST(KrakenWire, OhlcCarriesIntervalBeginAndEnd) {
  OutBar b;
  b.open_time_s = core::parse_rfc3339("2026-09-25T17:48:00Z").value().seconds();
  b.interval_minutes = 1;
  b.open = Decimal::must("83729.5");
  b.high = Decimal::must("83745.2");
  b.low = Decimal::must("83729.4");
  b.close = Decimal::must("83744.3");
  b.count = 33;
  b.volume = Decimal::must("0.21155628");
  b.vwap = Decimal::must("83736.4");
  const OutBar bars[] = {b};
  const auto sent = core::parse_rfc3339("2026-09-25T17:48:26.844359566Z").value();
  EXPECT_EQ(ohlc(btc(), false, bars, sent),
            R"({"channel":"ohlc","type":"update","timestamp":"2026-09-25T17:48:26.844359566Z","data":[{"symbol":"BTC/USD","open":83729.5,"high":83745.2,"low":83729.4,"close":83744.3,"trades":33,"volume":0.21155628,"vwap":83736.4,"interval_begin":"2026-09-25T17:48:00.000000000Z","interval":1,"timestamp":"2026-09-25T17:49:00.000000Z"}]})");
}

TEST(KrakenWire, InstrumentListsAssetsAndPairsWithIncrements) {
  const auto b = make_sim_symbol("BTC/USDT").value();
  const auto x = make_sim_symbol("XRP/BTC").value();
  const SimSymbol* list[] = {&b, &x};
  const auto text = instrument(list);
  EXPECT_EQ(text.rfind(R"({"channel":"instrument","type":"snapshot","data":{"assets":[{"id":"BTC","status":"enabled","precision":10,)", 0), 0u) << text;
  EXPECT_NE(text.find(R"({"symbol":"BTC/USDT","base":"BTC","quote":"USDT","status":"online","qty_precision":8,"qty_increment":1e-08,"price_precision":1,)"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find(R"("tick_size":0.1,"price_increment":0.1,"qty_min":5e-05})"), std::string::npos) << text;
  EXPECT_NE(text.find(R"("symbol":"XRP/BTC")"), std::string::npos);
  EXPECT_NE(text.find(R"("price_increment":1e-08)"), std::string::npos);
  EXPECT_NE(text.find(R"({"id":"XRP",)"), std::string::npos);
  EXPECT_NE(text.find(R"({"id":"USDT",)"), std::string::npos);
}

TEST(SimSymbol, KrakenRestNames) {
  const auto b = make_sim_symbol("BTC/USDT").value();
  EXPECT_EQ(b.rest_key, "XBTUSDT");
  EXPECT_EQ(b.rest_wsname, "XBT/USDT");
  EXPECT_EQ(b.base_asset_id, "XXBT");
  EXPECT_EQ(b.quote_asset_id, "USDT");
  const auto x = make_sim_symbol("XRP/BTC").value();
  EXPECT_EQ(x.rest_key, "XXRPXXBT");
  EXPECT_EQ(x.rest_altname, "XRPXBT");
  EXPECT_DOUBLE_EQ(x.start_price, 0.0000091);
  EXPECT_EQ(x.instrument.price_precision, 8);
  const auto u = make_sim_symbol("BTC/USD").value();
  EXPECT_EQ(u.rest_key, "XXBTZUSD");
  EXPECT_FALSE(make_sim_symbol("BTCUSD").ok());
  EXPECT_NE(make_sim_symbol("BTCUSD").error().message.find("BTCUSD"), std::string::npos);
}

}  // namespace
}  // namespace tg4::sim::wire
