// FrameParser: every Kraken WS v2 public message type (documented examples and the simulator's
// forms), exact decimals, key orders Kraken uses, unknown channels, and malformed frames with
// errors naming the field and position.
#include "kraken/codec.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace tg4::kraken {
namespace {

using core::Decimal;

struct Recorder : FrameSink {
  std::vector<core::BookDelta> books;
  std::vector<core::Trade> trades;
  std::vector<core::Ticker> tickers;
  std::vector<core::Ohlc> ohlcs;
  std::vector<core::Instrument> instruments;
  std::vector<core::VenueStatus> statuses;
  std::vector<MethodResponse> methods;
  int heartbeats = 0;

  void on_book(const core::BookDelta& d) override { books.push_back(d); }
  void on_trade(const core::Trade& t) override { trades.push_back(t); }
  void on_ticker(const core::Ticker& t) override { tickers.push_back(t); }
  void on_ohlc(const core::Ohlc& o) override { ohlcs.push_back(o); }
  void on_instrument(const core::InstrumentUpdate& u) override {
    instruments.push_back(u.instrument);
  }
  void on_status(const core::VenueStatus& s) override { statuses.push_back(s); }
  void on_heartbeat() override { ++heartbeats; }
  void on_method(const MethodResponse& m) override { methods.push_back(m); }
  std::size_t events() const {
    return books.size() + trades.size() + tickers.size() + ohlcs.size() + instruments.size() +
           statuses.size() + methods.size() + static_cast<std::size_t>(heartbeats);
  }
};

const core::Timestamp kReceived = core::Timestamp::from_seconds(1'700'000'000);

class CodecTest : public ::testing::Test {
 protected:
  FrameKind ok(std::string_view frame) {
    auto r = parser.parse(frame, kReceived, sink);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message) << "\nframe: " << frame;
    return r.ok() ? *r : FrameKind::kUnknownChannel;
  }
  std::string error(std::string_view frame) {
    Recorder fresh;
    auto r = parser.parse(frame, kReceived, fresh);
    EXPECT_FALSE(r.ok()) << "accepted: " << frame;
    EXPECT_EQ(fresh.events(), 0U) << "a malformed frame delivered events: " << frame;
    return r.ok() ? std::string() : r.error().message;
  }
  FrameParser parser;
  Recorder sink;
};

TEST_F(CodecTest, BookSnapshotFromTheChecksumGuide) {
  const std::string frame =
      R"({"channel":"book","type":"snapshot","data":[{"symbol":"BTC/USD","bids":[{"price":45283.5,"qty":0.10000000},)"
      R"({"price":45283.4,"qty":1.54582015},{"price":45281.0,"qty":0.10000000}],"asks":[{"price":45285.2,"qty":0.00100000},)"
      R"({"price":45286.4,"qty":1.54571953}],"checksum":3310070434}]})";
  EXPECT_EQ(ok(frame), FrameKind::kBook);
  ASSERT_EQ(sink.books.size(), 1U);
  const auto& b = sink.books[0];
  EXPECT_EQ(b.symbol, "BTC/USD");
  EXPECT_TRUE(b.is_snapshot);
  ASSERT_EQ(b.bids.size(), 3U);
  ASSERT_EQ(b.asks.size(), 2U);
  EXPECT_EQ(b.bids[2].price, Decimal::must("45281"));
  EXPECT_EQ(b.bids[0].qty, Decimal::must("0.1"));
  EXPECT_EQ(b.asks[0].qty, Decimal::must("0.001"));
  EXPECT_EQ(b.checksum, 3310070434U);
  EXPECT_EQ(b.price_decimals, 1);  // "45281.0": trailing zeros are counted
  EXPECT_EQ(b.qty_decimals, 8);
  EXPECT_EQ(b.received, kReceived);
  EXPECT_FALSE(b.exchange_time.is_set());
}

TEST_F(CodecTest, BookUpdateWithDeleteAndTimestamp) {
  EXPECT_EQ(
      ok(R"({"channel":"book","type":"update","data":[{"symbol":"MATIC/USD","bids":[{"price":0.5657,"qty":1098.3947558}],)"
         R"("asks":[{"price":0.5700,"qty":0}],"checksum":2114181697,"timestamp":"2023-10-06T17:35:55.440295Z"}]})"),
      FrameKind::kBook);
  ASSERT_EQ(sink.books.size(), 1U);
  const auto& b = sink.books[0];
  EXPECT_FALSE(b.is_snapshot);
  EXPECT_EQ(b.bids[0].qty, Decimal::must("1098.3947558"));
  EXPECT_TRUE(b.asks[0].qty.is_zero());
  EXPECT_EQ(b.price_decimals, 4);
  EXPECT_EQ(b.qty_decimals, 7);  // the zero qty does not count
  EXPECT_EQ(b.checksum, 2114181697U);
  EXPECT_EQ(b.exchange_time, *core::parse_rfc3339("2023-10-06T17:35:55.440295Z"));
}

TEST_F(CodecTest, QuotedAndExponentNumbersAreExact) {
  EXPECT_EQ(
      ok(R"({"channel":"book","type":"update","data":[{"symbol":"SHIB/USD","bids":[{"price":"0.000012345","qty":"100.50"}],)"
         R"("asks":[{"price":1.2346e-05 ,"qty":  2E+3 }],"checksum":1}]})"),
      FrameKind::kBook);
  const auto& b = sink.books.at(0);
  EXPECT_EQ(b.bids[0].price, Decimal::must("0.000012345"));
  EXPECT_EQ(b.bids[0].qty, Decimal::must("100.5"));
  EXPECT_EQ(b.asks[0].price, Decimal::must("0.000012346"));
  EXPECT_EQ(b.asks[0].qty, Decimal::from_int(2000));
}

TEST_F(CodecTest, Trades) {
  EXPECT_EQ(
      ok(R"({"channel":"trade","type":"update","data":[)"
         R"({"symbol":"BTC/USD","side":"sell","price":45283.4,"qty":0.00050000,"ord_type":"market","trade_id":72311,"timestamp":"2023-10-06T17:35:55.440295Z"},)"
         R"({"symbol":"BTC/USD","side":"buy","price":45284.0,"qty":1.5,"ord_type":"limit","trade_id":72312,"timestamp":"2023-10-06T17:35:56.000001Z"}]})"),
      FrameKind::kTrade);
  ASSERT_EQ(sink.trades.size(), 2U);
  EXPECT_EQ(sink.trades[0].side, core::Side::kSell);
  EXPECT_EQ(sink.trades[0].price, Decimal::must("45283.4"));
  EXPECT_EQ(sink.trades[0].qty, Decimal::must("0.0005"));
  EXPECT_EQ(sink.trades[0].ord_type, core::OrderType::kMarket);
  EXPECT_EQ(sink.trades[0].trade_id, 72311);
  EXPECT_EQ(sink.trades[1].side, core::Side::kBuy);
  EXPECT_EQ(sink.trades[1].ord_type, core::OrderType::kLimit);
  EXPECT_EQ(sink.trades[1].time, *core::parse_rfc3339("2023-10-06T17:35:56.000001Z"));
  EXPECT_EQ(sink.trades[1].received, kReceived);
}

TEST_F(CodecTest, Ticker) {
  EXPECT_EQ(
      ok(R"({"channel":"ticker","type":"snapshot","data":[{"symbol":"ALGO/USD","bid":0.10025,"bid_qty":740.0,)"
         R"("ask":0.10036,"ask_qty":1361.44813783,"last":0.10035,"volume":997038.98383185,"vwap":0.10148,)"
         R"("low":0.09979,"high":0.10285,"change":-0.00017,"change_pct":-0.17,"timestamp":"2023-10-06T17:35:55.440295Z"}]})"),
      FrameKind::kTicker);
  ASSERT_EQ(sink.tickers.size(), 1U);
  const auto& t = sink.tickers[0];
  EXPECT_EQ(t.symbol, "ALGO/USD");
  EXPECT_EQ(t.bid, Decimal::must("0.10025"));
  EXPECT_EQ(t.ask_qty, Decimal::must("1361.44813783"));
  EXPECT_EQ(t.volume, Decimal::must("997038.98383185"));
  EXPECT_EQ(t.change, Decimal::must("-0.00017"));
  EXPECT_EQ(t.change_pct, Decimal::must("-0.17"));
}

TEST_F(CodecTest, Ohlc) {
  EXPECT_EQ(
      ok(R"({"channel":"ohlc","type":"update","timestamp":"2023-10-04T16:26:30.524394914Z","data":[{"symbol":"MATIC/USD",)"
         R"("open":0.5624,"high":0.5628,"low":0.5622,"close":0.5627,"trades":12,"volume":30927.68066226,"vwap":0.5626,)"
         R"("interval_begin":"2023-10-04T16:25:00.000000000Z","interval":5,"timestamp":"2023-10-04T16:30:00.000000Z"}]})"),
      FrameKind::kOhlc);
  ASSERT_EQ(sink.ohlcs.size(), 1U);
  const auto& b = sink.ohlcs[0].bar;
  EXPECT_EQ(b.symbol, "MATIC/USD");
  EXPECT_EQ(b.interval_minutes, 5);
  EXPECT_EQ(b.open_time, *core::parse_rfc3339("2023-10-04T16:25:00Z"));
  EXPECT_EQ(b.open, Decimal::must("0.5624"));
  EXPECT_EQ(b.close, Decimal::must("0.5627"));
  EXPECT_EQ(b.volume, Decimal::must("30927.68066226"));
  EXPECT_EQ(b.vwap, Decimal::must("0.5626"));
  EXPECT_EQ(b.trades, 12);
  EXPECT_TRUE(b.quote_volume.is_zero());  // Kraken gives vwap only
}

TEST_F(CodecTest, InstrumentPairs) {
  EXPECT_EQ(
      ok(R"({"channel":"instrument","type":"snapshot","data":{"assets":[{"id":"BTC","status":"enabled","precision":10,)"
         R"("precision_display":5,"borrowable":true,"collateral_value":0.95,"margin_rate":0.02}],"pairs":[)"
         R"({"symbol":"BTC/USD","base":"BTC","quote":"USD","status":"online","qty_precision":8,"qty_increment":1e-08,)"
         R"("price_precision":1,"cost_precision":5,"marginable":true,"has_index":true,"cost_min":0.5,"tick_size":0.1,)"
         R"("price_increment":0.1,"qty_min":0.0001},)"
         R"({"symbol":"SHIB/EUR","status":"cancel_only","qty_precision":0,"qty_increment":1,"price_precision":9,)"
         R"("tick_size":1e-09,"qty_min":50000,"cost_min":0.45}]}})"),
      FrameKind::kInstrument);
  ASSERT_EQ(sink.instruments.size(), 2U);
  const auto& btc = sink.instruments[0];
  EXPECT_EQ(btc.symbol, "BTC/USD");
  EXPECT_EQ(btc.base, "BTC");
  EXPECT_EQ(btc.quote, "USD");
  EXPECT_EQ(btc.qty_precision, 8);
  EXPECT_EQ(btc.qty_increment, Decimal::must("0.00000001"));
  EXPECT_EQ(btc.price_increment, Decimal::must("0.1"));
  EXPECT_EQ(btc.qty_min, Decimal::must("0.0001"));
  EXPECT_EQ(btc.cost_min, Decimal::must("0.5"));
  EXPECT_TRUE(btc.marginable);
  const auto& shib = sink.instruments[1];
  EXPECT_EQ(shib.base, "SHIB");  // from the symbol when absent
  EXPECT_EQ(shib.quote, "EUR");
  EXPECT_EQ(shib.status, "cancel_only");
  EXPECT_EQ(shib.price_precision, 9);
  EXPECT_EQ(shib.price_increment,
            Decimal::must("0.000000001"));  // tick_size when no price_increment
  EXPECT_EQ(shib.qty_min, Decimal::from_int(50'000));
}

TEST_F(CodecTest, StatusWithDataBeforeType) {
  // Kraken's own key order for status: channel, data, type.
  EXPECT_EQ(
      ok(R"({"channel":"status","data":[{"api_version":"v2","connection_id":12393906104898154338,)"
         R"("system":"online","version":"2.0.0"}],"type":"update"})"),
      FrameKind::kStatus);
  ASSERT_EQ(sink.statuses.size(), 1U);
  EXPECT_EQ(sink.statuses[0].system, "online");
  EXPECT_EQ(sink.statuses[0].api_version, "v2");
  EXPECT_EQ(sink.statuses[0].connection_id, 12393906104898154338ULL);
  EXPECT_EQ(sink.statuses[0].version, "2.0.0");
}

TEST_F(CodecTest, DataBeforeChannelIsReadOnASecondPass) {
  EXPECT_EQ(
      ok(R"({"type":"snapshot","data":[{"symbol":"BTC/USD","bids":[{"price":1.5,"qty":2}],"asks":[],"checksum":7}],"channel":"book"})"),
      FrameKind::kBook);
  ASSERT_EQ(sink.books.size(), 1U);
  EXPECT_TRUE(sink.books[0].is_snapshot);
  EXPECT_EQ(sink.books[0].bids[0].price, Decimal::must("1.5"));
  EXPECT_EQ(sink.books[0].symbol, "BTC/USD");
}

TEST_F(CodecTest, Heartbeat) {
  EXPECT_EQ(ok(R"({"channel":"heartbeat"})"), FrameKind::kHeartbeat);
  EXPECT_EQ(sink.heartbeats, 1);
}

TEST_F(CodecTest, SubscribeAndUnsubscribeAcks) {
  EXPECT_EQ(
      ok(R"({"method":"subscribe","req_id":42,"result":{"channel":"book","depth":25,"snapshot":true,"symbol":"ALGO/USD"},)"
         R"("success":true,"time_in":"2023-10-06T17:35:55.219022Z","time_out":"2023-10-06T17:35:55.219067Z"})"),
      FrameKind::kMethod);
  EXPECT_EQ(
      ok(R"({"method":"subscribe","result":{"channel":"ohlc","interval":5,"snapshot":true,"symbol":"BTC/USD",)"
         R"("warnings":["timestamp is deprecated, use interval_begin"]},"success":true,"time_in":"2023-10-06T17:35:55.219022Z",)"
         R"("time_out":"2023-10-06T17:35:55.219067Z"})"),
      FrameKind::kMethod);
  EXPECT_EQ(
      ok(R"({"method":"unsubscribe","result":{"channel":"ticker","event_trigger":"bbo","symbol":"BTC/USD"},"success":true,)"
         R"("time_in":"2023-10-06T17:35:55.219022Z","time_out":"2023-10-06T17:35:55.219067Z"})"),
      FrameKind::kMethod);
  ASSERT_EQ(sink.methods.size(), 3U);
  const auto& a = sink.methods[0];
  EXPECT_EQ(a.method, "subscribe");
  EXPECT_TRUE(a.success);
  EXPECT_EQ(a.req_id, 42);
  EXPECT_EQ(a.channel, "book");
  EXPECT_EQ(a.depth, 25);
  EXPECT_EQ(a.snapshot, true);
  EXPECT_EQ(a.symbol, "ALGO/USD");
  EXPECT_EQ(a.time_in, *core::parse_rfc3339("2023-10-06T17:35:55.219022Z"));
  EXPECT_EQ(sink.methods[1].interval, 5);
  ASSERT_EQ(sink.methods[1].warnings.size(), 1U);
  EXPECT_FALSE(sink.methods[1].req_id);
  EXPECT_EQ(sink.methods[2].method, "unsubscribe");
  EXPECT_EQ(sink.methods[2].event_trigger, "bbo");
}

TEST_F(CodecTest, MethodErrorsAndBareErrors) {
  EXPECT_EQ(
      ok(R"({"error":"Currency pair not supported","method":"subscribe","req_id":7,"success":false,"symbol":"XBT/USDX",)"
         R"("time_in":"2023-10-06T17:35:55.219022Z","time_out":"2023-10-06T17:35:55.219067Z"})"),
      FrameKind::kMethod);
  EXPECT_EQ(
      ok(R"({"error":"Exceeded msg rate","method":"subscribe","success":false,"time_in":"2023-10-06T17:35:55.219022Z",)"
         R"("time_out":"2023-10-06T17:35:55.219067Z"})"),
      FrameKind::kMethod);
  EXPECT_EQ(
      ok(R"({"error":"Malformed request","success":false,"time_in":"2023-10-06T17:35:55.219022Z","time_out":"2023-10-06T17:35:55.219067Z"})"),
      FrameKind::kError);
  ASSERT_EQ(sink.methods.size(), 3U);
  EXPECT_FALSE(sink.methods[0].success);
  EXPECT_EQ(sink.methods[0].error, "Currency pair not supported");
  EXPECT_EQ(sink.methods[0].symbol, "XBT/USDX");
  EXPECT_EQ(sink.methods[0].req_id, 7);
  EXPECT_EQ(sink.methods[1].error, "Exceeded msg rate");
  EXPECT_TRUE(sink.methods[2].method.empty());
  EXPECT_FALSE(sink.methods[2].success);
}

TEST_F(CodecTest, Pong) {
  EXPECT_EQ(
      ok(R"({"method":"pong","req_id":101,"time_in":"2023-09-24T14:10:23.799685Z","time_out":"2023-09-24T14:10:23.799703Z"})"),
      FrameKind::kPong);
  ASSERT_EQ(sink.methods.size(), 1U);
  EXPECT_TRUE(sink.methods[0].success);
  EXPECT_EQ(sink.methods[0].req_id, 101);
}

TEST_F(CodecTest, UnknownChannelIsCountedAndIgnored) {
  EXPECT_EQ(
      ok(R"({"channel":"level3","type":"snapshot","data":[{"symbol":"BTC/USD","bids":[{"order_id":"X","limit_price":1}]}]})"),
      FrameKind::kUnknownChannel);
  EXPECT_EQ(sink.events(), 0U);
  EXPECT_EQ(parser.stats().count(FrameKind::kUnknownChannel), 1U);
  EXPECT_EQ(parser.stats().parse_errors, 0U);
}

TEST_F(CodecTest, MalformedFramesNameFieldAndPosition) {
  EXPECT_NE(error("").find("frame"), std::string::npos);
  error("{");
  error("hello");
  EXPECT_NE(error("[1,2]").find("not a JSON object"), std::string::npos);
  EXPECT_NE(error(R"({"foo":1})").find("neither 'channel', 'method' nor 'error'"),
            std::string::npos);
  EXPECT_NE(error(R"({"channel":"book","type":"snapshot"})").find("missing 'data'"),
            std::string::npos);
  const std::string wrong_type = error(
      R"({"channel":"book","type":"update","data":[{"symbol":"BTC/USD","bids":[{"price":1,"qty":1},{"price":true,"qty":1}],"checksum":1}]})");
  EXPECT_NE(wrong_type.find("data[0].bids[1].price: expected a number (at byte 99)"),
            std::string::npos)
      << wrong_type;
  EXPECT_NE(error(R"({"channel":"book","type":"update","data":[{"symbol":"BTC/USD","bids":[]}]})")
                .find("data[0]: missing 'checksum'"),
            std::string::npos);
  EXPECT_NE(
      error(
          R"({"channel":"book","type":"update","data":[{"symbol":"BTC/USD","bids":[{"price":1}],"checksum":1}]})")
          .find("data[0].bids[0]: missing 'qty'"),
      std::string::npos);
  EXPECT_NE(
      error(
          R"({"channel":"book","type":"update","data":[{"symbol":"BTC/USD","asks":[{"price":1,"qty":-2}],"checksum":1}]})")
          .find("negative"),
      std::string::npos);
  EXPECT_NE(
      error(
          R"({"channel":"book","type":"update","data":[{"symbol":"BTC/USD","asks":[{"price":1.0000000000000000001,"qty":2}],"checksum":1}]})")
          .find("more than 18 fractional digits"),
      std::string::npos);
  EXPECT_NE(
      error(
          R"({"channel":"book","type":"update","data":[{"symbol":"BTC/USD","asks":[],"checksum":4294967296}]})")
          .find("larger than 32 bits"),
      std::string::npos);
  EXPECT_NE(
      error(
          R"({"channel":"trade","type":"update","data":[{"symbol":"BTC/USD","side":"up","price":1,"qty":1,"timestamp":"2023-10-06T17:35:55Z"}]})")
          .find("data[0].side: expected \"buy\" or \"sell\""),
      std::string::npos);
  EXPECT_NE(
      error(
          R"({"channel":"trade","type":"update","data":[{"symbol":"BTC/USD","side":"buy","price":1,"qty":1,"timestamp":"yesterday"}]})")
          .find("data[0].timestamp: invalid RFC 3339 time"),
      std::string::npos);
  const std::string far_future = error(
      R"({"channel":"trade","type":"update","data":[{"symbol":"BTC/USD","side":"buy","price":1,"qty":1,)"
      R"("timestamp":"4048-01-01T00:00:00.000000Z"}]})");
  EXPECT_NE(far_future.find("data[0].timestamp: time outside the years 1678..2261"),
            std::string::npos)
      << far_future;
  EXPECT_NE(
      error(
          R"({"channel":"trade","type":"update","data":[{"symbol":"BTC/USD","side":"buy","price":1,"qty":1}]})")
          .find("missing 'timestamp'"),
      std::string::npos);
  EXPECT_NE(
      error(
          R"({"channel":"ohlc","type":"update","data":[{"symbol":"BTC/USD","open":1,"high":1,"low":1,"close":1,"volume":1,"interval":1}]})")
          .find("missing 'interval_begin'"),
      std::string::npos);
  EXPECT_NE(error(R"({"channel":"ticker","type":"update","data":{"symbol":"BTC/USD"}})")
                .find("data: expected an array"),
            std::string::npos);
  EXPECT_NE(error(R"({"channel":"heartbeat"} x)").find("trailing content"), std::string::npos);
  EXPECT_NE(error(R"({"channel":"heartbeat"} {})")
                .find("frame: trailing content after the object (at byte 24)"),
            std::string::npos);
  error(
      R"({"channel":"book","type":"update","data":[{"symbol":"BTC/USD","bids":[{"price":1,"qty":1)");  // truncated
  error(
      R"({"channel":"book","data":[{"symbol":"BTC/USD","bids":[{"price":1x,"qty":1}],"checksum":1}]})");
  EXPECT_NE(error(R"({"method":"subscribe","req_id":"seven"})").find("req_id: expected an integer"),
            std::string::npos);
  EXPECT_EQ(parser.stats().parse_errors, 23U);
  // The parser is fine afterwards.
  EXPECT_EQ(ok(R"({"channel":"heartbeat"})"), FrameKind::kHeartbeat);
}

TEST_F(CodecTest, StatsCountEveryKind) {
  (void)ok(R"({"channel":"heartbeat"})");
  (void)ok(R"({"channel":"heartbeat"})");
  (void)ok(R"({"method":"pong"})");
  (void)parser.parse("nope", kReceived, sink);
  EXPECT_EQ(parser.stats().frames, 4U);
  EXPECT_EQ(parser.stats().count(FrameKind::kHeartbeat), 2U);
  EXPECT_EQ(parser.stats().count(FrameKind::kPong), 1U);
  EXPECT_EQ(parser.stats().parse_errors, 1U);
  EXPECT_STREQ(channel_label(FrameKind::kBook), "book");
  EXPECT_STREQ(channel_label(FrameKind::kUnknownChannel), "unknown");
}

TEST_F(CodecTest, LargeFramesReuseTheBuffer) {
  std::string frame = R"({"channel":"book","type":"snapshot","data":[{"symbol":"BTC/USD","bids":[)";
  for (int i = 0; i < 1000; ++i) {
    if (i > 0) frame += ',';
    frame += R"({"price":)" + std::to_string(50'000 - i) + R"(.5,"qty":1.00000000})";
  }
  frame += R"(],"asks":[],"checksum":1}]})";
  for (int round = 0; round < 3; ++round) EXPECT_EQ(ok(frame), FrameKind::kBook);
  ASSERT_EQ(sink.books.size(), 3U);
  EXPECT_EQ(sink.books[2].bids.size(), 1000U);
  EXPECT_EQ(sink.books[2].bids[999].price, Decimal::must("49001.5"));
}

}  // namespace
}  // namespace tg4::kraken
