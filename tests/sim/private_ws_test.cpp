// The simulator's private side end to end over loopback: signed REST, WS tokens, order entry on
// /v2-auth, executions and balances streams, the dead man's switch, reconnects and every order
// fault.
#include <gtest/gtest.h>
#include <prometheus/registry.h>

#include <map>

#include "kraken/rest_client.hpp"
#include "private_client.hpp"
#include "sim/simulator.hpp"

namespace tg4::sim {
namespace {

using core::Decimal;
using testing::dec;
using testing::execution;
using testing::obj;
using testing::PrivateClient;
using testing::response;
using testing::row_of;
using testing::text;

Decimal fee_rounded_up(Decimal v) {
  return v.round(8, core::Rounding::kUp);
}

class PrivateWsTest : public ::testing::Test {
 protected:
  // `speed` > 0: deterministic mode at that many simulated seconds per wall second.
  void start(const std::string& faults = {}, bool tls = false, double speed = 0) {
    SimOptions options;
    options.tls = tls;
    options.deterministic = speed > 0;
    if (speed > 0) options.speed = speed;
    options.symbols = {"BTC/USDT"};
    options.history_days = 1;
    options.rate = 50;
    if (!faults.empty()) options.faults = *FaultSpec::parse(faults);
    sim_ = std::make_unique<Simulator>(options, registry_);
    ASSERT_TRUE(sim_->start());
  }

  std::string rest(const std::string& method, const std::string& fields = {},
                   std::string key = std::string(kTestApiKey),
                   std::string secret = std::string(kTestApiSecret)) {
    return testing::private_post(sim_->rest_url(), method, ++nonce_, key, secret, fields,
                                 sim_->certificate_pem());
  }

  std::string token() {
    const auto body = testing::parse_json(rest("GetWebSocketsToken"));
    return text(obj(body, "result"), "token");
  }

  std::unique_ptr<PrivateClient> connect() {
    return std::make_unique<PrivateClient>(sim_->ws_auth_url(), token(), sim_->certificate_pem());
  }

  // A resting buy far below the market: it stays open for the whole test.
  std::string rest_buy(PrivateClient& c, std::int64_t req_id, const std::string& cl = {}) {
    const std::string cl_field = cl.empty() ? "" : ",\"cl_ord_id\":\"" + cl + "\"";
    const auto r =
        c.request("add_order", req_id,
                  R"("order_type":"limit","side":"buy","order_qty":0.00100000,"symbol":"BTC/USDT",)"
                  R"("limit_price":30000.0)" +
                      cl_field);
    EXPECT_EQ(text(r, "success"), "true") << text(r, "error");
    return text(obj(r, "result"), "order_id");
  }

  prometheus::Registry registry_;
  std::unique_ptr<Simulator> sim_;
  std::uint64_t nonce_ = 1'700'000'000'000;
};

TEST_F(PrivateWsTest, RestChecksKeySignatureAndNonce) {
  start();
  const auto error_of = [](const std::string& body) {
    const auto errors = obj(testing::parse_json(body), "error").items;
    return errors.empty() ? std::string() : errors.front().text;
  };
  EXPECT_EQ(error_of(rest("Balance", {}, "someone-else")), "EAPI:Invalid key");
  EXPECT_EQ(error_of(rest("Balance", {}, std::string(kTestApiKey), "c2VjcmV0")),
            "EAPI:Invalid signature");
  const std::string fine = rest("GetWebSocketsToken");
  EXPECT_EQ(error_of(fine), "");
  EXPECT_EQ(text(obj(testing::parse_json(fine), "result"), "expires"), "900");
  --nonce_;  // the same nonce again
  EXPECT_EQ(error_of(rest("Balance")), "EAPI:Invalid nonce");
  const auto balance = obj(testing::parse_json(rest("Balance")), "result");
  EXPECT_EQ(text(balance, "USDT"), "10000.00000000");
  EXPECT_EQ(text(balance, "XXBT"), "0.5000000000");
  EXPECT_EQ(text(balance, "XXRP"), "2000.00000000");
  EXPECT_EQ(error_of(rest("NoSuchThing")), "EGeneral:Unknown method");
}

TEST_F(PrivateWsTest, TokensAreRequiredAndBadInputGetsKrakensErrors) {
  start();
  PrivateClient c(sim_->ws_auth_url(), "not-a-token");
  auto r = c.request("subscribe", 1, R"("channel":"executions")");
  EXPECT_EQ(text(r, "error"), "ESession:Invalid session");
  EXPECT_EQ(text(r, "success"), "false");
  c.send(R"({"method":"cancel_all","params":{},"req_id":2})");
  EXPECT_EQ(text(c.expect(response(2), "no token"), "error"), "Token(s) not found");
  c.send("{\"method\":\"add_order\",");
  EXPECT_EQ(text(c.expect([](const auto& f) { return text(f, "error") == "Malformed request"; },
                          "malformed"),
                 "success"),
            "false");
  c.send(R"({"method":"buy_everything","params":{},"req_id":3})");
  EXPECT_EQ(text(c.expect(response(3), "unknown method"), "error"), "Method(s) not found");
  c.send(R"({"method":"add_order","req_id":4})");
  EXPECT_EQ(text(c.expect(response(4), "no params"), "error"), "Missing field: 'params'");
  c.send(R"({"method":"ping","req_id":5})");
  EXPECT_EQ(text(c.expect(response(5), "pong"), "method"), "pong") << "the session stays up";

  PrivateClient ok(sim_->ws_auth_url(), token());
  EXPECT_EQ(
      text(ok.request("add_order", 6, R"("order_type":"limit","side":"buy","symbol":"BTC/USDT")"),
           "error"),
      "Missing field: 'order_qty'");
  EXPECT_EQ(
      text(ok.request("add_order", 7,
                      R"("order_type":"market","side":"buy","order_qty":"1","symbol":"BTC/USDT")"),
           "error"),
      "Order_qty field must be a number_float");
  EXPECT_EQ(
      text(
          ok.request(
              "add_order", 8,
              R"("order_type":"market","side":"buy","order_qty":1,"symbol":"BTC/USDT","colour":"red")"),
          "error"),
      "Unsupported field: 'colour' for the given msg type: add_order");
  EXPECT_EQ(
      text(ok.request("add_order", 9,
                      R"("order_type":"market","side":"buy","order_qty":1000,"symbol":"BTC/USDT")"),
           "error"),
      "EOrder:Insufficient funds");
  EXPECT_EQ(text(ok.request("subscribe", 10, R"("channel":"positions")"), "error"),
            "Channel positions not found");
  EXPECT_EQ(text(ok.request("cancel_order", 11, R"("order_id":["OXXXXX-XXXXX-XXXXXX"])"), "error"),
            "EOrder:Unknown order");
}

TEST_F(PrivateWsTest, MarketOrderStreamsExecutionsAndBalancesWithExactFees) {
  start();
  auto c = connect();
  auto sub = c->request("subscribe", 1, R"("channel":"executions","snap_orders":true)");
  EXPECT_EQ(text(sub, "success"), "true");
  c->expect(testing::channel("executions", "snapshot"), "executions snapshot");
  c->request("subscribe", 2, R"("channel":"balances")");
  const auto snapshot = c->expect(testing::channel("balances", "snapshot"), "balances snapshot");
  EXPECT_EQ(testing::rows(snapshot).size(), 3u);

  auto placed = c->request(
      "add_order", 3,
      R"("order_type":"market","side":"buy","order_qty":0.01,"symbol":"BTC/USDT","cl_ord_id":"mkt-1")");
  ASSERT_EQ(text(placed, "success"), "true") << text(placed, "error");
  const std::string id = text(obj(placed, "result"), "order_id");
  EXPECT_EQ(text(obj(placed, "result"), "cl_ord_id"), "mkt-1");
  // The order's rows, whichever frames they came in: pending_new, new, trades, filled.
  const auto seen = c->order_rows(id, "filled");
  ASSERT_GE(seen.size(), 4u);
  EXPECT_EQ(text(seen[0], "exec_type"), "pending_new");
  EXPECT_EQ(text(seen[0], "order_type"), "market");
  EXPECT_EQ(text(seen[1], "exec_type"), "new");
  Decimal qty, paid;
  for (std::size_t i = 2; i + 1 < seen.size(); ++i) {
    const auto& r = seen[i];
    ASSERT_EQ(text(r, "exec_type"), "trade");
    const Decimal cost = dec(r, "cost");
    EXPECT_EQ(cost, (dec(r, "last_qty") * dec(r, "last_price")).round(8));
    EXPECT_EQ(text(r, "liquidity_ind"), "t");
    const auto& fee = obj(r, "fees").items.at(0);
    EXPECT_EQ(text(fee, "asset"), "USDT");
    EXPECT_EQ(dec(fee, "qty"), fee_rounded_up(cost * Decimal::must("0.0026")));
    qty += dec(r, "last_qty");
    paid += cost + dec(fee, "qty");
  }
  EXPECT_EQ(qty, Decimal::must("0.01"));
  EXPECT_EQ(dec(seen.back(), "cum_qty"), Decimal::must("0.01"));
  // The balances stream ends at the exact new balances.
  Decimal usdt, btc;
  while (usdt.is_zero() || btc.is_zero()) {
    const auto update = c->expect(testing::channel("balances", "update"), "balances update");
    for (const auto& r : testing::rows(update))
      (text(r, "asset") == "USDT" ? usdt : btc) = dec(r, "balance");
  }
  EXPECT_EQ(usdt, Decimal::from_int(10000) - paid);
  EXPECT_EQ(btc, Decimal::must("0.51"));
}

TEST_F(PrivateWsTest, PostOnlyAmendCancelAndCancelAll) {
  start();
  auto c = connect();
  c->request("subscribe", 1, R"("channel":"executions")");
  auto post =
      c->request("add_order", 2,
                 R"("order_type":"limit","side":"buy","order_qty":0.001,"symbol":"BTC/USDT",)"
                 R"("limit_price":200000.0,"post_only":true)");
  const std::string post_id = text(obj(post, "result"), "order_id");
  const auto canceled = c->expect(execution("canceled", post_id), "post-only canceled");
  EXPECT_EQ(text(row_of(canceled, "canceled", post_id), "reason"), "Post only order");

  const std::string a = rest_buy(*c, 3, "amend-me");
  auto amend = c->request("amend_order", 4,
                          R"("cl_ord_id":"amend-me","order_qty":0.002,"limit_price":31000.0)");
  ASSERT_EQ(text(amend, "success"), "true") << text(amend, "error");
  EXPECT_EQ(text(obj(amend, "result"), "cl_ord_id"), "amend-me");
  const auto amended = c->expect(execution("amended", a), "amended");
  EXPECT_EQ(dec(row_of(amended, "amended", a), "order_qty"), Decimal::must("0.002"));
  EXPECT_EQ(dec(row_of(amended, "amended", a), "limit_price"), Decimal::from_int(31000));

  auto cancel = c->request("cancel_order", 5, "\"order_id\":[\"" + a + "\"]");
  EXPECT_EQ(text(obj(cancel, "result"), "order_id"), a);
  EXPECT_EQ(text(row_of(c->expect(execution("canceled", a), "canceled"), "canceled", a), "reason"),
            "User requested");

  rest_buy(*c, 6);
  rest_buy(*c, 7);
  auto all = c->request("cancel_all", 8);
  EXPECT_EQ(text(obj(all, "result"), "count"), "2");
  // And REST agrees: nothing open, the closed orders carry their reasons.
  const auto open = obj(obj(testing::parse_json(rest("OpenOrders")), "result"), "open");
  EXPECT_TRUE(open.fields.empty());
  const auto closed =
      obj(testing::parse_json(rest("ClosedOrders", "cl_ord_id=amend-me")), "result");
  EXPECT_EQ(text(closed, "count"), "1");
  EXPECT_EQ(text(obj(obj(closed, "closed"), a), "reason"), "User requested");
}

TEST_F(PrivateWsTest, TriggerOrdersFireOnTheLastPriceAndFillWithExactFees) {
  start();
  auto c = connect();
  c->request("subscribe", 1, R"("channel":"executions")");
  EXPECT_EQ(
      text(c->request(
               "add_order", 2,
               R"("order_type":"stop-loss","side":"sell","order_qty":0.001,"symbol":"BTC/USDT")"),
           "error"),
      "EGeneral:Invalid arguments:triggers.price is required for stop-loss orders");
  // The simulated BTC trades near 60,000: a sell stop at 1,000,000 is already through its trigger,
  // and so is a buy take-profit; a sell stop at 1,000 waits.
  const std::map<std::string, std::string> orders = {
      {"stop-loss", R"("side":"sell","triggers":{"reference":"last","price":1000000.0})"},
      {"take-profit", R"("side":"buy","triggers":{"price":1000000.0})"},
      {"stop-loss-limit", R"("side":"sell","triggers":{"price":1000000.0},"limit_price":1000.0)"},
      {"take-profit-limit",
       R"("side":"buy","triggers":{"price":1000000.0},"limit_price":200000.0)"},
  };
  std::int64_t req = 10;
  for (const auto& [type, params] : orders) {
    auto r = c->request(
        "add_order", ++req,
        R"("order_type":")" + type + R"(","order_qty":0.001,"symbol":"BTC/USDT",)" + params);
    ASSERT_EQ(text(r, "success"), "true") << type << ": " << text(r, "error");
    const std::string id = text(obj(r, "result"), "order_id");
    const auto seen = c->order_rows(id, "filled");
    ASSERT_GE(seen.size(), 5u) << type;
    EXPECT_EQ(text(seen[2], "exec_type"), "restated");
    EXPECT_EQ(text(obj(seen[2], "triggers"), "status"), "triggered");
    for (std::size_t i = 3; i + 1 < seen.size(); ++i) {
      EXPECT_EQ(text(seen[i], "exec_type"), "trade");
      EXPECT_EQ(text(seen[i], "order_type"), type);
      EXPECT_EQ(dec(obj(seen[i], "fees").items.at(0), "qty"),
                fee_rounded_up(dec(seen[i], "cost") * Decimal::must("0.0026")));
    }
  }
  auto waiting =
      c->request("add_order", 20,
                 R"("order_type":"stop-loss","side":"sell","order_qty":0.001,"symbol":"BTC/USDT",)"
                 R"("triggers":{"price":1000.0},"cl_ord_id":"far-stop")");
  const std::string id = text(obj(waiting, "result"), "order_id");
  const auto pending = c->order_rows(id, "new");
  EXPECT_EQ(text(obj(pending.front(), "triggers"), "status"), "untriggered");
  const auto open =
      obj(obj(testing::parse_json(rest("OpenOrders", "cl_ord_id=far-stop")), "result"), "open");
  const auto& descr = obj(obj(open, id), "descr");
  EXPECT_EQ(text(descr, "ordertype"), "stop-loss");
  EXPECT_EQ(text(descr, "price"), "1000.0");
}

TEST_F(PrivateWsTest, DuplicateClientOrderIdIsRefusedWhileOpen) {
  start();
  auto c = connect();
  rest_buy(*c, 1, "once");
  auto again =
      c->request("add_order", 2,
                 R"("order_type":"limit","side":"buy","order_qty":0.001,"symbol":"BTC/USDT",)"
                 R"("limit_price":30000.0,"cl_ord_id":"once")");
  EXPECT_EQ(text(again, "error"), "EOrder:Duplicate order");
  const auto open =
      obj(obj(testing::parse_json(rest("OpenOrders", "cl_ord_id=once")), "result"), "open");
  EXPECT_EQ(open.fields.size(), 1u);
}

TEST_F(PrivateWsTest, DeadMansSwitchCancelsEverythingWhenItExpires) {
  start();
  auto c = connect();
  c->request("subscribe", 1, R"("channel":"executions")");
  const std::string id = rest_buy(*c, 2);
  auto armed = c->request("cancel_all_orders_after", 3, R"("timeout":1)");
  ASSERT_EQ(text(armed, "success"), "true") << text(armed, "error");
  EXPECT_NE(text(obj(armed, "result"), "triggerTime"), "0");
  EXPECT_TRUE(sim_->dead_man_armed());
  const auto canceled =
      c->expect(execution("canceled", id), "dead man's switch", std::chrono::seconds(5));
  EXPECT_EQ(text(row_of(canceled, "canceled", id), "reason"), "Dead man's switch");

  const std::string kept = rest_buy(*c, 4);
  c->request("cancel_all_orders_after", 5, R"("timeout":1)");
  auto off = c->request("cancel_all_orders_after", 6, R"("timeout":0)");
  EXPECT_EQ(text(obj(off, "result"), "triggerTime"), "0");
  EXPECT_FALSE(sim_->dead_man_armed());
  EXPECT_FALSE(c->wait(execution("canceled", kept), std::chrono::milliseconds(2500)))
      << "a disabled switch never fires";
}

// Kraken's timer runs on wall time; a market replayed 30x faster must not fire it 30x sooner.
TEST_F(PrivateWsTest, DeadMansSwitchCountsWallTimeWhateverTheMarketSpeed) {
  start({}, false, 30.0);
  auto c = connect();
  c->request("subscribe", 1, R"("channel":"executions")");
  const std::string id = rest_buy(*c, 2);
  auto armed = c->request("cancel_all_orders_after", 3, R"("timeout":2)");
  ASSERT_EQ(text(armed, "success"), "true") << text(armed, "error");
  EXPECT_FALSE(c->wait(execution("canceled", id), std::chrono::milliseconds(1000)))
      << "fired after 1 s of wall time (30 s of market time)";
  EXPECT_TRUE(c->wait(execution("canceled", id), std::chrono::seconds(5))) << "never fired";
}

TEST_F(PrivateWsTest, OrdersOutliveTheConnectionAndAReconnectSeesThemInTheSnapshot) {
  start();
  std::string open_id, traded_id;
  {
    auto c = connect();
    open_id = rest_buy(*c, 1, "survivor");
    auto m =
        c->request("add_order", 2,
                   R"("order_type":"market","side":"sell","order_qty":0.001,"symbol":"BTC/USDT")");
    traded_id = text(obj(m, "result"), "order_id");
  }
  auto c = connect();
  c->request("subscribe", 1, R"("channel":"executions","snap_trades":true)");
  const auto snapshot = c->expect(testing::channel("executions", "snapshot"), "snapshot");
  const auto& open = row_of(snapshot, "new", open_id);
  EXPECT_EQ(text(open, "cl_ord_id"), "survivor");
  EXPECT_EQ(text(open, "order_status"), "new");
  EXPECT_EQ(dec(open, "limit_price"), Decimal::from_int(30000));
  const auto& trade = row_of(snapshot, "trade", traded_id);
  EXPECT_EQ(text(trade, "side"), "sell");
  EXPECT_EQ(text(snapshot, "sequence"), "1");
}

TEST_F(PrivateWsTest, DropBeforeAckLeavesTheOrderPlaced) {
  start("drop_before_ack=1");
  auto c = connect();
  c->call(
      "add_order", 1,
      R"("order_type":"limit","side":"buy","order_qty":0.001,"symbol":"BTC/USDT","limit_price":30000.0,"cl_ord_id":"in-flight")");
  ASSERT_TRUE(c->wait_closed(std::chrono::seconds(5)));
  EXPECT_FALSE(c->wait(response(1), std::chrono::milliseconds(0)))
      << "no ack on the dropped connection";
  // The retry logic of a venue: look the order up by cl_ord_id before sending it again.
  auto again = connect();
  again->request("subscribe", 1, R"("channel":"executions")");
  const auto snapshot = again->expect(testing::channel("executions", "snapshot"), "snapshot");
  ASSERT_EQ(testing::rows(snapshot).size(), 1u);
  EXPECT_EQ(text(testing::rows(snapshot).front(), "cl_ord_id"), "in-flight");
  EXPECT_EQ(text(again->request(
                     "add_order", 2,
                     R"("order_type":"limit","side":"buy","order_qty":0.001,"symbol":"BTC/USDT",)"
                     R"("limit_price":30000.0,"cl_ord_id":"in-flight")"),
                 "error"),
            "EOrder:Duplicate order");
}

TEST_F(PrivateWsTest, RejectAndRateLimitFaultsRefuseTheNextOrders) {
  start("reject=1:EOrder:Insufficient funds,order_rate_limit=2");
  auto c = connect();
  const std::string order =
      R"("order_type":"limit","side":"buy","order_qty":0.001,"symbol":"BTC/USDT","limit_price":30000.0)";
  EXPECT_EQ(text(c->request("add_order", 1, order), "error"), "EOrder:Rate limit exceeded");
  EXPECT_EQ(text(c->request("add_order", 2, order), "error"), "EOrder:Rate limit exceeded");
  EXPECT_EQ(text(c->request("add_order", 3, order), "error"), "EOrder:Insufficient funds");
  EXPECT_EQ(text(c->request("add_order", 4, order), "success"), "true");
  // Armed while running: the next order only.
  ASSERT_TRUE(sim_->arm_faults("reject=1"));
  EXPECT_EQ(text(c->request("add_order", 5, order), "error"), "EGeneral:Internal error");
  EXPECT_EQ(text(c->request("add_order", 6, order), "success"), "true");
  double rate_limited = 0;
  for (const auto& family : registry_.Collect()) {
    if (family.name != "tg4_sim_private_rejects_total") continue;
    for (const auto& m : family.metric) {
      if (m.label.size() == 1 && m.label[0].value == "EOrder:Rate limit exceeded")
        rate_limited = m.counter.value;
    }
  }
  EXPECT_EQ(rate_limited, 2.0);
}

TEST_F(PrivateWsTest, DelayedAckArrivesAfterTheExecutions) {
  start("ack_delay=300ms");
  auto c = connect();
  c->request("subscribe", 1, R"("channel":"executions")");
  c->call(
      "add_order", 2,
      R"("order_type":"limit","side":"buy","order_qty":0.001,"symbol":"BTC/USDT","limit_price":30000.0)");
  const auto pending = c->expect(execution("pending_new"), "pending_new");
  EXPECT_FALSE(c->wait(response(2), std::chrono::milliseconds(100))) << "the ack is held back";
  const auto ack = c->expect(response(2), "delayed ack");
  EXPECT_EQ(text(obj(ack, "result"), "order_id"), text(testing::rows(pending).front(), "order_id"));
}

TEST_F(PrivateWsTest, KrakensRestClientSignsAndGetsAWorkingToken) {
  start();
  kraken::RestOptions options;
  options.base_url = sim_->rest_url();
  options.api_key = std::string(kTestApiKey);
  options.api_secret = std::string(kTestApiSecret);
  kraken::RestClient client(options);
  auto token = client.websockets_token();
  ASSERT_TRUE(token) << token.error().message;
  EXPECT_EQ(token->expires_seconds, 900);
  PrivateClient c(sim_->ws_auth_url(), token->token);
  EXPECT_EQ(text(c.request("subscribe", 1, R"("channel":"balances","snapshot":false)"), "success"),
            "true");
  options.api_secret = "d3Jvbmcgc2VjcmV0";  // "wrong secret"
  kraken::RestClient wrong(options);
  auto refused = wrong.websockets_token();
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("EAPI:Invalid signature"), std::string::npos)
      << refused.error().message;
}

TEST_F(PrivateWsTest, ServesTheSameProtocolOverTls) {
  start({}, true);
  EXPECT_EQ(sim_->ws_auth_url().rfind("wss://127.0.0.1:", 0), 0u);
  auto c = connect();
  const std::string id = rest_buy(*c, 1, "over-tls");
  const auto open = obj(obj(testing::parse_json(rest("OpenOrders")), "result"), "open");
  EXPECT_EQ(text(obj(open, id), "cl_ord_id"), "over-tls");
}

}  // namespace
}  // namespace tg4::sim
