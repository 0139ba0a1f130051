// Kraken WS v2 private messages: the frames of Kraken's executions, balances, add_order,
// cancel_all and cancel_all_orders_after documentation parse into the right values (exact
// decimals), malformed frames give an error naming the field, and outbound requests are exact JSON.
#include "kraken/trading_codec.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace tg4::kraken {
namespace {

using core::Decimal;
using core::OrderStatus;

struct Collect : TradingSink {
  std::vector<TradingResponse> responses;
  std::vector<ExecutionsMessage> executions;
  std::vector<BalancesMessage> balances;
  int heartbeats = 0;
  void on_response(const TradingResponse& r) override { responses.push_back(r); }
  void on_executions(const ExecutionsMessage& m) override { executions.push_back(m); }
  void on_balances(const BalancesMessage& m) override { balances.push_back(m); }
  void on_heartbeat() override { ++heartbeats; }
};

Decimal d(const char* text) {
  return Decimal::must(text);
}

// Kraken's "Example: Pending" of the executions channel.
constexpr const char* kPending = R"({
  "channel": "executions", "type": "update",
  "data": [{"order_id": "OK4GJX-KSTLS-7DZZO5", "order_userref": 3, "symbol": "BTC/USD",
            "order_qty": 0.005, "cum_cost": 0.0, "time_in_force": "GTC", "exec_type": "pending_new",
            "side": "sell", "order_type": "limit", "limit_price_type": "static",
            "limit_price": 26500.0, "stop_price": 0.0, "order_status": "pending_new",
            "fee_usd_equiv": 0.0, "fee_ccy_pref": "fciq",
            "timestamp": "2023-09-22T10:33:05.709950Z"}],
  "sequence": 8})";

// Kraken's "Example: Execution" (a taker fill), with a client id.
constexpr const char* kTrade = R"({"channel":"executions","type":"update","data":[{
  "order_id":"OK4GJX-KSTLS-7DZZO5","order_userref":3,"cl_ord_id":"tabc-1","exec_id":"TGBB7L-HT5LX-J3BZ4A",
  "exec_type":"trade","trade_id":62887576,"symbol":"BTC/USD","side":"sell","last_qty":0.005,
  "last_price":26599.9,"liquidity_ind":"t","cost":132.9995,"order_type":"limit",
  "timestamp":"2023-09-22T10:33:05.709993Z","order_status":"partially_filled","cum_qty":0.005,
  "cum_cost":132.9995,"avg_price":26599.9,"fee_usd_equiv":0.3458,
  "fees":[{"asset":"USD","qty":0.3458}]}],"sequence":10})";

TEST(TradingParser, ReadsAPendingOrderReport) {
  TradingParser parser;
  Collect c;
  const auto kind = parser.parse(kPending, c);
  ASSERT_TRUE(kind.ok()) << kind.error().message;
  EXPECT_EQ(*kind, TradingFrameKind::kExecutions);
  ASSERT_EQ(c.executions.size(), 1u);
  const auto& m = c.executions[0];
  EXPECT_FALSE(m.snapshot);
  EXPECT_EQ(m.sequence, 8);
  ASSERT_EQ(m.reports.size(), 1u);
  const auto& r = m.reports[0];
  EXPECT_EQ(r.exec_type, ExecType::kPendingNew);
  EXPECT_EQ(r.order_status, OrderStatus::kPendingNew);
  EXPECT_EQ(r.order_id, "OK4GJX-KSTLS-7DZZO5");
  EXPECT_EQ(r.symbol, "BTC/USD");
  EXPECT_EQ(r.side, core::Side::kSell);
  EXPECT_EQ(r.order_type, core::OrderType::kLimit);
  EXPECT_EQ(*r.order_qty, d("0.005"));
  EXPECT_EQ(*r.limit_price, d("26500"));
  EXPECT_EQ(r.time, core::parse_rfc3339("2023-09-22T10:33:05.709950Z").value());
}

// A stop's report carries its trigger (Kraken's `triggers` object); only the price is taken.
TEST(TradingParser, ReadsAStopsTrigger) {
  TradingParser parser;
  Collect c;
  const auto kind = parser.parse(
      R"({"channel":"executions","type":"update","sequence":9,"data":[{"order_id":"O1","exec_type":"amended",
          "order_type":"stop-loss","amended":true,"triggers":{"reference":"last","price":58123.5,
          "price_type":"static","status":"untriggered"}}]})",
      c);
  ASSERT_TRUE(kind.ok()) << kind.error().message;
  ASSERT_EQ(c.executions.at(0).reports.size(), 1u);
  const auto& r = c.executions[0].reports[0];
  EXPECT_EQ(r.exec_type, ExecType::kAmended);
  ASSERT_TRUE(r.trigger_price.has_value());
  EXPECT_EQ(*r.trigger_price, d("58123.5"));
}

TEST(TradingParser, ReadsAFillWithFeesAndLiquidity) {
  TradingParser parser;
  Collect c;
  ASSERT_TRUE(parser.parse(kTrade, c).ok());
  const auto& r = c.executions.at(0).reports.at(0);
  EXPECT_EQ(r.exec_type, ExecType::kTrade);
  EXPECT_EQ(r.exec_id, "TGBB7L-HT5LX-J3BZ4A");
  EXPECT_EQ(r.trade_id, 62887576);
  EXPECT_EQ(r.cl_ord_id, "tabc-1");
  EXPECT_EQ(*r.last_qty, d("0.005"));
  EXPECT_EQ(*r.last_price, d("26599.9"));
  EXPECT_EQ(*r.cost, d("132.9995"));
  EXPECT_EQ(r.maker, false);
  EXPECT_EQ(r.order_status, OrderStatus::kPartiallyFilled);
  EXPECT_EQ(*r.cum_qty, d("0.005"));
  EXPECT_EQ(*r.avg_price, d("26599.9"));
  EXPECT_EQ(*r.cum_cost, d("132.9995"));
  EXPECT_EQ(*r.fee_usd_equiv, d("0.3458"));
  ASSERT_EQ(r.fees.size(), 1u);
  EXPECT_EQ(r.fees[0].asset, "USD");
  EXPECT_EQ(r.fees[0].qty, d("0.3458"));
}

TEST(TradingParser, ReadsATradesSnapshot) {
  // Two fills as Kraken's snapshot lists them (snap_trades), one maker with margin fields.
  const char* frame = R"({"channel":"executions","type":"snapshot","data":[
    {"order_id":"NG6PUE-C7MXN-CFCAMC","order_userref":0,"exec_id":"B1Y0D9-6JIJG-W1IB7L","exec_type":"trade",
     "trade_id":37496584,"symbol":"BTC/USD","side":"sell","last_qty":0.00016000,"last_price":63377.2,
     "liquidity_ind":"t","cost":10.12445,"order_status":"filled","order_type":"limit",
     "sender_sub_id":"some-uuid","timestamp":"2024-04-16T10:54:38.243302Z","fee_usd_equiv":0.04050,
     "fees":[{"asset":"USD","qty":0.04051}]},
    {"order_id":"8G1X9R-F6HH0-R2FYZ0","order_userref":0,"exec_id":"0CVSSH-KVM0J-TCXLSQ","exec_type":"trade",
     "trade_id":2125408,"symbol":"FET/USD","side":"buy","last_qty":25.00000000,"last_price":0.6017,
     "liquidity_ind":"m","margin":true,"margin_borrow":true,"liquidated":true,"cost":14.013500,
     "order_status":"filled","order_type":"limit","timestamp":"2024-01-28T21:03:18.167719Z",
     "fee_usd_equiv":0.00676,"fees":[{"asset":"USD","qty":0.00676}]}],"sequence":1})";
  TradingParser parser;
  Collect c;
  ASSERT_TRUE(parser.parse(frame, c).ok());
  const auto& m = c.executions.at(0);
  EXPECT_TRUE(m.snapshot);
  ASSERT_EQ(m.reports.size(), 2u);
  EXPECT_EQ(*m.reports[0].last_qty, d("0.00016"));
  EXPECT_EQ(m.reports[1].maker, true);
  EXPECT_EQ(m.reports[1].side, core::Side::kBuy);
  EXPECT_EQ(m.reports[1].order_status, OrderStatus::kFilled);
}

TEST(TradingParser, ReadsBalancesSnapshotAndLedgerUpdate) {
  const char* snapshot = R"({"channel":"balances","data":[
    {"asset":"BTC","asset_class":"currency","balance":1.2,"wallets":[{"type":"spot","id":"main","balance":1.2}]},
    {"asset":"MATIC","asset_class":"currency","balance":500,"wallets":[{"type":"spot","id":"main","balance":300},
                                                                     {"type":"earn","id":"flex","balance":200}]},
    {"asset":"USD","asset_class":"currency","balance":80595.4943,"wallets":[{"type":"spot","id":"main","balance":80595.4943}]}],
    "type":"snapshot","sequence":1})";
  const char* update =
      R"({"channel":"balances","type":"update","data":[{"ledger_id":"ADKKFF-WEA5A-CNUBHG",
    "ref_id":"AGBWUJRU-LAREZ-W3UFAN","timestamp":"2023-09-22T10:23:42.925034Z","type":"deposit","asset":"BTC",
    "asset_class":"currency","category":"deposit","wallet_type":"spot","wallet_id":"main","amount":0.01,
    "fee":0.0,"balance":0.02}],"sequence":2})";
  TradingParser parser;
  Collect c;
  ASSERT_TRUE(parser.parse(snapshot, c).ok());
  ASSERT_TRUE(parser.parse(update, c).ok());
  ASSERT_EQ(c.balances.size(), 2u);
  EXPECT_TRUE(c.balances[0].snapshot);
  ASSERT_EQ(c.balances[0].entries.size(), 3u);
  EXPECT_EQ(c.balances[0].entries[2].asset, "USD");
  EXPECT_EQ(c.balances[0].entries[2].balance, d("80595.4943"));
  // The total counts Earn wallets; the spot wallets are what trades.
  EXPECT_EQ(c.balances[0].entries[1].balance, d("500"));
  EXPECT_EQ(c.balances[0].entries[1].spot, d("300"));
  EXPECT_EQ(c.balances[0].entries[0].spot, d("1.2"));
  const auto& e = c.balances[1].entries.at(0);
  EXPECT_EQ(e.wallet_type, "spot");
  EXPECT_FALSE(e.spot);
  EXPECT_FALSE(c.balances[1].snapshot);
  EXPECT_EQ(e.asset, "BTC");
  EXPECT_EQ(e.balance, d("0.02"));
  EXPECT_EQ(*e.amount, d("0.01"));
  EXPECT_EQ(e.ledger_id, "ADKKFF-WEA5A-CNUBHG");
  EXPECT_EQ(e.type, "deposit");
}

TEST(TradingParser, ReadsMethodResponses) {
  TradingParser parser;
  Collect c;
  ASSERT_TRUE(
      parser
          .parse(R"({"method":"add_order","req_id":123,"result":{"order_id":"AA5JGQ-SBMRC-SCJ7J7",
                  "cl_ord_id":"t1-2"},"success":true,"time_in":"2023-09-21T14:15:07.197274Z",
                  "time_out":"2023-09-21T14:15:07.205301Z"})",
                 c)
          .ok());
  ASSERT_TRUE(parser
                  .parse(R"({"error":"EOrder:Insufficient funds","method":"add_order","req_id":124,
                  "success":false,"time_in":"2023-09-21T14:15:07.197274Z","time_out":"2023-09-21T14:15:07.205301Z"})",
                         c)
                  .ok());
  ASSERT_TRUE(
      parser.parse(R"({"method":"cancel_all","req_id":5,"result":{"count":2},"success":true})", c)
          .ok());
  ASSERT_TRUE(parser
                  .parse(R"({"method":"cancel_all_orders_after","req_id":6,"result":{
                  "currentTime":"2023-09-21T15:49:29Z","triggerTime":"2023-09-21T15:51:09Z"},"success":true})",
                         c)
                  .ok());
  ASSERT_TRUE(parser
                  .parse(R"({"method":"cancel_all_orders_after","req_id":7,"result":{
                  "currentTime":"2023-09-21T15:49:29Z","triggerTime":"0"},"success":true})",
                         c)
                  .ok());
  ASSERT_EQ(c.responses.size(), 5u);
  EXPECT_TRUE(c.responses[0].success);
  EXPECT_EQ(c.responses[0].req_id, 123);
  EXPECT_EQ(c.responses[0].order_id, "AA5JGQ-SBMRC-SCJ7J7");
  EXPECT_EQ(c.responses[0].cl_ord_id, "t1-2");
  EXPECT_FALSE(c.responses[1].success);
  EXPECT_EQ(c.responses[1].error, "EOrder:Insufficient funds");
  EXPECT_EQ(c.responses[2].count, 2);
  EXPECT_EQ(c.responses[3].trigger_time, core::parse_rfc3339("2023-09-21T15:51:09Z").value());
  EXPECT_FALSE(c.responses[4].trigger_time.is_set()) << "triggerTime 0: the switch is off";
}

TEST(TradingParser, HeartbeatsStatusAndPongsAreRecognised) {
  TradingParser parser;
  Collect c;
  EXPECT_EQ(parser.parse(R"({"channel":"heartbeat"})", c).value(), TradingFrameKind::kHeartbeat);
  EXPECT_EQ(parser.parse(R"({"channel":"status","type":"update","data":[{"system":"online"}]})", c)
                .value(),
            TradingFrameKind::kStatus);
  EXPECT_EQ(parser
                .parse(R"({"method":"pong","req_id":9,"time_in":"2023-09-21T15:49:29Z",
                             "time_out":"2023-09-21T15:49:29Z"})",
                       c)
                .value(),
            TradingFrameKind::kPong);
  EXPECT_EQ(parser.parse(R"({"channel":"level3","type":"update","data":[]})", c).value(),
            TradingFrameKind::kUnknownChannel);
  EXPECT_EQ(c.heartbeats, 1);
  EXPECT_TRUE(c.responses.empty());
}

TEST(TradingParser, MalformedFramesNameTheProblem) {
  struct Case {
    const char* frame;
    const char* expect;
  };
  const Case cases[] = {
      {"not json", "frame"},
      {R"({"channel":"executions","type":"update","data":[{"order_id":"O1")", "frame"},
      {R"({"channel":"executions","type":"update","data":{}})", "data: expected an array"},
      {R"({"channel":"executions","type":"update"})", "data"},
      {R"({"channel":"executions","type":"sometimes","data":[]})", "type"},
      {R"({"channel":"executions","type":"update","data":[{"order_id":"O1","exec_type":"trade",
          "exec_id":"E1","last_qty":"abc","last_price":1}]})",
       "data[0].last_qty"},
      {R"({"channel":"executions","type":"update","data":[{"order_id":"O1","exec_type":"trade",
          "exec_id":"E1","last_qty":1}]})",
       "data[0]: missing 'last_price'"},
      {R"({"channel":"executions","type":"update","data":[{"order_id":"O1","exec_type":"trade",
          "exec_id":"E1","last_qty":0,"last_price":2}]})",
       "data[0]: trade with last_qty 0"},
      {R"({"channel":"executions","type":"update","data":[{"order_id":"O1","exec_type":"trade",
          "exec_id":"E1","last_qty":1,"last_price":-2}]})",
       "data[0]: trade with last_price -2"},
      {R"({"channel":"executions","type":"update","data":[{"order_id":"O1","triggers":{"price":"soon"}}]})",
       "data[0].triggers.price"},
      {R"({"channel":"executions","type":"update","data":[{"order_id":"O1","triggers":[58000]}]})",
       "data[0].triggers"},
      {R"({"channel":"executions","type":"update","data":[{"exec_type":"new"}]})",
       "data[0]: missing 'order_id'"},
      {R"({"channel":"executions","type":"update","data":[{"order_id":"O1","side":"up"}]})",
       "data[0].side"},
      {R"({"channel":"executions","type":"update","data":[{"order_id":"O1","timestamp":"yesterday"}]})",
       "data[0].timestamp"},
      {R"({"channel":"executions","type":"update","data":[{"order_id":"O1","exec_type":"trade","exec_id":"E",
          "last_qty":1,"last_price":2,"fees":[{"asset":"USD"}]}]})",
       "data[0].fees[0]: missing 'qty'"},
      {R"({"channel":"balances","type":"update","data":[{"asset":"BTC"}]})",
       "data[0]: missing 'balance'"},
      {R"({"channel":"balances","type":"snapshot","data":[{"asset":"BTC","balance":1,"wallets":[{"type":"spot"}]}]})",
       "data[0].wallets[0]: missing 'balance'"},
      {R"({"method":"add_order","req_id":"seven","success":true})", "req_id"},
      {R"({"hello":"world"})", "neither"},
      {R"([1,2,3])", "not a JSON object"},
  };
  TradingParser parser;
  for (const auto& c : cases) {
    Collect sink;
    const auto kind = parser.parse(c.frame, sink);
    ASSERT_FALSE(kind.ok()) << c.frame;
    EXPECT_NE(kind.error().message.find(c.expect), std::string::npos)
        << "frame: " << c.frame << "\nerror: " << kind.error().message;
    EXPECT_TRUE(sink.executions.empty() && sink.balances.empty() && sink.responses.empty())
        << c.frame;
  }
  // And the parser still reads the next good frame.
  Collect sink;
  EXPECT_TRUE(parser.parse(kTrade, sink).ok());
}

// ---- outbound ----

execution::OrderRequest limit_buy() {
  execution::OrderRequest r;
  r.client_order_id = "tabc-1";
  r.symbol = "BTC/USD";
  r.side = core::Side::kBuy;
  r.type = core::OrderType::kLimit;
  r.qty = d("1.25");
  r.limit_price = d("37500");
  return r;
}

TEST(TradingRequests, AddOrderIsExactJsonWithNumbersFromTheDecimalText) {
  const auto inst = core::default_instrument("BTC/USD");
  auto req = add_order_request(limit_buy(), inst);
  ASSERT_TRUE(req.ok()) << req.error().message;
  EXPECT_EQ(req->client_order_id, "tabc-1");
  const std::string frame = serialize(*req, "TOKEN", 7);
  const std::string qty = d("1.25").to_string(inst.qty_precision);
  const std::string price = d("37500").to_string(inst.price_precision);
  EXPECT_EQ(frame,
            R"({"method":"add_order","params":{"order_type":"limit","side":"buy","order_qty":)" +
                qty + R"(,"symbol":"BTC/USD","cl_ord_id":"tabc-1","limit_price":)" + price +
                R"(,"token":"TOKEN"},"req_id":7})");
}

TEST(TradingRequests, TriggerOrdersCarryTheirTriggerAndFlags) {
  auto r = limit_buy();
  r.type = core::OrderType::kStopLossLimit;
  r.side = core::Side::kSell;
  r.trigger_price = d("36000");
  r.limit_price = d("35900");
  r.tif = core::TimeInForce::kIoc;
  r.reduce_only = true;
  const auto inst = core::default_instrument("BTC/USD");
  const std::string frame = serialize(add_order_request(r, inst).value(), "T", 1);
  EXPECT_NE(frame.find(R"("order_type":"stop-loss-limit")"), std::string::npos) << frame;
  EXPECT_NE(frame.find(R"("triggers":{"reference":"last","price":36000.0,"price_type":"static"})"),
            std::string::npos)
      << frame;
  EXPECT_NE(frame.find(R"("limit_price":35900.0)"), std::string::npos) << frame;
  EXPECT_NE(frame.find(R"("time_in_force":"ioc")"), std::string::npos) << frame;
  EXPECT_EQ(frame.find("reduce_only"), std::string::npos)
      << "Kraken refuses reduce_only on a spot order (it reduces margin positions): " << frame;
  EXPECT_EQ(frame.find("post_only"), std::string::npos) << frame;
}

TEST(TradingRequests, AddOrderRefusesWhatKrakenWouldRefuse) {
  const auto inst = core::default_instrument("BTC/USD");
  const auto refused = [&](execution::OrderRequest r, const char* why) {
    const auto req = add_order_request(r, inst);
    ASSERT_FALSE(req.ok()) << why;
    EXPECT_NE(req.error().message.find(why), std::string::npos) << req.error().message;
  };
  auto r = limit_buy();
  r.qty = d("0.000000001");
  refused(r, "not positive");
  r = limit_buy();
  r.limit_price = Decimal::zero();
  refused(r, "limit price");
  r = limit_buy();
  r.type = core::OrderType::kStopLoss;
  refused(r, "trigger price");
  r = limit_buy();
  r.type = core::OrderType::kTrailingStop;
  r.trigger_price = d("1");
  refused(r, "trailing-stop");
  r = limit_buy();
  r.tif = core::TimeInForce::kGtd;
  refused(r, "GTD");
  r = limit_buy();
  r.client_order_id = "this id is far too long";
  refused(r, "client order id");
  r.client_order_id = "bad\"quote";
  refused(r, "letters, digits");
}

TEST(TradingRequests, AmendCancelAndAccountRequests) {
  EXPECT_EQ(
      serialize(amend_order_request("t1-1", "0.50000000", std::string("100.5"), std::nullopt), "T",
                3),
      R"({"method":"amend_order","params":{"cl_ord_id":"t1-1","order_qty":0.50000000,"limit_price":100.5,)"
      R"("token":"T"},"req_id":3})");
  EXPECT_EQ(serialize(cancel_order_request("t1-1"), "T", 4),
            R"({"method":"cancel_order","params":{"cl_ord_id":["t1-1"],"token":"T"},"req_id":4})");
  // An order found at Kraken without a client id is cancelled by Kraken's id.
  EXPECT_EQ(serialize(cancel_order_request("OQCLML-BW3P3-BUCMWZ"), "T", 4),
            R"({"method":"cancel_order","params":{"order_id":["OQCLML-BW3P3-BUCMWZ"],"token":"T"},"req_id":4})");
  EXPECT_TRUE(is_kraken_order_id("OQCLML-BW3P3-BUCMWZ"));
  EXPECT_FALSE(is_kraken_order_id("t1-1"));
  EXPECT_FALSE(is_kraken_order_id("oqclml-bw3p3-bucmwz"));
  EXPECT_FALSE(is_kraken_order_id("OQCLML-BW3P3-BUCMW"));
  EXPECT_FALSE(is_kraken_order_id("OQCLMLXBW3P3-BUCMWZ"));
  EXPECT_EQ(serialize(cancel_all_request(), "T", 5),
            R"({"method":"cancel_all","params":{"token":"T"},"req_id":5})");
  EXPECT_EQ(
      serialize(cancel_after_request(60), "T", 6),
      R"({"method":"cancel_all_orders_after","params":{"timeout":60,"token":"T"},"req_id":6})");
  EXPECT_EQ(
      serialize(subscribe_request("executions"), "T", 7),
      R"({"method":"subscribe","params":{"channel":"executions","snap_orders":true,"snap_trades":true,)"
      R"("token":"T"},"req_id":7})");
  EXPECT_EQ(
      serialize(subscribe_request("balances"), "T", 8),
      R"({"method":"subscribe","params":{"channel":"balances","snapshot":true,"token":"T"},"req_id":8})");
}

TEST(TradingErrors, ClassifiedForTheRetryPolicy) {
  EXPECT_EQ(classify_error("EOrder:Rate limit exceeded"), TradingErrorKind::kRateLimit);
  EXPECT_EQ(classify_error("EGeneral:Too many requests"), TradingErrorKind::kRateLimit);
  EXPECT_EQ(classify_error("ESession:Invalid session"), TradingErrorKind::kAuth);
  EXPECT_EQ(classify_error("EAPI:Invalid token"), TradingErrorKind::kAuth);
  EXPECT_EQ(classify_error("EOrder:Duplicate cl_ord_id"), TradingErrorKind::kDuplicateId);
  EXPECT_EQ(classify_error("EOrder:Unknown order"), TradingErrorKind::kUnknownOrder);
  EXPECT_EQ(classify_error("EService:Unavailable"), TradingErrorKind::kTransient);
  EXPECT_EQ(classify_error("EOrder:Insufficient funds"), TradingErrorKind::kFinal);
  // Kraken's spot error list: a market's mode refuses until it changes; an internal error or an
  // elapsed deadline leaves the outcome unknown (sending an add_order again could trade twice).
  EXPECT_EQ(classify_error("EService:Market in cancel_only mode"), TradingErrorKind::kFinal);
  EXPECT_EQ(classify_error("EService:Market in post_only mode"), TradingErrorKind::kFinal);
  EXPECT_EQ(classify_error("EGeneral:Internal error"), TradingErrorKind::kUnknownOutcome);
  EXPECT_EQ(classify_error("EGeneral:Internal error:12"), TradingErrorKind::kUnknownOutcome);
  EXPECT_EQ(classify_error("EService:Deadline elapsed"), TradingErrorKind::kUnknownOutcome);
  EXPECT_EQ(classify_error("EService:Busy"), TradingErrorKind::kTransient);
  EXPECT_EQ(classify_error("EOrder:Reduce only:No position exists"), TradingErrorKind::kFinal);
  EXPECT_EQ(error_code("EGeneral:Invalid arguments:order_qty"), "EGeneral:Invalid arguments");
  EXPECT_EQ(error_code("EOrder:Rate limit exceeded"), "EOrder:Rate limit exceeded");
  EXPECT_EQ(error_code(""), "unknown");
  EXPECT_LE(error_code(std::string(500, 'x')).size(), 48u);
}

TEST(TradingNames, StatusesAndTypesMapToCore) {
  EXPECT_EQ(parse_order_status("partially_filled"), OrderStatus::kPartiallyFilled);
  EXPECT_EQ(parse_order_status("expired"), OrderStatus::kExpired);
  EXPECT_FALSE(parse_order_status("triggered").has_value());
  EXPECT_EQ(parse_exec_type("amended"), ExecType::kAmended);
  EXPECT_EQ(parse_exec_type("iceberg_refill"), ExecType::kIcebergRefill);
  EXPECT_EQ(parse_exec_type("settled"), ExecType::kOther);
  EXPECT_EQ(parse_order_type("take-profit-limit"), core::OrderType::kTakeProfitLimit);
  EXPECT_FALSE(parse_order_type("iceberg").has_value());
}

}  // namespace
}  // namespace tg4::kraken
